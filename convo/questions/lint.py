"""The style rules of question_sets/README.md: warnings, errors under --strict.

Readability is the Flesch reading ease, 206.835 - 1.015 * words per sentence - 84.6 *
syllables per word, with textstat's word and sentence counts.  Syllables are counted with
Pyphen's hyphenation dictionary (textstat's own fallback), never the CMU dictionary: that
would be downloaded at first use, and a checker must give the same answer on every machine,
online or not.

Time (timing.py): each stage marks two or three core questions, its minutes leave room for
them, the stages add up to the set's duration, and a long conversation has a break.
Citations name sections the seeds really have (seeds.yaml); questions avoid the jargon
listed in plain_words.yaml unless the glossary explains it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyphen
import textstat
import yaml
from flask_babel import gettext as _

from convo.questions import sources, timing
from convo.questions.checks import Finding, at, dicts, part_texts, plain, set_texts
from convo.questions.yamlsource import Loc

CLOSED_OPENERS = frozenset(
    "do does did is are was were am can could will would have has had should shall may "
    "might must any anything anyone anybody".split()
)
# Words that lead into a question without changing its kind: "So, do you...?" is as closed
# as "Do you...?".
LEAD_INS = frozenset(
    "so and but now then well okay ok right just also finally lastly and so".split()
)
MIN_CORE, MAX_CORE = 2, 3
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


_WORDS = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")


def closed_opener(text: str) -> str | None:
    """The opening words, when they open a yes-or-no question: "Do", "Is", "Can't",
    "Anything", or the same after a lead-in ("So, do")."""
    opening = re.match(r"\s*[\"'‘“(]*", text)
    rest = text[opening.end() if opening else 0:]
    words = list(_WORDS.finditer(rest))
    for index, match in enumerate(words[:4]):
        word = match[0]
        key = word.lower().replace("’", "'")
        if key in LEAD_INS:
            continue
        key = _NEGATIVE.get(key, key[:-3] if key.endswith("n't") else key)
        if key not in CLOSED_OPENERS:
            return None
        return rest[:match.end()] if index else word
    return None


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


# ---------------------------------------------------------------------------- time


def _whole(value: Any) -> int | None:
    return value if type(value) is int else None


def lint_stage_time(data: Any, loc: Loc) -> list[Finding]:
    """Two or three core questions, and minutes enough for them."""
    stage = at(data, loc)
    if not isinstance(stage, dict) or stage.get("break") is True:
        return []
    questions = [q for _l, q in dicts(data, loc + ("questions",))]
    if not questions:
        return []
    core = [q for q in questions if q.get("core") is True]
    found = []
    wanted_least = min(MIN_CORE, len(questions))
    if not core:
        found.append(Finding(loc, _(
            "marks no core question: mark the %(least)s to %(most)s that matter most with "
            "'core: true' (the rest are asked if time allows)", least=wanted_least,
            most=MAX_CORE), field=False))
    elif len(core) < wanted_least:
        found.append(Finding(loc, _(
            "marks only one core question: mark %(least)s or %(most)s", least=MIN_CORE,
            most=MAX_CORE), field=False))
    elif len(core) > MAX_CORE:
        found.append(Finding(loc, _(
            "marks %(count)s core questions: keep it to the %(most)s that matter most, so "
            "the stage fits its time", count=len(core), most=MAX_CORE), field=False))
    for qloc, question in dicts(data, loc + ("questions",)):
        if question.get("core") is True and question.get("only_for"):
            found.append(Finding(qloc + ("only_for",), _(
                "is not for a core question: core questions are asked in every conversation "
                "with this set (make it optional, or drop only_for)")))
    minutes = _whole(stage.get("minutes"))
    needed = timing.core_minutes(len(core), isinstance(stage.get("rating"), str))
    if core and minutes is not None and minutes < needed:
        found.append(Finding(loc + ("minutes",), _(
            "are %(minutes)s, but the stage's %(count)s core questions need at least "
            "%(needed)s (%(each)s minutes each%(rating)s): give it more minutes or mark "
            "fewer questions core", minutes=minutes, count=len(core), needed=needed,
            each=timing.MINUTES_PER_CORE_QUESTION,
            rating=_(", plus %(n)s to score", n=timing.MINUTES_TO_SCORE)
            if isinstance(stage.get("rating"), str) else "")))
    return found


MAX_IMBALANCE = 2


def lint_balance(data: dict[str, Any]) -> list[Finding]:
    """Both sides are asked in every stage, and neither is asked far more on its own: a
    conversation that only questions the agency feels like an inspection, and one that only
    questions the partnership like a funding interview."""
    found = []
    alone = {"partnership": 0, "agency": 0}
    for sloc, stage in dicts(data, ("stages",)):
        asked = [q.get("addressed_to") for _l, q in dicts(data, sloc + ("questions",))]
        for side in alone:
            alone[side] += asked.count(side)
        for side, other in (("partnership", "agency"), ("agency", "partnership")):
            if asked and other in asked and side not in asked and "both" not in asked:
                found.append(Finding(sloc, _(
                    "asks only the %(other)s: give the %(side)s a question too, or ask one "
                    "of them of both sides", other=_(other), side=_(side)), field=False))
    if abs(alone["partnership"] - alone["agency"]) > MAX_IMBALANCE:
        found.append(Finding(("stages",), _(
            "the set asks the agency %(agency)s questions on its own and the partnership "
            "%(partnership)s: balance who is asked, so that neither side feels inspected",
            agency=alone["agency"], partnership=alone["partnership"]), field=False))
    return found


def lint_set_time(data: dict[str, Any]) -> list[Finding]:
    """The stages add up to the set's duration, and a long conversation has a break."""
    found = []
    stages = [stage for _l, stage in dicts(data, ("stages",))]
    minutes = [_whole(stage.get("minutes")) for stage in stages]
    duration = _whole(data.get("duration_minutes"))
    if duration is not None and stages and None not in minutes:
        total = sum(m for m in minutes if m is not None)
        if total != duration:
            found.append(Finding(("duration_minutes",), _(
                "is %(duration)s, but the stages add up to %(total)s minutes: make them agree "
                "(a new conversation's plan starts from the stages' minutes)",
                duration=duration, total=total)))
        if duration > timing.BREAK_AFTER_MINUTES and not any(
                stage.get("break") is True for stage in stages):
            found.append(Finding(("stages",), _(
                "a conversation of more than %(limit)s minutes needs a break: add "
                "'- include: break' near the middle", limit=timing.BREAK_AFTER_MINUTES),
                field=False))
    return found


