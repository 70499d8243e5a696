"""Every migration goes up and down on both databases, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from convo import create_app
from tests.conftest import base_config, create_pg_database


def _fresh_url(request, tmp_path, database_url):  # type: ignore[no-untyped-def]
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return create_pg_database(request.getfixturevalue("pg_server"), "convo_migrations")


def test_upgrade_downgrade_upgrade(request, tmp_path, database_url):
    url = _fresh_url(request, tmp_path, database_url)
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        from convo.extensions import db

        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"facilitator", "account_token", "throttle", "alembic_version"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert {"facilitator"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_models_match_migrations(app):
    with app.app_context():
        from convo.extensions import db

        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
