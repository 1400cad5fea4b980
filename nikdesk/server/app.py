"""create_app(settings) -> FastAPI: routers, middleware, lifespan (migrate on start).

To add routes: append ``"module:attribute"`` of an APIRouter to ROUTERS (one line); to load
something once per process at start (e.g. the retriever/agent), append ``"module:function"``
(called with the app, may return a cleanup callable) to STARTUP.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from nikdesk.server.blobs import BlobStore
from nikdesk.server.config import ServerSettings
from nikdesk.server.db import make_engine, make_sessionmaker
from nikdesk.server.errors import ApiError, api_error_handler, internal_error_handler
from nikdesk.server.logs import setup_logging
from nikdesk.server.mail import Mailer
from nikdesk.server.ops import RequestContext
from nikdesk.server.ratelimit import RateLimits

log = logging.getLogger("nikdesk.server")

ROUTERS: tuple[str, ...] = (
    "nikdesk.server.ops:router",
    "nikdesk.server.auth.routes:router",
    "nikdesk.server.auth.reset_routes:router",
    "nikdesk.server.auth.signin_routes:router",
    "nikdesk.server.chat:router",
    "nikdesk.server.support:router",
    "nikdesk.server.sync_api:router",
    # more routers: one line each, e.g. "nikdesk.server.chat.routes:router",
)
# "module:function(app) -> cleanup | None", run in order
STARTUP: tuple[str, ...] = ("nikdesk.server.engine:start",)


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: ServerSettings = app.state.settings
    if settings.migrate_on_start:
        from nikdesk.server.migrate import upgrade

        revision = upgrade(app.state.engine)
        log.info("database migrated", extra={"revision": revision})
    cleanups: list[Callable[[], Any]] = []
    for spec in STARTUP:
        cleanup = _load(spec)(app)
        if callable(cleanup):
            cleanups.append(cleanup)
    log.info("server ready", extra={"database": app.state.engine.dialect.name})
    try:
        yield
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
        app.state.engine.dispose()


def _release_routes(app: FastAPI, settings: ServerSettings) -> Any:
    """Serve the signed manual releases from the blob store (``/releases/...``).

    With ``NIKDESK_RELEASE_ROOT`` set, every upload is verified and installed into the
    server's own update channel (``DATA/updates``), exactly as a laptop would, and the chat
    engine of this worker switches to it; other workers pick it up at their next start.
    """
    from nikdesk.server.auth.deps import current_user, require_admin
    from nikdesk.server.releases import release_router

    repo = settings.blobs / "releases"
    repo.mkdir(parents=True, exist_ok=True)

    def installed(repo_dir: Path) -> None:
        if settings.release_root is None:
            return
        from nikdesk.core.errors import NikDeskError
        from nikdesk.server.errors import ApiError
        from nikdesk.updates.client import UpdateClient

        client = UpdateClient(settings.data / "updates")
        try:
            if not client.provisioned():
                client.trust(settings.release_root)
            client.apply(str(repo_dir))  # refused (signatures, rollback): nothing changes
        except NikDeskError as exc:
            raise ApiError(422, "RELEASE_REFUSED", exc.text("de")) from exc
        from nikdesk.server.engine import reload_engine

        try:
            reload_engine(app)
        except NikDeskError as exc:  # the old engine keeps answering; /health says why
            log.error("chat engine kept on the previous index: %s", exc)

    return release_router(repo, require_admin, current_user, on_release=installed)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """Build the FastAPI app for ``settings`` (default: from the environment)."""
    settings = settings or ServerSettings()
    setup_logging(settings.log_level)
    settings.data.mkdir(parents=True, exist_ok=True)
    app = FastAPI(
        title="NikDesk Server",
        version="1",
        description="Konten, Nik über HTTP, Support-Übergaben und Verwaltung.",
        lifespan=_lifespan,
    )
    engine = make_engine(settings.db_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.db = make_sessionmaker(engine)
    app.state.read_db = make_sessionmaker(engine, read_only=True)
    app.state.blobs = BlobStore(settings.blobs)
    app.state.mailer = Mailer(settings)
    app.state.rate_limits = RateLimits(settings)
    app.state.extra_health = {}  # name -> callable() -> {"ok": bool, ...}; shown in /health
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
    for spec in ROUTERS:
        app.include_router(_load(spec))
    app.include_router(_release_routes(app, settings))
    from nikdesk.server.admin import mount_admin  # after the REST routes: /admin/users wins

    mount_admin(app)
    app.add_middleware(RequestContext)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory nikdesk.server.app:app_from_env`` (several workers)."""
    return create_app(ServerSettings())
