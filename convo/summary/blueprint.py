"""The summary page: the draft on screen, approvals, issuing, downloads and sending."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, render_template_string, request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from convo.conversations import capture
from convo.conversations import service as conversations
from convo.conversations.blueprint import wants_json
from convo.core.forms import BaseForm, is_readable
from convo.extensions import db
from convo.core import edits
from convo.jobs import status as jobs_status
from convo.live import state, versioning
from convo.models import Conversation, SummarySend
from convo.summary import issuing, mail, sending, service
from convo.summary.build import NARRATIVE_KEYS, build, content_hash, section_key, summary_items
from convo.live.screen import paging as screen_paging
from convo.summary import build as build_module
from convo.summary.forms import IssueForm, SendForm

bp = Blueprint("summary", __name__, url_prefix="/c/<int:conversation_id>/summary")
# The document's stylesheet, for reading a draft in the browser (the strict content security
# policy allows no inline styles).  Not sensitive: the same for every summary.
assets = Blueprint("summary_assets", __name__)


@assets.get("/summary/document.css")
def document_css() -> Any:
    from convo.summary.render_html import stylesheet_text

    # Read afresh in debug mode, so edits to document.css show on reload.
    text = stylesheet_text.__wrapped__() if current_app.debug else stylesheet_text()
    response = Response(text, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def render_for_browser(summary: Any, *more: Any) -> Response:
    """The summary as the document will read (in each of its languages), as a page in the
    browser."""
    from convo.summary.render_html import render_html_parts

    return Response(render_html_parts((summary, *more),
                                      stylesheet_href=url_for("summary_assets.document_css")),
                    mimetype="text/html")


def _owned(conversation_id: int) -> Conversation:
    """The facilitator's conversation; locked for the request when it changes something
    (storage.lock_conversation), so it reads what others saved before."""
    return conversations.load_for_facilitator(conversation_id, current_user,
                                              lock=request.method not in ("GET", "HEAD"))


def _page(conversation: Conversation, status: int = 200, **extra: Any) -> Any:
    summary = build(conversation)
    values = extra.get("values") or service.draft_values(conversation)

    items = [i for i in summary_items(conversation)]
    grouped: dict[str, list[Any]] = {}
    for item in items:
        grouped.setdefault(section_key(item), []).append(item)
    return render_template(
        "summary/draft.html", conversation=conversation, summary=summary, values=values,
        edit=extra.get("edit") or edits.EditState.of(service.draft_values(conversation)),
        grouped=grouped, errors=extra.get("errors", {}),
        sections=_section_titles(), appendix_choice=build_module.draft_of(conversation).appendix,
        screen_pages=screen_paging(conversation),
        **_progress_context(conversation, summary, extra),
    ), status


def _progress_context(conversation: Conversation, summary: Any,
                      extra: dict[str, Any]) -> dict[str, Any]:
    """What sections 3 and 4 (issuing and sending, templates/summary/_progress.html) show."""
    found = service.versions(conversation)
    latest = found[-1] if found else None
    sends = latest.sends if latest else []
    issue_request = issuing.current_request(conversation)
    current_hash = content_hash(summary)
    return {
        "versions": found, "latest": latest, "current_hash": current_hash,
        # A correction's note that still says what the last version changed.
        "note_is_stale": bool(latest and latest.content_hash != current_hash
                              and summary.change_note.strip()
                              == (latest.change_note or "").strip()),
        "approved_by_both": all(a.approved for a in summary.approvals),
        "issue_request": issue_request,
        "active_sends": any(s.status in sending.ACTIVE for v in found for s in v.sends),
        "sent_to": {s.email.lower() for s in sends if s.status in ("sent",) + sending.ACTIVE},
        "worker": jobs_status.worker_status(),
        "issue_form": extra.get("issue_form") or IssueForm(formdata=None),
        "send_form": extra.get("send_form") or SendForm(formdata=None),
        "send_key": sending.new_request_key(), "confirm": BaseForm(),
        "mail_ready": mail.configured(), "recipients": _default_recipients(conversation),
    }


@bp.get("/progress")
@login_required
def progress(conversation_id: int) -> Any:
    """Sections 3 and 4 of the page alone, for following issuing and sending live: 204 while
    the conversation's version is the caller's."""
    conversation = _owned(conversation_id)
    return versioning.live_response(conversation.version, lambda: render_template(
        "summary/_progress.html", conversation=conversation,
        **_progress_context(conversation, build(conversation), {})))


def _section_titles() -> dict[str, str]:
    from convo.summary.build import section_titles

    titles = section_titles()
    titles["purpose"] = _("Other points")  # points said while agreeing the space
    return titles


@bp.get("")
@login_required
def draft(conversation_id: int) -> Any:
    return _page(_owned(conversation_id))


@bp.post("/draft")
@login_required
def save_draft(conversation_id: int) -> Any:
    """The words around what was captured, saved against what the facilitator was shown
    (core.edits): another tab's words under another heading are kept; the same heading
    changed in both is shown to choose."""
    conversation = _owned(conversation_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    current = service.draft_values(conversation)
    sent: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in service.draft_fields():
        if name not in request.form:
            continue
        value = request.form[name].strip()
        sent[name] = value
        if len(value) > service.NARRATIVE_MAX:
            errors[name] = _("This is too long: use at most %(max)d characters.",
                             max=service.NARRATIVE_MAX)
        elif not is_readable(value):
            errors[name] = _("This contains characters that couldn't be read. Please retype it.")
    shown = {**current, **sent}
    if errors:
        if wants_json():
            return jsonify({"ok": False, "errors": errors}), 422
        return _page(conversation, 422, errors=errors, values=shown,
                     edit=edits.EditState.refused(request.form, current, ()))
    merged = edits.merge(current, sent, edits.seen_from(request.form, sent), _draft_labels(),
                         edits.taken_from(request.form))
    if not merged.ok:
        if wants_json():
            return jsonify(edits.conflict_json(merged.conflicts, _(
                "Someone else changed these words while you were writing, so yours aren't "
                "saved yet. Both are shown: choose which to keep."))), 409
        return _page(conversation, 409, values=shown,
                     edit=edits.EditState.refused(request.form, current, merged.conflicts))
    service.save_draft(conversation, merged.changes, f"facilitator:{current_user.id}")
    if wants_json():
        return jsonify({**edits.saved_json(service.draft_values(conversation)),
                        "version": conversation.version})
    flash(_("Draft saved."), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id, _anchor="writing"))


def _draft_labels() -> dict[str, str]:
    titles = _section_titles()
    labels = {"introduction": _("Introduction"), "closing": _("To close"),
              "change_note": _("What changed since the last version")}
    labels.update({f"narrative-{key}": titles.get(key, key) for key in NARRATIVE_KEYS})
    return labels


@bp.post("/items/<int:item_id>/<action>")
@login_required
def item(conversation_id: int, item_id: int, action: str) -> Any:
    conversation = _owned(conversation_id)
    found = capture.item_or_404(conversation, item_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if action in ("leave-out", "put-back"):
        service.set_in_summary(conversation, found, action == "put-back")
    elif action in ("up", "down"):
        service.move_in_summary(conversation, found, -1 if action == "up" else 1)
    else:
        abort(404)
    if wants_json():
        # The heading's list as it is now, for the page to swap in (no reload).
        key = section_key(found)
        grouped = [i for i in summary_items(conversation) if section_key(i) == key]
        html = render_template_string(
            '{% from "summary/_points.html" import points with context %}{{ points(key) }}',
            key=key, grouped={key: grouped}, conversation=conversation, confirm=BaseForm())
        return jsonify({"ok": True, "html": html, "version": conversation.version})
    return redirect(url_for("summary.draft", conversation_id=conversation.id,
                            _anchor=f"point-{found.id}"))


@bp.post("/appendix")
@login_required
def appendix(conversation_id: int) -> Any:
    """Whether the summary ends with the questions asked and time per stage.  A choice, not
    words: the last one sent stands (two tabs choosing the same thing agree)."""
    conversation = _owned(conversation_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    choice = request.form.get("appendix", "")
    if choice not in ("asked", "none"):
        if wants_json():
            return jsonify({"ok": False, "message": _("Choose whether to keep the appendix.")}), 422
        abort(422)
    service.set_appendix(conversation, choice, f"facilitator:{current_user.id}")
    if wants_json():
        return jsonify({"ok": True, "version": conversation.version})
    flash(_("The appendix will list the questions you asked.") if choice == "asked"
          else _("The summary will have no appendix."), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id,
                            _anchor="appendix"))


@bp.post("/approval/<party>")
@login_required
def approval(conversation_id: int, party: str) -> Any:
    conversation = _owned(conversation_id)
    if party not in service.PARTIES or not BaseForm().validate_on_submit():
        abort(404 if party not in service.PARTIES else 400)
    if request.form.get("withdraw"):
        service.withdraw_approval(conversation, party)
        flash(_("Approval withdrawn for %(party)s.", party=conversation.party_name(party)),
              "success")
    else:
        service.approve(conversation, party, f"facilitator:{current_user.id}")
        flash(_("Recorded: %(party)s approves the summary as it reads now.",
                party=conversation.party_name(party)), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id,
                            _anchor="approval"))


@bp.post("/show")
@login_required
def show_on_screen(conversation_id: int) -> Any:
    conversation = _owned(conversation_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    conversation.screen_mode = "summary"
    state.bump(conversation)
    flash(_("The draft is on the shared screen."), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id))


@bp.get("/preview")
@login_required
def preview(conversation_id: int) -> Any:
    """The draft as the document will read (HTML), before issuing."""
    conversation = _owned(conversation_id)
    return render_for_browser(build(conversation),
                              *service.in_second_language(conversation))


def _next_number(conversation: Conversation) -> int:
    latest = service.latest(conversation)
    return latest.number + 1 if latest else 1


@bp.post("/issue")
@login_required
def issue(conversation_id: int) -> Any:
    """Record the request to issue the next version; the background worker makes it."""
    conversation = _owned(conversation_id)
    form = IssueForm()
    if not form.validate_on_submit():
        return _page(conversation, 422, issue_form=form)
    try:
        requested = issuing.request(conversation, current_user)
    except service.IssueError as exc:
        messages = {
            "approvals": _("Both sides need to approve the summary as it reads now before "
                           "it is issued."),
            "change_note": _("Say what changed since the last version, under “What changes "
                             "in version %(number)d” above, and have both sides approve it "
                             "with the rest: it is printed on the correction.",
                             number=_next_number(conversation)),
        }
        form.form_errors.append(messages[str(exc)])
        return _page(conversation, 422, issue_form=form)
    if requested.version is not None:
        flash(_("Version %(number)d already says exactly this: nothing new to issue.",
                number=requested.version.number), "success")
    elif requested.already:
        flash(_("Version %(number)d is already being issued.", number=requested.issue.number),
              "success")
    else:
        flash(_("Issuing version %(number)d. It will be ready to download and send in a few "
                "seconds.", number=requested.issue.number), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id, _anchor="issue"))


@bp.get("/v<int:number>.<kind>")
@login_required
def download(conversation_id: int, number: int, kind: str) -> Any:
    conversation = _owned(conversation_id)
    version = service.version_or_none(conversation, number)
    if version is None or kind not in ("pdf", "docx"):
        abort(404)
    try:
        data, filename = service.read_issued(version, kind)
    except service.FileDamaged:
        abort(500)
    mimetype = "application/pdf" if kind == "pdf" else (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _default_recipients(conversation: Conversation) -> list[dict[str, Any]]:
    return [{"id": p.id, "label": p.public_name, "role": p.role, "email": p.email,
             "named": p.may_be_named, "party": conversation.party_name(p.party)}
            for p in conversation.participants if p.email]


@bp.post("/v<int:number>/send")
@login_required
def send(conversation_id: int, number: int) -> Any:
    """Record one send per chosen recipient (the outbox); the background worker sends them."""
    conversation = _owned(conversation_id)
    version = service.version_or_none(conversation, number)
    if version is None:
        abort(404)
    form = SendForm()
    if not form.validate_on_submit():
        return _page(conversation, 422, send_form=form)
    chosen = set(request.form.getlist("participant"))
    recipients = [mail.Recipient(r["email"], r["label"], r["named"])
                  for r in _default_recipients(conversation) if str(r["id"]) in chosen]
    bad = []
    for line in (form.others.data or "").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            address = validate_email(line, check_deliverability=False).normalized
        except EmailNotValidError:
            bad.append(line)
            continue
        recipients.append(mail.Recipient(address, address, False))
    if bad:
        form.others.errors = [_("These aren't email addresses: %(list)s",
                                list=", ".join(bad[:5]))]
        return _page(conversation, 422, send_form=form)
    seen: set[str] = set()
    recipients = [r for r in recipients if not (r.email.lower() in seen
                                                or seen.add(r.email.lower()))]
    if not recipients:
        form.form_errors.append(_("Choose at least one person to send it to."))
        return _page(conversation, 422, send_form=form)
    if not mail.configured():
        form.form_errors.append(_("Email isn't set up on this server yet (CONVO_MAIL_HOST "
                                  "and CONVO_MAIL_FROM). Download the files and send them yourself."))
        return _page(conversation, 422, send_form=form)
    recorded = sending.record(version, recipients, request.form.get("request_key", "")[:64])
    if recorded.queued:
        flash(_("Sending to %(count)d. Each person’s progress shows below.",
                count=len(recorded.queued)), "success")
    if recorded.already:
        flash(_("Already on its way to %(list)s: not sent twice.",
                list=", ".join(recorded.already[:5])), "success")
    if recorded.repeated:
        flash(_("That was already sent: each person’s progress shows below."), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id, _anchor="versions"))


@bp.post("/v<int:number>/sends/<int:send_id>/retry")
@login_required
def retry_send(conversation_id: int, number: int, send_id: int) -> Any:
    """Try a failed send again."""
    conversation = _owned(conversation_id)
    version = service.version_or_none(conversation, number)
    found = db.session.get(SummarySend, send_id) if version is not None else None
    if found is None or found.version_id != version.id:  # type: ignore[union-attr]
        abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    if sending.retry([found]):
        flash(_("Trying %(who)s again.", who=found.label), "success")
    return redirect(url_for("summary.draft", conversation_id=conversation.id,
                            _anchor=f"send-{found.id}"))
