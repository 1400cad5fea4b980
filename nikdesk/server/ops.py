"""Operations: request-id + access-log + metrics middleware, /health, /health/ready, /metrics."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text

from nikdesk.server import logs

log = logging.getLogger("nikdesk.server.access")
router = APIRouter(tags=["ops"])

REQUESTS = Counter("nikdesk_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "nikdesk_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30),
)
_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CLOUD_KEYS = {"openai": "OPENAI_API_KEY", "cohere": "COHERE_API_KEY"}


class RequestContext:
    """Pure ASGI middleware: request id (X-Request-ID in/out), JSON access log, Prometheus."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _RID.match(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        scope["nikdesk.request_id"] = rid  # for the 500 handler, which runs outside this
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            state = scope.get("state") or {}
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],  # never the query string
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                    "user_id": state.get("user_id"),
                },
            )
            logs.request_id.reset(token)


def _checks(request: Request) -> dict[str, dict[str, Any]]:
    state = request.app.state
    settings = state.settings
    checks: dict[str, dict[str, Any]] = {}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "dialect": state.engine.dialect.name}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    ok, detail = state.blobs.check()
    checks["blobs"] = {"ok": ok, "detail": detail}
    index, kind = settings.server_index, "configured"
    if index is None:
        from nikdesk.core.paths import bundled_index_dir

        index, kind = bundled_index_dir(), "bundled"
    checks["index"] = {"ok": (index / "manifest.json").is_file(), "path": str(index), "kind": kind}
    checks["mail"] = {"ok": True, "transport": state.mailer.transport}
    checks["providers"] = {
        "ok": True,
        "cloud": sorted(name for name, var in CLOUD_KEYS.items() if os.environ.get(var)),
    }
    if settings.redis_url:
        checks["rate_limits"] = {"ok": state.rate_limits.healthy(), "storage": "redis"}
    else:
        checks["rate_limits"] = {"ok": True, "storage": "memory"}
    for name, check in getattr(state, "extra_health", {}).items():
        checks[name] = check()
    return checks


@router.get("/health")
def health(request: Request) -> JSONResponse:
    """Report every dependency; 200 while the process runs (status 'degraded' when one fails)."""
    checks = _checks(request)
    status = "ok" if all(c.get("ok") for c in checks.values()) else "degraded"
    return JSONResponse({"status": status, "checks": checks})


@router.get("/health/ready")
def ready(request: Request) -> JSONResponse:
    """Return 200 when the database answers and is migrated, else 503 (for load balancers)."""
    from nikdesk.server.migrate import current_revision, head_revision

    try:
        at = current_revision(request.app.state.engine)
    except Exception as exc:
        return JSONResponse({"ready": False, "error": type(exc).__name__}, status_code=503)
    head = head_revision()
    body = {"ready": at == head, "revision": at, "head": head}
    return JSONResponse(body, status_code=200 if at == head else 503)


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus metrics: of all workers when PROMETHEUS_MULTIPROC_DIR is set, else this one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import CollectorRegistry, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
