"""Audit log of admin and support actions (who did what to which record; never secrets)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from nikdesk.server.models import AuditLog

_SECRET_WORDS = ("password", "token", "code", "secret", "hash")


def _clean(details: dict[str, Any]) -> dict[str, Any]:
    """Drop values whose key names a secret; keep everything JSON-safe."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            out[key] = "***"
        elif isinstance(value, dict):
            out[key] = _clean(value)
        elif isinstance(value, str | int | float | bool | type(None) | list):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def audit(
    session: Session,
    actor_id: str | None,
    action: str,
    target_type: str = "",
    target_id: str = "",
    **details: Any,
) -> AuditLog:
    """Add an audit row in the caller's transaction, e.g. ``audit(db, admin.id, "user.patch",
    "user", uid, changes={...})``."""
    row = AuditLog(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=_clean(details),
    )
    session.add(row)
    return row
