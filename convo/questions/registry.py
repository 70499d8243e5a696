"""The app's question sets: the shipped ones and facilitators' own, checked once and cached.

Shipped sets live in the repository's question_sets/; facilitators' own in the folder
app.config["QUESTION_SETS_DIR"].  A custom set is available once it passes the checker
(style warnings allowed); one that fails, or whose id is a shipped set's, is listed as
unavailable with its problems and never breaks the app.

A running app notices a set added, changed or removed without a restart: at most every
QUESTION_SETS_RECHECK_SECONDS (30 by default; on every use in debug mode) it compares the
names, times and sizes of the files with those of its last scan (a few stat calls) and
scans again if they differ.  Conversations are unaffected: each keeps a snapshot of its set.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _

from convo.questions import loader, translations
from convo.questions.problems import Problem
from convo.questions.schema import AGENCY_TYPES, QuestionSet, text_in

log = logging.getLogger(__name__)

EXTENSION_KEY = "convo.question_sets"

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class SetFile:
    """One set file and what came of loading it."""

    path: Path
    shipped: bool
    question_set: QuestionSet | None
    problems: tuple[Problem, ...] = ()

    @property
    def available(self) -> bool:
        return self.question_set is not None

    @property
    def set_id(self) -> str:
        return self.question_set.id if self.question_set else self.path.stem

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass(frozen=True)
class Catalogue:
    """Everything found in one scan."""

    files: tuple[SetFile, ...]
    fingerprint: Fingerprint
    sets: dict[str, QuestionSet] = field(default_factory=dict)


def _files(folder: Path | None) -> Iterator[Path]:
    if folder is None or not folder.is_dir():
        return
    yield from loader.set_files(folder)
    if (folder / "shared").is_dir():
        yield from loader.set_files(folder / "shared")
    if (folder / translations.FOLDER).is_dir():
        yield from sorted((folder / translations.FOLDER).glob("*/**/*" + loader.SUFFIX))


def _translated(path: Path, loaded: loader.Loaded) -> QuestionSet | None:
    """The loaded set with its translations; a translation file that can't be read leaves
    the set in its own language (the checker names the file)."""
    if loaded.question_set is None:
        return None
    try:
        return translations.for_set(path, loaded.question_set, loader.shared_dirs_for(path))
    except (translations.TranslationFileError, ValueError) as exc:
        log.error("question set %s: translations not used: %s", path.name, exc)
        return loaded.question_set


def fingerprint(custom_dir: Path | None) -> Fingerprint:
    """Names, times and sizes of every file a scan reads: when it changes, scan again."""
    stamps = []
    for folder in (loader.SHIPPED_DIR, custom_dir):
        for path in _files(folder):
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    stamps.append((str(custom_dir), int(bool(custom_dir and custom_dir.is_dir())), 0))
    return tuple(stamps)


_shipped_cache: dict[Fingerprint, tuple[SetFile, ...]] = {}
_shipped_lock = threading.Lock()


def shipped_files() -> tuple[SetFile, ...]:
    """The shipped sets, checked without the style rules (the test suite holds them to
    those).  Cached for the process while the files are unchanged."""
    key = fingerprint(None)
    with _shipped_lock:
        if key not in _shipped_cache:
            _shipped_cache.clear()
            files = []
            for path in loader.set_files(loader.SHIPPED_DIR):
                loaded = loader.load_set(path, style=False)
                if not loaded.ok:
                    for problem in loaded.errors:
                        log.error("shipped question set: %s", problem.format())
                files.append(SetFile(path, True, _translated(path, loaded), loaded.problems))
            _shipped_cache[key] = tuple(files)
        return _shipped_cache[key]


def load_custom(path: Path, reserved_ids: set[str]) -> SetFile:
    """A facilitator's own set.  Whatever is wrong with it, this returns."""
    try:
        loaded = loader.load_set(path, style=True, reserved_ids=reserved_ids)
    except Exception as exc:  # a broken custom set must never break the app
        log.exception("custom question set %s could not be loaded", path)
        problem = Problem(path, 0, _("could not be loaded: %(reason)s", reason=exc))
        return SetFile(path, False, None, (problem,))
    return SetFile(path, False, _translated(path, loaded), loaded.problems)


