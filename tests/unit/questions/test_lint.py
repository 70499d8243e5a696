"""The style rules: warnings by default, with the line of the offending text."""

from __future__ import annotations

from pathlib import Path

import pytest

from convo.questions import lint
from convo.questions.loader import load_set
from tests.unit.questions.samples import SAMPLE, line_of, replace, write

QUESTION = "text: What are you each working towards this year?"


def warnings_of(tmp_path: Path, text: str) -> list[str]:
    loaded = load_set(write(tmp_path, "sample.yaml", text))
    assert loaded.errors == [], [p.format() for p in loaded.errors]
    assert loaded.question_set is not None  # warnings never make a set unavailable
    return [p.format(relative_to=tmp_path) for p in loaded.warnings]


def with_question(text: str) -> str:
    return replace(SAMPLE, QUESTION, f"text: {text}")


PREFIX = "stage 'get_to_know', question 'know_goals': text"


@pytest.mark.parametrize("question, message", [
    ("Do you know what each other does?",
     "begins with 'Do', which invites a yes or no answer: ask an open question (What, How, "
     "Which, Who, Tell us...)"),
    ("Isn't it time we met more often?", "begins with 'Isn't', which invites a yes or no answer"),
    ("Would you say things have got better?", "begins with 'Would'"),
    ("What works well? What could be better?",
     "has 2 question marks: ask one question at a time and move the others into the follow-ups"),
    ("Tell us what you are each working towards.", "must end with '?'"),
    ("What are the things that you and the people you work with each day would most like to "
     "see change in this part of the town over the next few years?",
     "has 31 words (at most 30): shorten it or move detail into the follow-ups"),
    ("What organisational infrastructure considerations potentially necessitate collaboration?",
     "is hard to read (Flesch reading ease"),
])
def test_question_rules(tmp_path, question, message):
    text = with_question(question)
    warnings = warnings_of(tmp_path, text)
    expected = f"sample.yaml:{line_of(text, question[:20])}: warning: {PREFIX} {message}"
    assert any(w.startswith(expected) for w in warnings), warnings


@pytest.mark.parametrize("question", [
    "What are you each working towards this year?",
    "How does your team decide what to do first?",
    "Who else should be in the room next time?",
    "'Doing more together: where would you start?'",
])
def test_open_questions_pass(tmp_path, question):
    assert warnings_of(tmp_path, with_question(question)) == []


def test_follow_up_rules(tmp_path):
    long = ("Tell us more about the times in the year when the work piles up and the team has "
            "less room than it would like for more.")
    text = replace(SAMPLE, "- What would success look like for you?",
                   f"- Is success likely?\n          - {long}")
    warnings = warnings_of(tmp_path, text)
    assert (f"sample.yaml:{line_of(text, 'Is success likely?')}: warning: stage 'get_to_know', "
            "question 'know_goals': follow_ups item 1 begins with 'Is', which invites a yes or no "
            "answer: ask an open question or make it a prompt (Tell us more about...)"
            ) in warnings
    assert (f"sample.yaml:{line_of(text, 'piles up')}: warning: stage 'get_to_know', question "
            "'know_goals': follow_ups item 2 has 26 words (at most 25)") in warnings


def test_a_closed_prompt_that_is_not_a_question_is_allowed(tmp_path):
    text = replace(SAMPLE, "- What would success look like for you?",
                   "- Do say more about success.")
    assert warnings_of(tmp_path, text) == []


def test_unexplained_acronyms(tmp_path):
    text = replace(SAMPLE, "description: A small set for tests.",
                   "description: For the ICB, a PCN or the NHS, in the UK. OK?")
    text = replace(text, "why: People often do not know what the other side does.",
                   "why: People in the ICB often do not know what PCNs do.")
    warnings = warnings_of(tmp_path, text)
    line = line_of(text, "description:")
    assert warnings == [
        f"sample.yaml:{line}: warning: description uses 'ICB', which is not in the set's "
        "glossary: add it there, explained in plain words (also used in 1 other places)",
        f"sample.yaml:{line}: warning: description uses 'NHS', which is not in the set's "
        "glossary: add it there, explained in plain words",
    ]


def test_acronyms_in_included_parts_count(tmp_path):
    write(tmp_path / "shared", "talk.yaml", (
        "part: talk\nquestions:\n"
        "  - id: talk_lto\n"
        "    text: What does the LTO do for you?\n"
        "    addressed_to: partnership\n"
        "    core: true\n"
        "    follow_ups: [Tell us more.]\n"
        "    why: Roles matter.\n"
        "    sources: [\"003:7\"]\n"
        "    surfaces: [strength]\n"))
    text = replace(SAMPLE, "    questions:\n      - id: how_gap",
                   "    questions:\n      - include: talk\n      - id: how_gap")
    warnings = warnings_of(tmp_path, text)
    assert warnings == [
        "shared/talk.yaml:4: warning: stage 'how_well', question 'talk_lto': text uses 'LTO', "
        "which is not in the set's glossary: add it there, explained in plain words (in the "
        "part included by sample)"]


def test_us_spelling(tmp_path):
    text = replace(SAMPLE, "purpose: Learn what each side does.",
                   "purpose: Learn how each organization sets its priorities.")
    assert warnings_of(tmp_path, text) == [
        f"sample.yaml:{line_of(text, 'organization')}: warning: stage 'get_to_know': purpose "
        "uses the US spelling 'organization': write 'organisation'"]


def test_low_readability_across_the_set(tmp_path):
    hard = {
        "What are you each working towards this year?":
            "What institutional priorities characterise your organisation's community "
            "strategy?",
        "What does a normal week look like for your team?":
            "What operational responsibilities occupy your team's everyday activity?",
        "Where do your scores differ the most?":
            "Where do your evaluations demonstrate considerable variation?",
    }
    text = SAMPLE
    for old, new in hard.items():
        text = replace(text, old, new)
    warnings = warnings_of(tmp_path, text)
    joined = [w for w in warnings if "taken together" in w]
    assert len(joined) == 1
    assert joined[0].startswith(
        f"sample.yaml:{line_of(text, 'stages:')}: warning: the questions of this set are hard to "
        "read taken together (Flesch reading ease ")
    assert "over 3 questions, at least 60)" in joined[0]


def test_flesch_reading_ease_is_plain_and_offline():
    assert lint.flesch_reading_ease("What do you do?") > 90
    assert lint.flesch_reading_ease(
        "What organisational infrastructure considerations necessitate collaboration?") < 0
    assert lint.flesch_reading_ease("") == 0.0


@pytest.mark.parametrize("text, opener", [
    ("Do you?", "Do"), ("  can we?", "can"), ("Won't it?", "Won't"), ("Doesn’t it?", "Doesn’t"),
    ("What now?", None), ("Maybe?", None), ("Dos and don'ts?", None), ('"Is it?"', "Is"),
])
def test_closed_opener(text, opener):
    assert lint.closed_opener(text) == opener
