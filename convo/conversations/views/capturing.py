"""Capturing from the console: add points, change them (saved against what the facilitator was
shown: core.edits), move, hide, merge, delete and undo, and say who does an action by when."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from convo.conversations import capture, service
from convo.conversations import console as console_module
from convo.conversations.blueprint import (bp, confirmed, conflicted, done, flash_back,
                                           merge_form, owned, refuse, saved, wants_json)
from convo.conversations.labels import ACTION_STATUS_LABELS
from convo.conversations.views.console import render_console
from convo.core import edits
from convo.live import state
from convo.models import Conversation, Item


def _author() -> capture.Author:
    return capture.Author(facilitator_id=current_user.id)


def _item(conversation: Conversation, item_id: int) -> Item:
    return capture.item_or_404(conversation, item_id)


def _gone(conversation: Conversation, item: Item, words: str) -> Any:
    """A change to a point that was deleted or merged meanwhile: not saved, and said so, with
    the facilitator's words given back."""
    message = _("That point was deleted or combined with another while you were changing it, "
                "so your change wasn't saved. Undo the removal under “Recently removed” to "
                "change it again. Your words were: “%(words)s”", words=words)
    if wants_json():
        return jsonify({"ok": False, "gone": True, "message": message}), 409
    flash(message, "error")
    return render_console(conversation, 409)


