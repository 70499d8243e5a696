"""Live conversations on one small server: throughput of the follow endpoint against a trivial
endpoint, how many conversations (six devices each) it holds, and saving a point meanwhile.

Who follows a live conversation (six devices): the shared screen, standing on the question
(GET /c/<id>/screen/view?v=N, the facilitator's session), the facilitator's console
(GET /conversations/<id>/console/view?v=N) and four participants' phones (GET /p/view?v=N, each
with its own device in its session), each at its page's own interval as written in
convo/static (screen and console 1000 ms, phones 1500 ms).  The facilitator saves a point
(POST /conversations/<id>/items, as console.js does) every few seconds in each conversation.

Phones join through the app's own code: the first one through the real join page, the rest
with convo.live.devices.issue() and the app's own session serializer, which is what the join
page does (devices.issue, then devices.remember) without two HTTP round trips per phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bench.common import (ROOT, Settings, busy_cpu_seconds, cpu_pressure_total, log, median,
                          run_loadgen)
from bench.server import HOST, Server, csrf_from, session_cookie

FACILITATOR_EMAIL = "live@bench.invalid"
PASSWORD = "a long bench password for the live test"
PHONES = 4


def intervals() -> dict[str, float]:
    """Each page's follow interval, read from its script (seconds)."""
    found = {}
    for page, script in (("screen", "screen.js"), ("console", "console.js"),
                         ("phone", "participant.js")):
        text = (ROOT / "convo" / "static" / script).read_text()
        match = re.search(r"interval:\s*(\d+)", text)
        found[page] = int(match.group(1)) / 1000 if match else 1.0
    return found


@dataclass
class LiveConversation:
    id: int
    version: int
    phone_cookies: list[str]
    phone_version: int = 1  # what phones follow (Conversation.phone_version)


