"""The laptop side: check for a release, download what changed, verify, stage, switch.

``UpdateClient(root)`` works on ``<data dir>/updates`` (see install.py). Every check and
apply runs TUF's client workflow (``tuf.ngclient``) on a *copy* of the trusted metadata:
only a successful install (or a verified "nothing new") commits it, in the same pointer
write that switches the release. A refused update therefore changes nothing at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from tuf.api import exceptions
from tuf.api.metadata import Metadata, Root, TargetFile
from tuf.ngclient import Updater

from nikdesk.storage.installed_release import updates_dir
from nikdesk.updates.clock import issued_at, reference_time
from nikdesk.updates.errors import (
    NotProvisioned,
    UpdateError,
    UpdateRefused,
    UpdateUnavailable,
)
from nikdesk.updates.install import Installation
from nikdesk.updates.release import RELEASE_TARGET, ChangedDoc, Changes, ReleaseManifest
from nikdesk.updates.transport import Source, download_target, open_source
from nikdesk.updates.verify import refresh, targetinfo

log = logging.getLogger(__name__)
# receives (installed release version, root version) after each install or rollback
Reporter = Callable[[int | None, int | None], None]

SOURCE_ENV = "NIKDESK_UPDATE_URL"
Progress = Callable[[int, int, str], None]  # bytes done, bytes total, stage/target


@dataclass(frozen=True)
class Offer:
    """What a source offers against what is installed."""

    source: str
    version: int
    created: str
    installed: int | None
    up_to_date: bool
    changes: Changes
    download_bytes: int
    download_files: int
    documents: int

    def summary(self) -> str:
        """Return the German one-line notice."""
        if self.up_to_date:
            return f"Handbücher sind aktuell (Version {self.installed})."
        mb = self.download_bytes / 1e6
        size = f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"
        return f"Handbuch-Update verfügbar: {self.changes.summary()} ({size})"

    def to_json(self) -> dict[str, object]:
        """Return the JSON form (``--json``)."""
        return asdict(self) | {"summary": self.summary()}


@dataclass(frozen=True)
class Status:
    """The installed release, for ``update status`` and the library view."""

    installed: int | None
    created: str | None
    documents: int
    path: str | None
    previous: int | None
    root_version: int | None
    proven_time: str | None
    source: str | None

    def to_json(self) -> dict[str, object]:
        """Return the JSON form."""
        return asdict(self)


@dataclass
class _Session:
    updater: Updater
    source: Source
    work: Path
    floor: str | None
    release: ReleaseManifest | None = None


class UpdateClient:
    """Check, apply and roll back releases on this laptop."""

    def __init__(self, root: Path | None = None, reporter: Reporter | None = None) -> None:
        self.root = root or updates_dir()
        self.install = Installation(self.root)
        # tells the fleet server which release runs here after every change (see
        # nikdesk.app.updates: through the signed-in account); None: nobody is told
        self.reporter = reporter

    # -- provisioning ----------------------------------------------------------------------

    def trust(self, root_json: Path, force: bool = False) -> int:
        """Make ``root_json`` the trust anchor (first start); return its root version.

        A provisioned laptop refuses (unless ``force``): starting over from a root file would
        forget the metadata versions it has seen, i.e. its rollback protection. New keys reach
        it by root rotation with the next update.
        """
        if self.provisioned() and not force:
            raise UpdateError(
                "Dieser Laptop hat bereits einen Vertrauensanker. Neue Schlüssel kommen mit dem "
                "nächsten Update (root-Rotation); neu einrichten nur mit --force."
            )
        try:
            data = root_json.read_bytes()
            root = Metadata[Root].from_bytes(data)
            root.signed.verify_delegate(Root.type, root.signed_bytes, root.signatures)
        except (OSError, ValueError, exceptions.RepositoryError) as exc:
            raise UpdateError(f"{root_json} ist keine gültige root.json ({exc}).") from exc
        work = self.root / f".staging-{os.getpid()}-trust"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        with self._lock():
            return self._trust(work, data, root)

    def _trust(self, work: Path, data: bytes, root: Metadata[Root]) -> int:
        Updater(str(work), "file:///unused/", fetcher=None, bootstrap=data)  # writes root
        name = self.install.commit_trust(work)
        state = self.install.state()
        self.install.switch(None, name, state.floor, state.source)
        return root.signed.version

    def provisioned(self) -> bool:
        """Tell whether a trust anchor is installed."""
        trust = self.install.trust_dir()
        return trust is not None and (trust / "root.json").exists()

    # -- check / apply ---------------------------------------------------------------------

    def check(self, where: str | None = None) -> Offer:
        """Refresh and verify the metadata; say what an apply would download."""
        with self._session(where) as session:
            offer, _ = self._plan(session)
            return offer

    def apply(
        self,
        where: str | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Offer:
        """Install the newest release from ``where``; raise (changing nothing) if refused."""
        offer = self._install(where, progress, cancel)
        if not offer.up_to_date:
            self._report()  # after the lock: the report never holds up another update
        return offer

    def _install(
        self, where: str | None, progress: Progress | None, cancel: threading.Event | None
    ) -> Offer:
        with self._session(where) as session:
            offer, plan = self._plan(session)
            assert session.release is not None
            if offer.up_to_date:
                self._commit(session, None)  # remember the newer metadata (and proven time)
                return offer
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, offer.download_bytes, "download")

            self.install.downloads.mkdir(parents=True, exist_ok=True)
            files: dict[str, tuple[TargetFile, Path]] = {}
            known = self.install.known_files()
            titles = {f"doc/{d.doc_id}": d.title or d.file for d in session.release.index.documents}
            for target, info in plan.items():
                sha = info.hashes["sha256"]
                if sha in known:
                    files[target] = (info, known[sha])
                    continue
                try:
                    path = download_target(
                        session.source, target, info, self.install.downloads, step, cancel
                    )
                except UpdateRefused as exc:  # name the manual, not the file inside the release
                    title = titles.get(target.rsplit("/", 1)[0], target)
                    raise UpdateRefused(exc.reason.replace(target, f"»{title}«")) from exc
                files[target] = (info, path)
            if progress:
                progress(offer.download_bytes, offer.download_bytes, "index")
            staged = self.install.stage(session.release, files)
            self._commit(session, staged.name)
            self._clear_downloads(plan)
            return offer

    def rollback(self) -> Status:
        """Go back to the previous release (and forward again with a second rollback)."""
        with self._lock():
            self.install.rollback()
        self._report()
        return self.status()

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """Let one process at a time change the installation (the app and the CLI may race)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as fh:
            try:
                import fcntl
            except ImportError:  # Windows: no advisory locks; the pointer stays atomic anyway
                yield
                return
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise UpdateError(
                    "Es läuft bereits ein Update in einem anderen NikDesk-Fenster oder Befehl."
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def status(self) -> Status:
        """Return what is installed."""
        state = self.install.state()
        current = self.install.release_of(state.current)
        previous = self.install.release_of(state.previous)
        trust = self.install.trust_dir()
        root_version = None
        if trust is not None and (trust / "root.json").exists():
            root_version = Metadata[Root].from_file(str(trust / "root.json")).signed.version
        path = self.install.release_dir(state.current)
        return Status(
            installed=current.version if current else None,
            created=current.created if current else None,
            documents=len(current.index.documents) if current else 0,
            path=str(path) if path else None,
            previous=previous.version if previous else None,
            root_version=root_version,
            proven_time=state.floor,
            source=state.source,
        )

    # -- internals -------------------------------------------------------------------------

    @contextmanager
    def _session(self, where: str | None) -> Iterator[_Session]:
        with self._lock():
            yield from self._open_session(where)

    def _open_session(self, where: str | None) -> Iterator[_Session]:
        trust = self.install.trust_dir()
        if trust is None or not (trust / "root.json").exists():
            raise NotProvisioned
        state = self.install.state()
        where = where or os.environ.get(SOURCE_ENV) or state.source
        if not where:
            raise UpdateUnavailable(
                "Keine Update-Quelle bekannt. Mit --from URL oder --from DATEI angeben."
            )
        self.install.cleanup()
        source = open_source(where)
        work = self.root / f".staging-{os.getpid()}-trust"
        shutil.rmtree(work, ignore_errors=True)
        try:
            shutil.copytree(trust, work, symlinks=True)
            updater = Updater(
                str(work),
                source.metadata_url,
                target_base_url=source.targets_url,
                fetcher=source,
                bootstrap=None,  # the laptop's own trusted root (provisioned by `update trust`)
            )
            floor = _parse_time(state.floor)
            # see clock.py: the laptop clock never overrides what signed data proves
            updater._trusted_set.reference_time = reference_time(floor, source.offline)
            refresh(updater)
            issued = issued_at((work / "timestamp.json").read_bytes())
            newest = max(t for t in (floor, issued) if t is not None) if (floor or issued) else None
            session = _Session(updater, source, work, newest.isoformat() if newest else None)
            session.release = self._release(session)
            yield session
        finally:
            source.close()
            shutil.rmtree(work, ignore_errors=True)

    def _release(self, session: _Session) -> ReleaseManifest:
        info = targetinfo(session.updater, RELEASE_TARGET)
        self.install.downloads.mkdir(parents=True, exist_ok=True)
        path = download_target(session.source, RELEASE_TARGET, info, self.install.downloads)
        try:
            return ReleaseManifest.from_json(path.read_bytes())
        except ValueError as exc:
            raise UpdateRefused(f"Die Freigabebeschreibung ist fehlerhaft ({exc}).") from exc

    def _plan(self, session: _Session) -> tuple[Offer, dict[str, TargetFile]]:
        release = session.release
        assert release is not None
        installed = self.install.release_of(self.install.state().current)
        plan = {
            target: targetinfo(session.updater, target)
            for t in release.targets
            for target in t.paths()
        }
        known = self.install.known_files()
        missing = {t: i for t, i in plan.items() if i.hashes["sha256"] not in known}
        size = 0
        for info in missing.values():
            done = self.install.downloads / info.hashes["sha256"]
            part = done.with_name(done.name + ".part")
            have = done.stat().st_size if done.is_file() else 0
            have = have or (part.stat().st_size if part.is_file() else 0)
            size += max(info.length - have, 0)
        up_to_date = installed is not None and release.version <= installed.version
        offer = Offer(
            source=session.source.label,
            version=release.version,
            created=release.created,
            installed=installed.version if installed else None,
            up_to_date=up_to_date,
            changes=self._changes(release, installed, plan),
            download_bytes=0 if up_to_date else size,
            download_files=0 if up_to_date else len(missing),
            documents=len(release.index.documents),
        )
        return offer, plan

    def _changes(
        self,
        release: ReleaseManifest,
        installed: ReleaseManifest | None,
        plan: dict[str, TargetFile],
    ) -> Changes:
        """Compare with what *this laptop* has (it may have skipped releases)."""
        docs = release.index.documents
        if installed is None:
            return Changes(added=tuple(ChangedDoc(d.doc_id, d.title, d.file) for d in docs))
        have = set(self.install.installed_files(self.install.state().current).values())
        before = {d.doc_id for d in installed.index.documents}
        added, updated = [], []
        for doc in docs:
            if doc.doc_id not in before:
                added.append(ChangedDoc(doc.doc_id, doc.title, doc.file))
            elif any(
                plan[p].hashes["sha256"] not in have for p in release.targets_of(doc.doc_id).paths()
            ):
                updated.append(ChangedDoc(doc.doc_id, doc.title, doc.file))
        now = {d.doc_id for d in docs}
        removed = tuple(
            ChangedDoc(d.doc_id, d.title, d.file)
            for d in installed.index.documents
            if d.doc_id not in now
        )
        return Changes(
            tuple(added),
            tuple(updated),
            removed,
            installed.index.embedder != release.index.embedder,
        )

    def _report(self) -> None:
        """Tell the reporter which release runs here now (best effort: never fails an update)."""
        if self.reporter is None:
            return
        status = self.status()
        try:
            self.reporter(status.installed, status.root_version)
        except Exception as exc:  # offline, signed out, server down: the next change reports
            log.info("release report not sent: %s", exc)

    def _commit(self, session: _Session, release_name: str | None) -> None:
        trust_name = self.install.commit_trust(session.work)
        source = None if session.source.offline else session.source.label
        self.install.switch(release_name, trust_name, session.floor, source)

    def _clear_downloads(self, plan: dict[str, TargetFile]) -> None:
        used = {i.hashes["sha256"] for i in plan.values()}
        for sha in used:
            (self.install.downloads / sha).unlink(missing_ok=True)


def _parse_time(raw: str | None) -> datetime | None:
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
