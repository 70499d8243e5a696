"""The PDF summary, read back: every section and action row, both parties, the people (an
unnamed person by role only), the appendix; hostile text as plain text inside the page;
title, author, subject and language; tagged (PDF/UA-1) with bookmarks; A4 with "Page N of M";
and a URL fetcher that loads nothing but the app's own files.

The PDFs are rendered once per module and read back with poppler's pdftotext (content
stream order, so a table cell's lines stay together) and pypdf.  No network: a test
fails if anything tries to open a socket while rendering.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from convo.summary.model import Point, Section, Summary
from convo.summary.render_html import ROOT, render_html, scrub_text
from convo.summary.render_pdf import FetchRefused, allowed_file, render_pdf, url_fetcher
from convo.summary.sample import sample_summary

A4 = (595.28, 841.89)
LONG_WORD = "A" * 2000


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def pdftotext(path: Path, *args: str) -> str:
    # poppler writes the -bbox page's <title> (the PDF title, emoji and all) as invalid UTF-8
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True,
                          encoding="utf-8", errors="replace").stdout


def flat(text: str) -> str:
    """Whitespace made single spaces; the bidi embedding marks pdftotext adds dropped."""
    return re.sub(r"\s+", " ", re.sub("[\u202a-\u202e]", "", text)).strip()


@dataclasses.dataclass
class Rendered:
    summary: Summary
    pdf: bytes
    path: Path
    reader: PdfReader
    raw: str  # pdftotext -raw: content-stream order

    @property
    def text(self) -> str:
        return flat(self.raw)


def render(summary: Summary, folder: Path, name: str) -> Rendered:
    pdf = render_pdf(summary)
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    return Rendered(summary, pdf, path, PdfReader(path), pdftotext(path, "-raw"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.fixture(scope="module")
def normal(folder: Path) -> Rendered:
    return render(sample_summary(), folder, "normal")


@pytest.fixture(scope="module")
def hostile(folder: Path) -> Rendered:
    return render(sample_summary(hostile=True), folder, "hostile")


def without_ratings_and_actions() -> Summary:
    s = sample_summary()
    return dataclasses.replace(
        s, ratings=(), relationship=(), actions=(), actions_narrative="",
        how_well=dataclasses.replace(s.how_well, narrative="", points=()))


@pytest.fixture(scope="module")
def bare(folder: Path) -> Rendered:
    return render(without_ratings_and_actions(), folder, "bare")


def sections(s: Summary) -> list[Section]:
    return [s.working_towards, s.community, s.how_well, s.challenges, s.opportunities,
            s.keeping_in_touch, s.follow_ups, s.other, s.closing]


def expected_headings(s: Summary) -> list[str]:
    """Every heading the summary must show, in reading order."""
    lab = s.labels
    heads = [lab["who_took_part"], lab["introduction"], lab["purpose"], lab["ground_rules"]]
    heads += [sec.title for sec in (s.working_towards, s.community) if not sec.empty]
    if s.ratings or not s.how_well.empty:
        heads.append(s.how_well.title)
    heads += [block.title for block in s.ratings]
    if s.relationship:
        heads.append(lab["relationship_type"])
    heads += [sec.title for sec in (s.challenges, s.opportunities) if not sec.empty]
    if s.actions:
        heads.append(lab["actions"])
    heads.append(s.keeping_in_touch.title)
    heads.append(lab["next_conversation"])
    heads += [sec.title for sec in (s.follow_ups, s.other, s.closing) if not sec.empty]
    heads += [lab["approvals"], lab["appendix"]]
    return heads


# --- content ----------------------------------------------------------------------------


def test_every_heading_in_reading_order(normal: Rendered) -> None:
    text, position = normal.text, 0
    for heading in expected_headings(normal.summary):
        found = text.find(heading, position)
        assert found >= 0, f"heading {heading!r} missing or out of order"
        position = found + len(heading)


def test_title_parties_and_heading_facts(normal: Rendered) -> None:
    s = normal.summary
    text = normal.text
    for value in (s.title, s.subtitle, s.status_text, s.date_text, s.time_text, s.place,
                  s.facilitator, s.partnership, s.agency, s.agency_kind):
        assert value in text


def test_every_point_and_narrative(normal: Rendered) -> None:
    s = normal.summary
    for sec in sections(s):
        if sec.narrative:
            assert flat(sec.narrative) in normal.text
        for point in sec.points:
            assert flat(point.text) in normal.text
            assert f"{s.labels['raised_by']}: {point.raised_by}" in normal.text
    for value in (s.introduction, s.purpose, s.ground_rules, s.contacts, s.meeting_rhythm,
                  s.next_conversation, s.actions_narrative):
        assert flat(value) in normal.text


def test_every_action_row(normal: Rendered) -> None:
    s = normal.summary
    assert s.actions
    for action in s.actions:
        for value in (action.what, action.owner, action.party, action.by_when):
            if value:
                assert flat(value) in normal.text, value
        if action.first_step:
            assert f"{s.labels['first_step']}: {action.first_step}" in normal.text
    agreed = sum(a.agreed_by_both for a in s.actions)
    assert normal.text.count(s.labels["agreed_by_both"]) == agreed


def test_ratings_table_relationship_and_biggest_differences(normal: Rendered) -> None:
    s = normal.summary
    block = s.ratings[0]
    for row in block.rows:
        # criterion, both scores (each at the end of its bar) and the difference, in order
        wanted = f"{row.criterion} {row.partnership:g} {row.agency:g} {row.difference:g} "
        assert wanted in normal.text + " ", wanted
    biggest_rows = [row for row in block.rows if row.biggest]
    assert normal.text.count("Biggest difference ") >= len(biggest_rows)  # marked in words
    after = normal.text.split(s.labels["biggest"], 1)[1]
    assert flat(" ".join(block.biggest)) in flat(after.replace("1. ", "").replace("2. ", ""))
    for view in s.relationship:
        assert f"{view.party_label} {view.now} {view.wanted}" in normal.text


def test_people_by_party_and_unnamed_by_role_only(normal: Rendered) -> None:
    s = normal.summary
    for group in s.people:
        assert group.party_label in normal.text
        for person in group.people:
            assert person.label in normal.text
            if person.named:
                assert f"{person.label} {person.role}" in normal.text
    unnamed = [p for g in s.people for p in g.people if not p.named]
    assert unnamed
    html = render_html(s)
    for person in unnamed:
        # shown once, as the role, with no second "role" line under it
        item = re.search(r'<bdi class="person">' + re.escape(person.label) + r"</bdi>(.*?)</li>",
                         html, re.S)
        assert item and 'class="role"' not in item.group(1)


def test_appendix_questions_and_approvals(normal: Rendered) -> None:
    s = normal.summary
    for stage in s.appendix:
        assert stage.title in normal.text
        for question in stage.questions:
            assert flat(question) in normal.text
    for approval in s.approvals:
        assert f"{approval.party_label}: {approval.text}" in normal.text


def test_empty_sections_are_left_out(normal: Rendered, bare: Rendered) -> None:
    s = normal.summary
    assert s.other.empty and s.other.title not in normal.text
    text = bare.text
    assert s.labels["actions"] not in text
    assert s.how_well.title not in text
    assert s.ratings[0].title not in text
    assert s.labels["relationship_type"] not in text
    assert s.labels["criterion"] not in text
    for heading in expected_headings(bare.summary):
        assert heading in text
    assert len(bare.reader.pages) < len(normal.reader.pages)


def test_narratives_keep_the_facilitators_line_breaks(folder: Path) -> None:
    s = sample_summary()
    s = dataclasses.replace(s, introduction="First line\nSecond line\n\nA new paragraph",
                            closing=Section("closing", "To close", "Thanks\r\nto everyone"))
    raw = render(s, folder, "breaks").raw
    assert "First line\nSecond line\nA new paragraph" in raw
    assert "Thanks\nto everyone" in raw
    html = render_html(s)
    assert '<p class="narrative">First line\nSecond line</p>' in html
    assert '<p class="narrative">A new paragraph</p>' in html


# --- hostile text -----------------------------------------------------------------------


def test_hostile_text_is_text(hostile: Rendered) -> None:
    s = hostile.summary
    text = hostile.text
    assert "<script>alert('x')</script> Riverside & Co \"Big\" Local" in text
    # pdftotext writes right-to-left runs word by word in visual order: look for the words
    assert "שירותי" in text and "בריאות" in text
    assert "<b>Knowledge</b> & \"trust\"" in text
    fonts = subprocess.run(["pdffonts", str(hostile.path)], check=True, capture_output=True,
                           text=True).stdout
    assert "Noto-Color-Emoji" in fonts  # 🎉 drawn from the emoji font, not a box
    for action in s.actions:
        assert flat(action.what)[:40] in text


def test_hostile_html_is_escaped_and_clean() -> None:
    html = render_html(sample_summary(hostile=True))
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<b>" not in html
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)


def test_control_characters_are_removed_but_tabs_and_newlines_stay() -> None:
    assert scrub_text("a\x00b\x07c\x1bd\x7fe\x85f") == "abcdef"
    assert scrub_text("tab\there\r\nline\rend") == "tab\there\nline\nend"
    assert scrub_text("lone \ud800 surrogate \uffff") == "lone  surrogate "


def test_a_two_thousand_letter_word_stays_on_the_page(hostile: Rendered) -> None:
    pages = len(hostile.reader.pages)
    assert 5 <= pages <= 30
    # the word is all there, wrapped, and the text after it follows
    letters = re.sub(r"\s+", "", hostile.raw)
    assert LONG_WORD in letters
    assert "tab here nul bell end" in hostile.text
    for heading in expected_headings(hostile.summary):
        assert flat(heading) in hostile.text, heading
    # no word is drawn outside the page's margins
    bbox = pdftotext(hostile.path, "-bbox")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", bbox).replace(
        'xmlns="http://www.w3.org/1999/xhtml"', ""))
    words = 0
    for page in root.iter("page"):
        width = float(page.get("width"))
        for word in page.iter("word"):
            words += 1
            assert float(word.get("xMin")) >= 40, word.text
            assert float(word.get("xMax")) <= width - 40, word.text
    assert words > 1000


def test_markup_in_a_narrative_is_not_fetched(folder: Path) -> None:
    s = dataclasses.replace(
        sample_summary(), introduction='<img src="http://example.com/x.png">',
        other=Section("other", "Other points", "", (
            Point('<img src="file:///etc/passwd"><link rel=stylesheet href="https://e.com/x">',
                  "Both"),)))
    html = render_html(s)
    assert "<img" not in html and "<link" not in html
    rendered = render(s, folder, "markup")  # the no_network fixture guards sockets
    assert '<img src="http://example.com/x.png">' in rendered.text
    assert "file:///etc/passwd" in rendered.text
    assert "root:" not in rendered.text


# --- metadata, tags, pages --------------------------------------------------------------


def test_metadata(normal: Rendered, hostile: Rendered) -> None:
    for rendered in (normal, hostile):
        s, info = rendered.summary, rendered.reader.metadata
        assert info.title == s.title
        assert info.author == s.facilitator
        assert info.subject == s.subtitle
        assert rendered.reader.trailer["/Root"]["/Lang"] == "en-GB" == s.language_tag


def test_tagged_pdf_ua(normal: Rendered) -> None:
    root = normal.reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    tree = root["/StructTreeRoot"].get_object()
    kinds: dict[str, int] = {}
    figures: list[object] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            kinds[node["/S"]] = kinds.get(node["/S"], 0) + 1
            if node["/S"] == "/Figure":
                figures.append(node.get("/Alt"))
        children = node.get("/K")
        for child in children if isinstance(children, list) else [children]:
            if child is not None:
                walk(child)

    walk(tree)
    for kind in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/L", "/LI"):
        assert kinds.get(kind), f"no {kind} in the structure tree"
    # No pictures: the ratings chart is bars inside the ratings table, whose numbers a
    # screen reader reads as table cells (WeasyPrint would draw an SVG's words letter by
    # letter, breaking right-to-left names, and tag it as one figure with a title).
    assert figures == []
    metadata = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in metadata


def test_bookmarks_from_headings(normal: Rendered) -> None:
    titles: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)  # type: ignore[attr-defined]

    walk(normal.reader.outline)
    assert titles[0] == normal.summary.title
    for heading in expected_headings(normal.summary):
        assert heading in titles
    assert normal.summary.labels["biggest"] not in titles  # h4: no bookmark


def filled_rectangles(reader: PdfReader) -> list[tuple[str, float]]:
    """Every rectangle drawn straight after a fill colour is set, in drawing order:
    (r g b, width).  WeasyPrint draws a box's background so: the colour, then the rectangle
    (as a clipping path it then fills)."""
    found = []
    for page in reader.pages:
        stream = page.get_contents().get_data().decode("latin-1")
        for match in re.finditer(r"([\d.]+ [\d.]+ [\d.]+) rg\s+[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+ re",
                                 stream):
            found.append((match.group(1), float(match.group(2))))
    return found


NAVY, ORANGE = "0.105882 0.227451 0.294118", "0.611765 0.262745 0"  # #1b3a4b, #9c4300


def test_ratings_chart_is_bars_in_the_table(normal: Rendered) -> None:
    for page in normal.reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image"
    block = normal.summary.ratings[0]
    bars = filled_rectangles(normal.reader)
    navy = [width for colour, width in bars if colour == NAVY]
    orange = [width for colour, width in bars if colour == ORANGE]
    partnership = [r.partnership for r in block.rows if r.partnership is not None]
    agency = [r.agency for r in block.rows if r.agency is not None]
    assert len(navy) == len(partnership) and len(orange) == len(agency)
    # one scale for every bar of both parties: length ÷ score is the same throughout
    per_point = navy[0] / partnership[0]
    for width, score in zip(navy + orange, partnership + agency, strict=True):
        assert width / score == pytest.approx(per_point, rel=0.02)
    # and the scale's words are there, in the sentence above the table
    assert "1 (Not at all)" in normal.text and "5 (Fully)" in normal.text


def test_a4_pages_with_page_numbers_and_running_header(normal: Rendered) -> None:
    pages = normal.reader.pages
    count = len(pages)
    for page in pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9)
    for number in range(1, count + 1):
        assert f"Page {number} of {count}" in normal.text
    page_texts = [flat(pdftotext(normal.path, "-raw", "-f", str(n), "-l", str(n)))
                  for n in range(1, count + 1)]
    assert all(normal.summary.title in t for t in page_texts)  # title or running header
    assert all(t.count(normal.summary.status_text) >= 1 for t in page_texts)


# --- the URL fetcher --------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/x.css",
    "ftp://example.com/x",
    "file://example.com/etc/passwd",
    f"{(ROOT / 'templates').as_uri()}/../convo/config.py",
    f"{(ROOT / 'templates').as_uri()}/%2e%2e/setup.cfg",
    (ROOT / "setup.cfg").as_uri(),
    f"{(ROOT / 'templates').as_uri()}/summary/missing.css",
])
def test_fetcher_refuses(url: str) -> None:
    fetcher = url_fetcher()
    with pytest.raises(FetchRefused):
        fetcher(url)


def test_fetcher_allows_the_apps_own_assets_and_data() -> None:
    fetcher = url_fetcher()
    css = fetcher((ROOT / "templates" / "summary" / "document.css").as_uri())
    assert b"@page" in css.read()
    static = fetcher((ROOT / "convo" / "static" / "favicon.svg").as_uri())
    assert b"<svg" in static.read()
    data = fetcher("data:text/plain;base64,aGVsbG8=")
    assert data.read() == b"hello"
    assert allowed_file((ROOT / "templates" / "base.html").as_uri()).name == "base.html"


def test_weasyprint_uses_the_fetcher_for_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even real <img>/<link> markup reaching WeasyPrint is refused, never fetched."""
    from weasyprint import HTML

    fetcher = url_fetcher()
    asked: list[tuple[str, str]] = []
    original = fetcher.fetch

    def spy(url: str, headers: object = None) -> object:
        try:
            response = original(url, headers)
        except FetchRefused:
            asked.append((url, "refused"))
            raise
        asked.append((url, "fetched"))
        return response

    monkeypatch.setattr(fetcher, "fetch", spy)
    HTML(string='<img src="http://example.com/x.png"><img src="file:///etc/passwd">'
                '<link rel="stylesheet" href="https://example.com/x.css"><p>x</p>',
         base_url=(ROOT / "templates" / "summary").as_uri() + "/",
         url_fetcher=fetcher).write_pdf()
    assert ("http://example.com/x.png", "refused") in asked
    assert ("file:///etc/passwd", "refused") in asked
    assert ("https://example.com/x.css", "refused") in asked


