"""Before and around a conversation: the list, preparing it, its people and plan, following up,
deleting and exporting.

Editing the details, a person or the plan is saved against what the facilitator was shown
(core.edits): a change made meanwhile in another tab is kept, and the same field changed in
both is shown to the later writer to choose.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from convo.conversations import deleting, exporting, service
from convo.conversations import plan as plan_module
from convo.conversations.blueprint import bp, confirmed, merge_form, owned
from convo.conversations.capture import Author
from convo.conversations.forms import ConversationForm, DeleteForm, ParticipantForm
from convo.conversations.labels import STATUS_LABELS
from convo.core import edits, languages
from convo.core.forms import BaseForm, as_choices
from convo.extensions import db
from convo.models import Conversation, Item, Participant
from convo.questions.labels import AGENCY_TYPE_LABELS
from convo.questions.registry import registry
from convo.questions.schema import AGENCY_TYPES, QuestionSet, text_in
from convo.summary import service as summary_service

MINUTES_MAX = 240


def _author() -> str:
    return Author(facilitator_id=current_user.id).label


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
    form.language.choices = as_choices((lang.code, lang.name) for lang in
                                       languages.for_facilitators())
    form.also_in.choices = as_choices([("", _("No second language"))] + [
        (lang.code, lang.name) for lang in languages.offered()])


def _local_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))


# --- the details, as the form shows them --------------------------------------------------

DETAIL_FIELDS = ("partnership_name", "partnership_area", "agency_name", "agency_type",
                 "agency_subtype", "question_set", "purpose", "date", "time", "place",
                 "video_link", "language", "also_in")


def _details_values(conversation: Conversation) -> dict[str, Any]:
    """The conversation's details as the edit form shows them, field by field."""
    local = conversation.starts_at.astimezone(_local_zone()) if conversation.starts_at else None
    return {
        "partnership_name": conversation.partnership_name,
        "partnership_area": conversation.partnership_area or "",
        "agency_name": conversation.agency_name,
        "agency_type": conversation.agency_type,
        "agency_subtype": (f"{conversation.agency_type}:{conversation.agency_subtype}"
                           if conversation.agency_subtype else ""),
        "question_set": conversation.question_set_id,
        "purpose": conversation.purpose,
        "date": local.date() if local else None,
        "time": local.time().replace(second=0, microsecond=0) if local else None,
        "place": conversation.place or "",
        "video_link": conversation.video_link or "",
        "language": conversation.locale,
        "also_in": conversation.second_locale or "",
    }


def _form_values(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form[name].data for name in names}


def _details(values: dict[str, Any], form: ConversationForm,
             conversation: Conversation | None = None
             ) -> tuple[service.Details | None, QuestionSet | None]:
    """Details and the chosen question set from the form's values, or (None, None) with the
    reason put on the form's field.  A form sent without the language fields (an older page)
    keeps the conversation's languages, or gives a new one its facilitator's."""
    agency_type = values["agency_type"]
    subtype = values["agency_subtype"] or ""
    if subtype:
        kind, _sep, subtype_id = subtype.partition(":")
        if kind != agency_type or (kind, subtype_id) not in {
                (qs.agency_type, s.id) for qs in registry().all() for s in qs.subtypes}:
            form.agency_subtype.errors = [_("Choose a description that fits the kind of agency.")]
            return None, None
        subtype = subtype_id
    set_id = values["question_set"] or ""
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
    if values["date"]:
        local = datetime.combine(values["date"], values["time"] or time(10, 0),
                                 tzinfo=_local_zone())
        starts_at = local.astimezone(ZoneInfo("UTC"))
    elif values["time"]:
        form.date.errors = [_("Add the date as well as the time.")]
        return None, None
    language, also_in = values.get("language") or "", values.get("also_in") or ""
    if "language" not in request.form:
        language = conversation.locale if conversation else languages.default_for(current_user)
        also_in = (conversation.second_locale or "") if conversation else ""
    if language not in {lang.code for lang in languages.for_facilitators()}:
        form.language.errors = [_("Choose the conversation's language from the list.")]
        return None, None
    if also_in and not languages.is_offered(also_in):
        form.also_in.errors = [_("Choose a second language from the list, or none.")]
        return None, None
    if also_in == language:
        form.also_in.errors = [_("Choose a language other than the conversation's own, or "
                                 "none.")]
        return None, None
    return service.Details(
        partnership_name=values["partnership_name"],
        partnership_area=values["partnership_area"],
        agency_name=values["agency_name"],
        agency_type=agency_type,
        agency_subtype=subtype or None,
        purpose=values["purpose"],
        starts_at=starts_at,
        place=values["place"],
        video_link=values["video_link"],
        question_set_id=question_set.id,
        locale=language,
        second_locale=also_in or None,
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
                           status=status)


