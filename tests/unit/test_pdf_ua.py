"""The summary PDF passes two independent PDF/UA checkers from PyPI (`outloud` 0.2.x and
`pdfua` 0.1.x): the demo summary, a large one (300 points, 40 actions) and one whose
parties, people and points are in Arabic (right to left).

Before issue 18 `outloud` found 21 errors and 18 warnings on the demo summary and `pdfua`
3 warnings.  What is left is listed in EXPLAINED below, each with what the checker
expected and what the PDF has; a test checks the explanation still holds, so a new finding
of the same rule elsewhere fails.  pdf_tags.finish (convo/summary/pdf_tags.py) is tested
on WeasyPrint's own output at the end; docs/pdf-ua.md has the minimal reproductions.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from convo.cli import main
from convo.summary.pdf_tags import finish
from convo.summary.render_pdf import pdf_html, pdf_options
from convo.summary.sample import arabic_summary, large_summary, sample_summary
from tests.pdfcheck import Report, outloud, pdfua

pytestmark = pytest.mark.slow

# What a checker still reports, and why it is the checker's mistake (a heuristic), not the PDF's.
EXPLAINED = {
    # outloud TBL-010 "header cells look shredded: 5 header cells against 4 data cells".
    # Expected: a table with more /TH than /TD is taken for a column heading wrapped over
    # several rows of one-word /TH cells.  The PDF has: the "What kind of relationship" table,
    # one header row (Which side | It is now | We want it to become, each one /TH with /Scope
    # /Column) and two body rows each headed by the side's name (/TH /Scope /Row) with two
    # /TD: 3 + 2 headers against 4 cells, nothing shredded.  Checked in
    # test_the_shredded_table_is_the_relationship_table.
    ("outloud", "TBL-010"),
    # outloud PAG-001 "running header or footer line(s) are tagged as content on 3 or more
    # pages", evidence "Raised by: <side>".  Expected: a line in the top or bottom 12 % of
    # three or more pages with the same words (digits ignored) is a running head.  The PDF
    # has: the running heads and page numbers as /Artifact /Pagination (no longer in the
    # text the checker counts), and "Raised by: Both" under a point that happens to fall at
    # the foot of a page in a 26-page summary: content, in the tree as a /Span in the
    # point's /LBody.  The fourth line flagged is the agreed actions table's header row
    # ("Action Who Which side By when"), repeated at the top of each page the 40-row table
    # runs over: WeasyPrint builds the structure tree page by page, so a table over three
    # pages is three /Table elements, each with its /THead (a known limit, docs/pdf-ua.md).
    # Checked in test_the_repeated_lines_are_points_not_running_heads.
    ("outloud", "PAG-001"),
}

# pdfua 0.1.3 cannot run UA-14-001 (headings are not empty) with pikepdf 10: its
# `as_integer` asks a pikepdf.Array for `.is_integer`, which raises ValueError, not
# AttributeError.  The test checks that rule's claim itself (test_no_empty_headings).
PDFUA_CANNOT_RUN = "UA-14-001"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from convo.summary.render_pdf import render_pdf

    folder = tmp_path_factory.mktemp("pdf-ua")
    made = {}
    for name, summary in (("large", large_summary()), ("arabic", arabic_summary())):
        made[name] = folder / f"{name}.pdf"
        made[name].write_bytes(render_pdf(summary))
    return made


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONVO_INSTANCE_PATH", str(folder / "instance"))
    mp.setenv("CONVO_SECRET_KEY", "demo-test-only")
    try:
        result = CliRunner().invoke(main, ["demo", "--out", str(folder / "out")])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return folder / "out" / "summary.pdf"


def _path(which: str, pdfs: dict[str, Path], demo: Path) -> Path:
    return demo if which == "demo" else pdfs[which]


def unexplained(report: Report) -> list:
    return [f for f in report.findings if f.severity in ("error", "warning")
            and (f.checker, f.rule) not in EXPLAINED]


@pytest.mark.parametrize("which", ["demo", "large", "arabic"])
def test_outloud_finds_nothing_unexplained(which: str, pdfs: dict, demo: Path) -> None:
    report = outloud(_path(which, pdfs, demo))
    assert unexplained(report) == []


@pytest.mark.parametrize("which", ["demo", "large", "arabic"])
def test_pdfua_finds_nothing(which: str, pdfs: dict, demo: Path) -> None:
    report = pdfua(_path(which, pdfs, demo))
    assert report.findings == ()
    assert [s.split(":")[0] for s in report.skipped] in ([], [PDFUA_CANNOT_RUN])


def test_large_summary_is_large() -> None:
    s = large_summary()
    keys = ("working_towards", "community", "how_well", "challenges", "opportunities",
            "follow_ups", "closing")
    assert sum(len(getattr(s, k).points) for k in keys) == 300 and len(s.actions) == 40


@pytest.mark.parametrize("which", ["demo", "large", "arabic"])
def test_the_shredded_table_is_the_relationship_table(which: str, pdfs: dict, demo: Path) -> None:
    flagged = [f for f in outloud(_path(which, pdfs, demo)).findings if f.rule == "TBL-010"]
    assert len(flagged) <= 1
    if not flagged:
        return
    assert "5 header cells against 4 data cells" in flagged[0].message
    with pikepdf.open(_path(which, pdfs, demo)) as pdf:
        tables = [t for t in _walk(pdf.Root.StructTreeRoot) if t.S == "/Table"]
        small = [t for t in tables if _count(t, "/TH") == 5 and _count(t, "/TD") == 4]
        assert len(small) == 1
        table = small[0]
        head_rows = [tr for tr in _walk(table) if tr.S == "/TR" and tr.P.S == "/THead"]
        assert len(head_rows) == 1  # one header row: nothing is wrapped over several rows
        scopes = sorted(str(th.A.Scope) for th in _walk(table) if th.S == "/TH")
        assert scopes == ["/Column"] * 3 + ["/Row"] * 2


def _walk(node: pikepdf.Dictionary):
    kids = node.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _walk(kid)


def _count(node: pikepdf.Dictionary, tag: str) -> int:
    return sum(1 for e in _walk(node) if e.S == tag)


@pytest.mark.parametrize("which", ["demo", "large", "arabic"])
def test_the_repeated_lines_are_points_not_running_heads(which: str, pdfs: dict,
                                                        demo: Path) -> None:
    flagged = [f for f in outloud(_path(which, pdfs, demo)).findings if f.rule == "PAG-001"]
    if which != "large":
        assert flagged == []
        return
    import json
    import subprocess

    from tests.pdfcheck import SCRIPTS
    run = subprocess.run([str(SCRIPTS / "outloud"), "--json", "-", "--only", "PAG-001",
                          "--fail-on", "never", str(pdfs["large"])],
                         capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)["results"][0]["findings"]
    assert found and all(f["message"].endswith("tagged as content on 3 or more pages")
                         for f in found)  # never "page numbers are tagged as content"
    for f in found:
        assert f["count"] == 4
        for line in f["evidence"].split("; "):
            assert line.startswith("Raised by: "), line


def test_running_heads_and_page_numbers_are_artifacts(pdfs: dict) -> None:
    with pikepdf.open(pdfs["large"]) as pdf:
        page = pdf.pages[3]
        artifacts, inside, text = [], None, []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and operands[0] == pikepdf.Name.Artifact:
                inside = operands[1]
                artifacts.append(inside)
            elif str(operator) == "EMC":
                inside = None
        subtypes = sorted(str(a.get("/Subtype")) for a in artifacts
                          if a.get("/Type") == pikepdf.Name.Pagination)
        assert subtypes.count("/Header") >= 1 and subtypes.count("/Footer") >= 2
        # and no marked content points at an element outside the tree
        reachable = {e.objgen for e in _walk(pdf.Root.StructTreeRoot)}
        for index in range(0, len(pdf.Root.StructTreeRoot.ParentTree.Nums), 2):
            value = pdf.Root.StructTreeRoot.ParentTree.Nums[index + 1]
            if isinstance(value, pikepdf.Array):
                for element in value:
                    if isinstance(element, pikepdf.Dictionary):
                        assert element.objgen in reachable


@pytest.mark.parametrize("which", ["demo", "large", "arabic"])
def test_no_empty_headings(which: str, pdfs: dict, demo: Path) -> None:
    """What pdfua's UA-14-001 would check: every /H1–/H6 reaches some marked content."""
    def marks(node: object) -> bool:
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if kids is None:
            return False
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        return any(isinstance(k, int) or marks(k) for k in kids)
    with pikepdf.open(_path(which, pdfs, demo)) as pdf:
        headings = [e for e in _walk(pdf.Root.StructTreeRoot) if str(e.S) in
                    ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")]
        assert len(headings) >= 8
        assert all(marks(h) for h in headings)


# --- pdf_tags.finish on WeasyPrint's own output --------------------------------------------


@pytest.fixture(scope="module")
def raw_and_finished() -> tuple[bytes, bytes]:
    from weasyprint import HTML

    from convo.summary.render_pdf import BASE_URL, url_fetcher
    raw = HTML(string=pdf_html(sample_summary()), base_url=BASE_URL,
               url_fetcher=url_fetcher()).write_pdf(**pdf_options())
    return raw, finish(raw)


def _orphans(pdf: pikepdf.Pdf) -> int:
    reachable = {e.objgen for e in _walk(pdf.Root.StructTreeRoot)}
    count = 0
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index in range(0, len(nums), 2):
        if isinstance(nums[index + 1], pikepdf.Array):
            count += sum(1 for e in nums[index + 1]
                         if isinstance(e, pikepdf.Dictionary) and e.objgen not in reachable)
    return count


def test_finish_closes_the_gaps_weasyprint_leaves(raw_and_finished: tuple[bytes, bytes]) -> None:
    raw, done = raw_and_finished
    with pikepdf.open(io.BytesIO(raw)) as before:
        # the gaps, so this test fails when WeasyPrint closes them (then finish can go)
        assert _orphans(before) > 0
        assert "/IDTree" not in before.Root.StructTreeRoot
        ths = [e for e in _walk(before.Root.StructTreeRoot) if e.S == "/TH"]
        assert ths and all("/Scope" not in e.A for e in ths)
        assert any(e.S == "/Span" and len(e.K) == 0 for e in _walk(before.Root.StructTreeRoot))
    with pikepdf.open(io.BytesIO(done)) as after:
        root = after.Root.StructTreeRoot
        assert _orphans(after) == 0
        ths = [e for e in _walk(root) if e.S == "/TH"]
        assert all(e.A.Scope in (pikepdf.Name.Column, pikepdf.Name.Row) for e in ths)
        head = [e for e in ths if e.P.P.S == "/THead"]
        assert head and all(e.A.Scope == pikepdf.Name.Column for e in head)
        names = root.IDTree.Names
        by_id = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        assert list(by_id) == sorted(by_id)
        for cell in (e for e in _walk(root) if e.S == "/TD"):
            for ref in cell.A.get("/Headers", []):
                assert by_id[bytes(ref)].S == "/TH"  # every header reference resolves
        assert not any(not e.get("/K") and "/Alt" not in e for e in _walk(root))


def test_finish_leaves_the_text_and_pages(raw_and_finished: tuple[bytes, bytes]) -> None:
    from pypdf import PdfReader
    raw, done = raw_and_finished
    before, after = PdfReader(io.BytesIO(raw)), PdfReader(io.BytesIO(done))
    assert len(before.pages) == len(after.pages)
    for a, b in zip(before.pages, after.pages, strict=True):
        assert a.extract_text() == b.extract_text()
    assert after.metadata.title == before.metadata.title
    assert finish(done) == finish(finish(done))  # a second pass changes nothing
