"""Who may join as whom, and how fast: a listed person already joined on one device can't be
taken over silently from another (the facilitator lets the second in, or the first leaves),
and one person can't flood the conversation with points (a clear "slow down", nothing lost)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from convo.core import clock
from tests.conftest import csrf_from, page_text
from tests.integration.test_participant import add_item, form_fields, items_of, join


def console(client, auth, ref):  # type: ignore[no-untyped-def]
    auth.sign_in_as(ref.facilitator)
    return page_text(client.get(f"/conversations/{ref.id}/console"))


def waiting_device_id(app, ref) -> int:  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Device

    with app.app_context():
        return db.session.scalars(select(Device.id).where(
            Device.conversation_id == ref.id, Device.approved_at.is_(None),
            Device.revoked_at.is_(None))).one()


def test_a_second_device_waits_for_the_facilitator(app, client, auth, make_conversation):
    ref = make_conversation()
    first = app.test_client()
    join(first, ref, 0)
    second = app.test_client()  # someone else picks the same name: Pat Okafor
    join(second, ref, 0)
    page = second.get("/p")
    assert page.status_code == 200
    body = page_text(page)
    assert "Waiting for the facilitator to let you in" in body
    assert "Pat Okafor has already joined on another phone or computer" in body
    assert "Add a point" not in body  # nothing of the conversation's own
    assert add_item(second, "Taking over", as_json=True).status_code == 403
    assert second.get("/p/view?v=0").status_code == 401
    assert second.get("/p/ratings").status_code == 200  # the waiting page again
    assert "Waiting for the facilitator" in page_text(second.get("/p/ratings"))
    assert add_item(first, "Still mine").status_code == 302  # the first device carries on

    shown = console(client, auth, ref)
    assert "Waiting for you to let it in: already joined on another device" in shown
    device_id = waiting_device_id(app, ref)
    response = auth.post(f"/c/{ref.id}/devices/{device_id}/let-in",
                         form_page=f"/conversations/{ref.id}/console")
    assert response.status_code == 302
    assert "second phone or computer is let in" in page_text(
        client.get(f"/conversations/{ref.id}/console"))
    assert add_item(second, "Now from my laptop").status_code == 302
    assert [i.text for i in items_of(app, ref.id)] == ["Still mine", "Now from my laptop"]


def test_the_facilitator_can_refuse_a_waiting_device(app, client, auth, make_conversation):
    ref = make_conversation()
    join(app.test_client(), ref, 2)
    intruder = app.test_client()
    join(intruder, ref, 2)  # someone from the other side, choosing Dr Alex Moore
    console(client, auth, ref)
    device_id = waiting_device_id(app, ref)
    auth.post(f"/c/{ref.id}/devices/{device_id}/revoke",
              form_page=f"/conversations/{ref.id}/console")
    assert "This phone or computer was removed" in page_text(intruder.get("/p"))


def test_when_the_first_device_leaves_the_second_needs_no_one(app, make_conversation):
    ref = make_conversation()
    first = app.test_client()
    join(first, ref, 1)
    second = app.test_client()
    join(second, ref, 1)
    assert "Waiting for the facilitator" in page_text(second.get("/p"))
    first.post("/p/leave", data={"csrf_token": csrf_from(first.get("/p").get_data(
        as_text=True))})
    assert "Add a point" in page_text(second.get("/p"))
    assert add_item(second, "Moved to my laptop").status_code == 302


def test_joining_again_on_the_same_device_needs_no_ok(app, make_conversation):
    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref, 0)
    join(phone, ref, 0)  # the QR code scanned twice
    assert "Add a point" in page_text(phone.get("/p"))


def test_only_the_owner_lets_a_device_in(app, client, auth, make_conversation,
                                         make_facilitator):
    ref = make_conversation()
    join(app.test_client(), ref, 0)
    second = app.test_client()
    join(second, ref, 0)
    device_id = waiting_device_id(app, ref)
    auth.sign_in_as(make_facilitator())
    assert auth.post(f"/c/{ref.id}/devices/{device_id}/let-in",
                     form_page="/account").status_code == 404
    assert "Waiting for the facilitator" in page_text(second.get("/p"))


# --- slow down ----------------------------------------------------------------------------------


@pytest.fixture
def config_overrides():  # type: ignore[no-untyped-def]
    return {"PARTICIPANT_POINTS_PER_MINUTE": 20}


def test_a_flood_of_points_is_slowed_and_nothing_typed_is_lost(app, make_conversation,
                                                               monkeypatch):
    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref)
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    fields = form_fields(phone)
    answers = []
    for n in range(300):  # a phone sending as fast as it can
        answers.append(phone.post("/p/items", headers={"Accept": "application/json"}, data={
            **fields, "client_id": f"flood-{n:03d}", "text": f"Point {n}", "kind": "note"}))
        now += timedelta(milliseconds=40)  # 300 in 12 seconds
    assert [a.status_code for a in answers[:20]] == [201] * 20
    refused = answers[20:]
    assert {a.status_code for a in refused} == {429}
    assert refused[0].get_json()["reason"] == "slow_down"
    assert "You're adding points faster than convo accepts" in refused[0].get_json()["error"]
    assert int(refused[0].headers["Retry-After"]) == refused[0].get_json()["retry_after"] > 0
    assert len(items_of(app, ref.id)) == 20

    # A point already stored, sent again (a dropped answer), is answered as before.
    again = phone.post("/p/items", headers={"Accept": "application/json"}, data={
        **fields, "client_id": "flood-005", "text": "Point 5", "kind": "note"})
    assert again.status_code == 200 and again.get_json()["created"] is False

    # Without JavaScript: the point is back in its box, with the message beside it.
    page = phone.post("/p/items", data={**fields, "client_id": "by-hand",
                                        "text": "Typed by hand, and kept", "kind": "note"})
    assert page.status_code == 429
    body = page_text(page)
    assert "Typed by hand, and kept" in body and "faster than convo accepts" in body

    now += timedelta(seconds=int(refused[-1].headers["Retry-After"]))
    later = phone.post("/p/items", headers={"Accept": "application/json"}, data={
        **fields, "client_id": "flood-020", "text": "Point 20", "kind": "note"})
    assert later.status_code == 201  # once the minute has passed, sending again works
    assert len(items_of(app, ref.id)) == 21


def test_a_person_typing_at_a_normal_pace_is_never_slowed(app, make_conversation, monkeypatch):
    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref)
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for n in range(40):  # one point every ten seconds, for over six minutes
        assert add_item(phone, f"Considered point {n}").status_code == 302
        now += timedelta(seconds=10)
