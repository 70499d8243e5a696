"""The parking lot and the commitment check (the facilitator's toolkit, question sets second
edition): a topic to come back to is a kind of point of its own, listed by the summary under
"To come back to"; each agreed action can carry how sure its owner is, from 0 to 10, shown
beside it on the console, the shared screen and in the summary."""

from __future__ import annotations

import io
import re

from docx import Document
from pypdf import PdfReader

from tests.conftest import AuthActions, page_text
from tests.forms import form_fields, with_changes

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}


def _build(app, conversation_id):  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Conversation
    from convo.summary.build import build

    with app.app_context():
        return build(db.session.get(Conversation, conversation_id))


def test_a_parked_topic_from_the_console_and_a_phone(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    console = page_text(client.get(f"{base}/console"))
    assert "To come back to" in console and "Alt+P" in console
    assert auth.post(f"{base}/items", data={
        "text": "The car park lease", "kind": "parking_lot", "raised_by": "agency"},
        form_page=f"{base}/console", headers=JSON).status_code == 200
    phone = app.test_client()
    page = phone.get(f"/j/{ref.join_code}").get_data(as_text=True)
    phone.post(f"/j/{ref.join_code}", data=with_changes(
        form_fields(page, f"/j/{ref.join_code}"), participant_id=str(ref.participant_ids[0])))
    fields = form_fields(phone.get("/p").get_data(as_text=True), "/p/items")
    assert phone.post("/p/items", data=with_changes(
        fields, text="Youth club funding after March", kind="parking_lot"),
        headers={"Accept": "application/json"}).status_code == 201
    summary = _build(app, ref.id)
    assert summary.parked is not None and summary.parked.title == "To come back to"
    assert [p.text for p in summary.parked.points] == ["The car park lease",
                                                       "Youth club funding after March"]
    from convo.summary.render_docx import render_docx
    from convo.summary.render_pdf import render_pdf

    pdf = re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(summary))).pages))
    assert "To come back to The car park lease" in pdf
    document = Document(io.BytesIO(render_docx(summary)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "To come back to" in headings
    # Without any, the summary has no such heading (and its fingerprint is as it was).
    other = make_conversation(facilitator=ref.facilitator)
    assert _build(app, other.id).parked is None


def test_the_commitment_check_is_kept_with_the_action(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    base = f"/conversations/{ref.id}"
    item = auth.post(f"{base}/items", data={"text": "Walkabout with the practice manager",
                                            "kind": "action", "raised_by": "both"},
                     form_page=f"{base}/console", headers=JSON).get_json()["item_id"]
    details = f"{base}/items/{item}/action-details"
    too_sure = auth.submit(f"{base}/console", details, {"commitment": "11"}, headers=JSON)
    assert too_sure.status_code == 422
    assert "from 0 to 10" in str(too_sure.get_json()["errors"])
    saved = auth.submit(f"{base}/console", details, {"owner_name": "Pat Okafor",
                                                     "commitment": "7"}, headers=JSON)
    assert saved.status_code == 200 and saved.get_json()["fields"]["commitment"]["value"] == "7"
    assert "sure: 7 out of 10" in page_text(client.get(f"{base}/console"))
    auth.post(f"{base}/screen", data={"mode": "actions"}, form_page=f"{base}/console")
    assert "How sure: 7 out of 10" in page_text(client.get(f"/c/{ref.id}/screen/view?v=0"))
    summary = _build(app, ref.id)
    assert summary.actions[0].commitment == 7
    from convo.summary.render_docx import render_docx
    from convo.summary.render_pdf import render_pdf

    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(summary))).pages)
    assert "How sure: 7 out of 10" in pdf
    word = "\n".join(cell.text for table in Document(io.BytesIO(render_docx(summary))).tables
                     for row in table.rows for cell in row.cells)
    assert "How sure: 7 out of 10" in word
    # Cleared again, it says nothing.
    auth.submit(f"{base}/console", details, {"commitment": ""}, headers=JSON)
    assert _build(app, ref.id).actions[0].commitment is None


def test_two_tabs_setting_how_sure_at_once(app, make_conversation):
    """The commitment, like every field of an action, is saved against what was shown."""
    ref = make_conversation()
    tabs = []
    for _ in range(2):
        auth = AuthActions(app.test_client())
        auth.sign_in_as(ref.facilitator)
        tabs.append(auth)
    base = f"/conversations/{ref.id}"
    item = tabs[0].post(f"{base}/items", data={"text": "Share the list of groups",
                                               "kind": "action", "raised_by": "both"},
                        form_page=f"{base}/console", headers=JSON).get_json()["item_id"]
    details = f"{base}/items/{item}/action-details"
    first, second = (tab.form(f"{base}/console", details) for tab in tabs)
    assert tabs[0].client.post(details, data=with_changes(first, commitment="8"),
                               headers=JSON).get_json()["ok"]
    clash = tabs[1].client.post(details, data=with_changes(second, commitment="5"),
                                headers=JSON)
    assert clash.status_code == 409 and clash.get_json()["conflicts"][0]["theirs"] == "8"
    # A different field from the second tab is kept beside the first tab's number.
    assert tabs[1].client.post(details, data=with_changes(second, first_step="Email it"),
                               headers=JSON).get_json()["ok"]
    summary = _build(app, ref.id)
    assert (summary.actions[0].commitment, summary.actions[0].first_step) == (8, "Email it")
