"""Question sets in other languages: translation files beside the sets (issue 19, item 5).

A translation is used only while the English it was made from is still the set's; the
checker names every missing and out-of-date translation at its line; `convo question-sets
translations` starts and refreshes the files without losing a translation already made."""

from __future__ import annotations

from pathlib import Path

import pytest

from convo.questions import loader, translations
from convo.questions.registry import Registry
from convo.questions.schema import text_in
from tests.unit.questions.samples import SAMPLE, write
from tests.unit.questions.test_cli import cli_app, custom_dir, run  # noqa: F401

WELSH_QUESTION = "Tuag at beth ydych chi'ch dau yn gweithio eleni?"


@pytest.fixture
def custom(custom_dir: Path) -> Path:
    """The CLI app's folder of facilitators' own sets, with the sample set in it."""
    write(custom_dir, "sample.yaml", SAMPLE)
    return custom_dir


def _translate(path: Path, key: str, text: str) -> None:
    entries = translations.read(path, "cy")
    entries[key] = translations.Entry(entries[key].en, text)
    translations.write(path, "cy", "sample.yaml", entries)


def test_starting_a_translation_lists_every_text_with_its_english(cli_app, custom):
    result = run(cli_app, "translations", "cy", str(custom / "sample.yaml"))
    assert result.exit_code == 0, result.output
    target = custom / "translations" / "cy" / "sample.yaml"
    entries = translations.read(target, "cy")
    assert entries["questions/know_goals/text"] == translations.Entry(
        "What are you each working towards this year?", "")
    assert "questions/know_goals/follow_ups/0" in entries and "glossary/PCN" in entries
    assert "stages/get_to_know/facilitator_notes" in entries
    assert all(not entry.text for entry in entries.values())
    # The checker reports each one, at its line of the translation file.
    result = run(cli_app, "check", str(custom / "sample.yaml"))
    line = next(n for n, text in enumerate(target.read_text().splitlines(), 1)
                if text.strip() == "questions/know_goals/text:")
    assert f"sample.yaml:{line}: warning: 'questions/know_goals/text' has no cy translation yet" \
        in result.output
    assert run(cli_app, "check", "--strict", str(custom / "sample.yaml")).exit_code == 1


def test_a_translation_is_used_until_its_english_changes(cli_app, custom, tmp_path):
    run(cli_app, "translations", "cy", str(custom / "sample.yaml"))
    target = custom / "translations" / "cy" / "sample.yaml"
    _translate(target, "questions/know_goals/text", WELSH_QUESTION)
    question_set = Registry(custom).get("sample")
    goals = next(q for q in question_set.questions() if q.id == "know_goals")
    assert text_in(goals.text, "cy", "en_GB") == WELSH_QUESTION
    assert text_in(goals.text, "en_GB", "en_GB") == "What are you each working towards this year?"
    assert "cy" in question_set.translations

    # The English changes: the Welsh no longer says the same, so the English is shown, and
    # the checker says why, at the entry.
    source = custom / "sample.yaml"
    source.write_text(source.read_text().replace(
        "What are you each working towards this year?",
        "What are you each working towards over the next two years?"))
    goals = next(q for q in Registry(custom).get("sample").questions() if q.id == "know_goals")
    assert text_in(goals.text, "cy", "en_GB") == \
        "What are you each working towards over the next two years?"
    result = run(cli_app, "check", str(source))
    assert "'questions/know_goals/text': the English has changed since this was translated" \
        in result.output

    # Refreshing keeps the translation (to be updated), and adds nothing twice.
    before = translations.read(target, "cy")
    run(cli_app, "translations", "cy", str(source))
    after = translations.read(target, "cy")
    assert after["questions/know_goals/text"].text == WELSH_QUESTION
    assert after.keys() == before.keys()
    _translate(target, "questions/know_goals/text", "Tuag at beth ydych chi'n gweithio dros "
               "y ddwy flynedd nesaf?")
    entries = translations.read(target, "cy")
    entries["questions/know_goals/text"] = translations.Entry(
        "What are you each working towards over the next two years?",
        entries["questions/know_goals/text"].text)
    translations.write(target, "cy", "sample.yaml", entries)
    assert "know_goals/text" not in run(cli_app, "check", str(source)).output


def test_a_broken_translation_file_is_named_and_breaks_nothing(cli_app, custom):
    target = custom / "translations" / "cy" / "sample.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("locale: cy\nstrings: [this, is, not, a, mapping\n")
    result = run(cli_app, "check", str(custom / "sample.yaml"))
    assert "cannot read this translation file" in result.output
    assert result.exit_code == 1
    question_set = Registry(custom).get("sample")  # still offered, in English
    assert question_set is not None and "cy" not in question_set.translations


@pytest.mark.parametrize("code", ["c y", "../../etc", "", "CY"])
def test_the_translations_command_wants_a_language_code(cli_app, custom, code):
    result = run(cli_app, "translations", code, str(custom / "sample.yaml"))
    assert result.exit_code == 2
    assert "must be a language code such as cy, ur or pt_BR" in result.output
    assert not (custom / "translations").exists()


def test_every_shipped_text_has_its_translations():
    """Welsh translates every text of every shipped set and part; Urdu what participants
    read. (`convo question-sets check --strict` says the same, at each line.)"""
    for path in loader.expand([loader.SHIPPED_DIR]):
        assert translations.gaps(path, "cy") == [], path
        assert translations.gaps(path, "ur", participant_only=True) == [], path
    urdu = translations.read(translations.translation_file(
        loader.SHIPPED_DIR / "shared" / "opening.yaml", "ur"), "ur")
    assert all(translations.participant_facing(key) for key in urdu)


def test_a_shared_parts_translation_follows_it_into_every_set():
    from convo.questions.registry import scan

    catalogue = scan(None)
    for question_set in catalogue.sets.values():
        assert question_set.translations == ["cy", "ur"], question_set.id
        opening = question_set.stages[0]
        assert text_in(opening.title, "cy", "en_GB") == "Agor y sgwrs: cytuno ar y gofod"
        assert text_in(opening.facilitator_notes, "ur", "en_GB") == text_in(
            opening.facilitator_notes, "en_GB", "en_GB")  # Urdu: participants' texts only
