"""The settings `make serve` gives gunicorn (convo/gunicorn_config.py)."""

from __future__ import annotations

import subprocess
import sys


def test_a_worker_sets_its_start_up_objects_aside_from_the_collector() -> None:
    # In a process of its own: freezing the test run's own objects would change the run.
    script = (
        "import gc\n"
        "from convo import create_app\n"
        "from convo.gunicorn_config import post_worker_init\n"
        "create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://',"
        " 'SECRET_KEY': 'x' * 32})\n"
        "before = gc.get_freeze_count()\n"
        "post_worker_init(None)\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects(2)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    before, frozen, left_in_oldest = (int(n) for n in done.stdout.split()[-3:])
    assert before == 0
    # The app's modules, templates and question sets: tens of thousands of objects.
    assert frozen > 50_000
    # ...and a full collection no longer has them to walk.
    assert left_in_oldest < frozen / 10


def test_the_access_log_names_no_path() -> None:
    from convo import gunicorn_config

    # Paths hold join codes and one-time links: the access line has method and status only.
    assert "%(U)s" not in gunicorn_config.access_log_format
    assert "%(r)s" not in gunicorn_config.access_log_format
    assert "%(q)s" not in gunicorn_config.access_log_format
