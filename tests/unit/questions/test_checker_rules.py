"""The checker's second-edition rules, each with an example that fails and one that passes:
time and core questions, breaks, balance, citations, jargon, closed openers after a lead-in,
subtypes, breaks and toolkit parts, plain-worded YAML errors, keys indented into a text,
long scales, and "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest

from convo.questions import lint
from convo.questions.loader import load_part, load_set
from convo.questions.yamlsource import YamlSyntaxError, parse
from tests.unit.questions.samples import SAMPLE, line_of, replace, write


def problems(tmp_path: Path, text: str) -> list[str]:
    loaded = load_set(write(tmp_path, "sample.yaml", text))
    return [p.format(relative_to=tmp_path) for p in loaded.problems]


def warnings(tmp_path: Path, text: str) -> list[str]:
    loaded = load_set(write(tmp_path, "sample.yaml", text))
    assert loaded.errors == [], [p.format() for p in loaded.errors]
    return [p.format(relative_to=tmp_path) for p in loaded.warnings]


def test_the_sample_passes(tmp_path):
    assert problems(tmp_path, SAMPLE) == []


# --- closed questions ----------------------------------------------------------------------

@pytest.mark.parametrize("question, opener", [
    ("So, do you know what each other does?", "So, do"),
    ("So do you know what each other does?", "So do"),
    ("Anything else you would like to add?", "Anything"),
    ("Is there anything else to add?", "Is"),
    ("And can we meet again soon?", "And can"),
    ("Well, anyone else?", "Well, anyone"),
])
def test_closed_openers_after_lead_ins_are_caught(tmp_path, question, opener):
    text = replace(SAMPLE, "text: What are you each working towards this year?",
                   f"text: {question}")
    assert any(f"text begins with '{opener}', which invites a yes or no answer" in w
               for w in warnings(tmp_path, text)), warnings(tmp_path, text)


@pytest.mark.parametrize("question", [
    "So, what are you each working towards this year?",
    "And what else would help?",
    "Anyway, who else should be here?",
])
def test_open_questions_after_lead_ins_pass(tmp_path, question):
    text = replace(SAMPLE, "text: What are you each working towards this year?",
                   f"text: {question}")
    assert warnings(tmp_path, text) == []


def test_a_closed_follow_up_like_anything_else_is_caught(tmp_path):
    text = replace(SAMPLE, "- What would success look like for you?", "- Anything else?")
    assert any("follow_ups item 1 begins with 'Anything'" in w for w in warnings(tmp_path, text))
    text = replace(SAMPLE, "- What would success look like for you?", "- What else?")
    assert warnings(tmp_path, text) == []


# --- core questions and time ----------------------------------------------------------------

def test_a_stage_without_core_questions(tmp_path):
    text = replace(SAMPLE, "        addressed_to: agency\n        core: true\n",
                   "        addressed_to: agency\n")
    text = replace(text, "        addressed_to: both\n        core: true\n        follow_ups:\n"
                         "          - What would success",
                   "        addressed_to: both\n        follow_ups:\n          - What would success")
    assert (f"sample.yaml:{line_of(text, '- id: get_to_know')}: warning: stage 'get_to_know': "
            "marks no core question: mark the 2 to 3 that matter most with 'core: true' (the "
            "rest are asked if time allows)") in warnings(tmp_path, text)


def test_a_stage_with_one_or_four_core_questions(tmp_path):
    one = replace(SAMPLE, "        addressed_to: agency\n        core: true\n",
                  "        addressed_to: agency\n")
    assert any("stage 'get_to_know': marks only one core question: mark 2 or 3" in w
               for w in warnings(tmp_path, one))
    extra = "".join(
        f"      - id: know_more_{n}\n        text: What else matters to you, {n}?\n"
        "        addressed_to: both\n        core: true\n        follow_ups: [Tell us more.]\n"
        "        why: More.\n        sources: [\"001:5.1\"]\n        surfaces: [strength]\n"
        for n in ("one", "two"))
    four = replace(SAMPLE, "  - id: how_well\n", extra + "  - id: how_well\n")
    assert any("stage 'get_to_know': marks 4 core questions: keep it to the 3 that matter most"
               in w for w in warnings(tmp_path, four))


def test_core_questions_need_their_minutes(tmp_path):
    text = replace(SAMPLE, "minutes: 25", "minutes: 7")
    text = replace(text, "minutes: 35", "minutes: 53")
    assert (f"sample.yaml:{line_of(text, 'minutes: 7')}: warning: stage 'get_to_know': minutes "
            "are 7, but the stage's 2 core questions need at least 8 (4 minutes each): give it "
            "more minutes or mark fewer questions core") in warnings(tmp_path, text)
    text = replace(SAMPLE, "minutes: 35", "minutes: 8")
    text = replace(text, "minutes: 25", "minutes: 52")
    assert (f"sample.yaml:{line_of(text, 'minutes: 8')}: warning: stage 'how_well': minutes are "
            "8, but the stage's 1 core questions need at least 9 (4 minutes each, plus 5 to "
            "score): give it more minutes or mark fewer questions core"
            ) in warnings(tmp_path, text)
    text = replace(SAMPLE, "minutes: 35", "minutes: 9")  # exactly enough
    text = replace(text, "minutes: 25", "minutes: 51")
    assert warnings(tmp_path, text) == []


def test_a_core_question_is_for_every_subtype(tmp_path):
    text = replace(SAMPLE, "        core: true\n        follow_ups:\n          - Tell us more about",
                   "        core: true\n        only_for: [pcn]\n        follow_ups:\n"
                   "          - Tell us more about")
    assert any("only_for is not for a core question" in w for w in warnings(tmp_path, text))


def test_stages_add_up_to_the_duration(tmp_path):
    text = replace(SAMPLE, "duration_minutes: 60", "duration_minutes: 70")
    assert (f"sample.yaml:{line_of(text, 'duration_minutes')}: warning: duration_minutes is 70, but the stages add up to 60 "
            "minutes: make them agree (a new conversation's plan starts from the stages' "
            "minutes)") in warnings(tmp_path, text)


BREAK = """\
  - id: pause
    title: Break
    break: true
    purpose: A short break.
    minutes: 20
    facilitator_notes: Say when you will start again.
