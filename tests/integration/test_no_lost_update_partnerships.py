"""Never lose a word, between conversations: N writers racing on every new record people
edit — a partnership's details, a relationship's entry and its scores on the map, an action's
update from the tracker and from a reminder link, the reminders' settings, the agreement's
next date — on both databases.  Nothing anyone was told was saved is lost; everyone else was
told why.  (The race and the checks are test_no_lost_update's.)"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.conftest import ConversationRef
from tests.integration.test_no_lost_update import ROUNDS, Writer, _db, _facilitator, check, race

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}


def _pid(app: Flask, ref: ConversationRef) -> int:
    from convo.models import Conversation

    with app.app_context():
        return _db(app).session.get(Conversation, ref.id).partnership_id


def _revisions(app: Flask, record: str, record_id: int, field: str) -> list[str]:
    from convo.models import PartnershipRevision

    with app.app_context():
        return list(_db(app).session.scalars(select(PartnershipRevision.text).where(
            PartnershipRevision.record == record, PartnershipRevision.record_id == record_id,
            PartnershipRevision.field == field).order_by(PartnershipRevision.id)))


def _counter() -> Any:
    values = iter(range(1, 10_000))
    lock = threading.Lock()

    def pick(lo: int, hi: int) -> str:
        with lock:
            return str(lo + next(values) % (hi - lo + 1))
    return pick


def test_a_partnerships_details(app, make_conversation):
    ref = make_conversation()
    pid = _pid(app, ref)
    url = f"/partnerships/{pid}/edit"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    writers.append(Writer("old tab", _facilitator(app, ref), json=False, stale=True))
    outcome = race(writers, lambda w: url, url, "area")
    from convo.models import Partnership

    with app.app_context():
        now = _db(app).session.get(Partnership, pid).area
    check(outcome, now, _revisions(app, "partnership", pid, "area"), len(writers))


def test_a_relationships_entry(app, make_conversation):
    ref = make_conversation()
    pid = _pid(app, ref)
    from convo.models import Conversation

    with app.app_context():
        rid = _db(app).session.get(Conversation, ref.id).relationship_id
    url = f"/partnerships/{pid}/relationships/{rid}/edit"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    outcome = race(writers, lambda w: url, url, "agency_holders")
    from convo.models import Relationship

    with app.app_context():
        now = _db(app).session.get(Relationship, rid).agency_holders
    check(outcome, now, _revisions(app, "relationship", rid, "agency_holders"), len(writers))


def test_scores_on_the_map(app, make_conversation):
    ref = make_conversation()
    pid = _pid(app, ref)
    from convo.models import Conversation, MapScore, Partnership

    with app.app_context():
        conversation = _db(app).session.get(Conversation, ref.id)
        rid = conversation.relationship_id
        _db(app).session.get(Partnership, pid).criteria = "trust,respect"
        _db(app).session.commit()
    url = f"/partnerships/{pid}/relationships/{rid}/edit"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    pick = _counter()
    outcome = race(writers, lambda w: url, url, "score_trust", value=lambda w, r: pick(1, 5))
    assert outcome.failures == []
    assert len(outcome.saved) + len(outcome.told) == len(writers) * ROUNDS
    with app.app_context():
        rows = list(_db(app).session.scalars(select(MapScore).where(
            MapScore.relationship_id == rid, MapScore.criterion_id == "trust")))
    assert len(rows) == 1 and str(rows[0].score) in outcome.saved


def test_an_actions_updates_from_the_tracker(app, make_conversation):
    """Updates are kept, never replaced: every note a writer was told was saved is there,
    once, and nothing else is."""
    ref = make_conversation()
    pid = _pid(app, ref)
    from convo.conversations import capture
    from convo.models import ActionUpdate, Conversation, Item

    with app.app_context():
        conversation = _db(app).session.get(Conversation, ref.id)
        item, _ = capture.add(conversation, client_id="a", text="Book the hall", kind="action",
                              raised_by="both", stage_id="open", question_id=None,
                              author=capture.Author(facilitator_id=ref.facilitator.id))
        _db(app).session.commit()
        item_id = item.id
    url = f"/partnerships/{pid}/actions/{item_id}"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]

    def value(writer: Writer, round_: int) -> str:
        return f"{writer.name} round {round_} ✓"

    outcome = race(writers, lambda w: url, url, "note", value=value)
    assert outcome.failures == []
    with app.app_context():
        notes = [u.note for u in _db(app).session.scalars(select(ActionUpdate).where(
            ActionUpdate.item_id == item_id).order_by(ActionUpdate.id))]
        final = _db(app).session.get(Item, item_id).status
    for note in outcome.saved:
        assert notes.count(note) == 1
    for note in outcome.told:
        assert note not in notes
    assert len(notes) == len(outcome.saved)
    assert final == "agreed"


def test_an_actions_status_from_two_tabs_at_once(app, make_conversation):
    """Four tabs each move the action to a different status at the same moment: one change
    stands each round, the others are told someone else changed it first; nobody's status
    silently replaces another's, and every status that was saved is in the action's updates."""
    import re

    ref = make_conversation()
    pid = _pid(app, ref)
    from convo.conversations import capture
    from convo.models import ActionUpdate, Conversation, Item

    with app.app_context():
        conversation = _db(app).session.get(Conversation, ref.id)
        item, _ = capture.add(conversation, client_id="s", text="Book the hall", kind="action",
                              raised_by="both", stage_id="open", question_id=None,
                              author=capture.Author(facilitator_id=ref.facilitator.id))
        _db(app).session.commit()
        item_id = item.id
    url = f"/partnerships/{pid}/actions/{item_id}"
    statuses = ("agreed", "in_progress", "done", "dropped", "stuck")
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]

    def value(writer: Writer, round_: int) -> str:
        shown = re.search(r'<option selected value="([a-z_]+)"|'
                          r'<option value="([a-z_]+)" selected', writer.page_html or "")
        assert shown, "the page shows the action's status"
        current = shown.group(1) or shown.group(2)
        others = [s for s in statuses if s != current]
        return others[int(writer.name.split()[-1]) % len(others)]

    outcome = race(writers, lambda w: url, url, "status", value=value)
    assert outcome.failures == []
    assert len(outcome.saved) == ROUNDS and len(outcome.told) == 3 * ROUNDS
    with app.app_context():
        recorded = [u.status for u in _db(app).session.scalars(select(ActionUpdate).where(
            ActionUpdate.item_id == item_id).order_by(ActionUpdate.id))]
        final = _db(app).session.get(Item, item_id).status
    assert recorded == outcome.saved and final == outcome.saved[-1]


def test_an_action_updated_from_one_reminder_link_at_once(app, make_conversation):
    """The same link sent from several phones at the same moment (a double tap, a resend):
    one update, and every other phone told the link was used."""
    ref = make_conversation()
    pid = _pid(app, ref)
    from convo.conversations import capture
    from convo.models import ActionUpdate, Conversation
    from convo.reminders import tokens

    with app.app_context():
        conversation = _db(app).session.get(Conversation, ref.id)
        item, _ = capture.add(conversation, client_id="a", text="Book the hall", kind="action",
                              raised_by="both", stage_id="open", question_id=None,
                              author=capture.Author(facilitator_id=ref.facilitator.id))
        _db(app).session.flush()
        token = tokens.new_link("update", partnership_id=pid, item_id=item.id,
                                participant_id=ref.participant_ids[0], send_id=None, days=3)
        _db(app).session.commit()
    from tests.forms import form_fields, with_changes

    phones = [app.test_client() for _ in range(5)]
    link = f"/r/{token}"
    pages = [form_fields(p.get(link).get_data(as_text=True), link, link) for p in phones]
    barrier = threading.Barrier(len(phones))
    statuses: list[int] = []

    def send(n: int) -> None:
        barrier.wait(timeout=60)
        statuses.append(phones[n].post(link, data=with_changes(
            pages[n], status="done", note=f"phone {n}")).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200, 409, 409, 409, 409]
    with app.app_context():
        assert len(_db(app).session.scalars(select(ActionUpdate)).all()) == 1


def test_the_reminders_settings(app, make_conversation):
    ref = make_conversation()
    pid = _pid(app, ref)
    url = f"/partnerships/{pid}/reminders"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    pick = _counter()
    outcome = race(writers, lambda w: url, url, "remind_days_before",
                   value=lambda w, r: pick(1, 30))
    assert outcome.failures == []
    assert len(outcome.saved) + len(outcome.told) == len(writers) * ROUNDS
    from convo.models import Partnership

    with app.app_context():
        now = _db(app).session.get(Partnership, pid).remind_days_before
    assert str(now) in outcome.saved


def test_the_agreements_next_date(app, make_conversation):
    ref = make_conversation()
    console = f"/conversations/{ref.id}/console"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=n % 2 == 0) for n in range(4)]
    days = iter(range(1, 400))
    lock = threading.Lock()

    def value(writer: Writer, round_: int) -> str:
        from datetime import date, timedelta

        with lock:
            return (date(2027, 1, 1) + timedelta(days=next(days))).isoformat()

    outcome = race(writers, lambda w: console, f"/conversations/{ref.id}/agreement",
                   "next_date", value=value)
    assert outcome.failures == []
    assert len(outcome.saved) + len(outcome.told) == len(writers) * ROUNDS
    from convo.models import Conversation
    from zoneinfo import ZoneInfo

    with app.app_context():
        next_at = _db(app).session.get(Conversation, ref.id).next_at
    assert next_at.astimezone(ZoneInfo("Europe/London")).date().isoformat() in outcome.saved
