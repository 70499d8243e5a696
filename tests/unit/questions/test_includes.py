"""Shared parts: included by name, never copied; unknown parts and cycles are caught; a
problem inside a part is reported at the part's own file and line, naming the set."""

from __future__ import annotations

from pathlib import Path

from convo.questions.loader import SHARED_DIR, load_part, load_set, shared_dirs_for
from tests.unit.questions.samples import SAMPLE, line_of, replace, write

OPENING = """\
part: opening
stage:
  id: open
  title: Open
  purpose: Agree the space.
  minutes: 10
  facilitator_notes: Welcome everyone.
  questions:
    - id: open_why
      text: What has brought you here today?
      addressed_to: both
      core: true
      follow_ups:
        - What has changed lately?
      why: A shared purpose helps.
      sources: ["001:5.1"]
      surfaces: [opportunity]
    - include: extra_questions
"""

EXTRA_QUESTIONS = """\
part: extra_questions
questions:
  - id: open_hopes
    text: What would you like to leave with?
    addressed_to: both
    core: true
    follow_ups:
      - What would a small step look like?
    why: Hopes spoken early keep things real.
    sources: ["001:5.1"]
    surfaces: [action]
  - id: open_rules
    text: What should we keep out of today?
    addressed_to: both
    follow_ups:
      - Which topics belong elsewhere?
    why: Clear edges help people speak freely.
    sources: ["002:principle 1"]
    surfaces: [challenge]
"""

CRITERIA = SAMPLE[SAMPLE.index("  - id: eight_criteria"):SAMPLE.index("relationship_types:")]
RATING_PART = "part: eight_criteria\nrating:\n" + "\n".join(
    line[2:] for line in CRITERIA.replace("  - id: eight", "    id: eight").splitlines()) + "\n"


def with_includes(text: str = SAMPLE) -> str:
    text = replace(text, "stages:\n", "stages:\n  - include: opening\n")
    text = replace(text, "duration_minutes: 60", "duration_minutes: 70")  # with the opening
    text = text[:text.index("ratings:")] + (
        "ratings:\n  - include: eight_criteria\n"
        "relationship_types:\n  include: relationship_types\n")
    return text


def make(tmp_path: Path, text: str | None = None, **parts: str) -> Path:
    defaults = {"opening": OPENING, "extra_questions": EXTRA_QUESTIONS,
                "eight_criteria": RATING_PART}
    defaults.update(parts)
    for name, body in defaults.items():
        if body is not None:
            write(tmp_path / "shared", f"{name}.yaml", body)
    return write(tmp_path, "sample.yaml", with_includes() if text is None else text)


def formatted(loaded) -> list[str]:
    return [p.format(relative_to=loaded.path.parent) for p in loaded.problems]


def test_includes_resolve_in_place(tmp_path):
    loaded = load_set(make(tmp_path))
    assert formatted(loaded) == []
    qs = loaded.question_set
    assert [s.id for s in qs.stages] == ["open", "get_to_know", "how_well"]
    # A questions part is spliced into the list where it is included.
    assert [q.id for q in qs.stages[0].questions] == ["open_why", "open_hopes", "open_rules"]
    assert qs.ratings[0].id == "eight_criteria"
    # The set's own shared/ folder first, then the shipped one (relationship_types).
    assert [t.id for t in qs.relationship_types] == [
        "powerful_allies", "friends_acquaintances", "clients_contractors"]


def test_shared_dirs_search_own_folder_then_shipped(tmp_path):
    (tmp_path / "shared").mkdir()
    assert shared_dirs_for(tmp_path / "x.yaml") == (tmp_path / "shared", SHARED_DIR)
    assert shared_dirs_for(tmp_path / "elsewhere" / "x.yaml") == (SHARED_DIR,)


def test_problem_in_a_part_reports_the_part_file_and_line_and_the_set(tmp_path):
    broken = replace(EXTRA_QUESTIONS, "addressed_to: both\n    follow_ups:\n      - Which",
                     "addressed_to: everyone\n    follow_ups:\n      - Which")
    loaded = load_set(make(tmp_path, extra_questions=broken))
    assert loaded.question_set is None
    [problem] = loaded.problems
    assert problem.path == tmp_path / "shared" / "extra_questions.yaml"
    assert problem.line == line_of(broken, "addressed_to: everyone")
    assert problem.included_by == ("sample",)
    assert problem.format(relative_to=tmp_path) == (
        f"shared/extra_questions.yaml:{problem.line}: stage 'open', question 'open_rules': "
        "addressed_to must be one of both, partnership, agency (in the part included by sample)")


