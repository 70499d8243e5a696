"""The facilitator console: navigation, capture, editing, actions, ratings and live refresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from convo.core import clock
from tests.conftest import page_text

FETCH = {"X-Requested-With": "fetch", "Accept": "application/json"}


def _conversation(app, ref):  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Conversation

    return db.session.get(Conversation, ref.id)


def _items(app, ref):  # type: ignore[no-untyped-def]
    from convo.extensions import db
    from convo.models import Item

    with app.app_context():
        return [(i.text, i.kind, i.raised_by, i.stage_id, i.question_id, i.deleted_at is None,
                 i.merged_into_id, i.hidden) for i in db.session.scalars(
            select(Item).where(Item.conversation_id == ref.id).order_by(Item.id))]


@pytest.fixture
def running(app, auth, make_conversation):  # type: ignore[no-untyped-def]
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    return ref


def test_console_renders_the_current_question(client, running):
    body = page_text(client.get(f"/conversations/{running.id}/console"))
    assert "Open: agree the space" in body
    assert "Note down what is said" in body
    assert "Riverside Big Local" in body


def test_next_back_and_jump(app, client, auth, running):
    url = f"/conversations/{running.id}"
    auth.post(f"{url}/go", data={"direction": "next"}, form_page=f"{url}/console")
    with app.app_context():
        c = _conversation(app, running)
        assert (c.current_stage_id, c.current_question_id) == ("open", "check_in")
    auth.post(f"{url}/go", data={"direction": "back"}, form_page=f"{url}/console")
    with app.app_context():
        assert _conversation(app, running).current_question_id is None
    # Back from the very first step stays put.
    auth.post(f"{url}/go", data={"direction": "back"}, form_page=f"{url}/console")
    response = auth.post(f"{url}/go", data={"stage": "challenges",
                                            "question": "health_pressing_issues"},
                         form_page=f"{url}/console", headers=FETCH)
    assert response.get_json()["ok"] is True
    assert "health_pressing_issues" in page_text(client.get(f"{url}/console"))
    missing = auth.post(f"{url}/go", data={"stage": "challenges", "question": "nope"},
                        form_page=f"{url}/console")
    assert missing.status_code == 404


def test_time_spent_is_counted_per_stage(app, client, auth, running, monkeypatch):
    now = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: now)
    url = f"/conversations/{running.id}"
    auth.post(f"{url}/go", data={"stage": "open"}, form_page=f"{url}/console")
    now += timedelta(minutes=12)
    auth.post(f"{url}/go", data={"stage": "get_to_know"}, form_page=f"{url}/console")
    body = page_text(client.get(f"{url}/console"))
    assert "12 of 8 min" in body  # over time, and shown as such


def test_capture_by_form_and_by_script(app, client, auth, running):
    url = f"/conversations/{running.id}"
    form = auth.post(f"{url}/items", data={"text": "Residents can't get GP appointments",
                                           "kind": "challenge", "raised_by": "partnership"},
                     form_page=f"{url}/console")
    assert form.status_code == 302
    script = auth.post(f"{url}/items", data={"text": "Use the hub for clinics",
                                             "kind": "opportunity", "raised_by": "agency",
                                             "client_id": "abc123"},
                       form_page=f"{url}/console", headers=FETCH)
    assert script.status_code == 200 and script.get_json()["created"] is True
    again = auth.post(f"{url}/items", data={"text": "Use the hub for clinics",
                                            "kind": "opportunity", "raised_by": "agency",
                                            "client_id": "abc123"},
                      form_page=f"{url}/console", headers=FETCH)
    assert again.get_json()["created"] is False  # a retried send is stored once
    items = _items(app, running)
    assert [i[:3] for i in items] == [
        ("Residents can't get GP appointments", "challenge", "partnership"),
        ("Use the hub for clinics", "opportunity", "agency")]
    assert items[0][3] == "open"


def test_capture_refuses_bad_input_and_keeps_the_words(app, client, auth, running):
    url = f"/conversations/{running.id}"
    long = "word " * 1001
    response = auth.post(f"{url}/items", data={"text": long, "kind": "note",
                                               "raised_by": "both"}, form_page=f"{url}/console")
    assert response.status_code == 422
    body = page_text(response)
    assert "This is too long: use at most 5000 characters." in body
    assert long.strip() in body  # what was typed is still in the box
    bad_kind = auth.post(f"{url}/items", data={"text": "x", "kind": "gossip", "raised_by": "both"},
                         form_page=f"{url}/console", headers=FETCH)
    assert bad_kind.status_code == 422 and "kind" in bad_kind.get_json()["errors"]
    assert _items(app, running) == []


def test_hostile_text_is_escaped_in_the_console(client, auth, running):
    url = f"/conversations/{running.id}"
    auth.post(f"{url}/items", data={"text": "<img src=x onerror=alert(1)> مرحبا 🙂",
                                    "kind": "note", "raised_by": "both"}, form_page=f"{url}/console")
    raw = client.get(f"{url}/console").get_data(as_text=True)
    assert "<img src=x" not in raw
    assert "&lt;img src=x onerror=alert(1)&gt; مرحبا 🙂" in raw


def _add(auth, url, text, kind="note", raised_by="both"):  # type: ignore[no-untyped-def]
    response = auth.post(f"{url}/items", data={"text": text, "kind": kind,
                                               "raised_by": raised_by},
                         form_page=f"{url}/console", headers=FETCH)
    return response.get_json()["item_id"]


def test_a_point_goes_where_it_was_typed_if_that_is_in_the_plan(app, auth, running):
    """A point is placed at the stage and question the console showed when it was typed
    (the room may have moved on meanwhile); a place not in this conversation's plan puts it
    where the conversation stands."""
    url = f"/conversations/{running.id}"
    auth.post(f"{url}/go", data={"stage": "challenges", "question": "health_pressing_issues"},
              form_page=f"{url}/console")
    here = ("challenges", "health_pressing_issues")
    placed = [
        ({}, ("challenges", None)),  # no question given: the stage it stands on
        ({"stage_id": "challenges", "question_id": "health_pressing_issues"}, here),
        ({"stage_id": "challenges"}, ("challenges", None)),  # the stage's introduction
        ({"stage_id": "open", "question_id": "check_in"}, ("open", "check_in")),
        ({"stage_id": "open"}, ("open", None)),
        ({"question_id": "check_in"}, here),  # not a question of the stage it stands on
        ({"stage_id": "nowhere", "question_id": "health_pressing_issues"}, here),
        ({"stage_id": "challenges", "question_id": "nope"}, here),
        ({"stage_id": "<script>", "question_id": "\u202e"}, here),
    ]
    for n, (where, _expected) in enumerate(placed):
        response = auth.post(f"{url}/items", data={
            "text": f"Point {n}", "kind": "note", "raised_by": "both", **where},
            form_page=f"{url}/console", headers=FETCH)
        assert response.status_code == 200, where
    assert [(text, stage, question) for text, _k, _r, stage, question, *_ in
            _items(app, running)] == [(f"Point {n}", *expected)
                                      for n, (_w, expected) in enumerate(placed)]


def test_edit_keeps_the_earlier_words(app, auth, running):
    url = f"/conversations/{running.id}"
    item = _add(auth, url, "Frist draft")
    response = auth.submit(f"{url}/console", f"{url}/items/{item}", {
        "text": "First draft", "kind": "strength", "raised_by": "agency"})
    assert response.status_code == 302
    with app.app_context():
        from convo.extensions import db
        from convo.models import Item

        stored = db.session.get(Item, item)
        assert (stored.text, stored.kind, stored.raised_by) == ("First draft", "strength", "agency")
        assert [r.text for r in stored.revisions] == ["Frist draft"]


def test_move_hide_delete_and_undo(app, auth, running):
    url = f"/conversations/{running.id}"
    item = _add(auth, url, "Belongs elsewhere")
    auth.post(f"{url}/go", data={"stage": "challenges"}, form_page=f"{url}/console")
    auth.post(f"{url}/items/{item}/move", data={"stage": "challenges", "question": ""},
              form_page=f"{url}/console")
    auth.post(f"{url}/items/{item}/hide", form_page=f"{url}/console")
    assert _items(app, running)[0][3] == "challenges" and _items(app, running)[0][7] is True
    deleted = auth.post(f"{url}/items/{item}/delete", form_page=f"{url}/console", headers=FETCH)
    assert deleted.get_json()["undo"] == item
    assert _items(app, running)[0][5] is False
    auth.post(f"{url}/items/{item}/restore", form_page=f"{url}/console")
    assert _items(app, running)[0][5] is True
    assert auth.post(f"{url}/items/{item}/explode", form_page=f"{url}/console").status_code == 404


def test_merge_and_undo_merge(app, auth, running):
    url = f"/conversations/{running.id}"
    first = _add(auth, url, "Parking is hard", raised_by="partnership")
    second = _add(auth, url, "Staff can't park either", raised_by="agency")
    too_few = auth.post(f"{url}/items/merge", data={"item": [str(first)]},
                        form_page=f"{url}/console", headers=FETCH)
    assert too_few.status_code == 422
    auth.post(f"{url}/items/merge", data={"item": [str(first), str(second)]},
              form_page=f"{url}/console")
    items = _items(app, running)
    assert items[0][0] == "Parking is hard\nStaff can't park either" and items[0][2] == "both"
    assert items[1][6] == first
    auth.post(f"{url}/items/{second}/restore", form_page=f"{url}/console")
    items = _items(app, running)
    assert items[0][0] == "Parking is hard" and items[1][6] is None


def test_agreed_action_details(app, client, auth, running):
    url = f"/conversations/{running.id}"
    item = _add(auth, url, "Walkabout with the new practice manager", kind="action")
    participant = running.participant_ids[3]
    details = f"{url}/items/{item}/action-details"
    response = auth.submit(f"{url}/console", details, {
        "owner_name": "", "owner_participant": str(participant), "owner_party": "",
        "due_date": "2026-12-15", "first_step": "Email the manager", "agreed_by_both": "y",
        "status": "agreed"})
    assert response.status_code == 302
    with app.app_context():
        from convo.extensions import db
        from convo.models import Item

        stored = db.session.get(Item, item)
        # Jordan Lee asked not to be named: the action names the role.
        assert stored.owner_name == "Primary Care Network manager"
        assert stored.owner_party == "agency"
        assert stored.agreed_by_both and str(stored.due_date) == "2026-12-15"
    by_next = auth.submit(f"{url}/console", details, {
        "owner_name": "Pat", "due_date": "2026-12-15", "due_by_next": "y",
        "status": "in_progress"})
    assert by_next.status_code == 302
    with app.app_context():
        stored = db.session.get(Item, item)
        assert stored.due_date is None and stored.due_by_next and stored.status == "in_progress"
    bad = auth.submit(f"{url}/console", details, {"due_date": "31/02/2026", "status": "agreed"})
    assert bad.status_code == 422
    assert "Walkabout" in page_text(client.get(f"{url}/console"))


def test_action_owner_from_another_conversation_is_refused(auth, running, make_conversation):
    other = make_conversation()
    url = f"/conversations/{running.id}"
    item = _add(auth, url, "Something", kind="action")
    response = auth.submit(f"{url}/console", f"{url}/items/{item}/action-details", {
        "owner_participant": str(other.participant_ids[0]), "status": "agreed"})
    assert response.status_code == 404


def test_facilitator_enters_ratings_hidden_until_revealed(app, client, auth, running):
    url = f"/conversations/{running.id}"
    page = client.get(f"{url}/ratings/partnership")
    assert page.status_code == 200 and "Mutual knowledge" in page_text(page)
    scores = {f"eight_criteria.{c}.now": "2" for c in (
        "mutual_knowledge", "understanding", "trust", "respect", "common_language",
        "shared_goals", "roles_and_flexibility", "capacity_to_follow_through")}
    rate = f"{url}/ratings/partnership"
    bad = auth.submit(rate, rate, {**scores, "eight_criteria.trust.now": "9"})
    assert bad.status_code == 422
    with app.app_context():
        from convo.extensions import db
        from convo.models import Rating

        assert db.session.scalars(select(Rating)).all() == []
    ok = auth.submit(rate, rate, {**scores, "now_type": "clients_contractors",
                                  "wanted_type": "powerful_allies"})
    assert ok.status_code == 302
    auth.submit(f"{url}/ratings/agency", f"{url}/ratings/agency",
                {**scores, "eight_criteria.trust.now": "5"})
    console = page_text(client.get(f"{url}/console"))
    assert "ratings given" in console and "biggest difference" not in console
    auth.post(f"{url}/ratings/reveal", data={"reveal": "1"}, form_page=f"{url}/console")
    console = page_text(client.get(f"{url}/console"))
    assert "biggest difference" in console
    with app.app_context():
        assert _conversation(app, running).screen_mode == "ratings"
    assert client.get(f"{url}/ratings/aliens").status_code == 404


def test_screen_mode_and_unknown_mode(app, auth, running):
    url = f"/conversations/{running.id}"
    assert auth.post(f"{url}/screen", data={"mode": "items"},
                     form_page=f"{url}/console").status_code == 302
    with app.app_context():
        assert _conversation(app, running).screen_mode == "items"
    assert auth.post(f"{url}/screen", data={"mode": "disco"},
                     form_page=f"{url}/console").status_code == 400


def test_add_an_unplanned_question(app, client, auth, running):
    url = f"/conversations/{running.id}"
    auth.post(f"{url}/go", data={"stage": "challenges"}, form_page=f"{url}/console")
    response = auth.post(f"{url}/questions", data={"text": "What else worries you about winter?",
                                                   "addressed_to": "agency"},
                         form_page=f"{url}/console")
    assert response.status_code == 302
    with app.app_context():
        conversation = _conversation(app, running)
        assert conversation.current_question_id.startswith("added_")
    body = page_text(client.get(f"{url}/console"))
    assert "What else worries you about winter?" in body
    empty = auth.post(f"{url}/questions", data={"text": "", "addressed_to": "both"},
                      form_page=f"{url}/console")
    assert empty.status_code == 422


def test_agreement_is_saved(app, auth, running):
    url = f"/conversations/{running.id}"
    response = auth.submit(f"{url}/console", f"{url}/agreement", {
        "ground_rules": "No individual cases.", "contacts": "Pat and Jordan",
        "meeting_rhythm": "Every two months", "next_conversation": "March 2027"},
        headers=FETCH)
    assert response.get_json()["ok"] is True
    with app.app_context():
        conversation = _conversation(app, running)
        assert conversation.next_conversation == "March 2027"


def test_start_close_reopen(app, client, auth, make_conversation):
    ref = make_conversation(status="upcoming")
    auth.sign_in_as(ref.facilitator)
    url = f"/conversations/{ref.id}"
    assert "Start the conversation" in page_text(client.get(f"{url}/console"))
    auth.post(f"{url}/start", form_page=f"{url}/console")
    auth.post(f"{url}/close", form_page=f"{url}/console")
    with app.app_context():
        assert _conversation(app, ref).status == "closed"
    # The facilitator can still correct a closed conversation.
    assert auth.post(f"{url}/items", data={"text": "Late correction", "kind": "note",
                                           "raised_by": "facilitator"},
                     form_page=f"{url}/console").status_code == 302
    auth.post(f"{url}/reopen", form_page=f"{url}/console")
    with app.app_context():
        assert _conversation(app, ref).status == "live"


def test_console_view_follows_the_version(app, client, auth, running):
    url = f"/conversations/{running.id}/console/view"
    first = client.get(f"{url}?v=0")
    assert first.status_code == 200
    version = int(first.headers["X-Convo-Version"])
    assert client.get(f"{url}?v={version}").status_code == 204
    _add(auth, f"/conversations/{running.id}", "Something new")
    changed = client.get(f"{url}?v={version}")
    assert changed.status_code == 200 and "Something new" in page_text(changed)
    assert int(changed.headers["X-Convo-Version"]) > version


def test_two_tabs_stay_consistent(app, auth, running):
    """Two consoles on one conversation: each sees the other's changes, and neither is lost."""
    from tests.conftest import AuthActions

    other_tab = AuthActions(app.test_client())
    other_tab.sign_in_as(running.facilitator)
    url = f"/conversations/{running.id}"
    _add(auth, url, "From the first tab")
    _add(other_tab, url, "From the second tab")
    for client in (auth.client, other_tab.client):
        body = page_text(client.get(f"{url}/console/view?v=0"))
        assert "From the first tab" in body and "From the second tab" in body


