"""The shared summary: build, the draft page, approval, versions, files and sending."""

from __future__ import annotations

import hashlib
import re

import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, page_text
from tests.queueing import run_jobs

FETCH = {"X-Requested-With": "fetch", "Accept": "application/json"}


def words(response) -> str:  # type: ignore[no-untyped-def]
    """What the page says, without its tags, spaces collapsed."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split()).replace(" :", ":")


def _fill(app, ref, starts_at=datetime(2021, 9, 14, 9, 0, tzinfo=timezone.utc)):  # type: ignore[no-untyped-def]
    """A conversation with points in every section, ratings, actions and an agreement."""
    from convo.conversations import capture, service
    from convo.ratings import service as ratings
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        conversation.starts_at = starts_at
        conversation.ground_rules = "No individual cases."
        conversation.contacts = "Pat Okafor and Jordan Lee"
        conversation.meeting_rhythm = "Every two months"
        conversation.next_conversation = "January 2022"
        author = capture.Author(facilitator_id=ref.facilitator.id)
        points = [
            ("get_to_know", "strength", "partnership", "We want residents heard early"),
            ("whats_happening", "note", "agency", "Waiting lists are long"),
            ("whats_happening", "challenge", "both", "Waiting well"),
            ("challenges", "challenge", "agency", "Long COVID"),
            ("opportunities", "opportunity", "partnership", "Strengthen social prescribing"),
            ("how_well", "note", "both", "Jordan Lee said trust rests on two people"),
            ("close", "note", "both", "A real start"),
            ("challenges", "follow_up", "partnership", "Who funds the posts after March?"),
        ]
        for n, (stage, kind, by, text) in enumerate(points):
            capture.add(conversation, client_id=f"p{n}", text=text, kind=kind, raised_by=by,
                        stage_id=stage, question_id=None, author=author)
        action, _ = capture.add(conversation, client_id="a1", text="Invite the link worker",
                                kind="action", raised_by="both", stage_id="actions",
                                question_id=None, author=author)
        capture.set_action(conversation, action, capture.ActionDetails(
            owner_name=None, owner_participant_id=ref.participant_ids[3], owner_party="agency",
            due_date=datetime(2021, 10, 15).date(), due_by_next=False, first_step="Email",
            agreed_by_both=True, status="agreed"), author)
        plan = service.plan_for(conversation)
        instrument = plan.question_set.ratings[0]
        for criterion in instrument.criteria:
            ratings.set_score(conversation, instrument, criterion.id, "now", "partnership", 2)
            ratings.set_score(conversation, instrument, criterion.id, "now", "agency",
                              5 if criterion.id == "trust" else 3)
        ratings.set_relationship(conversation, plan, "partnership", "clients_contractors",
                                 "powerful_allies")
        db.session.commit()


def _summary(app, ref):  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary.build import build

    with app.app_context():
        return build(db.session.get(Conversation, ref.id))


def test_build_has_every_section_in_the_readers_words(app, make_conversation):
    ref = make_conversation()
    _fill(app, ref)
    summary = _summary(app, ref)
    assert summary.title == "Riverside Big Local and Exampletown Primary Care Network"
    assert summary.date_text == "Tuesday 14 September 2021"
    assert summary.time_text == "10:00"  # British Summer Time
    # A strength goes under its own heading, wherever it was said (issue 16).
    assert summary.strengths is not None and summary.strengths.title == "What is working well"
    assert [p.text for p in summary.strengths.points] == ["We want residents heard early"]
    assert summary.working_towards.points == ()
    assert [p.text for p in summary.community.points] == ["Waiting lists are long"]
    assert [p.text for p in summary.challenges.points] == ["Waiting well", "Long COVID"]
    assert [p.raised_by for p in summary.challenges.points] == [
        "Both", "Exampletown Primary Care Network"]
    assert [p.text for p in summary.opportunities.points] == ["Strengthen social prescribing"]
    assert [p.text for p in summary.follow_ups.points] == ["Who funds the posts after March?"]
    assert [p.text for p in summary.closing.points] == ["A real start"]
    action = summary.actions[0]
    assert (action.what, action.party, action.by_when) == (
        "Invite the link worker", "Exampletown Primary Care Network", "15 October 2021")
    block = summary.ratings[0]
    assert block.biggest[0] == "Trust" and "<svg" in block.chart_svg
    assert summary.relationship[0].now == "Clients and contractors"
    assert summary.next_conversation == "January 2022"
    assert summary.appendix[0].questions


def test_anonymity_holds_everywhere(app, make_conversation):
    ref = make_conversation()
    _fill(app, ref)
    summary = _summary(app, ref)
    from dataclasses import asdict

    everything = repr(asdict(summary))
    assert "Jordan Lee" not in everything
    assert "The Primary Care Network manager said trust rests on two people" in everything
    assert summary.actions[0].owner == "Primary Care Network manager"
    assert "Pat Okafor and the Primary Care Network manager" == summary.contacts
    assert "jordan" not in summary.file_stem.lower()


def test_draft_page_saves_words_and_orders_points(app, client, auth, make_conversation):
    ref = make_conversation()
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    page = client.get(url)
    assert page.status_code == 200 and "The shared summary" in page_text(page)
    saved = auth.submit(url, f"{url}/draft", {"introduction": "Our first conversation.",
                                              "narrative-challenges": "Two stood out.",
                                              "closing": "Thank you all."}, headers=FETCH)
    assert saved.get_json()["ok"] is True
    too_long = auth.submit(url, f"{url}/draft", {"introduction": "x" * 10_001})
    assert too_long.status_code == 422
    assert "This is too long" in page_text(too_long)
    assert "x" * 10_001 in page_text(too_long)  # kept in the box
    summary = _summary(app, ref)
    assert summary.introduction == "Our first conversation."
    assert summary.challenges.narrative == "Two stood out."
    assert summary.closing.narrative == "Thank you all."
    # A pasted invisible character is taken out, and the writer told which; nothing refused.
    control = auth.submit(url, f"{url}/draft", {"closing": "Thank you\x07 all."},
                          headers=FETCH)
    assert control.status_code == 200 and "U+0007 (bell)" in control.get_json()["note"]
    assert _summary(app, ref).closing.narrative == "Thank you all."
    with app.app_context():
        from convo.extensions import db
        from convo.models import Item

        long_covid = db.session.scalar(select(Item.id).where(Item.text == "Long COVID"))
        waiting = db.session.scalar(select(Item.id).where(Item.text == "Waiting lists are long"))
    auth.post(f"{url}/items/{long_covid}/up", form_page=url)
    auth.post(f"{url}/items/{waiting}/leave-out", form_page=url)
    summary = _summary(app, ref)
    assert [p.text for p in summary.challenges.points] == ["Long COVID", "Waiting well"]
    assert summary.community.empty
    auth.post(f"{url}/items/{waiting}/put-back", form_page=url)
    assert [p.text for p in _summary(app, ref).community.points] == ["Waiting lists are long"]
    assert auth.post(f"{url}/items/{waiting}/shred", form_page=url).status_code == 404

    # Only moves that do something are offered: the first point has no "Move up", the last
    # no "Move down", and a heading with one point neither.
    html = client.get(url).get_data(as_text=True)
    challenges = html[html.index('id="heading-challenges"'):]
    challenges = challenges[:challenges.index("</section>")]
    first, second = challenges.split('<li id="point-')[1:3]
    assert "Move up<" not in first and "Move down<" in first
    assert "Move up<" in second and "Move down<" not in second
    community = html[html.index('id="heading-community"'):]
    community = community[:community.index("</section>")]
    assert "Move up<" not in community and "Move down<" not in community
    assert "Leave out<" in community


def _approve_both(auth, url):  # type: ignore[no-untyped-def]
    for party in ("partnership", "agency"):
        assert auth.post(f"{url}/approval/{party}", form_page=url).status_code == 302


def _export_files(app) -> list[Path]:  # type: ignore[no-untyped-def]
    root = Path(app.config["EXPORT_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.slow
def test_approve_issue_download_and_correct(app, client, auth, make_conversation):
    ref = make_conversation()
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    refused = auth.post(f"{url}/issue", data={}, form_page=url)
    assert refused.status_code == 422
    assert "Both sides need to approve the summary as it reads now before it is issued" \
        in page_text(refused)
    _approve_both(auth, url)
    issued = auth.post(f"{url}/issue", data={}, form_page=url, follow_redirects=True)
    assert "Issuing version 1…" in page_text(issued)  # the worker makes it
    assert _export_files(app) == []
    assert run_jobs(app) == 1
    assert "Version 1 issued" in page_text(client.get(url))
    files = _export_files(app)
    assert sorted(f.suffix for f in files) == [".docx", ".pdf"]
    assert not any(f.name.startswith(".partial") for f in files)
    pdf = client.get(f"{url}/v1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].endswith('-v1.pdf"')
    assert pdf.data == next(f for f in files if f.suffix == ".pdf").read_bytes()
    sha = next(f for f in files if f.suffix == ".pdf").name.rsplit("-", 1)[1][:12]
    assert hashlib.sha256(pdf.data).hexdigest().startswith(sha)
    docx = client.get(f"{url}/v1.docx")
    assert docx.data.startswith(b"PK")

    # Issuing again with nothing changed gives the same version, not a new one.
    again = auth.post(f"{url}/issue", data={}, form_page=url, follow_redirects=True)
    assert "Version 1 already says exactly this" in page_text(again)
    assert run_jobs(app) == 0
    assert len(_export_files(app)) == 2

    # A correction: the old approvals no longer hold; a note of what changed is needed, and
    # is part of what both sides approve; v1 stays.
    auth.submit(url, f"{url}/draft", {"introduction": "Corrected spelling."})
    assert "Approved an earlier draft" in page_text(client.get(url))
    _approve_both(auth, url)
    no_note = auth.post(f"{url}/issue", data={}, form_page=url)
    assert no_note.status_code == 422 and "Say what changed" in page_text(no_note)
    assert auth.submit(url, f"{url}/draft", {"change_note": "Spelling fixed."}).status_code == 302
    page = page_text(client.get(url))
    assert "Approved an earlier draft" in page  # the note needs approving too
    _approve_both(auth, url)
    v1_before = {f: f.read_bytes() for f in _export_files(app)}
    assert auth.post(f"{url}/issue", data={}, form_page=url).status_code == 302
    run_jobs(app)
    for path, data in v1_before.items():
        assert path.read_bytes() == data  # never overwritten
    assert len(_export_files(app)) == 4
    assert client.get(f"{url}/v2.pdf").status_code == 200
    assert client.get(f"{url}/v3.pdf").status_code == 404
    assert client.get(f"{url}/v1.exe").status_code == 404

    # Downloads come from the archived file, never re-rendered: a damaged file is refused.
    target = next(f for f in _export_files(app) if f.suffix == ".pdf" and "/v1/" in str(f))
    target.write_bytes(b"%PDF-tampered")
    assert client.get(f"{url}/v1.pdf").status_code == 500


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["crash", "disk_full", "unwritable"])
def test_failed_export_leaves_nothing(app, client, auth, make_conversation, monkeypatch, fault):
    """A failure while issuing (in the worker) is shown with its cause and can be tried again;
    it leaves no file, no empty version folder and no version."""
    import os

    from convo.summary import service

    ref = make_conversation()
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    _approve_both(auth, url)
    export = Path(app.config["EXPORT_DIR"])
    if fault == "crash":
        import convo.summary.render_docx as render_docx

        def explode(summary):  # type: ignore[no-untyped-def]
            raise RuntimeError("renderer crashed")

        monkeypatch.setattr(render_docx, "render_docx", explode)
        cause = "Making the Word or PDF file failed."
    elif fault == "disk_full":
        real = service._write_atomically
        calls = {"n": 0}

        def full(path, data):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 2:  # the PDF is written, then the disk fills
                raise OSError(28, "No space left on device")
            return real(path, data)

        monkeypatch.setattr(service, "_write_atomically", full)
        cause = "The disk that holds the archive of issued summaries is full."
    else:
        export.mkdir(parents=True, exist_ok=True)
        (export / f"conversation-{ref.id}").mkdir(mode=0o500)
        if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as a mount would
            real_mkdir = Path.mkdir

            def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                if self.name == "v1":
                    raise PermissionError(13, "Permission denied", str(self))
                return real_mkdir(self, *args, **kwargs)

            monkeypatch.setattr(Path, "mkdir", refuse)
        cause = "convo could not write to the archive of issued summaries."
    response = auth.post(f"{url}/issue", data={}, form_page=url)
    assert response.status_code == 302
    assert run_jobs(app) == 1
    page = page_text(client.get(url))
    assert "Version 1 could not be issued." in page and cause in page
    assert "Nothing was issued and no files were kept." in page
    assert "Try issuing version 1 again" in page
    if fault == "unwritable":
        assert f"conversation-{ref.id}/v1" in page  # where it could not write
        if (export / f"conversation-{ref.id}").exists():
            (export / f"conversation-{ref.id}").chmod(0o700)
    assert _export_files(app) == []
    assert not (export / f"conversation-{ref.id}" / "v1").exists()  # no empty folder left
    with app.app_context():
        from convo.extensions import db
        from convo.models import SummaryVersion

        assert db.session.scalars(select(SummaryVersion)).all() == []
    # Once the cause is fixed, trying again issues it.
    monkeypatch.undo()
    auth.post(f"{url}/issue", data={}, form_page=url)
    assert run_jobs(app) == 1
    assert "Version 1 issued" in page_text(client.get(url))
    assert len(_export_files(app)) == 2


@pytest.mark.slow
def test_issuing_twice_at_once_creates_one_version(app, make_conversation):
    ref = make_conversation()
    _fill(app, ref)
    clients = []
    for _ in range(2):
        auth = AuthActions(app.test_client())
        auth.sign_in_as(ref.facilitator)
        clients.append(auth)
    url = f"/c/{ref.id}/summary"
    _approve_both(clients[0], url)
    tokens = [a.csrf(url) for a in clients]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def issue(n: int) -> None:
        barrier.wait()
        statuses.append(clients[n].client.post(f"{url}/issue", data={
            "csrf_token": tokens[n]}).status_code)

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302, 302]
    run_jobs(app)
    with app.app_context():
        from convo.extensions import db
        from convo.models import SummaryIssue, SummaryVersion

        assert [v.number for v in db.session.scalars(select(SummaryVersion))] == [1]
        assert [(i.number, i.status) for i in db.session.scalars(select(SummaryIssue))] == [
            (1, "done")]
    assert len(_export_files(app)) == 2


# --- sending ----------------------------------------------------------------------------------


class Inbox:
    """A real SMTP server on loopback that keeps what it receives (and can refuse someone)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _issued(app, auth, ref) -> str:  # type: ignore[no-untyped-def]
    """ref's conversation filled in, approved by both sides and issued as version 1 (the
    worker's job run): its summary page's address, signed in as its facilitator."""
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    _approve_both(auth, url)
    auth.post(f"{url}/issue", data={}, form_page=url)
    run_jobs(app)
    return url


