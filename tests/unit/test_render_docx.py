"""The Word summary: rendered from sample summaries, read back with python-docx, and opened by
LibreOffice (the "opens without repair" check), with pages turned into PNG to look at."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from convo.summary.model import Person, Section, Summary
from convo.summary.render_docx import clean_text, render_docx
from convo.summary.sample import sample_summary
from tests.reaper import guarded

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
NAMESPACES = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
              "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}


@pytest.fixture(scope="module")
def plain() -> tuple[Summary, bytes]:
    summary = sample_summary()
    return summary, render_docx(summary)


@pytest.fixture(scope="module")
def hostile() -> tuple[Summary, bytes]:
    summary = sample_summary(hostile=True)
    return summary, render_docx(summary)


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def blocks(document: docx.document.Document) -> list[Paragraph | Table]:
    """The body's paragraphs and tables in reading order."""
    out: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            out.append(Table(child, document))
    return out


def headings(document: docx.document.Document, level: int = 1) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def all_text(document: docx.document.Document) -> str:
    """Every paragraph's text, body and table cells, one paragraph a line."""
    lines = []
    for block in blocks(document):
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            for row in block.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def table_with_header(document: docx.document.Document, first: str) -> Table:
    for table in document.tables:
        if table.rows[0].cells[0].text == first:
            return table
    raise AssertionError(f"no table headed {first!r}")


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.endswith((".xml", ".rels"))}


# ---------------------------------------------------------------------------------------------
# Structure and styles


def test_built_in_styles_only(plain: tuple[Summary, bytes]) -> None:
    document = read(plain[1])
    used = {p.style.name for p in document.paragraphs}
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "List Bullet"} <= used
    assert used <= {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Normal",
                    "List Bullet"}
    for name in used:
        assert document.styles[name].builtin, name
    assert document.tables
    for table in document.tables:
        assert table.style.name == "Light List Accent 1"
        assert table.style.builtin
    run_styles = {r.style.name for p in document.paragraphs for r in p.runs if r.style}
    assert run_styles <= {"Default Paragraph Font", "Strong", "Subtle Emphasis"}
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == plain[0].title


def test_no_spacer_paragraphs_text_boxes_or_manual_fonts(plain: tuple[Summary, bytes]) -> None:
    data = plain[1]
    document = read(data)
    body = [b for b in blocks(document) if isinstance(b, Paragraph)]
    empty = [p for p in body if not p.text.strip() and not p._p.xpath(".//w:drawing")]
    assert empty == []
    xml = xml_parts(data)["word/document.xml"]
    assert "txbxContent" not in xml and "<v:textbox" not in xml
    for tag in ("w:rFonts", "w:sz ", "w:color", "w:b/", "w:i/"):
        assert f"<{tag}" not in xml, tag  # the look lives in styles


