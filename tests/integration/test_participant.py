"""Participants' own devices: join with the code, pick yourself, follow, add points, rate
privately, and stay inside your own conversation."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any, Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from convo.core import clock
from tests.conftest import AuthActions, ConversationRef, csrf_from, page_text

PARTNERSHIP = "Riverside Big Local"
AGENCY = "Exampletown Primary Care Network"


# --- helpers --------------------------------------------------------------------------------


def dashed(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def join(client: FlaskClient, ref: ConversationRef, index: int = 0) -> None:
    """Join ref's conversation on this client as its index-th participant."""
    page = client.get(f"/j/{ref.join_code}")
    assert page.status_code == 200, page.status_code
    response = client.post(f"/j/{ref.join_code}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "participant_id": ref.participant_ids[index],
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/p")


def form_fields(client: FlaskClient, url: str = "/p") -> dict[str, str]:
    html = client.get(url).get_data(as_text=True)
    fields = {"csrf_token": csrf_from(html)}
    for name in ("client_id", "stage_id", "question_id"):
        match = re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
        if match:
            fields[name] = match.group(1)
    return fields


def add_item(client: FlaskClient, text: str, kind: str = "challenge", as_json: bool = False,
             **overrides: Any):  # type: ignore[no-untyped-def]
    data = form_fields(client)
    data.update({"text": text, "kind": kind})
    data.update(overrides)
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post("/p/items", data=data, headers=headers)


def items_of(app: Flask, conversation_id: int) -> list[Any]:
    from convo.extensions import db
    from convo.models import Item

    with app.app_context():
        items = db.session.scalars(select(Item).where(Item.conversation_id == conversation_id)
                                   .order_by(Item.id)).all()
        for item in items:
            db.session.expunge(item)
        return list(items)


def with_conversation(app: Flask, ref: ConversationRef,
                      action: Callable[[Any], Any]) -> Any:
    """Run action(conversation) in an app context and commit, as another request would."""
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        result = action(conversation)
        db.session.commit()
        return result


def version_of(app: Flask, ref: ConversationRef) -> int:
    """The version a phone follows (points and actions don't move it: live.state.bump)."""
    return with_conversation(app, ref, lambda c: c.phone_version)


def session_token(client: FlaskClient) -> str | None:
    with client.session_transaction() as session:
        return session.get("device")


# --- joining --------------------------------------------------------------------------------


def test_join_page_asks_for_the_code(client):
    response = client.get("/join")
    assert response.status_code == 200
    text = page_text(response)
    assert "Enter your join code" in text
    assert "ABCD-EFGH" in text


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{dashed}", " {lower_dashed} ",
                                   "{spaced}"])
def test_join_by_code_in_any_case_with_dashes_or_spaces(client, make_conversation, typed):
    ref = make_conversation()
    code = ref.join_code
    value = typed.format(code=code, lower=code.lower(), dashed=dashed(code),
                         lower_dashed=dashed(code).lower(),
                         spaced=" ".join([code[:4], code[4:]]))
    csrf = csrf_from(client.get("/join").get_data(as_text=True))
    response = client.post("/join", data={"csrf_token": csrf, "code": value})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/j/{code}")


def test_the_link_accepts_the_code_as_shown_on_screen(client, make_conversation):
    ref = make_conversation()
    assert client.get(f"/j/{dashed(ref.join_code).lower()}").status_code == 200


def test_empty_code_asks_for_one(client):
    csrf = csrf_from(client.get("/join").get_data(as_text=True))
    response = client.post("/join", data={"csrf_token": csrf, "code": "  "})
    assert response.status_code == 422
    assert "Type the join code from the shared screen." in page_text(response)


def test_pick_yourself_lists_people_by_party(client, make_conversation):
    ref = make_conversation()
    response = client.get(f"/j/{ref.join_code}")
    text = re.sub(r"</?bdi>", "", page_text(response))  # names are isolated (<bdi>)
    assert PARTNERSHIP in text and AGENCY in text
    assert "I am Pat Okafor" in text and "Partnership chair" in text
    assert "I am Dr Alex Moore" in text
    # Someone who asked not to be named appears by role only.
    assert "I am the Primary Care Network manager" in text
    assert "Jordan Lee" not in text
    # Grouped: the partnership's people come under its heading, the agency's under its own.
    assert text.index(PARTNERSHIP) < text.index("Pat Okafor") < text.index("Sam Reid")
    assert text.index("Sam Reid") < text.index("Dr Alex Moore")


def test_picking_yourself_issues_a_device_and_keeps_only_its_hash(app, client,
                                                                   make_conversation):
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    join(client, ref, 0)
    raw = session_token(client)
    assert raw and len(raw) >= 43  # 32 random bytes, base64
    with app.app_context():
        device = db.session.scalars(select(Device)).one()
        assert device.conversation_id == ref.id
        assert device.participant_id == ref.participant_ids[0]
        assert device.token_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert raw not in device.token_hash