# ---------------------------------------------------------------------------- sources


def _cited(data: Any) -> Iterator[tuple[Loc, Any]]:
    """Every `sources` list in a set or part: questions, toolkit notes, preparation."""
    stage_locs = [sloc for sloc, _s in dicts(data, ("stages",))]
    if isinstance(at(data, ("stage",)), dict):
        stage_locs.append(("stage",))
    locs = _question_locs(data, iter(stage_locs))
    for key in ("questions", "toolkit", "preparation"):
        locs += [loc for loc, _item in dicts(data, (key,))]
    for loc in locs:
        yield loc + ("sources",), at(data, loc + ("sources",))


def citations(data: Any) -> list[Finding]:
    """Each citation names a section its seed really has."""
    found = []
    for loc, refs in _cited(data):
        if not isinstance(refs, list):
            continue
        for index, ref in enumerate(refs):
            wrong = sources.problem(ref) if isinstance(ref, str) else None
            if wrong:
                found.append(Finding(loc + (index,), _(
                    "item %(n)s: %(problem)s; the sections each seed has are listed in "
                    "convo/questions/seeds.yaml", n=index + 1, problem=wrong), field=False))
    return found


# ---------------------------------------------------------------------------- jargon


@lru_cache(maxsize=1)
def plain_words() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    entries = yaml.safe_load(Path(__file__).with_name("plain_words.yaml").read_text("utf-8"))
    return tuple(
        (str(e["term"]),
         re.compile(r"(?<![\w-])" + r"[\s-]+".join(map(re.escape, str(e["term"]).split()))
                    + r"s?(?![\w-])", re.IGNORECASE),
         str(e["plain"]))
        for e in entries)


