"""A person who asked not to be named is never named: not in any document, file name,
document property, email, shared screen or phone page.

The full name of each not-named participant — as typed, as a possessive, in capitals, in small
letters, broken across a line — goes into every free-text field convo has: the conversation's
details, other people's roles, points from the console and from a phone, an action's owner and
first step, an added question, the agreement, the summary's words, the correction's note, the
facilitator's own name.  Then every output is read back — the PDF's text and properties, every
XML part of the Word file, the archive's file names and download names, every email the
loopback SMTP server receives (headers, both bodies, attachment names), every view of the
shared screen and every participant page — and the name is found nowhere.  (The one place it
stays is the box where its writer edits their own words: replacing it there would rewrite
them.)
"""

from __future__ import annotations

import email
import io
import re
import zipfile
from email import policy
from pathlib import Path

from flask import Flask
from pypdf import PdfReader

from tests.conftest import ConversationRef
from tests.forms import form_fields, with_changes
from tests.integration.test_summary import Inbox, inbox  # noqa: F401  (the SMTP fixture)
from tests.queueing import map_file, run_jobs

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}
HIDDEN = [("Jordan Lee", "Primary Care Network manager"),
          ("Kim O'Shea", "neighbourhood housing officer")]


def _ways_of_writing(name: str) -> list[str]:
    first, last = name.split(" ", 1)
    return [name, f"{name}'s", name.upper(), name.lower(), f"{first}\n{last}",
            f"{name}’s"]


def _mention(n: int) -> str:
    """A sentence naming both not-named people, a different way each time."""
    one = _ways_of_writing(HIDDEN[0][0])
    two = _ways_of_writing(HIDDEN[1][0])
    return (f"{one[n % len(one)]} said the surgery is full; {two[n % len(two)]} agreed "
            f"(note {n}).")


FOUND = re.compile("|".join(
    r"\s+".join(re.escape(part) for part in name.split(" ")) for name, _ in HIDDEN),
    re.IGNORECASE)


def _assert_unnamed(where: str, text: str) -> None:
    found = FOUND.search(text)
    assert found is None, f"{where} names {found.group(0)!r}: …{text[max(0, found.start() - 80):found.end() + 80]}…"


def _xml_text(xml: str) -> str:
    return re.sub(r"<[^>]+>", "", xml).replace("&apos;", "'").replace("&amp;", "&")


def _set_status(app: Flask, conversation_id: int, status: str) -> None:
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        conversation.status = status
        conversation.version += 1
        conversation.phone_version = conversation.version  # as state.bump
        db.session.commit()


def _item_ids(app: Flask, conversation_id: int) -> list[int]:
    from sqlalchemy import select

    from convo.extensions import db
    from convo.models import Item

    with app.app_context():
        return list(db.session.scalars(select(Item.id).where(
            Item.conversation_id == conversation_id, Item.deleted_at.is_(None),
            Item.hidden.is_(False)).order_by(Item.id)))


