"""The summary as a tagged PDF (PDF/UA-1), made with WeasyPrint from render_html's document.

render_pdf(summary) is a pure function of a Summary: the HTML from
templates/summary/document.html, the print stylesheet templates/summary/document.css, one
WeasyPrint call.  The PDF's title, author, subject and language come from the document's
<title>, <meta name="author">, <meta name="description"> and <html lang>, which the
template fills from summary.title, summary.facilitator, summary.subtitle and
summary.language_tag; h1–h3 become the PDF's bookmarks.  A small pikepdf pass
(convo/summary/pdf_tags.py) then closes the gaps in WeasyPrint's tagging that PDF/UA
checkers find.

WeasyPrint may load only the app's own assets: `SafeURLFetcher` refuses every scheme but
data: and file:, and file: only inside the repository's templates/ and convo/static/
folders.  The summary's text is escaped anyway, so a narrative that says
`<img src="http://…">` is text, not an image; the fetcher is the second line.

WeasyPrint is imported inside the functions (importing it costs over a second).  The font
configuration and the parsed stylesheet are made once per thread and reused.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from convo.summary.model import Summary
from convo.summary.render_html import (ROOT, STYLESHEET, TEMPLATES, render_html_parts,
                                       stylesheet_text)

PDF_VARIANT = "pdf/ua-1"
ALLOWED_ROOTS = (TEMPLATES.resolve(), (ROOT / "convo" / "static").resolve())
BASE_URL = (TEMPLATES / "summary").resolve().as_uri() + "/"


class FetchRefused(ValueError):
    """WeasyPrint asked for something outside the app's own assets."""


def allowed_file(url: str) -> Path:
    """The local file a file: URL names, if it lies inside the allowed folders.

    Raises FetchRefused for any other scheme, for a file: URL with a host, and for a path
    that leaves the allowed folders (through "..", a symbolic link or otherwise)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise FetchRefused(f"refused to fetch {url[:200]!r}: only the app's own files")
    if parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"refused to fetch {url[:200]!r}: a file on another host")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in ALLOWED_ROOTS):
        raise FetchRefused(f"refused to fetch {url[:200]!r}: outside the app's assets")
    if not path.is_file():
        raise FetchRefused(f"refused to fetch {url[:200]!r}: no such file")
    return path


@functools.lru_cache(maxsize=1)
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """data: URLs, and file: URLs inside templates/ and convo/static/; nothing else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)  # decoded in memory, no I/O
            path = allowed_file(url)  # raises FetchRefused for everything else
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return SafeURLFetcher


def url_fetcher() -> Any:
    """A new fetcher for one document (WeasyPrint's fetchers keep per-request state)."""
    return _fetcher_class()(timeout=5, allow_redirects=False, allowed_protocols=("data", "file"))


_local = threading.local()


def _font_config_and_css() -> tuple[Any, Any]:
    """This thread's FontConfiguration and the parsed print stylesheet, made once."""
    cached = getattr(_local, "cached", None)
    if cached is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(string=stylesheet_text(), base_url=STYLESHEET.resolve().as_uri(),
                  url_fetcher=url_fetcher(), font_config=font_config)
        cached = _local.cached = (font_config, css)
    return cached


def pdf_html(summary: Summary, *more: Summary) -> str:
    """The exact HTML document render_pdf gives WeasyPrint (the stylesheet goes apart)."""
    return render_html_parts((summary, *more), embed_css=False)


def pdf_options() -> dict[str, Any]:
    """The options of render_pdf's write_pdf call (benchmarks use the same ones)."""
    font_config, css = _font_config_and_css()
    return {"stylesheets": [css], "font_config": font_config, "pdf_variant": PDF_VARIANT}


def render_pdf(summary: Summary, *more: Summary) -> bytes:
    """The summary as PDF bytes: A4, tagged (PDF/UA-1), with metadata and bookmarks.

    WeasyPrint's tagging is finished by pdf_tags.finish (running heads as artifacts, table
    header scopes and the ID tree): see that module and docs/pdf-ua.md."""
    from weasyprint import HTML

    from convo.summary.pdf_tags import finish

    document = HTML(string=pdf_html(summary, *more), base_url=BASE_URL,
                    url_fetcher=url_fetcher())
    return finish(document.write_pdf(**pdf_options()),
                  [s.language_tag for s in (summary, *more)] if more else None)
