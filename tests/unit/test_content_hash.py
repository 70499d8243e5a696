"""The summary's fingerprint: an approval holds for exactly the words approved (a correction's
note among them), and for nothing else — not convo's own headings, not the drawing of the
chart, not a field added to the summary later with an empty value."""

from __future__ import annotations

import dataclasses

from convo.summary.build import content_hash
from convo.summary.sample import sample_summary

# Pinned: if this changes, every approval given but not yet issued stops matching.  Change it
# only on purpose, and say so in the release notes.
SAMPLE_HASH = "adf733c2d56f9a0d47ecfc09376b4e46b82e229239e188d825cd14fe732bf3cc"


def test_the_fingerprint_of_a_known_summary_is_stable() -> None:
    assert content_hash(sample_summary()) == SAMPLE_HASH


def test_what_is_not_the_content_leaves_it_unchanged() -> None:
    s = sample_summary()
    block = s.ratings[0]
    same = [
        dataclasses.replace(s, labels={**s.labels, "introduction": "Cyflwyniad"}),
        dataclasses.replace(s, status_text="Version 3, issued 1 December 2026", version=3,
                            file_stem="other"),
        dataclasses.replace(s, ratings=(dataclasses.replace(
            block, chart_svg="<svg/>", chart_description="Another drawing"),)),
        dataclasses.replace(s, ratings=(dataclasses.replace(block, before_note=""),)),
        # drawn from the scores, which are in it
        dataclasses.replace(s, ratings=(dataclasses.replace(
            block, both_low=("Trust",), differences_note="A sentence about the marks."),)),
        dataclasses.replace(s, earlier_actions=(), earlier_actions_note=""),
    ]
    for other in same:
        assert content_hash(other) == SAMPLE_HASH


def test_every_change_to_what_it_says_changes_it() -> None:
    s = sample_summary()
    block = s.ratings[0]
    first = block.rows[0]
    changed = [
        dataclasses.replace(s, introduction=s.introduction + " More."),
        dataclasses.replace(s, ratings=(dataclasses.replace(
            block, rows=(dataclasses.replace(first, partnership=5),) + block.rows[1:]),)),
        dataclasses.replace(s, ratings=(dataclasses.replace(
            block, rows=(dataclasses.replace(first, partnership_before=1),) + block.rows[1:]),)),
        dataclasses.replace(s, ratings=(dataclasses.replace(
            block, before_note="“Last time” is each side’s score in your conversation on "
                               "Tuesday 10 March 2026."),)),
        dataclasses.replace(s, actions=s.actions[1:]),
        # a correction's note is part of what both sides approve
        dataclasses.replace(s, change_note="Spelling of the practice's name corrected."),
        dataclasses.replace(s, earlier_actions=s.actions[:1]),
        # an empty section is content too: it was always in the fingerprint
        dataclasses.replace(s, challenges=dataclasses.replace(s.challenges, points=())),
    ]
    hashes = {content_hash(other) for other in changed}
    assert SAMPLE_HASH not in hashes and len(hashes) == len(changed)
