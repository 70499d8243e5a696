"""Sessions end on the server: signing out, "Sign out everywhere", a session left idle, a
session older than its lifetime, and a new password elsewhere.  A copy of the cookie taken
before any of these opens nothing afterwards, including the console's every-second poll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from convo.core import clock
from tests.conftest import AuthActions, page_text


@pytest.fixture
def config_overrides():  # type: ignore[no-untyped-def]
    return {"SESSION_IDLE_MINUTES": 30}


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this one's session cookie, as taken by someone else."""
    other = app.test_client()
    other.set_cookie("convo_session", client.get_cookie("convo_session").value)
    return other


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/conversations")
    if response.status_code == 302:
        assert "/sign-in" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def sessions_of(app: Flask, facilitator_id: int) -> int:
    from convo.extensions import db
    from convo.models import FacilitatorSession

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FacilitatorSession).where(
            FacilitatorSession.facilitator_id == facilitator_id)) or 0


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app, client, auth,
                                                                make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    stolen = copy_of(app, client)
    assert signed_in(stolen)
    poll = f"/conversations/{ref.id}/console/view?v=0"
    version = stolen.get(poll).headers["X-Convo-Version"]
    assert stolen.get(f"{poll[:-1]}{version}").status_code == 204  # the fast answer, for now
    auth.sign_out()
    assert not signed_in(client)
    assert not signed_in(stolen)  # at once, not 12 hours later
    assert stolen.get(f"{poll[:-1]}{version}").status_code == 401  # nor the poll
    assert stolen.get(f"/c/{ref.id}/screen/view?v={version}").status_code == 401
    assert sessions_of(app, ref.facilitator.id) == 0


def test_sign_out_everywhere(app, client, auth, make_facilitator):
    person = make_facilitator()
    laptop = app.test_client()
    AuthActions(laptop).sign_in_as(person)
    auth.sign_in_as(person)
    stolen = copy_of(app, laptop)
    assert sessions_of(app, person.id) == 2
    account = page_text(client.get("/account"))
    assert "You are signed in on 2 phones and computers, counting this one." in account
    response = auth.post("/account/sign-out-everywhere", form_page="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "You have signed out everywhere" in page_text(client.get("/sign-in"))
    assert not signed_in(client) and not signed_in(laptop) and not signed_in(stolen)
    assert sessions_of(app, person.id) == 0
    auth.sign_in_as(person)  # signing in again works as usual
    assert signed_in(client)


def test_sign_out_everywhere_needs_csrf(client, auth, make_facilitator):
    auth.sign_in_as(make_facilitator())
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert signed_in(client)


def test_an_idle_session_ends(app, client, auth, make_facilitator, monkeypatch):
    person = make_facilitator()
    auth.sign_in_as(person)
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for _ in range(5):  # used every 20 minutes: it lasts well past 30 minutes
        now += timedelta(minutes=20)
        assert signed_in(client)
    now += timedelta(minutes=31)
    assert not signed_in(client)
    assert "Please sign in" in page_text(client.get("/sign-in"))


def test_a_session_ends_after_its_lifetime_however_busy(app, client, auth, make_facilitator,
                                                         monkeypatch):
    auth.sign_in_as(make_facilitator())
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for _ in range(12 * 3 - 1):
        now += timedelta(minutes=20)
        assert signed_in(client)
    now += timedelta(minutes=21)  # 12 hours and a minute after signing in
    assert not signed_in(client)


def test_a_poll_keeps_the_session_in_use(app, client, auth, make_conversation, monkeypatch):
    """The console's polls are use: a conversation run without touching the keyboard for an
    hour doesn't sign the facilitator out."""
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    poll = f"/conversations/{ref.id}/console/view"
    version = client.get(poll).headers["X-Convo-Version"]
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for _ in range(12):
        now += timedelta(minutes=5)
        assert client.get(f"{poll}?v={version}").status_code == 204
    assert signed_in(client)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, client, auth,
                                                                   make_facilitator):
    person = make_facilitator()
    other = app.test_client()
    AuthActions(other).sign_in_as(person)
    auth.sign_in_as(person)
    response = auth.post("/account/password", data={
        "current": person.password, "password": "a brand new long passphrase",
        "confirm": "a brand new long passphrase"})
    assert response.status_code == 302, page_text(response)
    assert signed_in(client)
    assert not signed_in(other)
    assert sessions_of(app, person.id) == 1


def test_the_database_keeps_no_session_token(app, client, auth, make_facilitator):
    from convo.extensions import db
    from convo.models import FacilitatorSession

    person = make_facilitator()
    auth.sign_in_as(person)
    with client.session_transaction() as session:
        raw = session["signin"]
    with app.app_context():
        stored = db.session.scalars(select(FacilitatorSession.token_hash)).all()
    assert len(stored) == 1 and raw not in stored[0] and len(stored[0]) == 64
