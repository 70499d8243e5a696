"""The shipped sets and shared parts pass the checker, style rules included."""

from __future__ import annotations

import pytest

from convo.questions import sources
from convo.questions.loader import SHARED_DIR, SHIPPED_DIR, load_part, load_set, set_files

EXPECTED_SETS = {
    "local_authority", "housing_association", "school_college", "health",
    "other_public_agency", "lto_review",
}
AGENCY_STAGES = ["open", "get_to_know", "whats_happening", "how_well", "challenges",
                 "opportunities", "actions", "keeping_in_touch", "close"]


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


def test_sources_cite_the_seed_titles():
    assert sources.describe("001:5.1") == (
        "Big Local relationships with public agencies (2022), section 5.1")
    assert sources.describe("002:principle 4") == (
        "Rebalancing the Power: five principles for a successful relationship between councils "
        "and communities (2018), principle 4")
    assert sources.describe("001:Example 3").endswith("(2022), Example 3")
    assert sources.describe("not a source") == "not a source"
    assert set(sources.SEEDS) == {"000", "001", "002", "003", "004"}
