"""Checks that need more than one field: unique ids, references, scales, translations.

They run on the assembled data as plain dicts and lists (before, and whatever the result
of, schema validation), so that one run reports as much as it can.  Each finding is a path
into that data and a message; the loader turns paths into files and lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from convo.questions.yamlsource import Loc

# Lists of things that have ids, and what one of them is called in a message.
COLLECTIONS = {
    "stages": "stage",
    "questions": "question",
    "ratings": "rating",
    "criteria": "criterion",
    "relationship_types": "relationship type",
    "subtypes": "subtype",
    "toolkit": "toolkit note",
    "preparation": "preparation question",
}
# Scales up to this many points label every point ("1 Not at all" ... "5 Fully"); longer
# ones, like seed 003's 1 to 10, need labels only at their two ends.
LABEL_EVERY_POINT_UP_TO = 7
# The single thing a shared part holds at its root.
PART_ROOTS = {"stage": "stage", "rating": "rating"}


@dataclass(frozen=True)
class Finding:
    """A problem at `loc`; `field`: the message follows the field's name ("text must...")."""

    loc: Loc
    message: str
    field: bool = True


# ---------------------------------------------------------------------------- describing


def _ident(item: Any, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return f"'{item['id']}'"
    return f"#{index + 1}"


def where(data: Any, loc: Loc) -> tuple[list[str], Any, Loc]:
    """Split a path into the named things it passes through ("stage 'open'", "question
    'q3'"), the innermost such thing, and the rest of the path inside it."""
    labels: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if (isinstance(node, dict) and key in COLLECTIONS and isinstance(nxt, int)
                and isinstance(node.get(key), list)):
            items = node[key]
            item = items[nxt] if 0 <= nxt < len(items) else None
            labels.append(f"{COLLECTIONS[key]} {_ident(item, nxt)}")
            node, i = item, i + 2
            continue
        if i == 0 and isinstance(node, dict) and key in PART_ROOTS and isinstance(
                node.get(key), dict) and "part" in node:
            labels.append(f"{PART_ROOTS[key]} {_ident(node[key], 0)}")
            node, i = node[key], i + 1
            continue
        if isinstance(node, dict) and key == "glossary" and nxt is not None and nxt != "[key]":
            labels.append(_("glossary entry '%(key)s'", key=nxt))
            node, i = None, i + 2
            continue
        break
    return labels, node, loc[i:]


def field_name(node: Any, rest: Loc) -> str:
    """("follow_ups", 2) -> "follow_ups item 3"; ("scale", "labels", 4) -> "scale labels 4"."""
    words: list[str] = []
    for key in rest:
        if key == "[key]":
            words.append(_("key"))
            continue
        if isinstance(node, list) and isinstance(key, int):
            words.append(_("item %(n)s", n=key + 1))
            node = node[key] if 0 <= key < len(node) else None
        else:
            words.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " ".join(words)


def describe(data: Any, loc: Loc, message: str, field: bool = True) -> str:
    """"stage 'challenges', question 'q3': addressed_to must be one of ..."."""
    labels, node, rest = where(data, loc)
    name = field_name(node, rest) if field else ""
    text = f"{name} {message}" if name else message
    return ", ".join(labels) + ": " + text if labels else text


def at(data: Any, loc: Loc) -> Any:
    node = data
    for key in loc:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def dicts(data: Any, loc: Loc) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """The mapping items of the list at `loc`, with their paths."""
    items = at(data, loc)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield loc + (index,), item


# ---------------------------------------------------------------------------- texts

STAGE_TEXTS = ("title", "purpose", "facilitator_notes")
QUESTION_TEXTS = ("text", "why")
NAMED_TEXTS = ("title", "description")


def question_texts(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    question = at(data, loc)
    if not isinstance(question, dict):
        return
    for name in QUESTION_TEXTS:
        if name in question:
            yield loc + (name,), question[name]
    follow_ups = question.get("follow_ups")
    if isinstance(follow_ups, list):
        for index, follow_up in enumerate(follow_ups):
            yield loc + ("follow_ups", index), follow_up


def stage_texts(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    stage = at(data, loc)
    if not isinstance(stage, dict):
        return
    for name in STAGE_TEXTS:
        if name in stage:
            yield loc + (name,), stage[name]
    for qloc, _question in dicts(data, loc + ("questions",)):
        yield from question_texts(data, qloc)


def rating_texts(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    rating = at(data, loc)
    if not isinstance(rating, dict):
        return
    for name in ("title", "instructions"):
        if name in rating:
            yield loc + (name,), rating[name]
    labels = at(data, loc + ("scale", "labels"))
    if isinstance(labels, dict):
        for point, label in labels.items():
            yield loc + ("scale", "labels", point), label
    for cloc, criterion in dicts(data, loc + ("criteria",)):
        for name in NAMED_TEXTS:
            if name in criterion:
                yield cloc + (name,), criterion[name]


def named_texts(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    for iloc, item in dicts(data, loc):
        for name in NAMED_TEXTS:
            if name in item:
                yield iloc + (name,), item[name]


def toolkit_texts(data: Any) -> Iterator[tuple[Loc, Any]]:
    """The ground rules, toolkit notes and preparation questions, at the root of a set or of
    a part that holds them."""
    rules = at(data, ("ground_rules",))
    if isinstance(rules, list):
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict):
                yield ("ground_rules", index), rule
    for nloc, note in dicts(data, ("toolkit",)):
        for name in ("title", "text", "borrowed_from"):
            if name in note:
                yield nloc + (name,), note[name]
    for ploc, _prep in dicts(data, ("preparation",)):
        yield from question_texts(data, ploc)


def set_texts(data: Any) -> Iterator[tuple[Loc, Any]]:
    """Every text field of an assembled set, with its path."""
    if not isinstance(data, dict):
        return
    for name in ("title", "description"):
        if name in data:
            yield (name,), data[name]
    for sloc, subtype in dicts(data, ("subtypes",)):
        if "title" in subtype:
            yield sloc + ("title",), subtype["title"]
    glossary = data.get("glossary")
    if isinstance(glossary, dict):
        for key, explanation in glossary.items():
            yield ("glossary", key), explanation
    for sloc, _stage in dicts(data, ("stages",)):
        yield from stage_texts(data, sloc)
    for rloc, _rating in dicts(data, ("ratings",)):
        yield from rating_texts(data, rloc)
    yield from named_texts(data, ("relationship_types",))
    yield from toolkit_texts(data)


def part_texts(data: Any) -> Iterator[tuple[Loc, Any]]:
    """Every text field of a shared part, with its path."""
    if not isinstance(data, dict):
        return
    if "stage" in data:
        yield from stage_texts(data, ("stage",))
    for qloc, _question in dicts(data, ("questions",)):
        yield from question_texts(data, qloc)
    if "rating" in data:
        yield from rating_texts(data, ("rating",))
    yield from named_texts(data, ("relationship_types",))
    yield from toolkit_texts(data)


def plain(value: Any) -> list[str]:
    """The strings of a text field, whether plain or a mapping of translations."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for text in value.values() if isinstance(text, str)]
    return []


# ---------------------------------------------------------------------------- checks


def duplicate_ids(data: Any, items: list[tuple[Loc, dict[str, Any]]], kind: str) -> list[Finding]:
    """Each id once among `items` (which may come from several lists)."""
    seen: dict[str, Loc] = {}
    found = []
    for loc, item in items:
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident not in seen:
            seen[ident] = loc
            continue
        parents = where(data, seen[ident])[0][:-1]
        if parents:
            message = _("duplicate %(kind)s id '%(id)s' (also used in %(first)s)",
                        kind=kind, id=ident, first=", ".join(parents))
        else:
            message = _("duplicate %(kind)s id '%(id)s'", kind=kind, id=ident)
        found.append(Finding(loc, message))
    return found


def check_scale(data: Any, loc: Loc) -> list[Finding]:
    scale = at(data, loc)
    if not isinstance(scale, dict):
        return []
    low, high, labels = scale.get("min"), scale.get("max"), scale.get("labels")
    if not (type(low) is int and type(high) is int):
        return []
    found = []
    if high <= low:
        found.append(Finding(loc + ("max",), _("must be greater than min")))
        return found
    if high - low > 10:
        found.append(Finding(loc + ("max",), _(
            "must be at most min + 10 (a scale has at most 11 points)")))
        return found
    if "labels" not in scale:
        return found  # reported as a missing key
    if not isinstance(labels, dict):
        return found
    if not labels:
        found.append(Finding(loc + ("labels",), _(
            "must give a label for every point from %(min)s to %(max)s (none given)",
            min=low, max=high)))
        return found
    if high - low + 1 <= LABEL_EVERY_POINT_UP_TO:
        missing = [str(p) for p in range(low, high + 1) if p not in labels]
        if missing:
            found.append(Finding(loc + ("labels",), _(
                "are missing %(points)s: give a label for every point from %(min)s to %(max)s",
                points=", ".join(missing), min=low, max=high)))
    else:
        missing = [str(p) for p in (low, high) if p not in labels]
        if missing:
            found.append(Finding(loc + ("labels",), _(
                "are missing %(points)s: a scale of more than %(n)s points needs a label for "
                "at least its two ends (%(min)s and %(max)s)", points=", ".join(missing),
                n=LABEL_EVERY_POINT_UP_TO, min=low, max=high)))
    for point in labels:
        if type(point) is int and not low <= point <= high:
            found.append(Finding(loc + ("labels", point), _(
                "is outside the scale %(min)s to %(max)s", min=low, max=high)))
    return found


def check_rating(data: Any, loc: Loc) -> list[Finding]:
    rating = at(data, loc)
    if not isinstance(rating, dict):
        return []
    found = check_scale(data, loc + ("scale",))
    found += duplicate_ids(data, list(dicts(data, loc + ("criteria",))), "criterion")
    columns = rating.get("columns")
    if isinstance(columns, list) and all(isinstance(c, str) for c in columns) and columns \
            and columns not in (["now"], ["at_start", "now"]):
        found.append(Finding(loc + ("columns",), _("must be [now] or [at_start, now]")))
    return found


def check_question(data: Any, loc: Loc) -> list[Finding]:
    question = at(data, loc)
    found = []
    if isinstance(question, dict):
        for name in ("surfaces", "sources"):
            values = question.get(name)
            if isinstance(values, list):
                hashable = [v for v in values if isinstance(v, (str, int))]
                for value in sorted({v for v in hashable if hashable.count(v) > 1}, key=str):
                    found.append(Finding(loc + (name,), _(
                        "lists '%(value)s' more than once", value=value)))
    return found


def check_stage(data: Any, loc: Loc) -> list[Finding]:
    stage = at(data, loc)
    found = []
    if isinstance(stage, dict):
        questions = stage.get("questions")
        if stage.get("break") is True:
            for key in ("questions", "rating", "relationship_type"):
                if stage.get(key) not in (None, [], False):
                    found.append(Finding(loc + (key,), _(
                        "is not for a break: a break is time set aside, with no questions or "
                        "rating (remove '%(key)s', or 'break: true')", key=key)))
        elif "questions" not in stage:
            found.append(Finding(loc, _(
                "missing key 'questions' (a stage needs at least one question; a break says "
                "'break: true' instead)"), field=False))
        elif questions == []:
            found.append(Finding(loc + ("questions",), _(
                "must not be empty: a stage needs at least one question")))
    for qloc, _question in dicts(data, loc + ("questions",)):
        found += check_question(data, qloc)
    return found


def _ids(data: Any, loc: Loc) -> list[str]:
    return [str(item["id"]) for _l, item in dicts(data, loc) if isinstance(item.get("id"), str)]


def unknown_reference(value: str, known: list[str], what: str) -> str:
    """"'x' is not one of this set's subtypes (a, b) (did you mean 'a'?)"."""
    message = _("'%(value)s' is not one of this set's %(what)s (%(known)s)", value=value,
                what=what, known=", ".join(known) or _("it has none"))
    close = difflib.get_close_matches(value, known, n=1)
    if close:
        message += " " + _("(did you mean '%(value)s'?)", value=close[0])
    return str(message)


def check_only_for(data: Any, items: list[tuple[Loc, dict[str, Any]]]) -> list[Finding]:
    """Each subtype named in an `only_for` is one of the set's subtypes."""
    subtypes = _ids(data, ("subtypes",))
    found = []
    for loc, item in items:
        only_for = item.get("only_for")
        if not isinstance(only_for, list):
            continue
        for index, value in enumerate(only_for):
            if isinstance(value, str) and value not in subtypes:
                found.append(Finding(loc + ("only_for", index), unknown_reference(
                    value, subtypes, _("subtypes"))))
    return found


def check_translations(data: Any, texts: Iterator[tuple[Loc, Any]]) -> list[Finding]:
    """With no `translations`, every text is plain; with them, every text is a mapping that
    holds the set's locale and each translation, and nothing else."""
    locale = data.get("locale") if isinstance(data, dict) else None
    extra = data.get("translations", []) if isinstance(data, dict) else []
    if not isinstance(locale, str) or not isinstance(extra, list):
        return []
    wanted = [locale, *(t for t in extra if isinstance(t, str))]
    found = []
    for loc, value in texts:
        if not extra:
            if isinstance(value, dict):
                found.append(Finding(loc, _(
                    "is given in several languages, but the set declares no translations: "
                    "write plain text, or list the extra locales under 'translations'")))
            continue
        if isinstance(value, str):
            found.append(Finding(loc, _(
                "must give the text in every locale of the set (%(locales)s), e.g. "
                "%(example)s", locales=", ".join(wanted),
                example="{" + ", ".join(f"{w}: ..." for w in wanted) + "}")))
        elif isinstance(value, dict):
            missing = [w for w in wanted if w not in value]
            if missing:
                found.append(Finding(loc, _(
                    "has no %(locales)s translation", locales=", ".join(missing))))
            for key in value:
                if key not in wanted:
                    found.append(Finding(loc, _(
                        "has text for '%(locale)s', which is not a locale of the set "
                        "(%(locales)s)", locale=key, locales=", ".join(wanted))))
    return found


def check_set(data: Any, incomplete: frozenset[Loc] = frozenset()) -> list[Finding]:
    """Whole-set checks.  `incomplete`: lists that an include failed to fill, so references
    to what it would have brought in are not checked (that would only repeat its error)."""
    if not isinstance(data, dict):
        return []
    stages = list(dicts(data, ("stages",)))
    questions = [q for sloc, _s in stages for q in dicts(data, sloc + ("questions",))]
    ratings = list(dicts(data, ("ratings",)))
    found = duplicate_ids(data, list(dicts(data, ("subtypes",))), "subtype")
    found += duplicate_ids(data, stages, "stage")
    found += duplicate_ids(data, questions, "question")
    found += duplicate_ids(data, ratings, "rating")
    found += duplicate_ids(data, list(dicts(data, ("relationship_types",))), "relationship type")
    notes = list(dicts(data, ("toolkit",)))
    preparation = list(dicts(data, ("preparation",)))
    found += duplicate_ids(data, notes, "toolkit note")
    found += duplicate_ids(data, preparation, "preparation question")
    if ("subtypes",) not in incomplete:
        found += check_only_for(data, questions + notes + preparation)
    translations = data.get("translations")
    if isinstance(translations, list) and data.get("locale") in translations:
        found.append(Finding(("translations",), _(
            "lists the set's own locale '%(locale)s'", locale=data["locale"])))
    for sloc, _stage in stages:
        found += check_stage(data, sloc)
    for rloc, _rating in ratings:
        found += check_rating(data, rloc)
    rating_ids = {r.get("id") for _loc, r in ratings}
    for sloc, stage in stages:
        rating = stage.get("rating")
        if ("ratings",) not in incomplete and isinstance(rating, str) \
                and rating not in rating_ids:
            known = sorted(i for i in rating_ids if isinstance(i, str))
            found.append(Finding(sloc + ("rating",), unknown_reference(
                rating, known, _("rating instruments"))))
        if ("relationship_types",) not in incomplete and stage.get("relationship_type") is True \
                and not data.get("relationship_types"):
            found.append(Finding(sloc + ("relationship_type",), _(
                "is true, but the set has no relationship_types")))
    found += check_translations(data, set_texts(data))
    return found


def check_part(data: Any) -> list[Finding]:
    """Checks for a shared part on its own (its set-level checks run with each set)."""
    if not isinstance(data, dict):
        return []
    found: list[Finding] = []
    if isinstance(data.get("stage"), dict):
        found += duplicate_ids(data, list(dicts(data, ("stage", "questions"))), "question")
        found += check_stage(data, ("stage",))
    if isinstance(data.get("questions"), list):
        questions = list(dicts(data, ("questions",)))
        found += duplicate_ids(data, questions, "question")
        for qloc, _question in questions:
            found += check_question(data, qloc)
    if isinstance(data.get("rating"), dict):
        found += check_rating(data, ("rating",))
    if isinstance(data.get("relationship_types"), list):
        found += duplicate_ids(data, list(dicts(data, ("relationship_types",))),
                               "relationship type")
    for kind, name in (("toolkit", "toolkit note"), ("preparation", "preparation question")):
        if isinstance(data.get(kind), list):
            found += duplicate_ids(data, list(dicts(data, (kind,))), name)
    return found
