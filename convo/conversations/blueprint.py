"""The facilitator's conversation pages: the blueprint, and what its views share.

The views live in views/ by what they are for — preparing.py (the list, preparing, people,
the plan, following up, deleting, exporting), console.py (running the conversation),
capturing.py (points and actions) and ratings.py — and all follow one order: load the
conversation (owned(): 404 unless it is yours, and locked for the rest of the request when the
request changes something), act through plain functions, then render or redirect.  Console
actions answer JSON to the console's script and redirect ordinary form posts, so everything
works without JavaScript too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from convo.conversations import service
from convo.conversations.labels import (ACTION_STATUS_LABELS, KIND_KEYS, KIND_LABELS,
                                        KIND_PLURALS, RAISED_BY_KEYS, SCREEN_MODE_LABELS,
                                        STATUS_LABELS, raised_by_label)
from convo.core import edits
from convo.core.forms import BaseForm, in_words, merge_form  # noqa: F401  (views use them)
from convo.extensions import db
from convo.models import Conversation
from convo.questions.labels import AGENCY_TYPE_LABELS

bp = Blueprint("conversations", __name__)


@bp.context_processor
def labels() -> dict[str, Any]:
    """Words for stored codes, the same on every page of the blueprint."""
    return {
        "kind_labels": KIND_LABELS, "kind_plurals": KIND_PLURALS, "kind_keys": KIND_KEYS,
        "raised_by_keys": RAISED_BY_KEYS, "screen_modes": SCREEN_MODE_LABELS,
        "status_labels": STATUS_LABELS, "action_status_labels": ACTION_STATUS_LABELS,
        "type_labels": AGENCY_TYPE_LABELS, "raised_by_label": raised_by_label,
    }


def wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or (
        request.accept_mimetypes.best == "application/json")


def owned(conversation_id: int) -> Conversation:
    """The signed-in facilitator's conversation (404 otherwise).  A request that changes
    something waits for, then holds, the conversation's lock before loading it, so it reads
    what others saved before it (storage.lock_conversation)."""
    return service.load_for_facilitator(conversation_id, current_user,
                                        lock=request.method not in ("GET", "HEAD"))


def console_url(conversation: Conversation, anchor: str | None = None) -> str:
    return url_for("conversations.console", conversation_id=conversation.id,
                   _anchor=anchor) if anchor else url_for(
        "conversations.console", conversation_id=conversation.id)


def done(conversation: Conversation, anchor: str | None = None, message: str | None = None,
         **payload: Any) -> Any:
    """The end of a successful console action: JSON for the script, a redirect for forms."""
    if wants_json():
        db.session.flush()
        return jsonify({"ok": True, "version": conversation.version, **payload})
    if message:
        flash(message, "success")
    return redirect(console_url(conversation, anchor))


def refuse(message: str, status: int = 422, errors: dict[str, list[str]] | None = None) -> Any:
    if wants_json():
        return jsonify({"ok": False, "message": message, "errors": errors or {}}), status
    abort(status)


def confirmed() -> None:
    """A post that carries no form of its own: only its CSRF token is checked."""
    if not BaseForm().validate_on_submit():
        abort(400)


def flash_back(conversation: Conversation, message: str) -> Any:
    flash(message, "error")
    return redirect(console_url(conversation, "items"))


def conflict_message() -> str:
    return _("Someone else changed this while you were working on it, so your change "
             "wasn't saved yet. Their words and yours are both shown: choose which to keep.")


def saved(conversation: Conversation, values: dict[str, Any], anchor: str,
          message: str | None = None) -> Any:
    """A successful save of fields: their values and fingerprints for the script (its next
    save is measured against them), a redirect for a form."""
    if wants_json():
        db.session.flush()
        return jsonify({**edits.saved_json(values), "version": conversation.version})
    if message:
        flash(message, "success")
    return redirect(console_url(conversation, anchor))


def conflicted(conflicts: list[edits.Conflict], page: Any) -> Any:
    """A save refused because someone else changed the same words: 409, with both wordings
    (JSON for the script; for a form, `page()` renders it again with the writer's words)."""
    if wants_json():
        return jsonify(edits.conflict_json(conflicts, conflict_message())), 409
    return page()


# The views register themselves on bp.
from convo.conversations.views import capturing, console, preparing, ratings  # noqa: E402,F401
