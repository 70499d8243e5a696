"""Views: sign in and out, first set-up, one-time password links, account, facilitator admin."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from convo.auth import service, sessions
from convo.auth.access import admin_required, safe_next, sign_in_here, sign_out_here
from convo.auth.forms import (AccountForm, ChangePasswordForm, ConfirmForm, NewFacilitatorForm,
                              SetPasswordForm, SetupForm, SignInForm)
from convo.core.forms import as_choices
from convo.extensions import db
from convo.models import AccountToken, Facilitator

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

# Time zones offered in the account settings: where convo's users are likely to be.
TIMEZONES = ["Europe/London", "Europe/Dublin", "Europe/Paris", "UTC"]


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("conversations.index"))
    form = SignInForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            result = service.sign_in(form.email.data, form.password.data,
                                     request.remote_addr or "-", sessions.known_device())
            if result.facilitator is not None:
                target = safe_next(request.args.get("next"))
                sign_in_here(result.facilitator)  # a fresh session on every sign-in
                response = redirect(target or url_for("conversations.index"))
                sessions.remember_device(response, result.facilitator)
                return response
            if result.wait_seconds:
                status = 429
                minutes = -(-result.wait_seconds // 60)
                if result.wait_seconds > 60:
                    message = _("Too many unsuccessful tries. For your security, signing in is "
                                "paused. Please try again in %(minutes)d minutes.", minutes=minutes)
                else:
                    message = _("Too many unsuccessful tries. Please wait %(seconds)d seconds "
                                "and try again.", seconds=result.wait_seconds)
            else:
                status = 401
                message = _("That email address and password don't match an account. Check "
                            "them and try again.")
            form.form_errors.append(message)
        else:
            status = 422
        form.password.data = ""
    return render_template("auth/sign_in.html", form=form,
                           setup_needed=service.setup_needed()), status


@bp.post("/sign-out")
def sign_out() -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    sign_out_here()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> Any:
    """Create the first admin account.  Only the one-time link printed at start-up opens it."""
    record = service.find_token(token, AccountToken.PURPOSE_SETUP)
    if record is None or not service.setup_needed():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        if not service.use_token(record) or not service.setup_needed():
            abort(404)
        facilitator = service.create_facilitator(
            form.email.data, form.name.data, form.password.data, is_admin=True
        )
        sign_in_here(facilitator)
        flash(_("Welcome to convo. Your account is ready."), "success")
        return redirect(url_for("conversations.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/setup.html", form=form), status


@bp.route("/password/<token>", methods=["GET", "POST"])
def choose_password(token: str) -> Any:
    """A facilitator chooses their password through a one-time link from an admin."""
    record = service.find_token(token, AccountToken.PURPOSE_PASSWORD)
    if record is None or record.facilitator is None or record.facilitator.disabled:
        abort(404)
    facilitator = record.facilitator
    form = SetPasswordForm()
    form.account_email = facilitator.email
    if form.validate_on_submit():
        if not service.use_token(record):
            abort(404)
        service.set_password(facilitator, form.password.data)
        sessions.end_all(facilitator)
        sign_in_here(facilitator)
        flash(_("Your password is set. You are signed in."), "success")
        return redirect(url_for("conversations.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/choose_password.html", form=form,
                           facilitator=facilitator), status


def _locale_choices() -> list[tuple[str, str]]:
    return [(code, Locale.parse(code).get_display_name(code) or code)
            for code in current_app.config["LANGUAGES"]]


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Any:
    form = AccountForm(obj=current_user if request.method == "GET" else None)
    form.locale.choices = as_choices(_locale_choices())
    form.timezone.choices = as_choices((tz, tz.replace("_", " ")) for tz in TIMEZONES)
    if request.method == "GET":
        form.locale.data = current_user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        form.timezone.data = current_user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        current_user.name = form.name.data
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.account"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/account.html", form=form,
                           signed_in=sessions.count_alive(current_user),
                           idle_minutes=current_app.config["SESSION_IDLE_MINUTES"]), status


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Any:
    """End every session of this account, on every device, this one included."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    current_user.session_token = service.new_session_token()
    sessions.end_all(current_user)
    sign_out_here()
    flash(_("You have signed out everywhere: on every phone and computer, and here. Sign in "
            "again to carry on."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    form.account_email = current_user.email
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if not service.check_password(current_user, form.current.data):
                form.current.errors = [_("That isn't your current password.")]
            else:
                service.set_password(current_user, form.password.data)
                sessions.end_all(current_user, keep=sessions.token_in_cookie())
                login_user(current_user._get_current_object())  # this session stays; others end
                flash(_("Your password is changed. Other devices have been signed out."),
                      "success")
                return redirect(url_for("auth.account"))
        status = 422
    return render_template("auth/change_password.html", form=form), status


# --- admin: facilitator accounts ---------------------------------------------------------


def _facilitator_or_404(facilitator_id: int) -> Facilitator:
    facilitator = db.session.get(Facilitator, facilitator_id)
    if facilitator is None:
        abort(404)
    return facilitator


@admin_bp.get("/facilitators")
@admin_required
def facilitators() -> Any:
    people = db.session.scalars(select(Facilitator).order_by(Facilitator.name)).all()
    return render_template("admin/facilitators.html", people=people, form=ConfirmForm())


@admin_bp.route("/facilitators/new", methods=["GET", "POST"])
@admin_required
def new_facilitator() -> Any:
    form = NewFacilitatorForm()
    if form.validate_on_submit():
        facilitator = service.create_facilitator(
            form.email.data, form.name.data, is_admin=form.is_admin.data
        )
        token = service.issue_password_link_token(facilitator)
        return render_template("admin/password_link.html", facilitator=facilitator,
                               link=url_for("auth.choose_password", token=token, _external=True),
                               new=True)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/new_facilitator.html", form=form), status


@admin_bp.post("/facilitators/<int:facilitator_id>/reset")
@admin_required
def reset_facilitator(facilitator_id: int) -> Any:
    facilitator = _facilitator_or_404(facilitator_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = service.reset_password(facilitator)
    sessions.end_all(facilitator)
    if facilitator.id == current_user.id:
        logout_user()
    return render_template("admin/password_link.html", facilitator=facilitator,
                           link=url_for("auth.choose_password", token=token, _external=True),
                           new=False)


@admin_bp.post("/facilitators/<int:facilitator_id>/disable")
@admin_required
def disable_facilitator(facilitator_id: int) -> Any:
    facilitator = _facilitator_or_404(facilitator_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if facilitator.id == current_user.id:
        flash(_("You can't disable your own account."), "error")
    else:
        facilitator.disabled = True
        flash(_("%(name)s can no longer sign in.", name=facilitator.name), "success")
    return redirect(url_for("admin.facilitators"))


@admin_bp.post("/facilitators/<int:facilitator_id>/enable")
@admin_required
def enable_facilitator(facilitator_id: int) -> Any:
    facilitator = _facilitator_or_404(facilitator_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    facilitator.disabled = False
    flash(_("%(name)s can sign in again.", name=facilitator.name), "success")
    return redirect(url_for("admin.facilitators"))
