"""The `convo` command: Flask's commands (run, db, shell, routes) plus convo's own."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup

from convo import ROOT, create_app
from convo.auth import service
from convo.extensions import db
from convo.models import Facilitator

TRANSLATIONS = ROOT / "convo" / "translations"
POT_FILE = TRANSLATIONS / "messages.pot"
# Babel skips folders starting with "_" unless told which to skip instead: templates/_partials
# holds marked strings too.
EXTRACT_IGNORE_DIRS = ".* __pycache__ node_modules"


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """convo: facilitated conversations between communities and public agencies."""


def init_app(app: Flask) -> None:
    """Register convo's commands on the app, so `convo` and the test runner both see them."""
    app.cli.add_command(create_facilitator)
    app.cli.add_command(setup_link)
    app.cli.add_command(i18n)
    app.cli.add_command(export_conversation)
    app.cli.add_command(delete_conversation)
    app.cli.add_command(demo)
    app.cli.add_command(worker)
    app.cli.add_command(run_with_worker)


commands = AppGroup("convo-commands")  # a holder: its commands get an app context


@commands.command("create-facilitator")
@click.argument("email")
@click.option("--name", default=None, help="Their name as others will see it (asked if not given).")
@click.option("--admin", is_flag=True, help="Let them add, disable and reset other facilitators.")
def create_facilitator(email: str, name: str | None, admin: bool) -> None:
    """Create a facilitator account, asking for the password without showing it."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    if Facilitator.by_email(service.normalise_email(email)):
        raise click.ClickException(f"There is already an account for {email}.")
    if name is None:
        name = click.prompt("Name")
    name = name.strip()
    if not name or len(name) > 120:
        raise click.BadParameter("give a name of 1 to 120 characters", param_hint="--name")
    while True:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = service.password_problem(password, email)
        if problem is None:
            break
        click.echo(problem, err=True)
        if not sys.stdin.isatty():
            raise click.ClickException("password not accepted")
    service.create_facilitator(email, name, password, is_admin=admin)
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}account for {service.normalise_email(email)}.")


@commands.command("setup-link")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the app is served, to build the link.")
@click.option("--if-needed", is_flag=True, help="Print nothing when accounts already exist.")
def setup_link(base_url: str, if_needed: bool) -> None:
    """Print a one-time link that creates the first admin account (only while there is none)."""
    if not service.setup_needed():
        if if_needed:
            return
        raise click.ClickException("convo already has accounts; an admin can add more.")
    token = service.issue_setup_token()
    db.session.commit()
    hours = current_app.config["SETUP_TOKEN_HOURS"]
    link = f"{base_url.rstrip('/')}/setup/{token}"
    click.echo("")
    click.echo("  convo has no accounts yet. Open this one-time link to create the first admin")
    click.echo(f"  (it works once, for {hours} hours; `convo setup-link` makes a new one):")
    click.echo("")
    click.echo(f"    {link}")
    click.echo("")


@commands.command("export-conversation")
@click.argument("conversation_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def export_conversation(conversation_id: int, out: str | None) -> None:
    """Print a whole conversation as JSON (the format is in README.md, "Data portability")."""
    import json

    from convo.conversations import exporting
    from convo.models import Conversation

    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise click.ClickException(f"There is no conversation {conversation_id}.")
    body = json.dumps(exporting.export(conversation), ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(body + "\n", encoding="utf-8")
        click.echo(f"Wrote conversation {conversation_id} to {out}.")
    else:
        click.echo(body)


@commands.command("delete-conversation")
@click.argument("conversation_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
def delete_conversation(conversation_id: int, yes: bool) -> None:
    """Delete a conversation for good: everything recorded in it and its issued summaries."""
    from convo.conversations import deleting
    from convo.models import Conversation

    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise click.ClickException(f"There is no conversation {conversation_id}.")
    if not yes:
        click.echo(f"Conversation {conversation_id}: {conversation.partnership_name} and "
                   f"{conversation.agency_name}.")
        click.confirm("Delete it and its issued summaries for good?", abort=True)
    try:
        deleted = deleting.delete_conversation(conversation)
    except deleting.ArchiveError as exc:
        raise click.ClickException(
            f"Nothing was deleted: the archive folder {exc} cannot be moved (is the export "
            f"folder writable?).") from None
    if deleted.files_left is not None:
        raise click.ClickException(
            f"Conversation {conversation_id} is deleted, but its issued files could not be "
            f"removed: remove {deleted.files_left} by hand.")
    click.echo(f"Deleted conversation {conversation_id}.")


@commands.command("worker")
@click.option("--threads", type=int, default=None,
              help="Jobs run at once (default: QUEUE_WORKERS, 4).")
@click.option("--stop-with-parent", is_flag=True, hidden=True,
              help="Stop when the process that started this one has gone (make run).")
def worker(threads: int | None, stop_with_parent: bool) -> None:
    """Run a background worker: sends email, issues summaries, removes deleted files.
    SIGTERM or Ctrl-C stops it once the jobs under way have finished."""
    import os
    import threading

    from convo.jobs import together
    from convo.jobs import worker as jobs_worker

    if threads is not None and threads < 1:
        raise click.BadParameter("at least 1", param_hint="--threads")
    stop = threading.Event()
    if stop_with_parent:
        together.watch_parent(os.getppid(), stop)
    try:
        jobs_worker.run(current_app._get_current_object(), threads)  # type: ignore[attr-defined]
    finally:
        stop.set()


@commands.command("run-with-worker", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run_with_worker(host: str, port: int) -> None:
    """Serve convo (Flask's own server, for one machine) with a background worker beside it,
    as `make run` does; Ctrl-C stops both."""
    from convo.jobs import together

    together.serve(create_app(), host, port)


@commands.command("demo", with_appcontext=False)
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Folder to write summary.pdf and summary.docx to.")
def demo(out_dir: Path) -> None:
    """Build the demo conversation (the research's health example) in a throwaway database and
    write its issued summary as summary.pdf and summary.docx."""
    import secrets
    import tempfile

    from flask_migrate import upgrade

    from convo.demo.build import write_demo

    with tempfile.TemporaryDirectory(prefix="convo-demo-") as tmp:
        app = create_app({
            "INSTANCE_PATH": tmp,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.sqlite3",
            "EXPORT_DIR": f"{tmp}/exports",
            "QUESTION_SETS_DIR": f"{tmp}/question_sets",
            "SECRET_KEY": secrets.token_hex(16),
        })
        with app.app_context():
            upgrade()
            pdf, docx = write_demo(out_dir)
            db.session.remove()
            db.engine.dispose()
    click.echo(f"Wrote {pdf} and {docx}.")


@commands.group("i18n")
def i18n() -> None:
    """Translation catalogues: extract, update, compile."""


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    except SystemExit as exc:  # pybabel exits on errors
        if exc.code:
            raise click.ClickException(f"pybabel {args[0]} failed") from None


@i18n.command("extract")
def i18n_extract() -> None:
    """Collect every marked string into convo/translations/messages.pot."""
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
             "--no-location", "--sort-output", "--project", "convo",
             "--ignore-dirs", EXTRACT_IGNORE_DIRS, "-o", str(POT_FILE), str(ROOT))
    click.echo(f"Wrote {POT_FILE.relative_to(ROOT)}")


@i18n.command("update")
def i18n_update() -> None:
    """Extract, then merge new strings into every catalogue (en_GB is filled from the source)."""
    i18n_extract.callback()  # type: ignore[misc]
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        _pybabel("update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS),
                 "-l", po.parent.parent.name, "--no-fuzzy-matching", "--ignore-obsolete")
    fill_source_catalogue(TRANSLATIONS / "en_GB" / "LC_MESSAGES" / "messages.po")
    click.echo("Updated catalogues.")


@i18n.command("init")
@click.argument("locale")
def i18n_init(locale: str) -> None:
    """Start a catalogue for a new language (then translate it and add it to LANGUAGES)."""
    i18n_extract.callback()  # type: ignore[misc]
    _pybabel("init", "-i", str(POT_FILE), "-d", str(TRANSLATIONS), "-l", locale)


@i18n.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The language's name in itself, e.g. Cymraeg.")
@click.option("--english", required=True, help="Its name in English, e.g. Welsh.")
@click.option("--rtl", is_flag=True, help="Written right to left (Urdu, Arabic, Farsi...).")
@click.option("--participants-only", is_flag=True,
              help="Offer it to participants only (their phones, the screen's question, the "
                   "summary); question sets then need only what participants read.")
def i18n_add(code: str, name: str, english: str, rtl: bool, participants_only: bool) -> None:
    """Add a language end to end: its catalogue, its entry in languages.yaml, and the
    question sets' translation files, all ready to translate."""
    from convo.core import languages

    i18n_extract.callback()  # type: ignore[misc]
    try:
        made = languages.add(code, name, english, "rtl" if rtl else "ltr",
                             "participants" if participants_only else "everything")
    except languages.LanguagesFileError as exc:
        raise click.ClickException(str(exc)) from None
    for line in made:
        click.echo(line)


@i18n.command("compile")
def i18n_compile() -> None:
    """Build the .mo files the app reads (done by `make`; they are not committed)."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


def fill_source_catalogue(path: Path) -> None:
    """en_GB is the language the strings are written in: each translation is its source text."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="en_GB")
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not any(message.string):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False, sort_output=True)
