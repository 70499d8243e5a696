"""Preparing, listing and following up conversations, as plain functions over the models."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, abort, g
from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError

from convo.conversations import history
from convo.conversations.plan import Plan, build, question_set_of, snapshot_body
from convo.core import clock, storage
from convo.core.inputs import is_id
from convo.extensions import db
from convo.live import state, versioning
from convo.models import (AddedQuestion, Conversation, ConversationStage, Facilitator,
                          FacilitatorSession, Item, Participant, QuestionSetSnapshot,
                          Relationship)
from convo.models.capture import OPEN_STATUSES
from convo.partnerships import service as partnerships
from convo.questions.schema import QuestionSet

# Join codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 5/S, 2/Z),
# about 40 bits; guessing is also rate-limited per network address.
CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Details:
    partnership_name: str
    partnership_area: str | None
    agency_name: str
    agency_type: str
    agency_subtype: str | None
    purpose: str
    starts_at: datetime | None
    place: str | None
    video_link: str | None
    question_set_id: str
    locale: str = "en_GB"
    second_locale: str | None = None


@dataclass(frozen=True)
class StagePlan:
    stage_id: str
    included: bool
    minutes: int


def load_for_facilitator(conversation_id: int, facilitator: Facilitator, *,
                         lock: bool = False) -> Conversation:
    """The conversation if this facilitator owns it; 404 otherwise (its existence stays private).

    With lock, first wait for anyone else changing it and hold it until the request ends
    (storage.lock_conversation): what is loaded then is what others saved before."""
    if not is_id(conversation_id):
        abort(404)
    if lock:
        storage.lock_conversation(conversation_id)
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or conversation.facilitator_id != facilitator.id:
        abort(404)
    return conversation


@functools.cache
def _version_query() -> Select:  # type: ignore[type-arg]
    """Built once: followers ask for the version every second."""
    return select(Conversation.version).where(
        Conversation.id == bindparam("conversation_id"),
        Conversation.facilitator_id == bindparam("facilitator_id"))


@functools.cache
def _owner_version_query() -> Select:  # type: ignore[type-arg]
    """The version, if the session's facilitator is still signed in (the same session token,
    not disabled, with a password, this sign-in not ended) and owns the conversation:
    everything load_facilitator and version_for_facilitator check, in one statement.  The
    sign-in's times come too: whether it is still alive, and whether it is due to be marked
    as used, is decided by the caller."""
    return select(Conversation.version, Conversation.phone_version, Conversation.status,
                  Conversation.screen_mode, FacilitatorSession.created_at,
                  FacilitatorSession.last_seen_at).join(
        Facilitator, Facilitator.id == Conversation.facilitator_id).join(
        FacilitatorSession, FacilitatorSession.facilitator_id == Facilitator.id).where(
        Conversation.id == bindparam("conversation_id"),
        Facilitator.id == bindparam("facilitator_id"),
        Facilitator.session_token == bindparam("token"),
        Facilitator.disabled.is_(False),
        Facilitator.password_hash.is_not(None),
        FacilitatorSession.token_hash == bindparam("signin"))


def unchanged_for_owner(conversation_id: int, *, screen: bool = False) -> Response | None:
    """The console's and the shared screen's every-second question, answered in one query
    without loading the account: 204 when the signed-in owner already has the current
    version (for the shared screen, the version it follows: state.screen_version).  None in
    every other case (a change, another account, signed out, a reset or disabled account, a
    sign-in idle too long or due to be marked as used): the caller then makes the full
    checks."""
    from convo.auth import sessions
    from convo.auth.access import claimed_facilitator

    claimed = claimed_facilitator()
    if claimed is None or not is_id(conversation_id):
        return None
    row = storage.read_first(_owner_version_query(), {
        "conversation_id": conversation_id, "facilitator_id": claimed.facilitator_id,
        "token": claimed.session_token, "signin": claimed.signin_hash})
    if row is None or sessions.needs_touch(row.last_seen_at) or not sessions.is_alive(
            row.created_at, row.last_seen_at):
        return None
    version = (state.screen_version(row.status, row.screen_mode, row.version, row.phone_version)
               if screen else row.version)
    response = versioning.unchanged(version)
    if response is not None:
        g.log_user = claimed.facilitator_id  # for the request's log line, without loading it
    return response


def version_for_facilitator(conversation_id: int, facilitator: Facilitator) -> int:
    """The conversation's live version if this facilitator owns it, in one small query; 404
    otherwise, as load_for_facilitator."""
    version = db.session.scalar(_version_query(), {"conversation_id": conversation_id,
                                                   "facilitator_id": facilitator.id})
    if version is None:
        abort(404)
    return version


def question_set_for(conversation: Conversation) -> QuestionSet:
    return question_set_of(conversation.snapshot)


def plan_for(conversation: Conversation, locale: str | None = None) -> Plan:
    """The conversation's plan, its questions in `locale` (a participant's own language on
    their phone) where the set has them, else in the conversation's language."""
    return build(question_set_for(conversation), list(conversation.stages),
                 list(conversation.added_questions), locale or conversation.locale,
                 conversation.agency_subtype)


