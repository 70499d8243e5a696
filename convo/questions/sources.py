"""The research a question draws on: seeds, their titles and years, and their real sections.

The seed texts live outside the repository, so what the sets may cite is kept as data in
seeds.yaml beside this file: each seed's title, year and the sections it really has.  The
checker accepts a citation only if its section is listed there; the pages and the outline
name the section's own heading beside its number.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask_babel import gettext as _

from convo.questions.schema import SOURCE

DATA = Path(__file__).with_name("seeds.yaml")


@dataclass(frozen=True)
class Section:
    ref: str
    title: str


@dataclass(frozen=True)
class Seed:
    id: str
    title: str
    year: int
    sections: tuple[Section, ...] = ()

    @property
    def citation(self) -> str:
        return f"{self.title} ({self.year})"

    def section(self, ref: str) -> Section | None:
        """The section `ref` names ("5.1", "Example 3"), matched without regard to case."""
        wanted = " ".join(ref.split()).casefold()
        return next((s for s in self.sections if s.ref.casefold() == wanted), None)

    def closest(self, ref: str) -> str | None:
        """The listed section most like `ref`, for "did you mean"."""
        refs = {s.ref.casefold(): s.ref for s in self.sections}
        found = difflib.get_close_matches(ref.strip().casefold(), list(refs), n=1, cutoff=0.6)
        return refs[found[0]] if found else None


def _load() -> dict[str, Seed]:
    seeds: dict[str, Seed] = {}
    for entry in yaml.safe_load(DATA.read_text(encoding="utf-8")):
        sections = tuple(Section(str(s["ref"]), str(s["title"])) for s in entry["sections"])
        seeds[str(entry["id"])] = Seed(str(entry["id"]), entry["title"], entry["year"], sections)
    return seeds


SEEDS: dict[str, Seed] = _load()


def seed(seed_id: str) -> Seed | None:
    return SEEDS.get(seed_id)


def split(ref: str) -> tuple[str, str] | None:
    """"001:5.1" -> ("001", "5.1"), or None when it is not in that shape."""
    match = SOURCE.fullmatch(ref)
    return (match["seed"], match["section"].strip()) if match else None


def problem(ref: str) -> str | None:
    """What is wrong with a citation whose seed exists but whose section does not, else None."""
    parts = split(ref)
    if parts is None or parts[0] not in SEEDS:
        return None  # the schema reports a malformed citation or an unknown seed
    found = SEEDS[parts[0]]
    if found.section(parts[1]) is not None:
        return None
    message = _("'%(ref)s' names no section of seed %(seed)s (%(title)s)",
                ref=ref, seed=found.id, title=found.title)
    close = found.closest(parts[1])
    if close:
        suggestion = f"{found.id}:{close}"
        message += " " + _("(did you mean '%(ref)s'?)", ref=suggestion)
    return str(message)


def describe(ref: str) -> str:
    """"001:5.1" -> "Big Local relationships with public agencies (2022), section 5.1: Findings"."""
    parts = split(ref)
    if parts is None or parts[0] not in SEEDS:
        return ref
    found = SEEDS[parts[0]]
    section = found.section(parts[1])
    name = section.ref if section else parts[1]
    if name[:1].isdigit():
        text = _("%(source)s, section %(section)s", source=found.citation, section=name)
    else:
        text = _("%(source)s, %(section)s", source=found.citation, section=name)
    if section and section.title != section.ref:
        text = _("%(where)s: %(title)s", where=text, title=section.title)
    return str(text)
