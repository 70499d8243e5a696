"""Never lose a word: several people (or tabs) saving the same record at the same moment.

For each kind of record that more than one writer can change, N writers — facilitator tabs in
separate sessions, and a participant's phone where a participant may change it, some posting
as the page's script does (JSON) and some as a plain form — each load the page, wait for each
other, and save a new wording of the same field at once, for several rounds.  Afterwards:

- every wording a writer was told was saved is either the field's wording now or one of its
  earlier wordings, exactly once;
- every writer who was not told "saved" was told why (a conflict showing both wordings, or
  that the point had gone), never a bare error;
- and nothing else: no 500s, no duplicates in the history.

A separate test shows two tabs changing different fields of one record both keep their words.
Runs on SQLite and PostgreSQL (the app fixture), with the figures printed for the notes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import AuthActions, ConversationRef
from tests.forms import form_fields, with_changes

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}
ROUNDS = 5


@dataclass
class Writer:
    name: str
    client: FlaskClient
    json: bool
    stale: bool = False  # keeps the page it first loaded (a tab left open), never reloads
    page_html: str | None = None


@dataclass
class Outcome:
    saved: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _facilitator(app: Flask, ref: ConversationRef) -> FlaskClient:
    auth = AuthActions(app.test_client())
    auth.sign_in_as(ref.facilitator)
    return auth.client


def _phone(app: Flask, ref: ConversationRef, index: int) -> FlaskClient:
    """A participant's phone, joined as the listed person `index`.  A second device for a
    person already joined waits for the facilitator (tests/integration/test_seats.py), so the
    facilitator lets it in, as they would for someone moving between phone and laptop."""
    from convo.models import Device

    client = app.test_client()
    page = client.get(f"/j/{ref.join_code}")
    fields = form_fields(page.get_data(as_text=True), f"/j/{ref.join_code}")
    fields["participant_id"] = str(ref.participant_ids[index])
    assert client.post(f"/j/{ref.join_code}", data=fields).status_code == 302
    with app.app_context():
        waiting = _db(app).session.scalars(select(Device.id).where(
            Device.conversation_id == ref.id, Device.approved_at.is_(None),
            Device.revoked_at.is_(None))).all()
    if waiting:
        auth = AuthActions(_facilitator(app, ref))
        console = f"/conversations/{ref.id}/console"
        for device_id in waiting:
            let_in = f"/c/{ref.id}/devices/{device_id}/let-in"
            assert auth.post(let_in, form_page=console).status_code == 302
    return client


def _told_why(response: Any) -> bool:
    if response.status_code != 409:
        return False
    if response.is_json:
        data = response.get_json()
        return bool(data.get("conflict") and data.get("conflicts")) or bool(data.get("gone"))
    text = response.get_data(as_text=True)
    return ("Someone else changed" in text or "deleted or merged" in text
            or "saved from another tab" in text)  # a mapping member's own other tab


def race(writers: list[Writer], page: Callable[[Writer], str],
         action: str | Callable[[Writer], str], name: str, rounds: int = ROUNDS,
         value: Callable[[Writer, int], str] | None = None) -> Outcome:
    """Every round, each writer loads the page (a stale one keeps its first copy), then all
    save a new wording of `name` at the same moment (to `action`, or each writer's own)."""
    outcome = Outcome()
    lock = threading.Lock()
    barrier = threading.Barrier(len(writers))

    def run(writer: Writer) -> None:
        url = action if isinstance(action, str) else action(writer)
        for round_ in range(rounds):
            try:
                if writer.page_html is None or not writer.stale:
                    response = writer.client.get(page(writer))
                    assert response.status_code == 200, response.status_code
                    writer.page_html = response.get_data(as_text=True)
                fields = form_fields(writer.page_html, url, page(writer))
                text = value(writer, round_) if value else f"{writer.name} round {round_} ✓"
                barrier.wait(timeout=60)
                response = writer.client.post(url, data=with_changes(fields, {name: text}),
                                              headers=JSON if writer.json else {})
            except threading.BrokenBarrierError:
                return
            except Exception as exc:  # noqa: BLE001 - reported as a failure, not swallowed
                with lock:
                    outcome.failures.append(f"{writer.name}/{round_}: {exc!r}")
                barrier.abort()
                return
            ok = (response.status_code == 200 and response.get_json().get("ok")) if (
                writer.json and response.status_code == 200) else response.status_code == 302
            with lock:
                if ok:
                    outcome.saved.append(text)
                elif _told_why(response):
                    outcome.told.append(text)
                else:
                    outcome.failures.append(f"{writer.name}/{round_}: {response.status_code}")
                    barrier.abort()
                    return

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcome


def check(outcome: Outcome, now: str | None, history: list[str], writers: int,
          rounds: int = ROUNDS) -> None:
    assert outcome.failures == []
    assert len(outcome.saved) + len(outcome.told) == writers * rounds
    assert outcome.saved, "nobody's words were saved"
    kept = [*history, now]
    for text in outcome.saved:
        assert kept.count(text) == 1, (text, kept)
    assert len(history) == len(set(history)), "the history holds a wording twice"
    # Nothing is in the record that nobody was told was saved (and no lost text was kept).
    for text in kept:
        if text and "round" in text:
            assert text in outcome.saved, text
    print(f"{writers} writers x {rounds} rounds: {len(outcome.saved)} saved, "
          f"{len(outcome.told)} told why, 0 lost")


def _db(app: Flask) -> Any:
    from convo.extensions import db

    return db


def _texts(app: Flask, record: str, record_id: int, name: str) -> list[str]:
    from convo.models import TextRevision

    with app.app_context():
        return list(_db(app).session.scalars(select(TextRevision.text).where(
            TextRevision.record == record, TextRevision.record_id == record_id,
            TextRevision.field == name).order_by(TextRevision.id)))


def _conversation(app: Flask, ref: ConversationRef) -> Any:
    from convo.models import Conversation

    with app.app_context():
        conversation = _db(app).session.get(Conversation, ref.id)
        _db(app).session.expunge(conversation)
        return conversation


def _add_point(app: Flask, ref: ConversationRef, participant_index: int | None = None) -> int:
    from convo.conversations import capture
    from convo.models import Conversation

    with app.app_context():
        db = _db(app)
        conversation = db.session.get(Conversation, ref.id)
        author = (capture.Author(participant_id=ref.participant_ids[participant_index])
                  if participant_index is not None
                  else capture.Author(facilitator_id=ref.facilitator.id))
        item, _ = capture.add(conversation, client_id=f"race-{participant_index}",
                              text="The first wording", kind="action", raised_by="both",
                              stage_id="open", question_id=None, author=author)
        db.session.commit()
        return item.id


# --- every kind of record ---------------------------------------------------------------------


def test_a_point_reworded_by_the_facilitator_and_its_author_at_once(app, make_conversation):
    ref = make_conversation()
    item = _add_point(app, ref, participant_index=0)
    console = f"/conversations/{ref.id}/console"
    writers = [Writer("tab 1", _facilitator(app, ref), json=True),
               Writer("tab 2", _facilitator(app, ref), json=False),
               Writer("old tab", _facilitator(app, ref), json=True, stale=True),
               Writer("phone", _phone(app, ref, 0), json=True),
               Writer("phone form", _phone(app, ref, 0), json=False)]

    def page(writer: Writer) -> str:
        return f"/p/items/{item}" if writer.name.startswith("phone") else console

    def action(writer: Writer) -> str:
        return f"/p/items/{item}" if writer.name.startswith("phone") else (
            f"/conversations/{ref.id}/items/{item}")

    outcome = race(writers, page, action, "text")
    from convo.models import Item

    with app.app_context():
        stored = _db(app).session.get(Item, item)
        history = [r.text for r in stored.revisions]
        now = stored.text
    check(outcome, now, [h for h in history if h != "The first wording"], len(writers))


def test_the_agreement_from_several_tabs(app, make_conversation):
    ref = make_conversation()
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=n % 2 == 0) for n in range(4)]
    writers.append(Writer("old tab", _facilitator(app, ref), json=True, stale=True))
    console = f"/conversations/{ref.id}/console"
    outcome = race(writers, lambda w: console, f"/conversations/{ref.id}/agreement",
                   "meeting_rhythm")
    now = _conversation(app, ref).meeting_rhythm
    check(outcome, now, _texts(app, "conversation", ref.id, "meeting_rhythm"), len(writers))


