"""Password reset by mail: forgot-password (same answer for every address), reset by token/code."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Request

from nikdesk.server import mail
from nikdesk.server.auth import codes, tokens
from nikdesk.server.auth.deps import DB, Settings
from nikdesk.server.auth.schemas import EmailIn, ResetPasswordCodeIn, ResetPasswordIn
from nikdesk.server.config import ServerSettings
from nikdesk.server.db import transaction
from nikdesk.server.errors import ApiError, responses
from nikdesk.server.models import User
from nikdesk.server.ratelimit import hit_for
from nikdesk.server.users import AccountError, by_email, new_password_hash, set_password

router = APIRouter(prefix="/auth", tags=["auth"])
ERRORS = responses(400, 429)
BAD_TOKEN = ("RESET_PASSWORD_BAD_TOKEN", "Der Code oder Link ist ungültig oder abgelaufen.")


@router.post("/forgot-password", status_code=202, responses=ERRORS)
def forgot_password(
    body: EmailIn, request: Request, db: DB, settings: Settings, background: BackgroundTasks
) -> None:
    """Mail a reset code when the account exists (the answer never tells whether it does)."""
    hit_for(request, "mail", body.email)
    user = by_email(db, body.email)
    if user is None or not user.is_active:
        return None
    code, row = codes.issue_code(db, settings.signing_key, user.id, "reset", settings.code_minutes)
    link = tokens.encode(
        settings.signing_key,
        tokens.AUD_RESET,
        user.id,
        timedelta(minutes=settings.code_minutes),
        cid=row.id,
        pwc=user.password_changed_at.isoformat(),
    )
    db.commit()
    msg = mail.reset_mail(user.email, user.display_name, code, link, settings.code_minutes)
    background.add_task(request.app.state.mailer.send, msg)
    return None


def _hash(settings: ServerSettings, password: str, email: str) -> str:
    try:
        return new_password_hash(password, settings.min_password_length, email)
    except AccountError as exc:
        raise ApiError(400, "RESET_PASSWORD_INVALID_PASSWORD", exc.message) from None


@router.post("/reset-password", responses=ERRORS)
def reset_password(body: ResetPasswordIn, request: Request, settings: Settings) -> None:
    """Set a new password with the token from the mail (reference API); signs out everywhere."""
    try:
        claims = tokens.decode(settings.signing_key, tokens.AUD_RESET, body.token)
    except tokens.TokenError:
        raise ApiError(400, *BAD_TOKEN) from None
    with transaction(request.app.state.read_db) as db:
        user = db.get(User, claims["sub"])
        email = user.email if user is not None and user.is_active else None
    if email is None:
        raise ApiError(400, *BAD_TOKEN)
    hashed = _hash(settings, body.password, email)
    with transaction(request.app.state.db) as db:
        user = db.get(User, claims["sub"], with_for_update=True)
        ok = user is not None and codes.consume_code_id(
            db, str(claims.get("cid")), user.id, "reset"
        )
        if ok and user is not None:
            set_password(db, user, hashed)
    if not ok:
        raise ApiError(400, *BAD_TOKEN)
    return None


@router.post("/reset-password-code", responses=ERRORS)
def reset_password_code(
    body: ResetPasswordCodeIn, request: Request, db: DB, settings: Settings
) -> None:
    """Set a new password with email + 8-digit code (5 wrong tries kill the code)."""
    hit_for(request, "login", body.email)
    hashed = _hash(settings, body.password, body.email)
    user = by_email(db, body.email)
    if user is None or not user.is_active:
        raise ApiError(400, *BAD_TOKEN)
    ok = codes.check_code(
        db, settings.signing_key, user.id, "reset", body.code, settings.code_max_attempts
    )
    if not ok:
        db.commit()  # keep the counted wrong try
        raise ApiError(400, *BAD_TOKEN)
    set_password(db, user, hashed)
    user.is_verified = True  # the code proves the address
    db.commit()
    return None
