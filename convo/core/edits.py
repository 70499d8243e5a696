"""Saving a change against what its writer saw, so that no save silently replaces a newer one.

Every form that edits something more than one person (or browser tab) can change carries, for
each of its fields, a fingerprint of the value the writer was shown: a hidden input named
``seen-<field>``.  When the form comes back, each field is merged three ways, under the
conversation's lock (storage.lock_conversation) and against the value as it is now:

- the writer sent what is there now: nothing to do (a resend, or the same words twice);
- the writer changed the field and nobody else did (now == seen): the writer's words go in;
- somebody else changed it and the writer didn't (sent == seen): the other words stay;
- both changed it: a conflict.  Nothing of the request is saved; the writer is shown both
  wordings with their own still in the box, and the fingerprint of the other wording, so that
  saving again deliberately keeps theirs (and the other wording goes to the history).

So tab 1's "points of contact" and tab 2's "how often we meet" both survive, and two people
rewording the same point never lose either wording.  A field whose fingerprint is missing
(an old page, a hand-made request) counts as a conflict wherever its value differs.

The fingerprint is a short hash of the value, so a page never carries a copy of what it shows.
It is the record's version at the grain of a field: two saves of different fields never clash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SEEN_PREFIX = "seen-"
TAKE_THEIRS = "take-theirs"


def _plain(value: Any) -> str:
    """A value as a form would send it back: None and "" alike, booleans as 1 or nothing."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def fingerprint(value: Any) -> str:
    return hashlib.sha256(_plain(value).encode("utf-8")).hexdigest()[:20]


def same(a: Any, b: Any) -> bool:
    return _plain(a) == _plain(b)


@dataclass(frozen=True)
class Conflict:
    """Both the writer and somebody else changed this field since the writer looked."""

    name: str  # the form field's name
    label: str  # what the field is called on the page
    theirs: Any  # the value now saved (somebody else's)
    yours: Any  # what the writer sent, kept in their box
    shown: str = ""  # their value in words ("Yes", a party's name, the text itself)

    @property
    def seen(self) -> str:
        """The fingerprint to send back to keep the writer's words deliberately."""
        return fingerprint(self.theirs)

    @property
    def theirs_text(self) -> str:
        return _plain(self.theirs)


@dataclass
class Merge:
    """The outcome: what to write, and what clashed."""

    changes: dict[str, Any] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts


def seen_from(form: Mapping[str, str], names: Iterable[str]) -> dict[str, str | None]:
    """The fingerprints a form carried for these fields (None where one is missing)."""
    return {name: form.get(SEEN_PREFIX + name) or None for name in names}


def taken_from(form: Any) -> set[str]:
    """Fields whose writer chose "use their words" after a conflict."""
    getlist = getattr(form, "getlist", None)
    values = getlist(TAKE_THEIRS) if getlist else [form.get(TAKE_THEIRS, "")]
    return {value for value in values if value}


def merge(current: Mapping[str, Any], sent: Mapping[str, Any], seen: Mapping[str, str | None],
          labels: Mapping[str, Any] | None = None, take_theirs: Iterable[str] = (),
          display: Callable[[str, Any], str] | None = None) -> Merge:
    """Merge one writer's form into the values as they are now, field by field.  `display`
    puts a value in words for the conflict notice (default: the value as text)."""
    result = Merge()
    keep = set(take_theirs)
    for name, mine in sent.items():
        now = current[name]
        if name in keep or same(mine, now):
            continue
        base = seen.get(name)
        if base is not None and base == fingerprint(now):
            result.changes[name] = mine
        elif base is not None and base == fingerprint(mine):
            continue  # only somebody else changed it: their words stay
        else:
            result.conflicts.append(Conflict(
                name=name, label=str((labels or {}).get(name, name)), theirs=now, yours=mine,
                shown=display(name, now) if display else _plain(now)))
    return result


@dataclass(frozen=True)
class EditState:
    """What a page needs to render an edit form: each field's fingerprint, and any conflicts
    from the save just refused."""

    seen: Mapping[str, str]
    conflicts: Mapping[str, Conflict] = field(default_factory=dict)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> EditState:
        """A fresh form showing these values."""
        return cls(seen={name: fingerprint(value) for name, value in values.items()})

    @classmethod
    def refused(cls, form: Mapping[str, str], values: Mapping[str, Any],
                conflicts: Iterable[Conflict]) -> EditState:
        """The form shown again after a conflict: the writer's words stay in the boxes; each
        clashing field now carries the fingerprint of the other wording (so saving again
        keeps the writer's words on purpose); every other field keeps what it carried, so it
        merges as before."""
        clashes = {c.name: c for c in conflicts}
        seen = {}
        for name, value in values.items():
            if name in clashes:
                seen[name] = clashes[name].seen
            else:
                seen[name] = form.get(SEEN_PREFIX + name) or fingerprint(value)
        return cls(seen=seen, conflicts=clashes)

    def hidden(self, name: str) -> str:
        return self.seen.get(name, "")


def saved_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """The answer to a script's save: each field's value as saved now, and its fingerprint,
    so the page's next save is measured against it."""
    return {"ok": True, "fields": {name: {"value": _plain(value), "seen": fingerprint(value)}
                                   for name, value in values.items()}}


def conflict_json(conflicts: Iterable[Conflict], message: str) -> dict[str, Any]:
    return {"ok": False, "conflict": True, "message": message, "conflicts": [
        {"field": c.name, "label": c.label, "theirs": c.theirs_text, "shown": c.shown,
         "seen": c.seen}
        for c in conflicts]}
