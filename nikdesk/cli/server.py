"""Command line of the central server: ``nikdesk server`` [``migrate`` | ``create-admin``].

Acceptance contract (keep stable)::

    nikdesk server [--host 127.0.0.1] [--port 8000] [--data DIR]
    nikdesk server migrate [--data DIR]
    nikdesk server create-admin EMAIL [--data DIR]   # password from stdin when it is not a TTY
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
from pathlib import Path
from typing import Any

from nikdesk.core.errors import MissingExtra


def add_commands(sub: Any) -> None:
    """Add ``nikdesk server`` (and its sub-commands) to the ``nikdesk`` parser."""
    server = sub.add_parser("server", help="run the central server (accounts, chat API, admin)")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8000)
    server.add_argument("--data", type=Path, default=None, help="data dir (NIKDESK_DATA)")
    server.add_argument(
        "--workers", type=int, default=1, help="worker processes (PostgreSQL for more than one)"
    )
    server.set_defaults(func=_cmd_serve)
    cmds = server.add_subparsers(dest="server_command")
    mig = cmds.add_parser("migrate", help="apply the database migrations, then exit")
    mig.add_argument("--data", type=Path, default=None, dest="sub_data")
    mig.set_defaults(func=_cmd_migrate)
    adm = cmds.add_parser("create-admin", help="create (or promote) an administrator")
    adm.add_argument("email")
    adm.add_argument("--data", type=Path, default=None, dest="sub_data")
    adm.add_argument("--name", default="", help="display name")
    adm.set_defaults(func=_cmd_create_admin)


def _settings(args: argparse.Namespace) -> Any:
    """Return ServerSettings with --data applied (exported so worker processes see it)."""
    try:
        from nikdesk.server.config import ServerSettings
    except ImportError as exc:
        raise MissingExtra(exc.name or "fastapi", "server", "The NikDesk server") from exc
    data = getattr(args, "sub_data", None) or getattr(args, "data", None)
    if data is not None:
        os.environ["NIKDESK_DATA"] = str(data.resolve())
    return ServerSettings()


def _cmd_migrate(args: argparse.Namespace) -> int:
    from nikdesk.server.db import make_engine
    from nikdesk.server.migrate import upgrade

    settings = _settings(args)
    settings.data.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url, pool_size=1)
    revision = upgrade(engine)
    engine.dispose()
    print(f"Datenbank ist auf dem neuesten Stand (Revision {revision}).")
    return 0


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        print("Fehler: Die Passwörter stimmen nicht überein.", file=sys.stderr)
        raise SystemExit(2)
    return first


def _cmd_create_admin(args: argparse.Namespace) -> int:
    from nikdesk.server.audit import audit
    from nikdesk.server.db import make_engine, make_sessionmaker, transaction
    from nikdesk.server.migrate import upgrade
    from nikdesk.server.users import (
        AccountError,
        by_email,
        create_user,
        new_password_hash,
        set_password,
        set_role,
    )

    settings = _settings(args)
    settings.data.mkdir(parents=True, exist_ok=True)
    password = _read_password()
    engine = make_engine(settings.db_url, pool_size=1)
    upgrade(engine)
    try:
        with transaction(make_sessionmaker(engine)) as db:
            user = by_email(db, args.email)
            if user is None:
                user = create_user(
                    db,
                    args.email,
                    password,
                    display_name=args.name,
                    role="admin",
                    verified=True,
                    min_password_length=settings.min_password_length,
                )
                action = "angelegt"
            else:
                hashed = new_password_hash(password, settings.min_password_length, user.email)
                set_role(user, "admin")
                user.is_active = user.is_verified = True
                set_password(db, user, hashed)
                action = "zum Administrator gemacht"
            audit(db, None, "admin.create_cli", "user", user.id, email=user.email)
            email = user.email
    except AccountError as exc:
        print(f"Fehler: {exc.message}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"Administrator {email} {action}.")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _metrics_dir(settings.data / "prometheus")  # /metrics sums all workers
    import uvicorn

    from nikdesk.server.db import make_engine
    from nikdesk.server.logs import uvicorn_log_config
    from nikdesk.server.migrate import upgrade

    settings.data.mkdir(parents=True, exist_ok=True)
    _ = settings.signing_key  # generate DATA/jwt_secret once, before any worker starts
    if settings.migrate_on_start:
        engine = make_engine(settings.db_url, pool_size=1)
        upgrade(engine)  # once here, not racing in every worker
        engine.dispose()
    os.environ["NIKDESK_MIGRATE_ON_START"] = "0"
    # uvicorn shuts down gracefully on SIGTERM/SIGINT and then re-raises the signal to the
    # previous handler; a Python no-op handler there makes "stopped by SIGTERM" exit 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        "nikdesk.server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_config=uvicorn_log_config(settings.log_level),
        access_log=False,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=65,  # longer than a load balancer's usual 60 s idle timeout
        proxy_headers=False,
    )
    return 0


def _metrics_dir(path: Path) -> None:
    """Give the workers an empty shared prometheus_client multiprocess directory."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)


def _stopped(_signum: int, _frame: Any) -> None:
    """Accept the SIGTERM uvicorn re-raises after its graceful shutdown."""