def test_an_actions_owner_and_first_step(app, make_conversation):
    ref = make_conversation()
    item = _add_point(app, ref)
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=n != 1) for n in range(4)]
    console = f"/conversations/{ref.id}/console"
    outcome = race(writers, lambda w: console,
                   f"/conversations/{ref.id}/items/{item}/action-details", "first_step")
    from convo.models import Item

    with app.app_context():
        now = _db(app).session.get(Item, item).first_step
    check(outcome, now, _texts(app, "item", item, "first_step"), len(writers))


@pytest.mark.parametrize("name", ["narrative-challenges", "introduction", "change_note"])
def test_the_summarys_words(app, make_conversation, name):
    ref = make_conversation(status="closed")
    if name == "change_note":  # the note appears once a version has been issued
        _issue_a_version(app, ref)
    summary = f"/c/{ref.id}/summary"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=n != 2) for n in range(4)]
    outcome = race(writers, lambda w: summary, f"{summary}/draft", name)
    from convo.summary import service

    with app.app_context():
        from convo.models import Conversation

        conversation = _db(app).session.get(Conversation, ref.id)
        now = service.draft_values(conversation)[name]
        draft_id = service.draft_for(conversation).id
    check(outcome, now, _texts(app, "summary_draft", draft_id, name), len(writers))