def test_picking_someone_not_in_the_conversation_is_refused(client, make_conversation):
    ref = make_conversation()
    other = make_conversation()
    page = client.get(f"/j/{ref.join_code}")
    response = client.post(f"/j/{ref.join_code}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "participant_id": other.participant_ids[0]})
    assert response.status_code == 422
    assert "Choose your name from the list." in page_text(response)
    assert session_token(client) is None


def test_picking_again_replaces_this_browsers_device(app, client, make_conversation):
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    join(client, ref, 0)
    first = session_token(client)
    join(client, ref, 1)  # chose the wrong name first
    assert session_token(client) != first
    with app.app_context():
        rows = db.session.scalars(select(Device).order_by(Device.id)).all()
        assert [r.revoked_at is not None for r in rows] == [True, False]
        assert rows[1].participant_id == ref.participant_ids[1]


def test_a_facilitator_signed_in_on_the_same_browser_stays_signed_in(client, auth,
                                                                     make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    join(client, ref, 0)
    assert client.get("/account").status_code == 200
    assert client.get("/p").status_code == 200


# --- wrong codes ----------------------------------------------------------------------------


def test_unknown_and_closed_codes_look_the_same(app, client, make_conversation):
    closed = make_conversation(status="closed")
    unknown = "ABCDEFGH" if closed.join_code != "ABCDEFGH" else "HGFEDCBA"
    first = client.get(f"/j/{unknown}")
    second = client.get(f"/j/{closed.join_code}")
    assert first.status_code == second.status_code == 404

    def body(response):  # type: ignore[no-untyped-def]
        text = page_text(response)
        text = re.sub(r'value="[^"]*"', "", text)  # the typed code and the form token
        return re.sub(r"\s+", " ", text)

    assert body(first) == body(second)
    assert "That code doesn't work" in page_text(first)
    assert PARTNERSHIP not in page_text(second)


def test_a_closed_conversations_code_stops_working(app, client, make_conversation):
    ref = make_conversation()
    assert client.get(f"/j/{ref.join_code}").status_code == 200
    from convo.conversations import service

    with_conversation(app, ref, service.close)
    assert client.get(f"/j/{ref.join_code}").status_code == 404
    csrf = csrf_from(client.get("/join").get_data(as_text=True))
    response = client.post("/join", data={"csrf_token": csrf, "code": ref.join_code})
    assert response.status_code == 404
    assert "That code doesn't work" in page_text(response)


def test_repeated_wrong_codes_are_slowed(app, client, make_conversation, monkeypatch):
    ref = make_conversation()
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for n in range(5):  # the default: five wrong codes before this browser slows down
        assert client.get(f"/j/WRONG{n:03d}").status_code == 404
    # Now even the right code must wait, in this browser: waiting can't tell right from wrong.
    waiting = client.get(f"/j/{ref.join_code}")
    assert waiting.status_code == 429
    assert "Please wait" in page_text(waiting)
    assert PARTNERSHIP not in page_text(waiting)
    csrf = csrf_from(client.get("/join").get_data(as_text=True))
    assert client.post("/join", data={"csrf_token": csrf, "code": ref.join_code}
                       ).status_code == 429
    now += timedelta(seconds=int(waiting.headers["Retry-After"]))
    assert client.get(f"/j/{ref.join_code}").status_code == 200


@pytest.mark.parametrize("config_overrides", [{
    "JOIN_SLOW_AFTER": 2, "JOIN_LOCK_AFTER": 5, "JOIN_LOCK_MINUTES": 15,
    "JOIN_WINDOW_MINUTES": 15}])
def test_many_wrong_codes_lock_this_browser_out(client, make_conversation, monkeypatch):
    ref = make_conversation()
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for n in range(5):  # each guess after the wait the last one earned
        response = client.get(f"/j/WRONG{n:03d}")
        assert response.status_code == 404
        if n == 4:
            break
        waiting = client.get(f"/j/{ref.join_code}")
        if waiting.status_code == 429:
            now += timedelta(seconds=int(waiting.headers["Retry-After"]) - 1)
            assert client.get(f"/j/{ref.join_code}").status_code == 429
            now += timedelta(seconds=1)
    locked = client.get(f"/j/{ref.join_code}")
    assert locked.status_code == 429
    assert "can't join for 15 minutes" in page_text(locked)
    now += timedelta(minutes=15, seconds=1)
    assert client.get(f"/j/{ref.join_code}").status_code == 200


def test_right_codes_dont_count_against_the_browser(client, make_conversation):
    ref = make_conversation()
    for _ in range(25):
        assert client.get(f"/j/{ref.join_code}").status_code == 200


def test_join_throttle_stores_no_address(app, client):
    from convo.extensions import db
    from convo.models import Throttle

    client.get("/j/WRONGONE")
    with app.app_context():
        rows = db.session.scalars(select(Throttle)).all()
        assert rows and all("127.0.0.1" not in row.key_hash for row in rows)


# --- the participant's page -----------------------------------------------------------------


def test_without_a_device_pages_send_you_to_join(client):
    response = client.get("/p")
    assert response.status_code == 302 and response.headers["Location"].endswith("/join")
    assert client.get("/p/view").status_code == 401
    assert client.get("/p/ratings").status_code == 302
    csrf = csrf_from(client.get("/join").get_data(as_text=True))
    refused = client.post("/p/items", data={"csrf_token": csrf, "text": "hello",
                                            "kind": "note", "client_id": "abcdefgh1234"})
    assert refused.status_code == 403


def test_participant_page_shows_parties_self_and_current_question(app, client,
                                                                  make_conversation):
    ref = make_conversation()
    join(client, ref, 2)
    response = client.get("/p")
    assert response.status_code == 200
    text = re.sub(r"</?bdi>", "", page_text(response))  # names are isolated (<bdi>)
    assert PARTNERSHIP in text and AGENCY in text
    assert "You are <strong>Dr Alex Moore</strong>, with Exampletown Primary Care Network." in text
    assert "Part 1 of" in text and "Open: agree the space" in text
    assert 'name="text"' in response.get_data(as_text=True)
    assert "Add a point" in text
    assert "Give your scores (private)" in text


def test_following_the_view_gives_204_until_the_console_moves(app, client, make_conversation):
    from convo.conversations import service
    from convo.live import state

    ref = make_conversation()
    join(client, ref, 0)
    version = version_of(app, ref)
    unchanged = client.get(f"/p/view?v={version}")
    assert unchanged.status_code == 204
    assert unchanged.headers["X-Convo-Version"] == str(version)
    # A poll leaves the session cookie alone: answering one after a save must not overwrite
    # the cookie that save just set (with its "saved" message for the next page).
    assert "Set-Cookie" not in unchanged.headers
    assert "Set-Cookie" not in client.get("/p/view").headers

    def move(conversation):  # type: ignore[no-untyped-def]
        plan = service.plan_for(conversation)
        stage = plan.stage("challenges")
        state.go_to(conversation, stage.id, stage.questions[0].id)
        return stage.questions[0].text

    question = with_conversation(app, ref, move)
    moved = client.get(f"/p/view?v={version}")
    assert moved.status_code == 200
    assert int(moved.headers["X-Convo-Version"]) > version
    assert question in page_text(moved)
    assert moved.headers["Cache-Control"] == "no-store"
    # The full page shows the same question and points new items at it.
    page = client.get("/p").get_data(as_text=True)
    assert 'value="challenges"' in page


def test_points_and_actions_dont_wake_the_phones_but_everything_else_does(
        app, client, make_conversation, make_facilitator):
    """A phone's live view shows no points, so a point added, edited, hidden, turned into an
    action or deleted leaves the phones at "nothing new" (204) while the console and the
    shared screen move on; where the conversation stands, the scores and the phone's own
    device still reach the phone."""
    from convo.conversations import capture, service
    from convo.live import state
    from convo.extensions import db
    from convo.live import devices
    from convo.models import Device

    facilitator = make_facilitator()
    ref = make_conversation(facilitator=facilitator)
    join(client, ref, 0)
    phone = version_of(app, ref)
    console = with_conversation(app, ref, lambda c: c.version)
    author = capture.Author(facilitator_id=facilitator.id)

    def points(conversation):  # type: ignore[no-untyped-def]
        item, _ = capture.add(conversation, client_id="wake-test-1", text="Parking is hard",
                              kind="challenge", raised_by="partnership",
                              stage_id=conversation.current_stage_id, question_id=None,
                              author=author)
        capture.edit(conversation, item, author, {"text": "Parking is very hard"})
        capture.set_hidden(conversation, item, True)
        capture.set_hidden(conversation, item, False)
        capture.delete(conversation, item)
        capture.restore(conversation, item)

    with_conversation(app, ref, points)
    assert client.get(f"/p/view?v={phone}").status_code == 204
    assert with_conversation(app, ref, lambda c: c.version) >= console + 6
    desk = AuthActions(app.test_client())  # the facilitator's laptop: the console moves on
    desk.sign_in_as(facilitator)
    assert desk.client.get(f"/conversations/{ref.id}/console/view?v={console}").status_code == 200
    # The shared screen shows the question, not the points: it follows what phones follow
    # (it moves with points while it shows them: tests/integration/test_screen.py).
    assert desk.client.get(f"/c/{ref.id}/screen/view?v={phone}").status_code == 204

    def move(conversation):  # type: ignore[no-untyped-def]
        stage = service.plan_for(conversation).stage("challenges")
        state.go_to(conversation, stage.id, stage.questions[0].id)
        state.bump(conversation)

    with_conversation(app, ref, move)
    moved = client.get(f"/p/view?v={phone}")
    assert moved.status_code == 200 and int(moved.headers["X-Convo-Version"]) > phone
    phone = int(moved.headers["X-Convo-Version"])
    assert client.get(f"/p/view?v={phone}").status_code == 204

    def revoke(conversation):  # type: ignore[no-untyped-def]
        devices.revoke(db.session.scalars(select(Device).where(
            Device.conversation_id == conversation.id)).one())

    with_conversation(app, ref, revoke)
    assert client.get(f"/p/view?v={phone}").status_code != 204  # the phone learns it is out


def test_add_a_point_without_javascript(app, client, make_conversation):
    ref = make_conversation()
    join(client, ref, 2)  # an agency person
    response = add_item(client, "GP receptionists don't know about the community hub.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/p#your-points")
    [item] = items_of(app, ref.id)
    assert item.raised_by == "agency"
    assert item.participant_id == ref.participant_ids[2]
    assert item.facilitator_id is None
    assert item.kind == "challenge"
    page = page_text(client.get("/p"))
    assert "Your point is saved" in page
    assert "GP receptionists don't know about the community hub." in page


def test_a_point_belongs_to_the_question_it_was_typed_under(app, client, make_conversation):
    from convo.conversations import service
    from convo.live import state

    ref = make_conversation()
    join(client, ref, 0)
    fields = form_fields(client)  # the form as shown now

    def move(conversation):  # type: ignore[no-untyped-def]
        stage = service.plan_for(conversation).stage("opportunities")
        state.go_to(conversation, stage.id, stage.questions[0].id)

    with_conversation(app, ref, move)
    client.post("/p/items", data={**fields, "text": "Typed before the move", "kind": "note"})
    [item] = items_of(app, ref.id)
    assert item.stage_id == fields["stage_id"] != "opportunities"


def test_the_same_client_id_is_stored_once(app, client, make_conversation):
    ref = make_conversation()
    join(client, ref, 0)
    first = add_item(client, "Open the hub on Saturdays", kind="action", as_json=True,
                     client_id="queued-item-0001")
    again = add_item(client, "Open the hub on Saturdays", kind="action", as_json=True,
                     client_id="queued-item-0001")
    assert first.status_code == 201 and first.get_json()["created"] is True
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert first.get_json()["id"] == again.get_json()["id"]
    assert len(items_of(app, ref.id)) == 1
    assert "Open the hub on Saturdays" in first.get_json()["html"]


def test_someone_elses_client_id_reveals_nothing(app, make_conversation):
    ref = make_conversation()
    pat, alex = app.test_client(), app.test_client()
    join(pat, ref, 0)
    join(alex, ref, 2)
    add_item(pat, "Pat's private wording", as_json=True, client_id="shared-id-0001")
    response = add_item(alex, "Alex's words", as_json=True, client_id="shared-id-0001")
    assert response.status_code == 409
    assert "Pat" not in response.get_data(as_text=True)
    assert len(items_of(app, ref.id)) == 1


def test_hostile_text_is_stored_and_shown_as_text(app, client, make_conversation):
    ref = make_conversation()
    join(client, ref, 0)
    text = ('<script>alert("x")</script> <b>bold</b> \u202eevil\u202c '
            'مرحبا بكم في المركز 👋🏽👩‍👩‍👧')
    assert add_item(client, text, kind="note").status_code == 302
    [item] = items_of(app, ref.id)
    assert item.text == text
    html = client.get("/p").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "مرحبا بكم في المركز 👋🏽👩‍👩‍👧" in html
    assert 'class="my-item__text" dir="auto"' in html
    as_json = add_item(client, text + " again", as_json=True).get_json()
    assert "<script>" not in as_json["html"]


def test_over_long_text_gets_a_clear_limit_and_is_kept(app, client, make_conversation):
    ref = make_conversation()
    join(client, ref, 0)
    long_text = "We need a bus to the clinic. " * 180  # about 5,200 characters
    long_text = long_text.strip()
    assert len(long_text) > 5000
    response = add_item(client, long_text)
    assert response.status_code == 422
    text = page_text(response)
    assert "please keep it to 5,000 characters or fewer" in text
    assert f"it is {len(long_text):,} now" in text
    assert long_text in text  # still in the box
    as_json = add_item(client, long_text, as_json=True)
    assert as_json.status_code == 422
    assert "5,000" in as_json.get_json()["error"]
    assert items_of(app, ref.id) == []


def test_an_empty_point_is_refused_plainly(client, make_conversation):
    ref = make_conversation()
    join(client, ref, 0)
    response = add_item(client, "   ")
    assert response.status_code == 422
    assert "Type your point in the box first." in page_text(response)


def test_participants_change_their_own_points_and_edits_are_kept(app, make_conversation):
    from convo.extensions import db
    from convo.models import Item

    ref = make_conversation()
    pat, alex = app.test_client(), app.test_client()
    join(pat, ref, 0)
    join(alex, ref, 2)
    add_item(pat, "Teh hub is open Mondays", kind="note")
    [item] = items_of(app, ref.id)

    form = pat.get(f"/p/items/{item.id}")
    assert form.status_code == 200
    assert "Teh hub is open Mondays" in page_text(form)
    saved = AuthActions(pat).submit(f"/p/items/{item.id}", f"/p/items/{item.id}", {
        "text": "The hub is open Mondays", "kind": "strength"},
        headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.get_json()["ok"] is True
    with app.app_context():
        stored = db.session.get(Item, item.id)
        assert (stored.text, stored.kind) == ("The hub is open Mondays", "strength")
        assert stored.revisions[-1].text == "Teh hub is open Mondays"
        assert stored.revisions[-1].changed_by == f"participant:{ref.participant_ids[0]}"

    # Someone else's point can't be opened or changed, even in the same conversation.
    assert alex.get(f"/p/items/{item.id}").status_code == 404
    csrf = csrf_from(alex.get("/p").get_data(as_text=True))
    assert alex.post(f"/p/items/{item.id}", data={"csrf_token": csrf, "text": "Hijacked",
                                                  "kind": "note"}).status_code == 404
    assert items_of(app, ref.id)[0].text == "The hub is open Mondays"


# --- ratings --------------------------------------------------------------------------------


def rating_fields(client: FlaskClient) -> tuple[str, list[str]]:
    html = client.get("/p/ratings").get_data(as_text=True)
    names = sorted(set(re.findall(r'name="(score-[^"]+)"', html)))
    return csrf_from(html), names


def test_ratings_page_has_a_fieldset_per_criterion(client, make_conversation):
    ref = make_conversation()
    join(client, ref, 0)
    response = client.get("/p/ratings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert html.count('<fieldset class="rate">') == 8 + 2  # eight criteria, two type questions
    assert '<legend class="rate__legend">Mutual knowledge</legend>' in html
    assert "We know what each other does" in text
    assert "Not at all" in text and "Fully" in text
    assert "Powerful allies" in text
    assert "What would you like it to become?" in text


def test_rate_privately_is_stored_for_you_from_your_device(app, client, make_conversation):
    from convo.extensions import db
    from convo.models import Rating, RelationshipChoice

    ref = make_conversation()
    join(client, ref, 1)  # Sam Reid, partnership
    csrf, names = rating_fields(client)
    assert len(names) == 8
    data = {name: "4" for name in names}
    data.update(relationship_now="clients_contractors", relationship_wanted="powerful_allies")
    response = AuthActions(client).submit("/p/ratings", "/p/ratings", data)
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Rating)).all()
        assert len(rows) == 8
        assert {(r.party, r.rater, r.entered_by, r.score) for r in rows} == {
            ("partnership", f"p{ref.participant_ids[1]}", "device", 4)}
        choice = db.session.scalars(select(RelationshipChoice)).one()
        assert (choice.party, choice.rater, choice.now_type, choice.wanted_type) == (
            "partnership", f"p{ref.participant_ids[1]}", "clients_contractors",
            "powerful_allies")
    page = client.get("/p/ratings")
    assert "Your answers are saved" in page_text(page)
    assert page.get_data(as_text=True).count(" checked") == 8 + 2


def test_each_choice_saves_on_its_own_and_keeps_the_rest(app, client, make_conversation):
    from convo.extensions import db
    from convo.models import Rating, RelationshipChoice

    ref = make_conversation()
    join(client, ref, 0)
    csrf, names = rating_fields(client)
    headers = {"Accept": "application/json"}
    phone = AuthActions(client)
    first = phone.submit("/p/ratings", "/p/ratings", {names[0]: "2"}, headers=headers)
    assert first.status_code == 200 and first.get_json()["ok"] is True
    phone.submit("/p/ratings", "/p/ratings", {names[1]: "5"}, headers=headers)
    phone.submit("/p/ratings", "/p/ratings", {"relationship_wanted": "powerful_allies"},
                 headers=headers)
    phone.submit("/p/ratings", "/p/ratings", {"relationship_now": "friends_acquaintances"},
                 headers=headers)
    with app.app_context():
        assert sorted(r.score for r in db.session.scalars(select(Rating))) == [2, 5]
        choice = db.session.scalars(select(RelationshipChoice)).one()
        assert (choice.now_type, choice.wanted_type) == ("friends_acquaintances",
                                                         "powerful_allies")


def test_a_score_off_the_scale_saves_nothing(app, client, make_conversation):
    from convo.extensions import db
    from convo.models import Rating

    ref = make_conversation()
    join(client, ref, 0)
    csrf, names = rating_fields(client)
    response = AuthActions(client).submit("/p/ratings", "/p/ratings", {names[0]: "3",
                                                                       names[1]: "9"})
    assert response.status_code == 422
    assert "nothing was saved" in page_text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rating)) == 0


