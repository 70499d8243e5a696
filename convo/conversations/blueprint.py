"""Facilitator views: prepare and list conversations, and run them from the console.

Every view loads the conversation through service.load_for_facilitator (404 unless it is
yours), then acts through plain functions, then renders or redirects.  Console actions answer
JSON to the console's script and redirect ordinary form posts, so everything works without
JavaScript too.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from convo.conversations import capture, deleting, exporting, ratings, service
from convo.conversations.forms import (ActionForm, AddQuestionForm, AgreementForm, CaptureForm,
                                       ConversationForm, DeleteForm, EditItemForm,
                                       ParticipantForm)
from convo.conversations.labels import (ACTION_STATUS_LABELS, KIND_KEYS, KIND_LABELS,
                                        KIND_PLURALS, RAISED_BY_KEYS, SCREEN_MODE_LABELS,
                                        STATUS_LABELS, raised_by_label)
from convo.core.forms import BaseForm, as_choices
from convo.extensions import db
from convo.live import state
from convo.models import Conversation, Item
from convo.models.conversation import SCREEN_MODES
from convo.questions.blueprint import AGENCY_TYPE_LABELS
from convo.questions.registry import registry
from convo.questions.schema import AGENCY_TYPES, text_in
from convo.summary import service as summary_service

bp = Blueprint("conversations", __name__)

MINUTES_MAX = 240


def wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or (
        request.accept_mimetypes.best == "application/json")


def _owned(conversation_id: int) -> Conversation:
    return service.load_for_facilitator(conversation_id, current_user)


def _console_url(conversation: Conversation, anchor: str | None = None) -> str:
    return url_for("conversations.console", conversation_id=conversation.id,
                   _anchor=anchor) if anchor else url_for(
        "conversations.console", conversation_id=conversation.id)


def _done(conversation: Conversation, anchor: str | None = None, message: str | None = None,
          **payload: Any) -> Any:
    """The end of a successful console action: JSON for the script, a redirect for forms."""
    if wants_json():
        db.session.flush()
        return jsonify({"ok": True, "version": conversation.version, **payload})
    if message:
        flash(message, "success")
    return redirect(_console_url(conversation, anchor))


def _refuse(message: str, status: int = 422, errors: dict[str, list[str]] | None = None) -> Any:
    if wants_json():
        return jsonify({"ok": False, "message": message, "errors": errors or {}}), status
    abort(status)


# --- choices ------------------------------------------------------------------------------


def _type_choices() -> list[tuple[str, str]]:
    return [(kind, str(AGENCY_TYPE_LABELS[kind])) for kind in AGENCY_TYPES]


def _subtype_choices() -> list[Any]:
    """Every kind of agency the sets suit, grouped under the kind of agency."""
    seen: dict[str, str] = {}
    groups: dict[str, str] = {}
    for question_set in registry().all():
        for subtype in question_set.subtypes:
            key = f"{question_set.agency_type}:{subtype.id}"
            seen.setdefault(key, text_in(subtype.title, question_set.locale, question_set.locale))
            groups.setdefault(key, str(AGENCY_TYPE_LABELS[question_set.agency_type]))
    return as_choices([("", _("Not stated"))] + list(seen.items()), groups)


def _set_choices() -> list[tuple[str, str]]:
    return [("", _("Suggested for this kind of agency"))] + [
        (qs.id, text_in(qs.title, qs.locale, qs.locale) + (
            _(" (your own set)") if registry().is_custom(qs.id) else ""))
        for qs in registry().all()
    ]


def _fill_choices(form: ConversationForm) -> None:
    form.agency_type.choices = as_choices(_type_choices())
    form.agency_subtype.choices = _subtype_choices()
    form.question_set.choices = as_choices(_set_choices())


def _local_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


def _details(form: ConversationForm) -> tuple[service.Details | None, Any]:
    """The form's details and chosen question set, or (None, None) with errors on the form."""
    agency_type = form.agency_type.data
    subtype = form.agency_subtype.data or ""
    if subtype:
        kind, _sep, subtype_id = subtype.partition(":")
        if kind != agency_type or (kind, subtype_id) not in {
                (qs.agency_type, s.id) for qs in registry().all() for s in qs.subtypes}:
            form.agency_subtype.errors = [_("Choose a description that fits the kind of agency.")]
            return None, None
        subtype = subtype_id
    set_id = form.question_set.data or ""
    if set_id:
        question_set = registry().get(set_id)
        if question_set is None:
            form.question_set.errors = [_("That question set isn't available. Choose another.")]
            return None, None
    else:
        suggested = registry().for_agency_type(agency_type)
        if not suggested:
            form.question_set.errors = [_("There is no question set for this kind of agency "
                                          "yet. Choose one from the list.")]
            return None, None
        question_set = suggested[0]
    starts_at = None
    if form.date.data:
        local = datetime.combine(form.date.data, form.time.data or time(10, 0),
                                 tzinfo=_local_zone())
        starts_at = local.astimezone(ZoneInfo("UTC"))
    elif form.time.data:
        form.date.errors = [_("Add the date as well as the time.")]
        return None, None
    return service.Details(
        partnership_name=form.partnership_name.data,
        partnership_area=form.partnership_area.data,
        agency_name=form.agency_name.data,
        agency_type=agency_type,
        agency_subtype=subtype or None,
        purpose=form.purpose.data,
        starts_at=starts_at,
        place=form.place.data,
        video_link=form.video_link.data,
        question_set_id=question_set.id,
    ), question_set


