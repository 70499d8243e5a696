"""A partnership's pages: the list, its details and criteria, the map (picture and table),
each relationship's entry and history, starting a conversation from the map, the action
tracker, reminders' settings, and the export.

Every view follows one order: load the partnership (owned(): 404 unless the facilitator may
see it, and locked for the rest of the request when the request changes something), act
through plain functions, then render or redirect.  Every form that edits something shared is
saved against what its writer was shown (core.edits), as the conversation's forms are.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional

from convo.conversations import service as conversations
from convo.conversations.blueprint import confirmed
from convo.conversations.labels import ACTION_STATUS_LABELS
from convo.conversations.views.preparing import _subtype_choices, _type_choices
from convo.core import edits, languages
from convo.core.forms import as_choices, merge_form
from convo.extensions import db
from convo.models import Conversation, Facilitator, Item, Partnership, Relationship
from convo.partnerships import history as history_module
from convo.partnerships import map as map_module
from convo.partnerships import mapping, service, tracker
from convo.partnerships.forms import (ActionUpdateForm, CoFacilitatorForm, CombineForm,
                                      PartnershipForm, RelationshipForm, ReminderSettingsForm)
from convo.partnerships.labels import FOCUS_LABELS, PURPOSE_LABELS
from convo.questions.labels import AGENCY_TYPE_LABELS
from convo.questions.registry import registry
from convo.ratings.over_time import trend_svg

bp = Blueprint("partnerships", __name__)


@bp.context_processor
def labels() -> dict[str, Any]:
    return {"action_status_labels": ACTION_STATUS_LABELS, "purpose_labels": PURPOSE_LABELS,
            "focus_labels": FOCUS_LABELS, "type_labels": AGENCY_TYPE_LABELS}


def owned(partnership_id: int) -> Partnership:
    """The partnership, if the signed-in facilitator may see it (404 otherwise); locked for
    the rest of a request that changes something."""
    return service.load_for(partnership_id, current_user,
                            lock=request.method not in ("GET", "HEAD"))


def _author() -> str:
    return f"facilitator:{current_user.id}"


def _locale() -> str:
    return str(get_locale() or "en_GB")


def _date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(tracker.LONDON).date()
    return format_date(value, "d MMMM y", locale=_locale())


def _attachment(body: Any, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _edited(form: Any, current: dict[str, Any],
            store: Any) -> tuple[Any, edits.EditState, int]:
    """A form that edits something shared, saved against what its writer was shown: on a GET
    a fresh state; on a POST the form checked, merged with the values now (the request holds
    the partnership's lock) and, if nothing clashed, `store(changes)` called, which answers
    the response to give (a redirect) or None when it refused (its reason on the form).
    (answer or None, the edit state to render, the status to render with)."""
    if request.method != "POST":
        return None, edits.EditState.of(current), 200
    state = edits.EditState.refused(request.form, current, ())
    if not form.validate_on_submit():
        return None, state, 422
    merged = merge_form(form, current, _words(form))
    if not merged.ok:
        return None, edits.EditState.refused(request.form, current, merged.conflicts), 409
    answer = store(merged.changes)
    return answer, state, 200 if answer is not None else 422


def _show(partnership: Partnership) -> Any:
    return redirect(url_for("partnerships.show", partnership_id=partnership.id))


# --- the list, a new partnership, combining two ----------------------------------------------


@bp.get("/partnerships")
@login_required
def index() -> Any:
    found = service.visible(current_user)
    return render_template("partnerships/index.html", partnerships=found,
                           likely=service.likely_the_same(found))


@bp.route("/partnerships/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = PartnershipForm()
    form.criteria.choices = _criteria_choices()
    if form.validate_on_submit():
        partnership = service.create(current_user, form.name.data, form.area.data)
        partnership.criteria = ",".join(form.criteria.data or [])
        flash(_("Partnership added. Now put its relationships on the map."), "success")
        return _show(partnership)
    return render_template("partnerships/edit.html", form=form, partnership=None,
                           edit=None), 422 if request.method == "POST" else 200


def _criteria_choices() -> list[Any]:
    return as_choices(map_module.criteria_titles(_locale()).items())


def _partnership_values(partnership: Partnership) -> dict[str, Any]:
    return {"name": partnership.name, "area": partnership.area or "",
            "criteria": partnership.criteria_ids}


@bp.route("/partnerships/<int:partnership_id>/edit", methods=["GET", "POST"])
@login_required
def edit(partnership_id: int) -> Any:
    partnership = owned(partnership_id)
    current = _partnership_values(partnership)
    form = PartnershipForm(data=current) if request.method == "GET" else PartnershipForm()
    form.criteria.choices = _criteria_choices()

    def store(changes: dict[str, Any]) -> Any:
        changes = dict(changes)
        if "criteria" in changes:
            partnership.criteria = ",".join(changes.pop("criteria") or [])
        service.save_details(partnership, changes, _author())
        flash(_("Saved."), "success")
        return _show(partnership)

    answer, state, status = _edited(form, current, store)
    if answer is not None:
        return answer
    return render_template("partnerships/edit.html", form=form, partnership=partnership,
                           edit=state), status


def _words(form: Any) -> Any:
    """A field's value in words for a conflict notice (lists of choices by their labels)."""
    from convo.core.forms import in_words

    plain = in_words(form)

    def words(name: str, value: Any) -> str:
        if isinstance(value, list):
            labels = {str(c.value): str(c.label) for c in form[name].choices}
            return ", ".join(labels.get(v, v) for v in value) or _("None")
        return plain(name, value)
    return words


@bp.route("/partnerships/<int:partnership_id>/combine/<int:other_id>", methods=["GET", "POST"])
@login_required
def combine(partnership_id: int, other_id: int) -> Any:
    """Two partnerships that are one (names that differ slightly): combined once the
    facilitator confirms; `other` joins this one."""
    partnership = owned(partnership_id)
    other = service.load_for(other_id, current_user, lock=False)
    if other.id == partnership.id:
        abort(404)
    form = CombineForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            service.combine(partnership, other, current_user, _author())
            flash(_("Combined: everything of %(other)s is now in %(name)s.", other=other.name,
                    name=partnership.name), "success")
            return _show(partnership)
        if form.csrf_token.errors:
            abort(400)
        status = 422
    return render_template("partnerships/combine.html", partnership=partnership, other=other,
                           form=form), status


@bp.post("/partnerships/<int:partnership_id>/facilitators")
@login_required
def add_facilitator(partnership_id: int) -> Any:
    partnership = owned(partnership_id)
    form = CoFacilitatorForm()
    if form.validate_on_submit():
        other = Facilitator.by_email(form.email.data.lower()) or Facilitator.by_email(
            form.email.data)
        if other is None or other.disabled:
            form.email.errors = [_("There is no convo account with that email address. Ask "
                                   "an administrator to add them first.")]
        else:
            service.grant(partnership, other.id, "co")
            flash(_("%(name)s can now see this partnership.", name=other.name), "success")
            return redirect(url_for("partnerships.show", partnership_id=partnership.id,
                                    _anchor="facilitators"))
    return _map_page(partnership, 422, facilitator_form=form)


@bp.post("/partnerships/<int:partnership_id>/facilitators/<int:facilitator_id>/remove")
@login_required
def remove_facilitator(partnership_id: int, facilitator_id: int) -> Any:
    """A co-facilitator no longer needed (or oneself, leaving): they stop seeing the
    partnership.  Whoever runs conversations in it keeps seeing it."""
    partnership = owned(partnership_id)
    confirmed()
    person = db.session.get(Facilitator, facilitator_id)
    if person is None:
        abort(404)
    if not service.revoke(partnership, facilitator_id):
        flash(_("%(name)s runs conversations with this partnership, so they keep seeing it. "
                "Their conversations would have to be deleted first.", name=person.name),
              "error")
    elif facilitator_id == current_user.id:
        flash(_("You no longer see %(partnership)s.", partnership=partnership.name), "success")
        return redirect(url_for("partnerships.index"))
    else:
        flash(_("%(name)s no longer sees this partnership.", name=person.name), "success")
    return redirect(url_for("partnerships.show", partnership_id=partnership.id,
                            _anchor="facilitators"))


# --- the map ------------------------------------------------------------------------------


def _map_page(partnership: Partnership, status: int = 200, **extra: Any) -> Any:
    view = map_module.build(partnership, locale=_locale())
    svg = map_module.map_svg(view, _("The relationship map of %(name)s", name=partnership.name),
                             _locale())
    return render_template(
        "partnerships/show.html", partnership=partnership, view=view, svg=svg,
        people=service.people_of(partnership, current_user),
        mapping_now=mapping.current(partnership),
        facilitators=[(person, role, service.runs_conversations(partnership, person.id))
                      for person, role in service.facilitators_of(partnership)],
        facilitator_form=extra.get("facilitator_form") or CoFacilitatorForm(formdata=None),
        conversations=list(db.session.scalars(select(Conversation).where(
            Conversation.partnership_id == partnership.id).order_by(
            Conversation.starts_at.desc().nulls_last(), Conversation.id.desc()))),
    ), status


@bp.get("/partnerships/<int:partnership_id>")
@login_required
def show(partnership_id: int) -> Any:
    return _map_page(owned(partnership_id))


def _relationship_form(partnership: Partnership, data: dict[str, Any] | None = None) -> Any:
    """The entry's form, with a score field for each of the partnership's criteria."""
    titles = map_module.criteria_titles(_locale())
    scores = as_choices([("", _("Not rated"))] + [(str(n), str(n)) for n in range(1, 6)])
    fields = {f"score_{c}": SelectField(titles[c], choices=scores, validators=[Optional()])
              for c in partnership.criteria_ids if c in titles}
    form_class = type("RelationshipEntryForm", (RelationshipForm,), fields)
    form = form_class(data=data) if data is not None else form_class()
    form.agency_type.choices = as_choices(_type_choices())
    form.agency_subtype.choices = _subtype_choices()
    types = list(map_module.relationship_types(_locale()).items())
    form.type_now.choices = as_choices([("", _("Not said"))] + types)
    form.type_wanted.choices = as_choices([("", _("Not said"))] + types)
    return form


def _relationship_values(partnership: Partnership, relationship: Relationship) -> dict[str, Any]:
    values: dict[str, Any] = {
        "agency_name": relationship.agency_name,
        "agency_type": relationship.agency_type,
        "agency_subtype": (f"{relationship.agency_type}:{relationship.agency_subtype}"
                           if relationship.agency_subtype else ""),
        "partnership_holders": relationship.partnership_holders or "",
        "agency_holders": relationship.agency_holders or "",
        "purposes": relationship.purpose_ids,
        "type_now": relationship.type_now or "",
        "type_wanted": relationship.type_wanted or "",
        "focus": relationship.focus or "",
        "notes": relationship.notes or "",
    }
    for criterion in partnership.criteria_ids:
        score = service.score_of(relationship, criterion)
        values[f"score_{criterion}"] = "" if score is None else str(score)
    return values


def _subtype_fits(form: Any, agency_type: str, subtype: str) -> str | None | bool:
    """The subtype's id if it fits the kind of agency ("" or None when not stated); False
    (with the reason on the form) when it doesn't."""
    if not subtype:
        return None
    kind, _sep, subtype_id = subtype.partition(":")
    if kind != agency_type or (kind, subtype_id) not in {
            (qs.agency_type, s.id) for qs in registry().all() for s in qs.subtypes}:
        form.agency_subtype.errors = [_("Choose a description that fits the kind of agency.")]
        return False
    return subtype_id


def _apply_entry(partnership: Partnership, relationship: Relationship,
                 changes: dict[str, Any], final: dict[str, Any], form: Any) -> bool:
    """Store an entry's merged changes; False (reason on the form) if refused."""
    changes = dict(changes)
    if "agency_type" in changes or "agency_subtype" in changes:
        subtype = _subtype_fits(form, final["agency_type"], final["agency_subtype"])
        if subtype is False:
            return False
        changes["agency_subtype"] = subtype
    if "purposes" in changes:
        changes["purposes"] = ",".join(p for p in changes["purposes"] or []
                                       if p in PURPOSE_LABELS)
    scores = {name[len("score_"):]: value for name, value in list(changes.items())
              if name.startswith("score_")}
    for name in list(changes):
        if name.startswith("score_"):
            del changes[name]
    try:
        service.save_relationship(partnership, relationship, changes, _author())
    except service.NameTaken:
        form.agency_name.errors = [_("This agency is already on the map.")]
        return False
    for criterion, value in scores.items():
        service.set_map_score(relationship, criterion, int(value) if value else None)
    return True


@bp.route("/partnerships/<int:partnership_id>/relationships/new", methods=["GET", "POST"])
@login_required
def new_relationship(partnership_id: int) -> Any:
    partnership = owned(partnership_id)
    form = _relationship_form(partnership)
    if form.validate_on_submit():
        subtype = _subtype_fits(form, form.agency_type.data, form.agency_subtype.data)
        wanted = service.match_name(form.agency_name.data)
        if any(r.match_name == wanted for r in partnership.relationships):
            form.agency_name.errors = [_("This agency is already on the map.")]
        elif subtype is not False:
            relationship = service.find_or_add_relationship(
                partnership, form.agency_name.data, form.agency_type.data, subtype or None)
            values = {name: form[name].data for name in _relationship_values(
                partnership, relationship)}
            values.pop("agency_name"), values.pop("agency_type"), values.pop("agency_subtype")
            if _apply_entry(partnership, relationship, values, values, form):
                flash(_("%(agency)s is on the map.", agency=relationship.agency_name), "success")
                return _show(partnership)
    return render_template("partnerships/relationship.html", partnership=partnership,
                           relationship=None, form=form, edit=None), (
        422 if request.method == "POST" else 200)


@bp.route("/partnerships/<int:partnership_id>/relationships/<int:relationship_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_relationship(partnership_id: int, relationship_id: int) -> Any:
    partnership = owned(partnership_id)
    relationship = service.relationship_or_404(partnership, relationship_id)
    current = _relationship_values(partnership, relationship)
    form = _relationship_form(partnership, current if request.method == "GET" else None)

    def store(changes: dict[str, Any]) -> Any:
        if not _apply_entry(partnership, relationship, changes, {**current, **changes}, form):
            return None
        flash(_("Saved."), "success")
        return redirect(url_for("partnerships.show", partnership_id=partnership.id,
                                _anchor=f"relationship-{relationship.id}"))

    answer, state, status = _edited(form, current, store)
    if answer is not None:
        return answer
    return render_template("partnerships/relationship.html", partnership=partnership,
                           relationship=relationship, form=form, edit=state), status


@bp.get("/partnerships/<int:partnership_id>/relationships/<int:relationship_id>")
@login_required
def relationship_history(partnership_id: int, relationship_id: int) -> Any:
    partnership = owned(partnership_id)
    relationship = service.relationship_or_404(partnership, relationship_id)
    found = history_module.build(partnership, relationship, current_user.id, _locale())
    charts = [trend_svg(trend, partnership_label=partnership.name,
                        agency_label=relationship.agency_name,
                        title=_("%(title)s: scores over time", title=trend.title),
                        locale=_locale()) for trend in found.trends]
    return render_template("partnerships/history.html", partnership=partnership,
                           relationship=relationship, history=found, charts=charts,
                           types=map_module.relationship_types(_locale()))


@bp.post("/partnerships/<int:partnership_id>/relationships/<int:relationship_id>/start")
@login_required
def start_conversation(partnership_id: int, relationship_id: int) -> Any:
    """Prepare a conversation about this relationship: a follow-up of the facilitator's latest
    one with this agency (its people, plan, agreement and open actions come with it), or a new
    one with the map's names."""
    partnership = owned(partnership_id)
    relationship = service.relationship_or_404(partnership, relationship_id)
    confirmed()
    earlier = [c for c in history_module.conversations_of(relationship)
               if c.facilitator_id == current_user.id]
    if earlier:
        latest = earlier[-1]
        question_set = registry().get(latest.question_set_id) or conversations.question_set_for(
            latest)
        new_one = conversations.follow_up(latest, current_user, question_set)
        flash(_("Conversation prepared as a follow-up of the last one with %(agency)s: the same "
                "people, plan and agreement, and the open actions. Set its date and purpose.",
                agency=relationship.agency_name), "success")
    else:
        suggested = registry().for_agency_type(relationship.agency_type)
        if not suggested:
            flash(_("There is no question set for this kind of agency yet: prepare the "
                    "conversation and choose one."), "error")
            return redirect(url_for("conversations.new"))
        purpose = (_("To develop our relationship with %(agency)s.",
                     agency=relationship.agency_name) if relationship.focus == "develop" else
                   _("To build on our relationship with %(agency)s.",
                     agency=relationship.agency_name))
        details = conversations.Details(
            partnership_name=partnership.name, partnership_area=partnership.area,
            agency_name=relationship.agency_name, agency_type=relationship.agency_type,
            agency_subtype=relationship.agency_subtype, purpose=purpose, starts_at=None,
            place=None, video_link=None, question_set_id=suggested[0].id,
            locale=languages.default_for(current_user))
        new_one = conversations.create(current_user, details, suggested[0], within=relationship)
        flash(_("Conversation prepared from the map. Check its purpose, set its date, then add "
                "who is taking part."), "success")
    service.bump(partnership)
    return redirect(url_for("conversations.edit", conversation_id=new_one.id))


# --- the action tracker --------------------------------------------------------------------


def _tracker_filters(partnership: Partnership) -> dict[str, Any]:
    relationship = request.args.get("agency", "")
    return {
        "relationship_id": int(relationship) if relationship.isdigit() and len(relationship) < 12
        and any(r.id == int(relationship) for r in partnership.relationships) else None,
        "owner": request.args.get("owner", "")[:200],
        "status": request.args.get("status", "") if request.args.get("status", "") in (
            *ACTION_STATUS_LABELS, "open", "overdue") else "",
    }


@bp.get("/partnerships/<int:partnership_id>/actions")
@login_required
def actions(partnership_id: int) -> Any:
    partnership = owned(partnership_id)
    filters = _tracker_filters(partnership)
    rows = tracker.actions(partnership, **filters)
    return render_template("partnerships/actions.html", partnership=partnership, rows=rows,
                           filters=filters, owners=tracker.owners(partnership),
                           today=tracker.today())


def _csv_headings() -> dict[str, str]:
    return {"action": _("Action"), "owner": _("Who"), "side": _("Which side"),
            "agency": _("Agency"), "conversation_date": _("Agreed in the conversation of"),
            "due": _("By when"), "status": _("Status"), "overdue": _("Overdue"),
            "last_update": _("Last update"), "last_update_by": _("Update from"),
            "last_update_at": _("Updated at"), "by_next": _("By the next conversation"),
            "yes": _("Yes")}


@bp.get("/partnerships/<int:partnership_id>/actions.csv")
@login_required
def actions_csv(partnership_id: int) -> Any:
    partnership = owned(partnership_id)
    rows = tracker.actions(partnership, **_tracker_filters(partnership))

    def party(conversation: Conversation, side: str) -> str:
        from convo.conversations.naming import Public

        return Public(conversation).raised_by(side) if side else ""

    body = tracker.csv_text(rows, _csv_headings(), party, _date)
    return _attachment("\ufeff" + body, "text/csv",
                       f"actions-partnership-{partnership.id}.csv")


def _tracked_item(partnership: Partnership, item_id: int) -> tuple[Item, Conversation]:
    item = db.session.get(Item, item_id)
    if item is None or item.kind != "action" or not item.is_live:
        abort(404)
    conversation = db.session.get(Conversation, item.conversation_id)
    if conversation is None or conversation.partnership_id != partnership.id:
        abort(404)
    return item, conversation


@bp.route("/partnerships/<int:partnership_id>/actions/<int:item_id>", methods=["GET", "POST"])
@login_required
def action(partnership_id: int, item_id: int) -> Any:
    """One action: how it stands, its updates, and a new update (its status saved against
    what was shown: someone else's change meanwhile is shown, not overwritten)."""
    partnership = owned(partnership_id)
    item, conversation = _tracked_item(partnership, item_id)
    if request.method == "POST":
        from convo.core import storage

        storage.lock_conversation(conversation.id)
        db.session.refresh(item)
    current = {"status": item.status}
    form = ActionUpdateForm(data={**current, "note": ""}) if request.method == "GET" \
        else ActionUpdateForm()

    def store(changes: dict[str, Any]) -> Any:
        tracker.record_update(conversation, item, changes.get("status", item.status),
                              form.note.data, _author(), current_user.name)
        flash(_("Update saved."), "success")
        return redirect(url_for("partnerships.actions", partnership_id=partnership.id))

    answer, state, status = _edited(form, current, store)
    if answer is not None:
        return answer
    return render_template("partnerships/action.html", partnership=partnership, item=item,
                           conversation=conversation, form=form, edit=state,
                           updates=tracker.updates_of(item),
                           owner=tracker.owner_of(item, conversation)), status


# --- reminders' settings -----------------------------------------------------------------------

REMINDER_FIELDS = ("reminders_on", "remind_days_before", "remind_overdue", "link_days")


@bp.route("/partnerships/<int:partnership_id>/reminders", methods=["GET", "POST"])
@login_required
def reminders(partnership_id: int) -> Any:
    from convo.reminders import sending

    partnership = owned(partnership_id)
    current = {name: getattr(partnership, name) for name in REMINDER_FIELDS}
    form = ReminderSettingsForm(data=current) if request.method == "GET" \
        else ReminderSettingsForm()

    def store(changes: dict[str, Any]) -> Any:
        for name, value in changes.items():
            setattr(partnership, name, value)
        service.bump(partnership)
        if partnership.reminders_on:
            sending.scan_soon(partnership.id)
        flash(_("Reminders are on.") if partnership.reminders_on else
              _("Reminders are off: nothing will be sent."), "success")
        return redirect(url_for("partnerships.reminders", partnership_id=partnership.id))

    answer, state, status = _edited(form, current, store)
    if answer is not None:
        return answer
    return render_template("partnerships/reminders.html", partnership=partnership, form=form,
                           edit=state, sends=sending.sends_of(partnership),
                           recipients=sending.recipients_of(partnership)), status


@bp.route("/partnerships/<int:partnership_id>/delete", methods=["GET", "POST"])
@login_required
def delete(partnership_id: int) -> Any:
    """Delete a partnership and everything in it, after the facilitator confirms."""
    from convo.conversations.deleting import ArchiveError
    from convo.partnerships import deleting
    from convo.partnerships.forms import DeleteForm

    partnership = owned(partnership_id)
    form = DeleteForm()
    status = 200
    others = deleting.others_conversations(partnership, current_user)
    if request.method == "POST":
        if form.validate_on_submit() and not others:
            name = partnership.name
            try:
                deleting.delete_partnership(partnership, current_user)
            except ArchiveError as exc:
                flash(_("Not everything was deleted: convo cannot move a conversation's issued "
                        "summaries in its archive (the folder %(folder)s). Ask your "
                        "administrator to check the archive can be written to, then try "
                        "again.", folder=str(exc)), "error")
                return redirect(url_for("partnerships.index"))
            flash(_("%(name)s is deleted, with its conversations and map.", name=name),
                  "success")
            return redirect(url_for("partnerships.index"))
        if form.csrf_token.errors:
            abort(400)
        status = 422
    count = len(list(db.session.scalars(select(Conversation.id).where(
        Conversation.partnership_id == partnership.id))))
    return render_template("partnerships/delete.html", partnership=partnership, form=form,
                           others=others, conversations=count), status


# --- the map to print, and the export -------------------------------------------------------


MAP_FILES = {"pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _map_print_state(partnership: Partnership, kind: str) -> tuple[str, Any]:
    """How the map's file stands for this visitor's language: "ready" (made, and the map
    unchanged since), "pending", "working", "failed", "stale" (made from an earlier map) or
    "none"; and the row."""
    from convo.partnerships import printing

    row = printing.find(partnership, kind)
    if row is None:
        return "none", None
    if not printing.is_current(row, partnership, _locale()):
        return ("working" if row.status == "working" else "stale"), row
    return ("ready" if row.status == "done" else row.status), row


@bp.get("/partnerships/<int:partnership_id>/map.<any(pdf, docx):kind>")
@login_required
def map_document(partnership_id: int, kind: str) -> Any:
    """The map as PDF or Word (people who asked not to be named by role: it leaves convo),
    once the worker has made it; until then, how far it has got."""
    from convo.jobs import status as jobs_status

    partnership = owned(partnership_id)
    state, row = _map_print_state(partnership, kind)
    if state == "ready":
        return _attachment(row.body, MAP_FILES[kind], f"relationship-map-{partnership.id}.{kind}")
    return render_template("partnerships/map_print.html", partnership=partnership, kind=kind,
                           state=state, row=row, worker=jobs_status.worker_status())


@bp.get("/partnerships/<int:partnership_id>/map.<any(pdf, docx):kind>/state")
@login_required
def map_document_state(partnership_id: int, kind: str) -> Any:
    """For the page's script: how the file stands, as JSON (never the file itself)."""
    partnership = owned(partnership_id)
    state, _row = _map_print_state(partnership, kind)
    response = jsonify(state=state)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/partnerships/<int:partnership_id>/map.<any(pdf, docx):kind>")
@login_required
def request_map_document(partnership_id: int, kind: str) -> Any:
    """Ask the worker for the file showing the map as it is now (a second click, or a second
    tab, finds the first request)."""
    from convo.partnerships import printing

    partnership = owned(partnership_id)
    confirmed()
    printing.request(partnership, kind, current_user, _locale())
    return redirect(url_for("partnerships.map_document", partnership_id=partnership.id,
                            kind=kind), 303)


@bp.get("/partnerships/<int:partnership_id>/export.json")
@login_required
def export_json(partnership_id: int) -> Any:
    from convo.partnerships import exporting

    partnership = owned(partnership_id)
    body = json.dumps(exporting.export(partnership), ensure_ascii=False, indent=2)
    return _attachment(body, "application/json", f"partnership-{partnership.id}.json")
