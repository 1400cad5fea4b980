"""Fixtures of the sync tests: the real server as its own process, laptops as real CLI processes.

- ``sync_server``: ``python -m nikdesk server`` on the parametrised database (SQLite file or a
  real PostgreSQL on loopback), mail to the real SMTP capture (server tests' fixtures).
- ``proxy``: a loopback TCP proxy in front of it that can drop or hold responses (faults.py).
- ``make_laptop``: a laptop = one NIKDESK_HOME, driven through ``python -m nikdesk``; secrets go
  to the encrypted secrets file (no OS keyring in CI) unlocked by NIKDESK_MASTER_PASSWORD.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="server extra not installed: pip install 'nikdesk[server]'")

from tests.server.conftest import (  # noqa: F401  (fixtures shared with the server tests)
    database_url,
    mailbox,
    postgres,
    smtp_server,
)
from tests.server.services import LiveServer, SmtpCapture, start_server
from tests.sync.faults import Proxy
from tests.sync.inproc import app_client, memory_keyring  # noqa: F401  (in-process rig)
from tests.sync.laptops import Laptop


def server_env(smtp: SmtpCapture, url: str) -> dict[str, str]:
    return {
        "NIKDESK_DATABASE_URL": url,
        "NIKDESK_SMTP_HOST": "127.0.0.1",
        "NIKDESK_SMTP_PORT": str(smtp.port),
        "NIKDESK_RATE_LIMIT_LOGIN": "1000/minute",
        "NIKDESK_RATE_LIMIT_MAIL": "1000/minute",
        "NIKDESK_JWT_SECRET": "sync-test-secret-" + "y" * 40,
        "NIKDESK_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def sync_server(
    tmp_path: Path,
    database_url: str,  # noqa: F811
    smtp_server: SmtpCapture,  # noqa: F811
) -> Iterator[LiveServer]:
    """The real server process on the parametrised database."""
    server = start_server(tmp_path / "server", server_env(smtp_server, database_url))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def proxy(sync_server: LiveServer) -> Iterator[Proxy]:
    """A fault-injecting TCP proxy on loopback in front of ``sync_server``."""
    p = Proxy(sync_server.port).start()
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture
def make_laptop(
    tmp_path: Path,
    smtp_server: SmtpCapture,  # noqa: F811
) -> Callable[..., Laptop]:
    """Return ``make_laptop(name, **env)`` -> a laptop with its own NIKDESK_HOME."""

    def factory(name: str, **env: str) -> Laptop:
        return Laptop(tmp_path / f"laptop-{name}", smtp_server, env)

    return factory
