"""A mapping session's pages: the facilitator's (under the partnership, signed in) and the
members' own phones (/m/: no account, the member known from their browser alone)."""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from convo.conversations import service as conversations
from convo.conversations.blueprint import confirmed
from convo.extensions import db
from convo.live import guessing
from convo.live.screen import qr_svg
from convo.models import MappingMember, MappingSession, Partnership
from convo.partnerships import map as map_module
from convo.partnerships import mapping, service
from convo.partnerships.forms import MappingJoinForm

bp = Blueprint("mapping", __name__)


def _locale() -> str:
    return str(get_locale() or "en_GB")


def _criteria(mapping_session: MappingSession) -> list[tuple[str, str]]:
    titles = map_module.criteria_titles(_locale())
    return [(c, titles.get(c, c)) for c in mapping_session.criteria_ids]


def _owned(partnership_id: int) -> Partnership:
    return service.load_for(partnership_id, current_user,
                            lock=request.method not in ("GET", "HEAD"))


# --- the facilitator's side ------------------------------------------------------------------


@bp.post("/partnerships/<int:partnership_id>/mapping")
@login_required
def start(partnership_id: int) -> Any:
    partnership = _owned(partnership_id)
    confirmed()
    try:
        found = mapping.start(partnership, current_user)
    except mapping.CannotStart as reason:
        flash(_("Choose the partnership's criteria first (name, area and criteria).")
              if str(reason) == "criteria" else
              _("Add the agencies to the map first: members rate each of them."), "error")
        return redirect(url_for("partnerships.show", partnership_id=partnership.id))
    return redirect(url_for("mapping.session_page", partnership_id=partnership.id,
                            session_id=found.id))


@bp.get("/partnerships/<int:partnership_id>/mapping/<int:session_id>")
@login_required
def session_page(partnership_id: int, session_id: int) -> Any:
    partnership = _owned(partnership_id)
    return _session_view(partnership, mapping.session_or_404(partnership, session_id))


def _session_view(partnership: Partnership, found: MappingSession, status: int = 200) -> Any:
    join_url = (url_for("mapping.join", code=found.code, _external=True) if found.code
                else None)
    criteria = _criteria(found)
    members = [(m, len(m.scores)) for m in found.members]
    possible = len(criteria) * len(mapping.relationships_of(found))
    return render_template(
        "mapping/session.html", partnership=partnership, mapping_session=found,
        criteria=criteria, members=members, possible=possible,
        results=mapping.results(found) if found.status != "open" else None,
        fingerprint=mapping.map_fingerprint(found),
        join_url=join_url, join_shown=join_url.split("://", 1)[-1] if join_url else None,
        code=conversations.display_code(found.code) if found.code else None,
        qr=qr_svg(join_url, _("QR code that opens %(url)s", url=join_url)) if join_url else None,
        number=lambda v: map_module.number(v, _locale())), status


def _back(partnership: Partnership, found: MappingSession) -> Any:
    return redirect(url_for("mapping.session_page", partnership_id=partnership.id,
                            session_id=found.id))


@bp.post("/partnerships/<int:partnership_id>/mapping/<int:session_id>/show")
@login_required
def show(partnership_id: int, session_id: int) -> Any:
    partnership = _owned(partnership_id)
    confirmed()
    found = mapping.session_or_404(partnership, session_id)
    mapping.show(found)
    return _back(partnership, found)


@bp.post("/partnerships/<int:partnership_id>/mapping/<int:session_id>/close")
@login_required
def close(partnership_id: int, session_id: int) -> Any:
    partnership = _owned(partnership_id)
    confirmed()
    found = mapping.session_or_404(partnership, session_id)
    mapping.close(found)
    flash(_("The mapping session has closed: its code no longer works."), "success")
    return _back(partnership, found)


