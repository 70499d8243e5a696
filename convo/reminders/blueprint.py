"""Pages for people without accounts, reached from a reminder email (large, plain, for
phones), and the console's calendar: download the next conversation as .ics, send it.

/r/<token>       report how an action stands, once (a short note, a status)
/r/stop/<token>  no more reminders from this partnership (one click: RFC 8058's POST too)

A link that doesn't work — tampered, unknown (its action or partnership deleted), expired,
revoked, used already, its action deleted or merged — gets a page that says so plainly, and
changes nothing.  The person is named as the not-named rule names them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from convo.conversations.blueprint import confirmed, owned
from convo.conversations.naming import Public
from convo.core import clock, edits, storage
from convo.core.forms import merge_form
from convo.extensions import csrf, db
from convo.models import Conversation, Item, Participant, Partnership, ReminderOptOut
from convo.partnerships import tracker
from convo.reminders import calendar, tokens
from convo.reminders.forms import UpdateForm

bp = Blueprint("reminders", __name__)

PROBLEMS = {
    "tampered": 400, "unknown": 404, "revoked": 410, "expired": 410, "used": 409, "gone": 410,
}


def _problem_page(problem: str) -> Any:
    messages = {
        "tampered": _("This link isn't complete or has been changed. Open it again from your "
                      "email, or copy the whole address."),
        "unknown": _("This link no longer works: what it was about has been removed."),
        "revoked": _("This link has been cancelled by the facilitator."),
        "expired": _("This link has expired. The next reminder will bring a new one, or tell "
                     "the facilitator how it is going."),
        "used": _("This link has already been used to report progress, so it can't be used "
                  "again. Thank you. The next reminder will bring a new one."),
        "gone": _("This action has been removed from the conversation's record, so there is "
                  "nothing to update."),
    }
    return render_template("reminders/problem.html", message=messages[problem]), \
        PROBLEMS[problem]


def _context(link: Any) -> tuple[Item, Conversation, Participant] | None:
    item = db.session.get(Item, link.item_id)
    person = db.session.get(Participant, link.participant_id)
    conversation = db.session.get(Conversation, item.conversation_id) if item else None
    if item is None or person is None or conversation is None or not item.is_live:
        return None
    return item, conversation, person


@bp.route("/r/<token>", methods=["GET", "POST"])
def update(token: str) -> Any:
    opened = tokens.open_link(token, "update")
    if opened.problem:
        return _problem_page(opened.problem)
    link = opened.link
    assert link is not None
    found = _context(link)
    if found is None:
        return _problem_page("gone")
    item, conversation, person = found
    if request.method == "POST":
        storage.lock_conversation(conversation.id)
        db.session.refresh(link)
        db.session.refresh(item)
        if link.used_at is not None:
            return _problem_page("used")
        if not item.is_live:
            return _problem_page("gone")
    public = Public(conversation)
    current = {"status": item.status}
    form = UpdateForm(data={"status": item.status if item.status != "agreed" else "",
                            "note": ""}) if request.method == "GET" else UpdateForm()
    state = edits.EditState.of(current)
    status = 200
    if request.method == "POST":
        status = 422
        state = edits.EditState.refused(request.form, current, ())
        if form.validate_on_submit():
            merged = merge_form(form, current)
            if merged.ok:
                link.used_at = clock.utcnow()
                tracker.record_update(conversation, item, form.status.data, form.note.data,
                                      f"reminder:{person.id}", public.person(person))
                return render_template("reminders/thanks.html", what=public(item.text),
                                       status_label=form.status.data), 200
            status = 409
            state = edits.EditState.refused(request.form, current, merged.conflicts)
    return render_template("reminders/update.html", form=form, edit=state,
                           what=public(item.text), due=item.due_date, current=item.status,
                           name=public.person(person), partnership=public.partnership,
                           agency=public.agency, token=token), status


@bp.route("/r/stop/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail programs post here with no cookie; the token is the proof
def stop(token: str) -> Any:
    opened = tokens.open_link(token, "stop")
    if opened.problem in ("tampered", "unknown", "revoked"):
        return _problem_page(opened.problem or "unknown")
    link = opened.link
    assert link is not None
    person = db.session.get(Participant, link.participant_id)
    partnership = db.session.get(Partnership, link.partnership_id)
    if person is None or partnership is None or not person.email:
        return _problem_page("unknown")
    stopped = False
    if request.method == "POST":
        email = person.email.strip().lower()
        try:
            with db.session.begin_nested():
                db.session.add(ReminderOptOut(partnership_id=partnership.id, email=email,
                                              created_at=clock.utcnow()))
        except IntegrityError:
            pass  # stopped already: the same answer
        stopped = True
    return render_template("reminders/stop.html", stopped=stopped, token=token)


# --- the console's calendar ------------------------------------------------------------------


@bp.get("/conversations/<int:conversation_id>/next.ics")
@login_required
def download_ics(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    if conversation.next_at is None:
        flash(_("Give the next conversation a date first (under “What we agree”)."), "error")
        return redirect(url_for("conversations.console", conversation_id=conversation.id,
                                _anchor="live-agreement"))
    body = calendar.ics(conversation, "PUBLISH", conversation.invite_sequence or 0)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{calendar.ics_filename(conversation)}"')
    return response


@bp.post("/conversations/<int:conversation_id>/invitations")
@login_required
def send_invitations(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    count = calendar.invite(conversation)
    if count:
        flash(_("The invitation is on its way to %(count)d people.", count=count)
              if conversation.next_at else
              _("The cancellation is on its way to %(count)d people.", count=count), "success")
    else:
        flash(_("Nobody to send it to: add email addresses to the people taking part, and "
                "give the next conversation a date."), "error")
    return redirect(url_for("conversations.console", conversation_id=conversation.id,
                            _anchor="live-agreement"))
