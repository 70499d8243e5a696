"""build(conversation) -> Summary: everything the summary says, as plain data.

All words are chosen here, in the conversation's own language: headings, dates ("Tuesday
14 September 2021", Europe/London), parties, and people.  A participant who asked not to be
named appears by role only — in the people list, as an action's owner, and wherever their
full name was typed into a point, a narrative or the agreement.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from convo.conversations import service
from convo.conversations.labels import ACTION_STATUS_LABELS
from convo.conversations.naming import Anonymiser, Public
from convo.extensions import db
from convo.models import (AskedQuestion, Conversation, Facilitator, Item, SummaryApproval,
                          SummaryDraft, SummaryVersion)
from convo.questions.labels import AGENCY_TYPE_LABELS
from convo.questions.schema import text_in
from convo.ratings import compare as ratings_module
from convo.ratings.chart import describe, number, ratings_svg
from convo.ratings.service import relationship_choices
from convo.summary.model import (ActionRow, AppendixStage, Approval, PartyPeople, Person,
                                 Point, RatingRow, RatingsBlock, RelationshipView, Section,
                                 Summary)

LONDON = ZoneInfo("Europe/London")

# Which heading a point goes under.  Challenges, opportunities and actions go by kind; other
# kinds go by the stage they were said in.
STAGE_SECTIONS = {
    "open": "purpose",
    "get_to_know": "working_towards",
    "whats_happening": "community",
    "how_well": "how_well",
    "lto_review": "how_well",
    "challenges": "challenges",
    "opportunities": "opportunities",
    "actions": "actions",
    "keeping_in_touch": "keeping_in_touch",
    "close": "closing",
}
NARRATIVE_KEYS = ("purpose", "working_towards", "community", "how_well", "strengths",
                  "challenges", "opportunities", "actions", "keeping_in_touch", "follow_ups",
                  "parking_lot", "other")


def section_titles() -> dict[str, str]:
    return {
        "purpose": _("Why we met"),
        "working_towards": _("What each of us is working towards"),
        "community": _("What is happening in the community"),
        "how_well": _("How well we work together"),
        "challenges": _("Challenges"),
        "opportunities": _("Opportunities"),
        "actions": _("Agreed actions"),
        "keeping_in_touch": _("How we keep in touch"),
        "follow_ups": _("Questions to follow up"),
        "parking_lot": _("To come back to"),
        "other": _("Other points"),
        "strengths": _("What is working well"),
        "closing": _("To close"),
    }


def labels() -> dict[str, str]:
    return {
        "who_took_part": _("Who took part"),
        "facilitator": _("Facilitator"),
        "date": _("Date"),
        "time": _("Time"),
        "place": _("Place"),
        "introduction": _("Introduction"),
        "purpose": _("Why we met"),
        "ground_rules": _("What we agreed about the conversation"),
        "how_well": _("How well we work together"),
        "ratings_intro": _("Each side rated the relationship separately, before seeing the "
                           "other's ratings. The scale runs from {low} to {high}."),
        "criterion": _("What we rated"),
        "difference": _("Difference"),
        "rating_column": _("When"),
        "biggest_marker": _("Biggest difference"),
        "both_low_marker": _("Both see a weakness"),
        "both_low": _("Where both sides see a weakness"),
        "biggest_one": _("The biggest difference"),
        "change_note": _("What changed"),
        "status": _("Status"),
        "details": _("About this conversation"),
        "biggest": _("The biggest differences"),
        "relationship_type": _("What kind of relationship"),
        "relationship_now": _("It is now"),
        "relationship_wanted": _("We want it to become"),
        "actions": _("Agreed actions"),
        "action": _("Action"),
        "owner": _("Who"),
        "party": _("Which side"),
        "by_when": _("By when"),
        "first_step": _("First step"),
        # {score} is replaced by the owner's 0 to 10, as in last_time.
        "commitment": _("How sure: {score} out of 10"),
        "agreed_by_both": _("Agreed by both sides"),
        "keeping_in_touch": _("How we keep in touch"),
        "contacts": _("Points of contact"),
        "meeting_rhythm": _("How often we meet"),
        "next_conversation": _("Next conversation"),
        "approvals": _("Approval"),
        "appendix": _("Appendix: the questions we used"),
        "appendix_asked": _("The questions we asked in each stage, and how long each stage "
                            "took against the plan. For the facilitator's own learning."),
        "appendix_added": _("added on the day"),
        # {planned} and {actual} are replaced by numbers of minutes.
        "appendix_minutes": _("Planned {planned} min, took {actual} min"),
        "appendix_not_reached": _("Not reached"),
        "page": _("Page"),
        "of": _("of"),
        "raised_by": _("Raised by"),
        "not_said": _("Not said"),
        "no_score": _("No score"),
        # {score} is replaced by the score, as {low} and {high} in ratings_intro.
        "last_time": _("Last time: {score}"),
        "earlier_actions": _("Actions from last time"),
        "action_stands": _("How it stands"),
        "chart_alt": _("Chart of both sides' ratings"),
        # The Word chart's alternative text, in up to three short sentences; {list} is a list
        # of what was rated ("Trust and Capacity").
        "chart_alt_biggest": _("The biggest differences are in {list}."),
        "chart_alt_close": _("The two sides' scores are close."),
        "chart_alt_both_low": _("Both sides see a weakness in {list}."),
        "chart_alt_table": _("Every score is in the table below."),
        # The Word file's keywords, after the two sides' names and the kind of agency.
        "keywords": _("facilitated conversation; community partnership; agreed actions; "
                      "summary"),
    }


def draft_of(conversation: Conversation) -> SummaryDraft:
    """The draft as saved, or an empty one (not stored: reading never makes a draft)."""
    draft = db.session.scalar(select(SummaryDraft).where(
        SummaryDraft.conversation_id == conversation.id))
    return draft or SummaryDraft(conversation_id=conversation.id, introduction="", closing="",
                                 narratives="{}", change_note="", appendix="asked")


def narratives_of(draft: SummaryDraft) -> dict[str, str]:
    try:
        data = json.loads(draft.narratives or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def summary_items(conversation: Conversation) -> list[Item]:
    """The points the summary uses, in the facilitator's order (hidden and removed left out)."""
    items = db.session.scalars(select(Item).where(
        Item.conversation_id == conversation.id, Item.deleted_at.is_(None),
        Item.merged_into_id.is_(None))).all()
    return sorted(items, key=lambda i: (i.summary_position if i.summary_position is not None
                                        else 10_000_000 + i.position, i.id))


