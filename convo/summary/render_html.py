"""The summary as one HTML document: templates/summary/document.html and document.css.

render_html(summary) is a pure function of a Summary.  It needs no request and no database:
inside an app context it uses the app's Jinja environment, outside one (the `convo demo`
command, benchmarks, tests) a standalone environment on the same templates/ folder, with
autoescape on in both.  The PDF is made from this same HTML (render_pdf.py).

Before rendering, every string in the summary is scrubbed of characters that XML and PDF
cannot hold or that only do harm (C0 controls other than tab and newline, DEL and C1
controls, lone surrogates, non-characters); Windows line ends become "\n".
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from collections.abc import Sequence
from typing import Any, TypeVar

import jinja2
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from convo.summary.model import RatingsBlock, Summary

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
TEMPLATE = "summary/document.html"
STYLESHEET = TEMPLATES / "summary" / "document.css"

# Tab (\x09) and newline (\x0a) stay; carriage returns are normalised before this runs.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
# The template's indentation: dropped from the finished document, which then parses faster.
_INDENT = re.compile(r"\n[ \t]+")

T = TypeVar("T")


def scrub_text(text: str) -> str:
    """Text safe for XML and PDF: CRLF and CR become LF, then unwanted controls go."""
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def scrub(value: T) -> T:
    """A copy of a summary (or any part of it) with every string scrubbed."""
    if isinstance(value, str):
        return scrub_text(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(scrub(item) for item in value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [scrub(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: scrub(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.init}
        return dataclasses.replace(value, **changes)  # type: ignore[type-var]
    return value


def paragraphs(text: str) -> list[str]:
    """The facilitator's text as paragraphs (split at blank lines); single line breaks
    inside a paragraph are kept by the stylesheet (white-space: pre-line)."""
    return [p.strip("\n") for p in _BLANK_LINES.split(text.strip()) if p.strip()]


def css_string(text: str) -> Markup:
    """A quoted CSS string that is also inert inside an HTML <style> element: everything
    but letters, digits and spaces is written as a CSS escape."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


def scale_sentence(template: str, block: RatingsBlock) -> Markup:
    """The ratings introduction with its {low} and {high} filled in: "1 (Not at all)"."""
    names = dict(block.scale_labels)

    def end(value: int) -> str:
        return f"{value} ({names[value]})" if names.get(value) else str(value)

    return (Markup(escape(template))
            .replace("{low}", escape(end(block.scale_min)))
            .replace("{high}", escape(end(block.scale_max))))


@functools.lru_cache(maxsize=1)
def _standalone_env() -> jinja2.Environment:
    # Flask's own settings apart from the loader, so both give the same document.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              auto_reload=False)


def _environment() -> jinja2.Environment:
    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover - flask is a dependency
        return _standalone_env()
    if has_app_context():
        return current_app.jinja_env
    return _standalone_env()


# A bar in the ratings table is at most this share of its cell, leaving room for the number.
BAR_TRACK_PERCENT = 78


def bar_width(value: float, block: RatingsBlock) -> str:
    """The class that sets a score's bar length: "bar-w-40" for 2 on a scale to 5.  As in the
    shared screen's chart, bars start from zero (or from the scale's bottom if it goes below
    zero), so the lowest score on a 1-5 scale still shows a bar.  Lengths are classes, not
    style attributes, because the page served in the browser allows no inline style
    (Content-Security-Policy)."""
    origin = min(0, block.scale_min)
    span = max(1, block.scale_max - origin)
    share = min(max((value - origin) / span, 0.0), 1.0)
    return f"bar-w-{round(share * 100)}"


def bar_rules() -> str:
    """One rule for each whole-percent bar length that bar_width() can name."""
    return "\n".join(f".bar-w-{n} {{ width: {n * BAR_TRACK_PERCENT / 100:.2f}%; }}"
                     for n in range(101))


@functools.lru_cache(maxsize=1)
def stylesheet_text() -> str:
    """The print stylesheet, templates/summary/document.css, with the bar lengths after it."""
    return (STYLESHEET.read_text(encoding="utf-8") + "\n/* Bar lengths (render_html.bar_rules) */\n"
            + bar_rules() + "\n")


