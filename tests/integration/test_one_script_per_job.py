"""One piece of JavaScript per job: a form that saves itself is autosave.js's, on every page
that has one; a point typed while the connection is down waits in outbox.js's queue, on the
console and on the phones alike.  (The browser tests show each working; these make sure a
second copy of either can't creep back in.)"""

from __future__ import annotations

import re
from pathlib import Path

import convo
from tests.conftest import csrf_from
from tests.integration.test_participant import join

STATIC = Path(convo.__file__).parent / "static"


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="/static/([a-z_]+\.js)[^"]*"', html)


def sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(STATIC.glob("*.js"))}


def test_only_outbox_js_keeps_and_resends_points():
    found = sources()
    # Retrying a queued point, and the queue's own stored list, live in one file.
    assert [name for name, text in found.items() if "setTimeout(flush" in text] == ["outbox.js"]
    assert [name for name, text in found.items()
            if re.search(r"""["':]queue\b""", text)] == ["console.js", "outbox.js",
                                                      "participant.js"]
    # …where the console and the phones only name their queue and hand it to outbox.js.
    for name in ("console.js", "participant.js"):
        text = found[name]
        assert "ConvoOutbox.create(" in text, name
        assert "client_id !==" not in text and "JSON.stringify(queue" not in text, name


def test_only_autosave_js_saves_forms_as_they_change():
    found = sources()
    assert not any("data-autosave" in text for text in found.values())
    savers = [name for name, text in found.items()
              if re.search(r"hasAttribute\(\"data-save\"\)\s*\?\s*form", text)]
    assert savers == ["autosave.js"]
    assert [name for name, text in found.items() if "seen-" in text] == ["autosave.js"]


def test_the_console_and_the_phone_load_the_shared_scripts(app, client, auth, make_conversation):
    ref = make_conversation()
    auth.sign_in_as(ref.facilitator)
    console = client.get(f"/conversations/{ref.id}/console").get_data(as_text=True)
    assert csrf_from(console)
    on_console = scripts(console)
    assert on_console.index("outbox.js") < on_console.index("console.js")
    assert "autosave.js" in on_console

    phone = app.test_client()
    join(phone, ref)
    on_phone = scripts(phone.get("/p").get_data(as_text=True))
    assert on_phone.index("outbox.js") < on_phone.index("participant.js")
    assert "autosave.js" in on_phone
