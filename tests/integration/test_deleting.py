"""Deleting a conversation for good: every row that belongs to it and its issued files go;
nothing of any other conversation is touched; only its facilitator can do it, only after
confirming; a database that refuses leaves everything as it was."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from tests.conftest import page_text
from tests.integration.test_participant import join
from tests.queueing import run_jobs
from tests.integration.test_summary import _approve_both, _export_files, _fill

# Every table that holds rows of a conversation, and how a row names its conversation.
OWNED = {
    "participant": "conversation_id", "device": "conversation_id", "item": "conversation_id",
    "rating": "conversation_id", "relationship_choice": "conversation_id",
    "conversation_stage": "conversation_id", "added_question": "conversation_id",
    "summary_draft": "conversation_id", "summary_approval": "conversation_id",
    "summary_version": "conversation_id", "text_revision": "conversation_id",
}


def _counts(app, conversation_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from convo.extensions import db

    with app.app_context():
        found = {table: db.session.scalar(text(
            f'SELECT count(*) FROM "{table}" WHERE "{column}" = :id'), {"id": conversation_id})
            for table, column in OWNED.items()}
        found["item_revision"] = db.session.scalar(text(
            'SELECT count(*) FROM item_revision JOIN item ON item.id = item_revision.item_id '
            'WHERE item.conversation_id = :id'), {"id": conversation_id})
        found["summary_send"] = db.session.scalar(text(
            'SELECT count(*) FROM summary_send JOIN summary_version '
            'ON summary_version.id = summary_send.version_id '
            'WHERE summary_version.conversation_id = :id'), {"id": conversation_id})
        found["conversation"] = db.session.scalar(text(
            "SELECT count(*) FROM conversation WHERE id = :id"), {"id": conversation_id})
        return found


def _full(app, client, auth, ref) -> None:  # type: ignore[no-untyped-def]
    """A conversation with everything: points (one edited), ratings, a phone, an issued
    summary with a recorded send, an agreement reworded (its earlier wording kept)."""
    from convo.extensions import db
    from convo.models import Item, SummarySend
    from convo.summary import service as summary_service

    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    console = f"/conversations/{ref.id}/console"
    assert auth.submit(console, f"/conversations/{ref.id}/agreement",
                       {"contacts": "Pat, and the practice manager"}).status_code == 302
    url = f"/c/{ref.id}/summary"
    assert auth.submit(url, f"{url}/draft", {"introduction": "We met."}).status_code == 302
    _approve_both(auth, url)
    assert auth.post(f"{url}/issue", data={}, form_page=url).status_code == 302
    assert run_jobs(app) == 1  # the background worker issues it
    with app.app_context():
        from convo.conversations import capture
        from convo.models import Conversation

        conversation = db.session.get(Conversation, ref.id)
        item = db.session.scalars(select(Item).where(Item.conversation_id == ref.id)).first()
        capture.edit(conversation, item, capture.Author(facilitator_id=ref.facilitator.id),
                     {"text": "Waiting well, reworded"})
        from convo.conversations import service

        service.add_question(conversation, "challenges", "Which posts end in March?", "agency")
        version = summary_service.latest(conversation)
        db.session.add(SummarySend(version_id=version.id, email="pat@example.org",
                                   label="Pat Okafor", status="sent"))
        db.session.commit()


def test_a_facilitator_deletes_a_conversation_and_everything_in_it(
        app, client, auth, make_conversation, make_facilitator):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    keep = make_conversation(facilitator=ref.facilitator)  # the same facilitator's other one
    someone_else = make_conversation()
    for other in (keep, someone_else):
        _full(app, app.test_client(), type(auth)(app.test_client()), other)
    _full(app, client, auth, ref)
    phone = app.test_client()
    join(phone, ref)
    assert phone.get("/p").status_code == 200
    before = _counts(app, ref.id)
    assert all(before.values()), before  # every kind of row exists, so each is tested
    kept = {other.id: _counts(app, other.id) for other in (keep, someone_else)}
    files_kept = [f for f in _export_files(app) if f"conversation-{ref.id}" not in str(f)]
    assert any(f"conversation-{ref.id}" in str(f) for f in _export_files(app))

    # a later conversation follows on from it
    follow = auth.post(f"/conversations/{ref.id}/follow-up", form_page=f"/conversations/{ref.id}")
    later_id = int(follow.headers["Location"].split("/")[2])

    page = client.get(f"/conversations/{ref.id}/delete")
    assert page.status_code == 200
    words = page_text(page)
    assert "1 issued version" in words and "One later conversation follows on" in words
    deleted = auth.post(f"/conversations/{ref.id}/delete", data={"confirm": "y"},
                        form_page=f"/conversations/{ref.id}/delete")
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/conversations"
    assert "is deleted, with its issued summaries" in page_text(client.get("/conversations"))
    # Its files were moved aside at once; removing them is the background worker's job.
    assert not any(f"conversation-{ref.id}/" in str(f) for f in _export_files(app))
    assert run_jobs(app) == 1

    assert all(count == 0 for count in _counts(app, ref.id).values()), _counts(app, ref.id)
    assert {other.id: _counts(app, other.id) for other in (keep, someone_else)} == kept
    assert not any(f"conversation-{ref.id}" in str(f) for f in _export_files(app))
    assert [f for f in _export_files(app)] == files_kept
    assert not [p for p in Path(app.config["EXPORT_DIR"]).iterdir()
                if p.name.startswith(".deleting")]
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        assert db.session.get(Conversation, later_id).follows_id is None
    # nothing of it answers any more: the facilitator's pages, the screen, the phone
    for url in (f"/conversations/{ref.id}", f"/conversations/{ref.id}/console",
                f"/c/{ref.id}/screen", f"/c/{ref.id}/summary", f"/c/{ref.id}/summary/v1.pdf"):
        assert client.get(url).status_code == 404, url
    gone = phone.get("/p")
    assert gone.status_code == 403
    assert "can't follow the conversation" in page_text(gone)
    assert "Pat Okafor" not in page_text(gone)
    assert client.get(f"/conversations/{later_id}").status_code == 200


def test_nothing_goes_without_the_box_ticked_or_a_valid_form(app, client, auth,
                                                              make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}/delete"
    unticked = auth.post(url, data={}, form_page=url)
    assert unticked.status_code == 422
    assert "Tick the box to confirm" in page_text(unticked)
    assert "points captured" not in page_text(unticked)  # none yet: not listed as "0 points"
    assert "issued version" not in page_text(unticked)
    assert client.post(url, data={"confirm": "y"}).status_code == 400  # no CSRF token
    assert _counts(app, ref.id)["conversation"] == 1
    done = auth.post(url, data={"confirm": "y"}, form_page=url)
    assert done.status_code == 302
    words = page_text(client.get("/conversations"))
    assert "Exampletown Primary Care Network is deleted." in words
    assert "issued summaries" not in words  # it had none


def test_only_its_own_facilitator_can_delete_it(app, client, auth, make_conversation,
                                                make_facilitator):
    ref = make_conversation()
    intruder = make_facilitator()
    auth.sign_in_as(intruder)
    url = f"/conversations/{ref.id}/delete"
    assert client.get(url).status_code == 404
    assert auth.post(url, data={"confirm": "y"}, form_page="/account").status_code == 404
    auth.sign_out()
    assert client.get(url).status_code == 302  # to sign in
    assert _counts(app, ref.id)["conversation"] == 1


def test_a_database_that_refuses_leaves_everything_as_it_was(app, client, auth,
                                                              make_conversation):
    ref = make_conversation()
    _full(app, client, auth, ref)
    before, files = _counts(app, ref.id), _export_files(app)
    from convo.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as conn:
            if dialect == "postgresql":
                conn.execute(text("CREATE FUNCTION refuse_delete() RETURNS trigger AS "
                                  "$$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"))
                conn.execute(text("CREATE TRIGGER refuse BEFORE DELETE ON conversation "
                                  "FOR EACH ROW EXECUTE FUNCTION refuse_delete()"))
            else:
                conn.execute(text("CREATE TRIGGER refuse BEFORE DELETE ON conversation "
                                  "BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the error page a facilitator would see
    try:
        url = f"/conversations/{ref.id}/delete"
        response = auth.post(url, data={"confirm": "y"}, form_page=url)
        assert response.status_code == 500
    finally:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse ON conversation" if dialect == "postgresql"
                              else "DROP TRIGGER refuse"))
            if dialect == "postgresql":
                conn.execute(text("DROP FUNCTION refuse_delete()"))
    assert _counts(app, ref.id) == before
    assert _export_files(app) == files  # moved back where they were
    assert client.get(f"/c/{ref.id}/summary/v1.pdf").status_code == 200


def test_files_that_will_not_go_are_reported(app, client, auth, make_conversation,
                                              monkeypatch, caplog):  # type: ignore[no-untyped-def]
    """The rows are gone whatever happens to the files; a folder left behind is named in the
    worker's log, and removed when a worker next starts."""
    import logging

    from convo.conversations import deleting

    ref = make_conversation()
    _full(app, client, auth, ref)

    def refuse(path: object) -> None:  # as a read-only archive would
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(deleting.shutil, "rmtree", refuse)
    url = f"/conversations/{ref.id}/delete"
    response = auth.post(url, data={"confirm": "y"}, form_page=url)
    assert response.status_code == 302
    assert "is deleted, with its issued summaries" in page_text(client.get("/conversations"))
    assert _counts(app, ref.id)["conversation"] == 0
    with caplog.at_level(logging.ERROR):
        run_jobs(app)
    assert "remove the folder .deleting-conversation-" in caplog.text
    export = Path(app.config["EXPORT_DIR"])
    assert list(export.glob(".deleting-*"))
    monkeypatch.undo()
    with app.app_context():
        deleting.remove_parked_folders()  # what a worker does when it starts
    assert not list(export.glob(".deleting-*"))


