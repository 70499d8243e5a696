"""The shipped sets and shared parts pass the checker, style rules included."""

from __future__ import annotations

import pytest

from convo.questions import sources
from convo.questions.loader import SHARED_DIR, SHIPPED_DIR, load_part, load_set, set_files

EXPECTED_SETS = {
    "local_authority", "housing_association", "school_college", "health",
    "other_public_agency", "lto_review",
}
AGENCY_STAGES = ["open", "get_to_know", "whats_happening", "how_well", "break", "challenges",
                 "opportunities", "actions", "keeping_in_touch", "close"]
SHIPPED = set_files(SHIPPED_DIR)


def test_every_set_in_the_format_spec_is_shipped():
    assert {path.stem for path in set_files(SHIPPED_DIR)} >= EXPECTED_SETS


@pytest.mark.parametrize("path", set_files(SHIPPED_DIR), ids=lambda p: p.stem)
def test_shipped_set_passes_strictly(path):
    loaded = load_set(path)
    assert [p.format() for p in loaded.problems] == []
    assert loaded.question_set is not None


@pytest.mark.parametrize("path", set_files(SHARED_DIR), ids=lambda p: p.stem)
def test_shipped_part_passes_strictly(path):
    assert [p.format() for p in load_part(path).problems] == []


@pytest.mark.parametrize("path", [p for p in set_files(SHIPPED_DIR) if p.stem != "lto_review"],
                         ids=lambda p: p.stem)
def test_agency_sets_follow_the_common_structure(path):
    qs = load_set(path).question_set
    assert qs is not None
    assert [stage.id for stage in qs.stages] == AGENCY_STAGES
    assert [rating.id for rating in qs.ratings] == ["eight_criteria"]
    assert [t.id for t in qs.relationship_types] == [
        "powerful_allies", "friends_acquaintances", "clients_contractors"]


def _loaded(path):
    qs = load_set(path).question_set
    assert qs is not None
    return qs


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_stage_marks_two_or_three_core_questions_and_fits_them(path):
    """The default plan (each stage's own minutes) fits the core questions: 4 minutes a core
    question, 5 more to score in a rated stage; the stages add up to the set's duration."""
    from convo.questions import timing

    qs = _loaded(path)
    for stage in qs.stages:
        if stage.is_break:
            assert stage.questions == [] and stage.minutes >= 5
            continue
        core = stage.core_questions
        assert 2 <= len(core) <= 3, (stage.id, [q.id for q in core])
        assert all(not q.only_for for q in core), stage.id
        assert stage.minutes >= timing.core_minutes(len(core), stage.rating is not None), stage.id
    assert sum(stage.minutes for stage in qs.stages) == qs.duration_minutes
    assert qs.duration_minutes <= 100


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_set_carries_the_whole_toolkit(path):
    qs = _loaded(path)
    stages = {stage.id: stage for stage in qs.stages}
    assert stages["open"].questions[0].id == "check_in"
    assert "open_ground_rules" in [q.id for q in stages["open"].questions]
    assert stages["break"].is_break and qs.duration_minutes > 75
    assert "picture_of_success" in [q.id for q in stages["opportunities"].questions]
    assert "act_commitment" in [q.id for q in stages["actions"].questions]
    assert {n.id for n in qs.toolkit} >= {
        "preparation_call", "when_stuck", "when_one_side_dominates", "when_emotion_runs_high",
        "not_my_department", "parking_lot", "commitment_check"}
    rules = " ".join(str(rule) for rule in qs.ground_rules)
    assert "stays here" in rules and "park" in rules
    asked_of = {q.asked_of for q in qs.preparation}
    assert {"partnership", "agency"} <= asked_of
    assert stages["close"].minutes >= 12


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_both_sides_are_asked_in_every_stage_and_in_balance(path):
    qs = _loaded(path)
    alone = {"partnership": 0, "agency": 0}
    for stage in qs.stages:
        if stage.is_break:
            continue
        asked = {q.addressed_to for q in stage.questions}
        assert "both" in asked or {"partnership", "agency"} <= asked, stage.id
        for q in stage.questions:
            if q.addressed_to in alone:
                alone[q.addressed_to] += 1
    assert abs(alone["partnership"] - alone["agency"]) <= 1, alone


def test_the_lto_review_rates_on_seed_003s_own_scale():
    """Seed 003, section 7: ten statements, each rated 1 (least) to 10 (most), "at first"
    and "now"."""
    qs = _loaded(SHIPPED_DIR / "lto_review.yaml")
    [framework] = qs.ratings
    assert (framework.scale.min, framework.scale.max) == (1, 10)
    assert framework.scale.labels == {1: "Least", 10: "Most"}
    assert framework.columns == ["at_start", "now"]
    assert len(framework.criteria) == 10


def test_big_local_wording_is_asked_only_of_a_big_local_lto():
    qs = _loaded(SHIPPED_DIR / "lto_review.yaml")
    for question in qs.questions():
        spoken = " ".join([str(question.text), *map(str, question.follow_ups)]).lower()
        if "big local" in spoken or "five per cent" in spoken or " rep" in spoken:
            assert question.only_for == ["lto"], question.id
    generic = [q.id for q in qs.questions() if q.applies_to("accountable_body")]
    assert "lto_what_role_gives" not in generic and "lto_rep" not in generic
    assert "Big Local" not in str(qs.glossary["LTO"])


def test_sources_cite_the_seed_titles_and_section_headings():
    assert sources.describe("001:5.1") == (
        "Big Local relationships with public agencies (2022), section 5.1: Findings")
    assert sources.describe("002:principle 4") == (
        "Rebalancing the Power: five principles for a successful relationship between councils "
        "and communities (2018), principle 4: Seek to develop empathy for each other's position "
        "and be prepared to compromise on certain issues to achieve the best outcomes for the "
        "whole.")
    assert sources.describe("001:Example 3").endswith(
        "(2022), Example 3: Starting the conversation with a health agency")
    assert sources.describe("004:part one").startswith(
        "Challenges and support needs of partnerships (2021), Part one: What was the main")
    assert sources.describe("not a source") == "not a source"
    assert set(sources.SEEDS) == {"000", "001", "002", "003", "004"}
