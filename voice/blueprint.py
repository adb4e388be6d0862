"""The /voice blueprint every menu adds its routes to, and the clock each step's timing starts from."""
from __future__ import annotations

import time

from flask import Blueprint, g

bp = Blueprint("voice", __name__, url_prefix="/voice")


@bp.before_request
def _start_timer():
    g.started = time.perf_counter()
