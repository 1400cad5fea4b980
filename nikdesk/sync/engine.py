"""One sync round: push the outbox in batches, then pull pages until the server has no more.

Push: each batch goes out in ``seq`` order with the device id; photos referenced by the batch
are uploaded first (by content hash, skipped when the server has them). The answer marks the
applied changes sent and parks the rejected ones (``outbox.sent = 2``) in one local
transaction; later rows go on. A batch whose answer is lost is sent again — the server skips
what it applied already.

Pull: each page is applied and its cursor saved in one local transaction, so a crash between
pages loses nothing and applies nothing twice.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from nikdesk.core.errors import NikDeskError
from nikdesk.core.paths import data_dir
from nikdesk.core.sync import SCHEMA_VERSION, PushRequest
from nikdesk.storage.db import now_iso, write_transaction
from nikdesk.sync import local
from nikdesk.sync.client import ServerApi

PUSH_BATCH = 100
PULL_PAGE = 500


@dataclass
class SyncReport:
    """What one round did (``nikdesk sync --json`` prints it)."""

    pushed: int = 0
    skipped: int = 0
    pulled: int = 0
    parked: int = 0
    pending: int = 0
    pull_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class SyncEngine:
    """Sync one account's store with its server."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        api: ServerApi,
        device_id: str,
        *,
        push_batch: int = PUSH_BATCH,
        pull_page: int = PULL_PAGE,
        device_name: str = "",
    ) -> None:
        self.db = db
        self.api = api
        self.device_id = device_id
        self.push_batch = push_batch
        self.pull_page = pull_page
        self.device_name = device_name or platform.node()
        local.prepare(db)

    def run(self) -> SyncReport:
        """Push everything pending, then pull everything new; record the outcome."""
        report = SyncReport()
        try:
            self.push(report)
            self.pull(report)
        except NikDeskError as exc:
            report.errors.append(str(exc))
            with write_transaction(self.db):
                local.set_state(self.db, "last_error", str(exc))
                local.set_state(self.db, "last_error_code", exc.code)
            raise
        finally:
            report.pending = local.pending_count(self.db)
            report.parked = local.parked_count(self.db)
        with write_transaction(self.db):
            local.set_state(self.db, "last_sync", now_iso())
            local.set_state(self.db, "last_error", "")
            local.set_state(self.db, "last_error_code", "")
        return report

    # -- push --------------------------------------------------------------------------------

    def push(self, report: SyncReport) -> None:
        while True:
            entries = local.pending_entries(self.db, self.push_batch)
            if not entries:
                return
            changes, local_only = [], []
            for entry in entries:
                change = local.to_change(entry)
                if change is None:
                    local_only.append(entry["seq"])
                else:
                    changes.append(change)
            changes = local.drop_undone_deletes(changes)
            self._upload_photos(changes)
            if changes:
                response = self.api.push(
                    PushRequest(
                        device_id=self.device_id,
                        device_name=self.device_name,
                        schema_version=SCHEMA_VERSION,
                        changes=changes,
                    )
                )
                rejected = {r.seq for r in response.rejected}
                done = [c.seq for c in changes if c.seq <= response.applied_through]
                report.pushed += response.applied
                report.skipped += response.skipped
                report.rejected += [r.model_dump() for r in response.rejected]
            else:
                rejected, done = set(), []
            with write_transaction(self.db):
                local.mark(self.db, local_only + [s for s in done if s not in rejected], local.SENT)
                local.mark(self.db, sorted(rejected), local.PARKED)
            if changes and not done:
                return  # the server applied nothing of this batch: do not loop forever

    def _upload_photos(self, changes: list[Any]) -> None:
        for change in changes:
            if change.table != "attachments" or change.op == "delete":
                continue
            sha = str(change.row.get("sha256", ""))
            if not sha or self.api.has_photo(sha):
                continue
            path = data_dir() / str(change.row.get("path", ""))
            try:
                data = path.read_bytes()
            except OSError:
                continue  # the server rejects the row (photo missing) and it is parked
            self.api.put_photo(sha, data)

    # -- pull --------------------------------------------------------------------------------

    def pull(self, report: SyncReport) -> None:
        while True:
            cursor = int(local.get_state(self.db, "cursor", "0") or 0)
            page, size = self.api.pull(self.device_id, cursor, self.pull_page)
            report.pull_bytes += size
            with write_transaction(self.db):
                report.pulled += local.apply_page(self.db, page.changes)
                local.set_state(self.db, "cursor", str(page.cursor))
            if not page.more or page.cursor == cursor:
                return

    # -- photos ------------------------------------------------------------------------------

    def fetch_photo(self, sha256: str, relative: str) -> Path:
        """Download a photo another device attached (when it is first shown)."""
        target = data_dir() / relative
        if not target.is_file():
            data = self.api.get_photo(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part")
            partial.write_bytes(data)
            partial.replace(target)
        return target


def status(db: sqlite_utils.Database) -> dict[str, Any]:
    """Return the sync state of a store: last sync, pending/parked changes, last error."""
    local.prepare(db)
    return {
        "last_sync": local.get_state(db, "last_sync") or None,
        "pending": local.pending_count(db),
        "parked": local.parked_count(db),
        "last_error": local.get_state(db, "last_error") or None,
        "last_error_code": local.get_state(db, "last_error_code") or None,
        "cursor": int(local.get_state(db, "cursor", "0") or 0),
    }