def section_key(item: Item) -> str:
    by_kind = {"challenge": "challenges", "opportunity": "opportunities", "action": "actions",
               "follow_up": "follow_ups", "parking_lot": "parking_lot",
               "strength": "strengths"}
    return by_kind.get(item.kind) or STAGE_SECTIONS.get(item.stage_id or "", "other")


def _appendix(conversation: Conversation, plan: Any, draft: SummaryDraft,
              anonymise: Any) -> tuple[tuple[AppendixStage, ...], str]:
    """The questions actually asked (in the plan's order, with those added on the day) and
    each stage's minutes planned and taken; or nothing, at the facilitator's choice.  A
    conversation from before questions were recorded lists its plan, as it always did."""
    if draft.appendix == "none":
        return (), ""
    asked = {(row.stage_id, row.question_id) for row in db.session.scalars(
        select(AskedQuestion).where(AskedQuestion.conversation_id == conversation.id))}
    if not asked:
        return tuple(AppendixStage(stage.title, tuple(anonymise(q.text) for q in stage.questions))
                     for stage in plan.included), ""
    rows = {row.stage_id: row for row in conversation.stages}
    stages = []
    for stage in plan.stages:
        row = rows.get(stage.id)
        questions = [q for q in stage.questions if (stage.id, q.id) in asked]
        spent = row.seconds_spent if row is not None else 0
        if not stage.included and not questions and not spent:
            continue
        stages.append(AppendixStage(
            stage.title, tuple(anonymise(q.text) for q in questions),
            planned_minutes=stage.minutes if stage.included else 0,
            actual_minutes=round(spent / 60),
            added=tuple(anonymise(q.text) for q in questions if q.added)))
    return tuple(stages), "asked"