# --- listing and preparing ------------------------------------------------------------------


@bp.get("/")
def home() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("conversations.index"))


@bp.get("/conversations")
@login_required
def index() -> Any:
    query = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    found = service.search(current_user, query, status or None)
    return render_template("conversations/index.html", conversations=found, query=query,
                           status=status, status_labels=STATUS_LABELS,
                           type_labels=AGENCY_TYPE_LABELS)


@bp.route("/conversations/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = ConversationForm()
    _fill_choices(form)
    if request.method == "GET" and request.args.get("agency_type") in AGENCY_TYPES:
        form.agency_type.data = request.args["agency_type"]
    if form.validate_on_submit():
        details, question_set = _details(form)
        if details is not None:
            conversation = service.create(current_user, details, question_set)
            flash(_("Conversation prepared. Now add who is taking part."), "success")
            return redirect(url_for("conversations.show", conversation_id=conversation.id))
    status = 422 if request.method == "POST" else 200
    return render_template("conversations/edit.html", form=form, conversation=None), status


@bp.get("/conversations/<int:conversation_id>")
@login_required
def show(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    plan = service.plan_for(conversation)
    return render_template(
        "conversations/show.html", conversation=conversation, plan=plan,
        participant_form=ParticipantForm(formdata=None), confirm=BaseForm(),
        display_code=service.display_code(conversation.join_code),
        type_labels=AGENCY_TYPE_LABELS, status_labels=STATUS_LABELS,
        open_actions=service.open_actions_before(conversation),
        follows=db.session.get(Conversation, conversation.follows_id)
        if conversation.follows_id else None,
    )


@bp.route("/conversations/<int:conversation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    form = ConversationForm(obj=conversation if request.method == "GET" else None)
    _fill_choices(form)
    if request.method == "GET":
        form.question_set.data = conversation.question_set_id
        form.agency_subtype.data = (f"{conversation.agency_type}:{conversation.agency_subtype}"
                                    if conversation.agency_subtype else "")
        if conversation.starts_at:
            local = conversation.starts_at.astimezone(_local_zone())
            form.date.data, form.time.data = local.date(), local.time().replace(second=0)
    if form.validate_on_submit():
        details, question_set = _details(form)
        if details is not None:
            if service.update_details(conversation, details, question_set):
                flash(_("Details saved."), "success")
                return redirect(url_for("conversations.show", conversation_id=conversation.id))
            form.question_set.errors = [_("The question set can't change once points have "
                                          "been captured. Start a follow-up instead.")]
    status = 422 if request.method == "POST" else 200
    return render_template("conversations/edit.html", form=form,
                           conversation=conversation), status


@bp.post("/conversations/<int:conversation_id>/participants")
@login_required
def add_participant(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        service.add_participant(conversation, name=form.name.data, role=form.role.data,
                                party=form.party.data, email=form.email.data,
                                may_be_named=form.may_be_named.data)
        flash(_("%(name)s added.", name=form.name.data), "success")
        return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                _anchor="participants"))
    plan = service.plan_for(conversation)
    return render_template(
        "conversations/show.html", conversation=conversation, plan=plan,
        participant_form=form, confirm=BaseForm(),
        display_code=service.display_code(conversation.join_code),
        type_labels=AGENCY_TYPE_LABELS, status_labels=STATUS_LABELS,
        open_actions=service.open_actions_before(conversation), follows=None,
    ), 422


@bp.route("/conversations/<int:conversation_id>/participants/<int:participant_id>",
          methods=["GET", "POST"])
@login_required
def edit_participant(conversation_id: int, participant_id: int) -> Any:
    conversation = _owned(conversation_id)
    participant = service.participant_or_404(conversation, participant_id)
    form = ParticipantForm(obj=participant if request.method == "GET" else None)
    if form.validate_on_submit():
        service.update_participant(conversation, participant, name=form.name.data,
                                   role=form.role.data, party=form.party.data,
                                   email=form.email.data, may_be_named=form.may_be_named.data,
                                   attended=form.attended.data)
        flash(_("Saved."), "success")
        return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                _anchor="participants"))
    status = 422 if request.method == "POST" else 200
    return render_template("conversations/participant.html", conversation=conversation,
                           participant=participant, form=form), status


