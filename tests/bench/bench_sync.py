"""Sync benchmark (not part of the test suite): many laptops syncing at once, and a fresh pull.

Starts a real PostgreSQL (initdb + pg_ctl on loopback) and ``nikdesk server --workers 2``.

1. CLIENTS concurrent devices (two per account, so every pull brings the partner's changes)
   run ROUNDS sync rounds each: push one batch of BATCH changes (a session + messages), then
   pull everything new. Prints push and pull p50/p99 and rows/s; the baseline in the same run
   is GET /health (no auth, one SELECT 1) under the same load.
2. Initial pull of a 10,000-message account on a fresh device: time, pages, bytes on the wire.

    python tests/bench/bench_sync.py [--clients 200] [--rounds 5] [--batch 100] [--workers 2]
                                     [--messages 10000] [--think SECONDS] [--sqlite]

``--think 0`` (default): every device syncs back to back (a throughput test: latency =
devices / throughput); ``--think 10`` models laptops that sync every ~10 s.

Target (issue 10): p99 < 200 ms per round of <= 100 changes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.bench.load import pct, seed_users, start_database  # noqa: E402
from tests.server.services import start_server  # noqa: E402

SECRET = "bench-jwt-secret-" + "s" * 40


def _changes(start_seq: int, batch: int, tag: str) -> list[dict[str, Any]]:
    """One session and batch-1 messages in it, as a laptop's outbox would send them."""
    session_id = str(uuid.uuid4())
    now = "2026-11-30T12:00:00.000+00:00"
    changes: list[dict[str, Any]] = [
        {
            "seq": start_seq,
            "table": "sessions",
            "op": "insert",
            "row_id": session_id,
            "fields": None,
            "row": {"id": session_id, "title": f"{tag} Einsatz", "created": now, "updated": now},
        }
    ]
    for n in range(1, batch):
        message_id = str(uuid.uuid4())
        changes.append(
            {
                "seq": start_seq + n,
                "table": "messages",
                "op": "insert",
                "row_id": message_id,
                "row": {
                    "id": message_id,
                    "session_id": session_id,
                    "role": "user" if n % 2 else "assistant",
                    "text": f"{tag} Nachricht {n}: Wechselrichter zeigt E050 nach Netzausfall.",
                    "sources": [{"file": "handbuch.pdf", "page": 12, "title": "Fehlercodes"}],
                    "created": now,
                },
            }
        )
    return changes


