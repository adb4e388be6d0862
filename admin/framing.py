"""No page of ours inside another site's frame: a hidden frame could have an official click "publish"."""
from __future__ import annotations

NO_FRAMES = "frame-ancestors 'none'"


def forbid(response):
    """Every HTML response (the admin, the simulator, error pages); TwiML and audio need no such header."""
    if response.mimetype == "text/html":
        policy = response.headers.get("Content-Security-Policy", "")
        if "frame-ancestors" not in policy:
            response.headers["Content-Security-Policy"] = f"{policy}; {NO_FRAMES}" if policy else NO_FRAMES
        response.headers["X-Frame-Options"] = "DENY"    # for browsers older than CSP level 2
    return response