"""


def test_a_long_conversation_needs_a_break(tmp_path):
    long = replace(SAMPLE, "duration_minutes: 60", "duration_minutes: 80")
    long = replace(long, "minutes: 35", "minutes: 55")
    assert (f"sample.yaml:{line_of(long, 'stages:')}: warning: a conversation of more than 75 "
            "minutes needs a break: add '- include: break' near the middle"
            ) in warnings(tmp_path, long)
    with_break = replace(SAMPLE, "  - id: how_well\n", BREAK + "  - id: how_well\n")
    with_break = replace(with_break, "duration_minutes: 60", "duration_minutes: 80")
    assert warnings(tmp_path, with_break) == []
    assert load_set(tmp_path / "sample.yaml").question_set.stages[1].is_break


def test_a_break_has_no_questions_and_other_stages_need_them(tmp_path):
    busy = BREAK + ("    questions:\n      - id: q_break\n        text: What now?\n"
                    "        addressed_to: both\n        follow_ups: [Tell us more.]\n        why: x\n"
                    "        sources: [\"001:5.1\"]\n        surfaces: [note]\n")
    text = replace(SAMPLE, "  - id: how_well\n", busy + "  - id: how_well\n")
    assert any("stage 'pause': questions is not for a break" in e
               for e in problems(tmp_path, text)), problems(tmp_path, text)
    bare = BREAK.replace("    break: true\n", "")
    text = replace(SAMPLE, "  - id: how_well\n", bare + "  - id: how_well\n")
    assert (f"sample.yaml:{line_of(text, '- id: pause')}: stage 'pause': missing key 'questions' "
            "(a stage needs at least one question; a break says 'break: true' instead)"
            ) in problems(tmp_path, text)


# --- balance --------------------------------------------------------------------------------

def test_each_side_is_asked_in_every_stage(tmp_path):
    text = replace(SAMPLE, "addressed_to: both\n        core: true\n        follow_ups:\n"
                           "          - What would success",
                   "addressed_to: agency\n        core: true\n        follow_ups:\n"
                   "          - What would success")
    assert (f"sample.yaml:{line_of(text, '- id: get_to_know')}: warning: stage 'get_to_know': "
            "asks only the agency: give the partnership a question too, or ask one of them of "
            "both sides") in warnings(tmp_path, text)


def test_neither_side_is_asked_far_more_on_its_own(tmp_path):
    extra = "".join(
        f"      - id: agency_{n.lower()}\n        text: What does your team do on {n}?\n"
        "        addressed_to: agency\n        follow_ups: [Tell us more.]\n        why: More.\n"
        "        sources: [\"001:5.1\"]\n        surfaces: [strength]\n"
        for n in ("Mondays", "Tuesdays", "Fridays"))
    text = replace(SAMPLE, "  - id: how_well\n", extra + "  - id: how_well\n")
    assert ("the set asks the agency 4 questions on its own and the partnership 0: balance who "
            "is asked, so that neither side feels inspected") in " ".join(warnings(tmp_path, text))
    one = extra.split("      - id: agency_tuesdays")[0]  # 2 against 0 is close enough
    assert warnings(tmp_path, replace(SAMPLE, "  - id: how_well\n",
                                      one + "  - id: how_well\n")) == []


# --- citations and jargon ------------------------------------------------------------------

def test_citations_name_real_sections(tmp_path):
    text = replace(SAMPLE, 'sources: ["001:3.1"]', 'sources: ["001:9.9", "001:Exmaple 3"]')
    found = warnings(tmp_path, text)
    line = line_of(text, "001:9.9")
    assert (f"sample.yaml:{line}: warning: stage 'how_well', question 'how_gap': item 1: "
            "'001:9.9' names no section of seed 001 (Big Local relationships with public "
            "agencies); the sections each seed has are listed in convo/questions/seeds.yaml"
            ) in found
    assert any("'001:Exmaple 3' names no section of seed 001" in w
               and "(did you mean '001:Example 3'?)" in w for w in found)
    for good in ("001:Appendix A", "002:principle 4", "002:2", "003:7", "004:Part one"):
        assert warnings(tmp_path, replace(SAMPLE, 'sources: ["001:3.1"]',
                                          f'sources: ["{good}"]')) == [], good


def test_jargon_in_a_question_needs_plain_words_or_the_glossary(tmp_path):
    question = "text: What does a normal week look like for your team?"
    text = replace(SAMPLE, question, "text: What do your link workers do each week?")
    assert any("text uses 'link worker', which the other side may not know: say it in plain "
               "words (for example \"someone who connects people with local groups and "
               "support\"), or explain it in the set's glossary" in w
               for w in warnings(tmp_path, text))
    quoted = replace(SAMPLE, question, "text: What does 'link worker' mean on your team?")
    assert warnings(tmp_path, quoted) == []
    glossed = replace(text, "  GP: General practitioner, a family doctor.",
                      "  GP: General practitioner, a family doctor.\n"
                      "  social prescribing link worker: Someone who connects patients with "
                      "local support.")
    assert warnings(tmp_path, glossed) == []
    named = replace(SAMPLE, question, "text: What does the Primary Care Network do each week?")
    assert warnings(tmp_path, named) == []  # a body's name, not jargon


# --- subtypes -------------------------------------------------------------------------------

def test_only_for_names_the_sets_own_subtypes(tmp_path):
    text = replace(SAMPLE, "        addressed_to: both\n        core: true\n        follow_ups:\n"
                           "          - What would success",
                   "        addressed_to: both\n        core: true\n        follow_ups:\n"
                   "          - What would success")
    text = replace(text, "      - id: how_gap\n", "      - id: how_gap\n        only_for: [pnc]\n")
    assert (f"sample.yaml:{line_of(text, 'only_for: [pnc]')}: stage 'how_well', question "
            "'how_gap': only_for item 1 'pnc' is not one of this set's subtypes (pcn) (did you "
            "mean 'pcn'?)") in problems(tmp_path, text)


def test_only_for_leaves_a_question_out_for_other_subtypes(tmp_path):
    extra = ("      - id: how_pcn\n        text: What does your network add?\n"
             "        addressed_to: agency\n        only_for: [pcn]\n"
             "        follow_ups: [Tell us more.]\n        why: x\n"
             "        sources: [\"001:5.1\"]\n        surfaces: [strength]\n")
    text = replace(SAMPLE, "ratings:\n", extra + "ratings:\n", ) if False else SAMPLE.replace(
        "        surfaces: [challenge]\nratings:", "        surfaces: [challenge]\n" + extra
        + "ratings:")
    qs = load_set(write(tmp_path, "sample.yaml", text)).question_set
    question = qs.stages[1].questions[1]
    assert question.applies_to("pcn") and question.applies_to(None)
    assert not question.applies_to("gp_practice")


# --- scales ---------------------------------------------------------------------------------

TEN = """\
    scale:
      min: 1
      max: 10
      labels:
        1: Least
        10: Most
