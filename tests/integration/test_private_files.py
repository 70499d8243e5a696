"""Files only convo's user may read: the instance folder 0700; the SQLite database, its
write-ahead log and shared-memory index 0600 (made by `convo db upgrade`, by gunicorn, and
tightened on an older install); the archive of issued summaries 0700, its files 0600.

Each test runs with the usual umask of 022, under which the files used to be made 0644."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from convo import create_app
from tests.conftest import base_config
from tests.queueing import run_jobs
from tests.reaper import guarded

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


def sqlite_files(instance: Path) -> dict[str, int]:
    return {p.name: mode(p) for p in instance.iterdir() if p.name.startswith("convo.sqlite3")}


def fresh_config(tmp_path: Path) -> dict[str, object]:
    config = base_config(tmp_path, "")
    del config["SQLALCHEMY_DATABASE_URI"]  # the default: a file in the instance folder
    return config


def test_db_upgrade_makes_a_private_instance_and_database(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(fresh_config(tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    instance = tmp_path / "instance"
    assert mode(instance) == 0o700
    files = sqlite_files(instance)
    assert "convo.sqlite3" in files
    assert set(files.values()) == {0o600}, files
    with app.app_context():  # a write leaves a write-ahead log behind while connected
        from sqlalchemy import text

        from convo.extensions import db

        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        db.session.commit()
        files = sqlite_files(instance)
        assert {"convo.sqlite3", "convo.sqlite3-wal", "convo.sqlite3-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files
        db.engine.dispose()


def test_an_older_install_is_tightened(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    for name in ("convo.sqlite3", "convo.sqlite3-wal", "convo.sqlite3-shm"):
        (instance / name).write_bytes(b"")
        os.chmod(instance / name, 0o644)
    exports = tmp_path / "exports"
    exports.mkdir()
    os.chmod(exports, 0o755)
    app = create_app(fresh_config(tmp_path))
    with app.app_context():
        from sqlalchemy import text

        from convo.extensions import db

        db.session.execute(text("SELECT 1"))
        db.engine.dispose()
    assert mode(instance) == 0o700
    assert mode(exports) == 0o700
    assert set(sqlite_files(instance).values()) == {0o600}


def test_gunicorn_makes_a_private_database(tmp_path):
    instance = tmp_path / "instance"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVO_")}
    env.pop("DATABASE_URL", None)
    env.update({"CONVO_INSTANCE_PATH": str(instance), "CONVO_EXPORT_DIR": str(tmp_path / "ex")})
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
               "--workers", "1", "--bind", f"127.0.0.1:{port}", "convo:create_app()"]
    with guarded(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True,
                                  preexec_fn=lambda: os.umask(0o022))):
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    break
            except urllib.error.HTTPError as answer:  # not migrated yet: 503, but it answered
                assert answer.code == 503
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert mode(instance) == 0o700
        made = sqlite_files(instance)  # by gunicorn's worker (and /healthz's read)
        assert "convo.sqlite3" in made and set(made.values()) == {0o600}, made
        assert mode(instance / "secret_key") == 0o600
        upgrade = subprocess.run([str(Path(sys.executable).parent / "convo"), "db", "upgrade"],
                                 cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=300, preexec_fn=lambda: os.umask(0o022))
        assert upgrade.returncode == 0, upgrade.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=30) as page:
            assert page.status == 200  # the worker reads the migrated database alongside
        files = sqlite_files(instance)
        assert {"convo.sqlite3", "convo.sqlite3-wal", "convo.sqlite3-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_issued_summaries_are_private(app, client, auth, make_conversation):
    from tests.integration.test_summary import _approve_both, _fill

    ref = make_conversation()
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    _approve_both(auth, url)
    assert auth.post(f"{url}/issue", data={}, form_page=url).status_code == 302
    run_jobs(app)  # issuing happens in the background worker
    root = Path(app.config["EXPORT_DIR"])
    folders = [root, root / f"conversation-{ref.id}", root / f"conversation-{ref.id}" / "v1"]
    assert [mode(f) for f in folders] == [0o700, 0o700, 0o700]
    issued = list(folders[-1].iterdir())
    assert sorted(p.suffix for p in issued) == [".docx", ".pdf"]
    assert {mode(p) for p in issued} == {0o600}