def test_sections_in_reading_order_and_empty_ones_left_out(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    labels = summary.labels
    expected = [labels["who_took_part"], labels["introduction"], labels["purpose"],
                labels["ground_rules"], summary.working_towards.title, summary.community.title,
                summary.how_well.title, summary.challenges.title, summary.opportunities.title,
                labels["actions"], summary.keeping_in_touch.title, labels["next_conversation"],
                summary.follow_ups.title, summary.closing.title, labels["approvals"],
                labels["appendix"]]
    assert headings(document) == expected
    assert summary.other.empty and summary.other.title not in all_text(document)


def test_every_point_is_a_bullet(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    sections = (summary.working_towards, summary.community, summary.how_well,
                summary.challenges, summary.opportunities, summary.follow_ups, summary.closing)
    for section in sections:
        for point in section.points:
            assert f"{point.text} \u2013 Raised by: {point.raised_by}" in bullets
        if section.narrative:
            assert section.narrative in all_text(document)
    for stage in summary.appendix:
        assert stage.title in headings(document, 2)
        for question in stage.questions:
            assert question in bullets


def test_title_block_and_details(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    assert document.paragraphs[1].style.name == "Subtitle"
    assert document.paragraphs[1].text == summary.subtitle
    details = document.tables[0]
    rows = {row.cells[0].text: row.cells[1].text for row in details.rows}
    assert rows == {"Status": "Draft", "Date": "Tuesday 14 September 2021", "Time": "10:00",
                    "Place": summary.place, "Facilitator": summary.facilitator}


def test_people_by_party_and_unnamed_only_by_role(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    assert summary.partnership in headings(document, 2)
    assert summary.agency in headings(document, 2)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Pat Okafor, Partnership chair" in bullets
    assert "Dr Alex Moore, Clinical director" in bullets
    assert "Primary Care Network manager" in bullets

    # Someone who asked not to be named appears by their role only, once, even if a name
    # reached the label; the name is nowhere in the package (body, header, properties).
    agency = summary.people[1]
    for person in (Person("Practice nurse lead", "Practice nurse lead", False),
                   Person("Jane Roe", "Practice nurse lead", False)):
        hidden = dataclasses.replace(agency, people=(agency.people[0], person))
        data = render_docx(dataclasses.replace(summary, people=(summary.people[0], hidden)))
        bullets = [p.text for p in read(data).paragraphs if p.style.name == "List Bullet"]
        assert "Practice nurse lead" in bullets
        everything = "".join(xml_parts(data).values())
        assert everything.count("Practice nurse lead") == 1
        assert "Jane Roe" not in everything


def test_actions_table(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    labels = summary.labels
    table = table_with_header(document, labels["action"])
    assert [c.text for c in table.rows[0].cells] == [
        labels["action"], labels["owner"], labels["party"], labels["by_when"]]
    assert len(table.rows) == len(summary.actions) + 1
    for action, row in zip(summary.actions, table.rows[1:]):
        cells = [c.text for c in row.cells]
        what = [p.text for p in row.cells[0].paragraphs]
        assert what[0] == action.what
        assert (f"{labels['first_step']}: {action.first_step}" in what) == bool(action.first_step)
        assert (labels["agreed_by_both"] in what) == action.agreed_by_both
        assert cells[1:] == [action.owner or "\u2013", action.party or "\u2013",
                             action.by_when or "\u2013"]


def test_tables_repeat_header_rows_and_rows_do_not_split(plain: tuple[Summary, bytes]) -> None:
    document = read(plain[1])
    assert len(document.tables) == 4  # details, ratings, relationship type, actions
    headed = document.tables[1:]  # all but the details table have a header row
    for table in document.tables:
        rows = table._tbl.tr_lst
        for row in rows:
            assert row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None
        fixed = table._tbl.tblPr.find(qn("w:tblLayout"))
        assert fixed is not None and fixed.get(qn("w:type")) == "fixed"
    for table in headed:
        assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr.find(qn("w:tblHeader")) is None for r in table._tbl.tr_lst[1:])
    assert document.tables[0]._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is None


def test_ratings_chart_table_and_relationship(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    block = summary.ratings[0]
    labels = summary.labels

    drawings = document.element.body.xpath(".//wp:inline")
    assert len(drawings) == 1
    doc_pr = drawings[0].find(qn("wp:docPr"))
    # a sentence or two on what the chart shows, then a pointer to the table with every
    # score (the long description read out every score, and the table followed it)
    assert doc_pr.get("descr") == ("The biggest differences are in Trust and Capacity to "
                                   "follow through. Every score is in the table below.")
    assert doc_pr.get("title") == block.chart_title
    image = document.inline_shapes[0]
    assert abs(image.width.cm - 16.4) < 0.01
    png = document.part.related_parts[
        drawings[0].xpath(".//a:blip/@r:embed")[0]].blob
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert width >= 1200  # about 2x a 96-dpi screen at 16.4 cm

    table = table_with_header(document, labels["criterion"])
    assert [c.text for c in table.rows[0].cells] == [
        labels["criterion"], summary.partnership, summary.agency, labels["difference"]]
    assert len(table.rows) == len(block.rows) + 1
    for rating, row in zip(block.rows, table.rows[1:]):
        cells = [c.text for c in row.cells]
        assert cells[0] == rating.criterion
        assert cells[1] == f"{rating.partnership:g}" and cells[2] == f"{rating.agency:g}"
        marked = labels["biggest_marker"] in cells[3]
        assert marked == rating.biggest
        assert cells[3].startswith(f"{rating.difference:g}")

    # The chart comes first, then its table, then the biggest differences in words.
    order = blocks(document)
    chart_at = next(i for i, b in enumerate(order)
                    if isinstance(b, Paragraph) and b._p.xpath(".//w:drawing"))
    assert order[chart_at + 1]._tbl is table._tbl  # type: ignore[union-attr]
    after = [b.text for b in order[chart_at + 2:chart_at + 5] if isinstance(b, Paragraph)]
    assert after == [labels["biggest"], *block.biggest]
    intro = labels["ratings_intro"].format(low="1 (Not at all)", high="5 (Fully)")
    assert order[chart_at - 1].text == intro  # type: ignore[union-attr]

    relationship = table_with_header(document, labels["party"])
    assert [[c.text for c in r.cells] for r in relationship.rows] == [
        [labels["party"], labels["relationship_now"], labels["relationship_wanted"]],
        *[[v.party_label, v.now, v.wanted] for v in summary.relationship]]


def test_keeping_in_touch_next_conversation_and_approval(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    text = all_text(document)
    assert summary.contacts in text and summary.meeting_rhythm in text
    assert summary.labels["contacts"] in headings(document, 2)
    assert summary.next_conversation in text
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    for approval in summary.approvals:
        assert f"{approval.party_label}: {approval.text}" in bullets


def test_core_properties_language_and_page(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    props = document.core_properties
    assert props.title == summary.title
    assert props.subject == summary.subtitle
    assert props.author == summary.facilitator
    assert props.language == "en-GB"
    assert props.content_status == "Draft"
    assert props.created is None and props.comments == ""  # a sample: no date to give
    # keywords that say what the document is about, not the agency type alone
    assert props.keywords == ("Riverside Big Local; Exampletown Primary Care Network; Health "
                              "agency: Primary Care Network (PCN); facilitated conversation; "
                              "community partnership; agreed actions; summary")

    styles = document.styles.element
    default_lang = styles.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert default_lang.get(qn("w:val")) == "en-GB"
    normal_lang = document.styles["Normal"].element.find(".//" + qn("w:lang"))
    assert normal_lang.get(qn("w:val")) == "en-GB"

    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= section.left_margin.mm <= 25 and 20 <= section.top_margin.mm <= 25

    parts = xml_parts(data)
    assert "word/stylesWithEffects.xml" not in parts
    assert not any("thumbnail" in name for name in parts)


def test_footer_has_page_fields_and_header_names_both_parties(
        plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    section = read(data).sections[0]
    for footer in (section.footer, section.first_page_footer):
        xml = footer._element.xml
        instructions = [t.strip() for t in footer._element.xpath(".//w:instrText/text()")]
        assert instructions == ["PAGE \\* MERGEFORMAT", "NUMPAGES \\* MERGEFORMAT"]
        assert xml.count('w:fldCharType="begin"') == 2 and xml.count('w:fldCharType="end"') == 2
        text = footer.paragraphs[0].text
        assert text.startswith("Draft\tPage ") and " of " in text
        assert footer.paragraphs[0].style.name == "Footer"
    header = section.header.paragraphs[0]
    assert header.style.name == "Header"
    assert summary.partnership in header.text and summary.agency in header.text


def test_same_summary_same_bytes(plain: tuple[Summary, bytes]) -> None:
    assert render_docx(plain[0]) == plain[1]


def test_newlines_become_paragraphs_or_line_breaks() -> None:
    summary = sample_summary()
    summary = dataclasses.replace(
        summary, introduction="First paragraph,\nits second line.\r\n\r\nSecond.\r\r"
                              "Third.\n  \n\n\u2029Fourth.",
        challenges=Section("challenges", "Challenges", "",
                           (dataclasses.replace(summary.challenges.points[0],
                                                text="One point\nover two lines"),)))
    document = read(render_docx(summary))
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Introduction")
    assert texts[start + 1:start + 5] == ["First paragraph,\nits second line.", "Second.",
                                          "Third.", "Fourth."]
    first = document.paragraphs[start + 1]
    assert len(first._p.xpath(".//w:br")) == 1  # a line break, as the PDF keeps it
    point = next(p for p in document.paragraphs if p.text.startswith("One point"))
    assert point._p.xpath(".//w:br")  # a line break inside the bullet, not a literal "\n" text
    assert all("\n" not in t for t in point._p.xpath(".//w:t/text()"))


def test_agency_kind_under_the_agency(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    texts = [p.text for p in read(data).paragraphs]
    at = texts.index(summary.agency)
    assert texts[at + 1] == summary.agency_kind


def test_two_column_ratings_say_when() -> None:
    summary = sample_summary()
    block = summary.ratings[0]
    rows = tuple(dataclasses.replace(row, column=column, biggest=row.biggest and column == "Now")
                 for row in block.rows[:3] for column in ("At the start", "Now"))
    block = dataclasses.replace(block, columns=("At the start", "Now"), rows=rows)
    document = read(render_docx(dataclasses.replace(summary, ratings=(block,))))
    table = table_with_header(document, summary.labels["criterion"])
    assert [c.text for c in table.rows[0].cells] == [
        "What we rated", "When", summary.partnership, summary.agency, "Difference"]
    assert [[c.text for c in r.cells][:2] for r in table.rows[1:3]] == [
        ["Mutual knowledge", "At the start"], ["Mutual knowledge", "Now"]]
    widths = [c.width for c in table.columns]
    assert abs(sum(w.cm for w in widths) - 16.4) < 0.05


def test_a_nearly_empty_summary_still_renders() -> None:
    summary = sample_summary()
    empty = {key: dataclasses.replace(getattr(summary, key), narrative="", points=())
             for key in ("working_towards", "community", "how_well", "challenges",
                         "opportunities", "keeping_in_touch", "follow_ups", "other", "closing")}
    summary = dataclasses.replace(
        summary, people=(), introduction="", purpose=" ", ground_rules="", ratings=(),
        relationship=(), actions=(), actions_narrative="", contacts="", meeting_rhythm="",
        next_conversation="", approvals=(), appendix=(), date_text="", time_text="",
        place="", subtitle="", **empty)
    document = read(render_docx(summary))
    assert [p.style.name for p in document.paragraphs] == ["Title"]
    assert [[c.text for c in r.cells] for r in document.tables[0].rows] == [
        ["Status", "Draft"], ["Facilitator", summary.facilitator]]


def test_long_names_and_unknown_locale_do_not_stop_the_document() -> None:
    summary = sample_summary()
    long_name = "Riverside " * 60
    summary = dataclasses.replace(summary, title=f"{long_name} and {summary.agency}",
                                  facilitator=long_name, locale="xx_YY")
    document = read(render_docx(summary))
    assert document.paragraphs[0].text == summary.title.strip()
    assert len(document.core_properties.title) == 255
    assert document.core_properties.language == "xx-YY"
    table = table_with_header(document, summary.labels["criterion"])
    assert table.rows[1].cells[1].text == "3"


def test_chart_png_is_the_requested_width() -> None:
    from convo.summary.render_docx import chart_png

    png = chart_png(sample_summary(hostile=True).ratings[0].chart_svg, 600)
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") == 600


# ---------------------------------------------------------------------------------------------
# Hostile text


def test_clean_text() -> None:
    assert clean_text("a\x00b\x07c\x0bd\x1fe\tf") == "abcde\tf"
    assert clean_text("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"
    assert clean_text("<b>&amp; \"q\" 'q' 🎉 שלום") == "<b>&amp; \"q\" 'q' 🎉 שלום"
    assert clean_text("\ud800x\ufffe") == "x"
    assert clean_text(None) == ""


def test_hostile_text_round_trips_as_text(hostile: tuple[Summary, bytes]) -> None:
    summary, data = hostile
    document = read(data)
    text = all_text(document)
    assert not CONTROL.search(text.replace("\t", "").replace("\n", ""))
    for part in xml_parts(data).values():
        assert not CONTROL.search(part.replace("\t", "").replace("\n", "").replace("\r", ""))

    assert summary.partnership in text  # <script>, &, quotes and the emoji, as text
    assert "<script>alert('x')</script> Riverside & Co \"Big\" Local 🎉" in text
    assert summary.agency in text  # right-to-left
    assert "<b>Knowledge</b> & \"trust\" ⚖️ معرفة" in text
    word = "A" * 2000
    assert text.count(word) >= 10
    assert "tab\there nul bell end" in text  # NUL and BEL gone, the rest intact
    assert document.core_properties.title == summary.title
    assert document.paragraphs[0].text == summary.title

    # The actions table is still a table of the same shape.
    table = table_with_header(document, summary.labels["action"])
    assert len(table.rows) == len(summary.actions) + 1
    last = table._tbl.tr_lst[-1]
    assert last.trPr.find(qn("w:cantSplit")) is None  # too tall to keep whole: may break


def test_right_to_left_runs_and_paragraphs(hostile: tuple[Summary, bytes]) -> None:
    summary, data = hostile
    document = read(data)
    rtl_runs = [r.text for p in document.paragraphs for r in p.runs if r.font.rtl]
    assert any("שירותי בריאות" in t for t in rtl_runs)
    assert not any("Exampletown" in t for t in rtl_runs)
    agency_heading = next(p for p in document.paragraphs
                          if p.style.name == "Heading 2" and p.text == summary.agency)
    assert agency_heading._p.pPr.find(qn("w:bidi")) is not None
    title = document.paragraphs[0]
    assert title._p.pPr.find(qn("w:bidi")) is None  # starts left-to-right


def test_hostile_chart_alt_text(hostile: tuple[Summary, bytes]) -> None:
    summary, data = hostile
    doc_pr = read(data).element.body.xpath(".//wp:docPr")[0]
    assert doc_pr.get("descr").startswith("The biggest differences are in Trust")
    assert "<" not in doc_pr.get("descr")


# ---------------------------------------------------------------------------------------------
# LibreOffice opens it (no repair), and the pages can be looked at.


@pytest.mark.slow
def test_libreoffice_converts_both_samples(tmp_path: Path, plain: tuple[Summary, bytes],
                                           hostile: tuple[Summary, bytes]) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (Debian: libreoffice-writer-nogui)"
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "poppler-utils is needed"
    files = []
    for name, (_summary, data) in (("summary", plain), ("hostile", hostile)):
        path = tmp_path / f"{name}.docx"
        path.write_bytes(data)
        files.append(path)
    out = tmp_path / "out"
    profile = tmp_path / "lo-profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, files)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True, env={**os.environ, "HOME": str(tmp_path)})
    # soffice can leave helper processes behind: its own process group is ended afterwards
    # (by its reaper, even if this test is killed).
    with guarded(process, grace=1.0):
        output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output.decode(errors="replace")

    for path, (summary, _data) in zip(files, (plain, hostile)):
        pdf = out / f"{path.stem}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 10_000, output.decode(errors="replace")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              check=True, timeout=60).stdout.decode()
        flat = " ".join(text.split())
        for heading in (summary.labels["who_took_part"], summary.challenges.title,
                        summary.labels["actions"], summary.labels["appendix"]):
            assert heading in flat
        assert re.search(r"Page 1 of (\d+)", flat)
        for action in summary.actions:
            assert " ".join(action.what.split()[:3]) in flat
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / path.stem)],
                       check=True, timeout=120)
        pages = sorted(out.glob(f"{path.stem}-*.png"))
        total = int(re.search(r"Page 1 of (\d+)", flat).group(1))  # type: ignore[union-attr]
        assert len(pages) == total >= 3


def test_created_date_is_the_given_time_in_utc() -> None:
    from datetime import datetime, timezone, timedelta
    issued = datetime(2026, 11, 22, 15, 30, 12, 999, tzinfo=timezone(timedelta(hours=1)))
    props = read(render_docx(dataclasses.replace(sample_summary(), created=issued))
                 ).core_properties
    assert props.created == datetime(2026, 11, 22, 14, 30, 12, tzinfo=timezone.utc)
    assert props.modified == props.created


def test_chart_alt_text_names_the_shared_weaknesses_and_stays_short() -> None:
    from convo.summary.render_docx import chart_alt_text
    summary = sample_summary()
    block = dataclasses.replace(summary.ratings[0], both_low=("Defined roles",))
    text = chart_alt_text(block, summary.labels, "en_GB")
    assert text == ("The biggest differences are in Trust and Capacity to follow through. "
                    "Both sides see a weakness in Defined roles. "
                    "Every score is in the table below.")
    close = dataclasses.replace(block, biggest=(), both_low=())
    assert chart_alt_text(close, summary.labels, "en_GB") == (
        "The two sides' scores are close. Every score is in the table below.")
    assert len(summary.ratings[0].chart_description) > 2 * len(text)
    docx_bytes = render_docx(dataclasses.replace(summary, ratings=(block,)))
    descr = read(docx_bytes).element.body.xpath(".//wp:docPr")[0].get("descr")
    assert descr == text


def test_agreed_actions_in_bold_as_in_the_pdf(plain: tuple[Summary, bytes]) -> None:
    summary, data = plain
    document = read(data)
    table = next(t for t in document.tables
                 if t.rows[0].cells[0].text == summary.labels["action"]
                 and len(t.rows) == len(summary.actions) + 1)
    for row, action in zip(table.rows[1:], summary.actions, strict=True):
        first = row.cells[0].paragraphs[0]
        assert first.text == action.what
        assert all(run.style.name == "Strong" for run in first.runs)
        assert all(run.style.name != "Strong" for p in row.cells[0].paragraphs[1:]
                   for run in p.runs if p.text.startswith("First step"))
