"""Sign-ins as refresh-token families: issue, rotate (reuse revokes the family), revoke, list.

One login = one family. Every refresh replaces the presented token by a new one of the same
family; presenting a token that was already replaced means it leaked (or a client retried a
lost response): the whole family is revoked, and the access tokens bound to it (claim ``sid``)
stop working at once because :func:`family_alive` is checked on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Exists, exists, select, update
from sqlalchemy.orm import Session

from nikdesk.server.auth import tokens
from nikdesk.server.config import ServerSettings
from nikdesk.server.db import utcnow
from nikdesk.server.models import RefreshToken, User, new_id


@dataclass(frozen=True)
class TokenPair:
    """What a login or refresh returns to the client."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds until the access token expires
    family_id: str

    def as_json(self) -> dict[str, object]:
        """Return the reference login answer plus the refresh token."""
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "signin_id": self.family_id,
        }


class RefreshRejected(Exception):
    """The refresh token is invalid, expired, revoked or was reused."""


def _pair(settings: ServerSettings, user: User, row: RefreshToken) -> TokenPair:
    key = settings.signing_key
    access = tokens.access_token(
        key, user.id, row.family_id, user.token_epoch, settings.access_token_minutes
    )
    refresh = tokens.encode(
        key,
        tokens.AUD_REFRESH,
        user.id,
        row.expires_at - utcnow(),
        jti=row.id,
        sid=row.family_id,
    )
    return TokenPair(access, refresh, settings.access_token_minutes * 60, row.family_id)


def issue(
    db: Session,
    settings: ServerSettings,
    user: User,
    *,
    device_id: str | None = None,
    device_name: str = "",
    user_agent: str = "",
) -> TokenPair:
    """Start a new sign-in (family) for ``user``; the caller commits."""
    now = utcnow()
    row = RefreshToken(
        id=new_id(),
        user_id=user.id,
        family_id=new_id(),
        device_id=device_id,
        device_name=device_name[:200],
        user_agent=user_agent[:400],
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_days),
    )
    db.add(row)
    db.flush()
    return _pair(settings, user, row)


def rotate(db: Session, settings: ServerSettings, refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair; reuse revokes the family (caller commits!)."""
    try:
        claims = tokens.decode(settings.signing_key, tokens.AUD_REFRESH, refresh_token)
    except tokens.TokenError as exc:
        raise RefreshRejected(str(exc)) from exc
    row = db.get(RefreshToken, claims["jti"], with_for_update=True)
    if row is None or row.user_id != claims["sub"]:
        raise RefreshRejected("unknown token")
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now:
        raise RefreshRejected("revoked or expired")
    user = db.get(User, row.user_id)
    if user is None or not user.is_active or claims.get("sid") != row.family_id:
        raise RefreshRejected("user gone")
    if row.replaced_by is not None:
        successor = _retry_successor(db, settings, row, now)
        if successor is not None:  # a client retrying a refresh whose answer it never got
            return _pair(settings, user, successor)
        revoke_family(db, row.family_id)  # reuse: the token leaked; the caller must commit this
        raise RefreshRejected("reused")
    new = RefreshToken(
        id=new_id(),
        user_id=row.user_id,
        family_id=row.family_id,
        device_id=row.device_id,
        device_name=row.device_name,
        user_agent=row.user_agent,
        created_at=row.created_at,  # the sign-in's start, shown in the device list
        last_used_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_days),
    )
    db.add(new)
    row.replaced_by = new.id
    row.last_used_at = now
    db.flush()
    return _pair(settings, user, new)


def _retry_successor(
    db: Session, settings: ServerSettings, row: RefreshToken, now: datetime
) -> RefreshToken | None:
    """Return the unused successor of ``row`` when it was replaced within the grace period.

    NIKDESK_REFRESH_REUSE_GRACE_SECONDS (default 0 = strict) lets a laptop on a flaky link
    repeat a refresh whose answer was lost without losing its sign-in.
    """
    grace = settings.refresh_reuse_grace_seconds
    if grace <= 0 or row.last_used_at is None or now - row.last_used_at > timedelta(seconds=grace):
        return None
    successor = db.get(RefreshToken, row.replaced_by, with_for_update=True)
    if successor is None or successor.replaced_by is not None or successor.revoked_at is not None:
        return None
    return successor


def revoke_family(db: Session, family_id: str) -> None:
    """Revoke every token of one sign-in."""
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all(db: Session, user: User) -> None:
    """Log ``user`` out everywhere: revoke all families and bump the token epoch."""
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    user.token_epoch += 1


def family_alive_clause(user_id: str, family_id: str) -> Exists:
    """Return the SQL test "the sign-in still has a live token" (checked on every request)."""
    return exists().where(
        RefreshToken.family_id == family_id,
        RefreshToken.user_id == user_id,
        RefreshToken.revoked_at.is_(None),
        RefreshToken.replaced_by.is_(None),
        RefreshToken.expires_at > utcnow(),
    )


def family_alive(db: Session, user_id: str, family_id: str) -> bool:
    """Tell whether the sign-in still has a live (unrevoked, unexpired) token."""
    return bool(db.scalar(select(family_alive_clause(user_id, family_id))))


def active(db: Session, user_id: str) -> list[RefreshToken]:
    """Return the user's live sign-ins (the newest token of each family), newest first."""
    rows = db.scalars(
        select(RefreshToken)
        .where(
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
            RefreshToken.replaced_by.is_(None),
            RefreshToken.expires_at > utcnow(),
        )
        .order_by(RefreshToken.last_used_at.desc())
    )
    return list(rows)
