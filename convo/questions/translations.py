"""Question sets in other languages: translation files beside the sets.

Each set or shared part file has, for each language, a sibling translation file under the
set folder's `translations/<locale>/` with the same relative name:

    question_sets/health.yaml                ->  question_sets/translations/cy/health.yaml
    question_sets/shared/opening.yaml        ->  question_sets/translations/cy/shared/opening.yaml

A translation file maps each piece of text in its source file to the English it was
translated from and its translation:

    locale: cy
    strings:
      stages/get_to_know/title:
        en: Get to know each other
        cy: Dod i adnabod eich gilydd

Keys name what the text belongs to by id (`questions/<id>/text`, `stages/<id>/purpose`,
`ratings/<id>/criteria/<id>/title` ...), so a translation follows its text wherever a set
includes it.  A translation is used only while its `en` is still the source's text: when the
source changes, the entry is *stale*, the English is shown again, and `convo question-sets
translations` reports it until the translation is brought up to date.

A language may translate everything (the facilitator's notes too), or only what
participants read on their phones and on the shared screen (LANGUAGE SCOPES in
convo/core/languages.py): `participant_facing()` says which keys those are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from convo.questions.problems import Problem
from convo.questions.schema import QuestionSet

FOLDER = "translations"

# Which fields of each kind of thing hold text to translate, and which lists of text.
_FIELDS = {
    "set": ("title", "description"),
    "subtypes": ("title",),
    "stages": ("title", "purpose", "facilitator_notes"),
    "questions": ("text", "why"),
    "ratings": ("title", "instructions"),
    "criteria": ("title", "description"),
    "relationship_types": ("title", "description"),
    "toolkit": ("title", "text", "borrowed_from"),
    "preparation": ("text", "why"),
}
_LISTS = {"questions": "follow_ups", "preparation": "follow_ups"}

# What participants read: on their phones (the question, its stage, the scores) and on the
# shared screen (the same, with the ground rules and the kinds of relationship).
_PARTICIPANT = re.compile(
    r"^(title|subtypes/[^/]+/title|stages/[^/]+/title|questions/[^/]+/text"
    r"|ratings/[^/]+/(title|instructions|scale/labels/[^/]+|criteria/[^/]+/(title|description))"
    r"|relationship_types/[^/]+/(title|description)|ground_rules/\d+)$")


def participant_facing(key: str) -> bool:
    return bool(_PARTICIPANT.match(key))


def translation_file(source: Path, locale: str) -> Path:
    """Where `source`'s translation into `locale` lives."""
    if source.parent.name == "shared":
        return source.parent.parent / FOLDER / locale / "shared" / source.name
    return source.parent / FOLDER / locale / source.name


def locales_beside(folder: Path) -> list[str]:
    """The languages a folder of sets has translation files for."""
    root = folder / FOLDER
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


# ---------------------------------------------------------------------------- keys


def texts(data: Any) -> Iterator[tuple[str, str]]:
    """Every (key, text) a set or part file holds, in the order of the file."""
    if not isinstance(data, dict):
        return
    if "part" in data:
        for kind, value in data.items():
            if kind == "stage":
                yield from _thing("stages", value)
            elif kind == "rating":
                yield from _thing("ratings", value)
            elif kind == "questions":
                yield from _things("questions", value)
            elif kind in ("relationship_types", "toolkit", "preparation"):
                yield from _things(kind, value)
            elif kind == "ground_rules":
                yield from _plain_list("ground_rules", value)
        return
    for name in _FIELDS["set"]:
        yield from _text(name, data.get(name))
    yield from _things("subtypes", data.get("subtypes"))
    glossary = data.get("glossary")
    if isinstance(glossary, dict):
        for term, text in glossary.items():
            yield from _text(f"glossary/{term}", text)
    yield from _things("stages", data.get("stages"))
    yield from _things("ratings", data.get("ratings"))
    for kind in ("relationship_types", "toolkit", "preparation"):
        yield from _things(kind, data.get(kind))
    yield from _plain_list("ground_rules", data.get("ground_rules"))


def _text(key: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str) and value.strip():
        yield key, value


