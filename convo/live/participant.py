"""Participants' own devices: join with the code, pick yourself, follow, add points, rate.

No account is needed.  Joining issues a device (see devices.py) whose token lives in the
browser's signed session; every /p page resolves the conversation from that device alone,
never from anything in the URL or the form, so a participant can reach nothing but their
own conversation.  Wrong codes slow only the browser that tried them (live.guessing); a person
who has already joined can't be taken over from another device without the facilitator's OK.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit

from flask import (Response, abort, current_app, flash, g, jsonify, make_response, redirect,
                   render_template, request, session, url_for)
from flask_babel import format_decimal, gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from convo.conversations import capture, service
from convo.conversations.capture import Author
from convo.conversations.naming import Public
from convo.conversations.plan import Plan
from convo.core import clock, edits, storage
from convo.core.forms import merge_form
from convo.core.errors import render_error, wants_json
from convo.core.i18n import PARTICIPANT_LOCALE, on_participant_path, participant_locales, reader_locale
from convo.extensions import db
from convo.live import devices, guessing
from convo.live.blueprint import bp
from convo.live.forms import (CLIENT_ID, PARTICIPANT_KINDS, EditItemForm, ItemForm, JoinForm,
                              too_long_message)
from convo.live.versioning import live_response, unchanged
from convo.models import Conversation, Device, Item, Participant
from convo.models.capture import TEXT_MAX
from convo.questions.schema import RatingInstrument, text_in
from convo.ratings import saving
from convo.ratings import service as ratings
from convo.ratings.compare import compare

PARTIES = ("partnership", "agency")


# --- join codes ---------------------------------------------------------------------------


def conversation_for_code(raw: str) -> Conversation | None:
    """The open conversation with this join code, or None: unknown and closed look the same."""
    code = service.normalise_code(raw or "")
    if len(code) != service.CODE_LENGTH:
        return None
    conversation = db.session.scalar(select(Conversation).where(Conversation.join_code == code))
    if conversation is None or conversation.is_closed:
        return None
    return conversation


def _too_many(wait: int) -> Response:
    minutes = -(-wait // 60)
    if wait > 60:
        message = _("Too many codes that didn't work have been tried on this phone or "
                    "computer, so it can't join for %(minutes)d minutes. Please ask the "
                    "facilitator for help.", minutes=minutes)
    else:
        message = _("Too many codes that didn't work have been tried on this phone or "
                    "computer. Please wait %(seconds)d seconds, then try again.", seconds=wait)
    form = JoinForm(formdata=None)
    response = make_response(render_template("live/join.html", form=form, stopped=message,
                                             joined=_joined_device()), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _doesnt_work(form: JoinForm) -> Response:
    """The same answer for a code that never existed and one whose conversation has closed."""
    form.code.errors = [_("Check the code against the shared screen and try again.")]
    return make_response(render_template("live/join.html", form=form, not_found=True,
                                         joined=_joined_device()), 404)


def _spent(form: JoinForm) -> Response:
    """The right code, but so many wrong ones were tried since it was issued that it admits
    no one new.  (Saying so gives a guesser nothing: the code never works again.)"""
    form.code.errors = [_("This code has been replaced. Ask the facilitator for the new one "
                          "on the shared screen.")]
    return make_response(render_template("live/join.html", form=form, not_found=True,
                                         joined=_joined_device()), 410)


def _joined_device() -> Device | None:
    """This browser's working device, if it has one: offer the way back to its page."""
    return devices.find(devices.token_in_session())


def _check_code(code: str, form: JoinForm) -> Conversation | Response:
    """The conversation a code opens for this browser, or the answer that refuses it.  Only
    this browser's own wrong codes can stop it (see convo.live.guessing)."""
    wait = guessing.seconds_to_wait()
    if wait:
        return _too_many(wait)
    conversation = conversation_for_code(code)
    if conversation is None:
        guessing.wrong_code()
        return _doesnt_work(form)
    if guessing.code_spent(conversation):
        return _spent(form)
    return conversation


@bp.route("/join", methods=["GET", "POST"])
def join() -> Any:
    form = JoinForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("live/join.html", form=form, joined=_joined_device()), 422
        found = _check_code(form.code.data, form)
        if isinstance(found, Response):
            return found
        return redirect(url_for("live.join_code", code=found.join_code))
    return render_template("live/join.html", form=form, joined=_joined_device())


