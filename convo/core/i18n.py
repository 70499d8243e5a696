"""Language and time zone: chosen by user setting, then session, then browser, then en_GB."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_time
from flask_login import current_user
from markupsafe import Markup, escape

from convo.core import languages


def supported_locales() -> list[str]:
    """The languages facilitators' pages are offered in."""
    return [lang.code for lang in languages.for_facilitators()]


# Participants' pages (on_participant_path) follow the language the participant chose on their
# phone (PARTICIPANT_LOCALE in their session), whatever the facilitator or the conversation
# uses.
PARTICIPANT_LOCALE = "participant_locale"


def on_participant_path(path: str) -> bool:
    """Pages for people without an account: a conversation's phones (/join, /j/, /p), a
    mapping session's phones (/m/) and an action's reminder page (/r/)."""
    return path in ("/p", "/join") or path.startswith(("/p/", "/j/", "/m/", "/r/"))


def on_participant_page() -> bool:
    return on_participant_path(request.path)


def participant_locales() -> list[str]:
    return [lang.code for lang in languages.for_participants()]


def select_locale() -> str:
    if not has_request_context():  # commands and background work: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if on_participant_page():
        offered = participant_locales()
        if session.get(PARTICIPANT_LOCALE) in offered:
            return session[PARTICIPANT_LOCALE]
        return _best_for_browser(offered)
    supported = supported_locales()
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if session.get("locale") in supported:
        return session["locale"]
    return _best_for_browser(supported)


def _best_for_browser(offered: list[str]) -> str:
    # Browsers send en-GB; the catalogues are named en_GB.
    by_tag = {code.replace("_", "-"): code for code in offered}
    best = request.accept_languages.best_match(list(by_tag))
    if best:
        return by_tag[best]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def reader_locale() -> str:
    """The language the current page is read in (a participant's own choice on /p pages)."""
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def init_app(app: Flask) -> None:
    """Date filters for templates; each formats in the reader's locale and time zone."""

    def long_date(value: datetime | None) -> str:
        return format_date(value, "EEEE d MMMM y") if value else ""

    def short_datetime(value: datetime | None) -> str:
        return format_datetime(value, "d MMM y, HH:mm") if value else ""

    def time_only(value: datetime | None) -> str:
        return format_time(value, "HH:mm") if value else ""

    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["short_datetime"] = short_datetime
    app.jinja_env.filters["time_only"] = time_only
    app.jinja_env.filters["bdi"] = isolate
    app.jinja_env.filters["isolated"] = isolated
    init_templates(app)


def isolate(value: object) -> Markup:
    """Someone's words set inside other words (a name in a sentence, a point beside a button):
    in <bdi>, so their direction — right to left, or turned by a direction override typed
    into them — can never reach past them."""
    return Markup("<bdi>") + escape("" if value is None else value) + Markup("</bdi>")


_DIRECTIONAL = frozenset({"R", "AL", "RLE", "RLO", "LRE", "LRO", "RLI", "LRI", "FSI", "PDF",
                          "PDI"})


def isolated(value: object) -> str:
    """The same for plain text (a page title, an email): between Unicode's first-strong
    isolate and pop-directional-isolate characters — when the text has anything that could
    turn the words around it (right-to-left letters, direction controls); otherwise as it is."""
    text = "" if value is None else str(value)
    if any(unicodedata.bidirectional(ch) in _DIRECTIONAL for ch in text):
        return "\u2068" + text + "\u2069"
    return text


def init_templates(app: Flask) -> None:
    """Template helpers: the page's language tag and the app version."""
    from flask_babel import get_locale

    from convo.version import __version__

    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def language_context() -> dict[str, object]:
        def current_locale_tag() -> str:
            locale = get_locale()
            return str(locale).replace("_", "-") if locale else "en-GB"

        def current_direction() -> str:
            locale = get_locale()
            return languages.language(str(locale) if locale else None).direction

        def language_switch() -> dict[str, object] | None:
            """On participants' pages: the languages they may choose, and where to come
            back to (the page itself; after a form was sent, their main page)."""
            if not has_request_context() or not on_participant_page():
                return None
            back = request.full_path.rstrip("?") if request.method == "GET" else "/p"
            return {"languages": languages.for_participants(), "current": reader_locale(),
                    "next": back}

        return {"current_locale_tag": current_locale_tag, "current_direction": current_direction,
                "language_switch": language_switch, "convo_version": __version__}
