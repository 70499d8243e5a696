"""The facilitator's console as one typed object: everything its page and live regions show.

build(conversation, forms) gathers it; the views only load, act and render
templates/conversations/console.html (the whole page) or _console_live.html (the regions the
page's script swaps in when anyone changes the conversation), both reading `console.<field>`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from convo.conversations import capture, service
from convo.conversations.forms import (ActionForm, AddQuestionForm, AgreementForm, CaptureForm,
                                       EditItemForm)
from convo.conversations.labels import RAISED_BY_KEYS, raised_by_label
from convo.conversations.plan import Plan, PlannedQuestion, PlannedStage
from convo.core import edits
from convo.core.kept import Kept
from convo.core.forms import BaseForm, as_choices
from convo.live import devices as devices_module
from convo.live import state
from convo.live import timer as timer_module
from convo.models import Conversation, Device, Item
from convo.partnerships.tracker import latest_updates
from convo.questions.schema import RatingInstrument
from convo.questions.toolkit import Toolkit
from convo.questions.toolkit import build as build_toolkit
from convo.ratings import service as ratings
from convo.ratings.compare import Comparison, compare

AGREEMENT_FIELDS = ("ground_rules", "contacts", "meeting_rhythm", "next_date", "next_time",
                    "next_conversation")
ITEM_FIELDS = ("text", "kind", "raised_by")
ACTION_FIELDS = ("owner_name", "owner_participant", "owner_party", "due_date", "due_by_next",
                 "first_step", "agreed_by_both", "status", "commitment")


def agreement_values(conversation: Conversation) -> dict[str, Any]:
    """The agreement as its form shows it: the next conversation's date and time apart, in UK
    time (convo.reminders.calendar)."""
    from convo.reminders.calendar import next_local

    local = next_local(conversation)
    values: dict[str, Any] = {name: getattr(conversation, name) or "" for name in AGREEMENT_FIELDS
                              if name not in ("next_date", "next_time")}
    values["next_date"] = local.date() if local else None
    values["next_time"] = local.time().replace(second=0, microsecond=0) if local else None
    return values


def item_values(item: Item) -> dict[str, Any]:
    return {"text": item.text, "kind": item.kind, "raised_by": item.raised_by}


def action_values(item: Item) -> dict[str, Any]:
    """An action's details as its form shows them."""
    return {
        "owner_name": item.owner_name or "",
        "owner_participant": str(item.owner_participant_id or ""),
        "owner_party": item.owner_party or "",
        "due_date": item.due_date,
        "due_by_next": bool(item.due_by_next),
        "first_step": item.first_step or "",
        "agreed_by_both": bool(item.agreed_by_both),
        "status": item.status or "agreed",
        "commitment": item.commitment,
    }


def raised_by_choices(conversation: Conversation) -> list[tuple[str, str]]:
    return [(key, raised_by_label(key, conversation.partnership_name, conversation.agency_name))
            for key in RAISED_BY_KEYS]


def capture_form(conversation: Conversation, formdata: Any = None) -> CaptureForm:
    form = CaptureForm(formdata=formdata) if formdata is not None else CaptureForm()
    form.raised_by.choices = as_choices(raised_by_choices(conversation))
    return form


def edit_item_form(conversation: Conversation) -> EditItemForm:
    form = EditItemForm()
    form.raised_by.choices = as_choices(raised_by_choices(conversation))
    return form


def action_form(conversation: Conversation, item: Item | None = None) -> ActionForm:
    """The form for an action's who, which side and when: filled from the item, or (item None)
    from the request."""
    form = ActionForm(data=action_values(item)) if item is not None else ActionForm()
    form.owner_participant.choices = as_choices([("", _("Not someone taking part"))] + [
        (str(p.id), f"{p.name} ({p.role})" if p.may_be_named
         else _("%(role)s (asked not to be named)", role=p.role))
        for p in conversation.participants])
    form.owner_party.choices = as_choices([
        ("", _("Not stated")),
        ("partnership", conversation.partnership_name),
        ("agency", conversation.agency_name),
        ("both", _("Both")),
    ])
    return form