@bp.route("/conversations/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = ConversationForm()
    _fill_choices(form)
    if request.method == "GET" and request.args.get("agency_type") in AGENCY_TYPES:
        form.agency_type.data = request.args["agency_type"]
    if request.method == "GET":
        form.language.data = languages.default_for(current_user)
    if form.validate_on_submit():
        details, question_set = _details(_form_values(form, DETAIL_FIELDS), form)
        if details is not None and question_set is not None:
            conversation = service.create(current_user, details, question_set)
            flash(_("Conversation prepared. Now add who is taking part."), "success")
            return redirect(url_for("conversations.show", conversation_id=conversation.id))
    status = 422 if request.method == "POST" else 200
    return render_template("conversations/edit.html", form=form, conversation=None,
                           edit=None), status


def _show_page(conversation: Conversation, participant_form: ParticipantForm,
               status: int = 200) -> Any:
    return render_template(
        "conversations/show.html", conversation=conversation,
        plan=service.plan_for(conversation), participant_form=participant_form,
        confirm=BaseForm(), display_code=service.display_code(conversation.join_code),
        open_actions=service.open_actions_before(conversation),
        follows=db.session.get(Conversation, conversation.follows_id)
        if conversation.follows_id else None,
    ), status


@bp.get("/conversations/<int:conversation_id>")
@login_required
def show(conversation_id: int) -> Any:
    return _show_page(owned(conversation_id), ParticipantForm(formdata=None))


@bp.route("/conversations/<int:conversation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    current = _details_values(conversation)
    form = ConversationForm(data=current) if request.method == "GET" else ConversationForm()
    _fill_choices(form)
    state = edits.EditState.of(current)
    status = 200
    if request.method == "POST":
        status = 422
        state = edits.EditState.refused(request.form, current, ())
        if form.validate_on_submit():
            merged = merge_form(form, current)
            if not merged.ok:
                status = 409
                state = edits.EditState.refused(request.form, current, merged.conflicts)
            else:
                details, question_set = _details({**current, **merged.changes}, form,
                                                 conversation)
                if details is not None and question_set is not None:
                    if service.update_details(conversation, details, question_set, _author()):
                        flash(_("Details saved."), "success")
                        return redirect(url_for("conversations.show",
                                                conversation_id=conversation.id))
                    form.question_set.errors = [_("The question set can't change once points "
                                                  "have been noted down. Start a follow-up "
                                                  "instead.")]
    return render_template("conversations/edit.html", form=form, conversation=conversation,
                           edit=state), status


@bp.post("/conversations/<int:conversation_id>/participants")
@login_required
def add_participant(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        service.add_participant(conversation, name=form.name.data, role=form.role.data,
                                party=form.party.data, email=form.email.data,
                                may_be_named=form.may_be_named.data,
                                reminders=form.reminders.data)
        flash(_("%(name)s added.", name=form.name.data), "success")
        return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                _anchor="participants"))
    return _show_page(conversation, form, 422)


PARTICIPANT_FIELDS = ("name", "role", "party", "email", "may_be_named", "attended",
                      "reminders")


def _participant_values(participant: Participant) -> dict[str, Any]:
    return {name: getattr(participant, name) if name != "email" else participant.email or ""
            for name in PARTICIPANT_FIELDS}


@bp.route("/conversations/<int:conversation_id>/participants/<int:participant_id>",
          methods=["GET", "POST"])
@login_required
def edit_participant(conversation_id: int, participant_id: int) -> Any:
    conversation = owned(conversation_id)
    participant = service.participant_or_404(conversation, participant_id)
    current = _participant_values(participant)
    form = ParticipantForm(data=current) if request.method == "GET" else ParticipantForm()
    state = edits.EditState.of(current)
    status = 200
    if request.method == "POST":
        status = 422
        state = edits.EditState.refused(request.form, current, ())
        if form.validate_on_submit():
            merged = merge_form(form, current)
            if merged.ok:
                service.update_participant(conversation, participant, merged.changes,
                                           _author())
                flash(_("Saved."), "success")
                return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                        _anchor="participants"))
            status = 409
            state = edits.EditState.refused(request.form, current, merged.conflicts)
    return render_template("conversations/participant.html", conversation=conversation,
                           participant=participant, form=form, edit=state), status