@pytest.fixture
def inbox():  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


@pytest.mark.slow
def test_send_by_email_to_a_real_smtp_server(app, client, auth, make_conversation, inbox):
    import email
    from email import policy

    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SECURITY="none",
                      MAIL_FROM="convo <convo@example.org>")
    ref = make_conversation()
    url = _issued(app, auth, ref)
    inbox.refuse.add("moore@example.org")
    participants = [str(pid) for pid in ref.participant_ids]
    response = auth.post(f"{url}/v1/send", data={"participant": participants,
                                                 "others": "manager@example.org\n"},
                         form_page=url, follow_redirects=True)
    assert "Sending to 5." in page_text(response)
    assert page_text(response).count("waiting to be sent") == 5
    assert inbox.messages == []  # nothing is sent inside the request
    assert run_jobs(app) == 5
    body = words(client.get(url))
    assert body.count(": sent ") == 4
    assert "not sent – 550 5.1.1 No such mailbox" in body  # permanent: not tried again
    assert len(inbox.messages) == 4
    pdf_file = client.get(f"{url}/v1.pdf").data
    for sender, rcpts, raw in inbox.messages:
        assert len(rcpts) == 1  # nobody sees anyone else's address
        message = email.message_from_bytes(raw, policy=policy.default)
        assert "Summary of our conversation" in message["Subject"]
        attachments = {part.get_filename(): part.get_content()
                       for part in message.iter_attachments()}
        assert any(name.endswith(".pdf") for name in attachments)
        assert any(name.endswith(".docx") for name in attachments)
        assert pdf_file in attachments.values()
        plain = message.get_body(("plain",)).get_content()
        assert "version 1" in plain
        assert message.get_body(("html",)) is not None
        if rcpts == ["lee@example.org"]:
            assert "Jordan" not in str(message["To"])
    # Nothing is marked sent that wasn't; the failure can be retried.
    with app.app_context():
        from convo.extensions import db
        from convo.models import SummarySend

        sends = db.session.scalars(select(SummarySend)).all()
        assert sorted(s.status for s in sends) == ["failed", "sent", "sent", "sent", "sent"]
        failed_id = next(s.id for s in sends if s.status == "failed")
        assert all(s.server_reply == "250 Message accepted" for s in sends if s.status == "sent")
    inbox.refuse.clear()
    retried = auth.post(f"{url}/v1/sends/{failed_id}/retry", form_page=url,
                        follow_redirects=True)
    assert "Trying Dr Alex Moore again." in page_text(retried)
    assert run_jobs(app) == 1
    assert len(inbox.messages) == 5
    assert ": sent " in words(client.get(url)).split("Dr Alex Moore")[1][:60]


