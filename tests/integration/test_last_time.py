"""A conversation that follows on from an earlier one shows last time's scores beside this
time's: on the shared screen, the console, the phones, and in the summary (HTML, PDF, Word).
Only scores both sides saw last time (the earlier ratings were revealed), on the same scale
and in the same columns, are carried over."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from datetime import datetime, timezone

from docx import Document
from pypdf import PdfReader

from convo.conversations import deleting, service
from convo.extensions import db
from convo.models import Conversation, Item
from convo.ratings import service as ratings
from convo.summary.build import build
from convo.summary.render_docx import render_docx
from convo.summary.render_pdf import render_pdf
from tests.conftest import page_text
from tests.integration.test_participant import join

EARLIER = {"trust": (2, 4), "respect": (3, 3)}  # criterion: (partnership, agency)
NOW = {"trust": (3, 4), "respect": (4, 3)}
HELD = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
NOTE = "“Last time” is each side’s score in your conversation on Tuesday 10 March 2026."


def _rate(app, conversation_id: int, scores: dict[str, tuple[int, int]],  # type: ignore[no-untyped-def]
          reveal: bool, columns: tuple[str, ...] = ("now",)) -> None:
    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        instrument = service.plan_for(conversation).question_set.ratings[0]
        for criterion, (partnership, agency) in scores.items():
            for column in columns:
                ratings.set_score(conversation, instrument, criterion, column, "partnership",
                                  partnership)
                ratings.set_score(conversation, instrument, criterion, column, "agency", agency)
        ratings.reveal(conversation, reveal)
        db.session.commit()


def _follow_up(app, auth, ref, reveal_earlier: bool = True, reveal_now: bool = True,  # type: ignore[no-untyped-def]
               held: datetime | None = HELD, earlier=EARLIER, now=NOW,
               columns: tuple[str, ...] = ("now",)) -> int:
    with app.app_context():
        db.session.get(Conversation, ref.id).starts_at = held
        db.session.commit()
    _rate(app, ref.id, earlier, reveal=reveal_earlier, columns=columns)
    auth.sign_in_as(ref.facilitator)
    response = auth.post(f"/conversations/{ref.id}/follow-up",
                         form_page=f"/conversations/{ref.id}")
    assert response.status_code == 302
    new_id = int(response.headers["Location"].split("/")[2])
    started = auth.post(f"/conversations/{new_id}/start", form_page=f"/conversations/{new_id}")
    assert started.status_code == 302
    _rate(app, new_id, now, reveal=reveal_now, columns=columns)
    return new_id


def _summary(app, conversation_id: int):  # type: ignore[no-untyped-def]
    with app.app_context():
        return build(db.session.get(Conversation, conversation_id))


def _no_last_time(app, conversation_id: int) -> bool:  # type: ignore[no-untyped-def]
    block = _summary(app, conversation_id).ratings[0]
    return block.before_note == "" and all(
        r.partnership_before is None and r.agency_before is None for r in block.rows)


def _phone(app, ref, conversation_id: int):  # type: ignore[no-untyped-def]
    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        ids = tuple(p.id for p in conversation.participants)
        code = conversation.join_code
    phone = app.test_client()
    join(phone, dataclasses.replace(ref, id=conversation_id, join_code=code, participant_ids=ids))
    return phone


def _on_screen(app, client, conversation_id: int) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.get(Conversation, conversation_id).screen_mode = "ratings"
        db.session.commit()
    return page_text(client.get(f"/c/{conversation_id}/screen"))


def test_last_time_in_every_view_and_document(app, client, auth, make_conversation):
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, auth, ref)

    # the summary's model: last time on the rated criteria only, with when it was
    block = _summary(app, new_id).ratings[0]
    rows = {row.criterion: row for row in block.rows}
    assert (rows["Trust"].partnership, rows["Trust"].partnership_before) == (3, 2)
    assert (rows["Trust"].agency, rows["Trust"].agency_before) == (4, 4)
    assert (rows["Respect"].partnership_before, rows["Respect"].agency_before) == (3, 3)
    assert rows["Shared goals"].partnership_before is None
    assert block.before_note == NOTE

    # the PDF and the Word file, read back
    summary = _summary(app, new_id)
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(summary))).pages))
    assert NOTE in text
    assert re.search(r"Trust 3 Last time: 2 4 Last time: 4 1", text), text
    document = Document(io.BytesIO(render_docx(summary)))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "What we rated")
    trust = next(r for r in table.rows if r.cells[0].text == "Trust")
    assert [c.text for c in trust.cells[1:3]] == ["3\nLast time: 2", "4\nLast time: 4"]
    assert NOTE in [p.text for p in document.paragraphs]

    # the shared screen, the console and a phone
    screen = _on_screen(app, client, new_id)
    assert "Last time: 2" in screen and NOTE in screen
    assert screen.count('class="last-time partnership"') == 2  # marked on the chart too
    assert "Last time: Riverside Big Local 2, Exampletown Primary Care Network 4." in screen
    console = page_text(client.get(f"/conversations/{new_id}/console"))
    assert 'score-before">Last time: 2</span>' in console
    mine = page_text(_phone(app, ref, new_id).get("/p/ratings"))
    assert "Last time: 2" in mine and NOTE in mine


def test_not_before_this_time_is_revealed(app, client, auth, make_conversation):
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, auth, ref, reveal_now=False)
    mine = page_text(_phone(app, ref, new_id).get("/p/ratings"))
    assert "Last time" not in mine
    assert "Last time" not in _on_screen(app, client, new_id)


def test_scores_never_shown_last_time_are_not_carried(app, client, auth, make_conversation):
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, auth, ref, reveal_earlier=False)
    assert _no_last_time(app, new_id)
    assert "Last time" not in _on_screen(app, client, new_id)


def test_a_first_conversation_has_no_last_time(app, make_conversation):
    ref = make_conversation()
    _rate(app, ref.id, NOW, reveal=True)
    assert _no_last_time(app, ref.id)


def test_without_a_date_it_says_last_conversation(app, auth, make_conversation):
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, auth, ref, held=None)
    assert _summary(app, new_id).ratings[0].before_note.startswith(  # when it began
        "“Last time” is each side’s score in your conversation on ")
    with app.app_context():
        earlier = db.session.get(Conversation, ref.id)
        earlier.started_at = None  # neither planned nor begun: no date to give
        db.session.commit()
    assert _summary(app, new_id).ratings[0].before_note == (
        "“Last time” is each side’s score in your last conversation.")


def test_another_scale_or_another_facilitator_or_a_deleted_conversation(
        app, auth, make_conversation, make_facilitator):  # type: ignore[no-untyped-def]
    ref = make_conversation(status="closed")
    new_id = _follow_up(app, auth, ref)
    assert not _no_last_time(app, new_id)
    with app.app_context():
        earlier = db.session.get(Conversation, ref.id)
        original = earlier.snapshot_id
        # the earlier conversation's own copy of the set rated on 0 to 10
        body = json.loads(earlier.snapshot.body)
        body["ratings"][0]["scale"]["min"], body["ratings"][0]["scale"]["max"] = 0, 10
        body["ratings"][0]["scale"]["labels"] = {"0": "Not at all", "10": "Completely"}
        from convo.conversations.plan import load_snapshot

        earlier.snapshot_id = service.snapshot_for(load_snapshot(json.dumps(body))).id
        db.session.commit()
    assert _no_last_time(app, new_id)

    with app.app_context():
        earlier = db.session.get(Conversation, ref.id)
        earlier.snapshot_id = original
        earlier.facilitator_id = make_facilitator().id  # as if it were someone else's
        db.session.commit()
    assert _no_last_time(app, new_id)

    with app.app_context():
        earlier = db.session.get(Conversation, ref.id)
        earlier.facilitator_id = ref.facilitator.id
        db.session.commit()
    assert not _no_last_time(app, new_id)
    with app.app_context():
        deleting.delete_conversation(db.session.get(Conversation, ref.id))
    assert _no_last_time(app, new_id)


def test_two_columns_criterion_by_criterion(app, auth, make_conversation):
    """The LTO review: rows criterion by criterion, "at the start" above "now", and last
    time's scores on the "now" rows only."""
    ref = make_conversation(set_id="lto_review", status="closed")
    new_id = _follow_up(app, auth, ref, columns=("at_start", "now"),
                        earlier={"confidence_voice": (2, 3)}, now={"confidence_voice": (4, 4)})
    block = _summary(app, new_id).ratings[0]
    assert [(r.criterion, r.column) for r in block.rows[:4]] == [
        ("Confidence and a voice", "At the start"), ("Confidence and a voice", "Now"),
        (block.rows[2].criterion, "At the start"), (block.rows[2].criterion, "Now")]
    start, now = block.rows[0], block.rows[1]
    assert (start.partnership_before, start.agency_before) == (None, None)
    assert (now.partnership_before, now.agency_before) == (2, 3)


