"""Plain words on the participant's pages (issue 18, docs/words.md): every string a participant
reads, taken from the templates and code the way the translation catalogue takes them, reads
easily (Flesch reading ease, as the question-set checker counts it) and avoids the words the
glossary replaces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from convo.questions.lint import flesch_reading_ease

ROOT = Path(__file__).resolve().parents[2]
PARTICIPANT_FILES = [
    *(f"templates/live/{name}.html" for name in (
        "join", "pick", "participant", "participant_edit", "participant_gone",
        "participant_ratings", "participant_summary", "participant_waiting",
        "_participant_view", "_my_item", "_messages", "_differences_note")),
    "convo/live/participant.py", "convo/live/forms.py",
]
# The whole, read as one text: 60–70 is plain English; the issue measured 76 for the
# interface as a whole.  Any one sentence of eight words or more: at least 50.
MIN_OVERALL, MIN_SENTENCE = 80.0, 50.0
# docs/words.md: what participants never read (placeholders like %(party)s are not read).
JARGON = re.compile(r"\b(part(?:y|ies)|reveal\w*|criteri(?:on|a)|captur\w*|merg\w*|json|"
                    r"issued?|version|device|item)\b", re.I)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}|\{\w+\}")


def participant_strings() -> list[tuple[str, str]]:
    found = []
    for name in PARTICIPANT_FILES:
        method = "jinja2" if name.endswith(".html") else "python"
        options = {"trimmed": "true"} if method == "jinja2" else {}
        with (ROOT / name).open("rb") as handle:
            for _line, message, _comments, _context in extract_from_file(
                    method, handle.name, options=options):
                text = message if isinstance(message, str) else message[0]
                found.append((name, PLACEHOLDER.sub("Riverside", text)))
    return found


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!:])\s+", text) if s.strip()]


def test_there_are_strings_to_check() -> None:
    strings = participant_strings()
    assert len(strings) >= 100
    assert any("happy with every word" in s for _, s in strings)


def test_the_participant_pages_read_easily() -> None:
    strings = participant_strings()
    whole = " ".join(s if s.rstrip()[-1:] in ".?!:" else s + "." for _, s in strings)
    assert flesch_reading_ease(whole) >= MIN_OVERALL
    hard = [(flesch_reading_ease(sentence), name, sentence) for name, text in strings
            for sentence in sentences(text)
            if len(sentence.split()) >= 8 and flesch_reading_ease(sentence) < MIN_SENTENCE]
    assert hard == []


def test_the_participant_pages_use_the_glossarys_words() -> None:
    found = [(name, text) for name, text in participant_strings() if JARGON.search(text)]
    assert found == []


@pytest.mark.parametrize("text, easy", [
    ("Approve it when your side is happy with every word.", True),
    ("Notwithstanding the aforementioned considerations, ratification necessitates "
     "unanimous organisational endorsement.", False),
])
def test_the_measure_tells_easy_from_hard(text: str, easy: bool) -> None:
    assert (flesch_reading_ease(text) >= MIN_SENTENCE) is easy


def test_the_approval_sentence_is_short() -> None:
    text = next(t for _, t in participant_strings() if "happy with every word" in t)
    assert all(len(s.split()) <= 12 for s in sentences(text))
