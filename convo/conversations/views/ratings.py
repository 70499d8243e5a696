"""Ratings from the console: entering what a party says, and revealing both parties' scores."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from convo.conversations import service
from convo.conversations.blueprint import bp, confirmed, console_url, done, owned
from convo.core import edits
from convo.core.forms import BaseForm
from convo.ratings import saving
from convo.ratings import service as ratings

RELATIONSHIP_FIELDS = ("now_type", "wanted_type")


def score_field(instrument: Any, criterion_id: str, column: str) -> str:
    return f"{instrument.id}.{criterion_id}.{column}"


@bp.route("/conversations/<int:conversation_id>/ratings/<party>", methods=["GET", "POST"])
@login_required
def enter_ratings(conversation_id: int, party: str) -> Any:
    """The facilitator enters what a party says (for parties without their own devices)."""
    conversation = owned(conversation_id)
    if party not in ratings.PARTIES:
        abort(404)
    running = service.plan_for(conversation)
    instruments = running.question_set.ratings
    spec = saving.ScoreForm.of(
        running, list(instruments), score_field,
        RELATIONSHIP_FIELDS if running.question_set.relationship_types else None,
        conversation.locale)
    form = BaseForm()
    errors: list[str] = []
    current = spec.values(conversation, party)
    state = edits.EditState.of(current)
    status = 200
    chosen = dict(current)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen.update({name: request.form[name] for name in current if name in request.form})
        try:
            merged = saving.save(conversation, running, spec, party, request.form)
        except ratings.RatingError:
            errors.append(_("One of the answers wasn't one of the choices. Please check them."))
            state, status = edits.EditState.refused(request.form, current, ()), 422
        else:
            if merged.ok:
                flash(_("Ratings saved for %(party)s. They stay hidden until you share both "
                        "sides' scores.", party=conversation.party_name(party)), "success")
                return redirect(console_url(conversation, "ratings"))
            errors.append(_("Someone else changed some of these ratings while you were "
                            "entering them. Both are shown below: choose which to keep."))
            state = edits.EditState.refused(request.form, current, merged.conflicts)
            status = 409
    return render_template("conversations/ratings.html", conversation=conversation,
                           party=party, plan=running, instruments=instruments, form=form,
                           chosen=chosen, score_field=score_field, errors=errors,
                           edit=state), status


@bp.post("/conversations/<int:conversation_id>/ratings/reveal")
@login_required
def reveal_ratings(conversation_id: int) -> Any:
    conversation = owned(conversation_id)
    confirmed()
    ratings.reveal(conversation, request.form.get("reveal", "1") == "1")
    return done(conversation, anchor="ratings")
