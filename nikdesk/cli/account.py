"""Command line of accounts and sync: ``account …``, ``sync``, ``sessions …``.

Passwords come from a prompt on a terminal, else from the first line of stdin. Without an OS
keyring the tokens go to the encrypted secrets file, unlocked with ``NIKDESK_MASTER_PASSWORD``
or a prompt.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import asdict
from typing import Any

from nikdesk.core.errors import NikDeskError


def add_commands(sub: Any) -> None:
    """Add ``account``, ``sync`` and ``sessions`` to the ``nikdesk`` parser."""
    account = sub.add_parser("account", help="sign in to the NikDesk server, status, sign out")
    acc = account.add_subparsers(dest="account_command", required=True)
    reg = acc.add_parser("register", help="create an account (the code comes by email)")
    _server_email(reg)
    reg.add_argument("--name", required=True, help="display name")
    reg.set_defaults(func=_cmd_register)
    ver = acc.add_parser("verify", help="confirm the email with the 8-digit code")
    _server_email(ver)
    ver.add_argument("--code", required=True)
    ver.set_defaults(func=_cmd_verify)
    login = acc.add_parser("login", help="sign in (offline: unlock an account used here before)")
    _server_email(login)
    login.set_defaults(func=_cmd_login)
    status = acc.add_parser("status", help="who is signed in, last sync, pending changes")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_cmd_status)
    logout = acc.add_parser("logout", help="sign out (unsynced changes stay unless --wipe)")
    logout.add_argument("--wipe", action="store_true", help="remove this account's local data")
    logout.set_defaults(func=_cmd_logout)

    sync = sub.add_parser("sync", help="one sync round: push local changes, pull the others'")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(func=_cmd_sync)

    sessions = sub.add_parser("sessions", help="the conversations of the signed-in account")
    ses = sessions.add_subparsers(dest="sessions_command", required=True)
    lst = ses.add_parser("list", help="all sessions, pinned first")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_cmd_sessions_list)
    show = ses.add_parser("show", help="one session with its messages")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_cmd_sessions_show)


def _server_email(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True, help="e.g. https://nikdesk.example.com")
    p.add_argument("--email", required=True)


def use_master_password_from_env() -> None:
    """Unlock the encrypted secrets file (no OS keyring) from the env or a prompt."""
    from nikdesk.storage.secrets import set_master_password_provider

    def provide(new: bool) -> str | None:
        value = os.environ.get("NIKDESK_MASTER_PASSWORD")
        if value:
            return value
        if sys.stdin.isatty():
            label = "Neues Master-Passwort" if new else "Master-Passwort"
            return getpass.getpass(f"{label} für den Schlüsseltresor: ")
        return None

    set_master_password_provider(provide)


def _password(prompt: str = "Passwort: ") -> str:
    tty = sys.stdin.isatty()
    value = getpass.getpass(prompt) if tty else sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise NikDeskError("Kein Passwort angegeben (Eingabe oder erste Zeile von stdin).")
    return value


def _cmd_register(args: argparse.Namespace) -> int:
    from nikdesk.sync import accounts

    accounts.register(args.server, args.email, args.name, _password())
    print(
        f"Konto angelegt. Der 8-stellige Code wurde an {args.email} gesendet – weiter mit: "
        f"nikdesk account verify --server {args.server} --email {args.email} --code CODE"
    )
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from nikdesk.sync import accounts

    accounts.verify(args.server, args.email, args.code)
    print("E-Mail-Adresse bestätigt. Jetzt anmelden: nikdesk account login …")
    return 0


def _cmd_login(args: argparse.Namespace) -> int:
    from nikdesk.sync import accounts

    use_master_password_from_env()
    account = accounts.login(args.server, args.email, _password())
    print(f"Angemeldet als {account.email} ({account.name or account.id}).")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from nikdesk.storage.db import open_db
    from nikdesk.sync import accounts
    from nikdesk.sync.engine import status

    account = accounts.current_or_none()
    info: dict[str, Any] = {"signed_in": account is not None}
    if account is not None:
        use_master_password_from_env()
        from nikdesk.sync.client import Tokens

        db = open_db()
        try:
            info.update(
                account_id=account.id,
                email=account.email,
                name=account.name,
                server=account.server,
                device_id=account.device_id,
                has_token=Tokens(account.id).refresh_token() is not None,
                **status(db),
            )
        finally:
            db.close()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    elif account is None:
        print("Nicht angemeldet.")
    else:
        print(f"Angemeldet: {info['email']} auf {info['server']}")
        print(f"Letzter Sync: {info['last_sync'] or 'noch nie'}")
        print(f"Ausstehende Änderungen: {info['pending']} (zurückgestellt: {info['parked']})")
        if info["last_error"]:
            print(f"Letzter Fehler: {info['last_error']}")
    return 0


def _cmd_logout(args: argparse.Namespace) -> int:
    from nikdesk.sync import accounts

    use_master_password_from_env()
    account = accounts.logout(wipe=args.wipe)
    extra = " Lokale Daten entfernt." if args.wipe else ""
    print(f"{account.email} abgemeldet.{extra}")
    return 0


def _cmd_sync(args: argparse.Namespace) -> int:
    from nikdesk.sync.engine import SyncReport
    from nikdesk.sync.service import sync_now

    use_master_password_from_env()
    try:
        report = sync_now()
    except NikDeskError as exc:
        if not args.json:
            raise
        failed = SyncReport(errors=[str(exc)])
        print(json.dumps({**failed.to_json(), "error_code": exc.code}, ensure_ascii=False))
        return 1
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(
            f"Gesendet: {report.pushed}, empfangen: {report.pulled}, "
            f"zurückgestellt: {report.parked}, ausstehend: {report.pending}"
        )
    return 0 if report.pending == 0 else 1


def _cmd_sessions_list(args: argparse.Namespace) -> int:
    from nikdesk.storage.chats import ChatStore

    store = ChatStore()
    counts = {
        row["session_id"]: row["n"]
        for row in store.db.query(
            "SELECT session_id, count(*) AS n FROM messages WHERE deleted = 0 GROUP BY session_id"
        )
    }
    rows = [
        {
            "id": s.id,
            "title": s.title,
            "pinned": s.pinned,
            "updated": s.updated,
            "messages": counts.get(s.id, 0),
        }
        for s in store.sessions()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            pin = "📌 " if row["pinned"] else ""
            print(f"{row['id']}  {pin}{row['title']}  ({row['messages']} Nachrichten)")
    return 0


def _cmd_sessions_show(args: argparse.Namespace) -> int:
    from nikdesk.storage.chats import ChatStore

    store = ChatStore()
    session = store.session(args.id)
    messages: list[dict[str, Any]] = [
        {
            "id": m.id,
            "role": m.role,
            "text": m.text,
            "sources": [asdict(s) for s in m.sources],
            "created": m.created,
            "photos": [a.sha256 for a in store.attachments(m.id)],
        }
        for m in store.messages(session.id)
    ]
    out = {
        "id": session.id,
        "title": session.title,
        "pinned": session.pinned,
        "deleted": session.deleted,
        "updated": session.updated,
        "messages": messages,
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"# {session.title}" + ("  (gelöscht)" if session.deleted else ""))
        for m in messages:
            print(f"\n[{m['role']}] {m['text']}")
            for s in m["sources"]:
                print(f"  – {s.get('title') or s.get('file')}, S. {s.get('page')}")
    return 0
