"""A conversation that follows on from an earlier one shows last time's scores beside this
time's: on the shared screen, the console, the phones, and in the summary (HTML, PDF, Word).
Only scores both sides saw last time (the earlier ratings were revealed) are carried over."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from docx import Document
from pypdf import PdfReader

from tests.conftest import page_text
from tests.integration.test_participant import join

EARLIER = {"trust": (2, 4), "respect": (3, 3)}  # criterion: (partnership, agency)
NOW = {"trust": (3, 4), "respect": (4, 3)}


def _rate(app, conversation_id: int, scores: dict[str, tuple[int, int]],  # type: ignore[no-untyped-def]
          reveal: bool) -> None:
    from convo.conversations import ratings, service
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        instrument = service.plan_for(conversation).question_set.ratings[0]
        for criterion, (partnership, agency) in scores.items():
            ratings.set_score(conversation, instrument, criterion, "now", "partnership",
                              partnership)
            ratings.set_score(conversation, instrument, criterion, "now", "agency", agency)
        ratings.reveal(conversation, reveal)
        db.session.commit()


def _follow_up(app, client, auth, ref, reveal_earlier: bool = True) -> int:  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        db.session.get(Conversation, ref.id).starts_at = datetime(2026, 3, 10, 10, 0,
                                                                   tzinfo=timezone.utc)
        db.session.commit()
    _rate(app, ref.id, EARLIER, reveal=reveal_earlier)
    auth.sign_in_as(ref.facilitator)
    response = auth.post(f"/conversations/{ref.id}/follow-up",
                         form_page=f"/conversations/{ref.id}")
    assert response.status_code == 302
    new_id = int(response.headers["Location"].split("/")[2])
    started = auth.post(f"/conversations/{new_id}/start", form_page=f"/conversations/{new_id}")
    assert started.status_code == 302
    _rate(app, new_id, NOW, reveal=True)
    return new_id


def _summary(app, conversation_id: int):  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary.build import build

    with app.app_context():
        return build(db.session.get(Conversation, conversation_id))


def test_last_time_in_every_view_and_document(app, client, auth, make_conversation):
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, client, auth, ref)

    # the summary's model: last time on the rated criteria only, with when it was
    block = _summary(app, new_id).ratings[0]
    rows = {row.criterion: row for row in block.rows}
    assert (rows["Trust"].partnership, rows["Trust"].partnership_before) == (3, 2)
    assert (rows["Trust"].agency, rows["Trust"].agency_before) == (4, 4)
    assert (rows["Respect"].partnership_before, rows["Respect"].agency_before) == (3, 3)
    assert rows["Shared goals"].partnership_before is None
    assert block.before_note == ("“Last time” is each side’s score in your conversation on "
                                 "10 March 2026.")

    # the PDF and the Word file, read back
    from convo.summary.render_docx import render_docx
    from convo.summary.render_pdf import render_pdf

    summary = _summary(app, new_id)
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(summary))).pages))
    assert block.before_note in text
    assert re.search(r"Trust 3 Last time: 2 4 Last time: 4 1", text), text
    document = Document(io.BytesIO(render_docx(summary)))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "What we rated")
    trust = next(r for r in table.rows if r.cells[0].text == "Trust")
    assert [c.text for c in trust.cells[1:3]] == ["3\nLast time: 2", "4\nLast time: 4"]
    assert block.before_note in [p.text for p in document.paragraphs]

    # the shared screen, the console and a phone
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        db.session.get(Conversation, new_id).screen_mode = "ratings"
        db.session.commit()
    screen = page_text(client.get(f"/c/{new_id}/screen"))
    assert "Last time: 2" in screen and "Tuesday 10 March 2026" in screen
    console = page_text(client.get(f"/conversations/{new_id}/console"))
    assert 'score-before">Last time: 2</span>' in console
    with app.app_context():
        ids = [p.id for p in db.session.get(Conversation, new_id).participants]
        code = db.session.get(Conversation, new_id).join_code
    phone = app.test_client()
    join(phone, type(ref)(**{**ref.__dict__, "id": new_id, "join_code": code,
                             "participant_ids": ids}))
    mine = page_text(phone.get("/p/ratings"))
    assert "Last time: 2" in mine and "“Last time” is each side’s score" in mine


def test_scores_never_shown_last_time_are_not_carried(app, client, auth, make_conversation):
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, client, auth, ref, reveal_earlier=False)
    block = _summary(app, new_id).ratings[0]
    assert all(r.partnership_before is None and r.agency_before is None for r in block.rows)
    assert block.before_note == ""
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        db.session.get(Conversation, new_id).screen_mode = "ratings"
        db.session.commit()
    assert "Last time" not in page_text(client.get(f"/c/{new_id}/screen"))


def test_a_first_conversation_has_no_last_time(app, client, auth, make_conversation):
    ref = make_conversation()
    _rate(app, ref.id, NOW, reveal=True)
    block = _summary(app, ref.id).ratings[0]
    assert block.before_note == "" and all(r.partnership_before is None for r in block.rows)