@bp.route("/j/<code>", methods=["GET", "POST"])
def join_code(code: str) -> Any:
    """The QR code's link: who are you?  Choosing a name joins this device as them; if they
    have already joined on another device, this one waits for the facilitator's OK."""
    found = _check_code(code, JoinForm(formdata=None, code=code[:40]))
    if isinstance(found, Response):
        return found
    conversation = found

    error = None
    if request.method == "POST":  # CSRF is checked for every POST by CSRFProtect
        chosen = request.form.get("participant_id", "")
        participant = next((p for p in conversation.participants if str(p.id) == chosen), None)
        if participant is not None:
            current = devices.find(devices.token_in_session())
            if current is not None and current.participant_id == participant.id:
                return redirect(url_for("live.participant"))
            if current is not None:
                devices.revoke(current)  # this browser was someone else: it is them no longer
            _device, raw = devices.issue(conversation, participant)
            devices.remember(raw)
            return redirect(url_for("live.participant"))
        error = _("Choose your name from the list.")

    public = Public(conversation)
    groups = [(party, public.party(party),
               [p for p in conversation.participants if p.party == party]) for party in PARTIES]
    return render_template("live/pick.html", conversation=conversation, groups=groups,
                           error=error, joined=_joined_device(), public=public,
                           code=service.display_code(conversation.join_code)), (
        422 if error else 200)


# --- who is this device? -------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A participant at their own device: everything a /p page may touch hangs off this."""

    device: Device
    conversation: Conversation
    participant: Participant

    @property
    def author(self) -> Author:
        return Author(participant_id=self.participant.id)

    @property
    def rater(self) -> str:
        return ratings.person_rater(self.participant.id)


def _stop(status: int, reason: str) -> NoReturn:
    """Answer with the "closed" or "removed" page (or JSON for the page's script)."""
    messages = {
        "closed": _("This conversation has closed. Thank you for taking part."),
        "removed": _("It can't follow the conversation or add anything to it now."),
        "none": _("This phone or computer hasn't joined a conversation yet."),
        "waiting": _("This phone or computer is waiting for the facilitator to let it in."),
    }
    if wants_json():
        response = jsonify({"error": messages[reason], "reason": reason})
        response.status_code = status
    else:
        response = make_response(render_template("live/participant_gone.html", reason=reason,
                                                 message=messages[reason]), status)
    abort(response)


def _seat(*, write: bool = False, fragment: bool = False) -> Seat:
    """The device this browser joined with, or an answer that ends the request.

    A page without a device goes to /join; a live fragment gets 401 (so the page's script
    stops and reloads); a write gets 403.  Writes to a closed conversation get 403 too.  A
    device waiting for the facilitator's OK gets the waiting page (403 for writes and live
    fragments), until it is let in or its person's other device leaves.
    """
    page = not write and not fragment and request.method == "GET"
    raw = devices.token_in_session()
    if raw is None:
        if write:
            _stop(403, "none")
        if fragment:
            abort(make_response("", 401))
        abort(redirect(url_for("live.join")))
    device = devices.lookup(raw)
    if device is not None and request.method == "POST":
        # A change: wait for anyone else changing this conversation, then read it afresh.
        storage.lock_conversation(device.conversation_id)
        db.session.refresh(device)
    if device is None or device.revoked_at is not None or device.participant is None:
        _stop(403, "removed")
    conversation = db.session.get(Conversation, device.conversation_id)
    if conversation is None:
        _stop(403, "removed")
    if device.waiting:
        if devices.others_of(device.participant, but=device):
            _waiting(device, conversation, status=200 if page else 401 if fragment else 403)
        devices.let_in(device)  # the person's other device has left: nobody is taken over
    if write and conversation.is_closed:
        _stop(403, "closed")
    devices.touch(device)
    return Seat(device=device, conversation=conversation, participant=device.participant)


def _waiting(device: Device, conversation: Conversation, status: int) -> NoReturn:
    """This device chose someone who is already joined elsewhere: it waits to be let in."""
    if wants_json() or status != 200:
        response = jsonify({"error": _("This phone or computer is waiting for the "
                                       "facilitator to let it in."), "reason": "waiting"})
        response.status_code = status
        abort(response)
    abort(make_response(render_template("live/participant_waiting.html",
                                        conversation=conversation,
                                        participant=device.participant), status))


def new_client_id() -> str:
    return secrets.token_urlsafe(18)


def _instruments(plan: Plan) -> list[RatingInstrument]:
    """The rating instruments of the stages the facilitator kept in the plan."""
    wanted = [s.rating for s in plan.included if s.rating]
    return [i for i in plan.question_set.ratings if i.id in wanted]


