"""The console's, the shared screen's and phones' every-second question: when nothing has
changed the signed-in owner (or the phone) gets 204 from one query, without the account being
loaded and without a database session to commit; in every other case the full checks answer
as before (a reset or disabled account, another facilitator, signed out)."""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from tests.integration.test_participant import join
from tests.integration.test_screen import version_of


@contextmanager
def counted(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The SQL statements run meanwhile; a commit is listed as "COMMIT"."""
    from convo.extensions import db

    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    def committed(conn):  # type: ignore[no-untyped-def]
        statements.append("COMMIT")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", committed)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", committed)


def urls(conversation_id: int, version: int) -> tuple[str, str]:
    return (f"/c/{conversation_id}/screen/view?v={version}",
            f"/conversations/{conversation_id}/console/view?v={version}")


def test_nothing_new_for_the_owner_is_one_query(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    version = version_of(app, ref.id)
    for url in urls(ref.id, version):
        with counted(app) as statements:
            response = client.get(url)
        assert response.status_code == 204, url
        assert response.headers["X-Convo-Version"] == str(version)
        # no account load, no second look-up, no session to commit
        assert len(statements) == 1 and statements[0].startswith("SELECT"), statements
    # a change is answered in full
    for url in urls(ref.id, version - 1):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("facilitator_too", [False, True])
def test_nothing_new_for_a_phone_is_one_query(app, client, auth, make_conversation,
                                              facilitator_too):
    ref = make_conversation()
    if facilitator_too:  # signed in on the same browser: the phone's poll still loads nobody
        auth.sign_in_as(ref.facilitator)
    join(client, ref, 0)
    version = version_of(app, ref.id)
    with counted(app) as statements:
        response = client.get(f"/p/view?v={version}")
    assert response.status_code == 204
    assert len(statements) == 1 and statements[0].startswith("SELECT"), statements
    with counted(app) as statements:
        assert client.get(f"/p/view?v={version - 1}").status_code == 200
    assert "COMMIT" in statements  # a full answer goes through the session as before


@pytest.mark.parametrize("what", ["reset", "disabled"])
def test_a_session_that_has_ended_gets_no_answer(app, client, auth, make_conversation, what):
    from convo.auth import service as auth_service
    from convo.extensions import db
    from convo.models import Facilitator

    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    version = version_of(app, ref.id)
    with app.app_context():
        facilitator = db.session.get(Facilitator, ref.facilitator.id)
        if what == "reset":
            facilitator.session_token = auth_service.new_session_token()
        else:
            facilitator.disabled = True
        db.session.commit()
    screen_url, console_url = urls(ref.id, version)
    # Both answer 401 (the console's script then says "You've been signed out").
    assert client.get(screen_url).status_code == 401
    assert client.get(console_url).status_code == 401


def test_another_facilitator_gets_nothing(app, client, auth, make_conversation,
                                          make_facilitator):
    ref = make_conversation()
    auth.sign_in_as(make_facilitator())
    for url in urls(ref.id, version_of(app, ref.id)):
        assert client.get(url).status_code == 404, url
    client.post("/sign-out")  # and signed out altogether
    anonymous = app.test_client()
    screen_url, console_url = urls(ref.id, version_of(app, ref.id))
    assert anonymous.get(screen_url).status_code == 401
    assert anonymous.get(console_url).status_code == 401