# --- the HTML document ------------------------------------------------------------------


def test_html_is_a_standalone_accessible_document() -> None:
    s = sample_summary()
    html = render_html(s)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB" dir="ltr">' in html
    assert f"<title>{s.title}</title>" in html
    assert "@page" in html  # the print stylesheet is inside
    assert html.count("<h1") == 1
    assert '<th scope="col"' in html and '<th scope="row"' in html
    assert "<svg" not in html and 'class="bar bar-w-' in html  # the chart: bars in the table
    assert "@page" in render_html(s, embed_css=False)  # page numbers are always inline
    assert "overflow-wrap" not in render_html(s, embed_css=False)


def test_html_is_the_same_inside_and_outside_an_app(tmp_path: Path) -> None:
    from convo import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                      "EXPORT_DIR": str(tmp_path / "exports")})
    s = sample_summary(hostile=True)
    with app.app_context():
        inside = render_html(s)
    assert inside == render_html(s)


@pytest.fixture
def welsh_and_more() -> Iterator[Summary]:
    s = sample_summary()
    names = "Siân Ŵyn, Łukasz Żółć, Ελένη, Дмитрий, דוד כהן, محمد علي 👩🏽‍🤝‍👩🏼"
    yield dataclasses.replace(s, introduction=names)


def test_names_in_many_scripts(welsh_and_more: Summary, folder: Path) -> None:
    rendered = render(welsh_and_more, folder, "scripts")
    for name in ("Siân Ŵyn", "Łukasz Żółć", "Ελένη", "Дмитрий", "דוד", "כהן", "علي"):
        assert name in rendered.text
    fonts = subprocess.run(["pdffonts", str(rendered.path)], check=True, capture_output=True,
                           text=True).stdout
    assert "Noto-Sans" in fonts
    assert "Noto-Sans-Hebrew" in fonts and "Noto-Sans-Arabic" in fonts


