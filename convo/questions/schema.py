"""The question-set format as pydantic models (see question_sets/README.md).

Models are frozen and forbid unknown keys.  Validation is strict: YAML already gives
numbers, booleans and text their own types, so a number where text belongs is an error
rather than something quietly converted.  Checks that need the whole set (unique ids,
references between parts, translations) live in checks.py, where each problem can be given
the line it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PlainValidator,
                      model_validator)
from pydantic_core import PydanticCustomError


AGENCY_TYPES = (
    "local_authority",
    "housing_association",
    "school_college",
    "health",
    "other_public_agency",
    "lto",
)
AgencyType = Literal[
    "local_authority", "housing_association", "school_college", "health",
    "other_public_agency", "lto",
]
AddressedTo = Literal["both", "partnership", "agency"]
Surfaces = Literal["challenge", "opportunity", "action", "strength", "note"]
Column = Literal["at_start", "now"]

SEEDS = ("000", "001", "002", "003", "004")
SLUG = re.compile(r"[a-z][a-z0-9_]*")
LOCALE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
SOURCE = re.compile(r"(?P<seed>\d{3}):(?P<section>\S.*)")


def _slug(value: str) -> str:
    if not SLUG.fullmatch(value):
        raise PydanticCustomError(
            "slug", "must be an id: lower-case letters, digits and _, starting with a letter")
    return value


def _locale(value: str) -> str:
    if not LOCALE.fullmatch(value):
        raise PydanticCustomError("locale", "must be a locale code such as en_GB or cy")
    return value


def _source(value: str) -> str:
    match = SOURCE.fullmatch(value)
    if not match or match["seed"] not in SEEDS:
        raise PydanticCustomError(
            "source",
            "must be \"<seed>:<section>\" with seed one of {seeds}, e.g. \"001:5.1\"",
            {"seeds": ", ".join(SEEDS)})
    return value


def _text(value: Any) -> str | dict[str, str]:
    """Text is a string, or (in a translated set) a mapping of locale to string."""
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("text_empty", "must not be empty")
        return value
    if isinstance(value, dict) and value:
        for locale, text in value.items():
            if not isinstance(locale, str) or not isinstance(text, str) or not text.strip():
                raise PydanticCustomError(
                    "text_type", "must map each locale to its text (en_GB: ..., cy: ...)")
        return value
    raise PydanticCustomError("text_type", "must be text (put it in quotes if it looks like "
                              "a number, a date or true/false)")


Slug = Annotated[str, AfterValidator(_slug)]
Text = Annotated[Union[str, dict[str, str]], PlainValidator(_text)]
Locale = Annotated[str, AfterValidator(_locale)]
SourceRef = Annotated[str, AfterValidator(_source)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Subtype(Model):
    id: Slug
    title: Text


class Question(Model):
    """A question asked in the conversation.  `core`: one of the two or three a stage is
    planned around (the rest are optional, asked if time allows).  `only_for`: the subtypes
    it is meant for (empty: every subtype)."""

    id: Slug
    text: Text
    addressed_to: AddressedTo
    core: bool = False
    only_for: list[Slug] = []
    follow_ups: list[Text] = Field(min_length=1, max_length=4)
    why: Text
    sources: list[SourceRef] = Field(min_length=1)
    surfaces: list[Surfaces] = Field(min_length=1)

    def applies_to(self, subtype: str | None) -> bool:
        return applies(self.only_for, subtype)


class Stage(Model):
    """A stage of the conversation.  A break (`break: true`) has no questions, rating or
    relationship type: it is time set aside, shown as a stage so that it is planned."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    id: Slug
    title: Text
    purpose: Text
    minutes: int = Field(ge=1, le=60)
    facilitator_notes: Text
    is_break: bool = Field(default=False, alias="break")
    rating: Slug | None = None
    relationship_type: bool = False
    # At least one unless the stage is a break: checked in checks.py, with the line.
    questions: list[Question] = []

    @property
    def core_questions(self) -> list[Question]:
        return [q for q in self.questions if q.core]


class Note(Model):
    """A short note in the facilitator's toolkit: what to do when the room is stuck, what
    the parking lot is.  `borrowed_from` names a method from outside the research."""

    id: Slug
    title: Text
    text: Text
    only_for: list[Slug] = []
    borrowed_from: Text | None = None
    sources: list[SourceRef] = []

    def applies_to(self, subtype: str | None) -> bool:
        return applies(self.only_for, subtype)


