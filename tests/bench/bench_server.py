"""Load benchmark of the server's account routes (not part of the test suite).

Starts a real PostgreSQL (initdb + pg_ctl on loopback) and ``nikdesk server --workers 2``, then
runs CLIENTS concurrent clients on loopback doing a mixed workload — login (argon2), token
refresh (rotation), GET /auth/me, GET /auth/devices — and prints p50/p99 latency per route
and the throughput. Baseline in the same run: GET /health (no auth, one SELECT 1).

    python tests/bench/bench_server.py [--clients 200] [--requests 40] [--workers 2] [--sqlite]
                                      [--think SECONDS] [--login-share 0.02]

With ``--think 0`` (default) every client sends back to back, so latency = clients/throughput
(Little's law); ``--think 1`` models apps that send about one request a second.

Tokens for the clients are minted before the clock starts (a login is a deliberately slow
argon2 hash; ``--login-share`` sets how many measured requests are logins).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.bench.load import (  # noqa: E402
    PASSWORD,
    pct,
    postmaster_pids,
    print_cost,
    print_routes,
    run_load,
    seed_users,
    start_database,
)
from tests.server.services import start_server  # noqa: E402

SECRET = "bench-jwt-secret-" + "b" * 40


async def _client(
    http: httpx.AsyncClient,
    email: str,
    access: str,
    refresh: str,
    n: int,
    login_share: float,
    rng: random.Random,
    lat: dict[str, list[float]],
    errors: dict[str, int],
    think: float,
) -> None:
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # clients do not start in lockstep
    for _ in range(n):
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        try:
            access, refresh = await _one(
                http, email, access, refresh, login_share, rng, lat, errors
            )
        except httpx.TransportError as exc:
            errors[type(exc).__name__] += 1


async def _one(
    http: httpx.AsyncClient,
    email: str,
    access: str,
    refresh: str,
    login_share: float,
    rng: random.Random,
    lat: dict[str, list[float]],
    errors: dict[str, int],
) -> tuple[str, str]:
    """Send one request of the mix; return the (possibly rotated) token pair."""
    roll = rng.random()
    t0 = time.perf_counter()
    if roll < login_share:
        route = "POST /auth/login"
        r = await http.post("/auth/login", data={"username": email, "password": PASSWORD})
        if r.status_code == 200:
            access, refresh = r.json()["access_token"], r.json()["refresh_token"]
    elif roll < login_share + 0.08:
        route = "POST /auth/refresh"
        r = await http.post("/auth/refresh", json={"refresh_token": refresh})
        if r.status_code == 200:
            access, refresh = r.json()["access_token"], r.json()["refresh_token"]
    elif roll < login_share + 0.23:
        route = "GET /auth/devices"
        r = await http.get("/auth/devices", headers={"Authorization": f"Bearer {access}"})
    else:
        route = "GET /auth/me"
        r = await http.get("/auth/me", headers={"Authorization": f"Bearer {access}"})
    lat[route].append(time.perf_counter() - t0)
    if r.status_code != 200:
        errors[f"{route} {r.status_code}"] += 1
    return access, refresh


async def _run(
    url: str,
    accounts: list[tuple[str, str, str]],
    args: argparse.Namespace,
    server_pids: list[int],
    pg_pids: list[int],
) -> None:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    rng = random.Random(42)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:

        def clients(lat: dict[str, list[float]], errors: dict[str, int]) -> list[Any]:
            return [
                _client(
                    http,
                    e,
                    a,
                    r,
                    args.requests,
                    args.login_share,
                    random.Random(rng.random()),
                    lat,
                    errors,
                    args.think,
                )
                for e, a, r in accounts
            ]

        load = await run_load(http, clients, server_pids, pg_pids)
    lat = load.lat
    non_login = [x for k, v in lat.items() if k != "POST /auth/login" for x in v]
    print(
        f"\n{args.clients} clients x {args.requests} requests (think {args.think:g} s), "
        f"{args.workers} workers, "
        f"{'SQLite' if args.sqlite else 'PostgreSQL'}, loopback"
    )
    print_routes(lat, 22)
    print(
        f"{'all but login':22} {len(non_login):6d} {pct(non_login, 0.5) * 1000:8.1f} "
        f"{pct(non_login, 0.99) * 1000:8.1f}"
    )
    b50 = statistics.median(load.base_idle)
    me = lat.get("GET /auth/me", [])
    print(
        f"baseline GET /health/ready, 1 client idle: p50 {b50 * 1000:.1f} ms; "
        f"GET /auth/me p50 under load / baseline = {pct(me, 0.5) / b50:.1f}x"
    )
    print_cost(load)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--requests", type=int, default=40, help="requests per client")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--login-share", type=float, default=0.02)
    p.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client waits between requests (0: back to back, closed loop)",
    )
    p.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nikdesk-bench-"))
    database = start_database(args.sqlite, tmp)
    if database is None:
        print("PostgreSQL binaries not found (apt-get install postgresql)", file=sys.stderr)
        return 2
    url, pg = database
    env = {
        "NIKDESK_DATABASE_URL": url,
        "NIKDESK_JWT_SECRET": SECRET,
        "NIKDESK_RATE_LIMIT_LOGIN": "100000/minute",
        "NIKDESK_LOG_LEVEL": "WARNING",
    }
    server = start_server(tmp / "data", env, workers=args.workers)
    try:
        accounts = seed_users(url, args.clients, SECRET)
        asyncio.run(_run(server.url, accounts, args, [server.proc.pid], postmaster_pids(pg)))
    finally:
        code = server.stop()
        if pg is not None:
            pg.stop()
    return 0 if code == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    raise SystemExit(main())