def _plain_list(key: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for index, text in enumerate(value):
            yield from _text(f"{key}/{index}", text)


def _things(kind: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, list):
        for item in value:
            yield from _thing(kind, item)


def _thing(kind: str, item: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(item, dict) or "include" in item or not isinstance(item.get("id"), str):
        return
    base = f"{kind}/{item['id']}"
    for name in _FIELDS[kind]:
        yield from _text(f"{base}/{name}", item.get(name))
    if kind in _LISTS:
        yield from _plain_list(f"{base}/{_LISTS[kind]}", item.get(_LISTS[kind]))
    if kind == "stages":
        yield from _things("questions", item.get("questions"))
    if kind == "ratings":
        scale = item.get("scale")
        labels = scale.get("labels") if isinstance(scale, dict) else None
        if isinstance(labels, dict):
            for point, text in labels.items():
                yield from _text(f"{base}/scale/labels/{point}", text)
        for criterion in item.get("criteria") or []:
            if isinstance(criterion, dict) and isinstance(criterion.get("id"), str):
                for name in _FIELDS["criteria"]:
                    yield from _text(f"{base}/criteria/{criterion['id']}/{name}",
                                     criterion.get(name))


# ---------------------------------------------------------------------------- files


@dataclass(frozen=True)
class Entry:
    en: str
    text: str


class TranslationFileError(ValueError):
    """A translation file that can't be read; the message says where and why."""


def read(path: Path, locale: str) -> dict[str, Entry]:
    """A translation file's entries (empty when there is no file)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TranslationFileError(f"{path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("strings", {}), dict):
        raise TranslationFileError(f"{path}: expected 'locale' and 'strings'")
    if data.get("locale") not in (None, locale):
        raise TranslationFileError(
            f"{path}: says locale {data.get('locale')!r} but is in the folder for {locale!r}")
    entries: dict[str, Entry] = {}
    for key, value in (data.get("strings") or {}).items():
        if not isinstance(value, dict):
            raise TranslationFileError(f"{path}: '{key}' must have 'en' and '{locale}'")
        en, text = value.get("en"), value.get(locale)
        entries[str(key)] = Entry(en if isinstance(en, str) else "",
                                  text if isinstance(text, str) else "")
    return entries


class _Folded(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = ">" if len(value) > 70 and "\n" not in value.rstrip("\n") else None
    if "\n" in value.rstrip("\n"):
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write(path: Path, locale: str, source_name: str, entries: dict[str, Entry]) -> None:
    """Write a translation file, in the order given."""
    body = {"locale": locale, "strings": {
        key: {"en": entry.en, locale: entry.text} for key, entry in entries.items()}}
    header = (f"# {locale} for {source_name}.  Translate each '{locale}'; keep 'en' as the "
              f"English it was\n# translated from (see question_sets/README.md, "
              f"'Translating a set').\n")
    text = yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=92,
                     default_flow_style=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + text, encoding="utf-8")


def update(source: Path, locale: str, participant_only: bool = False) -> dict[str, Entry]:
    """Bring `source`'s translation file for `locale` in line with it: every key the source
    holds (only participant-facing ones with `participant_only`), existing translations
    kept (a stale one keeps the English it was made from, so the checker can report it),
    keys the source no longer has dropped.  Returns the entries written."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    target = translation_file(source, locale)
    old = read(target, locale)
    entries = {
        key: old[key] if key in old and old[key].text else Entry(en, "")
        for key, en in texts(data) if not participant_only or participant_facing(key)}
    if entries or target.exists():
        write(target, locale, source.name, entries)
    return entries


# ---------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Gap:
    """A piece of text without a usable translation."""

    path: Path
    key: str
    stale: bool  # translated, but from English that has since changed


def gaps(source: Path, locale: str, participant_only: bool = False) -> list[Gap]:
    """What `source` lacks in `locale`: missing and stale translations."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    target = translation_file(source, locale)
    entries = read(target, locale)
    found = []
    for key, en in texts(data):
        if participant_only and not participant_facing(key):
            continue
        entry = entries.get(key)
        if entry is None or not entry.text.strip():
            found.append(Gap(target, key, stale=False))
        elif entry.en != en:
            found.append(Gap(target, key, stale=True))
    return found


# ---------------------------------------------------------------------------- applying


def table(files: list[Path], locale: str) -> dict[str, Entry]:
    """The entries of several translation files, merged (keys are ids, unique in a set)."""
    merged: dict[str, Entry] = {}
    for path in files:
        merged.update(read(path, locale))
    return merged


def translated(question_set: QuestionSet, tables: dict[str, dict[str, Entry]]) -> QuestionSet:
    """The set with each text that has a current translation turned into a mapping of
    locale to text ({"en_GB": ..., "cy": ...}), which `schema.text_in` reads."""
    if not any(tables.values()):
        return question_set
    source_locale = question_set.locale
    data = question_set.model_dump(by_alias=True)

    def swap(key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        options = {source_locale: value}
        for locale, entries in tables.items():
            entry = entries.get(key)
            if entry is not None and entry.text.strip() and entry.en == value:
                options[locale] = entry.text
        return options if len(options) > 1 else value

    rules_by_english = {locale: {e.en: e.text for k, e in entries.items()
                                 if k.startswith("ground_rules/") and e.text.strip()}
                        for locale, entries in tables.items()}
    _walk_set(data, swap)
    rules = []
    for rule in data.get("ground_rules", []):
        options = {source_locale: rule}
        for locale, by_english in rules_by_english.items():
            if isinstance(rule, str) and rule in by_english:
                options[locale] = by_english[rule]
        rules.append(options if len(options) > 1 else rule)
    data["ground_rules"] = rules
    data["translations"] = sorted({*question_set.translations, *(
        loc for loc, entries in tables.items() if any(e.text.strip() for e in entries.values()))})
    return QuestionSet.model_validate(data)


def _walk_set(data: dict[str, Any], swap: Any) -> None:
    for name in _FIELDS["set"]:
        data[name] = swap(name, data[name])
    for subtype in data["subtypes"]:
        subtype["title"] = swap(f"subtypes/{subtype['id']}/title", subtype["title"])
    data["glossary"] = {term: swap(f"glossary/{term}", text)
                        for term, text in data["glossary"].items()}
    for stage in data["stages"]:
        _swap_fields("stages", stage, swap)
        for question in stage["questions"]:
            _swap_fields("questions", question, swap)
    for rating in data["ratings"]:
        _swap_fields("ratings", rating, swap)
        base = f"ratings/{rating['id']}"
        rating["scale"]["labels"] = {
            point: swap(f"{base}/scale/labels/{point}", text)
            for point, text in rating["scale"]["labels"].items()}
        for criterion in rating["criteria"]:
            for name in _FIELDS["criteria"]:
                criterion[name] = swap(f"{base}/criteria/{criterion['id']}/{name}",
                                       criterion[name])
    for kind in ("relationship_types", "toolkit", "preparation"):
        for item in data[kind]:
            _swap_fields(kind, item, swap)


def _swap_fields(kind: str, item: dict[str, Any], swap: Any) -> None:
    base = f"{kind}/{item['id']}"
    for name in _FIELDS[kind]:
        if item.get(name) is not None:
            item[name] = swap(f"{base}/{name}", item[name])
    if kind in _LISTS:
        item[_LISTS[kind]] = [swap(f"{base}/{_LISTS[kind]}/{index}", text)
                              for index, text in enumerate(item[_LISTS[kind]])]


def files_for(path: Path, shared_dirs: tuple[Path, ...], locale: str) -> list[Path]:
    """The translation files that can hold a set's text in `locale`: its own, and those of
    every part folder its includes are looked up in."""
    found = [translation_file(path, locale)]
    for folder in shared_dirs:
        holder = folder.parent / FOLDER / locale / "shared"
        if holder.is_dir():
            found += sorted(holder.glob("*.yaml"))
    return [p for p in dict.fromkeys(found) if p.is_file()]


def for_set(path: Path, question_set: QuestionSet, shared_dirs: tuple[Path, ...]) -> QuestionSet:
    """The set with its translations beside it (see the module's docstring)."""
    locales = set(locales_beside(path.parent))
    for folder in shared_dirs:
        locales |= set(locales_beside(folder.parent))
    locales.discard(question_set.locale)
    tables = {locale: table(files_for(path, shared_dirs, locale), locale)
              for locale in sorted(locales)}
    return translated(question_set, tables)


# ---------------------------------------------------------------------------- the checker


def base_folder(source: Path) -> Path:
    """The folder of sets a set or part file belongs to."""
    return source.parent.parent if source.parent.name == "shared" else source.parent


def participant_only(locale: str) -> bool:
    """Whether a language translates only what participants read (languages.yaml)."""
    from convo.core import languages

    known = languages.shipped().get(locale)
    return known is not None and not known.for_facilitators


def _line_of(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip().rstrip(":").strip("'\"") == key:
                return number
    except OSError:
        pass
    return 0


def problems(source: Path) -> list[Problem]:
    """Missing and out-of-date translations of a set or part file, as warnings (errors
    under --strict), each at the line of the translation file to change."""
    found: list[Problem] = []
    for locale in locales_beside(base_folder(source)):
        target = translation_file(source, locale)
        try:
            holes = gaps(source, locale, participant_only(locale))
        except TranslationFileError as exc:
            found.append(Problem(target, 0, _("cannot read this translation file: %(reason)s",
                                              reason=exc)))
            continue
        except (OSError, yaml.YAMLError):
            continue  # the source itself can't be read: the set's own check says so
        missing = [hole for hole in holes if not hole.stale]
        if missing and not target.is_file():
            found.append(Problem(target, 0, _(
                "no %(locale)s translation of %(file)s yet (%(count)d texts): run `convo "
                "question-sets translations %(locale)s` to start one", locale=locale,
                file=source.name, count=len(missing)), "warning"))
            missing = []
        for hole in missing:
            found.append(Problem(target, _line_of(target, hole.key), _(
                "'%(key)s' has no %(locale)s translation yet", key=hole.key, locale=locale),
                "warning"))
        for hole in holes:
            if hole.stale:
                found.append(Problem(target, _line_of(target, hole.key), _(
                    "'%(key)s': the English has changed since this was translated, so the "
                    "English is shown instead; update the %(locale)s, then copy the new English "
                    "into 'en'", key=hole.key, locale=locale), "warning"))
    return found
