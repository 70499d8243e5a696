"""A problem found in a question-set file: where it is, what is wrong, how serious."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from flask_babel import gettext as _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem.  `line` is 1-based (0 when the file could not be read at all).

    `included_by` names the sets through which a problem in a shared part was found.
    """

    path: Path
    line: int
    message: str
    severity: Severity = "error"
    included_by: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def text(self, strict: bool = False) -> str:
        """The message with its severity and the including sets, without the file and line."""
        message = self.message
        if self.included_by:
            message = _("%(message)s (in the part included by %(sets)s)", message=message,
                        sets=", ".join(self.included_by))
        if self.severity == "warning" and not strict:
            return str(_("warning: %(message)s", message=message))
        return str(message)

    def format(self, strict: bool = False, relative_to: Path | None = None) -> str:
        """`FILE:LINE: message`, the shape editors and CI logs understand."""
        return f"{display_path(self.path, relative_to)}:{self.line}: {self.text(strict)}"


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """The path relative to `relative_to` (default: the working folder) when inside it."""
    base = relative_to if relative_to is not None else Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return os.fspath(path)


def strictly(problems: Iterable[Problem]) -> list[Problem]:
    """Under --strict every warning counts as an error."""
    return [replace(p, severity="error") for p in problems]


def merge(problems: Iterable[Problem]) -> list[Problem]:
    """Report each problem once: the same problem found through several sets is merged,
    the sets that include it listed together.  Sorted by file and line."""
    merged: dict[tuple[Path, int, str, str], set[str]] = {}
    for problem in problems:
        key = (problem.path, problem.line, problem.message, problem.severity)
        merged.setdefault(key, set()).update(problem.included_by)
    # A part checked on its own words its problems without the set's context ("question
    # 'q1'" rather than "stage 'open', question 'q1'"): keep only the set's wording.
    via_sets = {(path, line, severity) for (path, line, _m, severity), sets in merged.items()
                if sets}
    return sorted(
        Problem(path, line, message, severity, tuple(sorted(sets)))  # type: ignore[arg-type]
        for (path, line, message, severity), sets in merged.items()
        if sets or (path, line, severity) not in via_sets
    )
