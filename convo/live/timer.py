"""Time everyone can see: the stage countdown on the shared screen, and the console's clocks.

The countdown's state lives on the conversation (running until timer_ends_at, or paused with
timer_left_seconds to go), so a reload or a second screen shows the same time.  Pages carry
"seconds left" as the server saw it when it drew them, and live.js counts on from there, so a
screen whose own clock is wrong still shows the right time.

Every change is saved against the timer_version its console was shown (two console tabs: the
second "add 5 minutes" on the same state is refused with what the timer says now, rather than
quietly adding ten), and moves the conversation's version so every screen follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_time

from convo.core import clock
from convo.live import state
from convo.models import Conversation

LONDON = ZoneInfo("Europe/London")
ACTIONS = ("start", "pause", "resume", "add", "stop")
MAX_MINUTES = 240


class StaleTimer(Exception):
    """The console was shown an older timer than the one now saved."""


@dataclass(frozen=True)
class Countdown:
    state: str  # off, running, paused
    seconds_left: int  # may be below 0 once time is up (shown as "Time's up")
    version: int
    added_minutes: int

    @property
    def shown(self) -> bool:
        return self.state != "off"

    @property
    def running(self) -> bool:
        return self.state == "running"


def countdown(conversation: Conversation) -> Countdown:
    left = 0
    if conversation.timer_state == "running" and conversation.timer_ends_at is not None:
        left = int((conversation.timer_ends_at - clock.utcnow()).total_seconds())
    elif conversation.timer_state == "paused":
        left = conversation.timer_left_seconds or 0
    return Countdown(state=conversation.timer_state or "off", seconds_left=left,
                     version=conversation.timer_version or 0,
                     added_minutes=conversation.timer_added_minutes or 0)


def default_minutes(conversation: Conversation) -> int:
    """A new countdown runs for the time the current stage has left in the plan (at least 1)."""
    row = next((s for s in conversation.stages
                if s.stage_id == conversation.current_stage_id), None)
    if row is None:
        return 5
    spent = state.stage_seconds(row) // 60
    return max(1, row.minutes - spent)


def change(conversation: Conversation, action: str, seen_version: int,
           minutes: int | None = None) -> None:
    """Start, pause, resume, add minutes to, or stop the countdown, against what was seen.

    The caller holds the conversation's lock (the view's owned() does), so the check and the
    change are one step."""
    if seen_version != (conversation.timer_version or 0):
        raise StaleTimer()
    now = clock.utcnow()
    left = countdown(conversation).seconds_left
    if action == "start":
        conversation.timer_state = "running"
        conversation.timer_ends_at = now + timedelta(
            minutes=minutes or default_minutes(conversation))
        conversation.timer_left_seconds = None
        conversation.timer_added_minutes = 0
    elif action == "pause" and conversation.timer_state == "running":
        conversation.timer_state = "paused"
        conversation.timer_left_seconds = max(0, left)
        conversation.timer_ends_at = None
    elif action == "resume" and conversation.timer_state == "paused":
        conversation.timer_state = "running"
        conversation.timer_ends_at = now + timedelta(seconds=left)
        conversation.timer_left_seconds = None
    elif action == "add" and conversation.timer_state in ("running", "paused"):
        extra = minutes or 5
        conversation.timer_added_minutes = (conversation.timer_added_minutes or 0) + extra
        if conversation.timer_state == "running":
            # Time already up counts from now: "add 5 minutes" means five more from here.
            base = max(conversation.timer_ends_at or now, now)
            conversation.timer_ends_at = base + timedelta(minutes=extra)
        else:
            conversation.timer_left_seconds = max(0, left) + extra * 60
    elif action == "stop":
        conversation.timer_state = "off"
        conversation.timer_ends_at = None
        conversation.timer_left_seconds = None
        conversation.timer_added_minutes = 0
    else:
        return  # pausing a paused timer and the like: nothing to change
    conversation.timer_version = (conversation.timer_version or 0) + 1
    state.bump(conversation)


@dataclass(frozen=True)
class Clock:
    """The console's view of the whole conversation against its plan."""

    planned_minutes: int
    started: bool
    seconds_to_planned_end: int  # below 0: over
    planned_end: str  # "11:40" (UK time), or ""
    elapsed_seconds: int


def whole(conversation: Conversation, planned_minutes: int) -> Clock:
    start: datetime | None = conversation.started_at
    now = clock.utcnow()
    if start is None:
        return Clock(planned_minutes, False, planned_minutes * 60, "", 0)
    end_moment = conversation.closed_at if conversation.is_closed and conversation.closed_at \
        else now
    planned_end = start + timedelta(minutes=planned_minutes)
    return Clock(
        planned_minutes=planned_minutes, started=True,
        seconds_to_planned_end=int((planned_end - end_moment).total_seconds()),
        planned_end=format_time(planned_end.astimezone(LONDON), "HH:mm"),
        elapsed_seconds=max(0, int((end_moment - start).total_seconds())),
    )


def tick_text(seconds: int, step: int = -1, fmt: str = "clock", text: str = "{t}",
              over_text: str = "", limit: int | None = None) -> tuple[str, bool]:
    """What a ticking clock shows when drawn (live.js shows the same, then counts on)."""
    over = seconds < 0 if step < 0 else (limit is not None and seconds > limit)
    size = abs(seconds)
    if fmt == "clock":
        shown = f"{size // 60}:{size % 60:02d}"
    else:
        shown = str(-(-size // 60) if step < 0 else size // 60)
    words = (over_text if over and over_text else text) or "{t}"
    return words.replace("{t}", shown), over