def test_the_other_sides_scores_stay_hidden_until_revealed(app, make_conversation):
    from convo.ratings import service as ratings

    ref = make_conversation()
    pat, alex = app.test_client(), app.test_client()
    join(pat, ref, 0)
    join(alex, ref, 2)
    csrf, names = rating_fields(alex)
    AuthActions(alex).submit("/p/ratings", "/p/ratings", {n: "1" for n in names})
    csrf, names = rating_fields(pat)
    AuthActions(pat).submit("/p/ratings", "/p/ratings", {n: "5" for n in names})

    before = pat.get("/p/ratings").get_data(as_text=True)
    assert 'id="both-sides"' not in before
    assert "Both sides' scores" not in before
    # Pat's own form shows only Pat's answers (5), none of Alex's (1).
    assert re.findall(r'value="(\d)" checked', before) == ["5"] * 8
    view = pat.get("/p/view").get_data(as_text=True)
    assert "See both sides" not in view

    with_conversation(app, ref, lambda c: ratings.reveal(c, True))
    after = pat.get("/p/ratings")
    text = page_text(after)
    assert 'id="both-sides"' in after.get_data(as_text=True)
    assert "Both sides' scores" in text
    assert "Biggest difference" in text
    table = text[text.index("Both sides' scores"):]
    assert "Mutual knowledge" in table and "5" in table and "1" in table
    assert "See both sides' scores side by side" in page_text(pat.get("/p/view"))


