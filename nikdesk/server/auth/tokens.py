"""Signed JWTs (PyJWT, HS256): access tokens, refresh tokens and mail-link tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from nikdesk.server.db import utcnow
from nikdesk.server.models import new_id

ALGORITHM = "HS256"
ISSUER = "nikdesk"
AUD_ACCESS = "nikdesk:access"
AUD_REFRESH = "nikdesk:refresh"
AUD_VERIFY = "nikdesk:verify"
AUD_RESET = "nikdesk:reset"


class TokenError(Exception):
    """The token is malformed, tampered with, expired or for another purpose."""


@dataclass(frozen=True)
class AccessClaims:
    """The checked claims of an access token."""

    user_id: str
    family_id: str
    epoch: int
    jti: str
    expires: datetime


def encode(key: str, audience: str, subject: str, lifetime: timedelta, **claims: Any) -> str:
    """Sign a token for ``audience`` about ``subject`` valid for ``lifetime``."""
    now = utcnow()
    payload = {
        "iss": ISSUER,
        "aud": audience,
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": claims.pop("jti", None) or new_id(),
        **claims,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def decode(key: str, audience: str, token: str) -> dict[str, Any]:
    """Verify signature, expiry, issuer and audience; return the claims or raise TokenError."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "jti", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    return claims


def access_token(key: str, user_id: str, family_id: str, epoch: int, minutes: int) -> str:
    """Return an access token bound to a sign-in (family) and the user's token epoch."""
    return encode(key, AUD_ACCESS, user_id, timedelta(minutes=minutes), sid=family_id, epoch=epoch)


def decode_access(key: str, token: str) -> AccessClaims:
    """Return the claims of a valid access token or raise TokenError."""
    c = decode(key, AUD_ACCESS, token)
    if not isinstance(c.get("sid"), str) or not isinstance(c.get("epoch"), int):
        raise TokenError("missing sid/epoch")
    return AccessClaims(
        user_id=c["sub"],
        family_id=c["sid"],
        epoch=c["epoch"],
        jti=c["jti"],
        expires=datetime.fromtimestamp(c["exp"]).astimezone(),
    )
