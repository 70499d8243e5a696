"""`convo question-sets check [--strict] [PATH ...]` and `convo question-sets show ID`."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from convo.questions import loader, sources, timing, translations
from convo.questions.problems import Problem, merge, strictly
from convo.questions.registry import registry
from convo.questions.schema import QuestionSet, text_in

WIDTH = 92

group = AppGroup("question-sets", help=str(_l("Check and show question sets.")))


# ---------------------------------------------------------------------------- check


def _custom_dir() -> Path | None:
    folder = current_app.config.get("QUESTION_SETS_DIR")
    return Path(folder) if folder else None


def check_files(paths: Iterable[Path], custom_dir: Path | None) -> tuple[int, list[Problem]]:
    """Check files and folders; a set in the custom folder may not take a shipped id."""
    shipped_ids = {path.stem for path in loader.set_files(loader.SHIPPED_DIR)}
    custom = custom_dir.resolve() if custom_dir else None
    files = loader.expand(paths)
    problems: list[Problem] = []
    for path in files:
        reserved = shipped_ids if custom and path.resolve().parent == custom else set()
        if loader.is_part_file(path):
            loaded = loader.load_part(path)
        else:
            loaded = loader.load_set(path, reserved_ids=reserved)
        problems += loaded.problems
        problems += translations.problems(path)
    return len(files), merge(problems)


@group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True,
              help=str(_l("Count style warnings as errors (the test suite does).")))
def check(paths: tuple[Path, ...], strict: bool) -> None:
    """Check question sets and print every problem as FILE:LINE: message.

    With no PATH, checks the shipped sets and their shared parts, and the facilitators'
    own sets in QUESTION_SETS_DIR if that folder exists.  Exits non-zero on any error.
    """
    custom_dir = _custom_dir()
    targets = list(paths)
    if not targets:
        targets = [loader.SHIPPED_DIR]
        if custom_dir is not None and custom_dir.is_dir():
            targets.append(custom_dir)
    count, problems = check_files(targets, custom_dir)
    if strict:
        problems = strictly(problems)
    for problem in problems:
        click.echo(problem.format(strict=strict))
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    summary = _("%(files)s files checked: %(errors)s errors, %(warnings)s warnings.",
                files=count, errors=errors, warnings=warnings)
    if strict and errors:
        summary += " " + _("(--strict: style warnings count as errors.)")
    click.echo(summary, err=bool(errors))
    if errors:
        sys.exit(1)


@group.command("translations")
@click.argument("locale")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def translations_command(locale: str, paths: tuple[Path, ...]) -> None:
    """Start or bring up to date the LOCALE translation files of question sets.

    For each set and part (the shipped ones, or those in PATH), writes
    translations/LOCALE/<file> beside it: every text the file holds, with its English, ready
    to translate; translations already made are kept, and those whose English has changed
    are reported by `convo question-sets check`.  A language that covers only what
    participants read (languages.yaml) gets only those texts.
    """
    from convo.core.languages import LANGUAGES_PATTERN

    if not LANGUAGES_PATTERN.fullmatch(locale):
        raise click.BadParameter(_("must be a language code such as cy, ur or pt_BR"),
                                 param_hint="LOCALE")
    files = loader.expand(list(paths) or [loader.SHIPPED_DIR])
    texts = 0
    for path in files:
        try:
            texts += len(translations.update(path, locale,
                                             translations.participant_only(locale)))
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"{path}: {exc}") from None
    click.echo(_("%(files)d files, %(texts)d texts: translate each '%(locale)s' in "
                 "translations/%(locale)s/, then run `convo question-sets check`.",
                 files=len(files), texts=texts, locale=locale))


# ---------------------------------------------------------------------------- show

ADDRESSED_TO = {
    "both": _l("to both parties"),
    "partnership": _l("to the partnership"),
    "agency": _l("to the agency"),
}
COLUMNS = {"at_start": _l("at the start"), "now": _l("now")}


def _wrap(text: str, indent: int, hang: int | None = None) -> Iterator[str]:
    first = " " * indent
    rest = " " * (indent if hang is None else hang)
    filled = textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=first,
                           subsequent_indent=rest, break_on_hyphens=False)
    yield from filled.splitlines()


def outline(qs: QuestionSet) -> Iterator[str]:
    """A plain-text outline of a set for a facilitator to review."""

    def t(value: str | dict[str, str]) -> str:
        return text_in(value, qs.locale, qs.locale)

    yield t(qs.title)
    yield "=" * len(t(qs.title))
    yield _("id %(id)s, version %(version)s, written in %(locale)s, about %(minutes)s minutes",
            id=qs.id, version=qs.version, locale=", ".join(qs.locales),
            minutes=qs.duration_minutes)
    yield from _wrap(_("Suits: %(subtypes)s", subtypes="; ".join(t(s.title) for s in qs.subtypes)),
                     0, 2)
    yield ""
    yield from _wrap(t(qs.description), 0)
    yield ""
    total = sum(stage.minutes for stage in qs.stages)
    yield _("Stages (%(count)s, %(minutes)s minutes in all)", count=len(qs.stages),
            minutes=total)
    yield "-" * 40
    for s, stage in enumerate(qs.stages, 1):
        yield ""
        yield _("%(n)s. %(title)s (%(minutes)s minutes) [%(id)s]", n=s, title=t(stage.title),
                minutes=stage.minutes, id=stage.id)
        yield from _wrap(_("Purpose: %(text)s", text=t(stage.purpose)), 3, 5)
        if stage.is_break:
            yield from _wrap(_("A break: no questions."), 3, 5)
        else:
            needed = timing.core_minutes(len(stage.core_questions), stage.rating is not None)
            yield from _wrap(_("Core questions: %(count)s, needing about %(needed)s of its "
                               "%(minutes)s minutes.", count=len(stage.core_questions),
                               needed=needed, minutes=stage.minutes), 3, 5)
        yield from _wrap(_("Notes for the facilitator: %(text)s",
                           text=t(stage.facilitator_notes)), 3, 5)
        rating = qs.rating(stage.rating) if stage.rating else None
        if rating:
            yield from _wrap(_("Rating: %(title)s [%(id)s]", title=t(rating.title),
                               id=rating.id), 3, 5)
        if stage.relationship_type:
            yield from _wrap(_("Each party also says what type the relationship is now and "
                               "what they want it to become."), 3, 5)
        for q, question in enumerate(stage.questions, 1):
            yield ""
            yield from _wrap(f"{s}.{q} {t(question.text)}", 3, 7)
            kind = _("core") if question.core else _("optional")
            yield from _wrap(_("Asked %(whom)s, %(kind)s [%(id)s]",
                               whom=ADDRESSED_TO[question.addressed_to], kind=kind,
                               id=question.id), 7)
            if question.only_for:
                yield from _wrap(_("Only for: %(subtypes)s",
                                   subtypes=", ".join(question.only_for)), 7, 9)
            yield " " * 7 + _("Follow-ups:")
            for follow_up in question.follow_ups:
                yield from _wrap("- " + t(follow_up), 9, 11)
            yield from _wrap(_("Why: %(text)s", text=t(question.why)), 7, 9)
            yield " " * 7 + _("Sources:")
            for ref in question.sources:
                yield from _wrap("- " + sources.describe(ref), 9, 11)
            yield from _wrap(_("Tends to bring up: %(kinds)s",
                               kinds=", ".join(question.surfaces)), 7, 9)
    if qs.ratings:
        yield from _heading(_("Rating instruments"))
        for rating in qs.ratings:
            yield ""
            yield f"{t(rating.title)} [{rating.id}]"
            yield from _wrap(t(rating.instructions), 3)
            yield from _wrap(_("Each party rates separately, before seeing the other's.")
                             if rating.separate else _("The parties rate together."), 3)
            yield from _wrap(_("Columns: %(columns)s",
                               columns=", ".join(str(COLUMNS[c]) for c in rating.columns)), 3)
            yield "   " + _("Scale %(min)s to %(max)s:", min=rating.scale.min,
                            max=rating.scale.max)
            for point in rating.scale.points():
                label = rating.scale.labels.get(point)
                yield from _wrap(f"{point}  {t(label) if label else ''}", 5, 8)
            yield "   " + _("Criteria:")
            for criterion in rating.criteria:
                yield from _wrap(f"- {t(criterion.title)}: {t(criterion.description)}", 5, 7)
    if qs.relationship_types:
        yield from _heading(_("Relationship types"))
        for kind in qs.relationship_types:
            yield from _wrap(f"- {t(kind.title)}: {t(kind.description)}", 0, 2)
    yield from _toolkit_outline(qs, t)
    if qs.glossary:
        yield from _heading(_("Glossary"))
        for term, explanation in sorted(qs.glossary.items()):
            yield from _wrap(f"{term}: {t(explanation)}", 0, 2)


def _heading(title: str) -> Iterator[str]:
    yield ""
    yield title
    yield "-" * 40


def _toolkit_outline(qs: QuestionSet, t: Any) -> Iterator[str]:
    if qs.ground_rules:
        yield from _heading(_("Ground rules to propose"))
        for rule in qs.ground_rules:
            yield from _wrap("- " + t(rule), 0, 2)
    if qs.toolkit:
        yield from _heading(_("Toolkit notes"))
        for note in qs.toolkit:
            yield ""
            yield f"{t(note.title)} [{note.id}]"
            yield from _wrap(t(note.text), 3)
            if note.borrowed_from is not None:
                yield from _wrap(_("Borrowed from %(source)s.",
                                   source=t(note.borrowed_from)), 3, 5)
    if qs.preparation:
        yield from _heading(_("Preparation calls"))
        for prep in qs.preparation:
            yield ""
            yield from _wrap(f"{t(prep.text)} [{prep.id}]", 0, 3)
            yield from _wrap(_("Asked %(whom)s, alone", whom=ADDRESSED_TO[prep.asked_of]), 3)
            for follow_up in prep.follow_ups:
                yield from _wrap("- " + t(follow_up), 5, 7)


@group.command("show")
@click.argument("set_id")
def show(set_id: str) -> None:
    """Print a readable outline of question set SET_ID for a facilitator to review."""
    found = registry().get(set_id)
    if found is None:
        known = ", ".join(qs.id for qs in registry().all())
        raise click.ClickException(_(
            "There is no available question set '%(id)s'. Available: %(known)s. Run "
            "'convo question-sets check' to see why a set is unavailable.",
            id=set_id, known=known or _("none")))
    for line in outline(found):
        click.echo(line.rstrip())
