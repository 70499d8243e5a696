"""The shared screen: who may open it, what each mode shows, the live view, and what it must
never show (unrevealed scores, names of people who asked not to be named, raw HTML)."""

from __future__ import annotations

import html as htmllib
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from flask import Flask

from convo.questions.schema import text_in


PARTIES = ("partnership", "agency")


@pytest.fixture
def owner(make_facilitator):  # type: ignore[no-untyped-def]
    return make_facilitator()


@pytest.fixture
def conversation(make_conversation, owner):  # type: ignore[no-untyped-def]
    return make_conversation(facilitator=owner)


@pytest.fixture
def signed_in(auth, owner):  # type: ignore[no-untyped-def]
    auth.sign_in_as(owner)
    return owner


def update(app: Flask, conversation_id: int, **values: Any) -> int:
    """Change the conversation's live state directly, as the console would; returns the
    new version."""
    from convo.extensions import db
    from convo.live import state
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        for name, value in values.items():
            setattr(conversation, name, value)
        state.bump(conversation)
        db.session.commit()
        return conversation.version


def version_of(app: Flask, conversation_id: int) -> int:
    from convo.live import state

    with app.app_context():
        return state.current_version(conversation_id) or 0


def add_item(app: Flask, conversation_id: int, text: str, kind: str = "challenge",
             raised_by: str = "partnership", stage_id: str | None = None,
             hidden: bool = False, **action: Any) -> None:
    from convo.conversations import capture
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        item, _ = capture.add(
            conversation, client_id=f"t-{text[:20]}-{kind}-{stage_id}", text=text, kind=kind,
            raised_by=raised_by, stage_id=stage_id or conversation.current_stage_id,
            question_id=None, author=capture.Author(facilitator_id=conversation.facilitator_id))
        if hidden:
            capture.set_hidden(conversation, item, True)
        if action:
            details = dict(owner_name=None, owner_participant_id=None, owner_party=None,
                           due_date=None, due_by_next=False, first_step=None,
                           agreed_by_both=True, status="agreed")
            details.update(action)
            capture.set_action(conversation, item, capture.ActionDetails(**details),
                               capture.Author(facilitator_id=conversation.facilitator_id))
        db.session.commit()


def plan_of(app: Flask, conversation_id: int):  # type: ignore[no-untyped-def]
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        return service.plan_for(db.session.get(Conversation, conversation_id))


