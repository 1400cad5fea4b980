"""A laptop in the sync tests: one NIKDESK_HOME driven through the real ``nikdesk`` CLI.

History is created either through ``nikdesk ask --session`` (the acceptance path) or, for
the thousands of rows the fault tests need, by writing the laptop's real SQLite store with
the real ChatStore in the test process (with the laptop's clock skew applied).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.server.helpers import PASSWORD
from tests.server.services import ROOT, SmtpCapture

MASTER = "Laptop-Tresor-Passwort-1"


class Laptop:
    """One laptop (its own data dir) of a technician."""

    def __init__(self, home: Path, mailbox: SmtpCapture, env: dict[str, str] | None = None):
        self.home = home
        self.home.mkdir(parents=True, exist_ok=True)
        self.mailbox = mailbox
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "NIKDESK_HOME": str(home),
            # no OS keyring here: tokens go to the encrypted secrets file (never plaintext)
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "NIKDESK_MASTER_PASSWORD": MASTER,
            "NIKDESK_SYNC_RETRY_SECONDS": "40",
            **(env or {}),
        }

    # -- the CLI -------------------------------------------------------------------------

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "nikdesk", *args]

    def run(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            self.cmd(*args),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"nikdesk {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.cmd(*args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def signup(self, server: str, email: str | None = None, password: str = PASSWORD) -> str:
        """Register, read the code from the real mail, verify, log in; return the email."""
        email = email or f"tech-{uuid.uuid4().hex[:10]}@example.com"
        self.run(
            "account",
            "register",
            "--server",
            server,
            "--email",
            email,
            "--name",
            "Techniker",
            input=password + "\n",
        )
        code = self.mailbox.code_for(email)
        self.run("account", "verify", "--server", server, "--email", email, "--code", code)
        self.login(server, email, password)
        return email

    def login(self, server: str, email: str, password: str = PASSWORD) -> None:
        self.run("account", "login", "--server", server, "--email", email, input=password + "\n")

    def sync(self, check: bool = True) -> dict[str, Any]:
        """Run ``nikdesk sync --json``; return its report plus ``rc``."""
        proc = self.run("sync", "--json", check=False)
        try:
            report = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise AssertionError(f"sync printed no JSON:\n{proc.stdout}\n{proc.stderr}") from None
        report["rc"] = proc.returncode
        if check and proc.returncode != 0:
            raise AssertionError(f"sync failed: {report}\n{proc.stderr[-2000:]}")
        return dict(report)

    def sync_until_clean(self, rounds: int = 5) -> dict[str, Any]:
        report: dict[str, Any] = {}
        for _ in range(rounds):
            report = self.sync(check=False)
            if report["rc"] == 0:
                return report
        raise AssertionError(f"still not clean after {rounds} rounds: {report}")

    def sessions(self) -> list[dict[str, Any]]:
        return list(json.loads(self.run("sessions", "list", "--json").stdout))

    def show(self, session_id: str) -> dict[str, Any]:
        return dict(json.loads(self.run("sessions", "show", session_id, "--json").stdout))

    def status(self) -> dict[str, Any]:
        return dict(json.loads(self.run("account", "status", "--json").stdout))

    # -- the store, in this process ------------------------------------------------------

    @property
    def account_id(self) -> str:
        return (self.home / "accounts" / "current").read_text().strip()

    @property
    def db_path(self) -> Path:
        return self.home / "accounts" / self.account_id / "nikdesk.db"

    @contextlib.contextmanager
    def store(self) -> Iterator[Any]:
        """Yield the real ChatStore of the signed-in account (laptop clock skew applied)."""
        from nikdesk.storage.chats import ChatStore
        from nikdesk.storage.db import open_db

        saved = {k: os.environ.get(k) for k in ("NIKDESK_HOME", "NIKDESK_CLOCK_SKEW")}
        os.environ["NIKDESK_HOME"] = str(self.home)
        os.environ["NIKDESK_CLOCK_SKEW"] = self.env.get("NIKDESK_CLOCK_SKEW", "0")
        db = open_db(self.db_path)
        try:
            yield ChatStore(db)
        finally:
            db.close()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def snapshot(self) -> dict[str, Any]:
        """Return every live session (title, pinned) and every message id per session."""
        with self.store() as store:
            return store_snapshot(store.db)


def store_snapshot(db: Any) -> dict[str, Any]:
    """Sessions (live + tombstoned) and message ids of a laptop store, comparable across devices."""
    sessions = {
        r["id"]: (r["title"], bool(r["pinned"]), bool(r["deleted"]))
        for r in db.query("SELECT id, title, pinned, deleted FROM sessions")
    }
    messages = sorted(r["id"] for r in db.query("SELECT id FROM messages WHERE deleted = 0"))
    return {"sessions": sessions, "messages": messages}
