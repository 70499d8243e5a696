"""The settings `make serve` gives gunicorn (gunicorn.conf.py), read as gunicorn reads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gunicorn.app.base import Application

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class _Loaded(Application):  # type: ignore[misc]
    """gunicorn's own reading of the file, with nothing served."""

    def init(self, parser, opts, args):  # type: ignore[no-untyped-def]
        return None

    def load_config(self) -> None:
        self.load_config_from_file(str(CONFIG))

    def load(self) -> None:
        raise AssertionError("nothing is served here")


def test_gunicorn_takes_the_worker_hook_and_leaves_its_access_log_off() -> None:
    cfg = _Loaded().cfg
    # gunicorn silently ignores names it does not know: check it took the hook as a hook.
    assert cfg.post_worker_init.__name__ == "post_worker_init"
    assert cfg.post_worker_init.__module__ != "gunicorn.config"  # not gunicorn's default
    assert cfg.accesslog is None  # convo's own request line is the one line a request
    # If the access log is turned on, its lines carry no path, query, referrer or headers:
    # those can hold join codes and one-time tokens.
    assert cfg.access_log_format == '%(h)s "%(m)s" %(s)s %(L)ss'
    # The request limit is set explicitly (slow work is the background worker's).
    assert (cfg.timeout, cfg.graceful_timeout) == (30, 30)


def test_a_worker_sets_its_start_up_objects_aside_from_the_collector() -> None:
    # In a process of its own: freezing the test run's own objects would change the run.
    script = (
        "import gc, runpy, sys\n"
        "from convo import create_app\n"
        "settings = runpy.run_path(sys.argv[1])\n"
        "create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://',"
        " 'SECRET_KEY': 'x' * 32})\n"
        "before = gc.get_freeze_count()\n"
        "settings['post_worker_init'](None)\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects(2)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(CONFIG)], capture_output=True,
                          text=True, timeout=120, check=True)
    before, frozen, left_in_oldest = (int(n) for n in done.stdout.split()[-3:])
    assert before == 0
    # The app's modules, templates and question sets: tens of thousands of objects.
    assert frozen > 50_000
    # ...and a full collection no longer has them to walk.
    assert left_in_oldest < frozen / 10


def test_gunicorn_takes_the_request_hook() -> None:
    cfg = _Loaded().cfg
    assert cfg.post_request.__name__ == "post_request"
    assert cfg.post_request.__module__ != "gunicorn.config"


def _settings() -> dict:  # type: ignore[type-arg]
    import runpy

    return runpy.run_path(str(CONFIG))


class _Request:
    """What post_request looks at: the request's body reader."""

    def __init__(self, reader: object) -> None:
        self.body = type("Body", (), {"reader": reader})()


def test_a_request_read_to_its_end_is_closed_without_waiting_for_the_client() -> None:
    import socket

    from gunicorn.http.body import LengthReader

    settings = _settings()
    waited = []
    close = settings["_close_promptly"](lambda sock, *a, **k: (waited.append(sock), sock.close()))

    # A GET (no body) or a POST whose body was read: closed at once, never waited on.
    server, client = socket.socketpair()
    settings["post_request"](None, _Request(LengthReader(None, 0)), {}, None)
    close(server)
    assert waited == [] and server.fileno() == -1
    assert client.recv(10) == b""  # the client sees the end of the answer
    client.close()

    # A body left unread: closed gracefully, as gunicorn does, so nothing is cut short.
    server, client = socket.socketpair()
    settings["post_request"](None, _Request(LengthReader(None, 1000)), {}, None)
    close(server)
    assert waited == [server]
    client.close()

    # A request that never reached post_request (a parse error): gracefully too.
    server, client = socket.socketpair()
    close(server)
    assert waited[-1] is server
    client.close()