class PrepQuestion(Model):
    """A question for the preparation call a facilitator makes with one side alone before
    the conversation."""

    id: Slug
    text: Text
    asked_of: Literal["partnership", "agency", "both"]
    only_for: list[Slug] = []
    follow_ups: list[Text] = Field(default=[], max_length=4)
    why: Text
    sources: list[SourceRef] = Field(min_length=1)

    def applies_to(self, subtype: str | None) -> bool:
        return applies(self.only_for, subtype)


def applies(only_for: list[str], subtype: str | None) -> bool:
    """Meant for this conversation's subtype?  With no subtype chosen, everything is."""
    return not only_for or subtype is None or subtype in only_for


class Scale(Model):
    min: int
    max: int
    labels: dict[int, Text]
    # The smallest gap between the two sides worth calling a "biggest difference", and the
    # score at or below which both sides rating a criterion marks a shared weakness.  Left
    # out, they follow from the scale (notable(), low()).
    notable_difference: int | None = Field(default=None, ge=1)
    low_at_most: int | None = None

    def points(self) -> range:
        return range(self.min, self.max + 1)

    def notable(self) -> int:
        """The smallest difference a facilitator would point to: about three tenths of the
        scale's points, rounded — 2 on a 1–4 or 1–5 scale, 3 on 1–10 or 0–10 — and 1 on a
        scale of three points or fewer."""
        if self.notable_difference is not None:
            return self.notable_difference
        points = len(self.points())
        return 1 if points <= 3 else max(2, int(points * 0.3 + 0.5))

    def low(self) -> int:
        """The highest score that still counts as low: the bottom quarter of the scale's span,
        rounded, and always below its middle — 2 or below on 1–5, 3 or below on 1–10 or 0–10,
        1 on 1–3."""
        if self.low_at_most is not None:
            return self.low_at_most
        span = self.max - self.min
        low = self.min + int(span * 0.25 + 0.5)
        return min(low, self.min + (span + 1) // 2 - 1) if span > 1 else self.min

    @model_validator(mode="after")
    def _thresholds_fit(self) -> Scale:
        if self.notable_difference is not None and self.notable_difference > self.max - self.min:
            raise PydanticCustomError(
                "notable_difference", "notable_difference can be at most {span}, the distance "
                "from the lowest score to the highest", {"span": self.max - self.min})
        if self.low_at_most is not None and not self.min <= self.low_at_most < self.max:
            raise PydanticCustomError(
                "low_at_most", "low_at_most must be a score on the scale, below its highest "
                "({min} to {top})", {"min": self.min, "top": self.max - 1})
        return self


class Criterion(Model):
    id: Slug
    title: Text
    description: Text


class RatingInstrument(Model):
    id: Slug
    title: Text
    instructions: Text
    separate: bool
    columns: list[Column] = Field(min_length=1, max_length=2)
    scale: Scale
    criteria: list[Criterion] = Field(min_length=1)


class RelationshipType(Model):
    id: Slug
    title: Text
    description: Text


class QuestionSet(Model):
    id: Slug
    title: Text
    version: int = Field(ge=1)
    locale: Locale
    translations: list[Locale] = []
    agency_type: AgencyType
    subtypes: list[Subtype] = Field(min_length=1)
    description: Text
    duration_minutes: int = Field(ge=1, le=480)
    glossary: dict[str, Text]
    stages: list[Stage] = Field(min_length=1)
    ratings: list[RatingInstrument] = []
    relationship_types: list[RelationshipType] = []
    ground_rules: list[Text] = []
    toolkit: list[Note] = []
    preparation: list[PrepQuestion] = []

    @property
    def locales(self) -> tuple[str, ...]:
        return (self.locale, *self.translations)

    def questions(self) -> Iterator[Question]:
        for stage in self.stages:
            yield from stage.questions

    @property
    def question_count(self) -> int:
        return sum(len(stage.questions) for stage in self.stages)

    def rating(self, rating_id: str) -> RatingInstrument | None:
        return next((r for r in self.ratings if r.id == rating_id), None)


# What a shared part may hold, by its content key.
PART_KINDS = ("stage", "questions", "rating", "relationship_types", "ground_rules", "toolkit",
              "preparation")
# Part kinds that hold a list, spliced into the list that includes them.
LIST_KINDS = ("questions", "ground_rules", "toolkit", "preparation")


def text_in(value: str | dict[str, str], locale: str, fallback: str) -> str:
    """The text in `locale`, else in the set's own locale."""
    if isinstance(value, str):
        return value
    return value.get(locale) or value.get(fallback) or next(iter(value.values()), "")
