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
from convo.core import languages
from convo.live import state, versioning
from convo.live.blueprint import bp
from convo.models import Conversation, Item
from convo.models.capture import KINDS
from convo.models.conversation import SCREEN_MODES
from convo.questions.schema import text_in
from convo.ratings import service as ratings
from convo.ratings.chart import number, ratings_svg
from convo.ratings.compare import Comparison, compare

# --- plain data for the templates ------------------------------------------------------------


# What fits on one screen.  The screen's type is sized from its width (screen.css), so a 16:9
# screen of any size holds the same amount; these budgets are in lines of body text, with
# room to spare, and screen.js shrinks the type a little if a view still would not fit (a
# 4:3 projector, a browser with toolbars).
CLIP_CHARACTERS = 200  # a longer point is clipped ("continues…") until opened on the screen
ITEM_LINE_CHARACTERS = 32  # three columns across the screen
ITEM_PAGE_LINES = 41
TEXT_LINE_CHARACTERS = 95  # one column across the screen
TEXT_PAGE_LINES = 17
OPEN_PAGE_CHARACTERS = 1100  # a point opened in full, a screenful at a time
ACTION_PAGE_LINES = 13


@dataclass(frozen=True)
class ShownItem:
    text: str
    raised_by: str
    continues: bool = False  # clipped: the facilitator can open it in full
    id: int = 0
    number: int = 0  # its place among the stage's points, from 1


@dataclass(frozen=True)
class Paging:
    """Where a long view stands: "9–16 of 18", page 2 of 3 (pages counted from 1)."""

    page: int = 1
    pages: int = 1
    first: int = 0
    last: int = 0
    total: int = 0
    opened: ShownItem | None = None  # a point shown in full
    label: str = ""  # what the page holds, for the console ("Challenges")

    @property
    def many(self) -> bool:
        return self.pages > 1


@dataclass(frozen=True)
class SummaryPage:
    """One screenful of the draft summary: a part of it, and for a long list, some points."""

    part: str  # heading, purpose, section, differences, earlier_actions, actions, keep_in_touch
    section: Any = None  # a summary Section for part "section" (its points cut to this page's)
    block: Any = None  # a RatingsBlock for part "differences"
    continued: bool = False
    title: str = ""


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
class SecondLanguage:
    """The current question in the conversation's second language, under the first."""

    lang: str
    direction: str
    stage_title: str
    question: str
    addressed_to: str


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
    summary_page: SummaryPage | None = None
    paging: Paging = Paging()
    stage_label: str = ""  # "Stage 2 of 6: Get to know each other", for the timer's corner
    countdown: Any = None  # convo.live.timer.Countdown
    welcome: Any = None  # WelcomeView before the start
    closing: bool = False  # after the close
    strip: JoinView | None = None  # the join strip along the foot, when the facilitator shows it
    second: SecondLanguage | None = None  # the question in the second language, if any


@dataclass(frozen=True)
class WelcomeView:
    purpose: str
    when_where: str
    join: JoinView
    facilitator: str


# --- building the view ------------------------------------------------------------------------


