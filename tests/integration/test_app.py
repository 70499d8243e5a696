"""The app factory, configuration, health check, error pages, headers and request logs."""

from __future__ import annotations

import logging
import os
import stat

import pytest
from flask import abort

from convo import create_app
from convo.version import __version__
from tests.conftest import base_config, empty_database, page_text


def test_healthz_reports_version_and_database(app, client, auth, make_facilitator):
    from tests.integration.test_following_fast import counted

    auth.sign_in_as(make_facilitator())  # even signed in, no account is loaded for it
    with counted(app) as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__, "database": "ok",
                                   "worker": "not seen", "worker_seen_seconds_ago": None,
                                   "queue": "ok", "jobs_waiting": 0, "jobs_scheduled": 0}
    # Asked often: one small query (the workers' latest heartbeat), nothing to commit.
    assert len(statements) == 1
    assert statements[0].startswith("SELECT max(queue_worker.seen_at)")


def test_healthz_503_when_database_does_not_answer(tmp_path, caplog):
    config = base_config(tmp_path, f"sqlite:///{tmp_path}/missing/folder/convo.sqlite3")
    app = create_app(config)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "version": __version__,
                                   "database": "unavailable"}
    assert "health check: database unavailable (OperationalError)" in caplog.text
    assert "route=/healthz status=503" in caplog.text and "user=-" in caplog.text


def test_healthz_503_when_postgresql_does_not_answer(tmp_path, caplog):
    config = base_config(tmp_path, "postgresql://nobody@127.0.0.1:1/convo?connect_timeout=2")
    with caplog.at_level(logging.WARNING):
        response = create_app(config).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert "health check: database unavailable" in caplog.text


def test_secret_key_generated_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("CONVO_SECRET_KEY", raising=False)
    config = base_config(tmp_path, f"sqlite:///{tmp_path}/x.sqlite3")
    del config["SECRET_KEY"]
    first = create_app(config)
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app(config)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SIGNIN_LOCK_MINUTES = 30\nSIGNIN_SLOW_AFTER = 4\n")
    monkeypatch.setenv("CONVO_SIGNIN_LOCK_MINUTES", "45")
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.invalid/convo")
    config = base_config(tmp_path, "")
    del config["SQLALCHEMY_DATABASE_URI"]
    app = create_app(config)
    assert app.config["SIGNIN_SLOW_AFTER"] == 4  # from the instance file
    assert app.config["SIGNIN_LOCK_MINUTES"] == 45  # the environment wins
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.invalid/convo"


def test_sqlite_by_default_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = base_config(tmp_path, "")
    del config["SQLALCHEMY_DATABASE_URI"]
    app = create_app(config)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'convo.sqlite3'}"
    )


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from sqlalchemy import text

    from convo.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"
            return
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_unknown_url_gets_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = page_text(response)
    assert "We can't find that page" in body
    assert '<a class="skip-link"' in body  # in the app's layout


def test_404_as_json_for_json_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "We can't find that page"


def test_non_utf8_url_is_a_404(client):
    response = client.get("/%FF%FE/%C3")
    assert response.status_code == 404


def test_405_keeps_allow_header(client):
    response = client.delete("/sign-in")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def _app_with_failing_routes(tmp_path, database_url):  # type: ignore[no-untyped-def]
    app = create_app(base_config(tmp_path, database_url))

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        from convo.auth import service

        service.create_facilitator("half@example.org", "Half Stored", "password that works")
        raise RuntimeError("a bug")

    @app.get("/forbidden")
    def forbidden():  # type: ignore[no-untyped-def]
        abort(403)

    @app.get("/bad")
    def bad():  # type: ignore[no-untyped-def]
        abort(400)

    return app


def test_500_page_rolls_back_and_stores_nothing(tmp_path, database_url, caplog):
    app = _app_with_failing_routes(tmp_path, database_url)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        with caplog.at_level(logging.ERROR):
            response = app.test_client().get("/boom")
        assert response.status_code == 500
        assert "Something went wrong on our side" in page_text(response)
        with app.app_context():
            from convo.models import Facilitator

            assert Facilitator.count() == 0
    finally:
        with app.app_context():
            from convo.extensions import db

            db.engine.dispose()
        empty_database(database_url)


@pytest.mark.parametrize("path,status,title", [("/forbidden", 403, "You can't open this page"),
                                               ("/bad", 400, "wasn't right")])
def test_other_error_pages(tmp_path, database_url, path, status, title):
    app = _app_with_failing_routes(tmp_path, database_url)
    response = app.test_client().get(path)
    assert response.status_code == status
    assert title in page_text(response)
    with app.app_context():
        from convo.extensions import db

        db.engine.dispose()


def test_security_headers(client):
    response = client.get("/sign-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_one_log_line_per_request_without_secrets(client, auth, make_facilitator, caplog):
    person = make_facilitator()
    with caplog.at_level(logging.INFO, logger="convo.request"):
        auth.sign_in(person.email, "a wrong secret password")
        client.get("/setup/some-secret-token-value")
    lines = [r.getMessage() for r in caplog.records if r.name == "convo.request"]
    assert len(lines) == 3  # GET sign-in (for the token), POST sign-in, GET setup
    joined = "\n".join(r.getMessage() for r in caplog.records)
    assert "a wrong secret password" not in joined
    assert person.email not in joined
    assert "some-secret-token-value" not in joined
    assert "route=/setup/<token>" in joined
    assert all("request_id=" in line for line in lines)


def test_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert given.headers["X-Request-ID"] == "abc12345-trace"
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert hostile.headers["X-Request-ID"] != "<script>"
    assert len(hostile.headers["X-Request-ID"]) == 32


def test_no_database_file_in_the_repository_instance(tmp_path):
    # Tests never touch the developer's own instance folder.
    config = base_config(tmp_path, f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app(config)
    assert app.instance_path == str(tmp_path / "instance")
    assert os.path.isdir(app.instance_path)


def test_development_server_access_lines_are_dropped(app):
    """werkzeug's own request lines carry full paths (set-up tokens, join codes): not logged."""
    import logging

    from convo.core.requestlog import _DropWerkzeugAccessLines

    line = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                             '127.0.0.1 - - [22/Nov/2026 02:58:08] "GET /setup/secret HTTP/1.1" 200 -',
                             None, None)
    other = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                              " * Running on %s", ("http://127.0.0.1:5000",), None)
    keep = _DropWerkzeugAccessLines()
    assert keep.filter(line) is False
    assert keep.filter(other) is True
