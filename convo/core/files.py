"""Files and folders only convo's own user may read: the instance folder, the SQLite database
with its write-ahead log and shared-memory index, and the archive of issued summaries.

They hold frank views about named people (and the archive's file names name the parties), so
folders are 0700 and files 0600 whatever the process's umask, and an install made before this
was enforced is tightened the next time convo starts or connects.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    """Make `path` no more open than `mode`, if it exists and this user owns it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if stat.S_IMODE(info.st_mode) & ~mode == 0:
        return
    if info.st_uid != os.geteuid():
        logger.warning("%s is readable by others and not convo's to change: make it %o",
                       path, mode)
        return
    os.chmod(path, stat.S_IMODE(info.st_mode) & mode)


def private_folder(path: Path, root: Path | None = None) -> Path:
    """Create `path` (and any missing parents up to and including `root`) as 0700 folders, and
    tighten those that already exist.  Folders above `root` (above `path` itself when no root
    is given) are created as usual if missing, and otherwise left as they are."""
    path = Path(path)
    stop = Path(root) if root is not None else path
    stop.parent.mkdir(parents=True, exist_ok=True)
    chain = [path, *[p for p in path.parents if p == stop or stop in p.parents]]
    for folder in reversed(chain):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            _tighten(folder, FOLDER_MODE)
        else:
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    return path


def create_private_file(path: Path) -> None:
    """Create an empty file as 0600 unless it exists (then tighten it).  An empty file is a
    valid SQLite database, so SQLite then uses it, and gives its log files the same mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)
    except FileNotFoundError:
        return  # no such folder: SQLite will say so itself
    else:
        os.chmod(path, FILE_MODE)


def tighten_sqlite(database: str) -> None:
    """The database file and its companions (write-ahead log, shared memory, rollback
    journal) made 0600; SQLite creates the companions with the database file's mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    _tighten(path, FILE_MODE)
    for suffix in SQLITE_COMPANIONS:
        _tighten(path.with_name(path.name + suffix), FILE_MODE)
