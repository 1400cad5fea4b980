"""Expiry without trusting the laptop clock.

TUF refuses metadata past its ``expires`` date. Which "now" is that compared with?

* **Proven time** (the *floor*): every timestamp this channel signs carries the time it was
  issued (``x-nikdesk-issued``, inside the signed part). The laptop keeps the newest issued
  time it has verified. That time has certainly passed, whatever the laptop clock says.
* **Online** (``--from URL``): expiry is checked against ``max(laptop clock, floor)``. A mirror
  replaying stale metadata (a freeze attack) is refused once it expired. Setting the laptop
  clock back gains nothing below the floor; setting it forward only makes updates refuse
  (a visible error, nothing installed) – it cannot make anything be accepted.
* **USB file** (``--from FILE``): expiry is checked against the floor only. A stick is
  accepted whatever its age if it is newer than everything the laptop has verified (its
  issued time is then past the floor, its expiry later still); an older stick is refused by
  TUF's version rules (never a rollback), so the wall clock decides nothing here. A laptop
  without signal cannot learn that a newer release exists elsewhere: status shows the
  release's issue date so the technician sees how old it is.

Versions (not dates) protect against rollback in both cases: the trusted metadata is kept in
the data dir and its versions never go backwards.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tuf.api.metadata import Metadata, Timestamp

ISSUED_FIELD = "x-nikdesk-issued"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def issued_at(timestamp_json: bytes) -> datetime | None:
    """Return the signed issue time of a timestamp metadata file (None if absent)."""
    md = Metadata[Timestamp].from_bytes(timestamp_json)
    raw = md.signed.unrecognized_fields.get(ISSUED_FIELD)
    if not isinstance(raw, str):
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def reference_time(floor: datetime | None, offline: bool, now: datetime | None = None) -> datetime:
    """Return the time expiry is checked against (see the module docstring)."""
    floor = floor or EPOCH
    if offline:
        return floor
    return max(now or datetime.now(UTC), floor)