@pytest.mark.slow
def test_send_fails_cleanly_when_the_server_is_down(app, auth, make_conversation):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=dead_port, MAIL_SECURITY="none",
                      MAIL_FROM="convo@example.org", MAIL_TIMEOUT=3)
    ref = make_conversation()
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    app.config["MAIL_RETRY_DELAYS"] = [1, 1]  # within the two seconds a job may come early
    _approve_both(auth, url)
    auth.post(f"{url}/issue", data={}, form_page=url)
    run_jobs(app)
    auth.post(f"{url}/v1/send", data={"participant": [str(ref.participant_ids[0])]},
              form_page=url)
    run_jobs(app)
    # No connection is a temporary failure: it is tried again later, and the page says so.
    page = words(auth.client.get(url))
    assert "not sent yet – ConnectionRefusedError" in page and "Trying again at" in page
    with app.app_context():
        from convo.extensions import db
        from convo.models import SummarySend

        send = db.session.scalars(select(SummarySend)).one()
        assert (send.status, send.attempts) == ("retrying", 1)
    # Two more tries, and it gives up, saying why.
    run_jobs(app, scheduled=True)
    with app.app_context():
        send = db.session.scalars(select(SummarySend)).one()
        assert (send.status, send.attempts, send.problem) == ("failed", 3, "server")
        assert send.sent_at is None
    page = words(auth.client.get(url))
    assert "not sent – ConnectionRefusedError" in page and "(after 3 tries)" in page




