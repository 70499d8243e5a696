"""Several people writing to one conversation at once: nothing is lost, nothing doubles."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.conftest import AuthActions

FETCH = {"X-Requested-With": "fetch", "Accept": "application/json"}
WRITERS = 6
EACH = 8


def test_simultaneous_writers_keep_every_word(app, make_conversation):
    ref = make_conversation()
    url = f"/conversations/{ref.id}"
    sessions = []
    for _ in range(WRITERS):
        auth = AuthActions(app.test_client())
        auth.sign_in_as(ref.facilitator)
        sessions.append((auth, auth.csrf(f"{url}/console")))
    barrier = threading.Barrier(WRITERS)
    failures: list[str] = []

    def write(n: int) -> None:
        auth, token = sessions[n]
        barrier.wait()
        for i in range(EACH):
            for attempt in range(2):  # every point is sent twice, as a flaky network would
                response = auth.client.post(f"{url}/items", headers=FETCH, data={
                    "text": f"writer {n} point {i}", "kind": "note", "raised_by": "both",
                    "client_id": f"w{n}-{i}", "csrf_token": token})
                if response.status_code != 200:
                    failures.append(f"{n}/{i}/{attempt}: {response.status_code}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with app.app_context():
        from convo.extensions import db
        from convo.models import Conversation, Item

        texts = set(db.session.scalars(select(Item.text).where(Item.conversation_id == ref.id)))
        count = db.session.scalar(select(func.count()).select_from(Item).where(
            Item.conversation_id == ref.id))
        version = db.session.get(Conversation, ref.id).version
    assert count == WRITERS * EACH
    assert texts == {f"writer {n} point {i}" for n in range(WRITERS) for i in range(EACH)}
    # Every stored point moved the live version on: followers saw each change.
    assert version >= WRITERS * EACH