def test_every_label_the_template_uses_is_in_the_labels() -> None:
    """The template's English fallbacks are a safety net, not a source of text: build() must
    give every label (LABELS_EN lists them) so a Welsh summary is Welsh throughout."""
    from convo.summary.sample import LABELS_EN

    template = (ROOT / "templates" / "summary" / "document.html").read_text(encoding="utf-8")
    used = set(re.findall(r'label\("([a-z_]+)"', template))
    used |= set(re.findall(r"labels\.([a-z_]+)", template))
    assert used and used <= set(LABELS_EN), sorted(used - set(LABELS_EN))


def test_html_for_a_page_under_a_strict_content_security_policy() -> None:
    html = render_html(sample_summary(), stylesheet_href="/summary/document.css")
    assert '<link rel="stylesheet" href="/summary/document.css">' in html
    assert "<style" not in html and " style=" not in html


def test_an_issued_version_shows_its_status_and_change_note(folder: Path) -> None:
    s = dataclasses.replace(sample_summary(), version=2,
                            status_text="Version 2, issued 22 November 2026",
                            change_note="Corrected the date of the first action.")
    rendered = render(s, folder, "version")
    assert "Version 2, issued 22 November 2026" in rendered.text
    assert f"{s.labels['change_note']}: Corrected the date of the first action." in rendered.text
    pages = len(rendered.reader.pages)
    last = flat(pdftotext(rendered.path, "-raw", "-f", str(pages), "-l", str(pages)))
    assert "Version 2, issued 22 November 2026" in last  # in the footer of every page