def _action_row(item: Item, conversation: Conversation, names: Public, locale: str) -> ActionRow:
    """An agreed action as the summary shows it: its owner by role where they asked not to be
    named, and named once ("the chair", not "the chair (Chair)")."""
    owner = item.owner_name or ""
    linked = next((p for p in conversation.participants if p.id == item.owner_participant_id),
                  None)
    if linked is not None:
        owner = linked.public_name
    by_when = (_("By the next conversation") if item.due_by_next
               else _plain_date(item.due_date, locale))
    anonymise = names.anonymise
    return ActionRow(
        what=anonymise(item.text), owner=anonymise(owner),
        party=names.raised_by(item.owner_party) if item.owner_party else "",
        by_when=by_when, first_step=anonymise(item.first_step),
        agreed_by_both=item.agreed_by_both,
        status=str(ACTION_STATUS_LABELS.get(item.status or "", "")),
        commitment=item.commitment)


def _long_date(value: date | datetime | None, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return format_date(value, "EEEE d MMMM y", locale=locale)


def _next_when(value: datetime | None, locale: str) -> str:
    """The next conversation's date and time, as people write it: "Tuesday 3 March 2027,
    10:00"."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{_long_date(local, locale)}, {format_time(local, 'HH:mm', locale=locale)}"


def _plain_date(value: date | datetime | None, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return format_date(value, "d MMMM y", locale=locale)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "conversation"


def _by_criterion(comparison: ratings_module.Comparison) -> list[ratings_module.ComparisonRow]:
    """The rows criterion by criterion, each criterion's columns together ("At the start"
    then "Now"), as the reader compares them."""
    criteria: dict[str, int] = {}
    for row in comparison.rows:
        criteria.setdefault(row.criterion_id, len(criteria))
    columns = {column: n for n, column in enumerate(comparison.columns)}
    return sorted(comparison.rows,
                  key=lambda r: (criteria[r.criterion_id], columns.get(r.column, 0)))


def _before(comparison: ratings_module.Comparison, row: ratings_module.ComparisonRow,
            index: int) -> float | None:
    """Last time's score (0: the partnership's, 1: the agency's) for a row of the last column."""
    if row.column != comparison.columns[-1]:
        return None
    pair = comparison.earlier.get(row.criterion_id)
    return pair[index] if pair else None


