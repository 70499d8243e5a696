"""Running the conversation from the console: the page and its live regions, starting,
closing, moving between questions, what the shared screen shows, added questions, and the
agreement (saved against what the facilitator was shown: core.edits)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from convo.conversations import console as console_module
from convo.conversations import service
from convo.conversations.blueprint import (bp, confirmed, conflicted, done, merge_form, owned,
                                           refuse, saved, wants_json)
from convo.conversations.capture import Author
from convo.conversations.forms import AddQuestionForm, AgreementForm
from convo.core import edits
from convo.live import state
from convo.live import timer as timer_module
from convo.live.versioning import live_response, since, unchanged
from convo.models import Conversation
from convo.models.conversation import SCREEN_MODES


def render_console(conversation: Conversation, status: int = 200, **forms: Any) -> Any:
    """The whole console page; `forms` puts refused forms back (console.build's keywords)."""
    view = console_module.build(conversation, **forms)
    return render_template("conversations/console.html", console=view,
                           conversation=conversation), status


@bp.get("/conversations/<int:conversation_id>/console")
@login_required
def console(conversation_id: int) -> Any:
    return render_console(owned(conversation_id))


@bp.get("/conversations/<int:conversation_id>/console/view")
def console_view(conversation_id: int) -> Any:
    """The console's live parts, for its script to refresh when anyone changes anything.
    Asked every second: nothing new is answered in one query, before the account loads."""
    if (response := service.unchanged_for_owner(conversation_id)) is not None:
        return response
    # Signed out (or the session ended elsewhere): 401, which the console's script says
    # plainly, rather than a redirect to the sign-in page, whose HTML it would take for news.
    if not current_user.is_authenticated:
        abort(401)

    version = service.version_for_facilitator(conversation_id, current_user)
    if (response := unchanged(version)) is not None:
        return response
    conversation = owned(conversation_id)
    return live_response(version, lambda: render_template(
        "conversations/_console_live.html", console=console_module.build(conversation),
        conversation=conversation, points_only=_points_only(conversation)))


def _points_only(conversation: Conversation) -> bool:
    """Whether only the points and actions can have changed on this console since its regions
    were drawn: then only the regions that show them are drawn again, not the running order,
    the question, the side column or the agreement (most of the console's drawing, for the
    change made most often).

    The console asks with the version it has (`v`).  Everything but points and actions moves
    the phones' version to the version it makes (convo.live.state), so if the phones' version
    is no later than the console's, only points and actions moved since.  A console that kept
    a region as it was, because someone was typing in it, asks for the whole view (`whole`).
    A console page loaded before this (it says `pv`, the phones' version it drew at) is
    answered as it was then."""
    if request.args.get("whole"):
        return False
    drawn_at = request.args.get("pv")
    if drawn_at is not None:
        return drawn_at == str(conversation.phone_version)
    return conversation.phone_version <= since() <= conversation.version


@bp.post("/conversations/<int:conversation_id>/start")
@login_required
def start(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    service.start(conversation)
    return done(conversation)


@bp.post("/conversations/<int:conversation_id>/close")
@login_required
def close(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    service.close(conversation)
    if wants_json():
        return done(conversation)
    flash(_("The conversation is closed. Participants can no longer add to it; you can still "
            "correct it. Now write up the summary."), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id))


@bp.post("/conversations/<int:conversation_id>/reopen")
@login_required
def reopen(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    service.reopen(conversation)
    return done(conversation, message=_("The conversation is open again."))


@bp.post("/conversations/<int:conversation_id>/go")
@login_required
def go(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    running = service.plan_for(conversation)
    steps = running.steps()
    here = (conversation.current_stage_id, conversation.current_question_id)
    direction = request.form.get("direction")
    if direction in ("next", "back"):
        index = steps.index(here) if here in steps else -1
        index = index + 1 if direction == "next" else index - 1
        if not 0 <= index < len(steps):
            return done(conversation, anchor="question")
        target = steps[index]
    else:
        stage_id = request.form.get("stage", "")
        question_id = request.form.get("question") or None
        target = (stage_id, question_id)
        if target not in steps:
            return refuse(_("That question isn't in this conversation's plan."), 404)
    state.go_to(conversation, target[0], target[1])
    return done(conversation, anchor="question", stage=target[0], question=target[1])


@bp.post("/conversations/<int:conversation_id>/screen")
@login_required
def screen_mode(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    mode = request.form.get("mode", "")
    if mode not in SCREEN_MODES:
        return refuse(_("Choose what the shared screen shows."), 400)
    if conversation.screen_mode != mode:
        conversation.screen_page = 0
        conversation.screen_item_id = None
    conversation.screen_mode = mode
    state.bump(conversation)
    return done(conversation, anchor="screen", mode=mode)


def _whole_number(name: str, low: int, high: int) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw.isdigit() or len(raw) > 6 or not low <= int(raw) <= high:
        return None
    return int(raw)


def _refuse_back(conversation: Conversation, message: str, status: int, anchor: str,
                 **payload: Any) -> Any:
    """A refused console change: JSON with the reason for the script; for a form, the console
    again with the reason at the top (nothing was changed)."""
    from flask import jsonify

    if wants_json():
        return jsonify({"ok": False, "message": message, **payload}), status
    flash(message, "error")
    return redirect(url_for("conversations.console", conversation_id=conversation.id,
                            _anchor=anchor))


@bp.post("/conversations/<int:conversation_id>/timer")
@login_required
def timer(conversation_id: int) -> Any:
    """The shared screen's countdown: start, pause, resume, add minutes, stop.  Saved against
    the timer the console was shown (timer_version): a second tab's change on an older timer
    is refused with what the timer says now, so "add 5 minutes" twice never adds ten unseen."""
    conversation = owned(conversation_id)
    confirmed()
    # Not named "action": a form control of that name hides the form's own action.
    action = request.form.get("timer_action", "")
    if action not in timer_module.ACTIONS:
        return refuse(_("Choose what to do with the timer."), 400)
    seen = _whole_number("timer_version", 0, 10**6)
    if seen is None:
        return refuse(_("Reload the console and try again."), 400)
    minutes = None
    if action in ("start", "add") and request.form.get("minutes", "").strip():
        minutes = _whole_number("minutes", 1, timer_module.MAX_MINUTES)
        if minutes is None:
            return _refuse_back(conversation, _("Give the minutes as a whole number from 1 to "
                                                "%(max)d.", max=timer_module.MAX_MINUTES),
                                422, "timer")
    if conversation.status != "live":
        return _refuse_back(conversation, _("Start the conversation to use the timer."), 409,
                            "timer")
    try:
        timer_module.change(conversation, action, seen, minutes)
    except timer_module.StaleTimer:
        return _refuse_back(
            conversation, _("The timer was changed in another window, so this wasn't done. "
                            "It is shown as it is now: try again if you still need to."),
            409, "timer", timer_version=conversation.timer_version)
    return done(conversation, anchor="timer", timer_version=conversation.timer_version)


@bp.post("/conversations/<int:conversation_id>/screen/join-strip")
@login_required
def screen_join_strip(conversation_id: int) -> Any:
    """The join strip on every shared-screen view, on or off.  The form says which it wants
    (not "the other one"), so two console tabs pressing at once agree, and a second press
    changes nothing."""
    conversation = owned(conversation_id)
    confirmed()
    wanted = request.form.get("strip", "")
    if wanted not in ("on", "off"):
        return refuse(_("Choose whether the shared screen shows how to join."), 400)
    if conversation.screen_join_strip != (wanted == "on"):
        conversation.screen_join_strip = wanted == "on"
        state.bump(conversation)
    return done(conversation, anchor="screen", strip=wanted)


@bp.post("/conversations/<int:conversation_id>/screen/page")
@login_required
def screen_page(conversation_id: int) -> Any:
    """Which page of a long list the shared screen shows (counted from 1; 0: the newest).
    The page is named, not stepped, so two tabs asking for page 2 both get page 2."""
    conversation = owned(conversation_id)
    confirmed()
    page = _whole_number("page", 0, 10_000)
    if page is None:
        return refuse(_("Choose a page."), 400)
    conversation.screen_page = page
    state.bump(conversation)
    if request.form.get("back") == "summary" and not wants_json():  # turned from the summary
        return redirect(url_for("summary.draft", conversation_id=conversation.id))
    return done(conversation, anchor="screen", page=page)


@bp.post("/conversations/<int:conversation_id>/screen/point")
@login_required
def screen_point(conversation_id: int) -> Any:
    """Open one point in full on the shared screen (item), or close it (no item)."""
    from convo.conversations import capture as capture_module

    conversation = owned(conversation_id)
    confirmed()
    raw = request.form.get("item", "").strip()
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            abort(404)
        item = capture_module.item_or_404(conversation, int(raw))
        if item.deleted_at is not None or item.merged_into_id is not None:
            abort(404)
        if item.hidden:
            return _refuse_back(conversation, _("This point is hidden from the shared screen."),
                                409, "screen")
        if item.stage_id and item.stage_id != conversation.current_stage_id:
            state.go_to(conversation, item.stage_id, None)  # the screen lists a stage's points
        conversation.screen_item_id = item.id
        conversation.screen_mode = "items"
    else:
        conversation.screen_item_id = None
    conversation.screen_page = 0
    state.bump(conversation)
    return done(conversation, anchor="screen")


@bp.post("/conversations/<int:conversation_id>/questions")
@login_required
def add_question(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    form = AddQuestionForm()
    if not form.validate_on_submit():
        return render_console(conversation, 422, add_question_form=form)
    stage_id = conversation.current_stage_id or ""
    if service.plan_for(conversation).stage(stage_id) is None:
        return refuse(_("Go to a stage first."), 422)
    service.add_question(conversation, stage_id, form.text.data, form.addressed_to.data)
    return done(conversation, anchor="question")


@bp.post("/conversations/<int:conversation_id>/agreement")
@login_required
def agreement(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    form = AgreementForm()
    current = console_module.agreement_values(conversation)
    if not form.validate_on_submit():
        if wants_json():
            return refuse(_("Please check the agreement."), 422, form.errors)
        return render_console(conversation, 422, agreement_form=form,
                              agreement_edit=edits.EditState.refused(request.form, current, ()))
    merged = merge_form(form, current)
    if merged.ok and merged.changes.keys() & {"next_date", "next_time"}:
        final = {**current, **merged.changes}  # the moment is both: save them together
        if final["next_time"] and not final["next_date"]:
            form.next_date.errors = [_("Add the date as well as the time.")]
            if wants_json():
                return refuse(_("Please check the agreement."), 422, form.errors)
            return render_console(conversation, 422, agreement_form=form,
                                  agreement_edit=edits.EditState.refused(request.form, current,
                                                                         ()))
        merged.changes.update(next_date=final["next_date"], next_time=final["next_time"])
    if not merged.ok:
        return conflicted(merged.conflicts, lambda: render_console(
            conversation, 409, agreement_form=form,
            agreement_edit=edits.EditState.refused(request.form, current, merged.conflicts)))
    if merged.changes:
        service.save_agreement(conversation, merged.changes,
                               Author(facilitator_id=current_user.id).label)
    return saved(conversation, console_module.agreement_values(conversation), "live-agreement",
                 _("Agreement saved."))
