"""The style rules of question_sets/README.md: warnings, errors under --strict.

Readability is the Flesch reading ease, 206.835 - 1.015 * words per sentence - 84.6 *
syllables per word, with textstat's word and sentence counts.  Syllables are counted with
Pyphen's hyphenation dictionary (textstat's own fallback), never the CMU dictionary: that
would be downloaded at first use, and a checker must give the same answer on every machine,
online or not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pyphen
import textstat
from flask_babel import gettext as _

from convo.questions.checks import Finding, at, dicts, part_texts, plain, set_texts
from convo.questions.yamlsource import Loc

CLOSED_OPENERS = frozenset(
    "do does did is are was were am can could will would have has had should shall may "
    "might must".split()
)
# Negative contractions open closed questions too ("Isn't it...?").
_NEGATIVE = {"won't": "will", "can't": "can", "shan't": "shall"}
MAX_QUESTION_WORDS = 30
MAX_FOLLOW_UP_WORDS = 25
MIN_QUESTION_EASE = 40.0
MIN_SET_EASE = 60.0
ACRONYM = re.compile(r"(?<![\w'’])([A-Z]{2,})(s?)(?!\w)")
ALLOWED_ACRONYMS = frozenset({"UK", "OK"})

# US spellings people slip into, and the UK spelling.  -ize verbs are generated below.
_IZE_STEMS = (
    "organ", "priorit", "real", "recogn", "emphas", "summar", "apolog", "util", "mobil",
    "critic", "special", "minim", "maxim", "final", "categor", "familiar", "custom",
    "character", "author", "formal", "stabil", "central", "standard", "memor", "modern",
    "optim", "capital", "legal", "visual", "symbol", "harmon", "agon", "sympath",
)
_US_WORDS = {
    "analyze": "analyse", "analyzed": "analysed", "analyzing": "analysing",
    "neighbor": "neighbour", "neighbors": "neighbours", "neighborhood": "neighbourhood",
    "neighborhoods": "neighbourhoods", "neighboring": "neighbouring",
    "color": "colour", "colors": "colours", "behavior": "behaviour", "behaviors": "behaviours",
    "favor": "favour", "favorite": "favourite", "honor": "honour", "labor": "labour",
    "humor": "humour", "rumor": "rumour", "endeavor": "endeavour",
    "center": "centre", "centers": "centres", "theater": "theatre",
    "program": "programme", "programs": "programmes", "catalog": "catalogue",
    "enroll": "enrol", "fulfill": "fulfil", "skillful": "skilful", "gray": "grey",
    "defense": "defence", "offense": "offence",
    "counselor": "counsellor", "counselors": "counsellors", "traveled": "travelled",
    "traveling": "travelling", "canceled": "cancelled", "labeled": "labelled",
    "modeling": "modelling", "judgment": "judgement", "aging": "ageing", "mom": "mum",
    "math": "maths", "toward": "towards",
}
US_SPELLINGS: dict[str, str] = dict(_US_WORDS)
for _stem in _IZE_STEMS:
    for _us, _uk in (("ize", "ise"), ("izes", "ises"), ("ized", "ised"), ("izing", "ising"),
                     ("ization", "isation"), ("izations", "isations"), ("izer", "iser")):
        US_SPELLINGS[_stem + _us] = _stem + _uk
WORD = re.compile(r"[A-Za-z]+")
_PREFIX = re.compile(r"^(?:re|dis|un|de|non|over|under|co)(?=[a-z]{4})")


def us_spelling(word: str) -> str | None:
    """The UK spelling when `word` is a US one ("reorganization" -> "reorganisation")."""
    lower = word.lower()
    if lower in US_SPELLINGS:
        return US_SPELLINGS[lower]
    prefix = _PREFIX.match(lower)
    if prefix and lower[prefix.end():] in US_SPELLINGS:
        return prefix[0] + US_SPELLINGS[lower[prefix.end():]]
    return None


# ---------------------------------------------------------------------------- measures


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def word_count(text: str) -> int:
    return int(textstat.lexicon_count(text))


def syllable_count(text: str) -> int:
    dictionary = _dictionary()
    return sum(len(dictionary.positions(word)) + 1
               for word in textstat.remove_punctuation(text).lower().split())


def flesch_reading_ease(text: str) -> float:
    """Higher is easier: 60-70 is plain English; below 30 is for graduates."""
    words = word_count(text)
    if not words:
        return 0.0
    sentences = max(1, int(textstat.sentence_count(text)))
    return round(206.835 - 1.015 * words / sentences - 84.6 * syllable_count(text) / words, 1)


def closed_opener(text: str) -> str | None:
    """The first word, when it opens a yes-or-no question ("Do", "Is", "Can't"...)."""
    match = re.match(r"\s*[\"'‘“(]*([A-Za-z]+(?:['’][a-z]+)?)", text)
    if not match:
        return None
    word = match[1]
    key = word.lower().replace("’", "'")
    key = _NEGATIVE.get(key, key[:-3] if key.endswith("n't") else key)
    return word if key in CLOSED_OPENERS else None


# ---------------------------------------------------------------------------- rules


def _main_text(value: Any, locale: str) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get(locale), str):
        return str(value[locale])
    return None


def lint_question(data: Any, loc: Loc, locale: str) -> list[Finding]:
    question = at(data, loc)
    if not isinstance(question, dict):
        return []
    found = []
    text = _main_text(question.get("text"), locale)
    if text is not None:
        where = loc + ("text",)
        opener = closed_opener(text)
        if opener:
            found.append(Finding(where, _(
                "begins with '%(word)s', which invites a yes or no answer: ask an open "
                "question (What, How, Which, Who, Tell us...)", word=opener)))
        marks = text.count("?")
        if not text.rstrip().endswith("?"):
            found.append(Finding(where, _("must end with '?'")))
        if marks > 1:
            found.append(Finding(where, _(
                "has %(count)s question marks: ask one question at a time and move the "
                "others into the follow-ups", count=marks)))
        words = word_count(text)
        if words > MAX_QUESTION_WORDS:
            found.append(Finding(where, _(
                "has %(count)s words (at most %(max)s): shorten it or move detail into the "
                "follow-ups", count=words, max=MAX_QUESTION_WORDS)))
        ease = flesch_reading_ease(text)
        if ease < MIN_QUESTION_EASE:
            found.append(Finding(where, _(
                "is hard to read (Flesch reading ease %(ease)s, at least %(min)s): use "
                "shorter words and plainer phrases", ease=ease, min=int(MIN_QUESTION_EASE))))
    follow_ups = question.get("follow_ups")
    if isinstance(follow_ups, list):
        for index, value in enumerate(follow_ups):
            follow_up = _main_text(value, locale)
            if follow_up is None:
                continue
            where = loc + ("follow_ups", index)
            words = word_count(follow_up)
            if words > MAX_FOLLOW_UP_WORDS:
                found.append(Finding(where, _(
                    "has %(count)s words (at most %(max)s)", count=words,
                    max=MAX_FOLLOW_UP_WORDS)))
            opener = closed_opener(follow_up)
            if follow_up.rstrip().endswith("?") and opener:
                found.append(Finding(where, _(
                    "begins with '%(word)s', which invites a yes or no answer: ask an open "
                    "question or make it a prompt (Tell us more about...)", word=opener)))
    return found


def _question_locs(data: Any, stage_locs: Iterator[Loc]) -> list[Loc]:
    return [qloc for sloc in stage_locs for qloc, _q in dicts(data, sloc + ("questions",))]


def spelling(texts: Iterator[tuple[Loc, Any]]) -> list[Finding]:
    found = []
    for loc, value in texts:
        for text in plain(value):
            for word in dict.fromkeys(WORD.findall(text)):
                uk = us_spelling(word)
                if uk:
                    found.append(Finding(loc, _(
                        "uses the US spelling '%(word)s': write '%(uk)s'", word=word, uk=uk)))
    return found


def acronyms(data: dict[str, Any]) -> list[Finding]:
    """Every acronym used anywhere in the set is explained in its glossary."""
    glossary = data.get("glossary")
    known = {k for k in glossary if isinstance(k, str)} if isinstance(glossary, dict) else set()
    uses: dict[str, list[Loc]] = {}
    for loc, value in set_texts(data):
        for text in plain(value):
            for match in ACRONYM.finditer(text):
                base, plural = match[1], match[1] + match[2]
                if base in ALLOWED_ACRONYMS or base in known or plural in known:
                    continue
                places = uses.setdefault(base, [])
                if loc not in places:
                    places.append(loc)
    found = []
    for acronym, places in uses.items():
        others = len(places) - 1
        message = _("uses '%(acronym)s', which is not in the set's glossary: add it there, "
                    "explained in plain words", acronym=acronym)
        if others:
            message += " " + _("(also used in %(count)s other places)", count=others)
        found.append(Finding(places[0], message))
    return found


def lint_set(data: Any) -> list[Finding]:
    """Style warnings for an assembled set."""
    if not isinstance(data, dict):
        return []
    locale = str(data["locale"]) if isinstance(data.get("locale"), str) else "en_GB"
    found: list[Finding] = []
    question_locs = _question_locs(data, (sloc for sloc, _s in dicts(data, ("stages",))))
    if locale.startswith("en"):
        for qloc in question_locs:
            found += lint_question(data, qloc, locale)
        texts = [t for t in (_main_text(at(data, q + ("text",)), locale) for q in question_locs)
                 if t]
        if texts:
            ease = flesch_reading_ease(" ".join(texts))
            if ease < MIN_SET_EASE:
                found.append(Finding(("stages",), _(
                    "the questions of this set are hard to read taken together (Flesch reading "
                    "ease %(ease)s over %(count)s questions, at least %(min)s): use shorter "
                    "words and plainer phrases", ease=ease, count=len(texts),
                    min=int(MIN_SET_EASE)), field=False))
        found += spelling(set_texts(data))
    found += acronyms(data)
    return found


def lint_part(data: Any) -> list[Finding]:
    """Style warnings for a shared part on its own (the glossary rule needs a set)."""
    if not isinstance(data, dict):
        return []
    found: list[Finding] = []
    question_locs = _question_locs(data, iter([("stage",)] if "stage" in data else []))
    question_locs += [qloc for qloc, _q in dicts(data, ("questions",))]
    for qloc in question_locs:
        found += lint_question(data, qloc, "en_GB")
    found += spelling(part_texts(data))
    return found