# Points as the console draws them, by everything their drawing depends on (ConsoleView.drawn_item),
# with this stand-in where the form token goes.  Nothing typed can look like it: people's words
# are escaped when drawn, so a "<" they type is never a "<" in the markup.
drawn_items: Kept[Markup] = Kept(4096)
CSRF_STAND_IN = Markup("<convo-csrf-token>")


@dataclass
class ConsoleForms:
    """The console's forms.  After a refused save, the refused form (with the facilitator's
    words) and its EditState (with any conflict) stand in for the fresh ones (`refused_*`).
    The capture and add-a-question forms, and the agreement's, are made only when drawn: the
    console's live part, drawn after every change, shows the agreement only when something
    other than points changed, and never the two others."""

    conversation: Conversation
    refused_capture: CaptureForm | None = None
    refused_add_question: AddQuestionForm | None = None
    refused_agreement: AgreementForm | None = None
    refused_agreement_edit: edits.EditState | None = None
    items: dict[int, EditItemForm] = field(default_factory=dict)
    item_edits: dict[int, edits.EditState] = field(default_factory=dict)
    actions: dict[int, ActionForm] = field(default_factory=dict)
    action_edits: dict[int, edits.EditState] = field(default_factory=dict)
    confirm: BaseForm = field(default_factory=BaseForm)

    @cached_property
    def capture(self) -> CaptureForm:
        form = self.refused_capture or capture_form(self.conversation)
        if not form.client_id.data:
            form.client_id.data = uuid.uuid4().hex
        return form

    @cached_property
    def add_question(self) -> AddQuestionForm:
        return self.refused_add_question or AddQuestionForm(formdata=None)

    @cached_property
    def agreement(self) -> AgreementForm:
        return self.refused_agreement or AgreementForm(
            data=agreement_values(self.conversation), formdata=None)

    @cached_property
    def agreement_edit(self) -> edits.EditState:
        return self.refused_agreement_edit or edits.EditState.of(
            agreement_values(self.conversation))

    @cached_property
    def csrf(self) -> Markup:
        """The CSRF field every small form on the console carries, rendered once: the
        console's live part has a dozen forms per point, and the console follows every change."""
        return Markup(self.confirm.csrf_token())


@dataclass(frozen=True)
class ConsoleView:
    conversation: Conversation
    plan: Plan
    stage: PlannedStage
    question: PlannedQuestion | None
    items: list[Item]
    stage_items: list[Item]
    actions: list[Item]
    removed: list[Item]
    instrument: RatingInstrument | None
    seconds: dict[str, int]
    at_start: bool
    at_end: bool
    raised_by_choices: list[tuple[str, str]]
    display_code: str
    earlier_actions: list[Item]  # last time's, done ones too (a mistake can be put right)
    earlier_updates: dict[int, Any]  # each one's latest update (ActionUpdate), if any
    forms: ConsoleForms
    countdown: timer_module.Countdown | None = None  # the shared screen's stage countdown
    clock: timer_module.Clock | None = None  # the whole conversation against its plan
    screen_pages: Any = None  # convo.live.screen.Paging: where the shared screen's list stands
    timer_minutes: int = 5  # a new countdown's minutes: what the stage has left in the plan

    # Drawn only in some regions (the side column's ratings and devices; the question's
    # toolkit), so worked out only when drawn: not after a point (see _console_live.html).
    @cached_property
    def comparison(self) -> Comparison | None:
        return compare(self.conversation, self.plan, self.instrument) if self.instrument else None

    @cached_property
    def rated(self) -> set[str]:
        return ratings.rated_parties(self.conversation)

    @cached_property
    def devices(self) -> list[Device]:
        return devices_module.devices_for(self.conversation)

    @cached_property
    def toolkit(self) -> Toolkit:
        """The set's notes for when the room is stuck, one side dominates, ..."""
        return build_toolkit(self.plan.question_set, self.conversation.locale,
                             self.conversation.agency_subtype)

    def item_edit(self, item: Item) -> edits.EditState:
        return self.forms.item_edits.get(item.id) or edits.EditState.of(item_values(item))

    def drawn_item(self, item: Item, draw: Any) -> Markup:
        """One point as the console lists it (`draw(item, csrf)`, the template's macro), drawn
        once and kept: the console's live part is drawn again for every point anyone adds, and
        before this, every point already listed was drawn again each time with it.  It is kept
        with a stand-in for the form token (which is signed afresh for every page), and the
        token is put in as it is given out.  A point being corrected after a refused save is
        always drawn afresh (it shows the refused words)."""
        csrf = self.forms.csrf
        if item.id in self.forms.items or item.id in self.forms.item_edits:
            return draw(item, csrf)
        key = (str(get_locale()), self.conversation.id, item.id,
               hashlib.blake2b(item.text.encode(), digest_size=16).digest(), item.kind,
               item.raised_by, bool(item.hidden), item.participant_id is not None,
               self.stage.id, self.question.id if self.question else None,
               tuple(self.raised_by_choices), self.conversation.partnership_name,
               self.conversation.agency_name)
        kept = drawn_items.get(key, lambda: draw(item, CSRF_STAND_IN))
        return Markup(kept.replace(CSRF_STAND_IN, csrf))

    def action_edit(self, item: Item) -> edits.EditState:
        return self.forms.action_edits.get(item.id) or edits.EditState.of(action_values(item))


