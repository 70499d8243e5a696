"""Every failure a clear answer: ids too large for any row (404), a database held busy by
another connection (503 with Retry-After, what was typed kept), and no WeasyPrint chatter in
the request log."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import pytest
from sqlalchemy import create_engine, select, text
from werkzeug.datastructures import MultiDict

from tests.conftest import page_text

HUGE = "99999999999999999999"  # 20 digits: beyond any integer column
FETCH = {"X-Requested-With": "fetch", "Accept": "application/json"}


@pytest.fixture
def config_overrides():  # type: ignore[no-untyped-def]
    return {"DATABASE_BUSY_SECONDS": 0.3, "PROPAGATE_EXCEPTIONS": False}


def test_ids_beyond_any_row_are_not_found(app, client, auth, make_conversation, caplog):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    with caplog.at_level(logging.INFO):
        for url in (f"/conversations/{HUGE}", f"/conversations/{HUGE}/console",
                    f"/c/{HUGE}/summary", f"/conversations/{ref.id}/participants/{HUGE}",
                    f"/c/{ref.id}/summary/v{HUGE}.pdf", f"/conversations/{2**31}"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert "We can't find that page" in page_text(response)
        # Ids in forms too: merging points, and an action's owner.
        console = f"/conversations/{ref.id}/console"
        merge = auth.post(f"/conversations/{ref.id}/items/merge",
                          data={"item": [HUGE, "1"]}, form_page=console)
        assert merge.status_code == 404
    assert "Traceback" not in caplog.text and "unhandled" not in caplog.text


@contextmanager
def database_held(database_url: str) -> Iterator[None]:
    """Another connection holds the write lock (SQLite), or on PostgreSQL locks every table
    against writing (reads go on), until the block ends: as a long write elsewhere would."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as holder:
            transaction = holder.begin()
            tables = holder.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
            holder.execute(text("LOCK TABLE " + ", ".join(f'"{t}"' for t in tables)
                                + " IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


def _items(app, conversation_id):  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Item

    with app.app_context():
        return [i.text for i in db.session.scalars(
            select(Item).where(Item.conversation_id == conversation_id))]


def _fields(html: str) -> list[tuple[str, str]]:
    """The fields of the error page's "Try again" form, in order, as a browser would send."""
    main = html[html.index("<main"):]
    form = main[main.index('<form method="post"'):main.index("</form>")]
    found = []
    for match in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"'
                             r'|<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        name, value = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(3), match.group(4))
        found.append((name, unescape(value)))
    return found


def test_busy_database_is_503_and_the_point_is_kept(app, client, auth, make_conversation,
                                                     database_url, caplog):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}"
    point = "The bus to the surgery stopped running in May"
    csrf = auth.csrf(f"{url}/console")
    with database_held(database_url), caplog.at_level(logging.INFO):
        by_form = client.post(f"{url}/items", data={
            "csrf_token": csrf, "text": point, "kind": "challenge", "raised_by": "partnership",
            "client_id": "busy-1"})
        by_script = client.post(f"{url}/items", headers=FETCH, data={
            "csrf_token": csrf, "text": "Second point", "kind": "note", "raised_by": "both",
            "client_id": "busy-2"})
    # Without JavaScript: a plain page that keeps the words and offers to send them again.
    assert by_form.status_code == 503
    assert by_form.headers["Retry-After"] == "5"
    body = page_text(by_form)
    assert "convo is busy just now" in body and "Try again" in body
    assert point in body
    # With JavaScript: JSON the script can act on.
    assert by_script.status_code == 503 and by_script.headers["Retry-After"] == "5"
    assert by_script.get_json()["retry_after"] == 5
    assert by_script.get_json()["error"] == "convo is busy just now"
    assert "database busy (OperationalError): answered 503" in caplog.text
    assert "Traceback" not in caplog.text and point not in caplog.text
    assert _items(app, ref.id) == []  # nothing half-stored

    fields = MultiDict(_fields(by_form.get_data(as_text=True)))
    assert client.post(f"{url}/items", data=fields).status_code == 302
    assert client.post(f"{url}/items", data=fields).status_code == 302
    assert _items(app, ref.id) == [point]  # sent twice, stored once


def test_busy_database_keeps_a_participants_point(app, make_conversation, database_url):
    from tests.integration.test_participant import form_fields, join

    ref = make_conversation()
    phone = app.test_client()
    join(phone, ref)
    data = form_fields(phone)
    data.update({"text": "Parking at the hub is impossible", "kind": "challenge"})
    with database_held(database_url):
        response = phone.post("/p/items", data=data)
    assert response.status_code == 503
    assert "Parking at the hub is impossible" in page_text(response)
    again = MultiDict(_fields(response.get_data(as_text=True)))
    assert phone.post("/p/items", data=again).status_code == 302
    assert _items(app, ref.id) == ["Parking at the hub is impossible"]


def test_sign_in_never_writes_a_password_back(app, client, make_facilitator, database_url):
    person = make_facilitator()
    page = client.get("/sign-in").get_data(as_text=True)
    from tests.conftest import csrf_from

    with database_held(database_url):
        response = client.post("/sign-in", data={"csrf_token": csrf_from(page),
                                                 "email": person.email,
                                                 "password": "not the password, but secret"})
    assert response.status_code == 503
    assert "not the password" not in response.get_data(as_text=True)
    assert "<form" not in response.get_data(as_text=True).split("<main", 1)[-1]


def test_a_lock_released_in_time_just_waits(app, client, auth, make_conversation, database_url):
    """Shorter than DATABASE_BUSY_SECONDS: the save waits and succeeds."""
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}"
    csrf = auth.csrf(f"{url}/console")
    from convo import create_app

    patient = create_app({**app.config, "DATABASE_BUSY_SECONDS": 5})
    waiting = patient.test_client()
    waiting.set_cookie("convo_session", client.get_cookie("convo_session").value)
    results: list[int] = []
    with database_held(database_url):
        worker = threading.Thread(target=lambda: results.append(waiting.post(
            f"{url}/items", data={"csrf_token": csrf, "text": "Waited", "kind": "note",
                                  "raised_by": "both", "client_id": "wait-1"}).status_code))
        worker.start()
        worker.join(0.8)
        assert worker.is_alive()  # still waiting for the lock
    worker.join(120)
    with patient.app_context():
        from convo.extensions import db

        db.engine.dispose()
    assert results == [302]
    assert _items(app, ref.id) == ["Waited"]


def test_weasyprint_progress_stays_out_of_the_log(app, caplog):
    from convo.summary.render_pdf import render_pdf
    from convo.summary.sample import sample_summary

    with app.app_context(), caplog.at_level(logging.DEBUG):
        render_pdf(sample_summary())
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")
                and r.levelno < logging.WARNING]
