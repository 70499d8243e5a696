"""The answer to "has the conversation moved past version N?" shared by every live view."""

from __future__ import annotations

from typing import Callable

from flask import Response, make_response, request


def since() -> int:
    raw = request.args.get("v", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else -1


def live_response(version: int, render: Callable[[], str]) -> Response:
    """204 when the caller already has this version, else the rendered view; never cached."""
    if since() == version:
        response = make_response("", 204)
    else:
        response = make_response(render(), 200)
        response.mimetype = "text/html"
    response.headers["X-Convo-Version"] = str(version)
    response.headers["Cache-Control"] = "no-store"
    return response