def test_a_participant_approves_for_their_side_from_their_phone(app, make_conversation):
    ref = make_conversation(status="closed")
    phone = app.test_client()
    page = phone.get(f"/j/{ref.join_code}")
    # The code stops working at close; the device that joined before closing still reads.
    assert page.status_code in (404, 410)
    ref = make_conversation()
    phone = app.test_client()
    token = AuthActions(phone).csrf(f"/j/{ref.join_code}")
    phone.post(f"/j/{ref.join_code}", data={"participant_id": str(ref.participant_ids[2]),
                                            "csrf_token": token})
    with app.app_context():
        from convo.conversations import service
        from convo.extensions import db
        from convo.models import Conversation

        service.close(db.session.get(Conversation, ref.id))
        db.session.commit()
    summary_page = phone.get("/p/summary")
    assert summary_page.status_code == 200
    assert "Not yet approved" in page_text(summary_page)
    # The summary's words are on the approval page itself, before the button (issue 16).
    html = page_text(summary_page)
    assert 'id="summary-text"' in html and "Start a conversation about health" in html
    assert html.index('id="summary-text"') < html.index("Approve on behalf of")
    moved = phone.get("/p/summary/document")
    assert moved.status_code == 302 and moved.headers["Location"].endswith(
        "/p/summary#summary-text")
    token = AuthActions(phone).csrf("/p/summary")
    approved = phone.post("/p/summary/approve", data={"csrf_token": token},
                          follow_redirects=True)
    assert "Approved on" in page_text(approved)
    with app.app_context():
        from convo.models import SummaryApproval

        record = db.session.scalars(select(SummaryApproval)).one()
        assert (record.party, record.recorded_by) == ("agency",
                                                      f"participant:{ref.participant_ids[2]}")
    assert phone.post("/p/summary/approve").status_code == 400  # CSRF still applies


