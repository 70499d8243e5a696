"""Pages: the question sets a facilitator can use, one set's outline, a conversation's
printable toolkit, and (for admins) the state of the facilitators' own sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from convo.auth.access import admin_required
from convo.questions import registry as registry_module
from convo.questions import sources, timing, toolkit
from convo.questions.cli import group as cli_group
from convo.questions.labels import (ADDRESSED_TO_LABELS, AGENCY_TYPE_LABELS, COLUMN_LABELS,
                                    SURFACES_LABELS)
from convo.questions.problems import display_path
from convo.questions.registry import SetFile, registry
from convo.questions.schema import AGENCY_TYPES, QuestionSet, text_in

bp = Blueprint("questions", __name__)



def init_app(app: Flask) -> None:
    """Check and cache the question sets, and add the template filters and CLI group."""
    registry_module.init_app(app)
    app.add_template_filter(localised, "localised")
    app.add_template_filter(sources.describe, "source_title")
    app.add_template_global(toolkit.build, "build_toolkit")
    # timing.py's rule, for the pages that plan stages around their core questions.
    app.add_template_global(timing.MINUTES_PER_CORE_QUESTION, "minutes_per_core")
    app.add_template_global(timing.MINUTES_TO_SCORE, "minutes_to_score")
    app.cli.add_command(cli_group)


def localised(value: str | dict[str, str], question_set: QuestionSet) -> str:
    """A text field in the reader's language when the set has it, else the set's own."""
    return text_in(value, str(get_locale() or question_set.locale), question_set.locale)


def _labels() -> dict[str, Any]:
    return {
        "agency_types": AGENCY_TYPE_LABELS,
        "addressed_to": ADDRESSED_TO_LABELS,
        "surfaces": SURFACES_LABELS,
        "columns": COLUMN_LABELS,
    }


@bp.get("/question-sets")
@login_required  # type: ignore[untyped-decorator]
def index() -> str:
    sets = registry().all()
    groups = [
        (AGENCY_TYPE_LABELS[kind], [qs for qs in sets if qs.agency_type == kind])
        for kind in AGENCY_TYPES
    ]
    broken = len(registry().unavailable()) if current_user.is_admin else 0
    return render_template(
        "questions/index.html",
        groups=[(label, found) for label, found in groups if found],
        custom_ids={qs.id for qs in sets if registry().is_custom(qs.id)},
        broken=broken,
        **_labels(),
    )


@bp.get("/question-sets/<set_id>")
@login_required  # type: ignore[untyped-decorator]
def show(set_id: str) -> str:
    question_set = registry().get(set_id)
    if question_set is None:
        abort(404)
    locale = str(get_locale() or question_set.locale)
    return render_template(
        "questions/show.html",
        qs=question_set,
        custom=registry().is_custom(set_id),
        total_minutes=sum(stage.minutes for stage in question_set.stages),
        core_minutes={stage.id: timing.core_minutes(len(stage.core_questions),
                                                    stage.rating is not None)
                      for stage in question_set.stages},
        subtype_titles={s.id: localised(s.title, question_set) for s in question_set.subtypes},
        toolkit=toolkit.build(question_set, locale),
        side_names={"partnership": _l("the partnership"), "agency": _l("the agency")},
        heading=3,
        show_sources=True,
        **_labels(),
    )


@bp.get("/conversations/<int:conversation_id>/toolkit")
@login_required  # type: ignore[untyped-decorator]
def conversation_toolkit(conversation_id: int) -> str:
    """The toolkit of a conversation's question set, for its kind of agency, to print:
    the preparation call with each side, the ground rules and the notes."""
    from convo.conversations import service

    conversation = service.load_for_facilitator(conversation_id, current_user)
    question_set = service.question_set_for(conversation)
    return render_template(
        "questions/conversation_toolkit.html",
        conversation=conversation,
        qs=question_set,
        toolkit=toolkit.build(question_set, conversation.locale, conversation.agency_subtype),
        side_names={side: conversation.party_name(side) for side in toolkit.SIDES},
        heading=2,
        subtype_titles={},
        show_sources=False,
    )


def _problem_rows(found: SetFile, folder: Path) -> list[dict[str, Any]]:
    """Problems as plain rows: where (file relative to the folder, line), what, how bad."""
    rows = []
    for problem in found.problems:
        rows.append({
            "file": None if problem.path == found.path else display_path(problem.path, folder),
            "line": problem.line,
            "message": problem.text(strict=True),
            "error": problem.is_error,
        })
    return rows


def _file_rows(files: list[SetFile], folder: Path) -> list[dict[str, Any]]:
    return [
        {
            "name": display_path(found.path, folder),
            "set": found.question_set,
            "available": found.available,
            "errors": len(found.errors),
            "warnings": len(found.warnings),
            "problems": _problem_rows(found, folder),
        }
        for found in files
    ]


@bp.get("/admin/question-sets")
@admin_required
def admin() -> str:
    folder_setting = current_app.config.get("QUESTION_SETS_DIR")
    folder = Path(folder_setting) if folder_setting else None
    shipped_broken = [f for f in registry().unavailable() if f.shipped]
    return render_template(
        "questions/admin.html",
        folder=folder,
        folder_exists=bool(folder and folder.is_dir()),
        recheck=registry().recheck_every,
        custom=_file_rows(registry().custom_files(), folder or Path.cwd()),
        shipped_broken=_file_rows(shipped_broken, Path.cwd()),
        **_labels(),
    )


__all__ = ["bp", "init_app"]
