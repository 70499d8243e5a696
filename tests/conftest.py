"""Fixtures: a migrated database (SQLite file and a throwaway PostgreSQL server), the app,
its test client and CLI runner, facilitator factories and a sign-in helper.

Every test that uses `app` runs twice, once per database.  The schema is built by the
Alembic migrations, never by create_all, so the migrations are what is tested.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from convo import create_app
from tests.pgserver import PostgresServer

DEFAULT_PASSWORD = "correct horse battery staple"
DATABASES = ["sqlite", "postgresql"]


def base_config(tmp: Path, database_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secrets.token_hex(16),
        "EXPORT_DIR": str(tmp / "exports"),
        "QUESTION_SETS_DIR": str(tmp / "custom_question_sets"),
        # Fast hashing in tests only; production uses the defaults in convo.config.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "LOG_LEVEL": "INFO",
    }


def migrate_to_head(database_url: str, tmp: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(tmp, database_url))
    with app.app_context():
        from convo.extensions import db

        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def private_instance_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Nothing in the tests touches the repository's own instance folder (or its secret key)."""
    import os

    before = os.environ.get("CONVO_INSTANCE_PATH")
    os.environ["CONVO_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    yield
    if before is None:
        os.environ.pop("CONVO_INSTANCE_PATH", None)
    else:
        os.environ["CONVO_INSTANCE_PATH"] = before


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


def create_pg_database(server: PostgresServer, name: str) -> str:
    with psycopg.connect(host="127.0.0.1", port=server.port, user=server.as_user or None,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head, one per kind, shared by the session and emptied per test."""
    tmp = tmp_path_factory.mktemp(f"db-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'convo.sqlite3'}"
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = create_pg_database(server, "convo_test")
    migrate_to_head(url, tmp)
    return url


def empty_database(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = [
                name for name in _table_names(conn)
                if name != "alembic_version"
            ]
            if not tables:
                return
            if engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                  + " RESTART IDENTITY CASCADE"))
            else:
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                for table in tables:
                    conn.execute(text(f'DELETE FROM "{table}"'))
                conn.execute(text("PRAGMA foreign_keys=ON"))
    finally:
        engine.dispose()


def _table_names(conn: Any) -> list[str]:
    from sqlalchemy import inspect

    return inspect(conn).get_table_names()


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module (or with indirect parametrisation) to change app config."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, config_overrides: dict[str, Any]) -> Iterator[Flask]:
    config = base_config(tmp_path, database_url)
    config.update(config_overrides)
    application = create_app(config)
    yield application
    with application.app_context():
        from convo.extensions import db

        db.session.remove()
        db.engine.dispose()
    empty_database(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@dataclass(frozen=True)
class Person:
    """A facilitator as tests know them: plain data, usable outside an app context."""

    id: int
    email: str
    name: str
    password: str
    is_admin: bool


@pytest.fixture
def make_facilitator(app: Flask):  # type: ignore[no-untyped-def]
    """Factory: make_facilitator(email=..., admin=False, password=..., disabled=False)."""
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, name: str | None = None, admin: bool = False,
             password: str | None = DEFAULT_PASSWORD, disabled: bool = False) -> Person:
        from convo.auth import service
        from convo.extensions import db

        n = next(counter)
        email = email or f"facilitator{n}@example.org"
        name = name or f"Facilitator {n}"
        with app.app_context():
            facilitator = service.create_facilitator(email, name, password, is_admin=admin)
            facilitator.disabled = disabled
            db.session.commit()
            person = Person(facilitator.id, facilitator.email, name, password or "", admin)
        return person

    return make


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                        r'|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self, url: str = "/sign-in") -> str:
        return csrf_from(self.client.get(url).get_data(as_text=True))

    def sign_in(self, email: str, password: str = DEFAULT_PASSWORD, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": self.csrf()},
            **kwargs,
        )

    def sign_in_as(self, person: Person):  # type: ignore[no-untyped-def]
        response = self.sign_in(person.email, person.password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def sign_out(self):  # type: ignore[no-untyped-def]
        return self.client.post("/sign-out", data={"csrf_token": self.csrf("/account")})

    def form(self, page: str, action: str) -> dict[str, Any]:
        """The fields of the form posting to `action`, as `page` shows them now."""
        from tests.forms import form_fields

        response = self.client.get(page)
        assert response.status_code == 200, response.status_code
        return form_fields(response.get_data(as_text=True), action, page)

    def submit(self, page: str, action: str, changes: dict[str, Any] | None = None,
               **kwargs: Any):  # type: ignore[no-untyped-def]
        """Fill in the form on `page` that posts to `action` as a person would — what it
        shows, with `changes` — and send it (with its fingerprints of what was shown)."""
        from tests.forms import with_changes

        return self.client.post(action, data=with_changes(self.form(page, action), changes),
                                **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, form_page: str | None = None,
             **kwargs: Any):  # type: ignore[no-untyped-def]
        """POST with a valid CSRF token taken from form_page (default: the same URL)."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf(form_page or url)
        return self.client.post(url, data=payload, **kwargs)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def page_text(response: Any) -> str:
    """The response body with HTML entities decoded, for asserting on what people read."""
    import html

    return html.unescape(response.get_data(as_text=True))


@dataclass(frozen=True)
class ConversationRef:
    """A conversation as tests know it: ids and codes, usable outside an app context."""

    id: int
    facilitator: Person
    join_code: str
    participant_ids: tuple[int, ...]


@pytest.fixture
def make_conversation(app: Flask, make_facilitator):  # type: ignore[no-untyped-def]
    """Factory: make_conversation(facilitator=None, set_id="health", status="live", ...).

    Makes a conversation between "Riverside Big Local" and an agency, with four
    participants: two from each party (the second agency person asked not to be named).
    """

    def make(facilitator: Person | None = None, set_id: str = "health", status: str = "live",
             participants: bool = True) -> ConversationRef:
        from convo.conversations import service
        from convo.extensions import db
        from convo.models import Facilitator
        from convo.questions.registry import registry

        owner = facilitator or make_facilitator()
        with app.app_context():
            question_set = registry().get(set_id)
            assert question_set is not None
            details = service.Details(
                partnership_name="Riverside Big Local", partnership_area="Riverside, Exampletown",
                agency_name="Exampletown Primary Care Network", agency_type=question_set.agency_type,
                agency_subtype=None, purpose="Start a conversation about health in Riverside.",
                starts_at=None, place="Riverside Community Hub", video_link=None,
                question_set_id=set_id,
            )
            conversation = service.create(db.session.get(Facilitator, owner.id), details,
                                          question_set)
            if participants:
                for name, role, party, named in (
                    ("Pat Okafor", "Partnership chair", "partnership", True),
                    ("Sam Reid", "Community worker", "partnership", True),
                    ("Dr Alex Moore", "Clinical director", "agency", True),
                    ("Jordan Lee", "Primary Care Network manager", "agency", False),
                ):
                    service.add_participant(conversation, name=name, role=role, party=party,
                                            email=f"{name.split()[-1].lower()}@example.org",
                                            may_be_named=named)
            if status in ("live", "closed"):
                service.start(conversation)
            if status == "closed":
                service.close(conversation)
            db.session.commit()
            ref = ConversationRef(conversation.id, owner, conversation.join_code or "",
                                  tuple(p.id for p in conversation.participants))
        return ref

    return make