class Fixture:
    """The bench's facilitator and live conversations, made in the server's own database."""

    def __init__(self, app: Any, server: Server) -> None:
        self.app = app
        self.server = server
        self.conversations: list[LiveConversation] = []
        with app.app_context():
            from convo.auth import service as accounts
            from convo.extensions import db

            self.facilitator_id = accounts.create_facilitator(
                FACILITATOR_EMAIL, "Bench Facilitator", PASSWORD).id
            db.session.commit()
        self.cookie = server.sign_in(FACILITATOR_EMAIL, PASSWORD)
        self.csrf = ""
        self.serializer = app.session_interface.get_signing_serializer(app)

    def ensure(self, count: int) -> list[LiveConversation]:
        """At least `count` live conversations with their phones joined; returns the first
        `count`, each with its current version."""
        missing = count - len(self.conversations)
        if missing > 0:
            self._add(missing)
        chosen = self.conversations[:count]
        with self.app.app_context():
            from sqlalchemy import select

            from convo.extensions import db
            from convo.models import Conversation

            versions = {row.id: row for row in db.session.execute(
                select(Conversation.id, Conversation.version, Conversation.phone_version)
                .where(Conversation.id.in_([c.id for c in chosen])))}
            db.session.remove()
        for conversation in chosen:
            conversation.version = versions[conversation.id].version
            conversation.phone_version = versions[conversation.id].phone_version
        return chosen

    def _add(self, count: int) -> None:
        from convo.conversations import service
        from convo.extensions import db
        from convo.live import devices
        from convo.models import Facilitator
        from convo.questions.registry import registry

        with self.app.app_context():
            facilitator = db.session.get(Facilitator, self.facilitator_id)
            question_set = registry().get("health")
            made = []
            for n in range(count):
                number = len(self.conversations) + n + 1
                conversation = service.create(facilitator, service.Details(
                    partnership_name=f"Bench Big Local {number}", partnership_area=None,
                    agency_name=f"Bench Primary Care Network {number}",
                    agency_type=question_set.agency_type, agency_subtype=None,
                    purpose="Start a conversation about health.", starts_at=None,
                    place="The community hub", video_link=None, question_set_id="health"),
                    question_set)
                people = [service.add_participant(
                    conversation, name=f"Person {k}", role="Member",
                    party="partnership" if k < 2 else "agency", email=None, may_be_named=True)
                    for k in range(PHONES)]
                service.start(conversation)
                made.append((conversation, people))
            db.session.flush()
            tokens = {}
            for conversation, people in made:
                tokens[conversation.id] = [devices.issue(conversation, p)[1] for p in people]
            db.session.commit()
            for conversation, _people in made:
                self.conversations.append(LiveConversation(
                    conversation.id, conversation.version,
                    [self.phone_cookie(raw) for raw in tokens[conversation.id]]))
            codes = {c.id: c.join_code for c, _ in made}
            db.session.remove()
        if not self.csrf:
            first = self.conversations[0]
            self.csrf, self.cookie = self.server.csrf_token(
                f"/conversations/{first.id}/console", self.cookie)
            self._check_join(first, codes[first.id])

    def phone_cookie(self, raw: str) -> str:
        """The session cookie a phone holds after joining (devices.remember's session)."""
        return "convo_session=" + self.serializer.dumps({"device": raw, "_permanent": True})

    def _check_join(self, conversation: LiveConversation, code: str) -> None:
        """Join one phone through the real page, and check both kinds of phone are followed.
        The first person's bench-made device leaves first, as a phone whose person moves to
        another would: otherwise the real join would wait for the facilitator's OK."""
        with self.app.app_context():
            from convo.extensions import db
            from convo.live import devices

            first = devices.lookup(self.serializer.loads(
                conversation.phone_cookies[0].split("=", 1)[1])["device"])
            assert first is not None
            devices.revoke(first)
            db.session.commit()
            db.session.remove()
        status, headers, page = self.server.request("GET", f"/j/{code}")
        cookie = session_cookie(headers)
        participant = re.search(r'name="participant_id"[^>]*value="(\d+)"', page) or re.search(
            r'value="(\d+)"[^>]*name="participant_id"', page)
        if status != 200 or participant is None:
            raise RuntimeError(f"join page answered {status} without a participant to choose")
        status, headers, _ = self.server.request("POST", f"/j/{code}", cookie, {
            "participant_id": participant.group(1), "csrf_token": csrf_from(page)})
        joined = session_cookie(headers) or cookie
        if status != 302:
            raise RuntimeError(f"joining answered {status}")
        for cookie in (joined, conversation.phone_cookies[1]):
            status, _headers, _ = self.server.request("GET", "/p/view?v=0", cookie)
            if status != 200:
                raise RuntimeError(f"a joined phone's /p/view answered {status}")
        # The real join replaced that participant's first device: follow with it instead.
        conversation.phone_cookies[0] = joined

    def devices(self, conversation: LiveConversation, every: dict[str, float]
                ) -> list[dict[str, Any]]:
        cid = conversation.id
        # The shared screen stands on the question, as it does for most of a conversation:
        # it shows no points then, so it follows the phones' version
        # (convo.live.state.screen_version); it follows every point only while it shows the
        # lists, the actions or the summary.
        found = [
            {"url": f"/c/{cid}/screen/view", "cookie": self.cookie, "interval": every["screen"],
             "version": conversation.phone_version, "shows_points": False},
            {"url": f"/conversations/{cid}/console/view", "cookie": self.cookie,
             "interval": every["console"]},
        ]
        # A phone's live view shows no points: it follows the phones' version, which the
        # facilitator's points don't move (convo.live.state.bump).
        found += [{"url": "/p/view", "cookie": cookie, "interval": every["phone"],
                   "version": conversation.phone_version, "shows_points": False}
                  for cookie in conversation.phone_cookies]
        return found


# --- throughput: the follow endpoint against /healthz -------------------------------------


