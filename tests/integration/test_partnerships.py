"""A partnership's relationships over time, through the test client: the map (picture and
table), its entries, starting a conversation from it, two conversations with one agency and
their scores over time, the action tracker (filters, CSV, the JSON export), co-facilitators,
combining two partnerships that are one, and the follow-up carrying the plan and agreement."""

from __future__ import annotations

import csv
import io
import json
import re

from flask import Flask
from sqlalchemy import select

from tests.conftest import AuthActions, page_text
from tests.queueing import map_file, run_jobs

CRITERIA = ("trust", "shared_goals", "capacity_to_follow_through")


def _db():  # type: ignore[no-untyped-def]
    from convo.extensions import db

    return db


def _partnership_of(app: Flask, conversation_id: int) -> int:
    from convo.models import Conversation

    with app.app_context():
        return _db().session.get(Conversation, conversation_id).partnership_id


def _choose_criteria(auth: AuthActions, pid: int) -> None:
    edit = f"/partnerships/{pid}/edit"
    response = auth.submit(edit, edit, {"criteria": list(CRITERIA)})
    assert response.status_code == 302, page_text(response)


def _add_agency(auth: AuthActions, pid: int, name: str, **changes: object) -> int:
    new = f"/partnerships/{pid}/relationships/new"
    response = auth.submit(new, new, {"agency_name": name, "agency_type": "local_authority",
                                      **changes})
    assert response.status_code == 302, page_text(response)
    page = page_text(auth.client.get(f"/partnerships/{pid}"))
    found = re.search(r'id="relationship-(\d+)">\s*<td>\d+</td>\s*<th scope="row"><a[^>]*>'
                      r'<bdi>' + re.escape(name), page)
    assert found, page
    return int(found.group(1))


def _reveal_scores(auth: AuthActions, cid: int, partnership_score: str, agency_score: str) -> None:
    base = f"/conversations/{cid}"
    for party, score in (("partnership", partnership_score), ("agency", agency_score)):
        scores = {f"eight_criteria.{c}.now": score for c in (
            "mutual_knowledge", "understanding", "trust", "respect", "common_language",
            "shared_goals", "roles_and_flexibility", "capacity_to_follow_through")}
        assert auth.submit(f"{base}/ratings/{party}", f"{base}/ratings/{party}",
                           scores).status_code == 302
    assert auth.post(f"{base}/ratings/reveal", data={"reveal": "1"},
                     form_page=f"{base}/console").status_code == 302


def test_every_existing_and_new_conversation_belongs_to_a_partnership(app, make_conversation,
                                                                      make_facilitator):
    one = make_conversation()
    two = make_conversation(facilitator=one.facilitator)
    other = make_conversation()  # another facilitator's: another partnership record
    assert _partnership_of(app, one.id) == _partnership_of(app, two.id)
    assert _partnership_of(app, other.id) != _partnership_of(app, one.id)
    from convo.models import Conversation

    with app.app_context():
        a, b = (_db().session.get(Conversation, i) for i in (one.id, two.id))
        assert a.relationship_id == b.relationship_id is not None


