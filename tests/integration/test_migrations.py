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


def test_existing_conversations_go_into_partnerships_up_and_down(request, tmp_path,
                                                                  database_url):
    """0008 puts each existing conversation into a partnership of its own facilitator's,
    matched by name (case, spacing, punctuation set aside), and onto its map by agency; a
    name that differs more stays apart (the page offers to combine them).  Down and up
    again keeps every conversation."""
    from sqlalchemy import text

    url = _fresh_url(request, tmp_path, database_url)
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        from convo.extensions import db

        upgrade(revision="0007_harden")
        with db.engine.begin() as connection:
            for n, email in enumerate(("a@example.org", "b@example.org"), start=1):
                connection.execute(text(
                    "INSERT INTO facilitator (id, email, name, is_admin, disabled, "
                    "session_token, created_at) VALUES (:id, :email, 'F', false, false, 't', "
                    ":now)"), {"id": n, "email": email, "now": "2026-01-01 00:00:00"})
            connection.execute(text(
                "INSERT INTO question_set_snapshot (id, set_id, version, sha256, body, "
                "created_at) VALUES (1, 'health', 1, 'x', '{}', '2026-01-01 00:00:00')"))
            rows = [(1, 1, "Riverside Big Local", "Exampletown PCN"),
                    (2, 1, "riverside  big-local", "Exampletown P.C.N."),
                    (3, 1, "Riverside BL", "Exampletown PCN"),
                    (4, 2, "Riverside Big Local", "Exampletown PCN")]
            for cid, fid, partnership, agency in rows:
                connection.execute(text(
                    "INSERT INTO conversation (id, facilitator_id, partnership_name, "
                    "agency_name, agency_type, purpose, question_set_id, question_set_version, "
                    "snapshot_id, locale, status, screen_mode, ratings_revealed, version, "
                    "created_at, updated_at) VALUES (:id, :fid, :p, :a, 'health', 'Why', "
                    "'health', 1, 1, 'en_GB', 'closed', 'question', false, 1, :now, :now)"),
                    {"id": cid, "fid": fid, "p": partnership, "a": agency,
                     "now": "2026-01-01 00:00:00"})
                # A row hanging off the conversation (ON DELETE CASCADE): rebuilding the
                # conversation table on SQLite must not take it away.
                connection.execute(text(
                    "INSERT INTO conversation_stage (conversation_id, stage_id, position, "
                    "included, minutes, seconds_spent) VALUES (:id, 'open', 0, true, 10, 0)"),
                    {"id": cid})
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT count(*) FROM conversation_stage")).scalar() == 4
        with db.engine.connect() as connection:
            found = dict(connection.execute(text(
                "SELECT id, partnership_id FROM conversation")).all())
            agencies = dict(connection.execute(text(
                "SELECT id, relationship_id FROM conversation")).all())
            access = connection.execute(text(
                "SELECT partnership_id, facilitator_id FROM partnership_facilitator")).all()
        assert found[1] == found[2] != found[3]  # "Riverside BL" is left to the facilitator
        assert found[4] not in (found[1], found[3])  # another facilitator's: never shared
        assert agencies[1] == agencies[2] and agencies[1] != agencies[3]
        assert sorted(f for _p, f in access) == [1, 1, 2]
        downgrade(revision="0007_harden")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM conversation")).scalar() == 4
        upgrade()
        db.engine.dispose()