@bp.post("/conversations/<int:conversation_id>/participants/<int:participant_id>/remove")
@login_required
def remove_participant(conversation_id: int, participant_id: int) -> Any:
    conversation = _owned(conversation_id)
    participant = service.participant_or_404(conversation, participant_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    service.remove_participant(conversation, participant)
    flash(_("Removed from the list."), "success")
    return redirect(url_for("conversations.show", conversation_id=conversation.id,
                            _anchor="participants"))


@bp.route("/conversations/<int:conversation_id>/plan", methods=["GET", "POST"])
@login_required
def plan(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    running = service.plan_for(conversation)
    form = BaseForm()
    errors: dict[str, str] = {}
    values: dict[str, tuple[bool, str]] = {
        s.id: (s.included, str(s.minutes)) for s in running.stages}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        plans = []
        for stage in running.stages:
            included = request.form.get(f"include-{stage.id}") == "on"
            raw = request.form.get(f"minutes-{stage.id}", "").strip()
            values[stage.id] = (included, raw[:10])
            if not raw.isdigit() or not 1 <= int(raw) <= MINUTES_MAX:
                errors[stage.id] = _("Enter a number of minutes from 1 to %(max)d.",
                                     max=MINUTES_MAX)
                continue
            plans.append(service.StagePlan(stage.id, included, int(raw)))
        if not any(v[0] for v in values.values()):
            errors["_all"] = _("Keep at least one stage.")
        if not errors:
            service.set_plan(conversation, plans)
            flash(_("Plan saved."), "success")
            return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                    _anchor="plan"))
    return render_template("conversations/plan.html", conversation=conversation, plan=running,
                           form=form, errors=errors, values=values,
                           minutes_max=MINUTES_MAX), (422 if errors else 200)