def _order(question_set: QuestionSet, shipped: bool) -> tuple[int, int, str]:
    kind = AGENCY_TYPES.index(question_set.agency_type)
    title = text_in(question_set.title, question_set.locale, question_set.locale)
    return kind, 0 if shipped else 1, title.casefold()


def scan(custom_dir: Path | None) -> Catalogue:
    stamp = fingerprint(custom_dir)
    files = list(shipped_files())
    shipped_ids = {f.set_id for f in files}
    if custom_dir is not None and custom_dir.is_dir():
        try:
            paths = loader.set_files(custom_dir)
        except OSError:
            log.exception("cannot list custom question sets in %s", custom_dir)
            paths = []
        files += [load_custom(path, shipped_ids) for path in paths]
    available = sorted(
        ((f.question_set, f.shipped) for f in files if f.question_set is not None),
        key=lambda pair: _order(*pair),
    )
    return Catalogue(tuple(files), stamp, {qs.id: qs for qs, _shipped in available})


class Registry:
    """The sets the app offers.

    recheck_every: seconds between looks for changed files (0: on every use; None: never,
    only when reload() is called)."""

    def __init__(self, custom_dir: Path | None, recheck_every: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.custom_dir = custom_dir
        self.recheck_every = recheck_every
        self._clock = clock
        self._lock = threading.Lock()
        self._catalogue = scan(custom_dir)
        self._checked_at = clock()

    @property
    def catalogue(self) -> Catalogue:
        if self.recheck_every is not None:
            now = self._clock()
            if now - self._checked_at >= self.recheck_every:
                self._checked_at = now
                if fingerprint(self.custom_dir) != self._catalogue.fingerprint:
                    log.info("question sets changed on disk: scanning again")
                    self.reload()
        return self._catalogue

    def reload(self) -> None:
        with self._lock:
            self._catalogue = scan(self.custom_dir)

    def get(self, set_id: str) -> QuestionSet | None:
        """An available set by id, or None."""
        return self.catalogue.sets.get(set_id)

    def all(self) -> list[QuestionSet]:
        """Every available set, by agency type, shipped before custom, then by title."""
        return list(self.catalogue.sets.values())

    def for_agency_type(self, agency_type: str) -> list[QuestionSet]:
        return [qs for qs in self.all() if qs.agency_type == agency_type]

    def file_for(self, set_id: str) -> SetFile | None:
        return next((f for f in self.catalogue.files if f.set_id == set_id and f.available),
                    None)

    def is_custom(self, set_id: str) -> bool:
        found = self.file_for(set_id)
        return found is not None and not found.shipped

    def custom_files(self) -> list[SetFile]:
        """Every custom set file, available or not, with its problems."""
        return [f for f in self.catalogue.files if not f.shipped]

    def unavailable(self) -> list[SetFile]:
        """Set files that failed the checker (custom ones, and shipped ones in a broken
        checkout)."""
        return [f for f in self.catalogue.files if not f.available]


def recheck_seconds(app: Flask) -> float:
    """QUESTION_SETS_RECHECK_SECONDS as a number of seconds (0 in debug mode)."""
    if app.debug:
        return 0.0
    value = app.config.get("QUESTION_SETS_RECHECK_SECONDS", 30)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds <= 86_400:  # also refuses NaN
        raise ValueError(
            f"QUESTION_SETS_RECHECK_SECONDS must be a number of seconds from 0 to 86400, "
            f"not {value!r}")
    return seconds


def init_app(app: Flask) -> Registry:
    folder = app.config.get("QUESTION_SETS_DIR")
    found = Registry(Path(folder) if folder else None, recheck_every=recheck_seconds(app))
    app.extensions[EXTENSION_KEY] = found
    return found


def registry(app: Flask | None = None) -> Registry:
    """The running app's registry."""
    return (app or current_app).extensions[EXTENSION_KEY]  # type: ignore[no-any-return]