def _relationship_types_asked(plan: Plan) -> bool:
    return bool(plan.question_set.relationship_types) and any(
        s.relationship_type for s in plan.included)


def _view_context(seat: Seat, plan: Plan | None = None) -> dict[str, Any]:
    conversation = seat.conversation
    plan = plan or service.plan_for(conversation, reader_locale())
    stage = plan.stage(conversation.current_stage_id)
    question = plan.question(conversation.current_stage_id, conversation.current_question_id)
    included = list(plan.included)
    stage_number = next((n for n, s in enumerate(included, 1)
                         if stage is not None and s.id == stage.id), None)
    can_rate = bool(_instruments(plan)) or _relationship_types_asked(plan)
    public = Public(conversation)
    if question is not None and question.added:  # typed by the facilitator
        question = replace(question, text=public(question.text))
    return {
        "conversation": conversation,
        "participant": seat.participant,
        # Every word from the conversation as it may reach a phone (naming.Public).
        "public": public,
        "me": public.person_in_sentence(seat.participant),
        "party_name": public.party(seat.participant.party),
        "stage": stage,
        "question": question,
        "stage_number": stage_number,
        "stage_count": len(included),
        "can_rate": can_rate,
        "time_to_rate": can_rate and not conversation.ratings_revealed and (
            conversation.screen_mode == "ratings" or (
            stage is not None and (stage.rating is not None or stage.relationship_type))),
        "closed": conversation.is_closed,
        "upcoming": conversation.status == "upcoming",
        # Your side has given its scores (shown as done, not asked for again).
        "side_rated": can_rate and seat.participant.party in ratings.rated_parties(conversation),
        "too_long_message": too_long_message("{count}"),
        "text_max": TEXT_MAX,
    }


def _my_items(seat: Seat) -> list[Item]:
    return list(db.session.scalars(select(Item).where(
        Item.conversation_id == seat.conversation.id,
        Item.participant_id == seat.participant.id,
        Item.deleted_at.is_(None),
        Item.merged_into_id.is_(None),
    ).order_by(Item.created_at, Item.id)))


def _kind_labels() -> dict[str, str]:
    return {key: str(label) for key, label in PARTICIPANT_KINDS}


def _participant_page(seat: Seat, form: ItemForm, status: int = 200) -> Any:
    context = _view_context(seat)
    return render_template("live/participant.html", form=form, items=_my_items(seat),
                           kind_labels=_kind_labels(), **context), status


def _fresh_item_form(seat: Seat) -> ItemForm:
    form = ItemForm(formdata=None)
    form.client_id.data = new_client_id()
    form.stage_id.data = seat.conversation.current_stage_id or ""
    form.question_id.data = seat.conversation.current_question_id or ""
    return form


def _errors_json(form: Any, status: int = 422) -> Response:
    messages = [str(e) for field in form if field.errors for e in field.errors]
    response = jsonify({"error": messages[0] if messages else _("That couldn't be saved."),
                        "errors": {f.name: [str(e) for e in f.errors] for f in form if f.errors}})
    response.status_code = status
    return response


# --- the participant's pages ----------------------------------------------------------------


@bp.get("/p")
def participant() -> Any:
    seat = _seat()
    return _participant_page(seat, _fresh_item_form(seat))


@bp.get("/p/view")
def participant_view() -> Response:
    """The live part of the page: where the conversation stands now."""
    version = devices.followed_version(devices.token_in_session())
    if version is not None and (response := unchanged(version)) is not None:
        # Nothing new, the device is fine and was seen lately: one query.  The log line names
        # no account (a phone has none), so none is loaded for it either.
        g.log_user = "-"
        return response
    seat = _seat(fragment=True)
    return live_response(seat.conversation.phone_version, lambda: render_template(
        "live/_participant_view.html", **_view_context(seat)))


def _place(plan: Plan, conversation: Conversation, stage_id: str | None,
           question_id: str | None) -> tuple[str | None, str | None]:
    """Where a point belongs: the question the person was looking at when they typed it (if it
    is in this conversation's plan), else wherever the conversation stands now."""
    if stage_id and plan.stage(stage_id) is not None:
        if question_id and plan.question(stage_id, question_id) is None:
            question_id = None
        return stage_id, question_id or None
    return conversation.current_stage_id, conversation.current_question_id