def test_nobody_who_asked_not_to_be_named_is_named_anywhere(app: Flask, client, auth,
                                                            make_conversation, inbox):  # noqa: F811
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SECURITY="none",
                      MAIL_FROM="convo <convo@example.org>")
    ref: ConversationRef = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = f"{base}/console"
    counter = iter(range(1000))

    def say() -> str:
        return _mention(next(counter))

    # --- the people: a second not-named person; another's role mentions them --------------
    assert auth.submit(base, f"{base}/participants", {
        "name": HIDDEN[1][0], "role": HIDDEN[1][1], "party": "agency",
        "email": "kim@example.org", "may_be_named": None}).status_code == 302
    pat = ref.participant_ids[0]
    assert auth.submit(f"{base}/participants/{pat}", f"{base}/participants/{pat}", {
        "role": f"Partnership chair, deputy to {HIDDEN[0][0]}"}).status_code == 302

    # --- the details -------------------------------------------------------------------------
    assert auth.submit(f"{base}/edit", f"{base}/edit", {
        "partnership_name": f"Riverside Big Local with {HIDDEN[0][0]}",
        "partnership_area": say(), "agency_name": f"{HIDDEN[1][0].upper()}'s Practice",
        "purpose": say(), "place": say(), "date": "2026-11-22", "time": "10:00",
        # In Welsh too: the screen shows each question in both, the summary is in both.
        "language": "en_GB", "also_in": "cy",
    }).status_code == 302
    # The facilitator's own name, for good measure.
    account = auth.form("/account", "/account")
    if "name" in account:
        auth.client.post("/account", data=with_changes(account, name=f"Sam, {HIDDEN[0][0]}"))

    # --- points from the console and a phone, an action, a question, the agreement ----------
    for kind in ("challenge", "opportunity", "strength", "note", "follow_up", "action"):
        response = auth.post(f"{base}/items", data={"text": say(), "kind": kind,
                                                    "raised_by": "both"},
                             form_page=console, headers=JSON)
        assert response.status_code == 200
    action_id = response.get_json()["item_id"]
    assert auth.submit(console, f"{base}/items/{action_id}/action-details", {
        "owner_name": f"{HIDDEN[0][0]} (Primary Care Network manager)", "first_step": say(),
        "due_date": "2026-12-15"}).status_code == 302
    assert auth.post(f"{base}/questions", data={"text": f"What would {HIDDEN[1][0]} need?",
                                                "addressed_to": "agency"},
                     form_page=console).status_code == 302
    assert auth.submit(console, f"{base}/agreement", {
        "ground_rules": say(), "contacts": say(), "meeting_rhythm": say(),
        "next_conversation": f"When {HIDDEN[0][0]} is back"}).status_code == 302

    phone = app.test_client()
    page = phone.get(f"/j/{ref.join_code}").get_data(as_text=True)
    phone.post(f"/j/{ref.join_code}", data=with_changes(
        form_fields(page, f"/j/{ref.join_code}"), participant_id=str(pat)))
    # This phone reads its pages in Urdu (the words people typed stay as typed).
    assert phone.post("/p/language", data={
        "language": "ur", "next": "/p",
        "csrf_token": form_fields(phone.get("/p").get_data(as_text=True), "/p/items")[
            "csrf_token"]}).status_code == 303
    fields = form_fields(phone.get("/p").get_data(as_text=True), "/p/items")
    assert phone.post("/p/items", data=with_changes(fields, text=say(), kind="challenge"),
                      headers=JSON).status_code in (200, 201)

    # --- ratings, revealed, so every view has something to show ------------------------------
    for party in ("partnership", "agency"):
        scores = {f"eight_criteria.{c}.now": "2" if party == "partnership" else "4" for c in (
            "mutual_knowledge", "understanding", "trust", "respect", "common_language",
            "shared_goals", "roles_and_flexibility", "capacity_to_follow_through")}
        auth.submit(f"{base}/ratings/{party}", f"{base}/ratings/{party}", scores)
    auth.post(f"{base}/ratings/reveal", data={"reveal": "1"}, form_page=console)

    outputs: dict[str, str] = {}

    def screen_views(when: str) -> None:
        auth.post(f"{base}/go", data={"stage": "open"}, form_page=console)
        for mode in ("question", "items", "ratings", "actions", "summary", "join"):
            auth.post(f"{base}/screen", data={"mode": mode}, form_page=console)
            outputs[f"screen ({mode}, {when})"] = auth.client.get(
                f"/c/{ref.id}/screen").get_data(as_text=True)
            outputs[f"screen view ({mode}, {when})"] = auth.client.get(
                f"/c/{ref.id}/screen/view?v=0").get_data(as_text=True)
            # Every page of a paged view (the draft summary a section at a time).
            for page in range(1, 30):
                auth.post(f"{base}/screen/page", data={"page": str(page)}, form_page=console)
                view = auth.client.get(f"/c/{ref.id}/screen/view?v=0").get_data(as_text=True)
                outputs[f"screen view ({mode} page {page}, {when})"] = view
                where = re.search(r"(?:Page|Part) (\d+) of (\d+)|–(\d+) of (\d+)", view)
                if where is None or len(set(g for g in where.groups() if g)) == 1:
                    break
        # A point opened in full on the screen.
        for item_id in _item_ids(app, ref.id)[:3]:
            auth.post(f"{base}/screen/point", data={"item": str(item_id)}, form_page=console)
            outputs[f"screen, point {item_id} in full ({when})"] = auth.client.get(
                f"/c/{ref.id}/screen/view?v=0").get_data(as_text=True)
        auth.post(f"{base}/screen/point", data={"item": ""}, form_page=console)
        for stage in ("challenges", "actions"):  # the added question, and the action
            auth.post(f"{base}/go", data={"stage": stage}, form_page=console)
            auth.post(f"{base}/screen", data={"mode": "question"}, form_page=console)
            outputs[f"screen in {stage} ({when})"] = auth.client.get(
                f"/c/{ref.id}/screen/view?v=0").get_data(as_text=True)

    def phone_pages(when: str) -> None:
        for url in ("/p", "/p/view?v=0", "/p/ratings", "/p/summary", "/p/summary/document",
                    f"/j/{ref.join_code}"):
            response = phone.get(url)
            # The code stops when closed; the summary's old document link goes to the page
            # that shows it.
            assert response.status_code in (200, 302, 404), url
            outputs[f"phone {url} ({when})"] = response.get_data(as_text=True)

    # Before the start, the screen welcomes the room (the parties, the purpose, how to join).
    _set_status(app, ref.id, "upcoming")
    outputs["screen: welcome"] = auth.client.get(f"/c/{ref.id}/screen").get_data(as_text=True)
    _set_status(app, ref.id, "live")
    screen_views("while live")
    phone_pages("while live")

    # The run sheet (drawn by the background worker): the people coming, by role if not named.
    assert auth.post(f"{base}/run-sheet", form_page=f"{base}/run-sheet").status_code == 302
    assert run_jobs(app) == 1
    sheet = auth.client.get(f"{base}/run-sheet.pdf")
    assert sheet.status_code == 200
    reader = PdfReader(io.BytesIO(sheet.get_data()))
    sheet.close()
    outputs["run sheet PDF"] = " ".join(p.extract_text() for p in reader.pages) + str(
        reader.metadata)
    assert "Primary Care Network manager" in outputs["run sheet PDF"]

    # --- the summary: words, approval, version 1, a correction, version 2, emails -------------
    assert auth.post(f"{base}/close", form_page=console).status_code == 302
    summary = f"/c/{ref.id}/summary"
    words = {name: say() for name in form_fields(auth.client.get(summary).get_data(as_text=True),
                                                 f"{summary}/draft", summary)
             if name.startswith("narrative-") or name in ("introduction", "closing")}
    assert auth.submit(summary, f"{summary}/draft", words).status_code == 302
    for party in ("partnership", "agency"):
        auth.post(f"{summary}/approval/{party}", form_page=summary)
    assert auth.post(f"{summary}/issue", data={}, form_page=summary).status_code == 302
    assert run_jobs(app) == 1  # the background worker makes the files
    everyone = [str(p) for p in _participant_ids(app, ref.id)]

    def send(number: int) -> None:
        sent = auth.submit(summary, f"{summary}/v{number}/send", {
            "participant": everyone, "others": "partnership-board@example.org"})
        assert sent.status_code == 302
        run_jobs(app)  # the background worker sends them

    send(1)
    assert auth.submit(summary, f"{summary}/draft", {
        "introduction": say(),
        "change_note": f"{HIDDEN[0][0]}'s title corrected; {HIDDEN[1][0].lower()} added."
    }).status_code == 302
    for party in ("partnership", "agency"):
        auth.post(f"{summary}/approval/{party}", form_page=summary)
    issued = auth.post(f"{summary}/issue", data={}, form_page=summary)
    assert issued.status_code == 302, issued.get_data(as_text=True)[:2000]
    assert run_jobs(app) == 1
    outputs["summary preview"] = auth.client.get(f"{summary}/preview").get_data(as_text=True)
    auth.post(f"{base}/reopen", form_page=console)
    screen_views("after the summary")
    phone_pages("after the summary")
    auth.post(f"{base}/close", form_page=console)
    auth.post(f"{base}/screen", data={"mode": "question"}, form_page=console)
    outputs["screen: closing"] = auth.client.get(f"/c/{ref.id}/screen").get_data(as_text=True)
    assert "Thank you for taking part" in outputs["screen: closing"]

    send(2)

    # --- read every output back -----------------------------------------------------------------
    exports = Path(app.config["EXPORT_DIR"])
    files = sorted(p for p in exports.rglob("*") if p.is_file() and "run-sheets" not in p.parts)
    assert len(files) == 4
    for path in exports.rglob("run-sheets/*"):  # read above; named by a fingerprint only
        _assert_unnamed(f"file name {path.name}", str(path.relative_to(exports)))
    for path in files:
        _assert_unnamed(f"file name {path.name}", str(path.relative_to(exports)))
        if path.suffix == ".pdf":
            reader = PdfReader(io.BytesIO(path.read_bytes()))
            text = " ".join(page.extract_text() for page in reader.pages)
            assert "surgery is full" in text  # the mentions are there, by role
            _assert_unnamed(f"{path.name} text", text)
            _assert_unnamed(f"{path.name} properties", repr(dict(reader.metadata or {})))
        else:
            with zipfile.ZipFile(path) as archive:
                for part in archive.namelist():
                    if part.endswith((".xml", ".rels")):
                        _assert_unnamed(f"{path.name}:{part}",
                                        _xml_text(archive.read(part).decode("utf-8")))
    for number in (1, 2):
        for kind in ("pdf", "docx"):
            download = auth.client.get(f"{summary}/v{number}.{kind}")
            _assert_unnamed(f"download name v{number}.{kind}",
                            download.headers["Content-Disposition"])
    assert len(inbox.messages) == 2 * (len(everyone) + 1)
    for _sender, _rcpts, raw in inbox.messages:
        message = email.message_from_bytes(raw, policy=policy.default)
        for header, value in message.items():
            _assert_unnamed(f"email header {header}", str(value))
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                _assert_unnamed("email body", part.get_content())
            if part.get_filename():
                _assert_unnamed("email attachment name", part.get_filename())
    for where, html in outputs.items():
        _assert_unnamed(where, _xml_text(html))
    # Their roles stand in for them, in plain words.
    shown = _xml_text(outputs["screen view (items, while live)"])
    assert "The Primary Care Network manager said the surgery is full" in shown
    assert "the neighbourhood housing officer agreed" in shown