def _ratings(conversation: Conversation, plan: Any, locale: str, names: Public
             ) -> tuple[tuple[RatingsBlock, ...], tuple[RelationshipView, ...]]:
    blocks = []
    column_names = {"at_start": _("At the start"), "now": _("Now")}
    used = {s.rating for s in plan.included if s.rating}
    for instrument in plan.question_set.ratings:
        if used and instrument.id not in used:
            continue
        comparison = ratings_module.compare(conversation, plan, instrument, locale)
        if all(r.partnership is None and r.agency is None for r in comparison.rows):
            continue
        title = comparison.title
        svg = ratings_svg(comparison, partnership_label=names.partnership,
                          agency_label=names.agency, title=title, locale=locale,
                          id_prefix=f"chart-{instrument.id}")
        words = describe(comparison, partnership_label=names.partnership,
                         agency_label=names.agency, locale=locale)
        multi = len(comparison.columns) > 1
        last = comparison.columns[-1]
        before_note = ""
        if comparison.earlier:
            before_note = (_("“Last time” is each side’s score in your conversation on %(date)s.",
                             date=_long_date(comparison.earlier_at, locale))
                           if comparison.earlier_at else
                           _("“Last time” is each side’s score in your last conversation."))

        def titles_of(ids: tuple[str, ...], comparison: Any = comparison) -> tuple[str, ...]:
            return tuple(next(r.title for r in comparison.rows if r.criterion_id == c)
                         for c in ids)

        blocks.append(RatingsBlock(
            title=title, scale_min=comparison.scale_min, scale_max=comparison.scale_max,
            scale_labels=tuple(sorted(comparison.labels.items())),
            columns=tuple(column_names.get(c, c) for c in comparison.columns),
            rows=tuple(RatingRow(
                criterion=r.title, description=r.description,
                column=column_names.get(r.column, r.column) if multi else "",
                partnership=r.partnership, agency=r.agency, difference=r.difference,
                biggest=r.criterion_id in comparison.biggest and r.column == last,
                partnership_before=_before(comparison, r, 0),
                agency_before=_before(comparison, r, 1),
                both_low=r.criterion_id in comparison.both_low and r.column == last)
                for r in _by_criterion(comparison)),
            biggest=titles_of(comparison.biggest),
            chart_svg=str(svg), chart_title=title, chart_description=str(words),
            before_note=before_note,
            both_low=titles_of(comparison.both_low),
            differences_note=differences_note(comparison),
        ))
    types = {t.id: text_in(t.title, locale, plan.question_set.locale)
             for t in plan.question_set.relationship_types}
    choices = relationship_choices(conversation)
    relationship = tuple(
        RelationshipView(names.party(party), types.get(c.now_type or "", ""),
                         types.get(c.wanted_type or "", ""))
        for party in ("partnership", "agency") if (c := choices.get(party)) is not None
        and (c.now_type or c.wanted_type))
    return tuple(blocks), relationship


def differences_note(comparison: ratings_module.Comparison) -> str:
    """What the marks mean, in a sentence: how big a difference must be to be called the
    biggest on this scale, and what "both low" means — or that no difference is that big."""
    scored = [r for r in comparison.rows if r.column == comparison.columns[-1]
              and r.difference is not None]
    if not scored:
        return ""
    if comparison.biggest:
        text = ngettext("A difference is marked as the biggest when no other is larger and it "
                        "is at least %(num)d point.",
                        "A difference is marked as the biggest when no other is larger and it "
                        "is at least %(num)d points.", comparison.notable)
    else:
        text = ngettext("No difference between the two sides is %(num)d point or more: you see "
                        "this much the same way.",
                        "No difference between the two sides is %(num)d points or more: you "
                        "see this much the same way.", comparison.notable)
    if comparison.both_low:
        text += " " + _("Where both sides scored %(low)s or less, both see a weakness: often "
                        "the place to start.", low=number(comparison.low_at_most,
                                                          comparison_locale()))
    return text


def comparison_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en_GB")


def service_latest_number(conversation: Conversation) -> int | None:
    """The number of the latest issued version, if any."""
    return db.session.scalar(select(func.max(SummaryVersion.number)).where(
        SummaryVersion.conversation_id == conversation.id))


def build(conversation: Conversation, version: SummaryVersion | None = None,
          locale: str | None = None) -> Summary:
    """The summary of a conversation, as it stands (or as `version` was issued), in its own
    language or in `locale` (a participant reading it in theirs).  Approvals are of the words
    in the conversation's own language; a summary read in another language says whether
    those are approved."""
    own = conversation.locale
    locale = locale or own
    approved_against = None
    if locale != own:
        approved_against = content_hash(build(conversation, version))
    with force_locale(locale):
        return _build(conversation, version, locale, approved_against)