"""


def test_a_long_scale_needs_labels_only_at_its_ends(tmp_path):
    old = ("    scale:\n      min: 1\n      max: 3\n      labels:\n        1: Not at all\n"
           "        2: Partly\n        3: Fully\n")
    assert warnings(tmp_path, replace(SAMPLE, old, TEN)) == []
    text = replace(SAMPLE, old, TEN.replace("        10: Most\n", ""))
    assert (f"sample.yaml:{line_of(text, 'labels:')}: rating 'eight_criteria': scale labels are "
            "missing 10: a scale of more than 7 points needs a label for at least its two ends "
            "(1 and 10)") in problems(tmp_path, text)


# --- toolkit parts --------------------------------------------------------------------------

def test_toolkit_parts_are_included_and_spliced(tmp_path):
    write(tmp_path / "shared", "my_rules.yaml",
          "part: my_rules\nground_rules:\n  - One voice at a time.\n")
    write(tmp_path / "shared", "my_notes.yaml", (
        "part: my_notes\ntoolkit:\n  - id: when_late\n    title: When people arrive late\n"
        "    text: Welcome them and give a one-line catch-up.\n"))
    write(tmp_path / "shared", "my_calls.yaml", (
        "part: my_calls\npreparation:\n  - id: prep_hopes\n"
        "    text: What would make today worth your time?\n    asked_of: both\n"
        "    why: It tells you what to plan for.\n    sources: [\"001:Appendix B\"]\n"))
    text = SAMPLE + ("ground_rules:\n  - include: my_rules\n  - We finish on time.\n"
                     "toolkit:\n  - include: my_notes\n  - include: parking_lot_only\n"
                     "preparation:\n  - include: my_calls\n")
    write(tmp_path / "shared", "parking_lot_only.yaml", (
        "part: parking_lot_only\ntoolkit:\n  - id: parking\n    title: The parking lot\n"
        "    text: Park what would take over.\n    borrowed_from: Common practice\n"))
    loaded = load_set(write(tmp_path, "sample.yaml", text))
    assert [p.format() for p in loaded.problems] == []
    qs = loaded.question_set
    assert qs.ground_rules == ["One voice at a time.", "We finish on time."]
    assert [n.id for n in qs.toolkit] == ["when_late", "parking"]
    assert [q.asked_of for q in qs.preparation] == ["both"]


def test_a_toolkit_part_of_the_wrong_kind(tmp_path):
    write(tmp_path / "shared", "my_rules.yaml",
          "part: my_rules\nground_rules:\n  - One voice at a time.\n")
    text = SAMPLE + "toolkit:\n  - include: my_rules\n"
    assert (f"sample.yaml:{line_of(text, 'include: my_rules')}: part 'my_rules' holds "
            "ground_rules, but a list of toolkit notes is wanted here") in problems(tmp_path, text)


def test_preparation_questions_follow_the_question_rules(tmp_path):
    text = SAMPLE + ("preparation:\n  - id: prep_closed\n    text: Do you want to come?\n"
                     "    asked_of: agency\n    why: x\n    sources: [\"001:Appendix B\"]\n")
    assert (f"sample.yaml:{line_of(text, 'Do you want')}: warning: preparation question "
            "'prep_closed': text begins with 'Do', which invites a yes or no answer: ask an open "
            "question (What, How, Which, Who, Tell us...)") in warnings(tmp_path, text)


def test_the_shipped_toolkit_parts_check_on_their_own():
    from convo.questions.loader import SHARED_DIR

    for name in ("toolkit", "ground_rules", "preparation", "check_in", "break",
                 "picture_of_success", "commitment_check"):
        assert load_part(SHARED_DIR / f"{name}.yaml").problems == (), name


# --- keys indented into a text --------------------------------------------------------------

def test_a_key_indented_into_the_text_above_is_reported_where_it_is(tmp_path):
    text = replace(SAMPLE, '        why: Talking about the gaps builds a shared picture.\n'
                           '        sources: ["001:3.1"]\n',
                   '        why: >\n          Talking about the gaps builds a shared picture.\n'
                   '          sources: ["001:3.1"]\n')
    line = line_of(text, '          sources: ["001:3.1"]')
    assert problems(tmp_path, text) == [
        f"sample.yaml:{line}: 'sources' is indented too far, so YAML read it as more of the "
        "text of 'why' above: line it up with 'why'"]


def test_a_core_flag_indented_into_the_text_is_not_lost_silently(tmp_path):
    text = replace(SAMPLE, "        why: Talking about the gaps builds a shared picture.\n",
                   "        why: >\n          Talking about the gaps builds a shared picture.\n"
                   "          only_for: [pcn]\n")
    assert any("'only_for' is indented too far" in p for p in problems(tmp_path, text))


def test_a_word_and_colon_inside_a_text_is_not_a_key(tmp_path):
    text = replace(SAMPLE, "        why: Talking about the gaps builds a shared picture.\n",
                   "        why: >\n          Talking about the gaps builds a shared picture.\n"
                   "          Remember: listen first.\n")
    assert problems(tmp_path, text) == []


# --- YAML errors in plain words -------------------------------------------------------------

@pytest.mark.parametrize("text, line, words", [
    ("a:\n  text: What is this\n    why: because\n", 3,
     "'why' is indented further than 'text' above it, so it reads as more of that line: "
     "line it up with 'text'"),
    ("a:\n  title: Open: agree the space\n", 2,
     "this text has a colon followed by a space, which YAML reads as a new key: put the whole "
     "text in double quotes"),
    ("a:\n\ttext: hi\n", 2, "this line is indented with a tab: indent with spaces only"),
    ('a:\n  text: "hello\n  b: 2\n', 2, "a quotation mark on this line is never closed"),
    ("a: 'it's here'\n", 1, "there is more text after a closing quotation mark"),
    ("a:\n  - id: x\n   text: hi\n", 3,
     "this line's indentation does not match the lines above it"),
    ("a:\n  b: 1\n  - c\n", 3, "this list item ('-') does not line up with the lines above"),
    ("a: *bold* words\n", 1, "a text starting with '*' reads as a YAML alias: put the text in "
                              "quotes"),
    ("a: @someone\n", 1, "a text cannot start with '@': put the text in quotes"),
    ("a:\n  text: hi\n  why\n  x: 1\n", 3, "this line has no colon"),
    ("id: a\ntitle: [unclosed\nversion: 1\n", 2,
     "a list or mapping opened with '[' on this line is not closed"),
])
def test_yaml_errors_are_in_plain_words_with_their_line(text, line, words):
    with pytest.raises(YamlSyntaxError) as caught:
        parse(text)
    assert caught.value.line == line
    assert words in caught.value.message
    assert "expected <block end>" not in caught.value.message


# --- did you mean ----------------------------------------------------------------------------

def test_did_you_mean_for_includes_and_values(tmp_path):
    text = replace(SAMPLE, "stages:\n", "stages:\n  - include: openning\n")
    assert any("unknown include 'openning'" in p and "(did you mean 'opening'?)" in p
               for p in problems(tmp_path, text))
    text = replace(SAMPLE, "surfaces: [challenge]", "surfaces: [challange]")
    assert any("surfaces item 1 must be one of challenge, opportunity, action, strength, note "
               "(did you mean 'challenge'?)" in p for p in problems(tmp_path, text))


def test_lead_ins_do_not_hide_an_open_question():
    assert lint.closed_opener("So, what now?") is None
    assert lint.closed_opener("Now, is it?") == "Now, is"


def test_an_unknown_key_in_a_toolkit_part_is_reported_in_the_part(tmp_path):
    write(tmp_path / "shared", "my_notes.yaml", (
        "part: my_notes\ntoolkit:\n  - id: when_late\n    title: When people arrive late\n"
        "    txet: Welcome them and give a one-line catch-up.\n"))
    text = SAMPLE + "toolkit:\n  - include: my_notes\n"
    found = problems(tmp_path, text)
    assert ("shared/my_notes.yaml:5: toolkit note 'when_late': unknown key 'txet' (did you mean "
            "'text'?) (in the part included by sample)") in found
    assert ("shared/my_notes.yaml:3: toolkit note 'when_late': missing key 'text' (in the part "
            "included by sample)") in found