# --- the console's live part: only what changed, and points drawn once -----------------------


def _regions(html: str) -> list[str]:
    import re

    return re.findall(r'\bid="(live-[a-z]+)"', html)


def _phone_version(html: str) -> str:
    import re

    return re.search(r'data-phone-version="(\d+)"', html).group(1)


def test_after_a_point_only_the_regions_showing_points_are_sent(app, client, auth, running):
    """The console asks with the version it has; if nothing but points and actions moved
    since (the phones' version is no later), only the regions showing them are sent."""
    url = f"/conversations/{running.id}"
    first = client.get(f"{url}/console/view?v=0")
    everything = ["live-plan", "live-question", "live-items", "live-actions", "live-timer",
                  "live-screen", "live-side", "live-removed", "live-agreement"]
    assert _regions(first.get_data(as_text=True)) == everything
    version = int(first.headers["X-Convo-Version"])
    drawn_at = _phone_version(first.get_data(as_text=True))

    _add(auth, url, "The hub is free on Thursday evenings")
    changed = client.get(f"{url}/console/view?v={version}")
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200
    assert _regions(html) == ["live-items", "live-actions", "live-screen", "live-removed"]
    assert "The hub is free on Thursday evenings" in page_text(changed)
    assert _phone_version(html) == drawn_at
    # Asking for the whole view (a region was kept while someone typed), from before the last
    # move of the phones' version, from a version not yet made, or with a version that isn't
    # one: everything.
    for query in (f"v={version}&whole=1", "v=0", f"v={int(drawn_at) - 1}",
                  f"v={int(changed.headers['X-Convo-Version']) + 5}", "v=<script>", ""):
        assert _regions(client.get(f"{url}/console/view?{query}").get_data(as_text=True)) \
            == everything, query
    # A console page loaded before this change says which phones' version it drew at.
    assert _regions(client.get(f"{url}/console/view?v={version}&pv={drawn_at}")
                    .get_data(as_text=True)) == ["live-items", "live-actions", "live-screen",
                                                 "live-removed"]
    for stale in (str(int(drawn_at) - 1), "<script>", ""):
        assert _regions(client.get(f"{url}/console/view?v={version}&pv={stale}")
                        .get_data(as_text=True)) == everything, stale

    # Moving to the next question is shown to phones too: the whole console is sent, and the
    # phones' version is now the version that move made.
    version = int(changed.headers["X-Convo-Version"])
    assert auth.post(f"{url}/go", data={"direction": "next"},
                     form_page=f"{url}/console").status_code == 302
    moved = client.get(f"{url}/console/view?v={version}")
    assert _regions(moved.get_data(as_text=True)) == everything
    assert _phone_version(moved.get_data(as_text=True)) == moved.headers["X-Convo-Version"]
    # ... and after it, a point is partial again.
    version = int(moved.headers["X-Convo-Version"])
    _add(auth, url, "Thursdays clash with the youth club")
    assert _regions(client.get(f"{url}/console/view?v={version}").get_data(as_text=True)) \
        == ["live-items", "live-actions", "live-screen", "live-removed"]