def test_two_column_ratings_draw_the_start_paler(folder: Path) -> None:
    """The LTO review: "at the start" and "now" rows, each with both parties' bars; the
    earlier scores paler, on the same scale."""
    summary = sample_summary()
    block = summary.ratings[0]
    rows = tuple(dataclasses.replace(row, column=column, biggest=row.biggest and column == "Now")
                 for row in block.rows[:3] for column in ("At the start", "Now"))
    block = dataclasses.replace(block, columns=("At the start", "Now"), rows=rows)
    rendered = render(dataclasses.replace(summary, ratings=(block,)), folder, "two-column")
    for row in rows:
        wanted = (f"{row.column} {row.partnership:g} {row.agency:g} {row.difference:g} ")
        assert wanted in rendered.text + " ", wanted
    bars = filled_rectangles(rendered.reader)
    pale_navy, pale_orange = "0.788235 0.843137 0.878431", "0.952941 0.823529 0.721569"
    start = [row for row in rows if row.column == "At the start"]
    for colour, scores in ((pale_navy, [r.partnership for r in start]),  # #c9d7e0
                           (pale_orange, [r.agency for r in start])):  # #f3d2b8
        widths = [w for c, w in bars if c == colour]
        assert len(widths) == len(scores)
        for width, score in zip(widths, scores, strict=True):
            assert width / score == pytest.approx(widths[0] / scores[0], rel=0.05)
    assert [c for c, _ in bars].count(NAVY) >= 3 and [c for c, _ in bars].count(ORANGE) >= 3