def _build(conversation: Conversation, version: SummaryVersion | None, locale: str,
           approved_against: str | None) -> Summary:
    plan = service.plan_for(conversation, locale)
    draft = draft_of(conversation)
    narratives = narratives_of(draft)
    anonymise = Anonymiser(list(conversation.participants))
    names = Public(conversation, anonymise)
    titles = section_titles()

    points: dict[str, list[Point]] = {key: [] for key in titles}
    actions: list[ActionRow] = []
    for item in summary_items(conversation):
        if not item.in_summary:
            continue
        key = section_key(item)
        if key == "actions" and item.kind == "action":
            actions.append(_action_row(item, conversation, names, locale))
            continue
        if key == "actions":  # a note said while agreeing actions: no table row of its own
            key = "other"
        points.setdefault(key, []).append(Point(anonymise(item.text),
                                                names.raised_by(item.raised_by)))

    def section(key: str) -> Section:
        return Section(key=key, title=titles[key], narrative=anonymise(narratives.get(key, "")),
                       points=tuple(points.get(key, ())))

    people = tuple(
        PartyPeople(party, names.party(party), tuple(
            Person(anonymise(p.public_name), anonymise(p.role), p.may_be_named)
            for p in conversation.participants if p.party == party and p.attended))
        for party in ("partnership", "agency"))
    blocks, relationship = _ratings(conversation, plan, locale, names)

    approvals = []
    current_hash = None
    for party in ("partnership", "agency"):
        record = db.session.scalar(select(SummaryApproval).where(
            SummaryApproval.conversation_id == conversation.id, SummaryApproval.party == party))
        approvals.append((party, record))

    kind = str(AGENCY_TYPE_LABELS.get(conversation.agency_type, conversation.agency_type))
    if conversation.agency_subtype:
        subtitle = next((text_in(s.title, locale, plan.question_set.locale)
                         for s in plan.question_set.subtypes
                         if s.id == conversation.agency_subtype), "")
        if subtitle:
            kind = f"{kind}: {subtitle}"
    facilitator = db.session.get(Facilitator, conversation.facilitator_id)
    purpose_points = points.get("purpose", [])
    other_points = points.get("other", [])

    issued = service_latest_number(conversation) if version is None else None
    appendix, appendix_kind = _appendix(conversation, plan, draft, anonymise)
    summary = Summary(
        title=_("%(partnership)s and %(agency)s", partnership=names.partnership,
                agency=names.agency),
        subtitle=_("Summary of our conversation"),
        partnership=names.partnership,
        agency=names.agency,
        agency_kind=kind,
        created=conversation.started_at or conversation.starts_at,
        date_text=_long_date(conversation.starts_at, locale),
        time_text=format_time(conversation.starts_at.astimezone(LONDON), "HH:mm", locale=locale)
        if conversation.starts_at else "",
        place=anonymise(conversation.place or ("" if not conversation.video_link
                                               else _("Video call"))),
        facilitator=anonymise(facilitator.name) if facilitator else "",
        locale=locale,
        status_text=_("Draft"),
        version=None,
        # A correction's note is part of what both sides approve: once a version is issued,
        # the draft's note says what the next one changes.
        change_note=anonymise(draft.change_note) if issued else "",
        file_stem="summary-" + slug(names.partnership) + "-" + slug(names.agency),
        people=people,
        introduction=anonymise(draft.introduction),
        purpose=anonymise(conversation.purpose),
        ground_rules=anonymise(conversation.ground_rules),
        working_towards=section("working_towards"),
        community=section("community"),
        how_well=section("how_well"),
        ratings=blocks,
        relationship=relationship,
        challenges=section("challenges"),
        opportunities=section("opportunities"),
        actions=tuple(actions),
        actions_narrative=anonymise(narratives.get("actions", "")),
        keeping_in_touch=section("keeping_in_touch"),
        contacts=anonymise(conversation.contacts),
        meeting_rhythm=anonymise(conversation.meeting_rhythm),
        next_conversation=anonymise(" – ".join(part for part in (
            _next_when(conversation.next_at, locale), conversation.next_conversation or "")
            if part)),
        follow_ups=section("follow_ups"),
        parked=parked if not (parked := section("parking_lot")).empty else None,
        other=Section("other", titles["other"], anonymise(narratives.get("other", "")),
                      tuple(purpose_points) + tuple(other_points)),
        closing=Section("closing", titles["closing"], anonymise(draft.closing),
                        tuple(points.get("closing", ()))),
        approvals=(),
        appendix=appendix,
        labels=labels(),
        strengths=strengths if not (strengths := section("strengths")).empty else None,
        appendix_kind=appendix_kind,
    )
    earlier = service.earlier_conversation(conversation)
    if earlier is not None and earlier.is_closed:  # its record is settled
        # Named as the earlier summary named them, and as this one does.
        before = Anonymiser(list(earlier.participants))

        def both(text: Any) -> str:
            return anonymise(before(text))

        from convo.partnerships.tracker import latest_updates

        earlier_items = [item for item in summary_items(earlier)
                         if item.in_summary and item.kind == "action"]
        latest = latest_updates(item.id for item in earlier_items)
        rows = tuple(replace(_action_row(item, earlier, Public(earlier, both), locale),
                             update=both(latest[item.id].note or "")
                             if item.id in latest else "")
                     for item in earlier_items)
        if rows:
            when = earlier.starts_at or earlier.started_at
            summary = replace(summary, earlier_actions=rows, earlier_actions_note=(
                _("The actions you agreed on %(date)s, and where each one stands now.",
                  date=_long_date(when, locale)) if when else
                _("The actions you agreed in your last conversation, and where each one stands "
                  "now.")))
    current_hash = approved_against or content_hash(summary)
    summary = replace(summary, approvals=tuple(
        Approval(names.party(party),
                 approved=record is not None and record.content_hash == current_hash,
                 text=(_("Approved on %(date)s", date=_plain_date(record.approved_at, locale))
                       if record is not None and record.content_hash == current_hash
                       else _("Approved an earlier draft; not yet this one")
                       if record is not None else _("Not yet approved")))
        for party, record in approvals))
    if version is not None:
        summary = replace(
            summary, version=version.number, change_note=anonymise(version.change_note),
            status_text=_("Version %(number)d, issued %(date)s", number=version.number,
                          date=_plain_date(version.issued_at, locale)),
            created=version.issued_at,
            file_stem=f"{summary.file_stem}-v{version.number}")
    return summary


