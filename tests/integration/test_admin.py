"""Admins add, disable, enable and reset facilitators; everyone manages their own account."""

from __future__ import annotations

import re

from tests.conftest import DEFAULT_PASSWORD, AuthActions, csrf_from, page_text


def _link_from(html: str) -> str:
    match = re.search(r'value="http://localhost(/password/[^"]+)"', html)
    assert match, html
    return match.group(1)


def _choose_password(client, link: str, password: str = DEFAULT_PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(link).get_data(as_text=True))
    return client.post(link, data={"password": password, "confirm": password, "csrf_token": token})


def test_admin_adds_a_facilitator_who_chooses_a_password(app, client, auth, make_facilitator):
    auth.sign_in_as(make_facilitator(admin=True))
    response = auth.post("/admin/facilitators/new",
                         data={"name": "Priya Shah", "email": "Priya@Example.org"})
    assert response.status_code == 200
    body = page_text(response)
    assert "Priya Shah has been added" in body
    link = _link_from(body)
    listing = client.get("/admin/facilitators").get_data(as_text=True)
    assert "priya@example.org" in listing and "Waiting to choose a password" in listing

    newcomer = app.test_client()
    assert _choose_password(newcomer, link).status_code == 302
    assert newcomer.get("/account").status_code == 200
    # The link is spent.
    assert app.test_client().get(link).status_code == 404


def test_add_facilitator_rejects_duplicates_and_bad_input(app, auth, make_facilitator):
    admin = make_facilitator(admin=True)
    auth.sign_in_as(admin)
    dup = auth.post("/admin/facilitators/new", data={"name": "Again", "email": admin.email.upper()})
    assert dup.status_code == 422
    assert "There is already an account with this email address." in page_text(dup)
    long_name = auth.post("/admin/facilitators/new",
                          data={"name": "x" * 121, "email": "new@example.org"})
    assert long_name.status_code == 422
    assert "Use at most 120 characters." in page_text(long_name)
    with app.app_context():
        from convo.models import Facilitator

        assert Facilitator.count() == 1


def test_reset_ends_old_password_and_sessions(app, client, auth, make_facilitator):
    admin = make_facilitator(admin=True)
    person = make_facilitator()
    theirs = app.test_client()
    AuthActions(theirs).sign_in_as(person)
    assert theirs.get("/account").status_code == 200

    auth.sign_in_as(admin)
    response = auth.post(f"/admin/facilitators/{person.id}/reset", form_page="/admin/facilitators")
    assert response.status_code == 200
    link = _link_from(response.get_data(as_text=True))

    assert theirs.get("/account").status_code == 302  # signed out everywhere
    assert AuthActions(app.test_client()).sign_in(person.email, person.password).status_code == 401
    fresh = app.test_client()
    assert _choose_password(fresh, link, "a brand new passphrase").status_code == 302


def test_disable_and_enable(app, client, auth, make_facilitator):
    admin = make_facilitator(admin=True)
    person = make_facilitator()
    auth.sign_in_as(admin)
    response = auth.post(f"/admin/facilitators/{person.id}/disable",
                         form_page="/admin/facilitators")
    assert response.status_code == 302
    assert AuthActions(app.test_client()).sign_in(person.email, person.password).status_code == 401
    auth.post(f"/admin/facilitators/{person.id}/enable", form_page="/admin/facilitators")
    assert AuthActions(app.test_client()).sign_in(person.email, person.password).status_code == 302


def test_admin_cannot_disable_themselves(client, auth, make_facilitator):
    admin = make_facilitator(admin=True)
    auth.sign_in_as(admin)
    response = auth.post(f"/admin/facilitators/{admin.id}/disable",
                         form_page="/admin/facilitators", follow_redirects=True)
    assert "You can't disable your own account." in page_text(response)
    assert client.get("/account").status_code == 200


def test_admin_actions_need_csrf_and_existing_people(client, auth, make_facilitator):
    admin = make_facilitator(admin=True)
    person = make_facilitator()
    auth.sign_in_as(admin)
    assert client.post(f"/admin/facilitators/{person.id}/disable").status_code == 400
    assert auth.post("/admin/facilitators/99999/disable",
                     form_page="/admin/facilitators").status_code == 404


def test_non_admin_cannot_post_admin_actions(app, client, auth, make_facilitator):
    target = make_facilitator()
    auth.sign_in_as(make_facilitator())
    response = auth.post(f"/admin/facilitators/{target.id}/disable", form_page="/account")
    assert response.status_code == 403
    assert AuthActions(app.test_client()).sign_in(target.email, target.password).status_code == 302


def test_account_settings_and_password_change(app, client, auth, make_facilitator):
    person = make_facilitator()
    auth.sign_in_as(person)
    other_device = app.test_client()
    AuthActions(other_device).sign_in_as(person)
    response = auth.post("/account", data={"name": "Jo  Bloggs ", "locale": "en_GB",
                                           "timezone": "Europe/Dublin"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'value="Jo  Bloggs"' in page

    bad = auth.post("/account", data={"name": "Jo", "locale": "xx", "timezone": "Mars/Base"})
    assert bad.status_code == 422

    wrong = auth.post("/account/password", data={"current": "not my password",
                                                 "password": "another long passphrase",
                                                 "confirm": "another long passphrase"})
    assert wrong.status_code == 422
    assert "That isn't your current password." in page_text(wrong)

    ok = auth.post("/account/password", data={"current": person.password,
                                              "password": "another long passphrase",
                                              "confirm": "another long passphrase"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays signed in
    assert other_device.get("/account").status_code == 302  # others are signed out