def test_bar_lengths() -> None:
    from convo.summary.render_html import BAR_TRACK_PERCENT, bar_rules, bar_width

    block = sample_summary().ratings[0]  # a scale from 1 to 5
    assert bar_width(1, block) == "bar-w-20"  # from zero: the lowest score still shows
    assert bar_width(3.333, block) == "bar-w-67"
    assert bar_width(5, block) == "bar-w-100"
    assert bar_width(7, block) == "bar-w-100" and bar_width(-1, block) == "bar-w-0"
    assert bar_width(2, dataclasses.replace(block, scale_max=0)) == "bar-w-100"
    ten = dataclasses.replace(block, scale_min=0, scale_max=10)
    assert (bar_width(0, ten), bar_width(7, ten)) == ("bar-w-0", "bar-w-70")
    seven = dataclasses.replace(block, scale_min=1, scale_max=7)
    assert (bar_width(1, seven), bar_width(3.5, seven)) == ("bar-w-14", "bar-w-50")
    # a scale through zero: bars run from its bottom, as in the shared screen's chart
    signed = dataclasses.replace(block, scale_min=-2, scale_max=2)
    assert [bar_width(v, signed) for v in (-2, 0, 2)] == ["bar-w-0", "bar-w-50", "bar-w-100"]
    rules = bar_rules().splitlines()
    assert len(rules) == 101
    assert rules[100] == f".bar-w-100 {{ width: {BAR_TRACK_PERCENT:.2f}%; }}"


