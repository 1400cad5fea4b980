"""Command line of signed manual releases: ``nikdesk release …`` (admin), ``nikdesk update …``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import threading
from pathlib import Path
from typing import Any


def _needs_tuf(func: Any) -> Any:
    """Turn a missing python-tuf into the typed error naming the pip extra."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except ImportError as exc:
            from nikdesk.updates import missing_extra

            raise missing_extra(exc) from exc

    return run


def add_commands(sub: Any) -> None:
    """Add ``release`` and ``update`` to the ``nikdesk`` parser."""
    release = sub.add_parser("release", help="publish signed manual releases (admin)")
    rsub = release.add_subparsers(dest="sub")
    keys = rsub.add_parser("keys", help="signing keys").add_subparsers(dest="keys_cmd")
    init = keys.add_parser("init", help="create root and online keys; writes KEYDIR/root.json")
    init.add_argument("keydir", type=Path)
    init.add_argument("--root-keys", type=int, default=1)
    init.add_argument("--root-threshold", type=int, default=1)
    init.add_argument("--targets-keys", type=int, default=1)
    init.add_argument("--targets-threshold", type=int, default=1)
    init.set_defaults(func=_needs_tuf(_keys_init))
    rotate = keys.add_parser("rotate", help="replace or revoke keys (new root version)")
    rotate.add_argument("keydir", type=Path)
    rotate.add_argument(
        "--role", required=True, choices=["root", "targets", "snapshot", "timestamp"]
    )
    rotate.add_argument("--revoke", action="append", default=[], help="key id (prefix) to remove")
    rotate.add_argument("--add", type=int, default=1, help="new keys to create (default 1)")
    rotate.add_argument("--threshold", type=int, default=None)
    rotate.set_defaults(func=_needs_tuf(_keys_rotate))

    pub = rsub.add_parser("publish", help="sign and publish an index bundle as a release")
    pub.add_argument("index_dir", type=Path)
    where = pub.add_mutually_exclusive_group(required=True)
    where.add_argument("--repo", type=Path, help="repository folder (served as static files)")
    where.add_argument("--server", help="NikDesk server URL (upload as an admin)")
    pub.add_argument("--keys", type=Path, required=True, help="key folder (release keys init)")
    pub.add_argument("--docs", type=Path, default=None, help="folder the index was built from")
    pub.add_argument("--user", default=None, help="admin account for --server")
    pub.add_argument("--expires-days", type=float, default=None, help="metadata lifetime")
    pub.set_defaults(func=_needs_tuf(_publish))

    status = rsub.add_parser("status", help="the published release, expiry and keys")
    status.add_argument("--repo", type=Path, required=True)
    status.add_argument("--keys", type=Path, default=None)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_needs_tuf(_release_status))

    export = rsub.add_parser("export", help="one file with the current release (USB stick)")
    export.add_argument("--repo", type=Path, required=True)
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(func=_needs_tuf(_export))

    update = sub.add_parser("update", help="install signed manual releases on this laptop")
    usub = update.add_subparsers(dest="sub")
    trust = usub.add_parser("trust", help="provision the trust anchor (root.json)")
    trust.add_argument("root_json", type=Path)
    trust.add_argument("--force", action="store_true", help="replace an existing trust anchor")
    trust.set_defaults(func=_needs_tuf(_trust))
    for name, func, text in (
        ("check", _check, "is a newer release available?"),
        ("apply", _apply, "download, verify and install the newest release"),
    ):
        p = usub.add_parser(name, help=text)
        p.add_argument("--from", dest="source", default=None, help="URL or exported FILE")
        p.add_argument("--json", action="store_true")
        if name == "apply":
            p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.set_defaults(func=_needs_tuf(func))
    back = usub.add_parser("rollback", help="go back to the previous release")
    back.set_defaults(func=_needs_tuf(_rollback))
    ustatus = usub.add_parser("status", help="installed release")
    ustatus.add_argument("--json", action="store_true")
    ustatus.set_defaults(func=_needs_tuf(_update_status))


