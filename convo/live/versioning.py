"""The answer to "has the conversation moved past version N?" shared by every live view."""

from __future__ import annotations

from typing import Callable

from flask import Response, make_response, request


def since() -> int:
    raw = request.args.get("v", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else -1


def unchanged(version: int) -> Response | None:
    """The 204 answer when the caller already has this version, else None.

    Followers ask every second and nearly always get this answer, so the views check the
    version with one small query before loading anything else."""
    if since() != version:
        return None
    return _headed(make_response("", 204), version)


def live_response(version: int, render: Callable[[], str]) -> Response:
    """204 when the caller already has this version, else the rendered view; never cached."""
    response = unchanged(version)
    if response is not None:
        return response
    response = make_response(render(), 200)
    response.mimetype = "text/html"
    return _headed(response, version)


def _headed(response: Response, version: int) -> Response:
    response.headers["X-Convo-Version"] = str(version)
    response.headers["Cache-Control"] = "no-store"
    return response
