"""Preparing, listing, following up and exporting conversations."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text

VALID = {
    "partnership_name": "Riverside Big Local",
    "partnership_area": "Riverside",
    "agency_name": "Exampletown Council",
    "agency_type": "local_authority",
    "agency_subtype": "",
    "question_set": "",
    "purpose": "Agree how we work together on the community hub.",
    "date": "2026-07-01",
    "time": "10:00",
    "place": "Riverside Community Hub",
    "video_link": "",
}


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        from convo.extensions import db

        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_prepare_a_conversation(app, client, auth, make_facilitator):
    auth.sign_in_as(make_facilitator())
    assert client.get("/conversations/new").status_code == 200
    response = auth.post("/conversations/new", data=VALID)
    assert response.status_code == 302
    show = client.get(response.headers["Location"])
    body = page_text(show)
    assert "Riverside Big Local" in body and "Exampletown Council" in body
    assert "Local authority" in body
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        conversation = db.session.scalars(select(Conversation)).one()
        # 10:00 in London in July is 09:00 UTC (British Summer Time).
        assert conversation.starts_at == datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
        assert conversation.question_set_id == "local_authority"  # suggested by agency type
        assert [s.stage_id for s in conversation.stages][0] == "open"
        assert len(conversation.join_code or "") == 8


@pytest.mark.parametrize("change,message", [
    ({"partnership_name": ""}, "Enter the community partnership's name."),
    ({"purpose": "   "}, "Say in a sentence or two why this conversation is happening."),
    ({"video_link": "javascript:alert(1)"}, "Enter a full web address starting with https://"),
    ({"agency_subtype": "health:pcn"}, "Choose a description that fits the kind of agency."),
    ({"date": "", "time": "10:00"}, "Add the date as well as the time."),
    ({"purpose": "x" * 5001}, "This is too long: use at most 5000 characters."),
    ({"question_set": "no_such_set"}, "That question set isn't available."),
    ({"agency_type": "spaceship"}, "Not a valid choice."),
])
def test_prepare_rejects_bad_input_and_keeps_what_was_typed(app, client, auth,
                                                            make_facilitator, change, message):
    from convo.models import Conversation

    auth.sign_in_as(make_facilitator())
    response = auth.post("/conversations/new", data={**VALID, **change},
                         form_page="/conversations/new")
    assert response.status_code == 422
    body = page_text(response)
    assert message in body
    assert "There is a problem" in body
    assert "Riverside Community Hub" in body  # the rest of what was typed is still there
    assert _count(app, Conversation) == 0


def test_hostile_text_is_shown_as_text(client, auth, make_facilitator):
    auth.sign_in_as(make_facilitator())
    hostile = {**VALID, "partnership_name": "<script>alert('x')</script> שלום 🎉",
               "purpose": "Tom & Jerry's \"plan\""}
    response = auth.post("/conversations/new", data=hostile)
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; שלום 🎉" in body
    assert "Tom &amp; Jerry&#39;s &#34;plan&#34;" in body


def test_list_search_and_privacy(client, auth, make_facilitator, make_conversation):
    me = make_facilitator()
    other = make_facilitator()
    make_conversation(facilitator=me, status="upcoming")
    make_conversation(facilitator=other)
    auth.sign_in_as(me)
    listing = page_text(client.get("/conversations"))
    assert listing.count("Riverside Big Local") == 1
    assert "Riverside Big Local" in page_text(client.get("/conversations?q=riverside"))
    assert "No conversations match" in page_text(client.get("/conversations?q=nowhere%25_"))
    assert "No conversations match" in page_text(client.get("/conversations?status=closed"))
    assert "Riverside" in page_text(client.get("/conversations?status=upcoming"))
    assert client.get("/conversations?status=%3Cscript%3E").status_code == 200


def test_edit_details_and_set_change_rules(app, client, auth, make_conversation):
    ref = make_conversation(status="upcoming")
    auth.sign_in_as(ref.facilitator)
    page = client.get(f"/conversations/{ref.id}/edit")
    assert page.status_code == 200
    edit_url = f"/conversations/{ref.id}/edit"
    data = {**VALID, "agency_type": "health", "question_set": "school_college"}
    response = auth.submit(edit_url, edit_url, data)
    assert response.status_code == 302
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        assert db.session.get(Conversation, ref.id).question_set_id == "school_college"
    # Once something is captured, the set can't change.
    auth.post(f"/conversations/{ref.id}/items", data={
        "text": "A point", "kind": "note", "raised_by": "both"},
        form_page=f"/conversations/{ref.id}/console")
    version = _version(app, ref.id)
    refused = auth.submit(edit_url, edit_url, {
        "question_set": "health", "partnership_name": "Renamed Big Local"})
    assert refused.status_code == 422
    assert "can't change once points have been noted down" in page_text(refused)
    # A refused request stores nothing, not even its acceptable parts, and tells no screen.
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        kept = db.session.get(Conversation, ref.id)
        assert (kept.partnership_name, kept.question_set_id) == (VALID["partnership_name"],
                                                                 "school_college")
    assert _version(app, ref.id) == version


def _version(app, conversation_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        return db.session.get(Conversation, conversation_id).version


def test_participants_add_edit_remove(app, client, auth, make_conversation):
    ref = make_conversation(participants=False)
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}"
    response = auth.post(f"{url}/participants", data={
        "name": "Pat Okafor", "role": "Chair", "party": "partnership",
        "email": "pat@example.org", "may_be_named": "y"}, form_page=url)
    assert response.status_code == 302
    bad = auth.post(f"{url}/participants", data={"name": "", "role": "", "party": "aliens",
                                                 "email": "not-an-email"}, form_page=url)
    assert bad.status_code == 422
    assert "Enter their name." in page_text(bad)
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation

        person = db.session.get(Conversation, ref.id).participants[0]
        pid = person.id
    edit = auth.submit(f"{url}/participants/{pid}", f"{url}/participants/{pid}", {
        "name": "Pat Okafor", "role": "Partnership chair", "party": "partnership",
        "email": "", "attended": "y", "may_be_named": None})
    assert edit.status_code == 302
    assert "Named by role only" in page_text(client.get(url))
    assert auth.post(f"{url}/participants/{pid}/remove", form_page=url).status_code == 302
    assert "Pat Okafor" not in page_text(client.get(url))


def test_plan_minutes_and_stages(app, client, auth, make_conversation):
    ref = make_conversation(status="upcoming")
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}/plan"
    page = client.get(url)
    assert page.status_code == 200
    with app.app_context():
        from convo.conversations import service
        from convo.extensions import db
        from convo.models import Conversation

        stages = [s.id for s in service.plan_for(db.session.get(Conversation, ref.id)).stages]
    data = {f"minutes-{s}": "10" for s in stages}
    data.update({f"include-{s}": "on" for s in stages if s != "how_well"})
    data["include-how_well"] = None
    data["minutes-open"] = "abc"
    bad = auth.submit(url, url, data)
    assert bad.status_code == 422
    assert "Enter a number of minutes from 1 to 240." in page_text(bad)
    data["minutes-open"] = "5"
    assert auth.submit(url, url, data).status_code == 302
    with app.app_context():
        plan = service.plan_for(db.session.get(Conversation, ref.id))
        assert plan.stage("open").minutes == 5
        assert not plan.stage("how_well").included
        assert "how_well" not in [s for s, _ in plan.steps()]


def test_follow_up_copies_parties_people_and_open_actions(app, client, auth, make_conversation):
    ref = make_conversation(status="closed")
    auth.sign_in_as(ref.facilitator)
    with app.app_context():
        from convo.conversations import capture
        from convo.extensions import db
        from convo.models import Conversation

        conversation = db.session.get(Conversation, ref.id)
        item, _ = capture.add(conversation, client_id="a1", text="Walkabout with the new manager",
                              kind="action", raised_by="both", stage_id="actions",
                              question_id=None, author=capture.Author(facilitator_id=1))
        db.session.commit()
    response = auth.post(f"/conversations/{ref.id}/follow-up", form_page=f"/conversations/{ref.id}")
    assert response.status_code == 302
    new_id = int(response.headers["Location"].split("/")[2])
    body = page_text(client.get(f"/conversations/{new_id}"))
    assert "Pat Okafor" in body and "Jordan Lee" in body
    assert "Open actions from last time" in body and "Walkabout with the new manager" in body
    console = page_text(client.get(f"/conversations/{new_id}/console"))
    assert "Walkabout with the new manager" in console


def test_export_json_and_cli(app, client, auth, runner, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    auth.post(f"/conversations/{ref.id}/items", data={
        "text": "Waiting lists are long 😟", "kind": "challenge", "raised_by": "partnership"},
        form_page=f"/conversations/{ref.id}/console")
    response = client.get(f"/conversations/{ref.id}/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["format"] == "convo.conversation/1"
    assert data["items"][0]["text"] == "Waiting lists are long 😟"
    assert {p["name"] for p in data["participants"]} >= {"Pat Okafor", "Jordan Lee"}
    result = runner.invoke(args=["export-conversation", str(ref.id)])
    assert result.exit_code == 0
    assert json.loads(result.output)["id"] == ref.id
    missing = runner.invoke(args=["export-conversation", "99999"])
    assert missing.exit_code == 1 and "no conversation 99999" in missing.output
    assert runner.invoke(args=["export-conversation", "abc"]).exit_code == 2


def test_home_goes_to_conversations(client, auth, make_facilitator):
    assert client.get("/").headers["Location"] == "/sign-in"
    auth.sign_in_as(make_facilitator())
    assert client.get("/").headers["Location"] == "/conversations"