def _number_formatter(locale: str) -> Any:
    def number(value: float | None) -> str:
        if value is None:
            return ""
        try:
            return format_decimal(value, format="#,##0.#", locale=locale)
        except Exception:  # an unknown locale must not stop the document
            return format_decimal(value, format="#,##0.#", locale="en_GB")
    return number


def render_html(summary: Summary, *, embed_css: bool = True,
                stylesheet_href: str | None = None) -> str:
    """The whole summary as one HTML document.

    With embed_css (the default) the print stylesheet is inside the document, so the file
    stands alone.  render_pdf passes embed_css=False and gives WeasyPrint the stylesheet
    parsed once; the page-number rule (translated text) is then still inline.  A page
    served under a Content-Security-Policy without 'unsafe-inline' styles passes
    stylesheet_href (a URL that serves templates/summary/document.css) instead: the
    document then links it and has no inline style at all.
    """
    summary = scrub(summary)
    labels = dict(summary.labels)
    template = _environment().get_template(TEMPLATE)
    html = template.render(
        s=summary,
        labels=labels,
        label=lambda key, default="": labels.get(key) or default,
        paragraphs=paragraphs,
        css_string=css_string,
        scale_sentence=scale_sentence,
        number=_number_formatter(summary.locale or "en_GB"),
        stylesheet=Markup(stylesheet_text()) if embed_css else None,
        stylesheet_href=stylesheet_href,
        bar_width=bar_width,
    )
    # Indentation is the template's, never the summary's.  Where the summary's own words
    # hold a line break, spaces after it are dropped anyway: in a white-space: pre-line
    # paragraph (narratives) and in normal text alike; the template has no <pre> or
    # <textarea>.  So the document reads exactly the same without it.
    return _INDENT.sub("\n", html)


# Attributes that name an element of the document by its id.
_ID_REFERENCES = re.compile(r'\b(id|for|headers|aria-labelledby|aria-describedby)="([^"]*)"'
                            r'|\bhref="#([^"]*)"')
_PAGE_RULE = re.compile(r"@page \{ @bottom-right")


def _own_ids(html: str, prefix: str) -> str:
    """The ids of one language's part made its own (a bilingual document holds every id
    twice otherwise).  Only the template writes these attributes: a summary's words reach the
    HTML escaped, so they can hold no quote to end one."""
    def renamed(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return f'href="#{prefix}{match.group(3)}"'
        names = " ".join(prefix + name for name in match.group(2).split())
        return f'{match.group(1)}="{names}"'

    return _ID_REFERENCES.sub(renamed, html)


def render_html_parts(summaries: Sequence[Summary], *, embed_css: bool = True,
                      stylesheet_href: str | None = None) -> str:
    """One summary, or the same summary in several languages one after the other (as Welsh
    public bodies publish), as one HTML document.  Each language's part carries its own
    `lang` and `dir` (so a screen reader switches voice, and the PDF tags each part with its
    language: pdf_tags.finish), starts on a new page and has page numbers in its language."""
    if len(summaries) == 1:
        return render_html(summaries[0], embed_css=embed_css, stylesheet_href=stylesheet_href)
    head, styles, parts = "", [], []
    for index, summary in enumerate(summaries, 1):
        html = render_html(summary, embed_css=embed_css and index == 1,
                           stylesheet_href=stylesheet_href)
        start, end = html.index("<body>"), html.rindex("</body>")
        own_head, body = html[:start], html[start + len("<body>"):end]
        if index == 1:
            head = own_head
        else:
            body = _own_ids(body, f"{summary.language_tag}-")
            body = body.replace("<main>", '<div class="doc-main">').replace("</main>", "</div>")
            styles += re.findall(r"<style>\s*(@page \{ @bottom-right.*?)</style>", own_head,
                                 re.S)
        parts.append(f'<div class="language-part language-part-{index}" '
                     f'lang="{summary.language_tag}" dir="{summary.direction}">{body}</div>')
    named = "".join(
        _PAGE_RULE.sub(f"@page part-{index} {{ @bottom-right", rule)
        + f" .language-part-{index} {{ page: part-{index}; }}"
        for index, rule in enumerate(styles, 2))
    if named:
        head = head.replace("</head>", f"<style>{named}</style>\n</head>")
    return head + "<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n"
