"""Signing in and out, lock-out, CSRF, sessions and the first-account set-up."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from sqlalchemy import func, select

from convo.core import clock
from tests.conftest import DEFAULT_PASSWORD, csrf_from, page_text

GENERIC_FAILURE = "That email address and password don't match an account."


def test_sign_in_page_renders(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert "Sign in to convo" in page_text(response)


def test_sign_in_success_redirects_home(client, auth, make_facilitator):
    person = make_facilitator()
    response = auth.sign_in(person.email, person.password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/conversations"
    assert client.get("/account").status_code == 200


def test_sign_in_email_is_case_and_space_insensitive(auth, make_facilitator):
    person = make_facilitator(email="Chair@Example.org")
    assert auth.sign_in("  CHAIR@example.ORG ", person.password).status_code == 302


def test_sign_in_follows_only_local_next(client, auth, make_facilitator):
    person = make_facilitator()
    token = auth.csrf()
    ok = client.post("/sign-in?next=/account",
                     data={"email": person.email, "password": person.password, "csrf_token": token})
    assert ok.headers["Location"] == "/account"
    auth.sign_out()
    token = auth.csrf()
    evil = client.post("/sign-in?next=//evil.example/x",
                       data={"email": person.email, "password": person.password,
                             "csrf_token": token})
    assert evil.headers["Location"] == "/conversations"


@pytest.mark.parametrize("email", ["nobody@example.org", "known@example.org"])
def test_wrong_password_and_unknown_user_look_the_same(auth, make_facilitator, email):
    make_facilitator(email="known@example.org")
    response = auth.sign_in(email, "not the password at all")
    assert response.status_code == 401
    body = page_text(response)
    assert GENERIC_FAILURE in body
    assert "not the password" not in body  # the password is never echoed back


def test_sign_in_form_errors_are_summarised_and_linked(auth):
    response = auth.sign_in("", "")
    assert response.status_code == 422
    body = page_text(response)
    assert "There is a problem" in body
    assert 'href="#email"' in body and 'href="#password"' in body
    assert 'aria-invalid="true"' in body


def test_disabled_facilitator_cannot_sign_in(auth, make_facilitator):
    person = make_facilitator(disabled=True)
    response = auth.sign_in(person.email, person.password)
    assert response.status_code == 401
    assert GENERIC_FAILURE in page_text(response)


def test_disabling_ends_an_existing_session(app, client, auth, make_facilitator):
    person = make_facilitator()
    auth.sign_in_as(person)
    assert client.get("/account").status_code == 200
    with app.app_context():
        from convo.extensions import db
        from convo.models import Facilitator

        db.session.get(Facilitator, person.id).disabled = True
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_repeated_failures_slow_then_lock(app, auth, make_facilitator, monkeypatch):
    person = make_facilitator()
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    slow_after = app.config["SIGNIN_SLOW_AFTER"]
    lock_after = app.config["SIGNIN_LOCK_AFTER"]

    for _ in range(slow_after - 1):
        assert auth.sign_in(person.email, "wrong password!").status_code == 401
    # The next failure starts the slow-down: an immediate retry must wait.
    assert auth.sign_in(person.email, "wrong password!").status_code == 401
    waiting = auth.sign_in(person.email, person.password)
    assert waiting.status_code == 429
    assert "Please wait" in page_text(waiting)

    # Keep failing, each time after the wait, until locked.
    failures = slow_after
    while failures < lock_after:
        now += timedelta(minutes=5)
        failures += 1
        assert auth.sign_in(person.email, "wrong password!").status_code == 401
    locked = auth.sign_in(person.email, person.password)
    assert locked.status_code == 429
    assert "paused" in page_text(locked)

    # The lock holds even with the right password, then lifts after the lock time.
    now += timedelta(minutes=app.config["SIGNIN_LOCK_MINUTES"] + 1)
    assert auth.sign_in(person.email, person.password).status_code == 302


def test_lockout_applies_to_unknown_addresses_too(app, auth, monkeypatch):
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    for _ in range(app.config["SIGNIN_SLOW_AFTER"]):
        auth.sign_in("ghost@example.org", "wrong password!")
    assert auth.sign_in("ghost@example.org", "wrong password!").status_code == 429


def test_throttle_stores_no_email_or_address(app, auth):
    auth.sign_in("ghost@example.org", "wrong password!")
    with app.app_context():
        from convo.extensions import db
        from convo.models import Throttle

        rows = db.session.scalars(select(Throttle)).all()
        assert rows and all("ghost" not in row.key_hash and "127.0.0.1" not in row.key_hash
                            for row in rows)


def test_post_without_csrf_token_is_refused(client, make_facilitator):
    person = make_facilitator()
    response = client.post("/sign-in", data={"email": person.email, "password": person.password})
    assert response.status_code == 400
    assert "This form has expired" in page_text(response)
    assert client.get("/account").status_code == 302  # not signed in


def test_stale_csrf_token_is_refused(client, make_facilitator):
    person = make_facilitator()
    other = csrf_from(client.application.test_client().get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": person.email, "password": person.password,
                                              "csrf_token": other})
    assert response.status_code == 400


def test_sign_out_needs_post_with_csrf(client, auth, make_facilitator):
    auth.sign_in_as(make_facilitator())
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account").status_code == 200
    response = auth.sign_out()
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_tampered_session_cookie_is_anonymous(app, client, auth, make_facilitator):
    auth.sign_in_as(make_facilitator())
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    value = cookie.value
    tampered = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], tampered)
    response = client.get("/account")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_session_cookie_flags(app, auth, make_facilitator):
    response = auth.sign_in_as(make_facilitator())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize("config_overrides", [{"HTTPS": True}])
def test_session_cookie_secure_over_https(app, client, make_facilitator):
    person = make_facilitator()
    page = client.get("/sign-in", base_url="https://localhost")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/sign-in", base_url="https://localhost",
                           headers={"Referer": "https://localhost/sign-in"},
                           data={"email": person.email, "password": person.password,
                                 "csrf_token": token})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize("path", ["/account", "/account/password", "/question-sets",
                                  "/admin/facilitators", "/admin/facilitators/new",
                                  "/admin/question-sets"])
def test_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("path", ["/admin/facilitators", "/admin/facilitators/new",
                                  "/admin/question-sets"])
def test_admin_pages_refuse_other_facilitators(client, auth, make_facilitator, path):
    auth.sign_in_as(make_facilitator())
    assert client.get(path).status_code == 403


def test_huge_field_is_refused_cleanly(app, client, auth, make_facilitator):
    token = auth.csrf()
    response = client.post("/sign-in", data={"email": "a" * (1024 * 1024), "password": "x",
                                              "csrf_token": token})
    assert response.status_code in (413, 422)
    with app.app_context():
        from convo.extensions import db
        from convo.models import Throttle

        assert db.session.scalar(select(func.count()).select_from(Throttle)) == 0


def test_very_large_body_gets_413(client, auth):
    token = auth.csrf()
    response = client.post("/sign-in", data={"email": "a" * (5 * 1024 * 1024), "csrf_token": token})
    assert response.status_code == 413
    assert "too much to send" in page_text(response)


@pytest.mark.parametrize("email", [b"%FF%FEbad%C3", b"\xff\xfebad\xc3"])
def test_non_utf8_bytes_get_a_clear_message(app, client, auth, email):
    token = auth.csrf()
    body = b"email=" + email + b"&password=whatever12345&csrf_token=" + token.encode()
    response = client.post("/sign-in", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "couldn't be read" in page_text(response)
    with app.app_context():
        from convo.extensions import db
        from convo.models import Throttle

        assert db.session.scalar(select(func.count()).select_from(Throttle)) == 0


def test_non_utf8_multipart_field_gets_a_field_message(client, auth):
    token = auth.csrf()
    response = client.post("/sign-in", data={"email": "\ufffdbad", "password": "whatever12345",
                                              "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "couldn't be read" in page_text(response)


# --- first-account set-up ------------------------------------------------------------------


def _setup_link(runner) -> str:
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code == 0, result.output
    match = re.search(r"/setup/(\S+)", result.output)
    assert match
    return "/setup/" + match.group(1)


def _setup_form(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"name": "Sam Facilitator", "email": "sam@example.org", "password": DEFAULT_PASSWORD,
            "confirm": DEFAULT_PASSWORD, "csrf_token": token}
    data.update(fields)
    return client.post(url, data=data)


def test_sign_in_page_explains_setup_when_no_accounts(client):
    assert "convo is not set up yet" in client.get("/sign-in").get_data(as_text=True)


def test_setup_link_creates_first_admin_once(app, client, runner):
    url = _setup_link(runner)
    assert client.get(url).status_code == 200
    response = _setup_form(client, url)
    assert response.status_code == 302
    assert client.get("/admin/facilitators").status_code == 200  # signed in, as an admin
    # The link is spent, and set-up is closed for good.
    other = app.test_client()
    assert other.get(url).status_code == 404
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code != 0
    assert "already has accounts" in result.output


def test_setup_needs_the_exact_token(client, runner):
    url = _setup_link(runner)
    assert client.get(url[:-2] + "xx").status_code == 404
    assert client.get("/setup/").status_code == 404


def test_new_setup_link_replaces_the_old_one(client, runner):
    first = _setup_link(runner)
    second = _setup_link(runner)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_expired_setup_link_is_refused(app, client, runner, monkeypatch):
    url = _setup_link(runner)
    later = clock.utcnow() + timedelta(hours=app.config["SETUP_TOKEN_HOURS"] + 1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert client.get(url).status_code == 404


def test_setup_form_validation_stores_nothing(app, client, runner):
    url = _setup_link(runner)
    response = _setup_form(client, url, email="not-an-email", confirm="something else")
    assert response.status_code == 422
    body = page_text(response)
    assert "Enter an email address like name@example.org." in body
    assert "The two passwords are different." in body
    with app.app_context():
        from convo.models import Facilitator

        assert Facilitator.count() == 0
    assert client.get(url).status_code == 200  # the link still works after a mistake


def test_setup_rejects_short_password(client, runner):
    url = _setup_link(runner)
    response = _setup_form(client, url, password="short", confirm="short")
    assert response.status_code == 422
    assert "Use at least 10 characters." in page_text(response)


def test_setup_shows_hostile_text_as_text(client, runner):
    url = _setup_link(runner)
    response = _setup_form(client, url, name="<script>alert(1)</script>", email="x")
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_setup_link_with_if_needed_is_silent_once_set_up(runner, make_facilitator):
    make_facilitator()
    result = runner.invoke(args=["setup-link", "--if-needed"])
    assert result.exit_code == 0
    assert result.output == ""


def test_app_module_has_no_default_credentials():
    from pathlib import Path

    import convo

    source = "\n".join(p.read_text() for p in Path(convo.__file__).parent.rglob("*.py"))
    assert DEFAULT_PASSWORD not in source
    assert "SECRET_KEY = \"" not in source and "SECRET_KEY = '" not in source


