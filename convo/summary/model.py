"""The summary as plain data.  build() makes it from a conversation; renderers only render it.

Everything here is already in the reader's words: dates formatted for the locale, parties
named, participants who asked not to be named shown by role only.  No ORM objects, no
request: a renderer given a Summary needs nothing else (apart from its own templates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Person:
    """Someone who took part, as the summary may name them."""

    label: str  # their name, or their role if they asked not to be named
    role: str
    named: bool


@dataclass(frozen=True)
class PartyPeople:
    party: str  # "partnership" or "agency"
    party_label: str  # the party's name
    people: tuple[Person, ...]


@dataclass(frozen=True)
class Point:
    """One captured point, with who raised it in the parties' own names."""

    text: str
    raised_by: str  # e.g. "Riverside Big Local", "Both", "Facilitator"


@dataclass(frozen=True)
class Section:
    """A heading of the summary: the facilitator's short text, then the points under it."""

    key: str  # working_towards, community, how_well, challenges, opportunities, ...
    title: str
    narrative: str = ""
    points: tuple[Point, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.narrative.strip() and not self.points


@dataclass(frozen=True)
class ActionRow:
    what: str
    owner: str  # a person or role; "" when not yet decided
    party: str  # the party's name, "Both" or ""
    by_when: str  # "15 December 2026", "By the next conversation" or ""
    first_step: str = ""
    agreed_by_both: bool = False
    status: str = ""  # "Agreed", "In progress", ...
    commitment: int | None = None  # the commitment check: how sure the owner is, 0 to 10
    update: str = ""  # the latest word on how it stands (actions from last time)


@dataclass(frozen=True)
class RatingRow:
    criterion: str
    description: str
    column: str  # "" when the instrument has one column, else "At the start" / "Now"
    partnership: float | None
    agency: float | None
    difference: float | None
    biggest: bool
    # Last time (a conversation that follows on from an earlier one), on "now" rows only.
    partnership_before: float | None = None
    agency_before: float | None = None
    both_low: bool = False  # both sides scored it low: a weakness both see


@dataclass(frozen=True)
class RatingsBlock:
    """One rating instrument, both parties side by side."""

    title: str
    scale_min: int
    scale_max: int
    scale_labels: tuple[tuple[int, str], ...]
    columns: tuple[str, ...]  # column labels, e.g. ("Now",) or ("At the start", "Now")
    rows: tuple[RatingRow, ...]
    # Criterion titles sharing the largest difference (ties all listed), if it is big enough
    # to point to on this scale (compare.differences).
    biggest: tuple[str, ...]
    chart_svg: str  # the shared screen's chart, a standalone <svg>: the Word file's picture
    chart_title: str
    chart_description: str  # plain-text alternative for the chart (Word alt text)
    # "'Last time' is each side's score in your conversation on 14 September 2021.", or ""
    before_note: str = ""
    both_low: tuple[str, ...] = ()  # criterion titles both sides scored low
    differences_note: str = ""  # what the marks mean on this scale, in a sentence


@dataclass(frozen=True)
class RelationshipView:
    party_label: str
    now: str  # the type's title, or "" if not said
    wanted: str


@dataclass(frozen=True)
class Approval:
    party_label: str
    approved: bool
    text: str  # "Approved on 22 November 2026" / "Not yet approved"


@dataclass(frozen=True)
class AppendixStage:
    title: str
    questions: tuple[str, ...]
    # Minutes planned for the stage and taken (None in summaries from before they were kept);
    # the questions the facilitator added on the day are marked in `added`.
    planned_minutes: int | None = None
    actual_minutes: int | None = None
    added: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    # Heading
    title: str  # "Riverside Big Local and Exampletown Primary Care Network"
    subtitle: str  # "Summary of our conversation"
    partnership: str
    agency: str
    agency_kind: str  # "Health agency" (and subtype, if stated)
    date_text: str  # "Tuesday 14 September 2021", or "" if not set
    time_text: str  # "10:00", or ""
    place: str
    facilitator: str
    locale: str  # e.g. "en_GB"; documents declare it as their language ("en-GB")
    status_text: str  # "Draft" or "Version 2, issued 22 November 2026"
    version: int | None
    change_note: str
    file_stem: str  # safe file name without extension; never contains an unnamed person

    # Body, in reading order
    people: tuple[PartyPeople, ...]
    introduction: str
    purpose: str
    ground_rules: str
    working_towards: Section
    community: Section
    how_well: Section
    ratings: tuple[RatingsBlock, ...]
    relationship: tuple[RelationshipView, ...]
    challenges: Section
    opportunities: Section
    actions: tuple[ActionRow, ...]
    actions_narrative: str
    keeping_in_touch: Section
    contacts: str
    meeting_rhythm: str
    next_conversation: str
    follow_ups: Section  # questions to follow up
    other: Section  # points from stages with no heading of their own
    closing: Section  # what each takes away, and the facilitator's closing words
    approvals: tuple[Approval, ...]
    appendix: tuple[AppendixStage, ...]

    # Labels the renderers use (translated by build(), so renderers stay free of gettext)
    labels: dict[str, str] = field(default_factory=dict)

    # A conversation that follows on from an earlier one: the actions agreed then and how
    # each stands now, with a sentence saying which conversation that was.
    earlier_actions: tuple[ActionRow, ...] = ()
    earlier_actions_note: str = ""

    # The parking lot: topics kept to come back to ("To come back to"), or None when there
    # are none (so summaries without any keep the fingerprint they had).
    parked: Section | None = None

    # When the document was made: the version's issue time, or for a draft the time the
    # conversation was held (the Word file's Created date).  Not content (not fingerprinted).
    created: datetime | None = None

    # What is working well: captured strengths, under a heading of their own (None when there
    # are none, so summaries without any keep their fingerprint).
    strengths: Section | None = None

    # "asked": the questions asked and the time each stage took; "": the plan's questions (a
    # conversation from before questions were recorded), or left out (appendix empty).
    appendix_kind: str = ""

    @property
    def language_tag(self) -> str:
        return self.locale.replace("_", "-")

    @property
    def direction(self) -> str:
        """ltr or rtl: how the summary's own language is written."""
        from convo.core.languages import language

        return language(self.locale).direction