def snapshot_for(question_set: QuestionSet) -> QuestionSetSnapshot:
    body, digest = snapshot_body(question_set)
    found = db.session.scalar(select(QuestionSetSnapshot).where(QuestionSetSnapshot.sha256 == digest))
    if found is not None:
        return found
    snapshot = QuestionSetSnapshot(set_id=question_set.id, version=question_set.version,
                                   sha256=digest, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(snapshot)
    except IntegrityError:  # another request stored the same set at the same moment
        found = db.session.scalar(
            select(QuestionSetSnapshot).where(QuestionSetSnapshot.sha256 == digest))
        assert found is not None
        return found
    return snapshot


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = db.session.scalar(select(Conversation.id).where(Conversation.join_code == code))
        if taken is None:
            return code


def replace_join_code(conversation: Conversation) -> None:
    """A new join code, for when the old one may have been guessed or shared too widely.
    Devices already joined stay joined; the shared screen shows the new code."""
    _issue_code(conversation)
    state.bump(conversation)


def _issue_code(conversation: Conversation) -> None:
    """A fresh join code; wrong codes tried before this moment never count against it."""
    from convo.live import guessing

    now = clock.utcnow()
    conversation.join_code = new_join_code()
    conversation.code_issued_at = now
    conversation.code_guesses_before = guessing.in_minute_so_far(now)


def normalise_code(raw: str) -> str:
    """What people type: any case, with or without spaces and dashes."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())[:32]


def display_code(code: str | None) -> str:
    return f"{code[:4]}-{code[4:]}" if code else ""


# The conversation's own texts that people type (their earlier wordings are kept).
DETAIL_TEXTS = ("partnership_name", "partnership_area", "agency_name", "purpose", "place",
                "video_link")
AGREEMENT_TEXTS = ("ground_rules", "contacts", "meeting_rhythm", "next_conversation")
PARTICIPANT_TEXTS = ("name", "role", "email")


def _apply(conversation: Conversation, details: Details, author_label: str | None = None) -> None:
    values = {
        "partnership_name": details.partnership_name,
        "partnership_area": details.partnership_area or None,
        "agency_name": details.agency_name,
        "agency_type": details.agency_type,
        "agency_subtype": details.agency_subtype or None,
        "purpose": details.purpose,
        "starts_at": details.starts_at,
        "place": details.place or None,
        "video_link": details.video_link or None,
    }
    conversation.locale = details.locale
    conversation.second_locale = details.second_locale or None
    if author_label is None:  # a new conversation: nothing to keep
        for name, value in values.items():
            setattr(conversation, name, value)
        return
    changes = {name: value for name, value in values.items()
               if getattr(conversation, name) != value}
    history.apply(conversation.id, "conversation", conversation, changes, DETAIL_TEXTS,
                  author_label)


def _reset_plan(conversation: Conversation, question_set: QuestionSet) -> None:
    with db.session.no_autoflush:
        conversation.snapshot = snapshot_for(question_set)
    conversation.question_set_id = question_set.id
    conversation.question_set_version = question_set.version
    conversation.stages.clear()
    db.session.flush()
    for position, stage in enumerate(question_set.stages):
        conversation.stages.append(ConversationStage(
            stage_id=stage.id, position=position, included=True, minutes=stage.minutes,
            seconds_spent=0,
        ))
    first = question_set.stages[0]
    conversation.current_stage_id = first.id
    conversation.current_question_id = None


def create(facilitator: Facilitator, details: Details, question_set: QuestionSet,
           within: Relationship | None = None) -> Conversation:
    """A new conversation, in its partnership and on its map: `within` (a relationship on a
    map the facilitator may see), or else found by the names it carries (partnerships.attach)."""
    conversation = Conversation(facilitator_id=facilitator.id, status="upcoming", version=1)
    _issue_code(conversation)
    _apply(conversation, details)
    _reset_plan(conversation, question_set)
    if within is not None:
        conversation.partnership_id = within.partnership_id
        conversation.relationship_id = within.id
    else:
        partnerships.attach(conversation, facilitator)
    db.session.add(conversation)
    db.session.flush()
    return conversation


def has_captures(conversation: Conversation) -> bool:
    return bool(db.session.scalar(
        select(func.count()).select_from(Item).where(Item.conversation_id == conversation.id)))


def update_details(conversation: Conversation, details: Details, question_set: QuestionSet,
                   author_label: str) -> bool:
    """Change the details.  The question set can change only before anything is captured
    (captured items belong to its stages); returns False if a change of set was refused, and
    then changes nothing."""
    changed_set = question_set.id != conversation.question_set_id
    if changed_set and has_captures(conversation):
        return False
    moved = (partnerships.match_name(details.partnership_name),
             partnerships.match_name(details.agency_name)) != (
        partnerships.match_name(conversation.partnership_name),
        partnerships.match_name(conversation.agency_name))
    _apply(conversation, details, author_label)
    if moved:  # another partnership or agency: it belongs on that one's map
        facilitator = db.session.get(Facilitator, conversation.facilitator_id)
        assert facilitator is not None
        partnerships.attach(conversation, facilitator)
    if changed_set:
        _reset_plan(conversation, question_set)
    state.bump(conversation)
    return True


def save_agreement(conversation: Conversation, changes: dict[str, str | None],
                   author_label: str) -> None:
    """The agreement's fields that changed (already merged: core.edits), earlier wordings kept."""
    changes = dict(changes)
    if "next_date" in changes or "next_time" in changes:
        day, at = changes.pop("next_date", None), changes.pop("next_time", None)
        conversation.next_at = _next_at(day, at)
    history.apply(conversation.id, "conversation", conversation,
                  {k: v or None for k, v in changes.items()}, AGREEMENT_TEXTS, author_label)
    state.bump(conversation)


def _next_at(day: Any, at: Any) -> datetime | None:
    """The next conversation's date and time (UK time) as a moment; 10:00 if no time."""
    from datetime import time as time_of_day
    from zoneinfo import ZoneInfo

    if not day:
        return None
    local = datetime.combine(day, at or time_of_day(10, 0), tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(ZoneInfo("UTC"))


def set_plan(conversation: Conversation, plans: list[StagePlan],
             order: list[str] | None = None) -> None:
    """Each stage's use and minutes, and (given) their order; a stage's recorded times (first
    start, last end, minutes taken) stay with it wherever it moves."""
    rows = {row.stage_id: row for row in conversation.stages}
    for plan in plans:
        row = rows.get(plan.stage_id)
        if row is not None:
            row.included = plan.included
            row.minutes = plan.minutes
    if order is not None:
        for position, stage_id in enumerate(order):
            if stage_id in rows:
                rows[stage_id].position = position
    state.bump(conversation)


def add_participant(conversation: Conversation, *, name: str, role: str, party: str,
                    email: str | None, may_be_named: bool,
                    reminders: bool = False) -> Participant:
    position = max((p.position for p in conversation.participants), default=-1) + 1
    participant = Participant(name=name, role=role, party=party, email=email or None,
                              may_be_named=may_be_named, position=position, attended=True,
                              reminders=bool(reminders and email))
    conversation.participants.append(participant)
    state.bump(conversation)
    return participant


def update_participant(conversation: Conversation, participant: Participant,
                       changes: dict[str, object], author_label: str) -> None:
    """Someone's details that changed (already merged: core.edits), earlier wordings kept."""
    if "email" in changes:
        changes = {**changes, "email": changes["email"] or None}
    history.apply(conversation.id, "participant", participant, changes, PARTICIPANT_TEXTS,
                  author_label)
    state.bump(conversation)


def remove_participant(conversation: Conversation, participant: Participant) -> None:
    conversation.participants.remove(participant)
    state.bump(conversation)


def participant_or_404(conversation: Conversation, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id) if is_id(participant_id) else None
    if participant is None or participant.conversation_id != conversation.id:
        abort(404)
    return participant


def add_question(conversation: Conversation, stage_id: str, text: str,
                 addressed_to: str) -> AddedQuestion:
    question = AddedQuestion(stage_id=stage_id, text=text, addressed_to=addressed_to)
    conversation.added_questions.append(question)
    db.session.flush()
    state.go_to(conversation, stage_id, question.key)
    return question


def start(conversation: Conversation) -> None:
    if conversation.status == "upcoming":
        conversation.started_at = clock.utcnow()
    conversation.status = "live"
    state.resume_timing(conversation)
    state.bump(conversation)


def close(conversation: Conversation) -> None:
    state.pause_timing(conversation)
    conversation.status = "closed"
    conversation.closed_at = clock.utcnow()
    conversation.screen_mode = "question" if conversation.screen_mode == "join" else (
        conversation.screen_mode)
    state.bump(conversation)


def reopen(conversation: Conversation) -> None:
    conversation.status = "live"
    conversation.closed_at = None
    state.resume_timing(conversation)
    state.bump(conversation)


def follow_up(conversation: Conversation, facilitator: Facilitator,
              question_set: QuestionSet) -> Conversation:
    """A new conversation between the same parties, with the same people invited."""
    details = Details(
        partnership_name=conversation.partnership_name,
        partnership_area=conversation.partnership_area,
        agency_name=conversation.agency_name,
        agency_type=conversation.agency_type,
        agency_subtype=conversation.agency_subtype,
        purpose=conversation.purpose,
        starts_at=None,
        place=conversation.place,
        video_link=conversation.video_link,
        question_set_id=question_set.id,
        locale=conversation.locale,
        second_locale=conversation.second_locale,
    )
    within = db.session.get(Relationship, conversation.relationship_id) \
        if conversation.relationship_id else None
    new = create(facilitator, details, question_set, within=within)
    new.follows_id = conversation.id
    for person in conversation.participants:
        new.participants.append(Participant(
            name=person.name, role=person.role, party=person.party, email=person.email,
            may_be_named=person.may_be_named, position=person.position, attended=True,
            reminders=person.reminders,
        ))
    carry_forward(conversation, new)
    db.session.flush()
    return new


def carry_forward(earlier: Conversation, new: Conversation) -> None:
    """What a follow-up brings from last time besides its people and open actions: the plan
    (which stages were used, for how long, where the set is the same) and the agreement
    (ground rules, points of contact, how often to meet).  The next conversation's date was
    about this one, so it stays behind."""
    if earlier.question_set_id == new.question_set_id:
        before = {row.stage_id: row for row in earlier.stages}
        for row in new.stages:
            if row.stage_id in before:
                row.included = before[row.stage_id].included
                row.minutes = before[row.stage_id].minutes
    new.ground_rules = earlier.ground_rules
    new.contacts = earlier.contacts
    new.meeting_rhythm = earlier.meeting_rhythm


def search(facilitator: Facilitator, query: str = "", status: str | None = None,
           limit: int = 200) -> list[Conversation]:
    statement = select(Conversation).where(Conversation.facilitator_id == facilitator.id)
    if status:
        statement = statement.where(Conversation.status == status)
    query = query.strip()
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(
            *(func.lower(column).like(pattern.lower(), escape="\\")
              for column in (Conversation.partnership_name, Conversation.agency_name,
                             Conversation.partnership_area, Conversation.place,
                             Conversation.purpose))
        ))
    statement = statement.order_by(
        Conversation.starts_at.desc().nulls_last(), Conversation.id.desc()
    ).limit(limit)
    return list(db.session.scalars(statement))


def earlier_conversation(conversation: Conversation) -> Conversation | None:
    """The conversation this one follows on from, if there is one and it is the same
    facilitator's: the one place "last time" is found (actions, scores, the summary)."""
    if conversation.follows_id is None:
        return None
    earlier = db.session.get(Conversation, conversation.follows_id)
    if earlier is None or earlier.facilitator_id != conversation.facilitator_id:
        return None
    return earlier


def actions_before(conversation: Conversation, open_only: bool = False) -> list[Item]:
    """Actions agreed in the conversation this one follows on from (if it is the same
    facilitator's); with open_only, those not yet done or dropped."""
    earlier = earlier_conversation(conversation)
    if earlier is None:
        return []
    statement = select(Item).where(
        Item.conversation_id == earlier.id,
        Item.kind == "action",
        Item.deleted_at.is_(None),
        Item.merged_into_id.is_(None),
    )
    if open_only:
        statement = statement.where(Item.status.in_(OPEN_STATUSES))
    return list(db.session.scalars(statement.order_by(Item.position, Item.id)))


def open_actions_before(conversation: Conversation) -> list[Item]:
    """Actions agreed in the conversation this one follows on from, still not done."""
    return actions_before(conversation, open_only=True)