# --- closing, removing, leaving -------------------------------------------------------------


def test_closed_conversation_is_read_only_for_participants(app, client, make_conversation):
    from convo.conversations import service

    ref = make_conversation()
    join(client, ref, 0)
    add_item(client, "Said before the end")
    [item] = items_of(app, ref.id)
    csrf = csrf_from(client.get("/p").get_data(as_text=True))
    with_conversation(app, ref, service.close)

    page = client.get("/p")
    assert page.status_code == 200
    text = page_text(page)
    assert "This conversation has closed. Thank you." in text
    assert "Said before the end" in text
    assert 'id="add-form"' not in page.get_data(as_text=True)
    assert "Change this point" not in text

    for url, data in (
        ("/p/items", {"text": "Too late", "kind": "note", "client_id": "too-late-0001"}),
        (f"/p/items/{item.id}", {"text": "Changed after", "kind": "note"}),
        ("/p/ratings", {}),
    ):
        refused = client.post(url, data={"csrf_token": csrf, **data})
        assert refused.status_code == 403, url
        assert "This conversation has closed" in page_text(refused)
    as_json = client.post("/p/items", data={"csrf_token": csrf, "text": "Too late",
                                            "kind": "note", "client_id": "too-late-0002"},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 403 and as_json.get_json()["reason"] == "closed"
    assert [i.text for i in items_of(app, ref.id)] == ["Said before the end"]
    assert client.get("/p/ratings").status_code == 200
    assert client.get("/p/view").status_code == 200


def revoke_as(client: FlaskClient, auth: Any, ref: ConversationRef, device_id: int,
              **kwargs: Any):  # type: ignore[no-untyped-def]
    return client.post(f"/c/{ref.id}/devices/{device_id}/revoke",
                       data={"csrf_token": auth.csrf("/account")}, **kwargs)


def device_ids(app: Flask, conversation_id: int) -> list[int]:
    from convo.extensions import db
    from convo.models import Device

    with app.app_context():
        return list(db.session.scalars(select(Device.id).where(
            Device.conversation_id == conversation_id).order_by(Device.id)))


def test_facilitator_removes_a_device_and_it_can_no_longer_write(app, client, auth,
                                                                 make_conversation):
    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref, 0)
    csrf = csrf_from(phone.get("/p").get_data(as_text=True))
    version = version_of(app, ref)
    [device_id] = device_ids(app, ref.id)

    auth.sign_in_as(ref.facilitator)
    response = revoke_as(client, auth, ref, device_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/conversations/{ref.id}/console")
    assert version_of(app, ref) > version

    gone = phone.get("/p")
    assert gone.status_code == 403
    text = page_text(gone)
    assert "was removed" in text and "Join again" in text
    assert phone.get("/p/view").status_code == 403
    refused = phone.post("/p/items", data={"csrf_token": csrf, "text": "After removal",
                                           "kind": "note", "client_id": "after-removal-1"})
    assert refused.status_code == 403
    assert items_of(app, ref.id) == []
    # Joining again works, as a new device.
    join(phone, ref, 0)
    assert phone.get("/p").status_code == 200


def test_revoking_goes_back_to_a_same_site_page_only(app, client, auth, make_conversation):
    ref = make_conversation()
    phone, other_phone = app.test_client(), app.test_client()
    join(phone, ref, 0)
    join(other_phone, ref, 1)
    first, second = device_ids(app, ref.id)
    auth.sign_in_as(ref.facilitator)
    back = revoke_as(client, auth, ref, first,
                     headers={"Referer": f"http://localhost/conversations/{ref.id}/console?x=1"})
    assert back.headers["Location"] == f"/conversations/{ref.id}/console?x=1"
    away = revoke_as(client, auth, ref, second, headers={"Referer": "https://evil.example/x"})
    assert away.headers["Location"].endswith(f"/conversations/{ref.id}/console")
    assert "evil" not in away.headers["Location"]


def test_only_the_owner_can_remove_a_device(app, client, auth, make_conversation,
                                            make_facilitator):
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref, 0)
    [device_id] = device_ids(app, ref.id)

    anonymous = app.test_client()
    csrf = csrf_from(anonymous.get("/join").get_data(as_text=True))
    response = anonymous.post(f"/c/{ref.id}/devices/{device_id}/revoke",
                              data={"csrf_token": csrf})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    auth.sign_in_as(make_facilitator())
    assert revoke_as(client, auth, ref, device_id).status_code == 404
    # The owner can't remove another conversation's device through their own either.
    mine = make_conversation(facilitator=ref.facilitator)
    auth.sign_out()
    auth.sign_in_as(ref.facilitator)
    assert client.post(f"/c/{mine.id}/devices/{device_id}/revoke",
                       data={"csrf_token": auth.csrf("/account")}).status_code == 404
    with app.app_context():
        assert db.session.get(Device, device_id).revoked_at is None
    assert phone.get("/p").status_code == 200


