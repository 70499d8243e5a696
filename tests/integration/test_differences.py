"""Differences a facilitator would point to: every criterion sharing the largest gap (ties,
however many), only when the gap is big enough to mention on the instrument's scale, and the
criteria both sides score low — the same in every output: the shared screen, the console,
phones, the PDF, the Word file and the chart's description."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from flask import Flask
from pypdf import PdfReader

from convo.questions.schema import Scale
from convo.ratings.compare import ComparisonRow, differences
from tests.conftest import AuthActions, ConversationRef, page_text
from tests.forms import form_fields, with_changes

CRITERIA = ("mutual_knowledge", "understanding", "trust", "respect", "common_language",
            "shared_goals", "roles_and_flexibility", "capacity_to_follow_through")


def _row(criterion: str, partnership: float | None, agency: float | None,
         column: str = "now") -> ComparisonRow:
    return ComparisonRow(criterion, criterion.title(), "", column, partnership, agency)


def test_every_criterion_sharing_the_largest_gap_is_marked() -> None:
    rows = [_row("a", 1, 4), _row("b", 5, 2), _row("c", 2, 5), _row("d", 3, 4),
            _row("e", 4, 4), _row("f", None, 3)]
    biggest, _low = differences(rows, "now", notable=2, low_at_most=2)
    assert biggest == ("a", "b", "c")


def test_a_gap_below_the_notable_size_is_not_called_the_biggest() -> None:
    rows = [_row("a", 3, 4), _row("b", 4, 5), _row("c", 2, 2)]
    assert differences(rows, "now", notable=2, low_at_most=2)[0] == ()
    assert differences(rows, "now", notable=1, low_at_most=2)[0] == ("a", "b")


def test_both_low_is_a_weakness_both_see() -> None:
    rows = [_row("a", 1, 2), _row("b", 2, 3), _row("c", 2, 2), _row("d", None, 1)]
    assert differences(rows, "now", notable=2, low_at_most=2)[1] == ("a", "c")


def test_only_the_last_column_counts() -> None:
    rows = [_row("a", 1, 5, "at_start"), _row("a", 4, 4, "now")]
    assert differences(rows, "now", notable=2, low_at_most=2) == ((), ())


@pytest.mark.parametrize(("low", "high", "notable", "low_at_most"), [
    (1, 5, 2, 2), (1, 10, 3, 3), (0, 10, 3, 3), (1, 4, 2, 2), (1, 7, 2, 3), (1, 3, 1, 1)])
def test_sensible_defaults_for_each_scale(low, high, notable, low_at_most) -> None:
    scale = Scale(min=low, max=high, labels={})
    assert (scale.notable(), scale.low()) == (notable, low_at_most)


def test_a_question_set_can_say_its_own_sizes() -> None:
    scale = Scale(min=1, max=5, labels={}, notable_difference=3, low_at_most=1)
    assert (scale.notable(), scale.low()) == (3, 1)
    with pytest.raises(ValueError, match="notable_difference"):
        Scale(min=1, max=5, labels={}, notable_difference=9)
    with pytest.raises(ValueError, match="low_at_most"):
        Scale(min=1, max=5, labels={}, low_at_most=5)


# --- the same marks in every output ---------------------------------------------------------


def _rate(app: Flask, auth: AuthActions, ref: ConversationRef,
          scores: dict[str, tuple[int, int]]) -> None:
    base = f"/conversations/{ref.id}"
    for index, party in enumerate(("partnership", "agency")):
        url = f"{base}/ratings/{party}"
        auth.submit(url, url, {f"eight_criteria.{c}.now": str(pair[index])
                               for c, pair in scores.items()})
    auth.post(f"{base}/ratings/reveal", data={"reveal": "1"}, form_page=f"{base}/console")


def _outputs(app: Flask, client, auth: AuthActions, ref: ConversationRef) -> dict[str, str]:
    """Every place a comparison is shown, as text."""
    phone = app.test_client()
    page = phone.get(f"/j/{ref.join_code}").get_data(as_text=True)
    phone.post(f"/j/{ref.join_code}", data=with_changes(
        form_fields(page, f"/j/{ref.join_code}"), participant_id=str(ref.participant_ids[0])))
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary.build import build
    from convo.summary.render_docx import render_docx
    from convo.summary.render_pdf import render_pdf

    with app.app_context():
        summary = build(db.session.get(Conversation, ref.id))
        pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(summary))).pages)
        document = Document(io.BytesIO(render_docx(summary)))
        word = "\n".join([p.text for p in document.paragraphs] + [
            cell.text for table in document.tables for row in table.rows for cell in row.cells])
        alt = summary.ratings[0].chart_description
    return {
        "screen": page_text(client.get(f"/c/{ref.id}/screen/view?v=0")),
        "console": page_text(client.get(f"/conversations/{ref.id}/console")),
        "phone": page_text(phone.get("/p/ratings")),
        "pdf": re.sub(r"\s+", " ", pdf),
        "word": word,
        "chart": alt,
    }


def test_ties_and_both_low_in_every_output(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    scores = {c: (4, 4) for c in CRITERIA}
    scores.update(trust=(1, 4), respect=(5, 2), shared_goals=(2, 4),  # gaps 3, 3, 2
                  capacity_to_follow_through=(2, 1))  # both see a weakness
    _rate(app, auth, ref, scores)
    shown = _outputs(app, client, auth, ref)
    marks = {"screen": "Biggest difference", "console": "biggest difference",
             "phone": "Biggest difference", "pdf": "Biggest difference",
             "word": "Biggest difference", "chart": "One of the biggest differences"}
    for where, text in shown.items():
        assert text.count(marks[where]) >= 2, where
        weakness = "Both sides scored this low" if where == "chart" else "weakness"
        assert weakness in text.lower() or weakness in text, where
    # Exactly the two tied criteria, never the third-largest gap.
    assert shown["chart"].count("One of the biggest differences") == 2
    for where in ("screen", "phone", "console"):
        assert shown[where].count(marks[where]) == 2, where
    assert "The biggest differences" in shown["pdf"] and "The biggest differences" in shown["word"]
    assert "Where both sides see a weakness" in shown["pdf"]
    assert "Where both sides see a weakness" in shown["word"]


def test_small_gaps_are_not_called_the_biggest_anywhere(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    scores = {c: (4, 4) for c in CRITERIA}
    scores.update(trust=(3, 4), respect=(5, 4))  # gaps of one point on a five-point scale
    _rate(app, auth, ref, scores)
    shown = _outputs(app, client, auth, ref)
    for where, text in shown.items():
        assert "biggest difference" not in text.lower(), where
        assert "weakness" not in text.lower() and "scored this low" not in text, where
    for where in ("screen", "phone", "pdf", "word"):
        assert "No difference between the two sides is 2 points or more" in shown[where], where
