"""Every user-facing string is marked and extracted, and every shipped language's catalogue
translates all of them: none missing, none fuzzy, every plural form filled, every
placeholder kept.  Adding a language (`convo i18n add`) gives everything it needs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from convo.cli import EXTRACT_IGNORE_DIRS
from convo.core import languages
from convo.questions import loader, translations

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "convo" / "translations"
SHIPPED = list(languages.read())


def _extract(pot: Path) -> None:
    """Every marked string, as `convo i18n extract` collects them."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
         str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "--no-location",
         "--ignore-dirs", EXTRACT_IGNORE_DIRS, "-o", str(pot), str(ROOT)],
        check=True,
    )


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    _extract(pot)
    with pot.open("rb") as handle:
        ids = {m.id for m in read_po(handle) if m.id}
    assert len(ids) > 50
    assert "Someone else changed this at the same time" in ids  # templates/_partials too
    return ids


def catalogue_problems(po: Path, locale: str, extracted: set) -> list[str]:
    """What keeps a catalogue from being complete, in words."""
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    found = []
    translated = {m.id for m in catalogue if m.id and not m.fuzzy and (
        all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = extracted - translated
    if missing:
        found.append(f"{len(missing)} untranslated, e.g. {sorted(missing, key=str)[:3]}")
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    if fuzzy:
        found.append(f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}")
    for message in catalogue:
        if isinstance(message.id, tuple) and message.string and any(message.string) and len(
                message.string) != catalogue.num_plurals:
            found.append(f"{message.id[0]!r}: {len(message.string)} plural forms, "
                         f"{locale} has {catalogue.num_plurals}")
    for message, errors in catalogue.check():
        found += [f"{message.id!r}: {error}" for error in errors]
    return found


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_language_translates_every_string(extracted, code):
    po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert po.is_file(), f"{code} is in languages.yaml but has no catalogue"
    assert catalogue_problems(po, code, extracted) == [], "run `make i18n-update`, then translate"


def test_the_check_finds_a_missing_a_fuzzy_and_a_broken_translation(extracted, tmp_path):
    with (TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="cy")
    singles = [m for m in catalogue if m.id and isinstance(m.id, str)]
    with_placeholder = next(m for m in singles if "%(" in m.id)
    singles[0].string = ""
    singles[1].flags.add("fuzzy")
    with_placeholder.string = "Dim byd"  # the placeholder dropped
    po = tmp_path / "messages.po"
    with po.open("wb") as handle:
        write_po(handle, catalogue)
    problems = catalogue_problems(po, "cy", extracted)
    assert any("untranslated" in p for p in problems)
    assert any("fuzzy" in p for p in problems)
    assert any(with_placeholder.id[:20] in p for p in problems if "untranslated" not in p)


def test_languages_file_and_catalogues_agree():
    catalogues = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert catalogues == set(SHIPPED)
    assert languages.read()["ur"].rtl and not languages.read()["cy"].rtl
    for code in SHIPPED:  # each has a question-set translation, or is the sets' own language
        assert code == "en_GB" or code in translations.locales_beside(loader.SHIPPED_DIR)


def test_mo_is_not_committed():
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    assert tracked.strip() == ""


# --- no words left unmarked in the templates ------------------------------------------------

_TRANS = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_BODY_CLASS = re.compile(r"{%-?\s*block body_class\s*%}.*?{%-?\s*endblock\s*%}", re.S)
_JINJA = re.compile(r"{#.*?#}|{{.*?}}|{%.*?%}", re.S)
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_SPOKEN_ATTRIBUTES = re.compile(r'\b(aria-label|alt|title|placeholder)="([^"]*)"')
_TAG = re.compile(r"<[^>]*>", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")
_NOT_WORDS = {"convo", "PDF", "CSV", "Word", "Alt", "Ctrl", "Esc", "Enter"}


def unmarked_words(source: str) -> list[str]:
    """Words in a template outside {% trans %} and {{ _() }}: text and spoken attributes."""
    source = _CODE.sub("", _JINJA.sub("", _BODY_CLASS.sub("", _TRANS.sub("", source))))
    found = [m.group(0) for m in _SPOKEN_ATTRIBUTES.finditer(source)
             if set(_WORD.findall(m.group(2))) - _NOT_WORDS]
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", _TAG.sub(" ", source))
    found += [line.strip() for line in text.splitlines()
              if set(_WORD.findall(line)) - _NOT_WORDS]
    return found


def test_no_template_has_unmarked_words():
    templates = sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "templates").rglob("*.txt"))
    found = {str(p.relative_to(ROOT)): words for p in templates
             if (words := unmarked_words(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_unmarked_check_finds_words_and_spoken_attributes():
    assert unmarked_words('<p>{% trans %}Marked{% endtrans %}</p><p>Not marked</p>') == [
        "Not marked"]
    assert unmarked_words('<nav aria-label="Main">{{ _("x") }}</nav>') == ['aria-label="Main"']
    assert unmarked_words('<nav aria-label="{{ _(\'Main\') }}"><a href="/x">PDF</a></nav>') == []


# --- adding a language ------------------------------------------------------------------------


@pytest.fixture
def copy_of_the_languages(tmp_path) -> dict[str, Path]:
    translations_dir = tmp_path / "translations"
    translations_dir.mkdir()
    _extract(translations_dir / "messages.pot")  # as `convo i18n add` does first
    shutil.copy(TRANSLATIONS / "languages.yaml", translations_dir)
    sets_dir = tmp_path / "question_sets"
    shutil.copytree(loader.SHIPPED_DIR, sets_dir, ignore=shutil.ignore_patterns("translations"))
    return {"translations_dir": translations_dir, "sets_dir": sets_dir,
            "languages_file": translations_dir / "languages.yaml"}


def test_adding_a_language_gives_it_everything_to_translate(copy_of_the_languages, extracted):
    where = copy_of_the_languages
    done = languages.add("pl", "Polski", "Polish", "ltr", "everything", **where)
    assert len(done) == 4
    po = where["translations_dir"] / "pl" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale="pl")
    assert catalogue.num_plurals == 3  # Babel's plural rules for Polish
    with (where["translations_dir"] / "messages.pot").open("rb") as handle:
        assert {m.id for m in catalogue if m.id} == {m.id for m in read_po(handle) if m.id}
    problems = catalogue_problems(po, "pl", extracted)
    assert problems and "untranslated" in problems[0]  # the suite fails until it is done
    listed = languages.read(where["languages_file"])
    assert listed["pl"] == languages.Language("pl", "Polski", "Polish", "ltr", "everything")
    assert set(listed) >= set(SHIPPED)  # the others kept, comments and all
    assert where["languages_file"].read_text().startswith("# The languages convo ships")
    health = where["sets_dir"] / "health.yaml"
    entries = translations.read(translations.translation_file(health, "pl"), "pl")
    assert len(entries) > 100 and all(e.en and not e.text for e in entries.values())
    assert {p.message for p in translations.problems(health)} and all(
        p.severity == "warning" for p in translations.problems(health))


def test_a_participants_only_language_gets_what_participants_read(copy_of_the_languages):
    where = copy_of_the_languages
    languages.add("fa", "فارسی", "Persian", "rtl", "participants", **where)
    assert languages.read(where["languages_file"])["fa"].rtl
    opening = where["sets_dir"] / "shared" / "opening.yaml"
    entries = translations.read(translations.translation_file(opening, "fa"), "fa")
    assert entries and all(translations.participant_facing(key) for key in entries)
    assert "stages/open/title" in entries and "stages/open/facilitator_notes" not in entries


@pytest.mark.parametrize("code, message", [
    ("cy", "already in"),
    ("pl; rm -rf", "not a language code"),
    ("", "not a language code"),
    ("qq", "doesn't know"),
])
def test_adding_a_language_refuses_bad_codes_and_writes_nothing(copy_of_the_languages, code,
                                                                 message):
    where = copy_of_the_languages
    before = where["languages_file"].read_text()
    with pytest.raises(languages.LanguagesFileError, match=message):
        languages.add(code, "Name", "Name", "ltr", "everything", **where)
    assert where["languages_file"].read_text() == before
    assert not (where["sets_dir"] / "translations").exists()
    assert sorted(p.name for p in where["translations_dir"].iterdir()) == [
        "languages.yaml", "messages.pot"]


def test_the_languages_file_is_read_strictly(tmp_path):
    bad = tmp_path / "languages.yaml"
    bad.write_text(yaml.safe_dump({"en_GB": {"name": "English", "english": "English",
                                             "direction": "sideways", "scope": "everything"}}))
    with pytest.raises(languages.LanguagesFileError, match="direction"):
        languages.read(bad)
