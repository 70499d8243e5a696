"""The access matrix: every conversation URL, visited by everyone who mustn't reach it.

Visitors: nobody signed in; another facilitator; a participant's device from another
conversation; a device that was removed; a copy of the owner's own session cookie, replayed
after the owner signed out.  Facilitator pages send people who aren't signed in
to sign in, and answer 404 to other facilitators (a conversation's existence stays private).
Nothing changes in the database whatever they try.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import AuthActions, page_text
from tests.queueing import run_jobs

VISITORS = ["anonymous", "other_facilitator", "participant_elsewhere", "revoked_device",
            "signed_out_cookie"]


def _conversation_rules(app: Flask) -> list[tuple[str, str, frozenset[str]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "conversation_id" in rule.arguments and rule.endpoint != "static":
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                rules.append((rule.rule, method, frozenset(rule.arguments)))
    return rules


def _fill(rule: str, values: dict[str, object]) -> str:
    """The rule with its variables filled in (whatever their converter); every one must be."""
    url = re.sub(r"<(?:[^<>:]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)
    assert "<" not in url and ">" not in url, url
    return url


def _join(app: Flask, code: str, participant_id: int):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get(f"/j/{code}")
    token = AuthActions(client).csrf(f"/j/{code}") if page.status_code == 200 else ""
    client.post(f"/j/{code}", data={"participant_id": str(participant_id), "csrf_token": token})
    return client


def _snapshot(app: Flask, conversation_id: int) -> dict[str, object]:
    from convo.conversations import exporting
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        data = exporting.export(db.session.get(Conversation, conversation_id))
        data.pop("exported_by")
        return data


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_visitor_reaches_another_conversation(app, make_conversation, make_facilitator,
                                                 visitor):
    target = make_conversation()
    elsewhere = make_conversation()
    with app.app_context():
        from convo.conversations import capture
        from convo.extensions import db
        from convo.models import Conversation, Device

        conversation = db.session.get(Conversation, target.id)
        item, _ = capture.add(conversation, client_id="x", text="Private words", kind="note",
                              raised_by="both", stage_id="open", question_id=None,
                              author=capture.Author(facilitator_id=target.facilitator.id))
        db.session.commit()
        item_id = item.id

    if visitor == "anonymous":
        client = app.test_client()
    elif visitor == "other_facilitator":
        client = app.test_client()
        AuthActions(client).sign_in_as(make_facilitator())
    elif visitor == "signed_out_cookie":
        owner_browser = app.test_client()
        AuthActions(owner_browser).sign_in_as(target.facilitator)
        client = app.test_client()
        client.set_cookie("convo_session", owner_browser.get_cookie("convo_session").value)
        assert client.get(f"/conversations/{target.id}").status_code == 200  # it worked...
        AuthActions(owner_browser).sign_out()  # ...until the owner signed out
    else:
        owner = elsewhere if visitor == "participant_elsewhere" else target
        client = _join(app, owner.join_code, owner.participant_ids[0])
        if visitor == "revoked_device":
            from convo.live import devices

            with app.app_context():
                for device in db.session.query(Device).filter_by(conversation_id=target.id):
                    devices.revoke(device)
                db.session.commit()

    before = _snapshot(app, target.id)
    token = AuthActions(client).csrf("/account" if visitor == "other_facilitator" else "/join")
    values = {"conversation_id": target.id, "item_id": item_id,
              "participant_id": target.participant_ids[0], "party": "partnership",
              "action": "delete", "device_id": 1, "number": 1, "kind": "pdf", "send_id": 1}
    checked = 0
    for rule, method, _args in _conversation_rules(app):
        url = _fill(rule, values)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={
                "csrf_token": token, "text": "Intruder", "kind": "note", "raised_by": "both",
                "mode": "items", "direction": "next", "reveal": "1", "item": [str(item_id)],
                "confirm": "y", "status": "done"})  # so an open door would really act
        body = page_text(response)
        assert "Private words" not in body, f"{visitor} read {method} {url}"
        if visitor in ("anonymous", "participant_elsewhere", "revoked_device",
                       "signed_out_cookie"):
            assert response.status_code in (302, 401, 403, 404), f"{visitor} {method} {url}"
            if response.status_code == 302:
                assert "/sign-in" in response.headers["Location"], f"{visitor} {method} {url}"
        else:
            assert response.status_code in (403, 404), f"{visitor} {method} {url}"
        checked += 1
    assert checked >= 25
    assert _snapshot(app, target.id) == before


PARTNERSHIP_VISITORS = ["anonymous", "other_facilitator", "participant", "co_of_another"]


@pytest.mark.parametrize("visitor", PARTNERSHIP_VISITORS)
def test_no_visitor_reaches_another_partnership(app, make_conversation, make_facilitator,
                                                visitor):
    """Every partnership URL (its map, entries, history, tracker, reminders, export,
    combining), visited by everyone who mustn't reach it: sign-in or 404, nothing changed."""
    from convo.conversations import capture
    from convo.extensions import db
    from convo.models import Conversation, Facilitator
    from convo.partnerships import exporting, service

    target = make_conversation()
    elsewhere = make_conversation()
    with app.app_context():
        conversation = db.session.get(Conversation, target.id)
        item, _ = capture.add(conversation, client_id="x", text="Private words", kind="action",
                              raised_by="both", stage_id="open", question_id=None,
                              author=capture.Author(facilitator_id=target.facilitator.id))
        owner = db.session.get(Facilitator, target.facilitator.id)
        partnership = service.load_for(conversation.partnership_id, owner)
        other = service.create(owner, "Another partnership", None)
        ids = {"partnership_id": partnership.id, "relationship_id":
               conversation.relationship_id, "item_id": item.id, "other_id": other.id,
               "kind": "pdf", "facilitator_id": owner.id}
        # The map's PDF made and waiting: nobody else may download it.
        from convo.partnerships import printing

        printing.request(partnership, "pdf", owner, "en_GB")
        # A mapping session under way, for its pages.
        from convo.partnerships import mapping

        partnership.criteria = "trust"
        ids["session_id"] = mapping.start(partnership, owner).id
        db.session.commit()
    run_jobs(app)
    with app.app_context():
        from convo.models import MapPrint

        assert db.session.scalar(select(MapPrint.status)) == "done"

    def snapshot() -> dict[str, object]:
        with app.test_request_context():
            from convo.models import Partnership

            data = exporting.export(db.session.get(Partnership, ids["partnership_id"]))
            data.pop("exported_at"), data.pop("exported_by")
            db.session.remove()
            return data

    if visitor == "anonymous":
        client = app.test_client()
    elif visitor == "participant":
        client = _join(app, target.join_code, target.participant_ids[0])
    else:
        client = app.test_client()
        AuthActions(client).sign_in_as(make_facilitator() if visitor == "other_facilitator"
                                       else elsewhere.facilitator)
    before = snapshot()
    token = AuthActions(client).csrf("/account" if visitor in ("other_facilitator",
                                                               "co_of_another") else "/join")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "partnership_id" not in rule.arguments:
            continue
        url = _fill(rule.rule, ids)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.open(
                url, method=method, data={"csrf_token": token, "name": "Intruder",
                                          "agency_name": "Intruder", "status": "done",
                                          "reminders_on": "y", "confirm": "y",
                                          "email": "x@example.org"})
            body = page_text(response)
            assert "Private words" not in body, f"{visitor} read {method} {url}"
            if visitor in ("anonymous", "participant"):
                assert response.status_code in (302, 401, 403, 404), f"{visitor} {method} {url}"
                if response.status_code == 302:
                    assert "/sign-in" in response.headers["Location"], f"{method} {url}"
            else:
                assert response.status_code in (403, 404), f"{visitor} {method} {url}"
            checked += 1
    assert checked >= 16
    assert snapshot() == before


def test_reminder_links_that_are_not_real_open_nothing(app, client):
    for url, status in (("/r/nothing", 400), ("/r/" + "a" * 43 + ".bbbbbbbbbbbbbbbbbbbbbbbb", 400),
                        ("/r/stop/nothing", 400), ("/r/stop/x.y", 400)):
        assert client.get(url).status_code == status, url
        assert client.post(url, data={}).status_code in (400, 403), url


def test_the_rooms_urls_are_in_the_matrix(app):
    """Issue 16's URLs (the countdown, the screen's paging, opening a point on the screen, the
    appendix choice, the run sheet) are among those every visitor above is sent to."""
    rules = {rule for rule, _method, _args in _conversation_rules(app)}
    assert {
        "/conversations/<int:conversation_id>/timer",
        "/conversations/<int:conversation_id>/screen/page",
        "/conversations/<int:conversation_id>/screen/point",
        "/conversations/<int:conversation_id>/screen/join-strip",
        "/conversations/<int:conversation_id>/run-sheet",
        "/conversations/<int:conversation_id>/run-sheet.pdf",
        "/c/<int:conversation_id>/summary/appendix",
    } <= rules