def _issue_a_version(app: Flask, ref: ConversationRef) -> None:
    from convo.models import Conversation, Facilitator
    from convo.summary import service

    with app.app_context():
        db = _db(app)
        conversation = db.session.get(Conversation, ref.id)
        for party in ("partnership", "agency"):
            service.approve(conversation, party, "facilitator:test")
        service.issue(conversation, db.session.get(Facilitator, ref.facilitator.id))
        db.session.commit()


def test_a_conversations_details(app, make_conversation):
    ref = make_conversation()
    edit = f"/conversations/{ref.id}/edit"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    outcome = race(writers, lambda w: edit, edit, "purpose")
    check(outcome, _conversation(app, ref).purpose,
          _texts(app, "conversation", ref.id, "purpose"), len(writers))


def test_a_persons_details(app, make_conversation):
    ref = make_conversation()
    person = ref.participant_ids[1]
    url = f"/conversations/{ref.id}/participants/{person}"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    outcome = race(writers, lambda w: url, url, "role")
    from convo.models import Participant

    with app.app_context():
        now = _db(app).session.get(Participant, person).role
    check(outcome, now, _texts(app, "participant", person, "role"), len(writers))


def test_the_plan(app, make_conversation):
    ref = make_conversation(status="upcoming")
    url = f"/conversations/{ref.id}/plan"
    writers = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(4)]
    minutes = iter(range(11, 200))
    chosen: dict[tuple[str, int], str] = {}
    lock = threading.Lock()

    def value(writer: Writer, round_: int) -> str:
        with lock:
            chosen[(writer.name, round_)] = str(next(minutes))
            return chosen[(writer.name, round_)]

    outcome = race(writers, lambda w: url, url, "minutes-open", value=value)
    assert outcome.failures == []
    assert len(outcome.saved) + len(outcome.told) == len(writers) * ROUNDS
    from convo.conversations import service
    from convo.models import Conversation

    with app.app_context():
        plan = service.plan_for(_db(app).session.get(Conversation, ref.id))
    # The minutes now are the last saved; every round saved exactly one writer's minutes.
    assert str(plan.stage("open").minutes) == outcome.saved[-1] or str(
        plan.stage("open").minutes) in outcome.saved
    assert len(outcome.saved) == ROUNDS


def test_scores_from_the_console_in_two_tabs_and_a_phone(app, make_conversation):
    ref = make_conversation()
    field_name = "eight_criteria.trust.now"
    rate = f"/conversations/{ref.id}/ratings/partnership"
    tabs = [Writer(f"tab {n}", _facilitator(app, ref), json=False) for n in range(3)]
    points = iter([1, 2, 3, 4, 5] * 10)
    lock = threading.Lock()

    def value(writer: Writer, round_: int) -> str:
        with lock:
            return str(next(points))

    outcome = race(tabs, lambda w: rate, rate, field_name, value=value)
    assert outcome.failures == []
    assert len(outcome.saved) + len(outcome.told) == 3 * ROUNDS
    from convo.models import Rating

    with app.app_context():
        rows = list(_db(app).session.scalars(select(Rating).where(
            Rating.conversation_id == ref.id, Rating.criterion_id == "trust")))
    assert len(rows) == 1 and str(rows[0].score) in outcome.saved