def test_build_gives_every_label_the_renderers_use(app):
    from convo.summary.build import labels
    from convo.summary.sample import LABELS_EN

    with app.test_request_context():
        assert set(LABELS_EN) <= set(labels())


def test_the_draft_on_the_shared_screen_matches_the_document(app, client, auth,
                                                             make_conversation):
    ref = make_conversation()
    _fill(app, ref)
    auth.sign_in_as(ref.facilitator)
    url = f"/c/{ref.id}/summary"
    auth.submit(url, f"{url}/draft", {"narrative-challenges": "Two stood out for everyone."})
    with app.app_context():
        from convo.extensions import db
        from convo.models import Item

        long_covid = db.session.scalar(select(Item.id).where(Item.text == "Long COVID"))
    auth.post(f"{url}/items/{long_covid}/leave-out", form_page=url)
    assert auth.post(f"{url}/show", form_page=url).status_code == 302
    assert "Draft summary" in page_text(client.get(f"/c/{ref.id}/screen/view?v=0"))
    from tests.integration.test_screen import summary_pages_text

    screen = summary_pages_text(client, app, ref.id)
    assert "Two stood out for everyone." in screen
    assert "Waiting well" in screen and "Long COVID" not in screen
    assert "Invite the link worker" in screen


def test_without_email_the_page_names_the_settings_to_set(app, client, auth, make_conversation):
    """The "email isn't set up" notice names the environment variables an administrator sets
    (CONVO_MAIL_HOST, CONVO_MAIL_FROM), not convo's internal names for them."""
    app.config.update(MAIL_HOST="", MAIL_FROM="")
    ref = make_conversation()
    url = _issued(app, auth, ref)
    page = page_text(client.get(url))
    assert "Email isn’t set up on this server (CONVO_MAIL_HOST and CONVO_MAIL_FROM)" in page
    refused = auth.post(f"{url}/v1/send", data={"participant": [str(ref.participant_ids[0])]},
                        form_page=url)
    assert refused.status_code == 422
    said = page_text(refused)
    assert "(CONVO_MAIL_HOST and CONVO_MAIL_FROM)" in said
    assert not re.search(r"(?<!CONVO_)MAIL_(HOST|FROM)", said)
