"""FastAPI dependencies: database sessions, settings, and who is calling.

``current_user`` checks, on every request: signature + expiry + audience of the bearer JWT, the
user exists and is active, the token epoch matches (log out everywhere / password change) and
its sign-in family is not revoked (logout) — so a logged-out token fails at once.
The user is read in its own short read-only transaction and returned detached; routes get their
own session from ``get_db`` (a SQLite write transaction starts at the first statement, so keep
route transactions short and never hold a session open while streaming).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from nikdesk.server.auth import signins, tokens
from nikdesk.server.config import ServerSettings
from nikdesk.server.errors import forbidden, unauthorized
from nikdesk.server.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)


async def get_settings(request: Request) -> ServerSettings:
    """Return the app's settings."""
    settings: ServerSettings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """Yield a session for this request (routes commit explicitly; rolled back otherwise)."""
    with request.app.state.db() as session:
        yield session


def get_read_db(request: Request) -> Iterator[Session]:
    """Yield a read-only session (on SQLite it never takes the write lock)."""
    with request.app.state.read_db() as session:
        yield session


async def access_claims(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> tokens.AccessClaims:
    """Return the verified claims of the bearer token, or 401."""
    if not token:
        raise unauthorized("Anmeldung erforderlich.")
    try:
        claims = tokens.decode_access(request.app.state.settings.signing_key, token)
    except tokens.TokenError:
        raise unauthorized() from None
    request.state.user_id = claims.user_id  # for the access log and per-user rate limits
    return claims


def current_user(
    request: Request, claims: Annotated[tokens.AccessClaims, Depends(access_claims)]
) -> User:
    """Return the signed-in, active user of a live token, else 401."""
    with request.app.state.read_db() as db, db.begin():
        row = db.execute(
            select(User, signins.family_alive_clause(claims.user_id, claims.family_id)).where(
                User.id == claims.user_id
            )
        ).first()
        if row is None or not row[1]:
            raise unauthorized()
        user = row[0]
        if not user.is_active or user.token_epoch != claims.epoch:
            raise unauthorized()
        db.expunge(user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
Claims = Annotated[tokens.AccessClaims, Depends(access_claims)]


async def require_verified(user: CurrentUser) -> User:
    """Return the user when their email is verified, else 403 (chat and the like need it)."""
    if not user.is_verified:
        raise forbidden(
            "USER_NOT_VERIFIED",
            "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse mit dem Code aus der E-Mail.",
        )
    return user


async def require_support(user: CurrentUser) -> User:
    """Return the user when they are support or admin (and verified), else 403."""
    if user.role not in ("support", "admin") or not user.is_verified:
        raise forbidden("NOT_SUPPORT", "Dieser Bereich ist dem Support vorbehalten.")
    return user


async def require_admin(user: CurrentUser) -> User:
    """Return the user when they are an administrator (superuser), else 403."""
    if not (user.is_superuser and user.role == "admin") or not user.is_verified:
        raise forbidden("NOT_ADMIN", "Dieser Bereich ist Administratoren vorbehalten.")
    return user


VerifiedUser = Annotated[User, Depends(require_verified)]
SupportUser = Annotated[User, Depends(require_support)]
AdminUser = Annotated[User, Depends(require_admin)]
DB = Annotated[Session, Depends(get_db)]
ReadDB = Annotated[Session, Depends(get_read_db)]
Settings = Annotated[ServerSettings, Depends(get_settings)]