def build(conversation: Conversation) -> Screen:
    """Everything the current screen mode shows, as plain data.

    Before the start the screen welcomes the room (the parties, the purpose, how to join);
    after the close it thanks them and says what happens next, unless the facilitator shows
    the draft summary to read together."""
    from convo.live import timer

    mode = conversation.screen_mode if conversation.screen_mode in SCREEN_MODES else "question"
    if conversation.status == "upcoming":
        mode = "welcome"
    elif conversation.is_closed and mode != "summary":
        mode = "closing"
    plan = service.plan_for(conversation)
    stage = plan.stage(conversation.current_stage_id)
    included = [s.id for s in plan.included]
    public = Public(conversation)
    stage_number = included.index(stage.id) + 1 if stage and stage.id in included else 0
    base: dict[str, Any] = {
        "mode": mode,
        "lang": (conversation.locale or "en_GB").replace("_", "-"),
        "partnership": public.partnership,
        "agency": public.agency,
        "stage": stage,
        "stage_number": stage_number,
        "stage_count": len(included),
        "purpose": public(conversation.purpose),
        "countdown": timer.countdown(conversation) if conversation.status == "live" else None,
        "strip": join_strip(conversation) if mode not in ("join", "welcome", "closing") else None,
        "stage_label": _("Stage %(number)d of %(count)d: %(title)s", number=stage_number,
                         count=len(included), title=stage.title)
        if stage is not None and stage_number else "",
    }
    if mode == "question":
        question = plan.question(conversation.current_stage_id, conversation.current_question_id)
        if question is not None and question.added:  # typed by the facilitator
            question = replace(question, text=public(question.text))
        base["question"] = question
        base["addressed_to"] = addressed_to(public, question.addressed_to) if question else ""
        if question is not None and not question.added and conversation.second_locale:
            base["second"] = second_language(conversation, public, question)
    elif mode == "items":
        items = [i for i in capture.live_items(conversation, include_hidden=False)
                 if stage is not None and i.stage_id == stage.id]
        base["groups"], base["paging"] = paged_items(conversation, public, items)
    elif mode == "ratings":
        base["ratings"] = ratings_view(conversation, plan, stage, public)
    elif mode == "actions":
        base["actions"], base["paging"] = paged_actions(conversation,
                                                        agreed_actions(conversation, public))
    elif mode == "join":
        base["join"] = join_view(conversation)
    elif mode == "summary":
        # The same words, points and order as the document: read it together before approving,
        # a screenful at a time, paged from the console.
        from convo.summary.build import build as build_summary

        summary = build_summary(conversation)
        pages = summary_pages(summary)
        page = _page_index(conversation.screen_page, len(pages), newest=False)
        base["summary"] = summary
        base["summary_page"] = pages[page]
        base["paging"] = Paging(page=page + 1, pages=len(pages), first=page + 1,
                                last=page + 1, total=len(pages), label=pages[page].title)
        base["when_where"] = when_where(conversation, public)
    elif mode == "welcome":
        from convo.models import Facilitator
        from convo.extensions import db

        facilitator = db.session.get(Facilitator, conversation.facilitator_id)
        base["welcome"] = WelcomeView(
            purpose=public(conversation.purpose), when_where=when_where(conversation, public),
            join=join_view(conversation), facilitator=public(facilitator.name)
            if facilitator else "")
    elif mode == "closing":
        base["closing"] = True
    return Screen(**base)


def _page_index(stored: int, pages: int, newest: bool = True) -> int:
    """The page to show, from 0: the stored page (counted from 1), or by default (0) the
    newest (last) page of a list, or the first of the summary; never past the end."""
    if pages <= 0:
        return 0
    if stored <= 0:
        return pages - 1 if newest else 0
    return min(stored, pages) - 1


def clip(text: str, limit: int = CLIP_CHARACTERS) -> tuple[str, bool]:
    """A point cut, at a word, to what a screen holds: (text, whether it continues)."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–"), True


def _lines(text: str, per_line: int) -> int:
    return sum(max(1, -(-len(line) // per_line)) for line in (text.split("\n") or [""]))


def pages_by_cost(costs: list[float], budget: float, from_end: bool) -> list[tuple[int, int]]:
    """Cut a list into pages of at most `budget` (each page holds at least one entry), as
    (start, stop) ranges in order.  from_end: the last page is the full one (the newest)."""
    order = list(range(len(costs)))
    if from_end:
        order.reverse()
    pages: list[list[int]] = []
    used = budget + 1
    for index in order:
        if used + costs[index] > budget and (not pages or pages[-1]):
            pages.append([])
            used = 0
        pages[-1].append(index)
        used += costs[index]
    ranges = [(min(p), max(p) + 1) for p in pages if p]
    return sorted(ranges)


def paged_items(conversation: Conversation, public: Public,
                items: list[Item]) -> tuple[tuple[ItemGroup, ...], Paging]:
    """The stage's points, a screenful at a time (newest by default), each clipped to what a
    screen holds; or the one point the facilitator opened, in full, a screenful at a time."""
    shown = []
    for place, item in enumerate(items, start=1):
        text, continues = clip(public(item.text))
        shown.append((item, ShownItem(text=text, raised_by=public.raised_by(item.raised_by),
                                      continues=continues, id=item.id, number=place)))
    opened_id = conversation.screen_item_id
    opened = next(((item, row) for item, row in shown if item.id == opened_id), None)
    if opened is not None:
        item, row = opened
        pieces = split_text(public(item.text), OPEN_PAGE_CHARACTERS)
        page = _page_index(conversation.screen_page, len(pieces), newest=False)
        full = replace(row, text=pieces[page], continues=page < len(pieces) - 1)
        return (), Paging(page=page + 1, pages=len(pieces), first=row.number, last=row.number,
                          total=len(items), opened=full)
    costs = []
    for _item, row in shown:
        costs.append(_lines(row.text, ITEM_LINE_CHARACTERS) + 1.0
                     + (0.6 if row.continues else 0))
    # A heading for each kind on a page costs about two lines: counted on every entry's share.
    budget = ITEM_PAGE_LINES - 2 * len({i.kind for i, _r in shown} or {""})
    ranges = pages_by_cost(costs, max(budget, 12), from_end=True) or [(0, 0)]
    page = _page_index(conversation.screen_page, len(ranges))
    start, stop = ranges[page]
    on_page = shown[start:stop]
    groups = []
    for kind in KINDS:
        rows = tuple(row for item, row in on_page if item.kind == kind)
        if rows:
            groups.append(ItemGroup(kind=kind, title=str(KIND_PLURALS[kind]), items=rows))
    return tuple(groups), Paging(page=page + 1, pages=len(ranges), first=start + 1 if stop else 0,
                                 last=stop, total=len(shown))


def split_text(text: str, size: int) -> list[str]:
    """Long words cut into screenfuls at sentence or word ends (at least one piece)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        cut = max(rest.rfind(". ", 0, size), rest.rfind("\n", 0, size))
        if cut < size * 0.5:
            cut = rest.rfind(" ", 0, size)
        if cut < size * 0.5:
            cut = size
        pieces.append(rest[:cut + 1].strip())
        rest = rest[cut + 1:].strip()
    pieces.append(rest)
    return pieces