def test_actions_from_last_time_and_how_each_stands(app, client, auth, make_conversation,
                                                    make_facilitator):
    """The follow-on summary lists the actions agreed last time (as that summary had them,
    people who asked not to be named by role) with how each stands, updated from the console."""
    from convo.conversations import capture

    ref = make_conversation(status="closed")
    with app.app_context():
        earlier = db.session.get(Conversation, ref.id)
        earlier.starts_at = HELD
        author = capture.Author(facilitator_id=ref.facilitator.id)
        made = []
        for n, text in enumerate(("Walkabout with Jordan Lee", "Share the list of groups",
                                  "A draft idea left out of the summary")):
            item, _ = capture.add(earlier, client_id=f"a{n}", text=text, kind="action",
                                  raised_by="both", stage_id="actions", question_id=None,
                                  author=author)
            made.append(item)
        capture.set_action(earlier, made[0], capture.ActionDetails(
            owner_name=None, owner_participant_id=ref.participant_ids[3], owner_party="agency",
            due_date=None, due_by_next=True, first_step=None, agreed_by_both=True,
            status="agreed"), author)
        made[2].in_summary = False
        db.session.commit()
        walkabout, share = made[0].id, made[1].id
    auth.sign_in_as(ref.facilitator)
    response = auth.post(f"/conversations/{ref.id}/follow-up",
                         form_page=f"/conversations/{ref.id}")
    new_id = int(response.headers["Location"].split("/")[2])
    console = f"/conversations/{new_id}/console"
    done = auth.post(f"/conversations/{new_id}/previous-actions/{walkabout}",
                     data={"status": "done"}, form_page=console)
    assert done.status_code in (200, 302, 303)
    # still in the console's list once done, so a slip can be put right
    html = client.get(console).get_data(as_text=True)
    assert "Actions from last time" in html and "Walkabout with" in html
    assert re.search(r'<option value="done" selected>', html)

    summary = _summary(app, new_id)
    assert [(a.what, a.owner, a.by_when, a.status) for a in summary.earlier_actions] == [
        ("Walkabout with the Primary Care Network manager", "Primary Care Network manager",
         "By the next conversation", "Done"),
        ("Share the list of groups", "", "", "Agreed")]
    assert summary.earlier_actions_note == (
        "The actions you agreed on Tuesday 10 March 2026, and where each one stands now.")
    text = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(summary))).pages))
    assert ("Actions from last time " + summary.earlier_actions_note) in text
    assert "Jordan Lee" not in text and "left out of the summary" not in text
    assert re.search(r"Walkabout with the Primary Care Network manager Primary Care Network "
                     r"manager By the next conversation Done", text), text
    document = Document(io.BytesIO(render_docx(summary)))
    table = next(t for t in document.tables if t.rows[0].cells[-1].text == "How it stands")
    assert [c.text for c in table.rows[2].cells] == ["Share the list of groups", "–", "–",
                                                      "Agreed"]

    first = _summary(app, ref.id)
    assert first.earlier_actions == () and first.earlier_actions_note == ""

    # a deleted action goes; an earlier conversation reopened, or someone else's, gives none
    from convo.core import clock

    with app.app_context():
        db.session.get(Item, share).deleted_at = clock.utcnow()
        db.session.commit()
    assert [a.what for a in _summary(app, new_id).earlier_actions] == [
        "Walkabout with the Primary Care Network manager"]
    for change, undo in ((("status", "live"), ("status", "closed")),
                         (("facilitator_id", make_facilitator().id),
                          ("facilitator_id", ref.facilitator.id))):
        with app.app_context():
            setattr(db.session.get(Conversation, ref.id), *change)
            db.session.commit()
        assert _summary(app, new_id).earlier_actions == ()
        with app.app_context():
            setattr(db.session.get(Conversation, ref.id), *undo)
            db.session.commit()
    assert len(_summary(app, new_id).earlier_actions) == 1
    with app.app_context():
        deleting.delete_conversation(db.session.get(Conversation, ref.id))
    assert _summary(app, new_id).earlier_actions == ()