def insert_ratings(app: Flask, conversation_id: int) -> dict[str, tuple[int, int]]:
    """Both parties' scores for every criterion of the first instrument, as Rating rows."""
    from convo.extensions import db
    from convo.models import Rating, RelationshipChoice

    plan = plan_of(app, conversation_id)
    instrument = plan.question_set.ratings[0]
    scores: dict[str, tuple[int, int]] = {}
    with app.app_context():
        for n, criterion in enumerate(instrument.criteria):
            pair = (5, 1) if n == 0 else (2 + n % 3, 2 + n % 3)
            scores[criterion.id] = pair
            for party, score in zip(PARTIES, pair):
                db.session.add(Rating(conversation_id=conversation_id,
                                      instrument_id=instrument.id, criterion_id=criterion.id,
                                      column="now", party=party, rater="party", score=score,
                                      entered_by="facilitator"))
        db.session.add(RelationshipChoice(conversation_id=conversation_id, party="partnership",
                                          rater="party", now_type="friends_acquaintances",
                                          wanted_type="powerful_allies"))
        db.session.commit()
    return scores


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """What people read: the body's text without tags, entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<head>.*?</head>", " ", body, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def screen(client, conversation_id: int):  # type: ignore[no-untyped-def]
    return client.get(f"/c/{conversation_id}/screen")


# --- who may open it ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, conversation):
    response = screen(client, conversation.id)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_live_view_answers_anonymous_followers_401_not_a_redirect(client, conversation):
    # A redirect would swap the sign-in page into the projector's view.
    assert client.get(f"/c/{conversation.id}/screen/view?v=0").status_code == 401


def test_another_facilitator_gets_404(client, auth, make_facilitator, conversation):
    auth.sign_in_as(make_facilitator())
    assert screen(client, conversation.id).status_code == 404
    assert client.get(f"/c/{conversation.id}/screen/view?v=0").status_code == 404


def test_an_unknown_conversation_is_404(client, signed_in):
    assert client.get("/c/999999/screen").status_code == 404


# --- the page -----------------------------------------------------------------------------


def test_the_page_is_standalone_large_type_and_script_safe(client, signed_in, conversation):
    response = screen(client, conversation.id)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert html.count("<h1") == 1 and html.count("<main") == 1
    assert "screen.css" in html and "live.js" in html and "screen.js" in html
    # No site header, footer or navigation: nothing but the view.
    assert "site-header" not in html and "<nav" not in html and "<form" not in html
    # Strict CSP: every script is a file, no inline styles.
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert " style=" not in html and "<style" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    # The view follows its own URL from the version the page was rendered at.
    version = version_of(client.application, conversation.id)
    assert f'data-view-url="/c/{conversation.id}/screen/view"' in html
    assert f'data-version="{version}"' in html
    text = page_text(response)
    assert "Riverside Big Local and Exampletown Primary Care Network" in text
    assert "Reconnecting…" in text  # present, hidden until needed


def test_question_mode_shows_the_stage_introduction(client, signed_in, conversation, app):
    plan = plan_of(app, conversation.id)
    stage = plan.included[1]
    update(app, conversation.id, screen_mode="question", current_stage_id=stage.id,
           current_question_id=None)
    text = page_text(screen(client, conversation.id))
    assert stage.title in text
    assert " ".join(stage.purpose.split()) in text
    assert f"Stage 2 of {len(plan.included)}" in text


@pytest.mark.parametrize("addressed_to, expected", [
    ("partnership", "For Riverside Big Local"),
    ("agency", "For Exampletown Primary Care Network"),
    ("both", "For both Riverside Big Local and Exampletown Primary Care Network"),
])
def test_question_mode_shows_the_question_and_who_it_is_for(client, signed_in, conversation, app,
                                                            addressed_to, expected):
    plan = plan_of(app, conversation.id)
    stage, question = next((s, q) for s in plan.included for q in s.questions
                           if q.addressed_to == addressed_to)
    update(app, conversation.id, screen_mode="question", current_stage_id=stage.id,
           current_question_id=question.id)
    text = page_text(screen(client, conversation.id))
    assert stage.title in text
    assert question.text in text
    assert expected in text


def test_items_mode_shows_this_stages_items_by_kind(client, signed_in, conversation, app):
    plan = plan_of(app, conversation.id)
    here, elsewhere = plan.included[4].id, plan.included[5].id
    update(app, conversation.id, screen_mode="items", current_stage_id=here,
           current_question_id=None)
    add_item(app, conversation.id, "Long waits for GP appointments", "challenge", "partnership")
    add_item(app, conversation.id, "A free room at the hub on Tuesdays", "opportunity", "agency")
    add_item(app, conversation.id, "We both want residents to lead", "strength", "both")
    add_item(app, conversation.id, "Something hidden by the facilitator", "note", "agency",
             hidden=True)
    add_item(app, conversation.id, "Said in another stage", "challenge", "agency",
             stage_id=elsewhere)
    text = page_text(screen(client, conversation.id))
    assert "Challenges" in text and "Opportunities" in text and "Strengths" in text
    assert "Long waits for GP appointments" in text
    assert "A free room at the hub on Tuesdays" in text
    assert "Raised by Riverside Big Local" in text
    assert "Raised by Exampletown Primary Care Network" in text
    assert "Raised by Both" in text
    assert "Something hidden" not in text and "Notes" not in text
    assert "Said in another stage" not in text
    assert text.index("Challenges") < text.index("Opportunities") < text.index("Strengths")


def test_items_mode_with_nothing_yet(client, signed_in, conversation, app):
    update(app, conversation.id, screen_mode="items")
    assert "Nothing has been captured for this stage yet." in page_text(
        screen(client, conversation.id))


def test_hostile_text_in_an_item_is_escaped(client, signed_in, conversation, app):
    update(app, conversation.id, screen_mode="items")
    add_item(app, conversation.id, "<script>alert('owned')</script> & <b>bold</b>")
    html = screen(client, conversation.id).get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert ("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; &amp; "
            "&lt;b&gt;bold&lt;/b&gt;") in html


def test_ratings_never_appear_before_they_are_revealed(client, signed_in, conversation, app):
    insert_ratings(app, conversation.id)
    update(app, conversation.id, screen_mode="ratings", ratings_revealed=False)
    for response in (screen(client, conversation.id),
                     client.get(f"/c/{conversation.id}/screen/view?v=0")):
        html = response.get_data(as_text=True)
        assert "Ratings will appear here when both parties are ready" in page_text(response)
        assert "<svg" not in html and "<table" not in html
        assert "ratings-chart" not in html and "Biggest difference" not in html
        assert "Friends and acquaintances" not in html  # relationship types are private too
        # Whether each party has finished is shown; no score is.
        assert "Riverside Big Local: finished" in page_text(response)
        assert not re.search(r">\s*[1-5]\s*<", html)


def test_revealed_ratings_show_chart_table_and_relationship_types(client, signed_in, conversation,
                                                                  app):
    scores = insert_ratings(app, conversation.id)
    update(app, conversation.id, screen_mode="ratings", ratings_revealed=True)
    response = screen(client, conversation.id)
    html = response.get_data(as_text=True)
    chart = re.search(r"<svg[^>]*class=\"ratings-chart\".*?</svg>", html, re.S)
    assert chart is not None
    root = ET.fromstring(chart.group(0))
    assert root.get("role") == "img"
    numbers = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
               if "score" in (t.get("class") or "")]
    assert len(numbers) == 2 * len(scores)
    assert numbers[:2] == ["5", "1"]  # the first criterion: the partnership's, the agency's
    assert "Biggest difference: 4" in " ".join(
        "".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    text = page_text(response)
    # The equivalent table, with a caption and the same numbers.
    assert '<table class="ratings-table">' in html and "<caption>" in html
    assert "Scores from 1 to 5." in text
    first = plan_of(app, conversation.id).question_set.ratings[0].criteria[0]
    row = re.search(r"<tr class=\"ratings-table__biggest\">.*?</tr>", html, re.S)
    assert row is not None and text_in(first.title, "en_GB", "en_GB") in row.group(0)
    assert re.findall(r"<td>(\d)</td>", row.group(0)) == [str(s) for s in scores[first.id]]
    # Relationship type now and wanted, per party.
    assert "Friends and acquaintances" in text and "Powerful allies" in text
    assert "Not chosen" in text  # the agency hasn't said


def test_actions_mode_lists_agreed_actions(client, signed_in, conversation, app):
    jordan = conversation.participant_ids[3]  # asked not to be named
    add_item(app, conversation.id, "Run a drop-in at the hub", "action", "agency",
             owner_participant_id=jordan, owner_name="Jordan Lee", owner_party="agency",
             due_date=date(2026, 11, 22))
    add_item(app, conversation.id, "Share the list of local groups", "action", "partnership",
             owner_name="Pat Okafor", owner_party="partnership", due_by_next=True)
    add_item(app, conversation.id, "Dropped idea", "action", "both", status="dropped")
    add_item(app, conversation.id, "A hidden action", "action", "both", hidden=True)
    update(app, conversation.id, screen_mode="actions")
    text = page_text(screen(client, conversation.id))
    assert "Agreed actions" in text
    assert "Run a drop-in at the hub" in text and "22 November 2026" in text
    assert "Primary Care Network manager" in text and "Jordan Lee" not in text
    assert "Share the list of local groups" in text and "By the next conversation" in text
    assert "Pat Okafor" in text
    assert "Dropped idea" not in text and "A hidden action" not in text


def test_join_mode_shows_the_code_link_and_a_qr_code(client, signed_in, conversation, app):
    update(app, conversation.id, screen_mode="join")
    html = screen(client, conversation.id).get_data(as_text=True)
    code = conversation.join_code
    assert f"{code[:4]}-{code[4:]}" in html
    assert f"/j/{code}" in html
    qr = re.search(r"<svg[^>]*class=\"join-qr\".*?</svg>", html, re.S)
    assert qr is not None
    root = ET.fromstring(qr.group(0))
    assert root.get("role") == "img" and f"/j/{code}" in (root.get("aria-label") or "")
    assert root.get("viewBox")


def test_join_mode_shows_no_code_once_closed(client, signed_in, conversation, app):
    update(app, conversation.id, screen_mode="join", status="closed")
    html = screen(client, conversation.id).get_data(as_text=True)
    code = conversation.join_code
    assert f"{code[:4]}-{code[4:]}" not in html and code not in html
    assert "join-qr" not in html
    # After the close the screen thanks the room instead (the closing view).
    assert "Thank you for taking part" in page_text(screen(client, conversation.id))


def summary_pages_text(client, app, conversation_id: int) -> str:
    """Every page of the draft summary on the screen, turned as the console turns them."""
    import re

    texts = []
    for page in range(1, 40):
        update(app, conversation_id, screen_page=page)
        text = page_text(screen(client, conversation_id))
        texts.append(text)
        found = re.search(r"Page (\d+) of (\d+)", text)
        if found is None or found.group(1) == found.group(2):
            break
    return "\n".join(texts)


def test_summary_mode_is_a_read_together_draft(client, signed_in, conversation, app):
    add_item(app, conversation.id, "Long waits for GP appointments", "challenge", "partnership")
    add_item(app, conversation.id, "Social prescribers at the hub", "opportunity", "agency")
    add_item(app, conversation.id, "Hold a drop-in", "action", "agency", owner_party="agency",
             owner_participant_id=conversation.participant_ids[3])
    update(app, conversation.id, screen_mode="summary", contacts="Pat for the partnership")
    response = screen(client, conversation.id)
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "Draft summary" in page_text(response)
    text = summary_pages_text(client, app, conversation.id)
    assert "Start a conversation about health in Riverside." in text
    assert "Pat Okafor, Partnership chair" in text and "Dr Alex Moore" in text
    assert "Long waits for GP appointments" in text and "Social prescribers at the hub" in text
    assert "Hold a drop-in" in text
    assert "Pat for the partnership" in text
    assert "The draft summary will be shown here" not in text


def test_people_who_asked_not_to_be_named_appear_by_role_only(client, signed_in, conversation, app):
    add_item(app, conversation.id, "Hold a drop-in", "action", "agency", owner_party="agency",
             owner_participant_id=conversation.participant_ids[3], owner_name="Jordan Lee")
    for mode in ("question", "items", "actions", "summary", "join", "ratings"):
        update(app, conversation.id, screen_mode=mode)
        for response in (screen(client, conversation.id),
                         client.get(f"/c/{conversation.id}/screen/view?v=0")):
            text = page_text(response)
            assert "Jordan" not in text and "Lee" not in text, mode
    update(app, conversation.id, screen_mode="summary")
    assert "Primary Care Network manager" in page_text(screen(client, conversation.id))


@pytest.mark.parametrize("mode", ["question", "items", "ratings", "actions", "summary", "join"])
def test_every_mode_renders_one_heading_in_a_main(client, signed_in, conversation, app, mode):
    update(app, conversation.id, screen_mode=mode)
    html = screen(client, conversation.id).get_data(as_text=True)
    assert f"screen-main--{mode}" in html
    assert html.count("<h1") == 1 and html.count("<main") == 1


# --- the live view --------------------------------------------------------------------------


def test_the_view_is_204_when_nothing_has_changed(client, signed_in, conversation, app):
    version = version_of(app, conversation.id)
    response = client.get(f"/c/{conversation.id}/screen/view?v={version}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert response.headers["X-Convo-Version"] == str(version)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_view_is_sent_again_when_the_console_moves_on(client, signed_in, conversation, app):
    old = version_of(app, conversation.id)
    new = update(app, conversation.id, screen_mode="join")
    assert new > old
    response = client.get(f"/c/{conversation.id}/screen/view?v={old}")
    assert response.status_code == 200
    assert response.headers["X-Convo-Version"] == str(new)
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "screen-main--join" in html
    assert "<html" not in html and "<body" not in html  # a fragment, swapped into the page
    assert client.get(f"/c/{conversation.id}/screen/view?v={new}").status_code == 204


def test_an_unknown_screen_mode_falls_back_to_the_question(client, signed_in, conversation, app):
    update(app, conversation.id, screen_mode="nonsense")
    assert "screen-main--question" in screen(client, conversation.id).get_data(as_text=True)



def test_a_point_moves_the_screen_only_while_it_shows_points(client, signed_in, conversation,
                                                             app):
    """The shared screen follows the phones' version while it shows no points (the question,
    ratings, the join page), so a point saved doesn't make it fetch and redraw a view that
    had not changed; while it shows the lists, actions or summary it follows every change.
    A change of mode always reaches it, whichever number it held."""
    import re

    def followed(response) -> int:  # type: ignore[no-untyped-def]
        return int(response.headers["X-Convo-Version"])

    view = f"/c/{conversation.id}/screen/view"
    asked = update(app, conversation.id, status="live", screen_mode="question")
    page = screen(client, conversation.id).get_data(as_text=True)
    assert re.search(rf'data-version="{asked}"', page)
    assert client.get(f"{view}?v={asked}").status_code == 204

    add_item(app, conversation.id, "The bus stops at six")
    assert version_of(app, conversation.id) == asked + 1
    assert client.get(f"{view}?v={asked}").status_code == 204  # nothing on it changed

    listing = update(app, conversation.id, screen_mode="items")
    shown = client.get(f"{view}?v={asked}")
    assert shown.status_code == 200 and followed(shown) == listing
    assert "The bus stops at six" in page_text(shown)

    add_item(app, conversation.id, "The library closes at five")
    more = client.get(f"{view}?v={listing}")
    assert more.status_code == 200 and followed(more) == listing + 1
    assert "The library closes at five" in page_text(more)

    # Back to the question while the screen holds the version one past the phones': the
    # numbers never meet, so the screen is sent the question.
    back = update(app, conversation.id, screen_mode="question")
    returned = client.get(f"{view}?v={listing + 1}")
    assert returned.status_code == 200 and followed(returned) == back
    assert "screen-main--question" in returned.get_data(as_text=True)
    assert client.get(f"{view}?v={back}").status_code == 204

    # Closed, the screen thanks the room: points corrected afterwards don't move it, unless
    # the summary is being read together.
    closed = update(app, conversation.id, status="closed")
    add_item(app, conversation.id, "Corrected after the close")
    assert client.get(f"{view}?v={closed}").status_code == 204
    reading = update(app, conversation.id, screen_mode="summary")
    add_item(app, conversation.id, "Added while reading together")
    assert followed(client.get(f"{view}?v={reading}")) == reading + 1