def paged_actions(conversation: Conversation,
                  actions: tuple[ShownAction, ...]) -> tuple[tuple[ShownAction, ...], Paging]:
    clipped = tuple(replace(a, what=clip(a.what)[0] + ("…" if clip(a.what)[1] else ""))
                    for a in actions)
    costs = [max(_lines(a.what, 40), _lines(a.owner, 18)) + 0.8
             + (0.7 if a.commitment is not None else 0) for a in clipped]
    ranges = pages_by_cost(costs, ACTION_PAGE_LINES, from_end=False) or [(0, 0)]
    page = _page_index(conversation.screen_page, len(ranges), newest=False)
    start, stop = ranges[page]
    return clipped[start:stop], Paging(page=page + 1, pages=len(ranges),
                                       first=start + 1 if stop else 0, last=stop,
                                       total=len(clipped))


def summary_pages(summary: Any) -> list[SummaryPage]:
    """The draft summary cut into screenfuls, section by section in the document's order; a
    long section goes on over as many pages as it needs ("continued")."""
    from convo.summary.model import Point, Section

    pages: list[SummaryPage] = [SummaryPage(part="heading", title=summary.title)]

    def text_section(section: Section) -> None:
        size = TEXT_PAGE_LINES * TEXT_LINE_CHARACTERS // 2
        entries: list[tuple[bool, Point]] = [
            (True, Point(piece, "")) for piece in split_text(section.narrative, size)
            if piece]
        for point in section.points:
            entries += [(False, Point(piece, point.raised_by))
                        for piece in split_text(point.text, size)]
        costs = [_lines(e.text + " – " + e.raised_by, TEXT_LINE_CHARACTERS) + 0.4
                 for _n, e in entries]
        ranges = pages_by_cost(costs, TEXT_PAGE_LINES, from_end=False) or [(0, 0)]
        for n, (start, stop) in enumerate(ranges):
            chunk = entries[start:stop]
            words = "\n\n".join(e.text for narrative, e in chunk if narrative)
            points = tuple(e for narrative, e in chunk if not narrative)
            pages.append(SummaryPage(part="section", title=section.title, continued=n > 0,
                                     section=Section(section.key, section.title, words, points)))

    intro = Section("introduction", summary.labels.get("purpose", ""), "\n\n".join(
        part for part in (summary.introduction, summary.purpose) if part))
    text_section(intro)
    if summary.ground_rules:
        text_section(Section("ground_rules", summary.labels.get("ground_rules", ""),
                             summary.ground_rules))
    for section in (summary.working_towards, summary.community, summary.how_well):
        if not section.empty:
            text_section(section)
    for block in summary.ratings:
        if block.biggest or block.both_low:
            pages.append(SummaryPage(part="differences", block=block, title=block.title))
    for section in (summary.strengths, summary.challenges, summary.opportunities):
        if section is not None and not section.empty:
            text_section(section)
    if summary.earlier_actions:
        pages.append(SummaryPage(part="earlier_actions",
                                 title=summary.labels.get("earlier_actions", "")))
    costs = [max(_lines(a.what[:CLIP_CHARACTERS], 40), _lines(a.owner, 18)) + 0.8
             for a in summary.actions]
    for n, (start, stop) in enumerate(pages_by_cost(costs, ACTION_PAGE_LINES, from_end=False)
                                      or [(0, 0)]):
        pages.append(SummaryPage(part="actions", title=summary.labels.get("actions", ""),
                                 continued=n > 0, block=summary.actions[start:stop]))
    if summary.contacts or summary.meeting_rhythm or summary.next_conversation:
        pages.append(SummaryPage(part="keep_in_touch",
                                 title=summary.labels.get("keeping_in_touch", "")))
    for section in (summary.follow_ups, summary.parked, summary.other, summary.closing):
        if section is not None and not section.empty:
            text_section(section)
    return pages