@bp.post("/conversations/<int:conversation_id>/participants/<int:participant_id>/remove")
@login_required
def remove_participant(conversation_id: int, participant_id: int) -> Any:
    conversation = owned(conversation_id)
    participant = service.participant_or_404(conversation, participant_id)
    confirmed()
    service.remove_participant(conversation, participant)
    flash(_("Removed from the list."), "success")
    return redirect(url_for("conversations.show", conversation_id=conversation.id,
                            _anchor="participants"))


def _plan_values(running: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for stage in running.stages:
        values[f"include-{stage.id}"] = stage.included
        values[f"minutes-{stage.id}"] = str(stage.minutes)
    return values


def _order_from(raw: str | None, ids: list[str]) -> list[str] | None:
    """A stage order sent by the form ("open,know,..."): every stage once, or None."""
    order = [part for part in (raw or "").split(",") if part]
    return order if sorted(order) == sorted(ids) else None


@bp.route("/conversations/<int:conversation_id>/plan", methods=["GET", "POST"])
@login_required
def plan(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    running = service.plan_for(conversation)
    form = BaseForm()
    errors: dict[str, str] = {}
    current = _plan_values(running)
    shown = dict(current)
    state = edits.EditState.of(current)
    status = 200
    now_order = [s.id for s in running.stages]
    # The order shown (moves not saved yet stay in it), and the saved order the writer saw:
    # a save is measured against that, so another tab's moves meanwhile are kept.
    order, order_seen = list(now_order), list(now_order)
    order_clash: list[str] | None = None
    moved_stage: tuple[str, str] | None = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        sent_order = _order_from(request.form.get("order"), now_order)
        if sent_order is None:
            abort(400)
        seen_order = _order_from(request.form.get("order-seen"), now_order)
        seen_or_now = seen_order if seen_order is not None else list(now_order)
        sent = {name: (request.form.get(name) == "on") if name.startswith("include-")
                else request.form.get(name, "").strip()[:10] for name in current}
        shown = dict(sent)
        move = request.form.get("move", "")
        direction, _sep, stage_id = move.partition(":")
        if move:
            # Moving a stage changes the form, not the saved plan: it is saved with the rest.
            if direction not in ("up", "down") or stage_id not in now_order:
                abort(400)
            order = plan_module.moved(sent_order, stage_id, direction)
            order_seen = seen_or_now
            moved_stage = (stage_id, direction)
            state = edits.EditState.refused(request.form, current, ())
        else:
            if request.form.get("order-choice") == "theirs":
                sent_order, seen_order = list(now_order), list(now_order)
            # A hand-made form without the order it saw: any difference is the writer's to
            # choose (as a missing fingerprint is in core.edits).
            merged_order = plan_module.merge_order(seen_or_now, sent_order, now_order) \
                if seen_order is not None or sent_order == now_order else None
            order = sent_order if merged_order is None else merged_order
            if merged_order is None:
                order_clash = list(now_order)
            # Shown again (refused): measured next time against what this writer has seen.
            order_seen = list(now_order) if order_clash is not None else seen_or_now
            for stage in running.stages:
                raw = sent[f"minutes-{stage.id}"]
                if not raw.isdigit() or not 1 <= int(raw) <= MINUTES_MAX:
                    errors[stage.id] = _("Enter a number of minutes from 1 to %(max)d.",
                                         max=MINUTES_MAX)
            titles = {f"{prefix}-{s.id}": s.title for s in running.stages
                      for prefix in ("include", "minutes")}
            merged = edits.merge(current, sent, edits.seen_from(request.form, current), titles,
                                 edits.taken_from(request.form),
                                 display=lambda name, value: (
                                     (_("Used") if value else _("Not used"))
                                     if isinstance(value, bool) else str(value)))
            final = {**current, **merged.changes}
            if not any(final[f"include-{s.id}"] for s in running.stages):
                errors["_all"] = _("Keep at least one stage.")
            if not merged.ok or order_clash is not None:
                status = 409
                state = edits.EditState.refused(request.form, current, merged.conflicts)
            elif errors:
                status = 422
                state = edits.EditState.refused(request.form, current, ())
            else:
                service.set_plan(conversation, [
                    service.StagePlan(s.id, bool(final[f"include-{s.id}"]),
                                      int(final[f"minutes-{s.id}"])) for s in running.stages],
                    order=order)
                flash(_("Plan saved."), "success")
                return redirect(url_for("conversations.show", conversation_id=conversation.id,
                                        _anchor="plan"))
    by_id = {s.id: s for s in running.stages}
    stages = [by_id[stage_id] for stage_id in order]
    values = {s.id: (shown[f"include-{s.id}"], shown[f"minutes-{s.id}"]) for s in stages}
    titles_now = [by_id[stage_id].title for stage_id in order_clash] if order_clash else []
    return render_template("conversations/plan.html", conversation=conversation, plan=running,
                           stages=stages, order=order, order_seen=order_seen,
                           order_clash=titles_now, moved=moved_stage,
                           form=form, errors=errors, values=values, edit=state,
                           minutes_max=MINUTES_MAX, times=_clock_times(conversation, values),
                           start_minutes=_start_minutes(conversation)), status


def _start_minutes(conversation: Conversation) -> int | None:
    """The start time as minutes after midnight, UK time (None: no start time set)."""
    if conversation.starts_at is None:
        return None
    local = conversation.starts_at.astimezone(ZoneInfo("Europe/London"))
    return local.hour * 60 + local.minute


def _clock_times(conversation: Conversation, values: dict[str, Any]) -> dict[str, str]:
    """Each used stage's start and end on the clock ("10:00–10:08"), or in minutes from the
    start when no start time is set ("0:00–0:08"); the page's script keeps them up to date as
    minutes are typed."""
    start = _start_minutes(conversation) or 0
    times: dict[str, str] = {}
    for stage_id, (included, minutes) in values.items():
        raw = str(minutes)
        if not included or not raw.isdigit():
            times[stage_id] = ""
            continue
        end = start + int(raw)
        times[stage_id] = (f"{start // 60 % 24:d}:{start % 60:02d}–"
                           f"{end // 60 % 24:d}:{end % 60:02d}")
        start = end
    return times


@bp.post("/conversations/<int:conversation_id>/follow-up")
@login_required
def follow_up(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    question_set = registry().get(conversation.question_set_id) or service.question_set_for(
        conversation)
    new = service.follow_up(conversation, current_user, question_set)
    flash(_("Follow-up prepared with the same two sides and people. Set its date and purpose."),
          "success")
    return redirect(url_for("conversations.edit", conversation_id=new.id))


@bp.route("/conversations/<int:conversation_id>/delete", methods=["GET", "POST"])
@login_required
def delete(conversation_id: int) -> Any:
    """Delete a conversation for good, after the facilitator confirms."""
    conversation = owned(conversation_id)
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
                return _delete_page(owned(conversation_id), form, 500)
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
    conversation = owned(conversation_id)
    body = json.dumps(exporting.export(conversation), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="conversation-{conversation.id}.json"')
    return response


# --- the run sheet ------------------------------------------------------------------------------


@bp.route("/conversations/<int:conversation_id>/run-sheet", methods=["GET", "POST"])
@login_required
def run_sheet(conversation_id: int) -> Any:
    """The printable run sheet: asked for here, drawn by the background worker (the page
    follows it), downloaded once made."""
    from convo.conversations import runsheet

    conversation = owned(conversation_id)
    if request.method == "POST":
        confirmed()
        found = runsheet.request(conversation)
        if not found.ready and not found.waiting:
            flash(_("The run sheet couldn't be asked for just now. Please try again in a "
                    "moment."), "error")
        return redirect(url_for("conversations.run_sheet", conversation_id=conversation.id))
    return render_template("conversations/run_sheet_page.html", conversation=conversation,
                           sheet=runsheet.status(conversation), confirm=BaseForm())


@bp.get("/conversations/<int:conversation_id>/run-sheet.pdf")
@login_required
def run_sheet_pdf(conversation_id: int) -> Any:
    from flask import send_file

    from convo.conversations import runsheet

    conversation = owned(conversation_id)
    found = runsheet.status(conversation)
    if not found.ready:  # not made yet, or the plan changed since: the page says so
        return redirect(url_for("conversations.run_sheet", conversation_id=conversation.id))
    return send_file(runsheet.path_for(conversation.id, found.fingerprint),
                     mimetype="application/pdf", as_attachment=True,
                     download_name=f"run-sheet-{conversation.id}.pdf", max_age=0)
