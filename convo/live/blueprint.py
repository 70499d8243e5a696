"""The live blueprint: the shared screen and participants' own devices.

Routes live in screen.py and participant.py; importing them here attaches them to `bp`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("live", __name__)

from convo.live import participant, screen  # noqa: E402,F401  (routes attach to bp)