def test_leaving_forgets_the_device(app, client, make_conversation):
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    join(client, ref, 0)
    csrf = csrf_from(client.get("/p").get_data(as_text=True))
    response = client.post("/p/leave", data={"csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith("/join")
    assert session_token(client) is None
    assert client.get("/p").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Device)).one().revoked_at is not None


# --- staying inside your own conversation ---------------------------------------------------


def test_a_participant_can_reach_only_their_own_conversation(app, client, make_conversation):
    from convo.conversations import capture
    from convo.conversations.capture import Author

    a = make_conversation()
    b = make_conversation(set_id="lto_review")
    b_owner_item = with_conversation(app, b, lambda c: capture.add(
        c, client_id="b-item-000001", text="B's own point", kind="note",
        raised_by="facilitator", stage_id="lto_review", question_id=None,
        author=Author(facilitator_id=b.facilitator.id))[0].id)
    join(client, a, 0)

    # Items posted with B's stage land in A, at A's current place; B is untouched.
    response = add_item(client, "Meant for B", stage_id="lto_review",
                        question_id="lto_what_it_does")
    assert response.status_code == 302
    [item] = items_of(app, a.id)
    assert item.stage_id != "lto_review" and item.question_id != "lto_what_it_does"
    assert [i.text for i in items_of(app, b.id)] == ["B's own point"]

    # B's item can't be opened or changed.
    assert client.get(f"/p/items/{b_owner_item}").status_code == 404
    csrf = csrf_from(client.get("/p").get_data(as_text=True))
    assert client.post(f"/p/items/{b_owner_item}", data={
        "csrf_token": csrf, "text": "Changed", "kind": "note"}).status_code == 404

    # The facilitator's pages for B need a facilitator's sign-in.
    for url in (f"/c/{b.id}/screen", f"/conversations/{b.id}/console",
                f"/conversations/{b.id}"):
        reached = client.get(url)
        assert reached.status_code in (302, 401, 403, 404), url
        if reached.status_code == 302:
            assert "/sign-in" in reached.headers["Location"], url
    device_b = app.test_client()
    join(device_b, b, 0)
    [b_device] = device_ids(app, b.id)
    revoked = client.post(f"/c/{b.id}/devices/{b_device}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 302 and "/sign-in" in revoked.headers["Location"]
    assert device_b.get("/p").status_code == 200

    # Ratings from A's device are A's.
    csrf, names = rating_fields(client)
    AuthActions(client).submit("/p/ratings", "/p/ratings", {names[0]: "3"})
    from convo.extensions import db
    from convo.models import Rating

    with app.app_context():
        assert {r.conversation_id for r in db.session.scalars(select(Rating))} == {a.id}


# --- the facilitator's list of devices ------------------------------------------------------


def test_devices_list_and_partial(app, make_conversation):
    from flask import render_template

    from convo.extensions import db
    from convo.live import devices
    from convo.models import Conversation

    ref = make_conversation()
    phones = [app.test_client() for _ in range(3)]
    for n, phone in enumerate(phones):
        join(phone, ref, n + 1)
    csrf = csrf_from(phones[0].get("/p").get_data(as_text=True))
    phones[0].post("/p/leave", data={"csrf_token": csrf})

    with app.test_request_context():
        conversation = db.session.get(Conversation, ref.id)
        listed = devices.devices_for(conversation)
        assert [d.participant.name for d in listed] == ["Dr Alex Moore", "Jordan Lee"]
        assert len(devices.devices_for(conversation, include_revoked=True)) == 3
        html = render_template("live/_devices.html", conversation=conversation, devices=listed)
    assert "Dr Alex Moore" in html and "Primary Care Network manager" in html
    assert "Jordan Lee" not in html  # shown by role, as they asked
    assert html.count("Remove this device") == 2
    assert f'/c/{ref.id}/devices/{listed[0].id}/revoke' in html
    assert 'name="csrf_token"' in html


def test_last_seen_is_written_at_most_every_five_minutes(app, client, make_conversation,
                                                    monkeypatch):
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    join(client, ref, 0)

    def seen():  # type: ignore[no-untyped-def]
        with app.app_context():
            return db.session.scalars(select(Device)).one().last_seen_at

    first = seen()
    now += timedelta(minutes=4, seconds=59)
    client.get("/p/view?v=0")
    assert seen() == first
    now += timedelta(seconds=2)
    client.get("/p/view?v=0")
    assert seen() > first


def test_find_ignores_revoked_unknown_and_closed(app, make_conversation):
    from convo.conversations import service
    from convo.extensions import db
    from convo.live import devices
    from convo.models import Conversation, Participant

    ref = make_conversation()
    with app.test_request_context():
        conversation = db.session.get(Conversation, ref.id)
        person = db.session.get(Participant, ref.participant_ids[0])
        device, raw = devices.issue(conversation, person)
        db.session.flush()
        assert devices.find(raw) is device
        assert devices.find("not-a-token") is None and devices.find(None) is None
        service.close(conversation)
        assert devices.find(raw) is None and devices.lookup(raw) is device
        service.reopen(conversation)
        devices.revoke(device)
        assert devices.find(raw) is None
        db.session.rollback()


def test_people_can_join_before_the_conversation_starts(client, make_conversation):
    ref = make_conversation(status="upcoming")
    join(client, ref, 0)
    text = page_text(client.get("/p"))
    assert "The conversation hasn't started yet." in text
    assert add_item(client, "A thought before we begin").status_code == 302


# --- the participant rows of the access matrix ----------------------------------------------

PARTICIPANT_VISITORS = ["anonymous", "participant_elsewhere", "revoked_device"]


def _participant_rules(app: Flask) -> list[tuple[str, str]]:
    rules = [(rule.rule, method) for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/p") and rule.endpoint.startswith("live.")
             for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    # Leaving forgets the device, so it goes last: every other URL is tried with it.
    return sorted(rules, key=lambda pair: pair[0] == "/p/leave")


def _export(app: Flask, conversation_id: int) -> dict[str, Any]:
    from convo.conversations import exporting
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        data = exporting.export(db.session.get(Conversation, conversation_id))
        data.pop("exported_by", None)
        return data


@pytest.mark.parametrize("visitor", PARTICIPANT_VISITORS)
def test_participant_urls_never_reach_another_conversation(app, make_conversation, visitor):
    from convo.conversations import capture
    from convo.conversations.capture import Author

    target = make_conversation()
    elsewhere = make_conversation()
    owner = app.test_client()
    join(owner, target, 0)
    add_item(owner, "Private words", kind="note")
    [item] = items_of(app, target.id)

    client = app.test_client()
    if visitor == "participant_elsewhere":
        join(client, elsewhere, 0)
    elif visitor == "revoked_device":
        join(client, target, 1)
        from convo.extensions import db
        from convo.live import devices
        from convo.models import Device

        with app.app_context():
            device = db.session.scalars(select(Device).where(
                Device.participant_id == target.participant_ids[1])).one()
            devices.revoke(device)
            db.session.commit()
    with_conversation(app, target, lambda c: capture.add(
        c, client_id="facilitator-0001", text="Facilitator words", kind="note",
        raised_by="both", stage_id="open", question_id=None,
        author=Author(facilitator_id=target.facilitator.id)))
    before = _export(app, target.id)

    csrf = csrf_from(client.get("/join").get_data(as_text=True))
    checked = 0
    for rule, method in _participant_rules(app):
        url = rule.replace("<int:item_id>", str(item.id))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={
                "csrf_token": csrf, "text": "Intruder", "kind": "note",
                "client_id": f"intruder-{checked:04d}", "stage_id": "open",
                "score-eight_criteria-trust-now": "1", "relationship_now": "powerful_allies"})
        body = page_text(response)
        assert "Private words" not in body and "Facilitator words" not in body, (
            f"{visitor} read {method} {url}")
        if visitor == "participant_elsewhere":
            # Their own pages work, for their own conversation; another's item is 404.
            if "<int:item_id>" in rule:
                assert response.status_code == 404, f"{visitor} {method} {url}"
        elif rule == "/p/leave":
            assert response.status_code == 302
        elif rule == "/p/language":  # a phone's own language: open to anyone, changes no record
            assert response.status_code == 422, f"{visitor} {method} {url}"  # no language sent
        elif method == "GET" and visitor == "anonymous":
            assert response.status_code in (302, 401), f"{visitor} {method} {url}"
            if response.status_code == 302:
                assert response.headers["Location"].endswith("/join")
        else:
            assert response.status_code in (401, 403), f"{visitor} {method} {url}"
        checked += 1
    assert checked >= 8
    assert _export(app, target.id) == before


def test_an_unchanged_view_still_notes_the_device_once_a_minute(app, client, make_conversation,
                                                                monkeypatch):
    # The 204 answer takes a one-query shortcut; it must still write last_seen_at when due.
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    join(client, ref, 0)
    version = version_of(app, ref)

    def seen():  # type: ignore[no-untyped-def]
        with app.app_context():
            return db.session.scalars(select(Device)).one().last_seen_at

    first = seen()
    now += timedelta(minutes=4, seconds=59)
    assert client.get(f"/p/view?v={version}").status_code == 204
    assert seen() == first
    now += timedelta(seconds=2)
    assert client.get(f"/p/view?v={version}").status_code == 204
    assert seen() > first


def test_a_removed_device_is_refused_even_when_nothing_changed(app, client, make_conversation):
    from convo.extensions import db
    from convo.models import Device

    ref = make_conversation()
    join(client, ref, 0)
    with app.app_context():
        device = db.session.scalars(select(Device)).one()
        device.revoked_at = clock.utcnow()  # revoked without a version bump
        db.session.commit()
    assert client.get(f"/p/view?v={version_of(app, ref)}").status_code == 403
