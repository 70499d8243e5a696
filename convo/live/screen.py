"""The shared screen: a large-type presenter view for a projector or TV.

The facilitator opens /c/<id>/screen on the machine driving the projector.  The page carries
the current view, rendered on the server (it works without JavaScript), and screen.js follows
/c/<id>/screen/view?v=N with ConvoLive.follow: 204 while nothing has changed, the new view as
soon as the conversation's version moves.  The console decides what the screen shows
(conversation.screen_mode); the screen only reads.

build() turns a conversation into plain data for the templates; the views only load, check
access and render.  Every word from the conversation goes through naming.Public, so people
who asked not to be named appear by role only — wherever their name was typed — and ratings
never reach the page before they are revealed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import Any

import segno
from flask import abort, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from convo.conversations import capture, service
from convo.conversations.labels import KIND_PLURALS
from convo.conversations.naming import Public
from convo.conversations.plan import Plan, PlannedQuestion, PlannedStage
from convo.live import versioning
from convo.live.blueprint import bp
from convo.models import Conversation, Item
from convo.models.capture import KINDS
from convo.models.conversation import SCREEN_MODES
from convo.questions.schema import text_in
from convo.ratings import service as ratings
from convo.ratings.chart import number, ratings_svg
from convo.ratings.compare import Comparison, compare

# --- plain data for the templates ------------------------------------------------------------


@dataclass(frozen=True)
class ShownItem:
    text: str
    raised_by: str


@dataclass(frozen=True)
class ItemGroup:
    kind: str
    title: str
    items: tuple[ShownItem, ...]


@dataclass(frozen=True)
class ShownAction:
    what: str
    owner: str
    party: str
    by_when: str
    commitment: int | None = None  # how sure the owner is, 0 to 10


@dataclass(frozen=True)
class PartyChoice:
    party: str
    now: str | None
    wanted: str | None


@dataclass(frozen=True)
class PartyProgress:
    party: str
    finished: bool


@dataclass(frozen=True)
class RatingsView:
    title: str
    revealed: bool
    comparison: Comparison | None = None
    chart: Markup | None = None
    choices: tuple[PartyChoice, ...] = ()
    progress: tuple[PartyProgress, ...] = ()


@dataclass(frozen=True)
class JoinView:
    open: bool
    code: str = ""
    url: str = ""
    url_shown: str = ""
    qr: Markup | None = None




@dataclass(frozen=True)
class Screen:
    mode: str
    lang: str
    partnership: str
    agency: str
    stage: PlannedStage | None = None
    stage_number: int = 0
    stage_count: int = 0
    question: PlannedQuestion | None = None
    addressed_to: str = ""
    purpose: str = ""
    when_where: str = ""
    groups: tuple[ItemGroup, ...] = ()
    actions: tuple[ShownAction, ...] = ()
    ratings: RatingsView | None = None
    join: JoinView | None = None
    summary: Any = None  # convo.summary.model.Summary: the draft as the facilitator left it


# --- building the view ------------------------------------------------------------------------


def build(conversation: Conversation) -> Screen:
    """Everything the current screen mode shows, as plain data."""
    mode = conversation.screen_mode if conversation.screen_mode in SCREEN_MODES else "question"
    plan = service.plan_for(conversation)
    stage = plan.stage(conversation.current_stage_id)
    included = [s.id for s in plan.included]
    public = Public(conversation)
    base: dict[str, Any] = {
        "mode": mode,
        "lang": (conversation.locale or "en_GB").replace("_", "-"),
        "partnership": public.partnership,
        "agency": public.agency,
        "stage": stage,
        "stage_number": included.index(stage.id) + 1 if stage and stage.id in included else 0,
        "stage_count": len(included),
        "purpose": public(conversation.purpose),
    }
    if mode == "question":
        question = plan.question(conversation.current_stage_id, conversation.current_question_id)
        if question is not None and question.added:  # typed by the facilitator
            question = replace(question, text=public(question.text))
        base["question"] = question
        base["addressed_to"] = addressed_to(public, question.addressed_to) if question else ""
    elif mode == "items":
        items = [i for i in capture.live_items(conversation, include_hidden=False)
                 if stage is not None and i.stage_id == stage.id]
        base["groups"] = group_items(public, items)
    elif mode == "ratings":
        base["ratings"] = ratings_view(conversation, plan, stage, public)
    elif mode == "actions":
        base["actions"] = agreed_actions(conversation, public)
    elif mode == "join":
        base["join"] = join_view(conversation)
    elif mode == "summary":
        # The same words, points and order as the document: read it together before approving.
        from convo.summary.build import build as build_summary

        base["summary"] = build_summary(conversation)
        base["when_where"] = when_where(conversation, public)
    return Screen(**base)


def addressed_to(public: Public, who: str) -> str:
    if who in ("partnership", "agency"):
        return _("For %(party)s", party=public.party(who))
    return _("For both %(partnership)s and %(agency)s",
             partnership=public.partnership, agency=public.agency)


def group_items(public: Public, items: list[Item]) -> tuple[ItemGroup, ...]:
    """Items by kind, in the order kinds are always listed; empty kinds left out."""
    groups = []
    for kind in KINDS:
        shown = tuple(ShownItem(text=public(item.text), raised_by=public.raised_by(item.raised_by))
                      for item in items if item.kind == kind)
        if shown:
            groups.append(ItemGroup(kind=kind, title=str(KIND_PLURALS[kind]), items=shown))
    return tuple(groups)


def agreed_actions(conversation: Conversation, public: Public) -> tuple[ShownAction, ...]:
    by_id = {p.id: p for p in conversation.participants}
    shown = []
    for item in capture.live_items(conversation, include_hidden=False):
        if item.kind != "action" or item.status == "dropped":
            continue
        linked = by_id.get(item.owner_participant_id) if item.owner_participant_id else None
        # A linked participant is always shown as they asked to be (by role if not named).
        owner = public.person(linked) if linked is not None else public(item.owner_name)
        party = public.raised_by(item.owner_party) if item.owner_party else ""
        if item.due_by_next:
            by_when = _("By the next conversation")
        elif item.due_date is not None:
            by_when = format_date(item.due_date, "d MMMM y")
        else:
            by_when = ""
        shown.append(ShownAction(what=public(item.text), owner=owner, party=party,
                                 by_when=by_when, commitment=item.commitment))
    return tuple(shown)


def ratings_view(conversation: Conversation, plan: Plan, stage: PlannedStage | None,
                 public: Public) -> RatingsView | None:
    """The instrument of the current stage (else the set's first), revealed or not."""
    question_set = plan.question_set
    instrument = plan.instrument(stage.rating if stage is not None else None) or (
        question_set.ratings[0] if question_set.ratings else None)
    if instrument is None:
        return None
    locale, fallback = conversation.locale, question_set.locale
    title = text_in(instrument.title, locale, fallback)
    comparison = compare(conversation, plan, instrument)
    if not conversation.ratings_revealed:
        # Whether each party has finished: never a score.
        return RatingsView(title=title, revealed=False, progress=tuple(
            PartyProgress(public.party(party), comparison.complete_for(party))
            for party in ratings.PARTIES))
    chart = ratings_svg(comparison, partnership_label=public.partnership,
                        agency_label=public.agency, title=title,
                        locale=conversation.locale or "en_GB")
    choices: tuple[PartyChoice, ...] = ()
    if question_set.relationship_types:
        names = {t.id: text_in(t.title, locale, fallback)
                 for t in question_set.relationship_types}
        found = ratings.relationship_choices(conversation)
        choices = tuple(
            PartyChoice(
                party=public.party(party),
                now=names.get(found[party].now_type or "") if party in found else None,
                wanted=names.get(found[party].wanted_type or "") if party in found else None,
            )
            for party in ratings.PARTIES)
        if not any(c.now or c.wanted for c in choices):
            choices = ()
    return RatingsView(title=title, revealed=True, comparison=comparison, chart=chart,
                       choices=choices)


def join_url(code: str) -> str:
    try:
        return url_for("live.join_code", code=code, _external=True)
    except BuildError:  # until the participants' pages exist
        return request.host_url + "j/" + code


def qr_svg(data: str, label: str) -> Markup:
    """A QR code as inline SVG that scales with its box (dark on white, with a quiet zone)."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        buffer, kind="svg", xmldecl=False, svgns=True, scale=1, border=4, omitsize=True,
        dark="#0b0c0c", light="#ffffff", svgclass="join-qr", lineclass=None,
    )
    svg = buffer.getvalue().decode("utf-8")
    attributes = f' role="img" aria-label="{escape(label)}" shape-rendering="crispEdges"'
    return Markup(svg.replace("<svg", "<svg" + attributes, 1))


def join_view(conversation: Conversation) -> JoinView:
    if conversation.is_closed or not conversation.join_code:
        return JoinView(open=False)
    url = join_url(conversation.join_code)
    return JoinView(
        open=True,
        code=service.display_code(conversation.join_code),
        url=url,
        url_shown=url.split("://", 1)[-1],
        qr=qr_svg(url, _("QR code that opens %(url)s", url=url)),
    )


def when_where(conversation: Conversation, public: Public) -> str:
    when = format_date(conversation.starts_at, "d MMMM y") if conversation.starts_at else ""
    where = public(conversation.place)
    return ", ".join(part for part in (when, where) if part)



# --- views ------------------------------------------------------------------------------------


def _render_view(conversation: Conversation) -> str:
    with force_locale(conversation.locale or "en_GB"):
        return render_template("live/_screen_view.html", screen=build(conversation))


@bp.get("/c/<int:conversation_id>/screen")
@login_required
def screen(conversation_id: int) -> str:
    conversation = service.load_for_facilitator(conversation_id, current_user)
    version = conversation.version  # read before rendering: the view is never older
    with force_locale(conversation.locale or "en_GB"):
        return render_template(
            "live/screen.html", screen=build(conversation), version=version,
            view_url=url_for("live.screen_view", conversation_id=conversation.id),
        )


@bp.get("/c/<int:conversation_id>/screen/view")
def screen_view(conversation_id: int) -> Any:
    # A follower asks this every second: nothing new is answered in one query.
    if (response := service.unchanged_for_owner(conversation_id)) is not None:
        return response
    # Answer 401 rather than redirect it to the sign-in page, whose HTML would otherwise be
    # swapped into the screen.
    if not current_user.is_authenticated:
        abort(401)
    version = service.version_for_facilitator(conversation_id, current_user)
    if (response := versioning.unchanged(version)) is not None:
        return response
    conversation = service.load_for_facilitator(conversation_id, current_user)
    return versioning.live_response(version, lambda: _render_view(conversation))


@bp.app_template_global("format_score")
def format_score(value: float) -> str:
    """A score or difference as people write it: 4, 3.5 (in the page's language)."""
    from flask_babel import get_locale

    return number(value, str(get_locale() or "en_GB"))