def test_map_entries_picture_and_table(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    pid = _partnership_of(app, ref.id)
    _choose_criteria(auth, pid)
    council = _add_agency(auth, pid, "Exampletown Borough Council", purposes=["co_design",
                                                                              "funding"],
                          type_now="powerful_allies", type_wanted="powerful_allies",
                          focus="good", score_trust="5", score_shared_goals="4",
                          score_capacity_to_follow_through="4",
                          partnership_holders="Pat Okafor (chair)",
                          agency_holders="Chris Hall, community officer")
    school = _add_agency(auth, pid, "Riverside Primary School", type_now="clients_contractors",
                         focus="develop", score_trust="2")
    page = client.get(f"/partnerships/{pid}")
    assert page.status_code == 200
    text = page_text(page)
    # The picture: an SVG with a title, a description naming every agency, a mark each.
    svg = re.search(r"<svg[^>]*relationship-map.*?</svg>", text, re.S).group(0)
    assert "<title" in svg and "<desc" in svg
    assert svg.count('class="agency"') == 3  # the conversation's own agency too
    assert "Exampletown Borough Council" in svg and "(good one)" in svg and "(to develop)" in svg
    assert "style=" not in svg  # presentation attributes only (the CSP forbids inline styles)
    # The table says the same: purposes, type, holders, scores, average.
    assert "Co-design and co-delivery, Funding (either way)" in text
    assert "Chris Hall, community officer" in text
    assert "4.3" in text and "Not rated" in text
    # Nearer the centre: the council (4.3) nearer than the school (2).
    from convo.partnerships.map import radius_of

    assert radius_of(4.3) < radius_of(2.0) < radius_of(None)
    # An entry changed again keeps who held it before: the history shows then and now.
    edit = f"/partnerships/{pid}/relationships/{council}/edit"
    assert auth.submit(edit, edit, {"agency_holders": "Sam Green, new community officer"}
                       ).status_code == 302
    history = page_text(client.get(f"/partnerships/{pid}/relationships/{council}"))
    assert "Chris Hall, community officer" in history and "until" in history
    assert "Sam Green, new community officer" in history
    # Two agencies can't share a name on one map.
    new = f"/partnerships/{pid}/relationships/new"
    refused = auth.submit(new, new, {"agency_name": "riverside  primary school",
                                     "agency_type": "school_college"})
    assert refused.status_code == 422 and "already on the map" in page_text(refused)
    # More than three criteria is refused, nothing changed.
    assert auth.submit(f"/partnerships/{pid}/edit", f"/partnerships/{pid}/edit", {
        "criteria": ["trust", "respect", "shared_goals", "understanding"]}).status_code == 422
    assert school


def test_start_from_the_map_two_conversations_and_scores_over_time(app, client, auth,
                                                                   make_conversation):
    ref = make_conversation(status="upcoming", participants=False)
    auth.sign_in_as(ref.facilitator)
    pid = _partnership_of(app, ref.id)
    council = _add_agency(auth, pid, "Exampletown Borough Council", focus="develop")
    started = auth.post(f"/partnerships/{pid}/relationships/{council}/start",
                        form_page=f"/partnerships/{pid}")
    assert started.status_code == 302
    first = int(re.search(r"/conversations/(\d+)/edit", started.headers["Location"]).group(1))
    edit_page = page_text(client.get(f"/conversations/{first}/edit"))
    assert "Exampletown Borough Council" in edit_page
    assert "To develop our relationship with Exampletown Borough Council." in edit_page
    base = f"/conversations/{first}"
    assert auth.submit(f"{base}/edit", f"{base}/edit", {"date": "2026-03-10",
                                                       "time": "10:00"}).status_code == 302
    assert auth.submit(base, f"{base}/participants", {
        "name": "Pat Okafor", "role": "Chair", "party": "partnership",
        "email": "pat@example.org"}).status_code == 302
    auth.post(f"{base}/start", form_page=f"{base}/console")
    _reveal_scores(auth, first, "2", "4")
    assert auth.submit(f"{base}/console", f"{base}/agreement", {
        "contacts": "Pat for us; Chris for the council", "meeting_rhythm": "Every month",
        "next_date": "2026-06-09", "next_time": "14:00"}).status_code == 302
    auth.post(f"{base}/close", form_page=f"{base}/console")

    # The second conversation, from the map again: a follow-up of the first.
    again = auth.post(f"/partnerships/{pid}/relationships/{council}/start",
                      form_page=f"/partnerships/{pid}")
    second = int(re.search(r"/conversations/(\d+)/edit", again.headers["Location"]).group(1))
    from convo.models import Conversation

    with app.app_context():
        new = _db().session.get(Conversation, second)
        assert new.follows_id == first and new.relationship_id == council
        assert new.contacts == "Pat for us; Chris for the council"
        assert new.meeting_rhythm == "Every month" and new.next_at is None
        assert [p.name for p in new.participants] == ["Pat Okafor"]
    base2 = f"/conversations/{second}"
    assert auth.submit(f"{base2}/edit", f"{base2}/edit", {"date": "2026-06-09",
                                                         "time": "14:00"}).status_code == 302
    auth.post(f"{base2}/start", form_page=f"{base2}/console")
    _reveal_scores(auth, second, "4", "5")

    history = client.get(f"/partnerships/{pid}/relationships/{council}")
    text = page_text(history)
    assert "10 Mar 2026" in text and "9 Jun 2026" in text
    chart = re.search(r'<svg[^>]*trend-chart.*?</svg>', text, re.S).group(0)
    assert "Trust: Exampletown Borough Council" not in chart  # the parties are named in order
    assert re.search(r"Trust: [^.;]*Riverside Big Local[^.;]* 2, 4;", chart), chart[:2000]
    assert "style=" not in chart
    # The table beside it: both sides, both dates.
    table = text[text.index("both sides' scores in each conversation"):]
    assert re.search(r"Trust</th>\s*<td>2</td><td>4</td><td>4</td><td>5</td>", table)


def test_the_action_tracker_filters_exports_and_updates(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = f"{base}/console"
    JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}
    ids = []
    for text in ("Share the health survey", "Book the hall for March"):
        response = auth.post(f"{base}/items", data={"text": text, "kind": "action",
                                                    "raised_by": "both"},
                             form_page=console, headers=JSON)
        ids.append(response.get_json()["item_id"])
    assert auth.submit(console, f"{base}/items/{ids[0]}/action-details", {
        "owner_participant": str(ref.participant_ids[3]), "due_date": "2020-01-10"}
    ).status_code == 302
    assert auth.submit(console, f"{base}/items/{ids[1]}/action-details", {
        "owner_name": "Sam Reid", "owner_party": "partnership", "due_date": "2099-01-10"}
    ).status_code == 302
    pid = _partnership_of(app, ref.id)
    tracker = f"/partnerships/{pid}/actions"
    text = page_text(client.get(tracker))
    assert "Share the health survey" in text and "Book the hall for March" in text
    assert "Overdue" in text
    overdue = page_text(client.get(f"{tracker}?status=overdue"))
    assert "Share the health survey" in overdue and "Book the hall" not in overdue
    by_owner = page_text(client.get(f"{tracker}?owner=sam"))
    assert "Book the hall" in by_owner and "health survey" not in by_owner
    # An update from the tracker: status and a note, shown as the latest.
    action = f"/partnerships/{pid}/actions/{ids[0]}"
    assert auth.submit(action, action, {"status": "stuck", "note": "Waiting for the data"}
                       ).status_code == 302
    text = page_text(client.get(tracker))
    assert "Waiting for the data" in text
    # CSV: the not-named owner by role, and no formula injection.
    rows = list(csv.reader(io.StringIO(client.get(f"{tracker}.csv").get_data(as_text=True)
                                       .lstrip("\ufeff"))))
    assert rows[0][0] == "Action"
    flat = json.dumps(rows)
    assert "Jordan Lee" not in flat and "Primary Care Network manager" in flat
    assert "Waiting for the data" in flat
    # The JSON exports carry the updates too.
    data = client.get(f"/partnerships/{pid}/export.json").get_json()
    assert data["format"] == "convo.partnership/1"
    assert any(u["note"] == "Waiting for the data" for a in data["actions"] for u in a["updates"])
    conversation = client.get(f"{base}/export.json").get_json()
    updates = [i["action"]["updates"] for i in conversation["items"] if i["id"] == ids[0]][0]
    assert updates[0]["status"] == "stuck"


def test_co_facilitators_and_combining(app, client, auth, make_conversation, make_facilitator):
    ref = make_conversation()
    colleague = make_facilitator()
    auth.sign_in_as(ref.facilitator)
    pid = _partnership_of(app, ref.id)
    # Another name that is the same partnership, typed slightly differently.
    new = "/partnerships/new"
    assert auth.submit(new, new, {"name": "Riverside Big Locl"}).status_code == 302
    listing = page_text(client.get("/partnerships"))
    assert "These may be the same partnership" in listing
    from convo.models import Partnership

    with app.app_context():
        other = _db().session.scalar(select(Partnership.id).where(
            Partnership.name == "Riverside Big Locl"))
    combine = f"/partnerships/{pid}/combine/{other}"
    assert auth.submit(combine, combine, {"confirm": None}).status_code == 422
    assert auth.submit(combine, combine, {"confirm": "y"}).status_code == 302
    with app.app_context():
        assert _db().session.get(Partnership, other) is None
    # A co-facilitator sees the partnership; before, they got a 404.
    them = AuthActions(app.test_client())
    them.sign_in_as(colleague)
    assert them.client.get(f"/partnerships/{pid}").status_code == 404
    page = f"/partnerships/{pid}"
    assert auth.submit(page, f"{page}/facilitators", {"email": colleague.email}
                       ).status_code == 302
    assert them.client.get(f"/partnerships/{pid}").status_code == 200
    # ...but not the other facilitator's conversation itself.
    assert them.client.get(f"/conversations/{ref.id}").status_code == 404
    refused = auth.submit(page, f"{page}/facilitators", {"email": "nobody@example.org"})
    assert refused.status_code == 422 and "no convo account" in page_text(refused)
    # Removing them: they stop seeing it at once; pressed twice (two tabs), one answer.
    remove = f"{page}/facilitators/{colleague.id}/remove"
    shown = re.sub(r"<[^>]+>", "", page_text(client.get(page)))
    assert f"Remove {colleague.name}" in shown
    assert f"Remove {ref.facilitator.name}" not in shown  # runs a conversation here: stays
    for _ in range(2):
        answer = auth.post(remove, form_page=page)
        assert answer.status_code == 302
    assert "no longer sees this partnership" in page_text(client.get(page))
    assert them.client.get(page).status_code == 404
    # Whoever runs conversations in it keeps seeing it, even if asked.
    kept = auth.post(f"{page}/facilitators/{ref.facilitator.id}/remove", form_page=page)
    assert kept.status_code == 302
    assert "keep seeing it" in page_text(client.get(page))
    assert client.get(page).status_code == 200
    assert auth.post(f"{page}/facilitators/99999/remove", form_page=page).status_code == 404
    assert client.post(remove).status_code == 400  # no CSRF token: nothing done
    # A co-facilitator can leave by themselves.
    assert auth.submit(page, f"{page}/facilitators", {"email": colleague.email}
                       ).status_code == 302
    left = them.post(f"{page}/facilitators/{colleague.id}/remove", form_page=page)
    assert left.status_code == 302 and left.headers["Location"].endswith("/partnerships")
    assert them.client.get(page).status_code == 404


def test_its_people(app, client, auth, make_conversation, make_facilitator):
    """The partnership's people: everyone on its side in the facilitator's conversations with
    it, once each (a follow-up's people are the same people), with their latest role; never
    the agency's people, and never people from another facilitator's conversations."""
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    pid = _partnership_of(app, ref.id)
    page = f"/partnerships/{pid}"
    shown = re.sub(r"<[^>]+>", " ", page_text(client.get(page)))
    people = " ".join(shown[shown.index("Its people"):shown.index("Who may see")].split())
    assert "Pat Okafor" in people and "Sam Reid" in people and "Partnership chair" in people
    assert "Dr Alex Moore" not in people and "Jordan Lee" not in people
    follow = auth.post(f"/conversations/{ref.id}/follow-up", form_page=f"/conversations/{ref.id}")
    assert follow.status_code == 302
    from convo.models import Participant

    new_id = int(re.search(r"/conversations/(\d+)/", follow.headers["Location"]).group(1))
    with app.app_context():
        pat = _db().session.scalar(select(Participant).where(
            Participant.conversation_id == new_id, Participant.name == "Pat Okafor"))
        pat.role, pat.name = "Chair of the partnership board", "pat  okafor"
        _db().session.commit()
    shown = re.sub(r"<[^>]+>", " ", page_text(client.get(page)))
    people = " ".join(shown[shown.index("Its people"):shown.index("Who may see")].split())
    assert people.count("okafor") + people.count("Okafor") == 1  # one person, not two
    assert "Chair of the partnership board 2" in people  # the latest role; two conversations
    # A co-facilitator sees the partnership, but not the people of conversations not theirs.
    colleague = make_facilitator()
    assert auth.submit(page, f"{page}/facilitators", {"email": colleague.email}
                       ).status_code == 302
    them = AuthActions(app.test_client())
    them.sign_in_as(colleague)
    theirs = page_text(them.client.get(page))
    assert "Okafor" not in theirs and "Sam Reid" not in theirs and "Nobody yet" in theirs


def test_the_map_files_are_made_by_the_worker(app, client, auth, make_conversation,
                                               monkeypatch):  # type: ignore[no-untyped-def]
    """Rendering takes a second or more for a large map, so the worker makes the file: the page
    says how far it has got; a double click makes one file; the same file is given while the
    map is unchanged and a fresh one is offered once it changes; a failure can be tried again;
    a worker that stops part-way has its work put back."""
    import json

    from sqlalchemy import func, select

    from convo.models import MapPrint

    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    pid = _partnership_of(app, ref.id)
    rid = _add_agency(auth, pid, "Exampletown Borough Council")
    page, state = f"/partnerships/{pid}/map.pdf", f"/partnerships/{pid}/map.pdf/state"

    def current() -> str:
        answer = client.get(state)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        return json.loads(answer.data)["state"]

    def rows() -> list[tuple[str, str]]:
        with app.app_context():
            return [(r.kind, r.status) for r in _db().session.scalars(select(MapPrint))]

    first = client.get(page)
    assert first.status_code == 200 and first.mimetype == "text/html"
    assert "Make the PDF" in page_text(first) and current() == "none"
    # A double click, and a second tab: one request, one job.
    for _ in range(3):
        assert auth.post(page, form_page="/account").status_code == 303
    huey = app.extensions["convo.queue"].huey
    assert rows() == [("pdf", "pending")] and huey.pending_count() == 1
    waiting = page_text(client.get(page))
    assert "The file is being made" in waiting and "Check again" in waiting
    assert "isn’t running" in waiting  # no worker has been seen in this test
    assert current() == "pending"
    assert run_jobs(app) == 1
    assert current() == "ready" and rows() == [("pdf", "done")]
    made = client.get(page)
    assert made.mimetype == "application/pdf" and made.data.startswith(b"%PDF")
    assert made.headers["Content-Disposition"] == (
        f'attachment; filename="relationship-map-{pid}.pdf"')
    assert client.get(page).data == made.data  # unchanged map: the same file, not made again
    assert auth.post(page, form_page="/account").status_code == 303 and huey.pending_count() == 0
    # The map changes: the old copy is not given out as if it were current.
    entry = f"/partnerships/{pid}/relationships/{rid}/edit"
    assert auth.submit(entry, entry, {"agency_holders": "Sam Lee"}).status_code == 302
    stale = client.get(page)
    assert stale.mimetype == "text/html" and "The map has changed" in page_text(stale)
    assert current() == "stale"
    # A renderer that fails: said so, and the same request can be tried again.
    from convo.partnerships import documents

    def broken(document):  # type: ignore[no-untyped-def]
        raise RuntimeError("no fonts")

    monkeypatch.setattr(documents, "render_pdf", broken)
    assert auth.post(page, form_page="/account").status_code == 303
    run_jobs(app)
    failed = page_text(client.get(page))
    assert "could not be made" in failed and "no fonts" in failed and "Try again" in failed
    assert current() == "failed"
    monkeypatch.undo()
    assert auth.post(page, form_page="/account").status_code == 303 and rows() == [("pdf", "pending")]
    # A worker that claimed it and stopped: the sweeper hands it to the queue again.
    from convo.jobs import worker

    with app.app_context():
        db = _db()
        db.session.execute(MapPrint.__table__.update().values(status="working",
                                                              claimed_by="gone:1"))
        db.session.commit()
    huey.flush()
    assert current() == "pending" or current() == "working"
    with app.app_context():
        assert worker.sweep() >= 1
        _db().session.commit()
    assert rows() == [("pdf", "pending")]
    run_jobs(app)
    assert current() == "ready"
    again = client.get(page)
    assert again.mimetype == "application/pdf" and again.data != made.data
    # A Word file is a row of its own; a kind that isn't one is not a page.
    assert map_file(app, auth, pid, "docx").data.startswith(b"PK")
    assert client.get(f"/partnerships/{pid}/map.txt").status_code == 404
    with app.app_context():
        assert _db().session.scalar(select(func.count()).select_from(MapPrint)) == 2


def test_the_map_as_pdf_and_word(app, client, auth, make_conversation, tmp_path):
    """Both read back: the table's words, the picture with its alternative text, and nobody
    who asked not to be named (Jordan Lee, typed into who holds the relationship) named."""
    import zipfile

    from docx import Document
    from pypdf import PdfReader

    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    pid = _partnership_of(app, ref.id)
    _choose_criteria(auth, pid)
    _add_agency(auth, pid, "Exampletown Borough Council", focus="good", score_trust="5",
                type_now="powerful_allies", agency_holders="Jordan Lee and Chris Hall")
    pdf = map_file(app, auth, pid, "pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Exampletown Borough Council" in text and "Chris Hall" in text
    assert "Jordan Lee" not in text and "Primary Care Network manager" in text
    assert reader.metadata.title.startswith("The relationship map of")
    word = map_file(app, auth, pid, "docx")
    assert word.status_code == 200
    document = Document(io.BytesIO(word.data))
    # The table on a page of its own turned sideways, its columns within the page.
    table_page = document.sections[-1]
    assert table_page.page_width > table_page.page_height
    grid = sum(c.width for c in document.tables[0].columns)
    assert grid <= table_page.page_width - table_page.left_margin - table_page.right_margin
    words = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Exampletown Borough Council" in words and "Jordan Lee" not in words
    with zipfile.ZipFile(io.BytesIO(word.data)) as package:
        body = package.read("word/document.xml").decode()
        assert 'descr="' in body and "Jordan Lee" not in body
        assert any(n.startswith("word/media/") for n in package.namelist())
    (tmp_path / "map.pdf").write_bytes(pdf.data)
    # the same tagging as the summary (convo/summary/pdf_tags.py): both PDF/UA checkers pass
    from tests.pdfcheck import outloud, pdfua
    found = outloud(tmp_path / "map.pdf")
    assert found.count("error") == 0 and found.count("warning") == 0, found.findings
    assert pdfua(tmp_path / "map.pdf").findings == ()
