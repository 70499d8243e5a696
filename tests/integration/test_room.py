"""Running the room (issue 16): the countdown kept on the server, a shared screen that pages
instead of overflowing, welcome and closing views, each stage's time and the questions
actually asked in the summary's appendix.  Runs on SQLite and PostgreSQL (the app fixture)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.conftest import AuthActions, ConversationRef, page_text

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}
LONG_ONE_END = "And that is the last of it."
LONG = ("We need the surgery to tell us early when clinics change, so that volunteers can "
        "tell people at the hub and nobody turns up to a locked door. ")


LONG_ONE = "The long one: " + (LONG * 25)[:2960] + " " + LONG_ONE_END


def _db(app: Flask) -> Any:
    from convo.extensions import db

    return db


def _conversation(app: Flask, ref: ConversationRef) -> Any:
    from convo.models import Conversation

    return _db(app).session.get(Conversation, ref.id)


def _console(app: Flask, ref: ConversationRef) -> AuthActions:
    auth = AuthActions(app.test_client())
    auth.sign_in_as(ref.facilitator)
    return auth


def _timer_version(html: str) -> str:
    found = re.search(r'name="timer_version" value="(\d+)"', html)
    assert found, "no timer form on the console"
    return found.group(1)


def _timer(auth: AuthActions, ref: ConversationRef, action: str, seen: str,
           json: bool = True, **extra: Any) -> Any:
    url = f"/conversations/{ref.id}/timer"
    return auth.post(url, {"timer_action": action, "timer_version": seen, **extra},
                     form_page=f"/conversations/{ref.id}/console",
                     headers=JSON if json else {})


def _move_clock(monkeypatch: Any, seconds: int) -> None:
    from convo.core import clock

    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(seconds=seconds))


# --- the countdown ----------------------------------------------------------------------------


def test_the_countdown_lives_on_the_server(app, make_conversation, monkeypatch):
    ref = make_conversation()
    auth = _console(app, ref)
    console = f"/conversations/{ref.id}/console"
    html = auth.client.get(console).get_data(as_text=True)
    assert "Countdown on the shared screen" in html
    response = _timer(auth, ref, "start", _timer_version(html), minutes="10")
    assert response.status_code == 200 and response.get_json()["ok"]
    screen = page_text(auth.client.get(f"/c/{ref.id}/screen"))
    # The screen draws 10:00 (or 9:59) and counts on by itself from there (live.js).
    found = re.search(r'data-tick-seconds="(\d+)" data-tick-step="-1" data-tick-running="1"'
                      r' data-tick-format="clock"', screen)
    assert found and 595 <= int(found.group(1)) <= 600
    # A second screen, or a reload a few minutes later, shows the same countdown.
    _move_clock(monkeypatch, 180)
    again = page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))
    left = int(re.search(r'data-tick-seconds="(-?\d+)"', again).group(1))
    assert 415 <= left <= 420
    assert re.search(r">\s*[67]:\d\d<", again)

    version = _timer_version(auth.client.get(console).get_data(as_text=True))
    assert _timer(auth, ref, "pause", version).status_code == 200
    paused = page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))
    assert 'data-tick-running="0"' in paused and "paused" in paused
    _move_clock(monkeypatch, 600)  # paused: no time passes on it
    with app.app_context():
        from convo.live import timer

        assert 415 <= timer.countdown(_conversation(app, ref)).seconds_left <= 420

    version = _timer_version(auth.client.get(console).get_data(as_text=True))
    assert _timer(auth, ref, "resume", version).status_code == 200
    version = _timer_version(auth.client.get(console).get_data(as_text=True))
    assert _timer(auth, ref, "add", version, minutes="5").status_code == 200
    with app.app_context():
        countdown = timer.countdown(_conversation(app, ref))
        assert countdown.running and 715 <= countdown.seconds_left <= 720
        assert countdown.added_minutes == 5

    # Time up: the screen says so quietly (a class the style sheet colours; no sound).
    _move_clock(monkeypatch, 600 + 721)
    over = page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))
    assert "is-over" in over and "Time’s up" in over
    assert "<audio" not in over

    version = _timer_version(auth.client.get(console).get_data(as_text=True))
    assert _timer(auth, ref, "stop", version).status_code == 200
    assert "screen-timer" not in page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))


def test_a_stale_tab_cannot_add_minutes_twice(app, make_conversation):
    """Two console tabs showing the same timer both press "Add 5 minutes": one is saved, the
    other is told the timer changed in another window (JSON 409, or the console again with
    the reason for a form), and five minutes are added, not ten."""
    ref = make_conversation()
    first, second = _console(app, ref), _console(app, ref)
    html = first.client.get(f"/conversations/{ref.id}/console").get_data(as_text=True)
    assert _timer(first, ref, "start", _timer_version(html), minutes="10").status_code == 200
    shown = _timer_version(first.client.get(
        f"/conversations/{ref.id}/console").get_data(as_text=True))
    assert _timer(first, ref, "add", shown, minutes="5").status_code == 200
    refused = _timer(second, ref, "add", shown, minutes="5")
    assert refused.status_code == 409
    assert "changed in another window" in refused.get_json()["message"]
    as_form = _timer(second, ref, "add", shown, json=False, minutes="5")
    assert as_form.status_code == 302
    followed = page_text(second.client.get(as_form.headers["Location"]))
    assert "changed in another window" in followed
    with app.app_context():
        conversation = _conversation(app, ref)
        assert conversation.timer_added_minutes == 5


def test_tabs_racing_on_the_timer_add_exactly_what_they_were_told(app, make_conversation):
    """Four tabs press "Add 5 minutes" at the same moment, five rounds: every press told
    "done" added five minutes, every other was told why, and nothing else changed."""
    ref = make_conversation()
    tabs = [_console(app, ref) for _ in range(4)]
    html = tabs[0].client.get(f"/conversations/{ref.id}/console").get_data(as_text=True)
    assert _timer(tabs[0], ref, "start", _timer_version(html), minutes="10").status_code == 200
    with app.app_context():
        ends_before = _conversation(app, ref).timer_ends_at
    done: list[int] = []
    told: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tabs))

    def run(index: int, auth: AuthActions) -> None:
        for _round in range(5):
            try:
                page = auth.client.get(f"/conversations/{ref.id}/console")
                seen = _timer_version(page.get_data(as_text=True))
                token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                                  r'name="csrf_token" value="([^"]+)"',
                                  page.get_data(as_text=True))
                csrf = token.group(1) or token.group(2)
                barrier.wait(timeout=60)
                response = auth.client.post(
                    f"/conversations/{ref.id}/timer", headers=JSON,
                    data={"timer_action": "add", "minutes": "5", "timer_version": seen,
                          "csrf_token": csrf})
            except threading.BrokenBarrierError:
                return
            with lock:
                if response.status_code == 200 and response.get_json()["ok"]:
                    done.append(index)
                elif response.status_code == 409 and "another window" in (
                        response.get_json() or {}).get("message", ""):
                    told.append(index)
                else:
                    failures.append(f"{index}: {response.status_code}")
                    barrier.abort()
                    return

    threads = [threading.Thread(target=run, args=(n, tab)) for n, tab in enumerate(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    assert len(done) + len(told) == 20 and len(done) >= 5  # one a round at least
    with app.app_context():
        conversation = _conversation(app, ref)
        assert conversation.timer_added_minutes == 5 * len(done)
        ends = conversation.timer_ends_at
    assert abs((ends - ends_before) - timedelta(minutes=5 * len(done))) < timedelta(seconds=5)
    print(f"4 tabs x 5 rounds: {len(done)} added, {len(told)} told why")


def test_timer_refuses_bad_input_and_changes_nothing(app, make_conversation):
    ref = make_conversation()
    auth = _console(app, ref)
    html = auth.client.get(f"/conversations/{ref.id}/console").get_data(as_text=True)
    seen = _timer_version(html)
    assert _timer(auth, ref, "explode", seen).status_code == 400
    assert _timer(auth, ref, "start", "x").status_code == 400
    assert _timer(auth, ref, "start", seen, minutes="0").status_code == 422
    assert _timer(auth, ref, "start", seen, minutes="9999").status_code == 422
    upcoming = make_conversation(facilitator=ref.facilitator, status="upcoming")
    assert _timer(auth, upcoming, "start", "0").status_code == 409
    with app.app_context():
        assert _conversation(app, ref).timer_state == "off"
        assert _conversation(app, ref).timer_version == 0


def test_the_console_clocks_carry_the_time_to_tick_from(app, make_conversation, monkeypatch):
    """The stage's minutes and the whole conversation's time against plan are drawn with the
    seconds they stand at, and live.js moves them on every second without any other change."""
    ref = make_conversation()
    auth = _console(app, ref)
    with app.app_context():
        from convo.conversations import service
        from convo.core import clock

        conversation = _conversation(app, ref)
        conversation.started_at = clock.utcnow()
        planned = service.plan_for(conversation).planned_minutes
        _db(app).session.commit()
    _move_clock(monkeypatch, 150)
    html = page_text(auth.client.get(f"/conversations/{ref.id}/console"))
    ticking = re.findall(r'data-tick-seconds="(-?\d+)" data-tick-step="(-?1)" '
                         r'data-tick-running="1"', html)
    assert ticking, "no clock that moves by itself"
    whole = [int(s) for s, step in ticking if step == "-1"]
    assert whole and planned * 60 - 155 <= whole[0] <= planned * 60 - 145
    assert re.search(r"\d+ min left, ends at \d\d:\d\d", html)


# --- the shared screen fits -------------------------------------------------------------------


def _fill_stage(app: Flask, ref: ConversationRef, count: int = 30,
                long_one: bool = True) -> list[int]:
    from convo.conversations import capture

    ids = []
    with app.app_context():
        conversation = _conversation(app, ref)
        stage = conversation.current_stage_id
        for n in range(count):
            text = f"Point {n + 1}: " + (LONG * 3)[:290]
            item, _ = capture.add(conversation, client_id=f"p{n}", text=text, kind=(
                "challenge", "opportunity", "note")[n % 3], raised_by="both", stage_id=stage,
                question_id=None, author=capture.Author(facilitator_id=ref.facilitator.id))
            ids.append(item.id)
        if long_one:
            item, _ = capture.add(conversation, client_id="long", text=LONG_ONE, kind="note",
                                  raised_by="partnership",
                                  stage_id=stage, question_id=None,
                                  author=capture.Author(facilitator_id=ref.facilitator.id))
            ids.append(item.id)
        _db(app).session.commit()
    return ids


def _set(app: Flask, ref: ConversationRef, **values: Any) -> None:
    with app.app_context():
        conversation = _conversation(app, ref)
        for key, value in values.items():
            setattr(conversation, key, value)
        conversation.version += 1
        conversation.phone_version = conversation.version  # as state.bump
        _db(app).session.commit()


def test_long_lists_page_newest_first_and_long_points_are_clipped(app, make_conversation):
    ref = make_conversation()
    ids = _fill_stage(app, ref)
    _set(app, ref, screen_mode="items")
    auth = _console(app, ref)
    text = page_text(auth.client.get(f"/c/{ref.id}/screen"))
    found = re.search(r"(\d+)–(\d+) of (\d+)", text)
    assert found and found.group(2) == found.group(3) == "31"  # the newest page
    assert "The long one" in text and "continues…" in text
    assert LONG_ONE_END not in text  # clipped, not all there
    console = page_text(auth.client.get(f"/conversations/{ref.id}/console"))
    assert re.search(r"Showing \d+–31 of 31", console)
    assert "Previous page" in console and "Alt+PgUp" in console

    response = auth.post(f"/conversations/{ref.id}/screen/page", {"page": "1"},
                         form_page=f"/conversations/{ref.id}/console", headers=JSON)
    assert response.status_code == 200
    first = page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))
    assert re.search(r"1–\d+ of 31", first) and "Point 1:" in first and "Point 30:" not in first
    # Every point is on exactly one page.
    seen: list[str] = []
    page = 1
    while True:
        auth.post(f"/conversations/{ref.id}/screen/page", {"page": str(page)},
                  form_page=f"/conversations/{ref.id}/console")
        shown = page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))
        seen += re.findall(r"Point (\d+):", shown) + (["long"] if "The long one" in shown
                                                        else [])
        if re.search(r"–31 of 31", shown):
            break
        page += 1
        assert page < 20
    assert sorted(seen, key=lambda s: (s == "long", int(s) if s.isdigit() else 0)) == [
        str(n) for n in range(1, 31)] + ["long"]

    # The long point opened in full, a screenful at a time; then back to the list.
    opened = auth.post(f"/conversations/{ref.id}/screen/point", {"item": str(ids[-1])},
                       form_page=f"/conversations/{ref.id}/console", headers=JSON)
    assert opened.status_code == 200
    parts = []
    for part in range(1, 10):
        auth.post(f"/conversations/{ref.id}/screen/page", {"page": str(part)},
                  form_page=f"/conversations/{ref.id}/console")
        shown = page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))
        assert "Point 31 of 31" in shown
        body = re.search(r'class="screen-opened__text" dir="auto">(.*?)(?:<span|</p>)', shown,
                         re.S)
        parts.append(body.group(1).strip())
        if f"Part {part} of {part}" in shown or "Part " not in shown:
            break
    joined = " ".join(parts)
    assert re.sub(r"\s+", "", joined) == re.sub(r"\s+", "", LONG_ONE)
    closed = auth.post(f"/conversations/{ref.id}/screen/point", {"item": ""},
                       form_page=f"/conversations/{ref.id}/console", headers=JSON)
    assert closed.status_code == 200
    assert "screen-opened" not in page_text(auth.client.get(f"/c/{ref.id}/screen/view?v=0"))


def test_screen_paging_refuses_bad_input(app, make_conversation):
    ref = make_conversation()
    ids = _fill_stage(app, ref, count=2, long_one=False)
    auth = _console(app, ref)
    console = f"/conversations/{ref.id}/console"
    for page in ("-1", "x", "99999999"):
        assert auth.post(f"/conversations/{ref.id}/screen/page", {"page": page},
                         form_page=console, headers=JSON).status_code == 400
    assert auth.post(f"/conversations/{ref.id}/screen/point", {"item": "999999"},
                     form_page=console).status_code == 404
    other = make_conversation()
    other_ids = _fill_stage(app, other, count=1, long_one=False)
    assert auth.post(f"/conversations/{ref.id}/screen/point", {"item": str(other_ids[0])},
                     form_page=console).status_code == 404
    with app.app_context():
        from convo.models import Item

        _db(app).session.get(Item, ids[0]).hidden = True
        _db(app).session.commit()
    hidden = auth.post(f"/conversations/{ref.id}/screen/point", {"item": str(ids[0])},
                       form_page=console, headers=JSON)
    assert hidden.status_code == 409
    with app.app_context():
        assert _conversation(app, ref).screen_item_id is None


def test_welcome_before_the_start_and_thanks_after_the_close(app, make_conversation):
    ref = make_conversation(status="upcoming")
    auth = _console(app, ref)
    text = page_text(auth.client.get(f"/c/{ref.id}/screen"))
    assert "Welcome" in text and "Why we are meeting" in text
    assert "Riverside Big Local" in text and "join-qr" in text
    code = ref.join_code
    assert f"{code[:4]}-{code[4:]}" in text
    assert "Stage 1 of" not in text
    console = f"/conversations/{ref.id}/console"
    assert auth.post(f"/conversations/{ref.id}/start", form_page=console).status_code == 302
    assert "Why we are meeting" not in page_text(auth.client.get(f"/c/{ref.id}/screen"))
    page = page_text(auth.client.get(console))
    assert "Yes, close the conversation" in page  # a second, deliberate click
    assert auth.post(f"/conversations/{ref.id}/close", form_page=console).status_code == 302
    closed = page_text(auth.client.get(f"/c/{ref.id}/screen"))
    assert "Thank you for taking part" in closed and "What happens next" in closed
    assert f"{code[:4]}-{code[4:]}" not in closed
    # The draft summary can still be read together after the close.
    _set(app, ref, screen_mode="summary")
    assert "Draft summary" in page_text(auth.client.get(f"/c/{ref.id}/screen"))


def test_the_screen_and_the_phones_have_their_icon(app, make_conversation):
    """No 404 on every load of the shared screen (a TV browser asks for an icon each time),
    nor on a phone."""
    from tests.integration.test_participant import join

    ref = make_conversation()
    auth = _console(app, ref)
    phone = app.test_client()
    join(phone, ref)
    for html in (auth.client.get(f"/c/{ref.id}/screen").get_data(as_text=True),
                 phone.get("/p").get_data(as_text=True)):
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        assert icon
        with auth.client.get(icon.group(1)) as response:
            assert response.status_code == 200 and response.mimetype == "image/svg+xml"
            assert b"<svg" in response.data


# --- time per stage, and the questions asked --------------------------------------------------


def test_the_appendix_lists_the_questions_asked_and_time_per_stage(app, make_conversation,
                                                                   monkeypatch):
    ref = make_conversation(status="upcoming")
    auth = _console(app, ref)
    console = f"/conversations/{ref.id}/console"
    with app.app_context():
        from convo.conversations import service

        plan = service.plan_for(_conversation(app, ref))
        first, second = plan.included[0], plan.included[1]
        asked = [first.questions[0], second.questions[1]]
        never = [q for s in plan.included for q in s.questions if q not in asked]
    assert auth.post(f"/conversations/{ref.id}/start", form_page=console).status_code == 302
    for stage, question in ((first, asked[0]), (second, asked[1])):
        _move_clock(monkeypatch, 0)
        response = auth.post(f"/conversations/{ref.id}/go",
                             {"stage": stage.id, "question": question.id}, form_page=console)
        assert response.status_code == 302
    _move_clock(monkeypatch, 7 * 60)
    added = auth.post(f"/conversations/{ref.id}/questions",
                      {"text": "What would a good first month look like?",
                       "addressed_to": "both"}, form_page=console)
    assert added.status_code == 302
    assert auth.post(f"/conversations/{ref.id}/close", form_page=console).status_code == 302

    with app.app_context():
        from convo.models import AskedQuestion, ConversationStage
        from convo.summary.build import build

        rows = _db(app).session.scalars(select(AskedQuestion).where(
            AskedQuestion.conversation_id == ref.id)).all()
        assert {(r.stage_id, r.question_id) for r in rows} >= {
            (first.id, asked[0].id), (second.id, asked[1].id)}
        stage_rows = {r.stage_id: r for r in _db(app).session.scalars(select(
            ConversationStage).where(ConversationStage.conversation_id == ref.id))}
        assert stage_rows[first.id].first_started_at is not None
        assert stage_rows[first.id].last_ended_at is not None
        summary = build(_conversation(app, ref))
    assert summary.appendix_kind == "asked"
    listed = [q for stage in summary.appendix for q in stage.questions]
    assert asked[0].text in listed and asked[1].text in listed
    assert "What would a good first month look like?" in listed
    assert not any(q.text in listed for q in never)
    by_title = {stage.title: stage for stage in summary.appendix}
    assert by_title[second.title].actual_minutes == 7
    assert by_title[second.title].planned_minutes == second.minutes
    assert "What would a good first month look like?" in by_title[second.title].added

    # The documents say the same (PDF read back, and Word).
    with app.app_context():
        from convo.summary.render_docx import render_docx
        from convo.summary.render_pdf import render_pdf

        pdf = render_pdf(summary)
        docx = render_docx(summary)
    from tests.documents import docx_text, pdf_text

    for text in (pdf_text(pdf), docx_text(docx)):
        flat = " ".join(text.split())
        assert " ".join(asked[1].text.split()) in flat
        assert f"Planned {second.minutes} min, took 7 min" in flat
        assert " ".join(never[0].text.split()) not in flat
        assert "added on the day" in flat

    # Left out at the facilitator's choice.
    draft = f"/c/{ref.id}/summary"
    assert auth.post(f"{draft}/appendix", {"appendix": "none"}, form_page=draft
                     ).status_code == 302
    assert auth.post(f"{draft}/appendix", {"appendix": "maybe"}, form_page=draft
                     ).status_code == 422
    with app.app_context():
        summary = build(_conversation(app, ref))
        assert summary.appendix == ()
        assert "Appendix" not in " ".join(pdf_text(render_pdf(summary)).split())


def test_a_conversation_from_before_keeps_its_appendix_and_fingerprint(app, make_conversation):
    """No questions recorded (closed before this change): the appendix lists the plan as it
    always did, and the draft's fingerprint — what approvals hold to — is unchanged."""
    ref = make_conversation()
    with app.app_context():
        from convo.models import AskedQuestion
        from convo.summary.build import build

        _db(app).session.query(AskedQuestion).filter_by(conversation_id=ref.id).delete()
        _db(app).session.commit()
        summary = build(_conversation(app, ref))
    assert summary.appendix_kind == ""
    assert sum(len(s.questions) for s in summary.appendix) > 0
    assert all(s.actual_minutes is None and s.added == () for s in summary.appendix)


