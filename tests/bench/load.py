"""What the server load benchmarks share: the database, seeded accounts, percentiles, CPU time.

Used by bench_server.py (account routes), bench_server_chat.py (Nik over HTTP) and
bench_sync.py (many laptops syncing): each starts a real PostgreSQL (or SQLite) and
``nikdesk server``, seeds users before the clock starts and prints p50/p99 and CPU per request.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

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


@dataclass
class Load:
    """What one load run measured: latencies and errors per route, wall and CPU time."""

    lat: dict[str, list[float]]
    errors: dict[str, int]
    wall: float
    base_idle: list[float]  # GET /health/ready, one client, before the load
    server_cpu: float
    pg_cpu: float
    client_cpu: float

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.lat.values())


Clients = Callable[[dict[str, list[float]], dict[str, int]], Iterable[Awaitable[None]]]


async def run_load(
    http: httpx.AsyncClient, clients: Clients, server_pids: list[int], pg_pids: list[int]
) -> Load:
    """Measure the idle baseline, then run ``clients(lat, errors)`` at once; time them."""
    base_idle = []
    for _ in range(50):  # one client, idle server
        t0 = time.perf_counter()
        await http.get("/health/ready")
        base_idle.append(time.perf_counter() - t0)
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    cpu0 = cpu_seconds(server_pids), cpu_seconds(pg_pids), time.process_time()
    t0 = time.perf_counter()
    await asyncio.gather(*clients(lat, errors))
    wall = time.perf_counter() - t0
    cpu1 = cpu_seconds(server_pids), cpu_seconds(pg_pids), time.process_time()
    srv, pgc, cli = (b - a for a, b in zip(cpu0, cpu1, strict=True))
    return Load(lat, errors, wall, base_idle, srv, pgc, cli)


def print_routes(lat: dict[str, list[float]], width: int) -> None:
    """Print n, p50 and p99 per route."""
    print(f"{'route':{width}} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for route in sorted(lat):
        v = lat[route]
        print(f"{route:{width}} {len(v):6d} {pct(v, 0.5) * 1000:8.1f} {pct(v, 0.99) * 1000:8.1f}")


def print_cost(load: Load) -> None:
    """Print throughput, errors, CPU per request and the capacity it implies."""
    total, cores = load.total, os.cpu_count() or 1
    print(f"throughput: {total / load.wall:.0f} requests/s ({total} in {load.wall:.1f} s)")
    print(f"errors: {dict(load.errors) or 'none'}")
    print(
        f"CPU per request: server workers {load.server_cpu / total * 1000:.2f} ms, PostgreSQL "
        f"{load.pg_cpu / total * 1000:.2f} ms, load client {load.client_cpu / total * 1000:.2f} "
        f"ms; server+PostgreSQL capacity on {cores} idle cores ~ "
        f"{cores / ((load.server_cpu + load.pg_cpu) / total):.0f} requests/s"
    )
    print(f"machine: {cores} CPUs, load average {os.getloadavg()[0]:.1f} (shared host)")
