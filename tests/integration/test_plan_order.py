"""The plan's stages in the order the facilitator wants (issue 16): moved up and down without
script (each move comes back as the form, saved with the rest), saved against the order the
writer saw, so two tabs moving different stages, or one moving and one typing minutes, both
keep what they did; a real clash answers 409 and shows both orders.  A stage that has already
run keeps its recorded times wherever it moves.  Runs on SQLite and PostgreSQL (the app fixture).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from convo.conversations.plan import merge_order, moved
from tests.conftest import AuthActions, ConversationRef, page_text
from tests.forms import form_fields, with_changes

ROUNDS = 4


def _tab(app: Flask, ref: ConversationRef) -> FlaskClient:
    auth = AuthActions(app.test_client())
    auth.sign_in_as(ref.facilitator)
    return auth.client


def _order(app: Flask, ref: ConversationRef) -> list[str]:
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        return [s.id for s in service.plan_for(db.session.get(Conversation, ref.id)).stages]


def _minutes(app: Flask, ref: ConversationRef, stage_id: str) -> int:
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Conversation

    with app.app_context():
        stage = service.plan_for(db.session.get(Conversation, ref.id)).stage(stage_id)
        assert stage is not None
        return stage.minutes


def _load(tab: FlaskClient, url: str) -> dict[str, Any]:
    response = tab.get(url)
    assert response.status_code == 200
    return form_fields(response.get_data(as_text=True), url, url)


def _move(tab: FlaskClient, url: str, fields: dict[str, Any], stage_id: str,
          direction: str) -> dict[str, Any]:
    """Press a stage's Up or Down button without script: the form comes back, moved."""
    response = tab.post(url, data=with_changes(fields, move=f"{direction}:{stage_id}"))
    assert response.status_code == 200, response.status_code
    return form_fields(response.get_data(as_text=True), url, url)


def test_merging_orders_keeps_both_tabs_moves_and_finds_real_clashes():
    seen = list("ABCDE")
    assert merge_order(seen, list("BACDE"), seen) == list("BACDE")  # only mine
    assert merge_order(seen, seen, list("ABDCE")) == list("ABDCE")  # only theirs
    assert merge_order(seen, list("BACDE"), list("ABCED")) == list("BACED")  # both kept
    assert merge_order(seen, list("BACDE"), list("BACDE")) == list("BACDE")  # the same move
    # B before A (mine), C before B (theirs), A still before C (theirs): no single order.
    assert merge_order(list("ABC"), list("BAC"), list("ACB")) is None
    assert moved(list("ABC"), "A", "up") == list("ABC")
    assert moved(list("ABC"), "C", "down") == list("ABC")
    assert moved(list("ABC"), "B", "down") == list("ACB")


def test_moving_without_script_changes_the_form_and_saving_keeps_recorded_times(
        app, make_conversation):
    from convo.core import clock
    from convo.extensions import db
    from convo.models import Conversation

    ref = make_conversation(status="upcoming")
    url = f"/conversations/{ref.id}/plan"
    before = _order(app, ref)
    first, second = before[0], before[1]
    started = clock.utcnow() - timedelta(minutes=30)
    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        row = next(s for s in conversation.stages if s.stage_id == first)
        row.first_started_at, row.last_ended_at = started, started + timedelta(minutes=9)
        row.seconds_spent = 540
        db.session.commit()
    tab = _tab(app, ref)
    fields = _load(tab, url)
    response = tab.post(url, data=with_changes(fields, move=f"down:{first}"))
    assert response.status_code == 200
    text = page_text(response)
    assert "moved to place 2 of" in text and "Save the plan to keep the new order." in text
    assert f'id="up-{first}" autofocus' in response.get_data(as_text=True) or \
        f'id="down-{first}" autofocus' in response.get_data(as_text=True)
    assert _order(app, ref) == before, "a move alone saves nothing"
    fields = form_fields(response.get_data(as_text=True), url, url)
    assert fields["order"].split(",")[:2] == [second, first]
    assert fields["order-seen"] == ",".join(before)
    # The first stage's Up and the last stage's Down do nothing (and are disabled).
    assert f'value="up:{second}" id="up-{second}" disabled' in response.get_data(as_text=True)
    saved = tab.post(url, data=fields)
    assert saved.status_code == 302
    assert _order(app, ref)[:2] == [second, first]
    with app.app_context():
        conversation = db.session.get(Conversation, ref.id)
        row = next(s for s in conversation.stages if s.stage_id == first)
        assert row.first_started_at is not None and row.seconds_spent == 540
        assert row.last_ended_at is not None
    # Bad moves and orders are refused, nothing stored.
    fields = _load(tab, url)
    assert tab.post(url, data=with_changes(fields, move="sideways:open")).status_code == 400
    assert tab.post(url, data=with_changes(fields, move="up:nowhere")).status_code == 400
    assert tab.post(url, data=with_changes(fields, order="open,open")).status_code == 400
    assert _order(app, ref)[:2] == [second, first]


def test_two_tabs_moving_different_stages_and_typing_minutes_keep_everything(
        app, make_conversation):
    ref = make_conversation(status="upcoming")
    url = f"/conversations/{ref.id}/plan"
    order = _order(app, ref)
    tab1, tab2, tab3 = (_tab(app, ref) for _ in range(3))
    one, two, three = _load(tab1, url), _load(tab2, url), _load(tab3, url)
    one = _move(tab1, url, one, order[1], "up")
    two = _move(tab2, url, two, order[3], "down")
    three = with_changes(three, {f"minutes-{order[2]}": "17"})
    assert tab1.post(url, data=one).status_code == 302
    assert tab2.post(url, data=two).status_code == 302
    assert tab3.post(url, data=three).status_code == 302
    expected = moved(moved(order, order[1], "up"), order[3], "down")
    assert _order(app, ref) == expected
    assert _minutes(app, ref, order[2]) == 17


