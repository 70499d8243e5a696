"""Line-tracking YAML: every key and item knows its line; duplicates and syntax are caught."""

from __future__ import annotations

import pytest

from convo.questions.yamlsource import YamlSyntaxError, parse

TEXT = """\
id: sample
stages:
  - id: open
    questions:
      - text: >
          What brings you here?
        follow_ups: [One, Two]
labels:
  1: Low
  2: High
"""


def test_lines_of_keys_and_items():
    source = parse(TEXT)
    assert source.data["stages"][0]["questions"][0]["text"] == "What brings you here?\n"
    assert source.lines[("id",)] == 1
    assert source.lines[("stages",)] == 2
    assert source.lines[("stages", 0)] == 3
    assert source.lines[("stages", 0, "questions", 0)] == 5
    assert source.lines[("stages", 0, "questions", 0, "text")] == 5
    assert source.lines[("stages", 0, "questions", 0, "follow_ups", 1)] == 7
    assert source.lines[("labels", 2)] == 10
    assert source.problems == ()


def test_line_falls_back_to_the_enclosing_value():
    source = parse(TEXT)
    assert source.line(("stages", 0, "questions", 0, "why")) == 5
    assert source.line(("nowhere",)) == 1


def test_duplicate_keys_are_reported_with_both_lines():
    source = parse("id: a\ntitle: A\nid: b\n")
    assert source.data == {"id": "a", "title": "A"}
    [problem] = source.problems
    assert problem.line == 3
    assert "duplicate key 'id' (first at line 1)" in problem.message


def test_merge_keys_are_refused():
    source = parse("base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n")
    [problem] = source.problems
    assert problem.line == 4
    assert "merge keys" in problem.message


@pytest.mark.parametrize("text, line", [
    ("id: a\ntitle: [unclosed\nversion: 1\n", 2),  # where the bracket was opened
    ("id: a\n  bad: indent\n", 2),
    ("a: 1\n---\nb: 2\n", 2),
])
def test_syntax_errors_carry_a_line(text, line):
    with pytest.raises(YamlSyntaxError) as caught:
        parse(text)
    assert caught.value.line == line
    assert caught.value.message.startswith("YAML syntax: ")


def test_empty_document_is_none():
    assert parse("").data is None