def _keys_init(args: argparse.Namespace) -> int:
    from nikdesk.updates.keys import init_keys

    root = init_keys(
        args.keydir,
        args.root_keys,
        args.root_threshold,
        args.targets_keys,
        args.targets_threshold,
        passphrase=_new_passphrase(),
    )
    print(f"Schlüssel angelegt in {args.keydir}. Vertrauensanker für die Laptops: {root}")
    print("Die root-Schlüssel (private/root-*.pem) offline aufbewahren.")
    return 0


MIN_PASSPHRASE = 12


def _new_passphrase() -> bytes:
    """Return the passphrase for new signing keys (secret store, environment, else asked twice)."""
    from nikdesk.core.errors import NikDeskError
    from nikdesk.storage.secrets import get_secret
    from nikdesk.updates.keys import PASSPHRASE_ENV, PASSPHRASE_SECRET

    value = get_secret(PASSPHRASE_SECRET)
    if value is None:
        if not sys.stdin.isatty():
            raise NikDeskError(
                "Die Signaturschlüssel werden mit einer Passphrase verschlüsselt: bitte im "
                f"Terminal eingeben oder {PASSPHRASE_ENV} setzen."
            )
        value = getpass.getpass("Passphrase für die Signaturschlüssel: ")
        if getpass.getpass("Passphrase wiederholen: ") != value:
            raise NikDeskError("Die Passphrasen stimmen nicht überein – nichts angelegt.")
    if len(value) < MIN_PASSPHRASE:
        raise NikDeskError(
            f"Die Passphrase ist zu kurz (mindestens {MIN_PASSPHRASE} Zeichen) – nichts angelegt."
        )
    return value.encode()


def _passphrase(keydir: Path) -> bytes | None:
    """Return the passphrase of the key folder's encrypted keys (None: not encrypted)."""
    from nikdesk.storage.secrets import get_secret
    from nikdesk.updates.keys import PASSPHRASE_SECRET, keys_encrypted

    if not keys_encrypted(keydir):
        return None
    value = get_secret(PASSPHRASE_SECRET)
    if value is None and sys.stdin.isatty():
        value = getpass.getpass(f"Passphrase für die Signaturschlüssel in {keydir}: ")
    return value.encode() if value else None  # missing: KeyRing says what to do


def _keys_rotate(args: argparse.Namespace) -> int:
    from nikdesk.updates.keys import KeyRing, rotate

    rotate(
        args.keydir,
        args.role,
        tuple(args.revoke),
        args.add,
        args.threshold,
        passphrase=_passphrase(args.keydir),
    )
    version = KeyRing(args.keydir).root.signed.version
    print(f"Neue root-Version {version}. Wird mit der nächsten Veröffentlichung verteilt.")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from nikdesk.updates.keys import KeyRing
    from nikdesk.updates.publish import publish
    from nikdesk.updates.repo import ONLINE_DAYS, Repository

    keys = KeyRing(args.keys, passphrase=_passphrase(args.keys)).unlock()
    days = args.expires_days or ONLINE_DAYS
    if args.server:
        from nikdesk.updates.remote import publish_to_server

        report = publish_to_server(args.index_dir, args.server, keys, args.docs, args.user, days)
    else:
        report = publish(args.index_dir, Repository(args.repo), keys, args.docs, days)
    if report.unchanged:
        print(
            f"Keine Änderung – Version {report.version} neu signiert (gültig bis "
            f"{report.commit.expires})."
        )
    else:
        print(
            f"Version {report.version} veröffentlicht: {report.changes.summary()}; "
            f"{report.documents} Handbücher, {report.bytes_new / 1e6:.1f} MB neu."
        )
        _print_changes(report.changes)
    return 0