def second_language(conversation: Conversation, public: Public,
                    question: PlannedQuestion) -> SecondLanguage | None:
    """The question in the second language, when its set has it there (never the same words
    twice: a set without that language shows the question once)."""
    code = conversation.second_locale or ""
    if not languages.is_offered(code):
        return None
    plan = service.plan_for(conversation, code)
    other = plan.question(conversation.current_stage_id, question.id)
    stage = plan.stage(conversation.current_stage_id)
    if other is None or stage is None or other.text == question.text:
        return None
    language = languages.language(code)
    with force_locale(code):
        return SecondLanguage(lang=language.tag, direction=language.direction,
                              stage_title=stage.title, question=other.text,
                              addressed_to=addressed_to(public, other.addressed_to))


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


def join_view(conversation: Conversation, qr: bool = True) -> JoinView:
    """How to join: the address, the code and (for the join view) a QR code that opens it."""
    if conversation.is_closed or not conversation.join_code:
        return JoinView(open=False)
    url = join_url(conversation.join_code)
    return JoinView(
        open=True,
        code=service.display_code(conversation.join_code),
        url=url,
        url_shown=url.split("://", 1)[-1],
        qr=qr_svg(url, _("QR code that opens %(url)s", url=url)) if qr else None,
    )


def join_strip(conversation: Conversation) -> JoinView | None:
    """The join address and code for the strip along the foot of the screen, when the
    facilitator has turned it on and people can still join (no QR code: the join view has it)."""
    if not conversation.screen_join_strip:
        return None
    view = join_view(conversation, qr=False)
    return view if view.open else None


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
    version = followed(conversation)  # read before rendering: the view is never older
    with force_locale(conversation.locale or "en_GB"):
        return render_template(
            "live/screen.html", screen=build(conversation), version=version,
            view_url=url_for("live.screen_view", conversation_id=conversation.id),
        )


@bp.get("/c/<int:conversation_id>/screen/view")
def screen_view(conversation_id: int) -> Any:
    # A follower asks this every second: nothing new is answered in one query.
    if (response := service.unchanged_for_owner(conversation_id, screen=True)) is not None:
        return response
    # Answer 401 rather than redirect it to the sign-in page, whose HTML would otherwise be
    # swapped into the screen.
    if not current_user.is_authenticated:
        abort(401)
    conversation = service.load_for_facilitator(conversation_id, current_user)
    return versioning.live_response(followed(conversation), lambda: _render_view(conversation))


def followed(conversation: Conversation) -> int:
    """The version the shared screen follows (state.screen_version): a point saved moves it
    only while the screen shows points."""
    return state.screen_version(conversation.status, conversation.screen_mode,
                                conversation.version, conversation.phone_version)


@bp.app_template_global("tick_text")
def tick_text(seconds: int, step: int = -1, fmt: str = "clock", text: str = "{t}",
              over_text: str = "", limit: int | None = None) -> tuple[str, bool]:
    from convo.live.timer import tick_text as shown

    return shown(seconds, step, fmt, text, over_text, limit)


def paging(conversation: Conversation) -> Paging | None:
    """Where the shared screen's long view stands, for the console's paging controls."""
    mode = conversation.screen_mode
    if conversation.status == "upcoming" or mode not in ("items", "actions", "summary") or (
            conversation.is_closed and mode != "summary"):
        return None
    with force_locale(conversation.locale or "en_GB"):
        return build(conversation).paging


@bp.app_template_global("format_score")
def format_score(value: float) -> str:
    """A score or difference as people write it: 4, 3.5 (in the page's language)."""
    from flask_babel import get_locale

    return number(value, str(get_locale() or "en_GB"))
