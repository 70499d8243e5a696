"""A mapping session from members' phones (seed 001's relationship-mapping workshop): members
join with the session's code, score each agency privately, nobody sees anything until the
facilitator shows everyone's together (averages and spread, never who gave which), and the
averages can be put on the map.  Bad input, a stale second tab, a wrong or finished code, and
another session's member each get a clear answer and change nothing."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.conftest import AuthActions, page_text
from tests.forms import form_fields


def _db() -> Any:
    from convo.extensions import db

    return db


def _ready(app: Flask, auth: AuthActions, ref: Any) -> tuple[int, list[int]]:
    """The partnership with two criteria chosen and two agencies on its map."""
    from convo.models import Conversation, Relationship

    if auth.client.get("/account").status_code != 200:
        auth.sign_in_as(ref.facilitator)
    with app.app_context():
        pid = _db().session.get(Conversation, ref.id).partnership_id
    edit = f"/partnerships/{pid}/edit"
    assert auth.submit(edit, edit, {"criteria": ["trust", "shared_goals"]}).status_code == 302
    new = f"/partnerships/{pid}/relationships/new"
    assert auth.submit(new, new, {"agency_name": "Exampletown Borough Council",
                                  "agency_type": "local_authority"}).status_code == 302
    with app.app_context():
        ids = list(_db().session.scalars(select(Relationship.id).where(
            Relationship.partnership_id == pid).order_by(Relationship.id)))
    return pid, ids


def _start(auth: AuthActions, pid: int) -> tuple[str, str]:
    """(the session's page, the members' join path)"""
    started = auth.post(f"/partnerships/{pid}/mapping", form_page=f"/partnerships/{pid}")
    assert started.status_code == 302
    page = started.headers["Location"]
    shown = page_text(auth.client.get(page))
    code = re.search(r"/m/([A-Z0-9]{8})", shown).group(1)
    return page, f"/m/{code}"


def _phone(app: Flask, join: str, name: str) -> Any:
    phone = app.test_client()
    fields = form_fields(page_text(phone.get(join)), join, join)
    fields["name"] = name
    joined = phone.post(join, data=fields)
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/m/scores")
    return phone


def _rate(phone: Any, scores: dict[str, str], page: str | None = None) -> Any:
    html = page or page_text(phone.get("/m/scores"))
    fields = form_fields(html, "/m/scores", "/m/scores")
    fields.update(scores)
    return phone.post("/m/scores", data=fields)


def test_a_mapping_session_from_start_to_the_map(app, client, auth, make_conversation):
    ref = make_conversation()
    pid, (pcn, council) = _ready(app, auth, ref)
    page, join = _start(auth, pid)
    # A double click starts one session, not two.
    again = auth.post(f"/partnerships/{pid}/mapping", form_page=f"/partnerships/{pid}")
    assert again.headers["Location"] == page
    pat, sam, ann = (_phone(app, join, n) for n in ("Pat", "Sam", "Ann ‮gnp.exe"))
    assert _rate(pat, {f"s-{pcn}-trust": "4", f"s-{council}-trust": "2",
                       f"s-{council}-shared_goals": "5"}).status_code == 302
    assert _rate(sam, {f"s-{pcn}-trust": "5", f"s-{council}-trust": "3"}).status_code == 302
    # Before they are shown: the facilitator sees who has scored, nobody sees any score.
    before = page_text(client.get(page))
    assert "Pat: 3 of 4 scores given" in re.sub(r"<[^>]+>", "", before)
    assert "Everyone's scores" not in before
    mine = page_text(sam.get("/m/scores"))
    assert "Everyone's scores" not in mine and "Pat" not in mine
    assert re.search(rf'name="s-{pcn}-trust" value="5" checked', mine)
    # Bad input: a clear answer, nothing stored.
    bad = _rate(ann, {f"s-{pcn}-trust": "9"})
    assert bad.status_code == 422 and "weren't ones the page offers" in page_text(bad)
    assert ann.post("/m/scores", data={"version": "0"}).status_code == 400  # no CSRF token
    # Shown: averages and spread, never names; scores can't change after.
    pat_page = page_text(pat.get("/m/scores"))
    assert auth.post(f"{page}/show", form_page=page).status_code == 302
    after = re.sub(r"<[^>]+>", " ", page_text(client.get(page)))
    assert "4.5" in after and "from 4 to 5" in after and "2.5" in after
    on_phone = page_text(ann.get("/m/scores"))
    assert "Everyone's scores" in on_phone and "Pat" not in on_phone and "Sam" not in on_phone
    late = _rate(pat, {f"s-{pcn}-trust": "1"}, page=pat_page)  # a page left open
    assert late.status_code == 409
    assert app.test_client().get(join).status_code == 404  # nobody new joins once shown
    # Onto the map: averages rounded half up (4.5 → 5, 2.5 → 3, 5 → 5).
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', page_text(client.get(page))).group(1)
    put = auth.post(f"{page}/put-on-map", data={"seen": seen}, form_page=page)
    assert put.status_code == 302
    from convo.models import Relationship
    from convo.partnerships.service import score_of

    with app.app_context():
        got = {(r, c): score_of(_db().session.get(Relationship, r), c)
               for r in (pcn, council) for c in ("trust", "shared_goals")}
    assert got == {(pcn, "trust"): 5, (pcn, "shared_goals"): None,
                   (council, "trust"): 3, (council, "shared_goals"): 5}
    # The partnership's export holds the results, counted, never named.
    import json

    exported = json.loads(client.get(f"/partnerships/{pid}/export.json").data)
    [session_data] = exported["mapping_sessions"]
    assert session_data["members"] == 3 and {"relationship_id": pcn, "criterion": "trust",
                                             "scores": 2, "average": 4.5, "lowest": 4,
                                             "highest": 5} in session_data["results"]
    assert "Pat" not in json.dumps(session_data)
    # Finishing: the code stops working; phones say thank you.
    assert auth.post(f"{page}/close", form_page=page).status_code == 302
    assert pat.get("/m/scores").status_code == 410
    assert app.test_client().get(join).status_code == 404


def test_a_second_tab_cannot_replace_newer_scores(app, auth, make_conversation):
    """The same member in two tabs: the tab whose page is out of date is refused and shown
    what is saved, with its own choices kept; nothing is replaced silently."""
    ref = make_conversation()
    pid, (pcn, _council) = _ready(app, auth, ref)
    _page, join = _start(auth, pid)
    phone = _phone(app, join, "Pat")
    first_tab = page_text(phone.get("/m/scores"))
    second_tab = page_text(phone.get("/m/scores"))
    assert _rate(phone, {f"s-{pcn}-trust": "2"}, page=first_tab).status_code == 302
    stale = _rate(phone, {f"s-{pcn}-trust": "5"}, page=second_tab)
    assert stale.status_code == 409
    text = page_text(stale)
    assert "saved from another tab" in text and "Saved from your other tab: 2" in text
    assert re.search(rf'name="s-{pcn}-trust" value="5" checked', text)  # their choice kept
    from convo.models import MappingScore

    with app.app_context():
        assert [s.score for s in _db().session.scalars(select(MappingScore))] == [2]
    # Saving again from the refreshed page works.
    assert _rate(phone, {f"s-{pcn}-trust": "5"}, page=text).status_code == 302


def test_putting_averages_on_a_map_changed_meanwhile_is_refused(app, client, auth,
                                                                   make_conversation):
    ref = make_conversation()
    pid, (pcn, _council) = _ready(app, auth, ref)
    page, join = _start(auth, pid)
    _rate(_phone(app, join, "Pat"), {f"s-{pcn}-trust": "1"})
    auth.post(f"{page}/show", form_page=page)
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', page_text(client.get(page))).group(1)
    entry = f"/partnerships/{pid}/relationships/{pcn}/edit"
    assert auth.submit(entry, entry, {"score_trust": "4"}).status_code == 302
    refused = auth.post(f"{page}/put-on-map", data={"seen": seen}, form_page=page)
    assert refused.status_code == 409 and "changed the map's scores" in page_text(refused)
    from convo.models import Relationship
    from convo.partnerships.service import score_of

    with app.app_context():
        assert score_of(_db().session.get(Relationship, pcn), "trust") == 4


def test_codes_members_and_starting(app, client, auth, make_conversation):
    """A wrong code counts against this browser only; a phone that hasn't joined, or joined
    another session, reaches nothing here; a map without criteria or agencies can't start."""
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    from convo.models import Conversation

    with app.app_context():
        pid = _db().session.get(Conversation, ref.id).partnership_id
    refused = auth.post(f"/partnerships/{pid}/mapping", form_page=f"/partnerships/{pid}")
    assert refused.status_code == 302
    assert "Choose the partnership's criteria first" in page_text(client.get(f"/partnerships/{pid}"))
    pid, (pcn, _council) = _ready(app, auth, ref)
    _page, join = _start(auth, pid)
    stranger = app.test_client()
    assert stranger.get("/m/scores").status_code == 403
    assert stranger.get("/m/ABCD2345").status_code == 404
    assert stranger.get("/m/" + "x" * 5000).status_code == 404
    empty = stranger.post(join, data={"csrf_token": AuthActions(stranger).csrf(join),
                                      "name": "   "})
    assert empty.status_code == 422 and "Type your name" in page_text(empty)
    long = stranger.post(join, data={"csrf_token": AuthActions(stranger).csrf(join),
                                     "name": "n" * 61})
    assert long.status_code == 422
    from convo.models import MappingMember

    with app.app_context():
        assert _db().session.scalars(select(MappingMember)).all() == []
    # A member of another partnership's session can't reach this one's scores.
    other = make_conversation()  # another facilitator: another partnership
    other_auth = AuthActions(app.test_client())
    other_pid, _ = _ready(app, other_auth, other)
    _other_page, other_join = _start(other_auth, other_pid)
    outsider = _phone(app, other_join, "Lee")
    theirs = page_text(outsider.get("/m/scores"))
    assert "Exampletown Primary Care Network" in theirs
    assert _rate(outsider, {f"s-{pcn}-trust": "1"}).status_code == 302
    from convo.models import MappingScore

    with app.app_context():
        assert _db().session.scalars(select(MappingScore).where(
            MappingScore.relationship_id == pcn)).all() == []