@bp.post("/conversations/<int:conversation_id>/follow-up")
@login_required
def follow_up(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    question_set = registry().get(conversation.question_set_id) or service.question_set_for(
        conversation)
    new = service.follow_up(conversation, current_user, question_set)
    flash(_("Follow-up prepared with the same parties and people. Set its date and purpose."),
          "success")
    return redirect(url_for("conversations.edit", conversation_id=new.id))


@bp.route("/conversations/<int:conversation_id>/delete", methods=["GET", "POST"])
@login_required
def delete(conversation_id: int) -> Any:
    """Delete a conversation for good, after the facilitator confirms."""
    conversation = _owned(conversation_id)
    form = DeleteForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            names = (conversation.partnership_name, conversation.agency_name)
            issued = bool(summary_service.versions(conversation))
            try:
                deleted = deleting.delete_conversation(conversation, files_now=False)
            except deleting.ArchiveError as exc:
                flash(_("Nothing was deleted: convo cannot move this conversation's issued "
                        "summaries in its archive (the folder %(folder)s). Ask your "
                        "administrator to check the archive can be written to, then try "
                        "again.", folder=str(exc)), "error")
                return _delete_page(_owned(conversation_id), form, 500)
            if deleted.files_left is not None:
                flash(_("The conversation is deleted, but its issued summaries could not be "
                        "removed from the archive. Ask your administrator to remove the folder "
                        "%(folder)s.", folder=deleted.files_left.name), "error")
            elif issued:
                flash(_("The conversation between %(partnership)s and %(agency)s is deleted, "
                        "with its issued summaries.", partnership=names[0], agency=names[1]),
                      "success")
            else:
                flash(_("The conversation between %(partnership)s and %(agency)s is deleted.",
                        partnership=names[0], agency=names[1]), "success")
            return redirect(url_for("conversations.index"))
        if form.csrf_token.errors:
            abort(400)
        status = 422
    return _delete_page(conversation, form, status)


def _delete_page(conversation: Conversation, form: DeleteForm, status: int) -> Any:
    """The page that says what deleting takes away, and asks to confirm."""
    return render_template(
        "conversations/delete.html", conversation=conversation, form=form,
        versions=len(summary_service.versions(conversation)),
        later=deleting.later_conversations(conversation),
        points=db.session.scalar(select(func.count()).select_from(Item).where(
            Item.conversation_id == conversation.id, Item.deleted_at.is_(None))) or 0,
    ), status


@bp.get("/conversations/<int:conversation_id>/export.json")
@login_required
def export_json(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    body = json.dumps(exporting.export(conversation), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="conversation-{conversation.id}.json"')
    return response


# --- running: status, navigation, screen ---------------------------------------------------


def _confirmed() -> None:
    if not BaseForm().validate_on_submit():
        abort(400)


@bp.post("/conversations/<int:conversation_id>/start")
@login_required
def start(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    service.start(conversation)
    return _done(conversation)


@bp.post("/conversations/<int:conversation_id>/close")
@login_required
def close(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    service.close(conversation)
    if wants_json():
        return _done(conversation)
    flash(_("The conversation is closed. Participants can no longer add to it; you can still "
            "correct it. Now write up the summary."), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id))


@bp.post("/conversations/<int:conversation_id>/reopen")
@login_required
def reopen(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    service.reopen(conversation)
    return _done(conversation, message=_("The conversation is open again."))


@bp.post("/conversations/<int:conversation_id>/go")
@login_required
def go(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    running = service.plan_for(conversation)
    steps = running.steps()
    here = (conversation.current_stage_id, conversation.current_question_id)
    direction = request.form.get("direction")
    if direction in ("next", "back"):
        index = steps.index(here) if here in steps else -1
        index = index + 1 if direction == "next" else index - 1
        if not 0 <= index < len(steps):
            return _done(conversation, anchor="question")
        target = steps[index]
    else:
        stage_id = request.form.get("stage", "")
        question_id = request.form.get("question") or None
        target = (stage_id, question_id)
        if target not in steps:
            return _refuse(_("That question isn't in this conversation's plan."), 404)
    state.go_to(conversation, target[0], target[1])
    return _done(conversation, anchor="question", stage=target[0], question=target[1])


@bp.post("/conversations/<int:conversation_id>/screen")
@login_required
def screen_mode(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    mode = request.form.get("mode", "")
    if mode not in SCREEN_MODES:
        return _refuse(_("Choose what the shared screen shows."), 400)
    conversation.screen_mode = mode
    state.bump(conversation)
    return _done(conversation, anchor="screen", mode=mode)


@bp.post("/conversations/<int:conversation_id>/questions")
@login_required
def add_question(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    form = AddQuestionForm()
    if not form.validate_on_submit():
        return _console(conversation, add_question_form=form, status=422)
    stage_id = conversation.current_stage_id or ""
    if service.plan_for(conversation).stage(stage_id) is None:
        return _refuse(_("Go to a stage first."), 422)
    service.add_question(conversation, stage_id, form.text.data, form.addressed_to.data)
    return _done(conversation, anchor="question")


@bp.route("/conversations/<int:conversation_id>/agreement", methods=["POST"])
@login_required
def agreement(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        if wants_json():
            return _refuse(_("Please check the agreement."), 422, form.errors)
        return _console(conversation, agreement_form=form, status=422)
    conversation.ground_rules = form.ground_rules.data or None
    conversation.contacts = form.contacts.data or None
    conversation.meeting_rhythm = form.meeting_rhythm.data or None
    conversation.next_conversation = form.next_conversation.data or None
    state.bump(conversation)
    return _done(conversation, anchor="agreement", message=_("Agreement saved."))


# --- capture -------------------------------------------------------------------------------


def _raised_by_choices(conversation: Conversation) -> list[tuple[str, str]]:
    return [(key, raised_by_label(key, conversation.partnership_name, conversation.agency_name))
            for key in RAISED_BY_KEYS]


def _capture_form(conversation: Conversation, formdata: Any = None) -> CaptureForm:
    form = CaptureForm(formdata=formdata) if formdata is not None else CaptureForm()
    form.raised_by.choices = as_choices(_raised_by_choices(conversation))
    return form


@bp.post("/conversations/<int:conversation_id>/items")
@login_required
def add_item(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    form = _capture_form(conversation)
    if not form.validate_on_submit():
        if wants_json():
            return _refuse(_("The point wasn't saved."), 422, form.errors)
        return _console(conversation, capture_form=form, status=422)
    running = service.plan_for(conversation)
    stage_id = form.stage_id.data or conversation.current_stage_id
    question_id = form.question_id.data or None
    if running.stage(stage_id) is None or (
            question_id and running.question(stage_id, question_id) is None):
        stage_id, question_id = conversation.current_stage_id, conversation.current_question_id
    client_id = (form.client_id.data or "")[:64] or uuid.uuid4().hex
    item, created = capture.add(
        conversation, client_id=client_id, text=form.text.data, kind=form.kind.data,
        raised_by=form.raised_by.data, stage_id=stage_id, question_id=question_id,
        author=capture.Author(facilitator_id=current_user.id))
    return _done(conversation, anchor="items", item_id=item.id, created=created)


def _item(conversation: Conversation, item_id: int) -> Item:
    return capture.item_or_404(conversation, item_id)


@bp.post("/conversations/<int:conversation_id>/items/<int:item_id>")
@login_required
def edit_item(conversation_id: int, item_id: int) -> Any:
    conversation = _owned(conversation_id)
    item = _item(conversation, item_id)
    form = EditItemForm()
    form.raised_by.choices = as_choices(_raised_by_choices(conversation))
    if not form.validate_on_submit():
        if wants_json():
            return _refuse(_("The change wasn't saved."), 422, form.errors)
        return _console(conversation, edit_forms={item.id: form}, status=422)
    capture.edit(conversation, item, capture.Author(facilitator_id=current_user.id),
                 text=form.text.data, kind=form.kind.data, raised_by=form.raised_by.data)
    return _done(conversation, anchor=f"item-{item.id}")


@bp.post("/conversations/<int:conversation_id>/items/<int:item_id>/<action>")
@login_required
def item_action(conversation_id: int, item_id: int, action: str) -> Any:
    conversation = _owned(conversation_id)
    item = _item(conversation, item_id)
    _confirmed()
    author = capture.Author(facilitator_id=current_user.id)
    if action == "delete":
        capture.delete(conversation, item)
        return _done(conversation, anchor="items", undo=item.id,
                     message=_("Deleted. You can undo this under \u201cRecently removed\u201d."))
    if action == "restore":
        capture.restore(conversation, item)
    elif action in ("hide", "show"):
        capture.set_hidden(conversation, item, action == "hide")
    elif action == "move":
        running = service.plan_for(conversation)
        stage_id = request.form.get("stage") or conversation.current_stage_id or ""
        question_id = request.form.get("question") or None
        if running.stage(stage_id) is None or (
                question_id and running.question(stage_id, question_id) is None):
            return _refuse(_("That question isn't in this conversation's plan."), 422)
        capture.move(conversation, item, author, stage_id, question_id)
    else:
        abort(404)
    return _done(conversation, anchor=f"item-{item.id}")


@bp.post("/conversations/<int:conversation_id>/items/merge")
@login_required
def merge_items(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    ids = [int(v) for v in request.form.getlist("item") if v.isdigit()][:50]
    if len(ids) < 2:
        return _refuse(_("Tick two or more points to merge them."), 422) if wants_json() else (
            _flash_back(conversation, _("Tick two or more points to merge them.")))
    items = [_item(conversation, i) for i in ids]
    capture.merge(conversation, items[0], items[1:], capture.Author(facilitator_id=current_user.id))
    return _done(conversation, anchor=f"item-{items[0].id}", item_id=items[0].id)


def _flash_back(conversation: Conversation, message: str) -> Any:
    flash(message, "error")
    return redirect(_console_url(conversation, "items"))


@bp.post("/conversations/<int:conversation_id>/items/<int:item_id>/action-details")
@login_required
def action_details(conversation_id: int, item_id: int) -> Any:
    conversation = _owned(conversation_id)
    item = _item(conversation, item_id)
    form = _action_form(conversation)
    if not form.validate_on_submit():
        if wants_json():
            return _refuse(_("The action wasn't saved."), 422, form.errors)
        return _console(conversation, action_forms={item.id: form}, status=422)
    owner_participant = None
    if form.owner_participant.data:
        if not form.owner_participant.data.isdigit():
            abort(400)
        owner_participant = service.participant_or_404(conversation,
                                                       int(form.owner_participant.data))
    party = form.owner_party.data or (owner_participant.party if owner_participant else None)
    if party not in (None, "partnership", "agency", "both"):
        abort(400)
    owner_name = form.owner_name.data or (owner_participant.public_name
                                          if owner_participant else None)
    capture.set_action(conversation, item, capture.ActionDetails(
        owner_name=owner_name, owner_participant_id=owner_participant.id
        if owner_participant else None, owner_party=party, due_date=form.due_date.data,
        due_by_next=form.due_by_next.data, first_step=form.first_step.data or None,
        agreed_by_both=form.agreed_by_both.data, status=form.status.data,
    ), capture.Author(facilitator_id=current_user.id))
    return _done(conversation, anchor=f"item-{item.id}", message=_("Action saved."))


def _action_form(conversation: Conversation, item: Item | None = None) -> ActionForm:
    form = ActionForm(obj=item, formdata=None) if item is not None else ActionForm()
    form.owner_participant.choices = as_choices([("", _("Not someone taking part"))] + [
        (str(p.id), f"{p.public_name} ({p.role})") for p in conversation.participants])
    form.owner_party.choices = as_choices([
        ("", _("Not stated")),
        ("partnership", conversation.partnership_name),
        ("agency", conversation.agency_name),
        ("both", _("Both")),
    ])
    if item is not None:
        form.owner_participant.data = str(item.owner_participant_id or "")
        form.owner_party.data = item.owner_party or ""
    return form


@bp.post("/conversations/<int:conversation_id>/previous-actions/<int:item_id>")
@login_required
def previous_action_status(conversation_id: int, item_id: int) -> Any:
    """Update the progress of an action agreed in the conversation this one follows."""
    conversation = _owned(conversation_id)
    _confirmed()
    if conversation.follows_id is None:
        abort(404)
    earlier = _owned(conversation.follows_id)
    item = _item(earlier, item_id)
    status = request.form.get("status", "")
    if status not in ACTION_STATUS_LABELS or item.kind != "action":
        return _refuse(_("Choose how the action is going."), 422)
    item.status = status
    state.bump(earlier)
    state.bump(conversation)
    return _done(conversation, anchor="previous-actions")


# --- ratings ---------------------------------------------------------------------------------


@bp.route("/conversations/<int:conversation_id>/ratings/<party>", methods=["GET", "POST"])
@login_required
def enter_ratings(conversation_id: int, party: str) -> Any:
    """The facilitator enters what a party says (for parties without their own devices)."""
    conversation = _owned(conversation_id)
    if party not in ratings.PARTIES:
        abort(404)
    running = service.plan_for(conversation)
    instruments = running.question_set.ratings
    form = BaseForm()
    errors: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            for instrument in instruments:
                for criterion in instrument.criteria:
                    for column in instrument.columns:
                        raw = request.form.get(f"{instrument.id}.{criterion.id}.{column}", "")
                        score = int(raw) if raw.isdigit() else None
                        if raw and score is None:
                            raise ratings.RatingError("score")
                        ratings.set_score(conversation, instrument, criterion.id, column, party,
                                          score)
            if running.question_set.relationship_types:
                ratings.set_relationship(conversation, running, party,
                                         request.form.get("now_type") or None,
                                         request.form.get("wanted_type") or None)
        except ratings.RatingError:
            db.session.rollback()
            errors.append(_("One of the answers wasn't one of the choices. Please check them."))
        else:
            flash(_("Ratings saved for %(party)s. They stay hidden until you reveal them.",
                    party=conversation.party_name(party)), "success")
            return redirect(_console_url(conversation, "ratings"))
    current = {instrument.id: ratings.scores_by(conversation, instrument.id, party)
               for instrument in instruments}
    choice = ratings.relationship_choices(conversation).get(party)
    return render_template("conversations/ratings.html", conversation=conversation,
                           party=party, plan=running, instruments=instruments, form=form,
                           current=current, choice=choice, errors=errors), (
        422 if errors else 200)


@bp.post("/conversations/<int:conversation_id>/ratings/reveal")
@login_required
def reveal_ratings(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    _confirmed()
    ratings.reveal(conversation, request.form.get("reveal", "1") == "1")
    return _done(conversation, anchor="ratings")


# --- the console ---------------------------------------------------------------------------


def _console_context(conversation: Conversation, **forms: Any) -> dict[str, Any]:
    running = service.plan_for(conversation)
    stage = running.stage(conversation.current_stage_id) or running.included[0]
    question = running.question(stage.id, conversation.current_question_id)
    items = capture.live_items(conversation)
    here = [i for i in items if i.stage_id == stage.id]
    actions = [i for i in items if i.kind == "action"]
    instrument = running.instrument(stage.rating) or (
        running.question_set.ratings[0] if running.question_set.ratings else None)
    comparison = ratings.compare(conversation, running, instrument) if instrument else None
    seconds = {row.stage_id: state.stage_seconds(row) for row in conversation.stages}
    steps = running.steps()
    position = steps.index((stage.id, question.id if question else None)) if (
        stage.id, question.id if question else None) in steps else 0
    capture_form = forms.get("capture_form") or _capture_form(conversation)
    if not capture_form.client_id.data:
        capture_form.client_id.data = uuid.uuid4().hex
    agreement_form = forms.get("agreement_form") or AgreementForm(obj=conversation,
                                                                  formdata=None)
    edit_forms = forms.get("edit_forms", {})
    action_forms = forms.get("action_forms", {})
    for item in actions:
        action_forms.setdefault(item.id, _action_form(conversation, item))
    from convo.live import devices

    return {
        "conversation": conversation,
        "plan": running,
        "stage": stage,
        "question": question,
        "items": items,
        "stage_items": here,
        "actions": actions,
        "removed": capture.recently_removed(conversation),
        "instrument": instrument,
        "comparison": comparison,
        "rated": ratings.rated_parties(conversation),
        "seconds": seconds,
        "at_start": position == 0,
        "at_end": position == len(steps) - 1,
        "capture_form": capture_form,
        "add_question_form": forms.get("add_question_form") or AddQuestionForm(formdata=None),
        "agreement_form": agreement_form,
        "edit_forms": edit_forms,
        "action_forms": action_forms,
        "confirm": BaseForm(),
        "raised_by_choices": _raised_by_choices(conversation),
        "kind_labels": KIND_LABELS,
        "kind_plurals": KIND_PLURALS,
        "kind_keys": KIND_KEYS,
        "raised_by_keys": RAISED_BY_KEYS,
        "screen_modes": SCREEN_MODE_LABELS,
        "status_labels": STATUS_LABELS,
        "action_status_labels": ACTION_STATUS_LABELS,
        "display_code": service.display_code(conversation.join_code),
        "devices": devices.devices_for(conversation),
        "earlier_actions": service.actions_before(conversation),  # done ones stay in view
        "raised_by_label": raised_by_label,
    }


def _console(conversation: Conversation, status: int = 200, **forms: Any) -> Any:
    return render_template("conversations/console.html",
                           **_console_context(conversation, **forms)), status


@bp.get("/conversations/<int:conversation_id>/console")
@login_required
def console(conversation_id: int) -> Any:
    return _console(_owned(conversation_id))


@bp.get("/conversations/<int:conversation_id>/console/view")
def console_view(conversation_id: int) -> Any:
    """The console's live parts, for its script to refresh when anyone changes anything.
    Asked every second: nothing new is answered in one query, before the account loads."""
    if (response := service.unchanged_for_owner(conversation_id)) is not None:
        return response
    return _console_view(conversation_id)


@login_required
def _console_view(conversation_id: int) -> Any:
    from convo.live.versioning import live_response, unchanged

    version = service.version_for_facilitator(conversation_id, current_user)
    if (response := unchanged(version)) is not None:
        return response
    conversation = _owned(conversation_id)
    return live_response(version, lambda: render_template(
        "conversations/_console_live.html", **_console_context(conversation)))