async def _send(http: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
    """Send with a retry on a dropped keep-alive connection (safe: push is idempotent by seq)."""
    for attempt in range(5):
        try:
            response = await http.request(method, url, **kw)
            response.raise_for_status()
            return response
        except (httpx.RemoteProtocolError, httpx.ConnectError, httpx.ReadError):
            if attempt == 4:
                raise
            await asyncio.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


async def _device(
    http: httpx.AsyncClient,
    token: str,
    rounds: int,
    batch: int,
    stats: dict[str, list[float]],
    rows: dict[str, int],
    think: float,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    device_id = f"bench-{uuid.uuid4()}"
    seq, cursor = 1, 0
    if think:  # laptops do not all sync in the same second: spread the first round too
        await asyncio.sleep(random.uniform(0, think))
    for r in range(rounds):
        body = {
            "device_id": device_id,
            "schema_version": 1,
            "changes": _changes(seq, batch, f"r{r}"),
        }
        started = time.perf_counter()
        response = await _send(http, "POST", "/sync/push", json=body, headers=headers)
        pushed = time.perf_counter()
        rows["pushed"] += response.json()["applied"]
        seq += batch
        more = True
        while more:
            params = {"device_id": device_id, "since": cursor, "limit": 500}
            page = await _send(http, "GET", "/sync/pull", params=params, headers=headers)
            data = page.json()
            rows["pulled"] += len(data["changes"])
            cursor, more = data["cursor"], data["more"]
        done = time.perf_counter()
        stats["push"].append((pushed - started) * 1000)
        stats["pull"].append((done - pushed) * 1000)
        stats["round"].append((done - started) * 1000)
        if think:
            await asyncio.sleep(random.uniform(0.5, 1.5) * think)


async def _health(http: httpx.AsyncClient, stop: asyncio.Event, stats: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await _send(http, "GET", "/health")
        stats.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.05)


async def _load(base: str, tokens: list[tuple[str, str, str]], args: argparse.Namespace) -> None:
    stats: dict[str, list[float]] = {"push": [], "pull": [], "round": []}
    rows = {"pushed": 0, "pulled": 0}
    health: list[float] = []
    limits = httpx.Limits(max_connections=args.clients + 10)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        stop = asyncio.Event()
        probe = asyncio.create_task(_health(http, stop, health))
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _device(http, tokens[i // 2][1], args.rounds, args.batch, stats, rows, args.think)
                for i in range(args.clients)
            )
        )
        wall = time.perf_counter() - started
        stop.set()
        await probe
    print(
        f"\n{args.clients} devices ({args.clients // 2} accounts x 2), {args.rounds} rounds, "
        f"{args.batch} changes per push, think {args.think} s, {args.workers} workers, "
        f"{wall:.1f} s wall"
    )
    print(f"{'':8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  n")
    for name in ("push", "pull", "round"):
        values = stats[name]
        print(
            f"{name:8} {statistics.median(values):8.1f} {pct(values, 0.99):8.1f} "
            f"{max(values):8.1f}  {len(values)}"
        )
    base_p50 = statistics.median(health) if health else float("nan")
    print(
        f"{'health':8} {base_p50:8.1f} {pct(health, 0.99):8.1f} {max(health):8.1f}  "
        f"{len(health)}  (baseline: push p50 = {statistics.median(stats['push']) / base_p50:.1f}x)"
    )
    print(
        f"rows/s: pushed {rows['pushed'] / wall:.0f}, pulled {rows['pulled'] / wall:.0f} "
        f"(pushed {rows['pushed']}, pulled {rows['pulled']})"
    )
    target = "met" if pct(stats["round"], 0.99) < 200 else "NOT met"
    print(f"target p99 < 200 ms per round of <= 100 changes: {target}")


def _fresh_pull(base: str, token: str, messages: int) -> None:
    """Fill one account with ``messages`` messages, then time a fresh device's full pull."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=120, headers=headers) as http:
        writer = f"writer-{uuid.uuid4()}"
        seq, left = 1, messages
        while left > 0:
            batch = min(100, left) + 1
            body = {"device_id": writer, "schema_version": 1, "changes": _changes(seq, batch, "f")}
            http.post("/sync/push", json=body).raise_for_status()
            seq, left = seq + batch, left - (batch - 1)
        fresh = f"fresh-{uuid.uuid4()}"
        started = time.perf_counter()
        cursor, more, pages, size, got = 0, True, 0, 0, 0
        while more:
            params = {"device_id": fresh, "since": cursor, "limit": 1000}
            response = http.get("/sync/pull", params=params)
            response.raise_for_status()
            data = response.json()
            pages, size = pages + 1, size + len(response.content)
            got += sum(1 for c in data["changes"] if c["table"] == "messages")
            cursor, more = data["cursor"], data["more"]
        wall = time.perf_counter() - started
    print(
        f"\ninitial pull of {got} messages on a fresh device: {wall:.2f} s, {pages} pages, "
        f"{size / 1e6:.1f} MB on the wire ({size / max(got, 1):.0f} bytes/message; "
        "JSON, no compression)"
    )


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--messages", type=int, default=10_000)
    p.add_argument(
        "--think", type=float, default=0.0, help="seconds between a device's rounds (0: saturate)"
    )
    p.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = p.parse_args()
    if args.sqlite:
        args.workers = 1
    database = start_database(args.sqlite, Path(tempfile.mkdtemp()))
    if database is None:
        print("PostgreSQL not found (apt-get install postgresql)", file=sys.stderr)
        return 1
    url, pg = database
    env = {
        "NIKDESK_DATABASE_URL": url,
        "NIKDESK_JWT_SECRET": SECRET,
        "NIKDESK_LOG_LEVEL": "WARNING",
    }
    data = Path(tempfile.mkdtemp(prefix="nikdesk-bench-sync-"))
    server = start_server(data, env, workers=args.workers)
    try:
        tokens = seed_users(url, args.clients // 2 + 1, SECRET)
        asyncio.run(_load(server.url, tokens, args))
        _fresh_pull(server.url, tokens[-1][1], args.messages)
    finally:
        server.stop()
        if pg is not None:
            pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
