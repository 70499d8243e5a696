"""The session cookie's signing serializer is made once per set of keys (convo.core.security)."""

from __future__ import annotations

from flask import Flask, session

from convo.core.security import SessionCookies


def _app(key: str, fallbacks: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    app.secret_key = key
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []
    app.session_interface = SessionCookies()

    @app.get("/set")
    def set_() -> str:
        session["who"] = "Ayesha ‮ ☕"
        return "set"

    @app.get("/get")
    def get() -> str:
        return session.get("who", "nobody")

    return app


def test_one_serializer_per_set_of_keys() -> None:
    app = _app("first key " * 4)
    cookies = app.session_interface
    made = cookies.get_signing_serializer(app)
    assert made is not None and cookies.get_signing_serializer(app) is made
    app.secret_key = "second key " * 4
    again = cookies.get_signing_serializer(app)
    assert again is not made and cookies.get_signing_serializer(app) is again
    app.config["SECRET_KEY_FALLBACKS"] = ["first key " * 4]
    assert cookies.get_signing_serializer(app) not in (made, again)
    app.secret_key = None
    assert cookies.get_signing_serializer(app) is None


def test_a_cookie_is_read_back_and_a_changed_key_is_used_at_once() -> None:
    app = _app("first key " * 4)
    client = app.test_client()
    client.get("/set")
    assert client.get("/get").get_data(as_text=True) == "Ayesha ‮ ☕"
    app.secret_key = "second key " * 4  # the old cookie no longer passes
    assert client.get("/get").get_data(as_text=True) == "nobody"
    client.get("/set")
    app.secret_key = "third key " * 4
    app.config["SECRET_KEY_FALLBACKS"] = ["second key " * 4]  # ... unless kept as a fallback
    assert client.get("/get").get_data(as_text=True) == "Ayesha ‮ ☕"
