"""The languages convo ships (convo/translations/languages.yaml) and which are offered where.

Facilitators choose from the languages translated in full (`scope: everything`); participants
choose, on their own phones, from every shipped language.  CONVO_LANGUAGES can narrow what a
deployment offers; English (en_GB) is always there, being the language the strings are
written in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from flask import current_app

# A catalogue's name: a language, and optionally a territory or script (cy, ur, pt_BR).
LANGUAGES_PATTERN = re.compile(r"[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?")
FILE = Path(__file__).resolve().parents[1] / "translations" / "languages.yaml"
SOURCE = "en_GB"


@dataclass(frozen=True)
class Language:
    code: str  # the catalogue's name: en_GB, cy, ur
    name: str  # in itself: Cymraeg
    english: str
    direction: str  # ltr or rtl
    scope: str  # everything or participants

    @property
    def tag(self) -> str:
        """The BCP 47 tag for lang attributes and documents: en-GB, cy, ur."""
        return self.code.replace("_", "-")

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def for_facilitators(self) -> bool:
        return self.scope == "everything"


class LanguagesFileError(ValueError):
    pass


def read(path: Path = FILE) -> dict[str, Language]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, Language] = {}
    for code, entry in data.items():
        if not isinstance(entry, dict):
            raise LanguagesFileError(f"{path}: {code} must have name, english, direction, scope")
        direction, scope = entry.get("direction"), entry.get("scope")
        if direction not in ("ltr", "rtl") or scope not in ("everything", "participants"):
            raise LanguagesFileError(
                f"{path}: {code}: direction must be ltr or rtl, scope everything or participants")
        found[str(code)] = Language(str(code), str(entry["name"]), str(entry["english"]),
                                    direction, scope)
    if SOURCE not in found:
        raise LanguagesFileError(f"{path}: {SOURCE} must be listed")
    return found


@cache
def shipped() -> dict[str, Language]:
    return read()


def language(code: str | None) -> Language:
    """A shipped language by code (en_GB for anything unknown)."""
    languages = shipped()
    return languages.get(code or SOURCE) or languages[SOURCE]


def offered() -> list[Language]:
    """Shipped and switched on in this deployment (CONVO_LANGUAGES), English first."""
    wanted = list(current_app.config["LANGUAGES"])
    chosen = [shipped()[code] for code in wanted if code in shipped()]
    if SOURCE not in {lang.code for lang in chosen}:
        chosen.insert(0, shipped()[SOURCE])
    return chosen


def is_offered(code: str | None) -> bool:
    """Whether this deployment offers the language (to anyone)."""
    return code in {lang.code for lang in offered()}


def for_facilitators() -> list[Language]:
    return [lang for lang in offered() if lang.for_facilitators]


def default_for(facilitator: object) -> str:
    """A new conversation's language: its facilitator's own, if offered, else English."""
    own = getattr(facilitator, "locale", None)
    return own if own in {lang.code for lang in for_facilitators()} else SOURCE


def for_participants() -> list[Language]:
    return offered()


def add(code: str, name: str, english: str, direction: str, scope: str, *,
        translations_dir: Path | None = None, languages_file: Path | None = None,
        sets_dir: Path | None = None) -> list[str]:
    """Add a language: a catalogue made from messages.pot, its entry in languages.yaml and
    a translation file beside each question set and part.  Returns what was done, as lines
    for the person running it.  Refuses a malformed code, one Babel doesn't know (its plural
    rules and dates come from there) and one already listed; on refusal nothing is written."""
    from babel import Locale, UnknownLocaleError
    from babel.messages.pofile import read_po, write_po

    from convo.questions import loader, translations

    translations_dir = translations_dir or FILE.parent
    languages_file = languages_file or FILE
    sets_dir = sets_dir or loader.SHIPPED_DIR
    if not LANGUAGES_PATTERN.fullmatch(code):
        raise LanguagesFileError(f"{code!r} is not a language code such as cy, ur or pt_BR")
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise LanguagesFileError(f"Babel doesn't know the language {code!r}, so it can't give "
                                 "its dates, numbers and plural forms") from None
    listed = read(languages_file)
    if code in listed:
        raise LanguagesFileError(f"{code} is already in {languages_file.name}")
    for value, what in ((name, "--name"), (english, "--english")):
        if not value.strip() or "\n" in value or len(value) > 60:
            raise LanguagesFileError(f"{what} must be a short name on one line")
    done = []
    po = translations_dir / code / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        with (translations_dir / "messages.pot").open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        catalogue.locale = Locale.parse(code)
        catalogue.fuzzy = False
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as handle:
            write_po(handle, catalogue, width=100)
        done.append(f"Started {po} ({sum(1 for m in catalogue if m.id)} messages to translate).")
    entry = {code: {"name": name.strip(), "english": english.strip(), "direction": direction,
                    "scope": scope}}
    with languages_file.open("a", encoding="utf-8") as handle:
        handle.write(yaml.safe_dump(entry, allow_unicode=True, sort_keys=False))
    done.append(f"Listed {code} in {languages_file}.")
    texts = 0
    files = loader.expand([sets_dir])
    for path in files:
        texts += len(translations.update(path, code, participant_only=scope == "participants"))
    done.append(f"Wrote {len(files)} question-set translation files "
                f"({sets_dir / translations.FOLDER / code}), {texts} texts to translate.")
    done.append("Next: translate both, run `convo question-sets check` and `make test` (both "
                "say what is missing), then `make translations`.")
    shipped.cache_clear()
    return done
