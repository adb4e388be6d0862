"""Who sent a request: a browser on this machine, or which address (trusting only the local proxy)."""
from __future__ import annotations

LOOPBACK = {"127.0.0.1", "::1"}
FORWARDED = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def on_this_machine(request) -> bool:
    """From loopback and through no proxy: a proxy on the same host would otherwise look local to us."""
    return request.remote_addr in LOOPBACK and not any(h in request.headers for h in FORWARDED)


def client_address(request) -> str:
    """Who is knocking. Behind the local TLS proxy (docs/operations.md) every request comes from
    127.0.0.1, so only then is X-Forwarded-For trusted, and only its last entry: the one the proxy added."""
    peer = request.remote_addr or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in LOOPBACK and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return peer
