"""A large partnership through the real server: 50 agencies on its map (three criteria, every
score given) and 40 conversations — 20 with one council (so its history holds 20 conversations'
scores), the others spread over the map — each revealed, eight criteria scored by both sides,
with three actions each.  Then the load generator asks, one request at a time, for the map,
the council's history and the action tracker.  The map's PDF is timed in process: it is the
work the background worker does for *The map as PDF* (convo/partnerships/printing.py)."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bench.common import Settings, log, median, run_loadgen
from bench.server import HOST, Server

EMAIL = "partnership@bench.invalid"
PASSWORD = "a long bench password for the partnership test"
AGENCIES = 50
CONVERSATIONS = 40
CRITERIA = ("mutual_knowledge", "understanding", "trust", "respect", "common_language",
            "shared_goals", "roles_and_flexibility", "capacity_to_follow_through")


def build(app: Any) -> tuple[int, int]:
    """The partnership; returns (its id, the council's relationship id)."""
    from convo.auth import service as accounts
    from convo.conversations import capture, service
    from convo.extensions import db
    from convo.models import Rating
    from convo.partnerships import service as partnerships
    from convo.questions.registry import registry

    rng = random.Random(50)
    with app.app_context():
        facilitator = accounts.create_facilitator(EMAIL, "Large Partnership", PASSWORD)
        partnership = partnerships.create(facilitator, "Ashfield Big Local", "Ashfield")
        partnership.criteria = "trust,shared_goals,capacity_to_follow_through"
        relationships = []
        for n in range(AGENCIES):
            relationship = partnerships.find_or_add_relationship(
                partnership, f"Agency {n + 1:02d} of Exampleshire", "local_authority", None)
            relationship.type_now = rng.choice(["powerful_allies", "friends_acquaintances",
                                                "clients_contractors", None])
            relationship.purposes = "co_design,funding"
            relationship.partnership_holders = "The chair and the worker"
            for criterion in ("trust", "shared_goals", "capacity_to_follow_through"):
                partnerships.set_map_score(relationship, criterion, rng.randint(1, 5))
            relationships.append(relationship)
        db.session.flush()
        question_set = registry().get("local_authority")
        start = datetime(2024, 1, 10, 10, tzinfo=timezone.utc)
        for n in range(CONVERSATIONS):
            relationship = relationships[0] if n < 20 else relationships[n % AGENCIES]
            details = service.Details(
                partnership_name=partnership.name, partnership_area=partnership.area,
                agency_name=relationship.agency_name, agency_type="local_authority",
                agency_subtype=None, purpose="Build on what we agreed last time.",
                starts_at=start + timedelta(days=45 * n), place="The hub", video_link=None,
                question_set_id=question_set.id)
            conversation = service.create(facilitator, details, question_set,
                                          within=relationship)
            for name, party in (("Pat Okafor", "partnership"), ("Chris Hall", "agency")):
                service.add_participant(conversation, name=name, role="Lead", party=party,
                                        email=None, may_be_named=True)
            conversation.ratings_revealed = True
            conversation.status = "closed"
            for party in ("partnership", "agency"):
                for criterion in CRITERIA:
                    db.session.add(Rating(conversation_id=conversation.id,
                                          instrument_id="eight_criteria",
                                          criterion_id=criterion, column="now", party=party,
                                          rater="party", score=rng.randint(1, 5),
                                          entered_by="facilitator"))
            for a in range(3):
                item, _ = capture.add(conversation, client_id=f"b{n}-{a}",
                                      text=f"Action {a + 1} of conversation {n + 1}",
                                      kind="action", raised_by="both", stage_id=None,
                                      question_id=None,
                                      author=capture.Author(facilitator_id=facilitator.id))
                item.owner_name = "Pat Okafor"
                item.due_date = date(2024, 3, 1) + timedelta(days=45 * n)
        db.session.commit()
        return partnership.id, relationships[0].id


def run(settings: Settings, app: Any, server: Server) -> dict[str, Any]:
    log(f"partnership: {AGENCIES} agencies, {CONVERSATIONS} conversations")
    pid, council = build(app)
    cookie = server.sign_in(EMAIL, PASSWORD)
    requests = settings.pick(40, 8)
    pages = {"map": f"/partnerships/{pid}", "history": f"/partnerships/{pid}/relationships/"
             f"{council}", "tracker": f"/partnerships/{pid}/actions"}
    results = {}
    for name, path in pages.items():
        result = run_loadgen({"mode": "closed", "host": HOST, "port": server.port,
                              "concurrency": 1, "duration": 120, "max_requests": requests,
                              "requests": [{"path": path, "cookie": cookie}]}, timeout=240)
        if result["statuses"] != {"200": requests}:
            raise RuntimeError(f"{path} answered {result['statuses']}")
        results[name] = result
        log(f"partnership: {path}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms")
    pdf_times = []
    with app.test_request_context():
        from convo.extensions import db
        from convo.models import Partnership
        from convo.partnerships import documents

        for _ in range(settings.pick(5, 2)):
            started = time.perf_counter()
            documents.render_pdf(documents.build(db.session.get(Partnership, pid)))
            pdf_times.append(time.perf_counter() - started)
        db.session.remove()
    return {
        "partnership_map_p95_ms": results["map"]["p95_ms"],
        "partnership_map_p50_ms": results["map"]["p50_ms"],
        "partnership_history_p95_ms": results["history"]["p95_ms"],
        "partnership_history_p50_ms": results["history"]["p50_ms"],
        "partnership_tracker_p95_ms": results["tracker"]["p95_ms"],
        "partnership_map_pdf_seconds_median": median(pdf_times[1:] or pdf_times),
    }