def test_the_served_stylesheet_has_the_bar_lengths(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/summary/document.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    text = response.get_data(as_text=True)
    assert "@page" in text and ".bar-w-37 {" in text and ".bar-w-100 {" in text


def test_a_heading_and_its_lead_in_never_end_a_page() -> None:
    """However the points above push it, "Agreed actions", its sentence and the first row of
    the table share a page.  (Without the rule, 10 and 11 extra points here leave the
    sentence alone at the foot of a page; 8 to 13 take the section over a page break.)"""
    import io

    base = sample_summary()
    first_action = base.actions[0].what[:40]
    heading = base.labels["actions"]
    narrative = "Start small, then build on what works."
    seen_pages = set()
    for extra in range(8, 14):
        points = base.opportunities.points + tuple(
            Point(f"Opportunity {n}.", "Both") for n in range(extra))
        s = dataclasses.replace(base, actions_narrative=narrative,
                                opportunities=dataclasses.replace(base.opportunities,
                                                                  points=points))
        pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(render_pdf(s))).pages]
        where = [n for n, text in enumerate(pages) if narrative in text]
        assert len(where) == 1
        page = pages[where[0]]
        assert heading in page and first_action in page, (extra, where)
        seen_pages.add(where[0])
    assert len(seen_pages) > 1  # the section did move from page to page


def test_line_breaks_in_the_agreement_are_kept(folder: Path) -> None:
    """Points of contact typed over two lines read as two lines, as in the Word file."""
    s = dataclasses.replace(sample_summary(), contacts="Pat Okafor for the partnership\n"
                                                       "Dr Alex Moore for the network")
    rendered = render(s, folder, "contacts")
    assert "Pat Okafor for the partnership\nDr Alex Moore for the network" in rendered.raw