# --- the run sheet ------------------------------------------------------------------------------


def test_the_run_sheet_is_drawn_by_the_worker_and_reads_back(app, make_conversation):
    from tests.documents import pdf_pages, pdf_text
    from tests.queueing import run_jobs

    ref = make_conversation()
    with app.app_context():
        from datetime import datetime, timezone

        conversation = _conversation(app, ref)
        conversation.starts_at = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)
        conversation.ground_rules = "One voice at a time. What is said here stays here."
        _db(app).session.commit()
        from convo.conversations import service

        plan = service.plan_for(conversation)
        first, second = plan.included[0], plan.included[1]
    auth = _console(app, ref)
    page = f"/conversations/{ref.id}/run-sheet"
    assert "Make the run sheet" in page_text(auth.client.get(page))
    assert auth.client.get(f"{page}.pdf").status_code == 302  # not made yet
    assert auth.post(page, {}).status_code == 302
    waiting = page_text(auth.client.get(page))
    assert "Making the run sheet" in waiting and 'http-equiv="refresh"' in waiting
    assert auth.post(page, {}).status_code == 302  # asked twice: still one job
    assert run_jobs(app) == 1
    ready = page_text(auth.client.get(page))
    assert "Download the run sheet (PDF)" in ready
    response = auth.client.get(f"{page}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    response.close()
    assert 1 <= pdf_pages(data) <= 2
    text = " ".join(pdf_text(data).split())
    assert "Run sheet: Riverside Big Local and" in text
    assert "10:00–10:" in text  # clock times from the start time (UK time in December)
    assert first.title in text and second.title in text
    core = first.core_questions[0].text
    assert " ".join(core.split())[:40] in text
    assert "One voice at a time." in text
    code = ref.join_code
    assert f"{code[:4]}-{code[4:]}" in text and "/j/" in text
    # Nobody who asked not to be named is named on it.
    assert "Jordan" not in text and "Primary Care Network manager" in text
    # A changed plan needs a new sheet: the old file is not handed out for it.
    with app.app_context():
        _conversation(app, ref).ground_rules = "Something new."
        _db(app).session.commit()
    assert auth.client.get(f"{page}.pdf").status_code == 302
    assert "Make the run sheet" in page_text(auth.client.get(page))


def test_the_sweeper_puts_back_a_run_sheet_whose_worker_stopped(app, make_conversation):
    """The run sheet has no row: its waiting file is the record.  A worker that claimed it
    and stopped (or a queue that lost the job) left the page saying "Making the run sheet"
    for ever; the sweeper hands it to the queue again, and the sheet is made."""
    from convo.conversations import runsheet
    from convo.jobs import worker
    from tests.queueing import run_jobs

    ref = make_conversation()
    auth = _console(app, ref)
    page = f"/conversations/{ref.id}/run-sheet"
    huey = app.extensions["convo.queue"].huey
    assert auth.post(page, {}).status_code == 302
    # The worker took the job, claimed it and stopped before the file was made.
    huey.flush()
    with app.app_context():
        found = runsheet.status(_conversation(app, ref))
        marker = runsheet.folder(ref.id) / f"run-sheet-{found.fingerprint}.waiting"
        assert found.waiting and marker.is_file()
        marker.write_text("gone-host:1:dead", encoding="utf-8")
    assert run_jobs(app) == 0
    assert "Making the run sheet" in page_text(auth.client.get(page))
    with app.app_context():
        assert worker.sweep() >= 1
        _db(app).session.commit()
        assert marker.read_text(encoding="utf-8") == ""
        assert worker.sweep() == 0, "put back once, not on every sweep"
        _db(app).session.commit()
    assert run_jobs(app) == 1
    assert "Download the run sheet (PDF)" in page_text(auth.client.get(page))
    assert not marker.exists()

    # A job the queue lost (asked for, never claimed): put back once it is older than the grace.
    with app.app_context():
        _conversation(app, ref).ground_rules = "Something new."
        _db(app).session.commit()
    assert auth.post(page, {}).status_code == 302
    huey.flush()
    with app.app_context():
        found = runsheet.status(_conversation(app, ref))
        marker = runsheet.folder(ref.id) / f"run-sheet-{found.fingerprint}.waiting"
        assert marker.is_file()
        assert worker.sweep() == 0, "not yet: the queue may still hand it over"
        _db(app).session.commit()
        import os
        import time

        old = time.time() - 3600
        os.utime(marker, (old, old))
        assert worker.sweep() >= 1
        _db(app).session.commit()
    assert run_jobs(app) == 1
    assert "Download the run sheet (PDF)" in page_text(auth.client.get(page))


def test_the_join_strip_from_the_console(app, make_conversation):
    """Off by default; turned on from the console it is on every view of the shared screen (a
    reload or a second screen shows the same: it is the server's); pressing it twice, or two
    tabs at once, changes nothing more; off again; bad input refused, nothing changed."""
    ref = make_conversation()
    auth = _console(app, ref)
    strip_url = f"/conversations/{ref.id}/screen/join-strip"
    console = f"/conversations/{ref.id}/console"
    screen = f"/c/{ref.id}/screen"
    code = f"{ref.join_code[:4]}-{ref.join_code[4:]}"
    assert "screen-strip" not in auth.client.get(screen).get_data(as_text=True)
    assert 'id="screen-join-strip" aria-pressed="false"' in auth.client.get(console).get_data(
        as_text=True)
    assert auth.post(strip_url, {"strip": "on"}, form_page=console).status_code == 302
    with app.app_context():
        version = _conversation(app, ref).version
        assert _conversation(app, ref).screen_join_strip is True
    for mode in ("question", "items", "actions", "ratings", "summary"):
        with app.app_context():
            _conversation(app, ref).screen_mode = mode
            _db(app).session.commit()
        text = page_text(auth.client.get(screen))
        assert "Join on your phone:" in text and code in text and f"/j/{ref.join_code}" in text, mode
    # The join view already says how to join: no strip under it.
    with app.app_context():
        _conversation(app, ref).screen_mode = "join"
        _db(app).session.commit()
        version = _conversation(app, ref).version
    assert "screen-strip" not in auth.client.get(screen).get_data(as_text=True)
    # Again (a second tab that saw it off): nothing changes, not even the version.
    response = auth.post(strip_url, {"strip": "on"}, form_page=console, headers=JSON)
    assert response.status_code == 200 and response.get_json()["ok"]
    with app.app_context():
        assert _conversation(app, ref).version == version
    assert 'id="screen-join-strip" aria-pressed="true"' in auth.client.get(console).get_data(
        as_text=True)
    for bad in ({"strip": "toggle"}, {}):
        assert auth.post(strip_url, bad, form_page=console).status_code == 400
    with app.app_context():
        assert _conversation(app, ref).screen_join_strip is True
    assert auth.post(strip_url, {"strip": "off"}, form_page=console).status_code == 302
    with app.app_context():
        conversation = _conversation(app, ref)
        assert conversation.screen_join_strip is False and conversation.version == version + 1
        conversation.screen_mode = "question"
        _db(app).session.commit()
    assert "screen-strip" not in auth.client.get(screen).get_data(as_text=True)
