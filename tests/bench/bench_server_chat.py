"""Load benchmark of Nik over HTTP (not part of the test suite).

Starts a real PostgreSQL (initdb + pg_ctl on loopback) and ``nikdesk server --workers 2`` with
the no-LLM provider on the bundled sample index, then runs CLIENTS concurrent clients on
loopback doing the issue's mixed workload — login (argon2), GET /users/me/sessions,
GET /chat/{id}/messages (history), GET /search, POST /agent/ask (one-shot, no LLM) — and prints
p50/p99 per route and the throughput. Baseline in the same run: GET /health/ready, one client,
idle server. Target: p99 < 200 ms for the non-agent routes (all but login and /agent/ask).

    python tests/bench/bench_server_chat.py [--clients 200] [--requests 20] [--workers 2]
                                           [--think SECONDS] [--sqlite]

With ``--think 0`` (default) every client sends back to back: latency = clients/throughput
(Little's law), so the p99 shows saturation; ``--think 5`` models technicians' apps that ask
about once every few seconds.

Users, their tokens and a session with history per user are created before the clock starts
(the account routes are measured by bench_server.py, whose helpers this reuses).
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

from tests.bench.bench_server import SECRET  # noqa: E402
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

QUESTIONS = [
    "Was bedeutet Fehlercode E050 beim NX-Hybrid?",
    "Welchen FI-Schutzschalter brauche ich für einen NX-Hybrid 10?",
    "Welche Baudrate hat die RS485-Schnittstelle des NX-Hybrid?",
    "Wie hoch ist der maximale Wirkungsgrad des NX-Hybrid 8?",
]
SEARCHES = ["E050 Isolationsfehler", "Modbus Register 40069", "Mindestabstand Decke", "RS485"]
# share of requests per route (the rest: sessions list)
MIX = (("login", 0.02), ("ask", 0.10), ("search", 0.30), ("history", 0.30))
NON_AGENT = ("GET /users/me/sessions", "GET /chat/{id}/messages", "GET /search")


def _seed_history(url: str, emails: list[str], messages: int = 6) -> dict[str, str]:
    """Give every user one session with ``messages`` messages; return email -> session id."""
    from sqlalchemy import select

    from nikdesk.server.chat import records
    from nikdesk.server.db import make_engine, make_sessionmaker, transaction
    from nikdesk.server.models import User

    engine = make_engine(url, pool_size=2)
    out = {}
    with transaction(make_sessionmaker(engine)) as db:
        users = db.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
        for email, user_id in users:
            session = records.create_session(db, user_id, QUESTIONS[0])
            for i in range(messages):
                role = "user" if i % 2 == 0 else "assistant"
                records.add_message(db, user_id, session.id, role, f"{QUESTIONS[i % 4]} ({i})")
            out[email] = session.id
    engine.dispose()
    return out


async def _client(
    http: httpx.AsyncClient,
    email: str,
    access: str,
    session_id: str,
    n: int,
    rng: random.Random,
    lat: dict[str, list[float]],
    errors: dict[str, int],
    think: float = 0.0,
) -> None:
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # clients do not start in lockstep
    for i in range(n):
        if think and i:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        roll, kind = rng.random(), "sessions"
        for name, share in MIX:
            if roll < share:
                kind = name
                break
            roll -= share
        auth = {"Authorization": f"Bearer {access}"}
        t0 = time.perf_counter()
        try:
            route, r = await _request(http, kind, email, auth, session_id, rng)
        except httpx.TransportError as exc:  # counted, not fatal: the run goes on
            errors[f"{kind} {type(exc).__name__}"] += 1
            continue
        lat[route].append(time.perf_counter() - t0)
        if r.status_code != 200:
            errors[f"{route} {r.status_code}"] += 1


async def _request(
    http: httpx.AsyncClient,
    kind: str,
    email: str,
    auth: dict[str, str],
    session_id: str,
    rng: random.Random,
) -> tuple[str, httpx.Response]:
    if kind == "login":
        route = "POST /auth/login"
        r = await http.post("/auth/login", data={"username": email, "password": PASSWORD})
    elif kind == "ask":
        route = "POST /agent/ask"
        r = await http.post("/agent/ask", json={"question": rng.choice(QUESTIONS)}, headers=auth)
    elif kind == "search":
        route = "GET /search"
        r = await http.get("/search", params={"q": rng.choice(SEARCHES)}, headers=auth)
    elif kind == "history":
        route = "GET /chat/{id}/messages"
        r = await http.get(f"/chat/{session_id}/messages", headers=auth)
    else:
        route = "GET /users/me/sessions"
        r = await http.get("/users/me/sessions", headers=auth)
    return route, r


async def _run(
    url: str,
    accounts: list[tuple[str, str, str]],
    sessions: dict[str, str],
    args: argparse.Namespace,
    pids: tuple[list[int], list[int]],
) -> None:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    rng = random.Random(42)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as http:

        def clients(lat: dict[str, list[float]], errors: dict[str, int]) -> list[Any]:
            return [
                _client(
                    http,
                    e,
                    a,
                    sessions[e],
                    args.requests,
                    random.Random(rng.random()),
                    lat,
                    errors,
                    args.think,
                )
                for e, a, _r in accounts
            ]

        load = await run_load(http, clients, *pids)
    lat = load.lat
    non_agent = [x for k in NON_AGENT for x in lat.get(k, [])]
    print(
        f"\n{args.clients} clients x {args.requests} requests (think {args.think:g} s), "
        f"{args.workers} workers, "
        f"{'SQLite' if args.sqlite else 'PostgreSQL'}, loopback, provider none"
    )
    print_routes(lat, 26)
    p99 = pct(non_agent, 0.99) * 1000
    print(
        f"{'non-agent routes':26} {len(non_agent):6d} {pct(non_agent, 0.5) * 1000:8.1f} "
        f"{p99:8.1f}   (target p99 < 200 ms: {'met' if p99 < 200 else 'NOT met'})"
    )
    b50 = statistics.median(load.base_idle)
    hist = lat.get("GET /chat/{id}/messages", [])
    print(
        f"baseline GET /health/ready, 1 client idle: p50 {b50 * 1000:.1f} ms; "
        f"history p50 under load / baseline = {pct(hist, 0.5) / b50:.1f}x"
    )
    print_cost(load)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--requests", type=int, default=20, help="requests per client")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client waits between requests (0: back to back, closed loop)",
    )
    p.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    p.add_argument(
        "--index", type=Path, default=None, help="index bundle (default: bundled sample)"
    )
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nikdesk-bench-chat-"))
    database = start_database(args.sqlite, tmp)
    if database is None:
        print("PostgreSQL binaries not found (apt-get install postgresql)", file=sys.stderr)
        return 2
    url, pg = database
    env = {
        "NIKDESK_DATABASE_URL": url,
        "NIKDESK_JWT_SECRET": SECRET,
        "NIKDESK_RATE_LIMIT_LOGIN": "100000/minute",
        "NIKDESK_RATE_LIMIT_CHAT": "100000/minute",
        "NIKDESK_LOG_LEVEL": os.environ.get("NIKDESK_LOG_LEVEL", "WARNING"),
        "NIKDESK_SERVER_PROVIDER": "none",
    }
    if args.index is None:  # built once here, not by two workers at the same time
        from nikdesk.app.sample import ensure_sample_index

        args.index = ensure_sample_index(print)
    env["NIKDESK_SERVER_INDEX"] = str(args.index)
    server = start_server(tmp / "data", env, workers=args.workers, timeout=300)
    try:
        accounts = seed_users(url, args.clients, SECRET)
        sessions = _seed_history(url, [e for e, _a, _r in accounts])
        pids = ([server.proc.pid], postmaster_pids(pg))
        asyncio.run(_run(server.url, accounts, sessions, args, pids))
    finally:
        code = server.stop()
        if pg is not None:
            pg.stop()
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