@bp.post("/conversations/<int:conversation_id>/items")
@login_required
def add_item(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    form = console_module.capture_form(conversation)
    if not form.validate_on_submit():
        if wants_json():
            return refuse(_("The point wasn't saved."), 422, form.errors)
        return render_console(conversation, 422, capture_form_=form)
    stage_id, question_id = _placed(conversation, form.stage_id.data or None,
                                    form.question_id.data or None)
    client_id = (form.client_id.data or "")[:64] or uuid.uuid4().hex
    item, created = capture.add(
        conversation, client_id=client_id, text=form.text.data, kind=form.kind.data,
        raised_by=form.raised_by.data, stage_id=stage_id, question_id=question_id,
        author=_author())
    return done(conversation, anchor="items", item_id=item.id, created=created)


def _placed(conversation: Conversation, stage_id: str | None,
            question_id: str | None) -> tuple[str | None, str | None]:
    """Where a new point belongs: the stage and question the console showed when it was typed,
    if they are in this conversation's plan, else where the conversation stands now.  A point
    typed where the conversation stands (nearly every one) needs no look at the plan: the
    conversation only ever stands on a stage and question of its own plan."""
    here = conversation.current_stage_id, conversation.current_question_id
    stage_id = stage_id or here[0]
    if (stage_id, question_id) == here:
        return here
    running = service.plan_for(conversation)
    if running.stage(stage_id) is None or (
            question_id and running.question(stage_id, question_id) is None):
        return here
    return stage_id, question_id


def _merge_point_form(conversation: Conversation, item: Item, form: Any,
                      current: dict[str, Any], which: str, not_saved: str,
                      display: Any = None) -> tuple[Any, edits.Merge | None]:
    """What a point's two forms (its words; its action's details) share: a refused form is
    shown again, a point that went meanwhile is said so, a conflict shows both wordings —
    each answered here as (response, None) — or the merge to apply comes back as
    (None, merge).  `which` is "item" or "action": the console's keywords for the form."""
    def again(conflicts: tuple[edits.Conflict, ...] | list[edits.Conflict] = ()) -> Any:
        return {f"{which}_forms": {item.id: form}, f"{which}_edits": {
            item.id: edits.EditState.refused(request.form, current, conflicts)}}

    if not form.validate_on_submit():
        if wants_json():
            return refuse(not_saved, 422, form.errors), None
        return render_console(conversation, 422, **again()), None
    if not item.is_live:
        return _gone(conversation, item, form.text.data if which == "item" else item.text), None
    merged = merge_form(form, current, display)
    if not merged.ok:
        return conflicted(merged.conflicts, lambda: render_console(
            conversation, 409, **again(merged.conflicts))), None
    return None, merged


@bp.post("/conversations/<int:conversation_id>/items/<int:item_id>")
@login_required
def edit_item(conversation_id: int, item_id: int) -> Any:
    conversation = owned(conversation_id)
    item = _item(conversation, item_id)
    answer, merged = _merge_point_form(
        conversation, item, console_module.edit_item_form(conversation),
        console_module.item_values(item), "item", _("The change wasn't saved."),
        _item_words(conversation))
    if merged is None:
        return answer
    capture.edit(conversation, item, _author(), merged.changes)
    return saved(conversation, console_module.item_values(item), f"item-{item.id}")


def _item_words(conversation: Conversation) -> Any:
    """A point's kind or who raised it, in words, for a conflict notice."""
    from convo.conversations.labels import KIND_LABELS, raised_by_label

    def words(name: str, value: Any) -> str:
        if name == "kind":
            return str(KIND_LABELS.get(value, value))
        if name == "raised_by":
            return raised_by_label(value, conversation.partnership_name, conversation.agency_name)
        return str(value or "")
    return words


@bp.post("/conversations/<int:conversation_id>/items/<int:item_id>/<action>")
@login_required
def item_action(conversation_id: int, item_id: int, action: str) -> Any:
    conversation = owned(conversation_id)
    item = _item(conversation, item_id)
    confirmed()
    if action == "delete":
        capture.delete(conversation, item)
        return done(conversation, anchor="items", undo=item.id,
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
            return refuse(_("That question isn't in this conversation's plan."), 422)
        capture.move(conversation, item, _author(), stage_id, question_id)
    else:
        abort(404)
    return done(conversation, anchor=f"item-{item.id}")


@bp.post("/conversations/<int:conversation_id>/items/merge")
@login_required
def merge_items(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    ids = [int(v) for v in request.form.getlist("item") if v.isdigit()][:50]
    if len(ids) < 2:
        return refuse(_("Tick two or more points to combine them."), 422) if wants_json() else (
            flash_back(conversation, _("Tick two or more points to combine them.")))
    items = [_item(conversation, i) for i in ids]
    capture.merge(conversation, items[0], items[1:], _author())
    return done(conversation, anchor=f"item-{items[0].id}", item_id=items[0].id)


@bp.post("/conversations/<int:conversation_id>/items/<int:item_id>/action-details")
@login_required
def action_details(conversation_id: int, item_id: int) -> Any:
    conversation = owned(conversation_id)
    item = _item(conversation, item_id)
    current = console_module.action_values(item)
    answer, merged = _merge_point_form(
        conversation, item, console_module.action_form(conversation), current, "action",
        _("The action wasn't saved."))
    if merged is None:
        return answer
    final = {**current, **merged.changes}
    owner_participant = None
    if final["owner_participant"]:
        if not str(final["owner_participant"]).isdigit():
            abort(400)
        owner_participant = service.participant_or_404(conversation,
                                                       int(final["owner_participant"]))
    party = final["owner_party"] or (owner_participant.party if owner_participant else None)
    if party not in (None, "partnership", "agency", "both") or (
            final["status"] not in ACTION_STATUS_LABELS):
        abort(400)
    capture.set_action(conversation, item, capture.ActionDetails(
        owner_name=final["owner_name"] or (owner_participant.public_name
                                           if owner_participant else None),
        owner_participant_id=owner_participant.id if owner_participant else None,
        owner_party=party, due_date=final["due_date"], due_by_next=bool(final["due_by_next"]),
        first_step=final["first_step"] or None, agreed_by_both=bool(final["agreed_by_both"]),
        status=final["status"], commitment=final["commitment"],
    ), _author())
    return saved(conversation, console_module.action_values(item), f"item-{item.id}",
                 _("Action saved."))


@bp.post("/conversations/<int:conversation_id>/previous-actions/<int:item_id>")
@login_required
def previous_action_status(conversation_id: int, item_id: int) -> Any:
    """Update the progress of an action agreed in the conversation this one follows."""
    conversation = owned(conversation_id)
    confirmed()
    if conversation.follows_id is None:
        abort(404)
    earlier = owned(conversation.follows_id)
    item = _item(earlier, item_id)
    status = request.form.get("status", "")
    if status not in ACTION_STATUS_LABELS or item.kind != "action":
        return refuse(_("Choose how the action is going."), 422)
    from convo.partnerships.tracker import record_update

    if status != item.status or request.form.get("note", "").strip():
        record_update(earlier, item, status, request.form.get("note", "")[:1000],
                      _author().label, current_user.name)
    state.bump(conversation)
    return done(conversation, anchor="previous-actions")
