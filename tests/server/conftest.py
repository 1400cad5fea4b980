"""Fixtures of the server tests (real parts only).

- ``database_url``: parametrised — a SQLite file in tmp, and a fresh database on a REAL
  PostgreSQL started on loopback (session-scoped cluster; skipped only without the binaries).
- ``smtp_server`` / ``mailbox``: a real SMTP server (aiosmtpd) on loopback capturing mails.
- ``server_settings``, ``client`` (in-process TestClient, lifespan = migrations run),
  ``make_client(**overrides)``.
- ``live_server``: ``python -m nikdesk server --port FREE --data TMP`` as its own process.
- ``signup`` (helpers.signup bound to client + mailbox): register -> mail code -> verify -> login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install 'nikdesk[server]'")

from fastapi.testclient import TestClient

from tests.server.helpers import Account
from tests.server.helpers import signup as _signup
from tests.server.services import (
    LiveServer,
    PgServer,
    RedisServer,
    SmtpCapture,
    start_postgres,
    start_redis,
    start_server,
)

TEST_SECRET = "test-jwt-secret-" + "x" * 40


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every server test so ``-m "not server"`` runs the laptop suite alone."""
    for item in items:
        if "/tests/server/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    """Start a real PostgreSQL cluster on 127.0.0.1 for the whole test session."""
    server = start_postgres()
    if server is None:
        pytest.skip(
            "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
            "(Debian: apt-get install postgresql; or set NIKDESK_PG_BIN)"
        )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on loopback (shared rate limits across workers)."""
    server = start_redis()
    if server is None:
        pytest.skip("redis-server not found (Debian: apt-get install redis-server)")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database: SQLite file, or a new database on real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    pg: PgServer = request.getfixturevalue("postgres")
    url = pg.create_database()
    try:
        yield url
    finally:
        pg.drop_database(url)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpCapture]:
    """A real SMTP server on loopback for the session (use unique addresses per test)."""
    pytest.importorskip("aiosmtpd", reason="pip install 'nikdesk[dev]'")
    server = SmtpCapture().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpCapture) -> SmtpCapture:
    """The session SMTP capture (alias that reads well in tests)."""
    return smtp_server


def settings_kwargs(
    data: Path, database_url: str, smtp: SmtpCapture | None, **overrides: Any
) -> dict[str, Any]:
    """Return ServerSettings arguments for tests: generous rate limits, real SMTP."""
    kwargs: dict[str, Any] = {
        "data": data,
        "database_url": database_url,
        "jwt_secret": TEST_SECRET,
        "rate_limit_login": "1000/minute",
        "rate_limit_mail": "1000/minute",
        "rate_limit_chat": "1000/minute",
        "rate_limit_upload": "1000/minute",
        "redis_url": None,
    }
    if smtp is not None:
        kwargs.update(smtp_host="127.0.0.1", smtp_port=smtp.port)
    kwargs.update(overrides)
    return kwargs


@pytest.fixture
def server_settings(tmp_path: Path, database_url: str, smtp_server: SmtpCapture) -> Any:
    """ServerSettings on the parametrised database with the real SMTP server."""
    from nikdesk.server.config import ServerSettings

    return ServerSettings(**settings_kwargs(tmp_path / "data", database_url, smtp_server))


@pytest.fixture
def make_client(
    tmp_path: Path, database_url: str, smtp_server: SmtpCapture
) -> Iterator[Callable[..., TestClient]]:
    """Return a factory: ``make_client(**settings_overrides)`` -> started TestClient."""
    from nikdesk.server.app import create_app
    from nikdesk.server.config import ServerSettings

    clients: list[TestClient] = []

    def factory(**overrides: Any) -> TestClient:
        kwargs = settings_kwargs(tmp_path / "data", database_url, smtp_server, **overrides)
        client = TestClient(create_app(ServerSettings(**kwargs)))
        client.__enter__()  # runs the lifespan: migrations
        clients.append(client)
        return client

    yield factory
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """An in-process client of a freshly migrated app (SQLite and PostgreSQL)."""
    return make_client()


@pytest.fixture
def signup(client: TestClient, mailbox: SmtpCapture) -> Callable[..., Account]:
    """Return ``signup(email=None, password=...)`` -> a verified, signed-in Account."""

    def _do(email: str | None = None, **kw: Any) -> Account:
        return _signup(client, mailbox, email, **kw)

    return _do


@pytest.fixture
def live_server(
    tmp_path: Path, database_url: str, smtp_server: SmtpCapture
) -> Iterator[LiveServer]:
    """Run the real server process (``python -m nikdesk server``) on the parametrised DB."""
    env = {
        "NIKDESK_DATABASE_URL": database_url,
        "NIKDESK_SMTP_HOST": "127.0.0.1",
        "NIKDESK_SMTP_PORT": str(smtp_server.port),
        "NIKDESK_RATE_LIMIT_LOGIN": "1000/minute",
        "NIKDESK_RATE_LIMIT_MAIL": "1000/minute",
    }
    server = start_server(tmp_path / "live", env)
    try:
        yield server
    finally:
        server.stop()