def test_a_point_drawn_before_shows_every_change_to_it(app, client, auth, running):
    """Each point is drawn once and kept (ConsoleView.drawn_item); whatever changes about it is
    shown at once, and each drawing carries this page's own form token."""
    import re

    url = f"/conversations/{running.id}"
    item = _add(auth, url, "Frist draft")

    def drawn() -> str:
        html = client.get(f"{url}/console/view?v=0").get_data(as_text=True)
        return re.search(rf'<li class="item[^"]*" id="item-{item}">.*?</li>\s*(?=<li|</ol>)',
                         html, re.S).group(0)

    def untokened(html: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)

    before = drawn()
    assert untokened(drawn()) == untokened(before)
    assert "<convo-csrf-token>" not in before
    tokens = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', before)
    assert len(tokens) == 5 and len(set(tokens)) == 1

    auth.submit(f"{url}/console", f"{url}/items/{item}", {
        "text": "First draft <b>really</b>", "kind": "strength", "raised_by": "agency"})
    after = drawn()
    assert "Frist draft" not in after and "First draft &lt;b&gt;really&lt;/b&gt;" in after
    assert 'item--strength' in after and '<option value="agency" selected>' in after
    auth.post(f"{url}/items/{item}/hide", form_page=f"{url}/console")
    assert "is-hidden" in drawn() and "Show on screen" in drawn()
    auth.post(f"{url}/go", data={"stage": "challenges"}, form_page=f"{url}/console")
    auth.post(f"{url}/items/{item}/move", data={"stage": "challenges", "question": ""},
              form_page=f"{url}/console")
    moved = drawn()
    assert 'name="stage" value="challenges"' in moved

    # Another signed-in browser gets the same point with its own token, never this one's.
    from tests.conftest import AuthActions

    other = AuthActions(app.test_client())
    other.sign_in_as(running.facilitator)
    theirs = other.client.get(f"{url}/console/view?v=0").get_data(as_text=True)
    mine = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', moved)[0]
    assert mine not in theirs
    assert f'id="item-{item}"' in theirs


def test_a_refused_correction_is_drawn_with_the_refused_words(app, client, auth, running):
    url = f"/conversations/{running.id}"
    item = _add(auth, url, "Kept wording")
    client.get(f"{url}/console/view?v=0")  # drawn and kept
    refused = auth.submit(f"{url}/console", f"{url}/items/{item}", {
        "text": "", "kind": "strength", "raised_by": "agency"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert f'id="text-{item}" name="text" rows="3"></textarea>' in body  # what was sent
    assert "Kept wording" in body  # the point itself, as stored


def test_every_move_of_the_version_outside_bump_moves_the_phones_version_too():
    """While nothing but points moved since a console's version it is sent only the regions
    showing points (state.bump with phones=False); a version moved anywhere else, by hand,
    must move the phones' too (state.moved_for_phones), or the console would miss that
    change and the shared screen, following the phones' version, would too."""
    import re
    from pathlib import Path

    import convo

    root = Path(convo.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "state.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"version=Conversation\.(phone_)?version \+ 1", text), path
        found += [path.name] * text.count("**state.moved_for_phones()")
    assert sorted(found) == ["deleting.py", "guessing.py", "service.py"]
