"""Per-user / per-client rate limits with the ``limits`` library: 429 + Retry-After.

Memory storage by default (one process); with NIKDESK_REDIS_URL all workers share one Redis
storage. Use as a route dependency (per signed-in user)::

    @router.post("/chat", dependencies=[Depends(rate_limit("chat"))])
    def chat(body: ChatIn, user: VerifiedUser) -> ...

or, for anonymous routes, ``hit_for(request, "login", email)`` (per client IP + email).

Kinds and their settings: chat -> RATE_LIMIT_CHAT, upload -> RATE_LIMIT_UPLOAD,
login -> RATE_LIMIT_LOGIN, mail -> RATE_LIMIT_MAIL (keys: user id when signed in, else client
IP; login/mail add the submitted email).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from nikdesk.server.auth.deps import Claims
from nikdesk.server.config import ServerSettings
from nikdesk.server.errors import ApiError

KINDS = {
    "chat": "rate_limit_chat",
    "upload": "rate_limit_upload",
    "login": "rate_limit_login",
    "mail": "rate_limit_mail",
}


class RateLimits:
    """The process's limiter: storage + one parsed limit per kind."""

    def __init__(self, settings: ServerSettings) -> None:
        storage = storage_from_string(settings.redis_url) if settings.redis_url else MemoryStorage()
        assert isinstance(storage, Storage)  # the synchronous kind
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.items: dict[str, RateLimitItem] = {
            kind: parse(getattr(settings, attr)) for kind, attr in KINDS.items()
        }
        self.trusted_proxies = settings.trusted_proxy_count

    def hit(self, kind: str, key: str) -> None:
        """Count one request of ``kind`` for ``key``; raise 429 with Retry-After when over."""
        item = self.items[kind]
        if self.limiter.hit(item, kind, key):
            return
        reset = self.limiter.get_window_stats(item, kind, key).reset_time
        retry = max(1, math.ceil(reset - time.time()))
        raise ApiError(
            429,
            "RATE_LIMITED",
            f"Zu viele Anfragen. Bitte in {retry} Sekunden erneut versuchen.",
            headers={"Retry-After": str(retry)},
        )

    def healthy(self) -> bool:
        """Tell whether the storage answers (Redis reachable)."""
        try:
            return bool(self.storage.check())
        except Exception:
            return False


def client_ip(request: Request, trusted_proxies: int = 0) -> str:
    """Return the client's IP (from X-Forwarded-For when behind ``trusted_proxies`` proxies)."""
    if trusted_proxies:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return request.client.host if request.client else "unknown"


def rate_limit(kind: str) -> Callable[..., None]:
    """Return a dependency limiting ``kind`` per signed-in user (no token: 401).

    The bearer token is decoded once per request (FastAPI caches ``access_claims``), so the
    dependency can sit in ``dependencies=[...]`` next to ``VerifiedUser`` in any order.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown rate-limit kind {kind!r}; known: {sorted(KINDS)}")

    def dependency(request: Request, claims: Claims) -> None:
        limits: RateLimits = request.app.state.rate_limits
        limits.hit(kind, f"u:{claims.user_id}")

    dependency.__name__ = f"rate_limit_{kind}"
    return dependency


def hit_for(request: Request, kind: str, *parts: str) -> None:
    """Count one request of ``kind`` for the client IP plus ``parts`` (e.g. the email)."""
    limits: RateLimits = request.app.state.rate_limits
    ip = client_ip(request, limits.trusted_proxies)
    limits.hit(kind, ":".join([ip, *(p.lower() for p in parts)]))