def test_room_up_and_down(request, tmp_path, database_url):
    """0011 adds the countdown, the screen's paging, each stage's start and end, the questions
    asked and the appendix choice; an existing conversation gets a timer that is off, the first
    page, and a draft whose appendix lists the questions asked.  Down removes them all and
    keeps the conversation."""
    from sqlalchemy import text

    url = _fresh_url(request, tmp_path, database_url)
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        from convo.extensions import db

        upgrade(revision="0010_mapping")
        _one_conversation(db.engine)
        upgrade(revision="0011_room")
        inspector = inspect(db.engine)
        assert "asked_question" in inspector.get_table_names()
        assert {"first_started_at", "last_ended_at"} <= {
            c["name"] for c in inspector.get_columns("conversation_stage")}
        with db.engine.connect() as connection:
            row = connection.execute(text(
                "SELECT timer_state, timer_added_minutes, timer_version, screen_page, "
                "screen_item_id, timer_ends_at FROM conversation")).one()
            appendix = connection.execute(text("SELECT appendix FROM summary_draft")).all()
        assert tuple(row) == ("off", 0, 0, 0, None, None)
        assert appendix == [("asked",)]
        downgrade(revision="0010_mapping")
        inspector = inspect(db.engine)
        assert "asked_question" not in inspector.get_table_names()
        assert "timer_state" not in {c["name"] for c in inspector.get_columns("conversation")}
        assert "appendix" not in {c["name"] for c in inspector.get_columns("summary_draft")}
        with db.engine.connect() as connection:  # nothing hanging off it went with the change
            assert connection.execute(text("SELECT count(*) FROM conversation")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM summary_draft")).scalar() == 1
        upgrade()
        db.engine.dispose()


def _one_conversation(engine, version: int = 1):  # type: ignore[no-untyped-def]
    """A facilitator, a snapshot, a partnership and one live conversation with its draft,
    written as rows (the models may be ahead of the schema being tested)."""
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO facilitator (id, email, name, is_admin, disabled, session_token, "
            "created_at) VALUES (1, 'a@example.org', 'F', false, false, 't', :now)"),
            {"now": "2026-01-01 00:00:00"})
        connection.execute(text(
            "INSERT INTO question_set_snapshot (id, set_id, version, sha256, body, "
            "created_at) VALUES (1, 'health', 1, 'x', '{}', '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO partnership (id, name, match_name, created_at, updated_at) "
            "VALUES (1, 'Riverside', 'riverside', :now, :now)"), {"now": "2026-01-01 00:00:00"})
        connection.execute(text(
            "INSERT INTO conversation (id, facilitator_id, partnership_id, partnership_name, "
            "agency_name, agency_type, purpose, question_set_id, question_set_version, "
            "snapshot_id, locale, status, screen_mode, ratings_revealed, version, "
            "created_at, updated_at) VALUES (1, 1, 1, 'Riverside', 'PCN', 'health', 'Why', "
            "'health', 1, 1, 'en_GB', 'live', 'question', false, :version, :now, :now)"),
            {"now": "2026-01-01 00:00:00", "version": version})
        connection.execute(text(
            "INSERT INTO summary_draft (conversation_id, introduction, closing, narratives, "
            "updated_at) VALUES (1, '', '', '{}', :now)"), {"now": "2026-01-01 00:00:00"})


def test_phone_version_up_and_down(request, tmp_path, database_url):
    """0012 gives each conversation a version for phones, one past its version, so a phone open
    during the upgrade fetches the view once and follows on; down removes it and keeps the
    conversation."""
    from sqlalchemy import text

    url = _fresh_url(request, tmp_path, database_url)
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        from convo.extensions import db

        upgrade(revision="0011_room")
        _one_conversation(db.engine, version=7)
        upgrade(revision="0012_phone_version")
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT version, phone_version FROM conversation")).one()
        assert tuple(row) == (7, 8)
        downgrade(revision="0011_room")
        assert "phone_version" not in {
            c["name"] for c in inspect(db.engine).get_columns("conversation")}
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM conversation")).scalar() == 1
        upgrade()
        db.engine.dispose()


def test_phones_moved_at_up_and_down(request, tmp_path, database_url):
    """0015 makes the phones' version the version at which phones last moved: both numbers
    are moved on to the same new one, past anything a phone, screen or console open during
    the upgrade holds; down moves both on again and keeps the conversation."""
    from sqlalchemy import text

    url = _fresh_url(request, tmp_path, database_url)
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        from convo.extensions import db

        upgrade(revision="0014_second_language")
        _one_conversation(db.engine, version=7)
        with db.engine.begin() as connection:  # points since 0012: the phones' count lags
            connection.execute(text("UPDATE conversation SET version = 30, phone_version = 12"))
        upgrade(revision="0015_phones_moved_at")
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT version, phone_version FROM conversation")).one()
        assert tuple(row) == (31, 31)
        downgrade(revision="0014_second_language")
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT version, phone_version FROM conversation")).one()
            assert connection.execute(text("SELECT count(*) FROM conversation")).scalar() == 1
        assert tuple(row) == (32, 32)
        upgrade()
        db.engine.dispose()


def test_join_strip_up_and_down(request, tmp_path, database_url):
    """0013 adds the shared screen's join strip, off for an existing conversation; down
    removes it and keeps the conversation."""
    from sqlalchemy import text

    url = _fresh_url(request, tmp_path, database_url)
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        from convo.extensions import db

        upgrade(revision="0012_phone_version")
        _one_conversation(db.engine)
        upgrade(revision="0013_join_strip")
        with db.engine.connect() as connection:
            strip = connection.execute(text("SELECT screen_join_strip FROM conversation")).scalar()
        assert strip in (False, 0)
        downgrade(revision="0012_phone_version")
        assert "screen_join_strip" not in {
            c["name"] for c in inspect(db.engine).get_columns("conversation")}
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM conversation")).scalar() == 1
        upgrade()
        db.engine.dispose()
