"""A facilitator with 10,000 conversations: their list and a search, through the real server.

The conversations go in with one bulk INSERT through SQLAlchemy core, all sharing one question
set snapshot (as conversations prepared from the same set do).  Then the load generator asks,
one request at a time, GET /conversations, GET /conversations?q=<a word in 1 in 50 names>
and GET /conversations?q=<a word in none>.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.common import Settings, log, run_loadgen
from bench.server import HOST, Server

COUNT = 10_000
EMAIL = "many@bench.invalid"
PASSWORD = "a long bench password for the list test"
PLACES = ["Ashfield", "Beckton", "Claymoor", "Dunmore", "Eastbrook", "Fairwater", "Glenholm",
          "Hartside", "Ironbridge", "Juniper Hill", "Kingsmead", "Larkrise", "Marshgate",
          "Northcote", "Oakridge", "Pennington", "Queensway", "Rookwood", "Stonebridge",
          "Thornbury", "Upperton", "Valewood", "Westfield", "Yarrowby", "Zennor"]
AGENCIES = ["Borough Council", "Housing Association", "Primary Care Network", "Academy Trust",
            "Further Education College", "Integrated Care Board"]


def insert_conversations(app: Any, count: int = COUNT) -> int:
    """The facilitator and their conversations; returns the facilitator's id."""
    from sqlalchemy import insert

    from convo.auth import service as accounts
    from convo.conversations import service
    from convo.extensions import db
    from convo.models import Conversation
    from convo.questions.registry import registry

    rng = random.Random(10_000)
    with app.app_context():
        facilitator = accounts.create_facilitator(EMAIL, "Many Conversations", PASSWORD)
        question_set = registry().get("health")
        snapshot = service.snapshot_for(question_set)
        db.session.flush()
        now = datetime.now(timezone.utc)
        from convo.partnerships import service as partnerships

        homes: dict[str, int] = {}
        rows = []
        for n in range(count):
            place = PLACES[n % len(PLACES)] + ("" if n % 2 else " Vale")
            starts = now + timedelta(days=rng.randint(-700, 120), hours=rng.randint(9, 18))
            status = "closed" if starts < now else "upcoming"
            name = f"{place} Big Local"
            if name not in homes:  # every conversation belongs to a partnership
                homes[name] = partnerships.create(facilitator, name, None).id
            rows.append({
                "facilitator_id": facilitator.id, "partnership_id": homes[name],
                "partnership_name": f"{place} Big Local",
                "partnership_area": f"{place}, Exampleshire",
                "agency_name": f"{PLACES[(n * 7) % len(PLACES)]} {AGENCIES[n % len(AGENCIES)]}",
                "agency_type": question_set.agency_type, "agency_subtype": None,
                "purpose": "Get to know each other and agree a first small action together.",
                "starts_at": starts if n % 10 else None,
                "place": f"{place} Community Centre",
                "question_set_id": question_set.id,
                "question_set_version": question_set.version, "snapshot_id": snapshot.id,
                "locale": "en_GB", "status": status, "join_code": f"B{n:07d}",
                "current_stage_id": question_set.stages[0].id, "screen_mode": "question",
                "ratings_revealed": False, "version": 1, "created_at": now, "updated_at": now,
            })
        db.session.execute(insert(Conversation), rows)
        db.session.commit()
        return facilitator.id


def run(settings: Settings, app: Any, server: Server) -> dict[str, Any]:
    log(f"listing: inserting {COUNT} conversations for one facilitator")
    insert_conversations(app)
    cookie = server.sign_in(EMAIL, PASSWORD)
    requests = settings.pick(100, 15)
    # One word that 1 in 50 conversations have in their names ("Rookwood Vale" -> 200 rows),
    # and one that none has (every row is looked at, nothing is shown).
    queries = {"list": "/conversations", "search": "/conversations?q=rookwood+vale",
               "search_none": "/conversations?q=nowhere+at+all"}
    results = {}
    for name, path in queries.items():
        result = run_loadgen({"mode": "closed", "host": HOST, "port": server.port,
                              "concurrency": 1, "duration": 60, "max_requests": requests,
                              "requests": [{"path": path, "cookie": cookie}]}, timeout=120)
        if result["statuses"] != {"200": requests}:
            raise RuntimeError(f"{path} answered {result['statuses']}")
        results[name] = result
        log(f"listing: {path}: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms")
    return {
        "list_p95_ms_10k": max(r["p95_ms"] for r in results.values()),
        "list_only_p95_ms": results["list"]["p95_ms"],
        "list_search_p95_ms": results["search"]["p95_ms"],
        "list_search_none_p95_ms": results["search_none"]["p95_ms"],
        "list_p50_ms": results["list"]["p50_ms"],
        "list_requests_each": requests,
    }
