"""Several requests at once against the real server process answering through a real language
model (llama.cpp's OpenAI-compatible server on loopback, SmolLM2): two answers stream at the
same time and a search made meanwhile is answered at once — one stream never blocks another
request."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.server.chat.conftest import ANSWERABLE
from tests.server.helpers import new_email, signup
from tests.server.services import SmtpCapture, start_server

QUESTION_B = "Welchen FI-Schutzschalter brauche ich für einen NX-Hybrid 10?"


Log = list[tuple[float, str, dict[str, Any]]]


def _stream(url: str, token: str, question: str, log: Log) -> None:
    try:
        _read(url, token, question, log)
    except Exception as exc:  # the assertions below report it
        log.append((time.monotonic(), "client-error", {"error": repr(exc)}))


def _read(url: str, token: str, question: str, log: Log) -> None:
    from httpx_sse import connect_sse

    with (
        httpx.Client(base_url=url, timeout=300) as http,
        connect_sse(
            http,
            "POST",
            "/chat/stream",
            json={"question": question},
            headers={"Authorization": f"Bearer {token}"},
        ) as source,
    ):
        for sse in source.iter_sse():
            log.append((time.monotonic(), sse.event, json.loads(sse.data)))


def _first(log: Log, name: str) -> float:
    return next(t for t, n, _ in log if n == name)


def test_two_streams_and_a_search_progress_together(
    tmp_path: Path, smtp_server: SmtpCapture
) -> None:
    from tests.integration.llama_server import run_llama_server, smollm2_or_skip

    model = smollm2_or_skip()
    with run_llama_server(model) as llm:
        env = {
            "NIKDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
            "NIKDESK_SMTP_HOST": "127.0.0.1",
            "NIKDESK_SMTP_PORT": str(smtp_server.port),
            "NIKDESK_RATE_LIMIT_LOGIN": "1000/minute",
            "NIKDESK_RATE_LIMIT_MAIL": "1000/minute",
            "NIKDESK_SERVER_PROVIDER": "auto",
            "NIKDESK_SERVER_OPENAI_BASE_URL": llm.base_url,
            "NIKDESK_SERVER_OPENAI_MODEL": "smollm2",
            "NIKDESK_SERVER_OPENAI_MAX_TOKENS": "48",
        }
        server = start_server(tmp_path / "live", env)
        try:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                a = signup(http, smtp_server, new_email("a"))
                b = signup(http, smtp_server, new_email("b"))
                logs: dict[str, Log] = {"a": [], "b": []}
                threads = [
                    threading.Thread(
                        target=_stream, args=(server.url, user.access_token, question, logs[key])
                    )
                    for key, user, question in (("a", a, ANSWERABLE), ("b", b, QUESTION_B))
                ]
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + 120
                while not logs["a"] and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert logs["a"], "stream A sent nothing"
                r = http.get("/search", params={"q": "E050"}, headers=b.headers)
                searched = time.monotonic()
                assert r.status_code == 200 and r.json()[0]["page"] == 12
                assert http.get("/health").status_code == 200
                for thread in threads:
                    thread.join(timeout=600)
                    assert not thread.is_alive()
        finally:
            server.stop()
            server_log = server.logs()[-4000:]
    for log in logs.values():
        assert log[-1][1] == "done", (log[-1], server_log)
    done = {k: _first(v, "done") for k, v in logs.items()}
    assert _first(logs["a"], "metadata") < done["b"] and _first(logs["b"], "metadata") < done["a"]
    assert searched < min(done.values())  # answered while both answers were still streaming
    for log in logs.values():
        assert log[0][2]["provider"].startswith("openai")  # the language model answered
