"""Every kind of broken set file is reported as FILE:LINE: message, at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from convo.questions.loader import load_part, load_set
from tests.unit.questions.samples import SAMPLE, line_of, replace, write


def problems_of(tmp_path: Path, text: str, name: str = "sample.yaml") -> list[str]:
    path = write(tmp_path, name, text)
    loaded = load_set(path)
    return [p.format(relative_to=tmp_path) for p in loaded.problems]


def only_error(tmp_path: Path, text: str, name: str = "sample.yaml") -> str:
    path = write(tmp_path, name, text)
    loaded = load_set(path)
    assert loaded.question_set is None
    assert len(loaded.errors) == 1, [p.format() for p in loaded.problems]
    return loaded.errors[0].format(relative_to=tmp_path)


def test_the_sample_is_valid_and_clean(tmp_path):
    loaded = load_set(write(tmp_path, "sample.yaml", SAMPLE))
    assert loaded.problems == ()
    qs = loaded.question_set
    assert qs is not None
    assert [s.id for s in qs.stages] == ["get_to_know", "how_well"]
    assert qs.question_count == 3
    assert qs.rating("eight_criteria").scale.labels[3] == "Fully"


def test_addressed_to_message_matches_the_documented_shape(tmp_path):
    text = replace(SAMPLE, "addressed_to: agency", "addressed_to: partner")
    line = line_of(text, "addressed_to: partner")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line}: stage 'get_to_know', question 'know_week': "
        "addressed_to must be one of both, partnership, agency (did you mean 'partnership'?)")


def test_yaml_syntax_error(tmp_path):
    text = replace(SAMPLE, "minutes: 25", "minutes: [15")
    message = only_error(tmp_path, text)
    assert message.startswith("sample.yaml:")
    assert "YAML syntax:" in message


def test_unknown_key_reports_its_own_line_and_a_suggestion(tmp_path):
    text = replace(SAMPLE, "        why: People often", "        wyh: People often")
    errors = problems_of(tmp_path, text)
    line = line_of(text, "wyh:")
    assert (f"sample.yaml:{line}: stage 'get_to_know', question 'know_week': unknown key "
            "'wyh' (did you mean 'why'?)") in errors


def test_unknown_top_level_key(tmp_path):
    text = SAMPLE + "author: Someone\n"
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'author:')}: unknown key 'author'")


def test_missing_key_reports_the_mapping_that_lacks_it(tmp_path):
    text = replace(SAMPLE, "        why: Talking about the gaps builds a shared picture.\n", "")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, '- id: how_gap')}: stage 'how_well', question 'how_gap': "
        "missing key 'why'")


def test_missing_top_level_key(tmp_path):
    text = replace(SAMPLE, "duration_minutes: 60\n", "")
    assert only_error(tmp_path, text) == "sample.yaml:1: missing key 'duration_minutes'"


def test_missing_nested_key_names_the_field(tmp_path):
    text = replace(SAMPLE, "      min: 1\n", "")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'scale:')}: rating 'eight_criteria': scale is missing "
        "key 'min'")


@pytest.mark.parametrize("old, new, needle, message", [
    ("minutes: 25", "minutes: ten", "minutes: ten",
     "stage 'get_to_know': minutes must be a whole number"),
    ("version: 1", "version: yes", "version: yes", "version must be a whole number"),
    ("separate: true", "separate: 1", "separate: 1",
     "rating 'eight_criteria': separate must be true or false"),
    ("title: Sample set", "title: 2024", "title: 2024",
     "title must be text (put it in quotes if it looks like a number, a date or true/false)"),
    ("surfaces: [challenge]", "surfaces: challenge", "surfaces: challenge",
     "stage 'how_well', question 'how_gap': surfaces must be a list"),
    ("surfaces: [challenge]", "surfaces: [problem]", "surfaces: [problem]",
     "stage 'how_well', question 'how_gap': surfaces item 1 must be one of challenge, "
     "opportunity, action, strength, note"),
    ('sources: ["001:3.1"]', 'sources: ["007:3.1"]', '"007:3.1"',
     "stage 'how_well', question 'how_gap': sources item 1 must be \"<seed>:<section>\" with "
     "seed one of 000, 001, 002, 003, 004, e.g. \"001:5.1\""),
    ("  - id: pcn", "  - id: PCN", "id: PCN",
     "subtype 'PCN': id must be an id: lower-case letters, digits and _, starting with a letter"),
    ("minutes: 35", "minutes: 90", "minutes: 90", "stage 'how_well': minutes must be at most 60"),
    ("version: 1", "version: 0", "version: 0", "version must be at least 1"),
    ("agency_type: health", "agency_type: nhs", "agency_type: nhs",
     "agency_type must be one of local_authority, housing_association, school_college, "
     "health, other_public_agency, lto"),
    ("        1: Not at all", "        one: Not at all", "one: Not at all",
     "rating 'eight_criteria': scale labels one key must be a whole number"),
])
def test_wrong_types_and_values(tmp_path, old, new, needle, message):
    text = replace(SAMPLE, old, new)
    errors = problems_of(tmp_path, text)
    assert f"sample.yaml:{line_of(text, needle)}: {message}" in errors, errors


def test_not_a_mapping(tmp_path):
    assert only_error(tmp_path, "- just\n- a list\n") == (
        "sample.yaml:1: a question set must be a mapping of keys (id, title, stages...)")


def test_duplicate_yaml_key(tmp_path):
    text = replace(SAMPLE, "version: 1\n", "version: 1\nversion: 2\n")
    assert only_error(tmp_path, text) == (
        "sample.yaml:4: duplicate key 'version' (first at line 3)")


def test_duplicate_question_ids_across_stages(tmp_path):
    text = replace(SAMPLE, "- id: how_gap", "- id: know_goals")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, '- id: know_goals', 2)}: stage 'how_well', question "
        "'know_goals': duplicate question id 'know_goals' (also used in stage 'get_to_know')")


def test_duplicate_stage_ids(tmp_path):
    text = replace(SAMPLE, "  - id: how_well", "  - id: get_to_know")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, '- id: get_to_know', 2)}: stage 'get_to_know': "
        "duplicate stage id 'get_to_know'")


def test_duplicate_criterion_ids(tmp_path):
    text = replace(SAMPLE, "- id: respect", "- id: trust")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, '- id: trust', 2)}: rating 'eight_criteria', criterion "
        "'trust': duplicate criterion id 'trust' (also used in rating 'eight_criteria')")


def test_empty_stage(tmp_path):
    start = SAMPLE.index("    questions:\n      - id: how_gap")
    end = SAMPLE.index("ratings:")
    text = SAMPLE[:start] + "    questions: []\n" + SAMPLE[end:]
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'questions: []')}: stage 'how_well': questions must not "
        "be empty: a stage needs at least one question")


def test_no_stages(tmp_path):
    start = SAMPLE.index("stages:")
    end = SAMPLE.index("ratings:")
    text = SAMPLE[:start] + "stages: []\n" + SAMPLE[end:]
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'stages: []')}: stages must not be empty")


def test_scale_without_labels(tmp_path):
    text = replace(SAMPLE, "      labels:\n        1: Not at all\n        2: Partly\n"
                           "        3: Fully\n", "      labels: {}\n")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'labels: {}')}: rating 'eight_criteria': scale labels "
        "must give a label for every point from 1 to 3 (none given)")


def test_scale_missing_a_label(tmp_path):
    text = replace(SAMPLE, "        2: Partly\n", "")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'labels:')}: rating 'eight_criteria': scale labels are "
        "missing 2: give a label for every point from 1 to 3")


def test_scale_label_outside_the_scale(tmp_path):
    text = replace(SAMPLE, "        3: Fully\n", "        3: Fully\n        4: Always\n")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, '4: Always')}: rating 'eight_criteria': scale labels 4 "
        "is outside the scale 1 to 3")


def test_bad_columns(tmp_path):
    text = replace(SAMPLE, "columns: [now]", "columns: [now, at_start]")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'columns:')}: rating 'eight_criteria': columns must be "
        "[now] or [at_start, now]")


def test_stage_rating_naming_an_unknown_instrument(tmp_path):
    text = replace(SAMPLE, "rating: eight_criteria", "rating: nine_criteria")
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'rating: nine')}: stage 'how_well': rating "
        "'nine_criteria' is not one of this set's rating instruments (eight_criteria) (did you "
        "mean 'eight_criteria'?)")


def test_relationship_type_without_types(tmp_path):
    text = SAMPLE[:SAMPLE.index("relationship_types:")]
    assert only_error(tmp_path, text) == (
        f"sample.yaml:{line_of(text, 'relationship_type: true')}: stage 'how_well': "
        "relationship_type is true, but the set has no relationship_types")


def test_set_id_must_match_the_file_stem(tmp_path):
    assert only_error(tmp_path, SAMPLE, name="other.yaml") == (
        "other.yaml:1: id 'sample' must match the file name: use 'other' or rename the file")


def test_reserved_ids_are_refused(tmp_path):
    path = write(tmp_path, "sample.yaml", SAMPLE)
    loaded = load_set(path, reserved_ids={"sample"})
    assert loaded.question_set is None
    assert [p.format(relative_to=tmp_path) for p in loaded.errors] == [
        "sample.yaml:1: id 'sample' is already the id of a shipped set: choose another id and "
        "rename the file to match"]


class TestTranslations:
    def test_a_mapping_without_declared_translations(self, tmp_path):
        text = replace(SAMPLE, "title: Sample set", "title: {en_GB: Sample set, cy: Set sampl}")
        assert only_error(tmp_path, text) == (
            "sample.yaml:2: title is given in several languages, but the set declares no "
            "translations: write plain text, or list the extra locales under 'translations'")

    def test_declared_locale_with_missing_translations(self, tmp_path):
        text = replace(SAMPLE, "locale: en_GB\n", "locale: en_GB\ntranslations: [cy]\n")
        text = replace(text, "title: Sample set", "title: {en_GB: Sample set, cy: Set sampl}")
        text = replace(text, "description: A small set for tests.",
                       "description: {en_GB: A small set for tests.}")
        errors = problems_of(tmp_path, text)
        assert f"sample.yaml:{line_of(text, 'description:')}: description has no cy translation" \
            in errors
        assert (f"sample.yaml:{line_of(text, 'text: What are you each')}: stage 'get_to_know', "
                "question 'know_goals': text must give the text in every locale of the set "
                "(en_GB, cy), e.g. {en_GB: ..., cy: ...}") in errors
        assert (f"sample.yaml:{line_of(text, '2: Partly')}: rating 'eight_criteria': scale "
                "labels 2 must give the text in every locale of the set (en_GB, cy), e.g. "
                "{en_GB: ..., cy: ...}") in errors
        assert not any(":2: title" in e for e in errors)

    def test_an_undeclared_locale_in_a_translated_text(self, tmp_path):
        text = replace(SAMPLE, "locale: en_GB\n", "locale: en_GB\ntranslations: [cy]\n")
        text = replace(text, "title: Sample set", "title: {en_GB: Sample, cy: Sampl, fr: Ex}")
        errors = problems_of(tmp_path, text)
        assert ("sample.yaml:2: title has text for 'fr', which is not a locale of the set "
                "(en_GB, cy)") in errors

    def test_a_bad_locale_code(self, tmp_path):
        text = replace(SAMPLE, "locale: en_GB", "locale: English")
        errors = problems_of(tmp_path, text)
        assert "sample.yaml:4: locale must be a locale code such as en_GB or cy" in errors


def test_unreadable_file(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_bytes(b"id: \xff\xfe\n")
    loaded = load_set(path)
    assert loaded.question_set is None
    assert loaded.errors[0].message.startswith("cannot read the file")


def test_part_file_checked_on_its_own(tmp_path):
    path = write(tmp_path / "shared", "greeting.yaml", "part: hello\nquestions: []\n")
    loaded = load_part(path)
    assert [p.format(relative_to=tmp_path) for p in loaded.problems] == [
        "shared/greeting.yaml:1: part 'hello' must match the file name: use 'greeting' or "
        "rename the file",
        "shared/greeting.yaml:2: questions must not be empty",
    ]


KINDS = "stage, questions, rating, relationship_types, ground_rules, toolkit, preparation"


@pytest.mark.parametrize("text, message", [
    ("questions: []\n", "shared/greeting.yaml:1: missing key 'part'"),
    ("part: greeting\n", f"shared/greeting.yaml:1: a part holds exactly one of {KINDS} (this "
                         "one has none)"),
    ("part: greeting\nstage: {}\nrating: {}\n",
     f"shared/greeting.yaml:1: a part holds exactly one of {KINDS} (this one has stage, "
     "rating)"),
    ("part: greeting\nquestions: []\nnotes: x\n",
     f"shared/greeting.yaml:3: unknown key 'notes' (a part holds 'part' and one of {KINDS})"),
])
def test_part_file_structure(tmp_path, text, message):
    path = write(tmp_path / "shared", "greeting.yaml", text)
    loaded = load_part(path)
    assert message in [p.format(relative_to=tmp_path) for p in loaded.problems]