_QUOTED = re.compile(r"[\"“‘'][^\"”’']*[\"”’']")


def jargon(data: Any, locale: str) -> list[Finding]:
    """Questions and follow-ups say things in plain words, or the glossary explains them."""
    glossary = data.get("glossary") if isinstance(data, dict) else None
    keys = " | ".join(str(k) for k in glossary) if isinstance(glossary, dict) else ""
    found = []
    for loc, value in _spoken(data):
        text = _main_text(value, locale)
        if not text:
            continue
        unquoted = _QUOTED.sub(" ", text)
        for term, pattern, plain_words_for in plain_words():
            if pattern.search(keys):  # the glossary explains it ("Big Local rep")
                continue
            # A name in capitals ("Primary Care Network") is a body's name, not jargon.
            if not any(not _is_name(m[0]) for m in pattern.finditer(unquoted)):
                continue
            found.append(Finding(loc, _(
                "uses '%(term)s', which the other side may not know: say it in plain words "
                "(for example \"%(plain)s\"), or explain it in the set's glossary",
                term=term, plain=plain_words_for)))
    return found


def _is_name(words: str) -> bool:
    return all(word[:1].isupper() for word in re.split(r"[\s-]+", words) if word)


def _spoken(data: Any) -> Iterator[tuple[Loc, Any]]:
    """What is read aloud or shown: questions' and preparation questions' text and
    follow-ups."""
    stage_locs = [sloc for sloc, _s in dicts(data, ("stages",))]
    if isinstance(at(data, ("stage",)), dict):
        stage_locs.append(("stage",))
    locs = _question_locs(data, iter(stage_locs))
    locs += [loc for loc, _q in dicts(data, ("questions",))]
    locs += [loc for loc, _q in dicts(data, ("preparation",))]
    for loc in locs:
        item = at(data, loc)
        if "text" in item:
            yield loc + ("text",), item["text"]
        for index, follow_up in enumerate(item.get("follow_ups") or []):
            yield loc + ("follow_ups", index), follow_up


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


def lint_set(data: Any, incomplete: frozenset[Loc] = frozenset()) -> list[Finding]:
    """Style warnings for an assembled set.  `incomplete`: lists that a failed include left
    short, whose time is not checked (that would only repeat the include's error)."""
    if not isinstance(data, dict):
        return []
    locale = str(data["locale"]) if isinstance(data.get("locale"), str) else "en_GB"
    found: list[Finding] = []
    stage_locs = [sloc for sloc, _s in dicts(data, ("stages",))]
    question_locs = _question_locs(data, iter(stage_locs))
    if locale.startswith("en"):
        for qloc in question_locs + [loc for loc, _p in dicts(data, ("preparation",))]:
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
        found += jargon(data, locale)
    for sloc in stage_locs:
        if sloc + ("questions",) not in incomplete:
            found += lint_stage_time(data, sloc)
    if ("stages",) not in incomplete:
        found += lint_set_time(data)
        found += lint_balance(data)
    found += citations(data)
    found += acronyms(data)
    return found


def lint_part(data: Any) -> list[Finding]:
    """Style warnings for a shared part on its own (the glossary and jargon rules need a
    set)."""
    if not isinstance(data, dict):
        return []
    found: list[Finding] = []
    question_locs = _question_locs(data, iter([("stage",)] if "stage" in data else []))
    for key in ("questions", "preparation"):
        question_locs += [qloc for qloc, _q in dicts(data, (key,))]
    for qloc in question_locs:
        found += lint_question(data, qloc, "en_GB")
    if isinstance(data.get("stage"), dict):
        found += lint_stage_time(data, ("stage",))
    found += citations(data)
    found += spelling(part_texts(data))
    return found