def throughput(settings: Settings, server: Server, fixture: Fixture) -> dict[str, Any]:
    conversations = fixture.ensure(20)
    # What a follower asks when nothing has changed (the steady state): screens and phones,
    # one screen to four phones as in a conversation.
    follow = []
    for conversation in conversations:
        follow.append({"path": f"/c/{conversation.id}/screen/view"
                               f"?v={conversation.phone_version}", "cookie": fixture.cookie})
        follow += [{"path": f"/p/view?v={conversation.phone_version}", "cookie": cookie}
                   for cookie in conversation.phone_cookies]
    trivial = [{"path": "/healthz"}]
    rounds = settings.pick(3, 1)
    seconds = settings.pick(4.0, 1.5)
    base = {"mode": "closed", "host": HOST, "port": server.port, "concurrency": 8,
            "duration": seconds, "max_requests": 200_000}
    run_loadgen({**base, "requests": follow, "duration": 1.0}, timeout=60)  # warm every worker
    results: dict[str, list[dict[str, Any]]] = {"trivial": [], "follow": []}
    for _ in range(rounds):
        for name, requests in (("trivial", trivial), ("follow", follow)):
            cpu0, busy0 = server.cpu_seconds(), busy_cpu_seconds()
            result = run_loadgen({**base, "requests": requests}, timeout=seconds + 60)
            result["server_cpu"] = (server.cpu_seconds() - cpu0) / result["seconds"]
            result["other_cpu"] = max(0.0, (busy_cpu_seconds() - busy0) / result["seconds"]
                                      - result["server_cpu"] - result["loadgen_cpu"])
            bad = {k: v for k, v in result["statuses"].items() if k not in ("200", "204")}
            if bad or result["errors"]:
                raise RuntimeError(f"{name} answered {bad} with {result['errors']} errors")
            results[name].append(result)
    trivial_rps = median([r["rps"] for r in results["trivial"]])
    follow_rps = median([r["rps"] for r in results["follow"]])
    return {
        "live_throughput_ratio": follow_rps / trivial_rps,
        # The same comparison by the server's CPU per request, which another program taking
        # the CPU does not skew: trivial ÷ follow.
        "live_throughput_ratio_cpu": (
            median([r["server_cpu"] / r["rps"] for r in results["trivial"]])
            / median([r["server_cpu"] / r["rps"] for r in results["follow"]])),
        "live_rps": follow_rps,
        "trivial_rps": trivial_rps,
        "live_follow_p95_ms_closed": median([r["p95_ms"] for r in results["follow"]]),
        "throughput_server_cpu_cores": median([r["server_cpu"] for r in results["follow"]]),
        "throughput_loadgen_cpu_cores": median([r["loadgen_cpu"] for r in results["follow"]]),
        "throughput_other_cpu_cores": median([r["other_cpu"] for r in results["follow"]
                                              + results["trivial"]]),
        "live_server_us_per_request": median([r["server_cpu"] / r["rps"] * 1e6
                                              for r in results["follow"]]),
        "trivial_server_us_per_request": median([r["server_cpu"] / r["rps"] * 1e6
                                                 for r in results["trivial"]]),
        "throughput_rounds": rounds,
        "throughput_seconds_each": seconds,
    }


# --- how many live conversations ------------------------------------------------------------


P95_LIMIT_MS = 250.0
VISIBLE_LIMIT_S = 2.0


def live_level(settings: Settings, server: Server, fixture: Fixture, count: int
               ) -> dict[str, Any]:
    every = intervals()
    conversations = fixture.ensure(count)
    spec = {
        "mode": "live", "host": HOST, "port": server.port,
        "duration": settings.pick(25.0, 5.0), "change_every": settings.pick(15.0, 2.0),
        "settle": settings.pick(3.5, 2.5), "timeout": 10.0, "max_requests": 1_000_000,
        "conversations": [{
            "version": c.version, "devices": fixture.devices(c, every),
            "capture_url": f"/conversations/{c.id}/items", "cookie": fixture.cookie,
            "csrf": fixture.csrf,
        } for c in conversations],
    }
    cpu0, pressure0, busy0 = server.cpu_seconds(), cpu_pressure_total(), busy_cpu_seconds()
    result = run_loadgen(spec, timeout=spec["duration"] + 120)
    result["server_cpu"] = (server.cpu_seconds() - cpu0) / result["seconds"]
    # Everything else the machine did meanwhile (not the server, not the load generator).
    result["other_cpu"] = max(0.0, (busy_cpu_seconds() - busy0) / result["seconds"]
                              - result["server_cpu"] - result["loadgen_cpu"])
    pressure1 = cpu_pressure_total()
    # Share of the time some task waited for a CPU: the machine was saturated (by this load,
    # or by anything else running beside it).
    result["cpu_pressure"] = ((pressure1 - pressure0) / result["seconds"]
                              if pressure0 is not None and pressure1 is not None else -1.0)
    bad = {k: v for k, v in result["poll_statuses"].items() if k not in ("200", "204")}
    bad_captures = {k: v for k, v in result["capture_statuses"].items() if k != "200"}
    result["conversations"] = count
    result["devices"] = sum(len(c["devices"]) for c in spec["conversations"])
    result["passed"] = bool(
        result["poll_p95_ms"] < P95_LIMIT_MS and result["missed"] == 0
        and result["visible_max_s"] <= VISIBLE_LIMIT_S and not bad and not bad_captures
        and result["poll_errors"] == 0 and result["capture_errors"] == 0
        and result["changes"] > 0)
    log(f"live: {count:4d} conversations, {result['poll_rps']:6.0f} polls/s, p95 "
        f"{result['poll_p95_ms']:6.1f} ms, seen within {result['visible_max_s']:.2f} s "
        f"(missed {result['missed']}), capture p95 {result['capture_p95_ms']:6.1f} ms, "
        f"server {result['server_cpu']:.2f} + loadgen {result['loadgen_cpu']:.2f} cores, "
        f"others {result['other_cpu']:.2f} cores, CPU pressure {result['cpu_pressure']:.0%} "
        f"-> {'pass' if result['passed'] else 'FAIL'}")
    return result