def test_the_command_line(app, client, auth, runner, make_conversation):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    _full(app, client, auth, ref)
    assert _export_files(app)
    kept = runner.invoke(args=["delete-conversation", str(ref.id)], input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.output
    assert "Riverside Big Local and Exampletown Primary Care Network" in kept.output
    assert _counts(app, ref.id)["conversation"] == 1
    done = runner.invoke(args=["delete-conversation", str(ref.id), "--yes"])
    assert done.exit_code == 0 and f"Deleted conversation {ref.id}." in done.output
    assert all(count == 0 for count in _counts(app, ref.id).values())
    assert _export_files(app) == []
    missing = runner.invoke(args=["delete-conversation", str(ref.id), "--yes"])
    assert missing.exit_code == 1 and f"There is no conversation {ref.id}" in missing.output
    assert runner.invoke(args=["delete-conversation", "x"]).exit_code == 2


def test_an_archive_that_will_not_move_stops_the_deletion(app, client, auth, make_conversation,
                                                          monkeypatch):  # type: ignore[no-untyped-def]
    from convo.conversations import deleting

    ref = make_conversation()
    _full(app, client, auth, ref)
    before, files = _counts(app, ref.id), _export_files(app)

    def refuse(source: object, target: object) -> None:  # a read-only archive
        raise PermissionError(13, "Permission denied", str(source))

    monkeypatch.setattr(deleting.os, "replace", refuse)
    url = f"/conversations/{ref.id}/delete"
    response = auth.post(url, data={"confirm": "y"}, form_page=url)
    assert response.status_code == 500
    assert "Nothing was deleted" in page_text(response)
    assert f"conversation-{ref.id}" in page_text(response)
    assert _counts(app, ref.id) == before and _export_files(app) == files


def test_an_archive_entry_that_is_a_file_goes_too(app, client, auth, make_conversation):
    ref = make_conversation()
    stray = Path(app.config["EXPORT_DIR"]) / f"conversation-{ref.id}"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("not a folder")
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}/delete"
    assert auth.post(url, data={"confirm": "y"}, form_page=url).status_code == 302
    run_jobs(app)
    assert not stray.exists() and not list(stray.parent.glob(".deleting-*"))


