"""8-digit mail codes: stored as keyed hashes, expiring, single use, dead after N wrong tries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nikdesk.server.db import utcnow
from nikdesk.server.models import UserCode

PURPOSES = ("verify", "reset")


def _digest(key: str, user_id: str, purpose: str, code: str) -> str:
    # Keyed (HMAC) because 10^8 codes are brute-forced in seconds from a plain hash in a dump.
    msg = f"{purpose}:{user_id}:{code}".encode()
    return hmac.new(key.encode(), msg, hashlib.sha256).hexdigest()


def issue_code(
    db: Session, key: str, user_id: str, purpose: str, minutes: int
) -> tuple[str, UserCode]:
    """Create a fresh code for ``purpose`` (older open codes die); return (plain code, row)."""
    assert purpose in PURPOSES
    now = utcnow()
    db.execute(
        update(UserCode)
        .where(UserCode.user_id == user_id, UserCode.purpose == purpose, UserCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**8):08d}"
    row = UserCode(
        user_id=user_id,
        purpose=purpose,
        code_hash=_digest(key, user_id, purpose, code),
        expires_at=now + timedelta(minutes=minutes),
    )
    db.add(row)
    db.flush()
    return code, row


def open_code(db: Session, user_id: str, purpose: str, max_attempts: int) -> UserCode | None:
    """Return the user's live code for ``purpose`` (unused, unexpired, attempts left), locked."""
    row = db.scalars(
        select(UserCode)
        .where(UserCode.user_id == user_id, UserCode.purpose == purpose, UserCode.used_at.is_(None))
        .order_by(UserCode.expires_at.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if row is None or row.expires_at <= utcnow() or row.attempts >= max_attempts:
        return None
    return row


def check_code(
    db: Session, key: str, user_id: str, purpose: str, code: str, max_attempts: int
) -> bool:
    """Consume the code when it matches; count a wrong try otherwise (caller commits)."""
    row = open_code(db, user_id, purpose, max_attempts)
    if row is None:
        return False
    if hmac.compare_digest(row.code_hash, _digest(key, user_id, purpose, code.strip())):
        row.used_at = utcnow()
        return True
    row.attempts += 1
    return False


def consume_code_id(db: Session, code_id: str, user_id: str, purpose: str) -> bool:
    """Mark the code ``code_id`` used (mail-link tokens carry it); False when it is not live."""
    row = db.get(UserCode, code_id, with_for_update=True)
    if (
        row is None
        or row.user_id != user_id
        or row.purpose != purpose
        or row.used_at is not None
        or row.expires_at <= utcnow()
    ):
        return False
    row.used_at = utcnow()
    return True