# Left out of the fingerprint: the labels (convo's own headings, which a translation update
# may reword) and what is drawn from the ratings, which are in it: the chart and its
# description, the "both low" marks and the sentence explaining the marks.
_NOT_CONTENT = frozenset({"labels", "chart_svg", "chart_description", "both_low",
                          "differences_note", "created"})
# Fields added to the summary after fingerprints were first given out: left out while empty,
# so a summary without them keeps the fingerprint it always had.
_ADDED_LATER = frozenset({"earlier_actions", "added"})


def _content(value: Any) -> Any:
    """The summary's data with what is not its content left out.  None and "" are dropped
    (so an optional field added later with an empty default leaves the fingerprints of
    existing summaries as they were), and so are the empty fields in _ADDED_LATER; other
    empty lists stay, as they always have."""
    if isinstance(value, dict):
        return {key: _content(item) for key, item in value.items()
                if key not in _NOT_CONTENT and item is not None and item != ""
                and not (key in _ADDED_LATER and not item)}
    if isinstance(value, (list, tuple)):
        return [_content(item) for item in value]
    return value


def content_hash(summary: Summary) -> str:
    """A fingerprint of what the summary says (not of its status or approvals): an approval
    holds for exactly the words that were approved, a correction's note among them."""
    data = _content(asdict(replace(summary, approvals=(), status_text="", version=None,
                                   file_stem="")))
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()
