"""Throttles that can't be turned against a room, nor against a facilitator.

Every client here comes from the same network address (127.0.0.1), as phones on a venue's
Wi-Fi or everyone behind a proxy do.  A guesser slows and locks only their own browser; a
guesser who throws cookies away is seen across the site, the console says so, and a new code
is one click; a flood of made-up accounts (or of wrong passwords for a real one) can't lock a
facilitator out of a browser where they signed in before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from convo.core import clock
from tests.conftest import AuthActions, csrf_from, page_text
from tests.integration.test_participant import add_item, join


@pytest.fixture
def config_overrides():  # type: ignore[no-untyped-def]
    return {"JOIN_ALERT_AFTER": 12, "JOIN_CODE_BUDGET": 40, "SIGNIN_IP_LOCK_AFTER": 20}


def test_the_room_joins_after_a_guesser_on_its_network(app, client, make_conversation,
                                                       monkeypatch):
    ref = make_conversation()
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    guesser = app.test_client()
    for n in range(100):  # a bored participant, at the pace their slowing-down allows
        response = guesser.get(f"/j/WRONG{n:03d}")
        assert response.status_code in (404, 429)
        if response.status_code == 429:
            if int(response.headers["Retry-After"]) > 60:
                break  # locked out for a while
            now += timedelta(seconds=int(response.headers["Retry-After"]))
    locked = guesser.get(f"/j/{ref.join_code}")
    assert locked.status_code == 429  # the guesser is locked out, right code or not...
    assert "on this phone or computer" in page_text(locked)
    for index in range(4):  # ...and the rest of the room, on the same address, joins
        phone = app.test_client()
        join(phone, ref, index)
        assert add_item(phone, f"Point from phone {index}").status_code == 302


def code_of(app: Flask, conversation_id: int) -> str:
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        return db.session.get(Conversation, conversation_id).join_code or ""


def later(monkeypatch, minutes: float = 1):  # type: ignore[no-untyped-def]
    """Move the clock on: guesses are counted in whole minutes after a code was issued."""
    now = clock.utcnow() + timedelta(minutes=minutes)
    monkeypatch.setattr(clock, "utcnow", lambda: now)


def test_a_guesser_without_cookies_shows_on_the_console(app, client, auth, make_conversation,
                                                        monkeypatch):
    ref = make_conversation()
    later(monkeypatch)
    auth.sign_in_as(ref.facilitator)
    console = f"/conversations/{ref.id}/console"
    assert "Someone may be guessing join codes" not in page_text(client.get(console))
    poll = client.get(f"{console}/view?v=0")
    version = poll.headers["X-Convo-Version"]
    for n in range(12):  # a fresh browser each time: never slowed, but counted
        assert app.test_client().get(f"/j/WRONG{n:03d}").status_code == 404
    follow = client.get(f"{console}/view?v={version}")
    assert follow.status_code == 200  # the console looks again by itself...
    assert "Someone may be guessing join codes" in page_text(follow)  # ...and says so
    assert "12 codes that didn't work were tried across convo in the last 15 minutes" in (
        page_text(follow))

    phone = app.test_client()
    join(phone, ref)
    old_code = ref.join_code
    response = auth.post(f"/c/{ref.id}/join-code", form_page=console)
    assert response.status_code == 302
    later(monkeypatch, 2)
    body = page_text(client.get(console))
    assert "Someone may be guessing join codes" not in body  # the new code is unguessed
    assert old_code.upper() not in body.replace("-", "")
    assert app.test_client().get(f"/j/{old_code}").status_code == 404
    assert add_item(phone, "Still here after the new code").status_code == 302  # joined stay
    new_code = code_of(app, ref.id)
    assert new_code != old_code and f"{new_code[:4]}-{new_code[4:]}" in body
    assert app.test_client().get(f"/j/{new_code}").status_code == 200


def test_a_code_that_used_up_its_guess_budget_admits_no_one_new(app, client, auth,
                                                                 make_conversation, monkeypatch):
    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref)
    later(monkeypatch)
    for n in range(40):
        app.test_client().get(f"/j/WRONG{n:03d}")
    refused = app.test_client().get(f"/j/{ref.join_code}")
    assert refused.status_code == 410
    assert "This code has been replaced" in page_text(refused)
    assert add_item(phone, "Joined before: still works").status_code == 302
    auth.sign_in_as(ref.facilitator)
    console = page_text(client.get(f"/conversations/{ref.id}/console"))
    assert "This join code has stopped working for anyone new." in console
    auth.post(f"/c/{ref.id}/join-code", form_page=f"/conversations/{ref.id}/console")
    assert app.test_client().get(f"/j/{code_of(app, ref.id)}").status_code == 200


def test_only_the_owner_issues_a_new_code(app, client, auth, make_conversation,
                                          make_facilitator):
    ref = make_conversation()
    auth.sign_in_as(make_facilitator())
    response = auth.post(f"/c/{ref.id}/join-code", form_page="/account")
    assert response.status_code == 404
    assert app.test_client().get(f"/j/{ref.join_code}").status_code == 200


def _sign_in(app: Flask, browser, email: str, password: str):  # type: ignore[no-untyped-def]
    page = browser.get("/sign-in").get_data(as_text=True)
    return browser.post("/sign-in", data={"email": email, "password": password,
                                          "csrf_token": csrf_from(page)})


def known_browser(app: Flask, person):  # type: ignore[no-untyped-def]
    """A browser where this facilitator signed in before (and then signed out)."""
    browser = app.test_client()
    AuthActions(browser).sign_in_as(person)
    AuthActions(browser).sign_out()
    return browser


def test_made_up_accounts_from_one_address_dont_lock_a_facilitator_out(app, make_facilitator):
    person = make_facilitator()
    laptop = known_browser(app, person)
    flood = app.test_client()
    for n in range(25):  # made-up accounts, one try each, from the same address
        _sign_in(app, flood, f"made-up-{n}@example.org", "guess guess guess")
    stranger = app.test_client()
    assert _sign_in(app, stranger, person.email, person.password).status_code == 429
    # Where the facilitator signed in before, the address's lock doesn't reach them.
    assert _sign_in(app, laptop, person.email, person.password).status_code == 302


def test_wrong_passwords_for_an_account_dont_lock_its_known_browser(app, make_facilitator,
                                                                    monkeypatch):
    person = make_facilitator()
    laptop = known_browser(app, person)
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    attacker = app.test_client()
    for _ in range(app.config["SIGNIN_LOCK_AFTER"]):
        now += timedelta(minutes=1)
        _sign_in(app, attacker, person.email, "not their password")
    assert _sign_in(app, attacker, person.email, person.password).status_code == 429
    assert _sign_in(app, laptop, person.email, person.password).status_code == 302


def test_a_known_browser_is_slowed_by_its_own_failures(app, make_facilitator, monkeypatch):
    person = make_facilitator()
    laptop = known_browser(app, person)
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for _ in range(app.config["SIGNIN_SLOW_AFTER"]):
        assert _sign_in(app, laptop, person.email, "typo in the password").status_code == 401
    assert _sign_in(app, laptop, person.email, person.password).status_code == 429
    now += timedelta(minutes=1)
    assert _sign_in(app, laptop, person.email, person.password).status_code == 302


def test_a_forged_known_device_cookie_counts_for_nothing(app, make_facilitator):
    person = make_facilitator()
    flood = app.test_client()
    for n in range(25):
        _sign_in(app, flood, f"made-up-{n}@example.org", "guess guess guess")
    forged = app.test_client()
    forged.set_cookie("convo_known", f'{{"f": {person.id}, "k": "x"}}', path="/sign-in")
    assert _sign_in(app, forged, person.email, person.password).status_code == 429