def test_lines_after_an_include_still_point_at_the_set_file(tmp_path):
    text = replace(with_includes(), "addressed_to: agency", "addressed_to: council")
    loaded = load_set(make(tmp_path, text))
    assert formatted(loaded) == [
        f"sample.yaml:{line_of(text, 'addressed_to: council')}: stage 'get_to_know', question "
        "'know_week': addressed_to must be one of both, partnership, agency"]


def test_unknown_include(tmp_path):
    text = replace(with_includes(), "  - include: opening", "  - include: openning")
    loaded = load_set(make(tmp_path, text))
    assert loaded.question_set is None
    [message] = formatted(loaded)
    assert message.startswith(
        f"sample.yaml:{line_of(text, 'include: openning')}: unknown include 'openning': there "
        "is no openning.yaml in ")


def test_cycle_between_parts(tmp_path):
    looping = replace(EXTRA_QUESTIONS, "questions:\n", "questions:\n  - include: opening_more\n")
    more = "part: opening_more\nquestions:\n  - include: extra_questions\n"
    loaded = load_set(make(tmp_path, extra_questions=looping, opening_more=more))
    assert loaded.question_set is None
    assert formatted(loaded) == [
        "shared/opening_more.yaml:3: include cycle: extra_questions → opening_more → "
        "extra_questions (in the part included by sample)"]


def test_part_including_itself(tmp_path):
    selfish = replace(EXTRA_QUESTIONS, "questions:\n", "questions:\n  - include: extra_questions\n")
    loaded = load_set(make(tmp_path, extra_questions=selfish))
    assert formatted(loaded) == [
        "shared/extra_questions.yaml:3: include cycle: extra_questions → extra_questions "
        "(in the part included by sample)"]
    part = load_part(tmp_path / "shared" / "extra_questions.yaml")
    assert [p.format(relative_to=tmp_path) for p in part.problems] == [
        "shared/extra_questions.yaml:3: include cycle: extra_questions → extra_questions"]


def test_part_of_the_wrong_kind(tmp_path):
    text = replace(with_includes(), "  - include: eight_criteria", "  - include: opening")
    loaded = load_set(make(tmp_path, text))
    assert formatted(loaded) == [
        f"sample.yaml:{line_of(text, '  - include: opening', 2)}: part 'opening' holds stage, "
        "but a rating is wanted here"]


def test_include_with_other_keys(tmp_path):
    text = replace(with_includes(), "  - include: opening\n",
                   "  - include: opening\n    minutes: 5\n")
    loaded = load_set(make(tmp_path, text))
    assert formatted(loaded) == [
        f"sample.yaml:{line_of(text, 'minutes: 5')}: an include takes no other keys "
        "(found minutes)"]


def test_part_name_must_match_its_file(tmp_path):
    renamed = replace(EXTRA_QUESTIONS, "part: extra_questions", "part: extras")
    loaded = load_set(make(tmp_path, extra_questions=renamed))
    assert formatted(loaded) == [
        "shared/extra_questions.yaml:1: part 'extras' must match the file name: use "
        "'extra_questions' or rename the file (in the part included by sample)"]


def test_failed_include_does_not_cascade(tmp_path):
    """A missing rating part is reported once, not again as an unknown stage rating."""
    text = replace(with_includes(), "include: eight_criteria", "include: nine_criteria")
    loaded = load_set(make(tmp_path, text))
    [message] = formatted(loaded)
    assert "unknown include 'nine_criteria'" in message


def test_a_part_problem_is_reported_by_each_set_and_merged_once(tmp_path):
    from convo.questions.problems import merge

    broken = replace(EXTRA_QUESTIONS, "surfaces: [action]", "surfaces: [actions]")
    first = load_set(make(tmp_path, extra_questions=broken))
    other = write(tmp_path, "other.yaml", replace(with_includes(), "id: sample", "id: other"))
    second = load_set(other)
    part = load_part(tmp_path / "shared" / "extra_questions.yaml")
    assert len(part.problems) == 1  # worded without the stage: "question 'open_hopes': ..."
    [merged] = merge([*first.problems, *second.problems, *part.problems])
    assert merged.included_by == ("other", "sample")
    assert "stage 'open', question 'open_hopes': surfaces item 1" in merged.message
    assert merged.format(relative_to=tmp_path).endswith("(in the part included by other, sample)")