def _release_status(args: argparse.Namespace) -> int:
    from nikdesk.updates.keys import KeyRing
    from nikdesk.updates.publish import previous_release
    from nikdesk.updates.repo import Repository

    repo = Repository(args.repo)
    release = previous_release(repo)
    ts = repo.timestamp()
    root = repo.current_root()
    info: dict[str, Any] = {
        "version": release.version if release else None,
        "created": release.created if release else None,
        "documents": len(release.index.documents) if release else 0,
        "changes": release.changes.summary() if release else None,
        "expires": ts.signed.expires.isoformat() if ts else None,
        "root_version": root.signed.version if root else None,
    }
    if args.keys:
        info["keys"] = [k.__dict__ for k in KeyRing(args.keys).key_infos()]
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    elif release is None:
        print(f"Unter {args.repo} ist noch keine Version veröffentlicht.")
    else:
        print(
            f"Version {info['version']} vom {info['created']}: {info['documents']} Handbücher "
            f"({info['changes']}); gültig bis {info['expires']}; root v{info['root_version']}"
        )
        for k in info.get("keys", []):
            here = "privat hier" if k["private_here"] else "nur öffentlich"
            print(f"  {k['role']:9} {k['keyid'][:16]}  {here}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from nikdesk.updates.repo import Repository
    from nikdesk.updates.usb import export

    size = export(Repository(args.repo), args.out)
    print(f"{args.out} geschrieben ({size / 1e6:.1f} MB).")
    return 0


def _trust(args: argparse.Namespace) -> int:
    from nikdesk.updates.client import UpdateClient

    version = UpdateClient().trust(args.root_json, force=args.force)
    print(f"Vertrauensanker eingerichtet (root-Version {version}).")
    return 0


def _check(args: argparse.Namespace) -> int:
    from nikdesk.updates.client import UpdateClient

    offer = UpdateClient().check(args.source)
    if args.json:
        print(json.dumps(offer.to_json(), ensure_ascii=False, indent=1))
    else:
        print(offer.summary())
        if not offer.up_to_date:
            _print_changes(offer.changes)
    return 0


def _print_changes(changes: Any) -> None:
    """Print the manuals a release adds, changes and removes, one line each."""
    for label, docs in (
        ("neu", changes.added),
        ("geändert", changes.updated),
        ("entfernt", changes.removed),
    ):
        for d in docs:
            print(f"  {label}: {d.title or d.file}")


def _apply(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from nikdesk.app.updates import update_client
    from nikdesk.cli.account import use_master_password_from_env

    use_master_password_from_env()  # the report to the account's server needs its token

    bar: Any = None

    def progress(done: int, total: int, stage: str) -> None:
        nonlocal bar
        if args.quiet or args.json:
            return
        if bar is None:
            bar = tqdm(total=total, unit="B", unit_scale=True, desc="Lade", file=sys.stderr)
        bar.update(done - bar.n)
        if stage == "index":
            bar.set_description("Baue Suchindex")

    cancel = threading.Event()
    try:
        offer = update_client().apply(args.source, progress, cancel)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(
            json.dumps(
                offer.to_json() | {"installed_now": not offer.up_to_date},
                ensure_ascii=False,
                indent=1,
            )
        )
    elif offer.up_to_date:
        print(offer.summary())
    else:
        print(f"Version {offer.version} installiert: {offer.changes.summary()}.")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from nikdesk.app.updates import update_client
    from nikdesk.cli.account import use_master_password_from_env

    use_master_password_from_env()  # the report to the account's server needs its token

    status = update_client().rollback()
    print(f"Zurückgesetzt auf Version {status.installed} (vorher {status.previous}).")
    return 0


def _update_status(args: argparse.Namespace) -> int:
    from nikdesk.updates.client import UpdateClient

    status = UpdateClient().status()
    if args.json:
        print(json.dumps(status.to_json(), ensure_ascii=False, indent=1))
    elif status.installed is None:
        print("Keine Handbuch-Version installiert (es gilt der mitgelieferte Index).")
    else:
        print(
            f"Installiert: Version {status.installed} vom {status.created}, "
            f"{status.documents} Handbücher. Vorherige: {status.previous or '–'}."
        )
    return 0