def max_conversations(settings: Settings, server: Server, fixture: Fixture) -> dict[str, Any]:
    """Step up until a level fails, then halve the step between the last pass and the fail."""
    goal = 300
    runs: dict[int, dict[str, Any]] = {}
    if settings.quick:
        for count in (8,):
            runs[count] = live_level(settings, server, fixture, count)
        capture_at = 8
    else:
        step, count, best, worst = 100, 100, 0, None
        while count <= 1000:
            runs[count] = live_level(settings, server, fixture, count)
            if not runs[count]["passed"]:
                worst = count
                break
            best = count
            count += step
        if worst is not None:
            step = (worst - best) // 2
            while step >= 25:
                count = best + step
                runs[count] = live_level(settings, server, fixture, count)
                if runs[count]["passed"]:
                    best = count
                else:
                    worst = count
                step = (worst - best) // 2
        if goal not in runs:
            runs[goal] = live_level(settings, server, fixture, goal)
        capture_at = goal
    passed = [n for n, r in runs.items() if r["passed"]]
    at = runs[capture_at]
    return {
        "live_max_conversations": max(passed, default=0),
        "capture_p95_ms": at["capture_p95_ms"],
        "capture_measured_at_conversations": capture_at,
        "capture_count": at["captures"],
        "live_levels": {str(n): {k: r[k] for k in (
            "devices", "poll_rps", "poll_p50_ms", "poll_p95_ms", "poll_max_ms", "polls",
            "poll_statuses", "captures", "capture_p50_ms", "capture_p95_ms", "changes",
            "sightings", "missed", "visible_p95_s", "visible_max_s", "server_cpu",
            "loadgen_cpu", "other_cpu", "cpu_pressure", "connect_p95_ms", "poll_p95_ms_by_kind",
            "loadgen_lag_p95_ms", "loadgen_lag_max_ms", "passed")} for n, r in sorted(runs.items())},
        "live_intervals_s": intervals(),
    }


def capacity(results: dict[str, Any]) -> dict[str, Any]:
    """A capacity figure that travels between machines: the polls a second served within the
    latency goal at the highest passing level, ÷ /healthz requests a second in the same run
    (the absolute number of conversations says as much about the machine as about convo)."""
    levels = results["live_levels"]
    passed = [n for n, level in levels.items() if level["passed"]]
    best = max(passed, key=int, default=None)
    polls = levels[best]["poll_rps"] if best is not None else 0.0
    return {"live_capacity_ratio": polls / results["trivial_rps"],
            "live_capacity_polls_per_second": polls}


def run(settings: Settings, app: Any, server: Server) -> dict[str, Any]:
    fixture = Fixture(app, server)
    log("live: throughput of the follow endpoint against /healthz")
    results = throughput(settings, server, fixture)
    log(f"live: {results['live_rps']:.0f} follow/s vs {results['trivial_rps']:.0f} healthz/s")
    results.update(max_conversations(settings, server, fixture))
    results.update(capacity(results))
    log(f"live: capacity {results['live_capacity_polls_per_second']:.0f} polls/s within the "
        f"goal, {results['live_capacity_ratio']:.3f} of /healthz")
    return results

