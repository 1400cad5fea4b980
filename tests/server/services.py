"""Real services for the server tests: PostgreSQL (initdb + pg_ctl), SMTP (aiosmtpd), the
server itself as a separate process. Used by tests/server/conftest.py and tests/bench."""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"(?<!\d)(\d{8})(?!\d)")


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_bin_dir() -> Path | None:
    """Return the newest /usr/lib/postgresql/*/bin holding initdb + pg_ctl, or None."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    override = os.environ.get("NIKDESK_PG_BIN")
    if override:
        return Path(override)
    return (
        found[-1]
        if found
        else (Path(shutil.which("initdb")).parent if shutil.which("initdb") else None)
    )


@dataclass
class PgServer:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (trust auth, fsync off)."""

    bin: Path
    base: Path
    port: int
    _as_postgres: bool = False

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return [*prefix, *args]

    def start(self) -> PgServer:
        data = self.base / "data"
        subprocess.run(
            self._cmd(
                str(self.bin / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.base} -F -c max_connections=300"
        subprocess.run(
            self._cmd(
                str(self.bin / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(self.base / "postgres.log"),
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        return self

    def stop(self) -> None:
        subprocess.run(
            self._cmd(
                str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "-w", "stop"
            ),
            capture_output=True,
            text=True,
        )
        shutil.rmtree(self.base, ignore_errors=True)

    def create_database(self, name: str | None = None) -> str:
        """Create a fresh database; return its SQLAlchemy URL (psycopg 3)."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_postgres() -> PgServer | None:
    """Start a cluster in a new temp dir (as user postgres when root); None: no binaries."""
    bin_dir = pg_bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        return None
    base = Path(tempfile.mkdtemp(prefix="nikdesk-pg-"))
    as_postgres = os.geteuid() == 0
    if as_postgres:  # initdb refuses to run as root
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    os.chmod(base, 0o700)
    return PgServer(bin_dir, base, free_port(), as_postgres).start()


# --- SMTP -------------------------------------------------------------------------------------


class SmtpCapture:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.logins: list[str] = []
        self._cond = threading.Condition()
        self.port = free_port()
        extra: dict[str, Any] = {}
        if login is not None:  # require SMTP AUTH (plain, loopback: no TLS needed)
            extra = {
                "auth_required": True,
                "auth_require_tls": False,
                "authenticator": self._authenticator(login),
            }
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **extra)

    def _authenticator(self, login: tuple[str, str]) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            ok = (
                isinstance(data, LoginPassword)
                and (data.login.decode(), data.password.decode()) == login
            )
            if ok:
                self.logins.append(data.login.decode())
            return AuthResult(success=ok)

        return check

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._cond:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], msg))  # type: ignore[arg-type]
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> SmtpCapture:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def mails_to(self, address: str) -> list[EmailMessage]:
        """Return every message received for ``address`` so far, oldest first."""
        with self._cond:
            return [m for rcpts, m in self.messages if address.lower() in rcpts]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> EmailMessage:
        """Wait until ``count`` messages reached ``address``; return the newest."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                mails = [m for rcpts, m in self.messages if address.lower() in rcpts]
                if len(mails) >= count:
                    return mails[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no mail #{count} to {address} within {timeout}s")
                self._cond.wait(left)

    def code_for(self, address: str, count: int = 1) -> str:
        """Return the 8-digit code of the ``count``-th mail to ``address``."""
        msg = self.wait_for(address, count)
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None
        match = CODE_RE.search(body.get_content())
        assert match, "no 8-digit code in the mail body"
        return match.group(1)


# --- the server as a process ------------------------------------------------------------------


@dataclass
class LiveServer:
    """``python -m nikdesk server`` running in its own process."""

    url: str
    port: int
    data: Path
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    env: dict[str, str] = field(default_factory=dict)

    def stop(self, timeout: float = 20.0) -> int:
        """Send SIGTERM and wait; return the exit code (kills after ``timeout``)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return int(self.proc.returncode)

    def logs(self) -> str:
        return self.stderr.read_text(errors="replace")


def start_server(
    data: Path, env: dict[str, str] | None = None, *, workers: int = 1, timeout: float = 60.0
) -> LiveServer:
    """Start the real server on a free loopback port and wait for /health."""
    import httpx

    port = free_port()
    data.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    out, err = data / "server.stdout", data / "server.stderr"
    cmd = [sys.executable, "-m", "nikdesk", "server", "--port", str(port), "--data", str(data)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=full_env, cwd=str(data))
    server = LiveServer(f"http://127.0.0.1:{port}", port, data, proc, out, err, full_env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.logs()[-3000:]}")
        try:
            if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not answer /health within {timeout}s:\n{server.logs()[-3000:]}")


# --- Redis ------------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A throw-away redis-server on 127.0.0.1 (no persistence)."""

    proc: subprocess.Popen[bytes]
    port: int
    base: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.base, ignore_errors=True)


def start_redis() -> RedisServer | None:
    """Start redis-server on a free loopback port; None when the binary is absent."""
    exe = shutil.which("redis-server")
    if exe is None:
        return None
    base = Path(tempfile.mkdtemp(prefix="nikdesk-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return RedisServer(proc, port, base)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("redis-server did not start")