def test_a_real_clash_is_shown_both_ways_and_the_writer_chooses(app, make_conversation):
    ref = make_conversation(status="upcoming")
    url = f"/conversations/{ref.id}/plan"
    a, b, c = _order(app, ref)[:3]
    rest = _order(app, ref)[3:]
    tab1, tab2 = _tab(app, ref), _tab(app, ref)
    one, two = _load(tab1, url), _load(tab2, url)
    assert tab1.post(url, data=_move(tab1, url, one, b, "up")).status_code == 302  # B A C
    mine = _move(tab2, url, two, c, "up")  # A C B, from the old A B C
    mine = with_changes(mine, {f"minutes-{a}": "19"})
    clash = tab2.post(url, data=mine)
    assert clash.status_code == 409
    text = page_text(clash)
    assert "Someone else changed the order of the stages at the same time" in text
    assert _order(app, ref) == [b, a, c, *rest], "nothing of the refused save is stored"
    assert _minutes(app, ref, a) != 19
    again = form_fields(clash.get_data(as_text=True), url, url)
    assert again["order"] == ",".join([a, c, b, *rest])  # mine, still in the table
    assert again["order-seen"] == ",".join([b, a, c, *rest])  # measured against theirs now
    # Use their order: theirs stays, my minutes go in.
    taken = tab2.post(url, data=with_changes(again, {"order-choice": "theirs"}))
    assert taken.status_code == 302
    assert _order(app, ref) == [b, a, c, *rest]
    assert _minutes(app, ref, a) == 19
    # Or keep mine, on purpose, after another clash.
    one = _load(tab1, url)
    two = _move(tab2, url, _load(tab2, url), c, "up")  # B C A
    assert tab1.post(url, data=_move(tab1, url, one, a, "up")).status_code == 302  # A B C
    clash = tab2.post(url, data=two)
    assert clash.status_code == 409
    kept = tab2.post(url, data=with_changes(form_fields(clash.get_data(as_text=True), url, url),
                                            {"order-choice": "mine"}))
    assert kept.status_code == 302
    assert _order(app, ref) == [b, c, a, *rest]


def test_tabs_reordering_and_editing_at_once_lose_nothing(app, make_conversation):
    """Four tabs, each round each moving its own pair of stages while a fifth types minutes,
    all at the same moment: every save goes in and every move is kept; two tabs moving the
    same stage two ways: one is saved, the other told, never both lost or mixed."""
    ref = make_conversation(status="upcoming")
    url = f"/conversations/{ref.id}/plan"
    start = _order(app, ref)
    assert len(start) >= 8
    movers = [(_tab(app, ref), start[2 * n + 1]) for n in range(4)]
    typist = _tab(app, ref)
    results: list[tuple[str, int]] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(movers) + 1)
    typed = {}

    def run(tab: FlaskClient, stage_id: str | None, name: str) -> None:
        for round_ in range(ROUNDS):
            try:
                fields = _load(tab, url)
                if stage_id is not None:
                    order = fields["order"].split(",")
                    direction = "up" if order.index(stage_id) % 2 == 1 else "down"
                    fields = _move(tab, url, fields, stage_id, direction)
                else:
                    typed[round_] = str(20 + round_)
                    fields = with_changes(fields, {f"minutes-{start[-1]}": typed[round_]})
                barrier.wait(timeout=60)
                response = tab.post(url, data=fields)
            except Exception as exc:  # noqa: BLE001 - reported as a failure
                with lock:
                    failures.append(f"{name}/{round_}: {exc!r}")
                barrier.abort()
                return
            with lock:
                results.append((name, response.status_code))

    threads = [threading.Thread(target=run, args=(tab, stage, f"mover {n}"))
               for n, (tab, stage) in enumerate(movers)]
    threads.append(threading.Thread(target=run, args=(typist, None, "typist")))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    assert [code for _, code in results] == [302] * (len(threads) * ROUNDS)
    # Each pair was swapped once a round: after an even number of rounds, back as it started.
    expected = list(start)
    for _ in range(ROUNDS):
        for n in range(4):
            expected[2 * n], expected[2 * n + 1] = expected[2 * n + 1], expected[2 * n]
    assert _order(app, ref) == expected
    assert _minutes(app, ref, start[-1]) == 20 + ROUNDS - 1

    # The same stage moved two ways at once by two tabs: one saved, one told, each round.
    tab_a, tab_b = _tab(app, ref), _tab(app, ref)
    told = []
    for _ in range(ROUNDS):
        now = _order(app, ref)
        first = _move(tab_a, url, _load(tab_a, url), now[1], "up")
        second = _move(tab_b, url, _load(tab_b, url), now[2], "up")
        codes: list[int] = []
        pair = threading.Barrier(2)

        def post(tab: FlaskClient, fields: dict[str, Any]) -> None:
            pair.wait(timeout=60)
            codes.append(tab.post(url, data=fields).status_code)

        both = [threading.Thread(target=post, args=(tab_a, first)),
                threading.Thread(target=post, args=(tab_b, second))]
        for thread in both:
            thread.start()
        for thread in both:
            thread.join(timeout=120)
        assert sorted(codes) == [302, 409], codes
        told.append(codes)
        after = _order(app, ref)
        assert after in (moved(now, now[1], "up"), moved(now, now[2], "up"))
    print(f"{len(threads)} tabs x {ROUNDS} rounds: {len(results)} saved, 0 lost; "
          f"{len(told)} real clashes, each one saved and one told")