def test_a_phone_sends_the_same_scores_every_way_at_once(app, make_conversation):
    """Autosave, the button, a double tap and a resend after a dropped connection: one score
    per rater and criterion, and never an error page."""
    ref = make_conversation()
    phone = _phone(app, ref, 0)
    html = phone.get("/p/ratings").get_data(as_text=True)
    fields = form_fields(html, "/p/ratings", "/p/ratings")
    names = sorted(k for k in fields if k.startswith("score-"))
    for name in sorted({k for k in form_fields(html, "/p/ratings", "/p/ratings")
                        if k.startswith("seen-score-")}):
        names.append(name[len("seen-"):])
    names = sorted(set(names))
    data = with_changes(fields, {name: "3" for name in names})
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def send(json: bool) -> None:
        barrier.wait(timeout=60)
        response = phone.post("/p/ratings", data=data, headers=JSON if json else {})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(n % 2 == 0,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200, 200, 200, 302, 302, 302]
    from convo.models import Rating

    with app.app_context():
        rows = list(_db(app).session.scalars(select(Rating).where(
            Rating.conversation_id == ref.id)))
    assert len(rows) == len(names) and {r.score for r in rows} == {3}


# --- different fields from different tabs both survive ----------------------------------------


def test_two_tabs_changing_different_fields_both_keep_their_words(app, make_conversation):
    ref = make_conversation()
    console = f"/conversations/{ref.id}/console"
    action = f"/conversations/{ref.id}/agreement"
    tab1, tab2 = (AuthActions(_facilitator(app, ref)) for _ in range(2))
    form1 = tab1.form(console, action)  # both tabs open the console at the same time
    form2 = tab2.form(console, action)
    saved2 = tab2.client.post(action, data=with_changes(form2, meeting_rhythm="Every month"),
                              headers=JSON)
    assert saved2.get_json()["ok"]
    # Tab 1 still shows the old (empty) meeting rhythm and saves its whole form.
    saved1 = tab1.client.post(action, data=with_changes(
        form1, contacts="Pat for the partnership; Alex for the practice"), headers=JSON)
    assert saved1.get_json()["ok"]
    now = _conversation(app, ref)
    assert now.meeting_rhythm == "Every month"
    assert now.contacts == "Pat for the partnership; Alex for the practice"
    # Tab 1 is told the words now saved, so its page can show tab 2's.
    assert saved1.get_json()["fields"]["meeting_rhythm"]["value"] == "Every month"


def test_a_conflict_shows_both_wordings_and_keeps_the_writers(app, make_conversation):
    ref = make_conversation()
    console = f"/conversations/{ref.id}/console"
    action = f"/conversations/{ref.id}/agreement"
    tab1, tab2 = (AuthActions(_facilitator(app, ref)) for _ in range(2))
    form1, form2 = tab1.form(console, action), tab2.form(console, action)
    assert tab2.client.post(action, data=with_changes(form2, contacts="Theirs"),
                            headers=JSON).get_json()["ok"]
    clash = tab1.client.post(action, data=with_changes(form1, contacts="Mine"))
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "Someone else changed this at the same time" in page
    assert re.search(r">\s*Theirs</blockquote>", page) and re.search(r">\s*Mine</textarea>", page)
    assert _conversation(app, ref).contacts == "Theirs"
    # Keeping my words on purpose: the page now carries their fingerprint.
    again = form_fields(page, action, console)
    assert tab1.client.post(action, data=again).status_code == 302
    assert _conversation(app, ref).contacts == "Mine"
    assert _texts(app, "conversation", ref.id, "contacts") == ["Theirs"]
    # Or using theirs: nothing of mine replaces it.
    form1 = tab1.form(console, action)
    assert tab2.client.post(action, data=with_changes(tab2.form(console, action),
                                                       contacts="Theirs again"),
                            headers=JSON).get_json()["ok"]
    clash = tab1.client.post(action, data=with_changes(form1, contacts="Mine again"),
                             headers=JSON)
    body = clash.get_json()
    assert clash.status_code == 409 and body["conflicts"][0]["theirs"] == "Theirs again"
    taken = with_changes(form1, {"contacts": "Mine again", "take-theirs": "contacts"})
    assert tab1.client.post(action, data=taken, headers=JSON).get_json()["ok"]
    assert _conversation(app, ref).contacts == "Theirs again"


def test_a_change_to_a_deleted_point_is_refused_with_the_words(app, make_conversation):
    ref = make_conversation()
    item = _add_point(app, ref)
    console = f"/conversations/{ref.id}/console"
    action = f"/conversations/{ref.id}/items/{item}"
    tab1, tab2 = (AuthActions(_facilitator(app, ref)) for _ in range(2))
    form = tab1.form(console, action)
    tab2.post(f"/conversations/{ref.id}/items/{item}/delete", form_page=console)
    refused = tab1.client.post(action, data=with_changes(form, text="Reworded too late"),
                               headers=JSON)
    assert refused.status_code == 409
    assert "Reworded too late" in refused.get_json()["message"]