@bp.post("/partnerships/<int:partnership_id>/mapping/<int:session_id>/put-on-map")
@login_required
def put_on_map(partnership_id: int, session_id: int) -> Any:
    partnership = _owned(partnership_id)
    confirmed()
    found = mapping.session_or_404(partnership, session_id)
    if found.status == "open":
        flash(_("Show the scores to everyone first."), "error")
        return _back(partnership, found)
    count = mapping.put_on_map(found, request.form.get("seen", ""))
    if count is None:
        db.session.rollback()
        flash(_("Someone changed the map's scores while you were looking. They are shown "
                "below as they are now: check them, then put the averages on the map again "
                "if you still want to."), "error")
        return _session_view(partnership, found, 409)
    flash(_("The averages are on the map (%(count)d scores).", count=count), "success")
    return redirect(url_for("partnerships.show", partnership_id=partnership.id))


# --- the members' phones ----------------------------------------------------------------------


def _join_page(form: MappingJoinForm, status: int = 200, **extra: Any) -> Any:
    return make_response(render_template("mapping/join.html", form=form, **extra), status)


@bp.route("/m/<code>", methods=["GET", "POST"])
def join(code: str) -> Any:
    """The session's join link: the member says what to call them, and may rate."""
    form = MappingJoinForm()
    wait = guessing.seconds_to_wait()
    if wait:
        response = _join_page(form, 429, stopped=True)
        response.headers["Retry-After"] = str(wait)
        return response
    found = mapping.for_code(code)
    if found is None or mapping.code_spent(found):
        if found is None:
            guessing.wrong_code()
        return _join_page(form, 404, not_found=True)
    member = mapping.this_member()
    if member is not None and member.session_id == found.id:
        return redirect(url_for("mapping.scores"))
    if request.method == "POST":
        if not form.validate_on_submit():
            return _join_page(form, 422, mapping_session=found,
                              partnership=db.session.get(Partnership, found.partnership_id))
        mapping.join(found, form.name.data)
        return redirect(url_for("mapping.scores"))
    return _join_page(form, mapping_session=found,
                      partnership=db.session.get(Partnership, found.partnership_id))


def _member_or_stop() -> MappingMember:
    member = mapping.this_member()
    if member is None:
        abort(make_response(render_template("mapping/gone.html", reason="none"), 403))
    return member


def _scores_page(member: MappingMember, status: int = 200, chosen: dict[tuple[int, str], Any]
                 | None = None, **extra: Any) -> Any:
    found = member.session
    criteria = _criteria(found)
    return render_template(
        "mapping/scores.html", member=member, mapping_session=found, criteria=criteria,
        relationships=mapping.relationships_of(found),
        chosen=chosen if chosen is not None else mapping.scores_of(member),
        results=mapping.results(found) if found.status == "shown" else None,
        number=lambda v: map_module.number(v, _locale()), **extra), status


@bp.route("/m/scores", methods=["GET", "POST"])
def scores() -> Any:
    member = _member_or_stop()
    found = member.session
    if found.status == "closed":
        return render_template("mapping/gone.html", reason="closed"), 410
    if request.method == "GET":
        return _scores_page(member)
    if found.status != "open":
        return _scores_page(member, 409, refused=_("The scores are on the shared screen now, "
                                                   "so they can't be changed."))
    wanted: dict[tuple[int, str], int | None] = {}
    bad = False
    for relationship in mapping.relationships_of(found):
        for criterion in found.criteria_ids:
            raw = request.form.get(f"s-{relationship.id}-{criterion}", "")
            if raw == "":
                wanted[(relationship.id, criterion)] = None
            elif raw in {str(n) for n in range(mapping.SCALE[0], mapping.SCALE[1] + 1)}:
                wanted[(relationship.id, criterion)] = int(raw)
            else:
                bad = True
    try:
        seen = int(request.form.get("version", ""))
    except ValueError:
        bad = True
        seen = -1
    if bad:
        return _scores_page(member, 422, chosen=wanted, refused=_(
            "Some of these answers weren't ones the page offers. Choose from 1 to 5, or "
            "\u201cDon't know\u201d, and save again."))
    if not mapping.save(member, wanted, seen):
        db.session.rollback()
        member = mapping.this_member() or member
        return _scores_page(member, 409, chosen=wanted, conflict=mapping.scores_of(member),
                            refused=_("Your scores were saved from another tab or window "
                                      "since this page was opened. What is saved now is "
                                      "shown beside your choices: check them and save again."))
    return redirect(url_for("mapping.scores"))  # the page says they are saved