def build(conversation: Conversation, *, capture_form_: CaptureForm | None = None,
          add_question_form: AddQuestionForm | None = None,
          agreement_form: AgreementForm | None = None,
          agreement_edit: edits.EditState | None = None,
          item_forms: dict[int, EditItemForm] | None = None,
          item_edits: dict[int, edits.EditState] | None = None,
          action_forms: dict[int, ActionForm] | None = None,
          action_edits: dict[int, edits.EditState] | None = None) -> ConsoleView:
    """The console as it stands, with any refused form shown in place of its fresh copy."""
    running = service.plan_for(conversation)
    stage = running.stage(conversation.current_stage_id) or running.included[0]
    question = running.question(stage.id, conversation.current_question_id)
    items = capture.live_items(conversation)
    actions = [i for i in items if i.kind == "action"]
    instrument = running.instrument(stage.rating) or (
        running.question_set.ratings[0] if running.question_set.ratings else None)
    steps = running.steps()
    here = (stage.id, question.id if question else None)
    position = steps.index(here) if here in steps else 0
    forms = ConsoleForms(
        conversation=conversation,
        refused_capture=capture_form_,
        refused_add_question=add_question_form,
        refused_agreement=agreement_form,
        refused_agreement_edit=agreement_edit,
        items=item_forms or {},
        item_edits=item_edits or {},
        actions=dict(action_forms or {}),
        action_edits=action_edits or {},
    )
    for item in actions:
        forms.actions.setdefault(item.id, action_form(conversation, item))
    return ConsoleView(
        conversation=conversation,
        plan=running,
        stage=stage,
        question=question,
        items=items,
        stage_items=[i for i in items if i.stage_id == stage.id],
        actions=actions,
        removed=capture.recently_removed(conversation),
        instrument=instrument,
        seconds={row.stage_id: state.stage_seconds(row) for row in conversation.stages},
        at_start=position == 0,
        at_end=position == len(steps) - 1,
        raised_by_choices=raised_by_choices(conversation),
        display_code=service.display_code(conversation.join_code),
        earlier_actions=(earlier := service.actions_before(conversation)),
        earlier_updates=latest_updates(i.id for i in earlier),
        forms=forms,
        countdown=timer_module.countdown(conversation),
        clock=timer_module.whole(conversation, sum(s.minutes for s in running.included)),
        screen_pages=screen_paging(conversation),
        timer_minutes=timer_module.default_minutes(conversation),
    )


def screen_paging(conversation: Conversation) -> Any:
    from convo.live.screen import paging

    return paging(conversation)