def _participant_ids(app: Flask, conversation_id: int) -> list[int]:
    from sqlalchemy import select

    from convo.extensions import db
    from convo.models import Participant

    with app.app_context():
        return list(db.session.scalars(select(Participant.id).where(
            Participant.conversation_id == conversation_id)))


def test_nobody_is_named_in_what_leaves_between_conversations(app: Flask, client, auth,
                                                              make_conversation, tmp_path):
    """The outputs of issue 15: the map's PDF and Word, the tracker's CSV, reminder emails and
    their link pages, calendar invitations and the .ics download — with both not-named
    people's names typed into every new field (who holds a relationship, its notes, an
    action, the agreement's words beside the next date)."""
    from datetime import date, timedelta

    from docx import Document

    from tests import smtp
    from tests.integration.test_reminders import _link

    served = smtp.serve()
    inbox = next(served)
    try:
        app.config.update(smtp.mail_settings(inbox), BASE_URL="https://convo.example.org")
        ref: ConversationRef = make_conversation()
        auth.sign_in_as(ref.facilitator)
        base = f"/conversations/{ref.id}"
        console = f"{base}/console"
        lee = ref.participant_ids[3]
        assert auth.submit(f"{base}/participants/{lee}", f"{base}/participants/{lee}",
                           {"reminders": "y"}).status_code == 302
        assert auth.submit(base, f"{base}/participants", {
            "name": HIDDEN[1][0], "role": HIDDEN[1][1], "party": "agency",
            "email": "kim@example.org", "may_be_named": None}).status_code == 302
        item = auth.post(f"{base}/items", data={"text": _mention(1), "kind": "action",
                                                "raised_by": "agency"},
                         form_page=console, headers=JSON).get_json()["item_id"]
        due = date.today() + timedelta(days=1)
        assert auth.submit(console, f"{base}/items/{item}/action-details", {
            "owner_participant": str(lee), "due_date": due.isoformat()}).status_code == 302
        assert auth.submit(console, f"{base}/agreement", {
            "next_date": (due + timedelta(days=30)).isoformat(), "next_time": "10:00",
            "next_conversation": _mention(2), "contacts": _mention(3)}).status_code == 302
        from convo.extensions import db
        from convo.models import Conversation

        with app.app_context():
            conversation = db.session.get(Conversation, ref.id)
            pid, rid = conversation.partnership_id, conversation.relationship_id
        edit = f"/partnerships/{pid}/edit"
        assert auth.submit(edit, edit, {"criteria": ["trust"]}).status_code == 302
        entry = f"/partnerships/{pid}/relationships/{rid}/edit"
        assert auth.submit(entry, entry, {"partnership_holders": _mention(4),
                                          "agency_holders": _mention(5),
                                          "score_trust": "3"}).status_code == 302
        outputs: dict[str, str] = {}
        pdf = map_file(app, auth, pid, "pdf")
        reader = PdfReader(io.BytesIO(pdf.data))
        outputs["map PDF"] = " ".join(p.extract_text() for p in reader.pages) + str(
            reader.metadata)
        word = map_file(app, auth, pid, "docx")
        with zipfile.ZipFile(io.BytesIO(word.data)) as package:
            for name in package.namelist():
                if name.endswith(".xml"):
                    outputs[f"map Word {name}"] = _xml_text(package.read(name).decode())
        outputs["CSV"] = client.get(f"/partnerships/{pid}/actions.csv").get_data(as_text=True)
        outputs[".ics"] = client.get(f"{base}/next.ics").get_data(as_text=True)
        settings = f"/partnerships/{pid}/reminders"
        assert auth.submit(settings, settings, {"reminders_on": "y"}).status_code == 302
        run_jobs(app)
        assert auth.post(f"{base}/invitations", form_page=console).status_code == 302
        run_jobs(app)
        for address in ("lee@example.org", "okafor@example.org"):
            for n, message in enumerate(inbox.messages_to(address)):
                outputs[f"email {n} to {address}"] = message.as_string() + "".join(
                    part.get_content() if isinstance(part.get_content(), str)
                    else part.get_content().decode() for part in message.walk()
                    if not part.is_multipart())
        reminder = next(m for m in inbox.messages_to("lee@example.org")
                        if "due on" in m["Subject"])
        outputs["reminder page"] = app.test_client().get(_link(reminder, "update")).get_data(
            as_text=True)
        assert len([k for k in outputs if k.startswith("email")]) >= 3
        for where, text in outputs.items():
            _assert_unnamed(where, text)
    finally:
        next(served, None)