def test_conversations_that_followed_on_look_again(app, client, auth, make_conversation):
    from convo.conversations import deleting
    from convo.extensions import db
    from convo.models import Conversation

    ref = make_conversation(status="closed")
    auth.sign_in_as(ref.facilitator)
    follow = auth.post(f"/conversations/{ref.id}/follow-up", form_page=f"/conversations/{ref.id}")
    later_id = int(follow.headers["Location"].split("/")[2])
    with app.app_context():
        version = db.session.get(Conversation, later_id).version
        deleting.delete_conversation(db.session.get(Conversation, ref.id))
        later = db.session.get(Conversation, later_id)
        assert later.follows_id is None and later.version == version + 1


def test_a_later_conversation_with_the_same_number_keeps_nothing_of_it(
        app, client, auth, make_conversation):  # type: ignore[no-untyped-def]
    """SQLite gives the highest number again once it is deleted: what a browser kept for the
    deleted conversation is filed under a name the new one never has."""
    from convo.conversations import deleting
    from convo.extensions import db
    from convo.models import Conversation

    first = make_conversation()
    with app.app_context():
        gone = db.session.get(Conversation, first.id)
        key = gone.store_key
        deleting.delete_conversation(gone)
    second = make_conversation(facilitator=first.facilitator)
    with app.app_context():
        again = db.session.get(Conversation, second.id)
        assert again.store_key != key
        assert again.store_key.startswith(f"{second.id}-")
    auth.sign_in_as(first.facilitator)
    html = client.get(f"/conversations/{second.id}/console").get_data(as_text=True)
    assert f'data-store="{again.store_key}"' in html
    assert f'data-save-store="agreement:{again.store_key}"' in html
    summary = client.get(f"/c/{second.id}/summary").get_data(as_text=True)
    assert f'data-save-store="draft:{again.store_key}"' in summary


def test_the_words_are_not_left_in_the_database_file(app, client, auth, make_conversation):
    """SQLite: the deleted rows' bytes are overwritten (secure_delete), so after a
    checkpoint the database file no longer holds what was said."""
    from convo.conversations import capture, deleting
    from convo.extensions import db
    from convo.models import Conversation

    ref = make_conversation()
    marker = "Zyxwvut the councillor never returns calls"
    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        capture.add(conversation, client_id="secret", text=marker, kind="note",
                    raised_by="both", stage_id="open", question_id=None,
                    author=capture.Author(facilitator_id=ref.facilitator.id))
        db.session.commit()
        dialect = db.engine.dialect.name
        deleting.delete_conversation(db.session.get(Conversation, ref.id))
        if dialect == "sqlite":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            path = Path(db.engine.url.database)
            assert marker.encode() not in path.read_bytes()
        else:  # PostgreSQL: gone from every query; its space is reused after VACUUM
            assert db.session.scalar(text(
                "SELECT count(*) FROM item WHERE text = :t"), {"t": marker}) == 0