def _too_fast(seat: Seat, client_id: str) -> int:
    """0 if this person may add a point now, else the seconds until they may: at most
    PARTICIPANT_POINTS_PER_MINUTE in any minute, from all their devices together.  A point
    sent again (the same client id, already stored) is always answered as before."""
    if capture.find_by_client_id(seat.conversation, client_id) is not None:
        return 0
    limit = int(current_app.config["PARTICIPANT_POINTS_PER_MINUTE"])
    now = clock.utcnow()
    recent = capture.added_since(seat.conversation, seat.participant.id,
                                 now - timedelta(minutes=1), limit)
    if len(recent) < limit:
        return 0
    return max(1, math.ceil(60 - (now - recent[0]).total_seconds()))


def _slow_down(seat: Seat, form: ItemForm, wait: int) -> Any:
    """429: slow down.  The point isn't stored, and isn't lost: the page's script keeps it
    and sends it again; without the script it is back in the box with the message."""
    message = _("You're adding points faster than convo accepts. Please wait %(seconds)d "
                "seconds, then send this one again.", seconds=wait)
    if wants_json():
        response = jsonify({"error": message, "reason": "slow_down", "retry_after": wait})
        response.status_code = 429
    else:
        form.text.errors = [*form.text.errors, message]
        response = make_response(*_participant_page(seat, form, 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.post("/p/items")
def participant_add() -> Any:
    seat = _seat(write=True)
    form = ItemForm()
    if not CLIENT_ID.fullmatch(form.client_id.data or ""):
        form.client_id.data = new_client_id()
    if not form.validate():
        if wants_json():
            return _errors_json(form)
        return _participant_page(seat, form, 422)
    conversation = seat.conversation
    wait = _too_fast(seat, form.client_id.data)
    if wait:
        return _slow_down(seat, form, wait)
    stage_id, question_id = _place(service.plan_for(conversation), conversation,
                                   form.stage_id.data, form.question_id.data)
    item, created = capture.add(
        conversation, client_id=form.client_id.data, text=form.text.data, kind=form.kind.data,
        raised_by=seat.participant.party, stage_id=stage_id, question_id=question_id,
        author=seat.author)
    if item.participant_id != seat.participant.id:
        # Someone else's point already has this client id: never show it, ask for a new id.
        response = jsonify({"error": _("Please send that again."), "reason": "client_id"})
        response.status_code = 409
        return response if wants_json() else abort(409)
    if wants_json():
        response = jsonify({
            "ok": True, "created": created, "id": item.id, "client_id": item.client_id,
            "html": render_template("live/_my_item.html", item=item, kind_labels=_kind_labels(),
                                    closed=False, public=Public(conversation))})
        response.status_code = 201 if created else 200
        return response
    flash(_("Thank you. Your point is saved."), "success")
    return redirect(url_for("live.participant", _anchor="your-points"))


def _own_item(seat: Seat, item_id: int) -> Item:
    """One of this person's own points (deleted or merged ones too: the caller says so)."""
    item = db.session.get(Item, item_id)
    if (item is None or item.conversation_id != seat.conversation.id
            or item.participant_id != seat.participant.id):
        abort(404)
    return item


@bp.route("/p/items/<int:item_id>", methods=["GET", "POST"])
def participant_edit(item_id: int) -> Any:
    """Change one of your own points while the conversation is open, saved against what you
    were shown (core.edits): if the facilitator reworded it meanwhile, you see both."""
    seat = _seat(write=request.method == "POST")
    if seat.conversation.is_closed:
        _stop(403, "closed")
    item = _own_item(seat, item_id)
    current = {"text": item.text, "kind": item.kind}
    form = EditItemForm(data=current) if request.method == "GET" else EditItemForm()
    state = edits.EditState.of(current)
    status = 200
    if request.method == "POST":
        status = 422
        state = edits.EditState.refused(request.form, current, ())
        if not item.is_live:
            return _gone(form.text.data or "")
        if form.validate():
            merged = merge_form(form, current, lambda name, value: (
                _kind_labels().get(value, value) if name == "kind" else str(value)))
            if merged.ok:
                capture.edit(seat.conversation, item, seat.author, merged.changes)
                if wants_json():
                    return jsonify(edits.saved_json({"text": item.text, "kind": item.kind}))
                flash(_("Your change is saved."), "success")
                return redirect(url_for("live.participant", _anchor=f"item-{item.id}"))
            if wants_json():
                return jsonify(edits.conflict_json(merged.conflicts, _conflict_message())), 409
            state = edits.EditState.refused(request.form, current, merged.conflicts)
            status = 409
        elif wants_json():
            return _errors_json(form)
    return render_template("live/participant_edit.html", form=form, item=item, edit=state,
                           **_view_context(seat)), status


def _conflict_message() -> str:
    return _("Someone else changed this while you were changing it, so yours isn't saved "
             "yet. Both are shown: choose which to keep.")


def _gone(words: str) -> Any:
    """A change to a point the facilitator removed meanwhile: not saved, and said so, with the
    words given back."""
    message = _("The facilitator removed or combined this point while you were changing it, "
                "so your change wasn't saved. Your words were: “%(words)s”", words=words)
    if wants_json():
        return jsonify({"ok": False, "gone": True, "message": message}), 409
    flash(message, "error")
    return redirect(url_for("live.participant", _anchor="your-points"))


# --- ratings, privately -------------------------------------------------------------------


def score_field(instrument: RatingInstrument, criterion_id: str, column: str) -> str:
    return f"score-{instrument.id}-{criterion_id}-{column}"


RELATIONSHIP_FIELDS = ("relationship_now", "relationship_wanted")


def _score_form(seat: Seat, plan: Plan, instruments: list[RatingInstrument]) -> saving.ScoreForm:
    return saving.ScoreForm.of(plan, instruments, score_field,
                               RELATIONSHIP_FIELDS if _relationship_types_asked(plan) else None,
                               reader_locale())


def _fmt_score(value: float | None) -> str:
    return _("Not given") if value is None else format_decimal(value, "0.#")


@bp.route("/p/ratings", methods=["GET", "POST"])
def participant_ratings() -> Any:
    """Your own scores, for your side.  The other side's appear only once the facilitator
    reveals both, and then only as each side's overall score.  However the scores arrive —
    chosen one by one, the button, both at once, sent again after a dropped connection — each
    is stored once (ratings.saving)."""
    seat = _seat(write=request.method == "POST")
    conversation = seat.conversation
    plan = service.plan_for(conversation, reader_locale())
    instruments = _instruments(plan)
    spec = _score_form(seat, plan, instruments)
    party = seat.participant.party
    current = spec.values(conversation, party, seat.rater)
    chosen = dict(current)
    state = edits.EditState.of(current)
    problem = None
    status = 200
    if request.method == "POST":  # CSRF is checked for every POST by CSRFProtect
        chosen.update({name: request.form[name] for name in current if name in request.form})
        try:
            merged = saving.save(conversation, plan, spec, party, request.form,
                                 rater=seat.rater, entered_by="device")
        except ratings.RatingError:
            problem = _("Some answers weren't ones this form offers, so nothing was saved. "
                        "Please choose again.")
            state, status = edits.EditState.refused(request.form, current, ()), 422
            if wants_json():
                response = jsonify({"ok": False, "error": problem})
                response.status_code = 422
                return response
        else:
            if merged.ok:
                if wants_json():
                    return jsonify(edits.saved_json(spec.values(conversation, party,
                                                                seat.rater)))
                flash(_("Thank you. Your answers are saved."), "success")
                return redirect(url_for("live.participant_ratings"))
            if wants_json():
                return jsonify(edits.conflict_json(merged.conflicts, _conflict_message())), 409
            problem = _conflict_message()
            state, status = edits.EditState.refused(request.form, current,
                                                    merged.conflicts), 409

    locale, fallback = reader_locale(), plan.question_set.locale
    comparisons = ([compare(conversation, plan, i, locale) for i in instruments]
                   if conversation.ratings_revealed else [])
    return render_template(
        "live/participant_ratings.html",
        instruments=instruments, chosen=chosen, edit=state,
        relationship_types=(plan.question_set.relationship_types
                            if _relationship_types_asked(plan) else []),
        comparisons=comparisons, problem=problem, text_in=text_in, fmt_score=_fmt_score,
        locale=locale,
        fallback=fallback, score_field=score_field, **_view_context(seat, plan),
    ), status


@bp.post("/p/language")
def participant_language() -> Any:
    """The language of this phone's pages, chosen on the phone: the participant's own,
    whatever the facilitator and the conversation use.  Works before joining too (the join
    page offers it), and changes nothing but this browser's session."""
    back = request.form.get("next", "")
    if not (back.startswith("/") and not back.startswith("//") and "\\" not in back
            and on_participant_path(urlsplit(back).path)):
        back = url_for("live.join")
    code = request.form.get("language", "")
    if code not in participant_locales():
        return render_error(422, _("Choose a language from the list"), _(
            "That language isn't one convo offers. Go back and choose one from the list."))
    session[PARTICIPANT_LOCALE] = code
    return redirect(back, 303)


@bp.post("/p/leave")
def participant_leave() -> Any:
    """Forget this device: the token stops working and leaves the browser."""
    device = devices.lookup(devices.token_in_session())
    if device is not None:
        devices.revoke(device)
    devices.forget()
    flash(_("You have left the conversation on this phone or computer. To join again, type "
            "the code from the shared screen."), "success")
    return redirect(url_for("live.join"))


# --- the facilitator's side -----------------------------------------------------------------


def console_url(conversation: Conversation) -> str:
    try:
        return url_for("conversations.console", conversation_id=conversation.id)
    except BuildError:  # the console's blueprint isn't registered (yet)
        return f"/conversations/{conversation.id}/console"


def _same_site_referrer() -> str | None:
    referrer = request.referrer
    if not referrer or len(referrer) > 2000:
        return None
    parts = urlsplit(referrer)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _back_to_console(conversation: Conversation, message: str) -> Any:
    """The end of a facilitator's button here: JSON for the console's script (its live view
    then shows the change), else the message and back to the page it was pressed on."""
    if wants_json():
        db.session.flush()
        return jsonify({"ok": True, "version": conversation.version, "message": message})
    flash(message, "success")
    return redirect(_same_site_referrer() or console_url(conversation))


@bp.post("/c/<int:conversation_id>/devices/<int:device_id>/revoke")
@login_required
def revoke_device(conversation_id: int, device_id: int) -> Any:
    conversation = service.load_for_facilitator(conversation_id, current_user)
    device = devices.device_or_none(conversation, device_id)
    if device is None:
        abort(404)
    devices.revoke(device)
    name = device.participant.public_name if device.participant else _("someone")
    return _back_to_console(conversation, _(
        "%(name)s's phone or computer has been removed from the conversation. If that was a "
        "mistake, they can join again with the code.", name=name))


@bp.post("/c/<int:conversation_id>/devices/<int:device_id>/let-in")
@login_required
def let_in_device(conversation_id: int, device_id: int) -> Any:
    """The facilitator's OK for a device waiting to act as someone already joined elsewhere."""
    conversation = service.load_for_facilitator(conversation_id, current_user)
    device = devices.device_or_none(conversation, device_id)
    if device is None or device.participant is None:
        abort(404)
    devices.let_in(device)
    return _back_to_console(conversation, _(
        "%(name)s's second phone or computer is let in. If their first one isn't theirs any "
        "more, remove it.", name=device.participant.public_name))


@bp.post("/c/<int:conversation_id>/join-code")
@login_required
def replace_join_code(conversation_id: int) -> Any:
    """A new join code in one click, for when the old one may be under guessing."""
    conversation = service.load_for_facilitator(conversation_id, current_user)
    if conversation.is_closed:
        abort(409)
    service.replace_join_code(conversation)
    return _back_to_console(conversation, _(
        "The join code is now %(code)s. People already joined stay joined; the shared screen "
        "shows the new code.", code=service.display_code(conversation.join_code)))


@bp.app_template_global()
def code_guessing(conversation: Conversation) -> guessing.Guessing:
    """For the console's devices list: whether this conversation's code is under guessing."""
    return guessing.for_console(conversation)


# --- the summary: read it, and approve it for your side ------------------------------------------


@bp.get("/p/summary")
def participant_summary() -> Any:
    """The draft summary as it reads now, and your side's approval."""
    from convo.summary.build import build

    seat = _seat()
    summary = build(seat.conversation, locale=reader_locale())
    party_index = 0 if seat.participant.party == "partnership" else 1
    return render_template("live/participant_summary.html", summary=summary,
                           approval=summary.approvals[party_index],
                           **_view_context(seat))


@bp.get("/p/summary/document")
def participant_summary_document() -> Any:
    """The summary's text is on the approval page itself now, sized for a phone: an old link
    here goes there."""
    _seat()
    return redirect(url_for("live.participant_summary", _anchor="summary-text"))


@bp.post("/p/summary/approve")
def participant_approve() -> Any:
    """Approve the summary, as it reads at this moment, on behalf of your side.  Works after
    the conversation has closed: that is when summaries are usually approved."""
    from convo.summary import service as summary_service

    if devices.token_in_session() is None:
        _stop(403, "none")
    seat = _seat()
    summary_service.approve(seat.conversation, seat.participant.party,
                            f"participant:{seat.participant.id}")
    flash(_("Thank you. Your side's approval is recorded."), "success")
    return redirect(url_for("live.participant_summary"))
