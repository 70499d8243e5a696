"""The LTO review on seed 003's own scale, end to end: each side scores ten statements from
1 (least) to 10 (most), at first and now, on its phones; the shared screen draws them on a
1-10 axis; the issued PDF and Word files say the scale and draw the bars to it."""

from __future__ import annotations

import io
import re

import docx
import pytest
from pypdf import PdfReader

from tests.conftest import AuthActions, page_text
from tests.integration.test_participant import join, rating_fields, with_conversation
from tests.unit.test_render_pdf import NAVY, ORANGE, filled_rectangles

PALE_NAVY, PALE_ORANGE = "0.788235 0.843137 0.878431", "0.952941 0.823529 0.721569"

# One side's scores, by criterion: (at first, now).  Different on purpose, so every bar has
# its own length.
PARTNERSHIP = {
    "confidence_voice": (2, 9), "mentoring_skills": (3, 8), "aspiration_ambition": (1, 7),
    "spaces_assets": (4, 10), "employing_workers": (5, 6), "funding_contracts": (6, 5),
    "networks": (2, 4), "governance_risk": (8, 9), "decision_making": (1, 3),
    "lasting_partnership": (3, 6),
}
AGENCY = {key: (min(10, first + 1), max(1, now - 2)) for key, (first, now) in
          PARTNERSHIP.items()}


def _score(client, scores: dict[str, tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    csrf, names = rating_fields(client)
    assert len(names) == 20  # ten statements, at first and now
    data = {}
    for name in names:
        criterion = next(key for key in scores if f"-{key}-" in name)
        data[name] = str(scores[criterion][0 if name.endswith("at_start") else 1])
    response = AuthActions(client).submit("/p/ratings", "/p/ratings", data)
    assert response.status_code in (200, 302, 303)


@pytest.fixture
def lto(app, make_conversation):  # type: ignore[no-untyped-def]
    ref = make_conversation(set_id="lto_review")
    pat, alex = app.test_client(), app.test_client()
    join(pat, ref, 0)
    join(alex, ref, 2)
    return ref, pat, alex


def test_phones_offer_ten_points_labelled_at_the_ends(lto) -> None:
    _ref, pat, _alex = lto
    html = pat.get("/p/ratings").get_data(as_text=True)
    first = html[html.index('class="scale'):]
    first = first[:first.index("</div>")]
    assert re.findall(r'value="(\d+)"', first) == [str(n) for n in range(1, 11)]
    assert "scale--long" in first  # two rows of five on a phone
    labels = re.findall(r'class="scale__label">([^<]+)<', first)
    assert labels == ["Least", "Most"]
    assert "from 1 to 10, where 1 is least and 10 is most" in page_text(pat.get("/p/ratings"))


def test_a_score_off_the_ten_point_scale_is_refused(app, lto) -> None:
    from sqlalchemy import func, select

    from convo.extensions import db
    from convo.models import Rating

    _ref, pat, _alex = lto
    csrf, names = rating_fields(pat)
    response = AuthActions(pat).submit("/p/ratings", "/p/ratings", {names[0]: "11"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rating)) == 0


def test_both_sides_ten_point_scores_on_phone_screen_pdf_and_word(app, client, lto) -> None:
    from convo.ratings import service as ratings
    from convo.summary.build import build
    from convo.summary.render_docx import render_docx
    from convo.summary.render_pdf import pdf_html, render_pdf

    ref, pat, alex = lto
    _score(pat, PARTNERSHIP)
    _score(alex, AGENCY)
    with_conversation(app, ref, lambda c: ratings.reveal(c, True))

    # Phone: both sides side by side, the scale named from 1 (Least) to 10 (Most).
    phone = page_text(pat.get("/p/ratings"))
    table = phone[phone.index("Both sides' scores"):]
    assert "Scores from 1 to 10. 1: Least; 10: Most." in table
    assert "Spaces and assets" in table and "10" in table

    # Shared screen: the chart's axis runs 1 to 10 and each bar is as long as its score.
    AuthActions(client).sign_in_as(ref.facilitator)
    svg = client.get(f"/c/{ref.id}/screen/view").get_data(as_text=True)
    assert "<svg" in svg
    ticks = re.findall(r'class="[^"]*\bnumber\b[^"]*"[^>]*>(\d+)<', svg) or re.findall(
        r'font-weight="bold"[^>]*text-anchor="middle"[^>]*>(\d+)<', svg)
    for n in range(1, 11):
        assert str(n) in ticks
    widths = [float(w) for w in re.findall(
        r'<rect class="bar partnership now"[^>]*width="([\d.]+)"', svg)]
    nows = [now for _first, now in PARTNERSHIP.values()]
    assert len(widths) == 10
    per_point = widths[0] / nows[0]
    for width, score in zip(widths, nows, strict=True):
        assert width == pytest.approx(per_point * score, abs=2)

    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        summary = build(db.session.get(Conversation, ref.id))
        pdf = render_pdf(summary)
        word = render_docx(summary)
    [block] = summary.ratings
    assert (block.scale_min, block.scale_max) == (1, 10)

    # PDF: the scale in words, and every bar one length per point on the same 0-10 track.
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "The scale runs from 1 (Least) to 10 (Most)." in text
    # Each bar's length is its score's share of the 0-10 track: 9 is "bar-w-90".
    html = pdf_html(summary)
    for scores in (PARTNERSHIP, AGENCY):
        for first, now in scores.values():
            assert f"bar-w-{first * 10}" in html and f"bar-w-{now * 10}" in html
    # and drawn so: the "now" bars (each criterion's paler "at first" bar, edged in the same
    # colour, comes before it) are one length per point for both sides.
    bars = filled_rectangles(reader)
    for colour, side in ((NAVY, PARTNERSHIP), (ORANGE, AGENCY)):
        widths = [width for c, width in bars if c == colour][1::2]
        scores = [now for _first, now in side.values()]
        assert len(widths) == 10, colour
        for width, score in zip(widths, scores, strict=True):
            assert width / score == pytest.approx(widths[0] / scores[0], rel=0.01)
    assert len([c for c, _ in bars if c in (PALE_NAVY, PALE_ORANGE)]) == 20

    # Word: the same sentence about the scale, the scores in the table, and the chart.
    document = docx.Document(io.BytesIO(word))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "1 (Least)" in words and "10 (Most)" in words
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "10" in cells and "9" in cells
    assert document.inline_shapes, "the chart picture"
