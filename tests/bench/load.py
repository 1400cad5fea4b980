"""What the server load benchmarks share: the database, seeded accounts, percentiles, CPU time.

Used by bench_server.py (account routes), bench_server_chat.py (Nik over HTTP) and
bench_sync.py (many laptops syncing): each starts a real PostgreSQL (or SQLite) and
``nikdesk server``, seeds users before the clock starts and prints p50/p99 and CPU per request.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

PASSWORD = "Bench-Passwort-123"


def start_database(sqlite: bool, tmp: Path) -> tuple[str, Any] | None:
    """Return (database URL, PostgreSQL handle or None); None when PostgreSQL is missing."""
    from tests.server.services import start_postgres

    if sqlite:
        return f"sqlite:///{tmp / 'bench.db'}", None
    pg = start_postgres()
    if pg is None:
        return None
    return pg.create_database("bench"), pg


def seed_users(url: str, count: int, secret: str) -> list[tuple[str, str, str]]:
    """Create verified users (one shared argon2 hash); return (email, access, refresh) each."""
    from pydantic import SecretStr

    from nikdesk.server.auth import signins
    from nikdesk.server.auth.passwords import hash_password
    from nikdesk.server.config import ServerSettings
    from nikdesk.server.db import make_engine, make_sessionmaker, transaction
    from nikdesk.server.models import User
    from nikdesk.server.versions import ensure_version_row

    settings = ServerSettings(
        data=Path(tempfile.mkdtemp()), database_url=url, jwt_secret=SecretStr(secret)
    )
    engine = make_engine(url, pool_size=2)
    hashed = hash_password(PASSWORD)
    out = []
    with transaction(make_sessionmaker(engine)) as db:
        for i in range(count):
            user = User(
                email=f"bench{i}@example.com",
                display_name=f"Bench {i}",
                hashed_password=hashed,
                is_verified=True,
            )
            db.add(user)
            db.flush()
            ensure_version_row(db, user.id)
            pair = signins.issue(db, settings, user, device_name=f"bench-{i}")
            out.append((user.email, pair.access_token, pair.refresh_token))
    engine.dispose()
    return out


def pct(values: list[float], q: float) -> float:
    """Return the ``q`` quantile (0..1) of ``values`` (nan when empty)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def cpu_seconds(pids: list[int]) -> float:
    """Return user+system CPU seconds of the processes ``pids`` and all their children."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                t = proc.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


def postmaster_pids(pg: Any) -> list[int]:
    """Return the PostgreSQL postmaster's pid (first line of postmaster.pid); none for SQLite."""
    if pg is None:
        return []
    return [int((pg.base / "data" / "postmaster.pid").read_text().split()[0])]
