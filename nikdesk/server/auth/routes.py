"""Account routes of the reference API: register, verify (code or token), login, logout, me.

Sign-in management (refresh, devices, log out everywhere) lives in auth/signin_routes.py,
password reset in auth/reset_routes.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request, Response
from sqlalchemy.orm import Session

from nikdesk.server import mail
from nikdesk.server.auth import codes, signins, tokens
from nikdesk.server.auth.deps import DB, Claims, CurrentUser, ReadDB, Settings
from nikdesk.server.auth.passwords import burn_time, verify_password
from nikdesk.server.auth.schemas import (
    EmailIn,
    TokenIn,
    TokenOut,
    UserCreate,
    UserRead,
    UserUpdate,
    VerifyCodeIn,
)
from nikdesk.server.config import ServerSettings
from nikdesk.server.devices import bind_device
from nikdesk.server.errors import ApiError, responses, unauthorized
from nikdesk.server.models import User
from nikdesk.server.ratelimit import hit_for
from nikdesk.server.users import (
    AccountError,
    by_email,
    create_user,
    new_password_hash,
    set_password,
)

router = APIRouter(prefix="/auth", tags=["auth"])
ERRORS = responses(400, 401, 429)


def _bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def send_verify_code(
    db: Session,
    settings: ServerSettings,
    user: User,
    background: BackgroundTasks,
    mailer: mail.Mailer,
) -> None:
    """Issue a verification code and mail it after the response (caller commits)."""
    code, row = codes.issue_code(db, settings.signing_key, user.id, "verify", settings.code_minutes)
    link = tokens.encode(
        settings.signing_key,
        tokens.AUD_VERIFY,
        user.id,
        timedelta(minutes=settings.code_minutes),
        cid=row.id,
        email=user.email,
    )
    msg = mail.verify_mail(user.email, user.display_name, code, link, settings.code_minutes)
    background.add_task(mailer.send, msg)


@router.post("/register", status_code=201, response_model=UserRead, responses=ERRORS)
def register(
    body: UserCreate, request: Request, db: DB, settings: Settings, background: BackgroundTasks
) -> User:
    """Create an account and mail the 8-digit verification code."""
    hit_for(request, "mail", body.email)
    try:
        user = create_user(
            db,
            body.email,
            body.password,
            display_name=body.display_name,
            min_password_length=settings.min_password_length,
        )
    except AccountError as exc:
        code = "REGISTER_INVALID_PASSWORD" if exc.code == "INVALID_PASSWORD" else exc.code
        raise _bad(code, exc.message) from None
    send_verify_code(db, settings, user, background, request.app.state.mailer)
    db.commit()
    return user


@router.post("/request-verify-token", status_code=202, responses=ERRORS)
def request_verify_token(
    body: EmailIn, request: Request, db: DB, settings: Settings, background: BackgroundTasks
) -> None:
    """Mail a new code when the account exists and is unverified (same answer either way)."""
    hit_for(request, "mail", body.email)
    user = by_email(db, body.email)
    if user is not None and user.is_active and not user.is_verified:
        send_verify_code(db, settings, user, background, request.app.state.mailer)
        db.commit()
    return None


def _verified(db: Session, user: User) -> User:
    user.is_verified = True
    db.commit()
    return user


@router.post("/verify", response_model=UserRead, responses=ERRORS)
def verify(body: TokenIn, db: DB, settings: Settings) -> User:
    """Verify the email with the token from the mail (reference API)."""
    bad = _bad("VERIFY_USER_BAD_TOKEN", "Der Bestätigungslink ist ungültig oder abgelaufen.")
    try:
        claims = tokens.decode(settings.signing_key, tokens.AUD_VERIFY, body.token)
    except tokens.TokenError:
        raise bad from None
    user = db.get(User, claims["sub"])
    if user is None or not user.is_active or user.email != claims.get("email"):
        raise bad
    if user.is_verified:
        raise _bad("VERIFY_USER_ALREADY_VERIFIED", "Die E-Mail-Adresse ist bereits bestätigt.")
    if not codes.consume_code_id(db, str(claims.get("cid")), user.id, "verify"):
        raise bad
    return _verified(db, user)


@router.post("/verify-code", response_model=UserRead, responses=ERRORS)
def verify_code(body: VerifyCodeIn, request: Request, db: DB, settings: Settings) -> User:
    """Verify the email with the 8-digit code from the mail (5 wrong tries kill the code)."""
    bad = _bad(
        "VERIFY_USER_BAD_TOKEN",
        "Der Code ist falsch, abgelaufen oder wurde zu oft falsch eingegeben. "
        "Fordern Sie bei Bedarf einen neuen Code an.",
    )
    hit_for(request, "login", body.email)
    user = by_email(db, body.email)
    if user is None or not user.is_active:
        raise bad
    if user.is_verified:
        raise _bad("VERIFY_USER_ALREADY_VERIFIED", "Die E-Mail-Adresse ist bereits bestätigt.")
    ok = codes.check_code(
        db, settings.signing_key, user.id, "verify", body.code, settings.code_max_attempts
    )
    if not ok:
        db.commit()  # keep the counted wrong try
        raise bad
    return _verified(db, user)


@router.post("/login", response_model=TokenOut, responses=ERRORS)
def login(
    request: Request,
    read_db: ReadDB,
    settings: Settings,
    username: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
    device_id: Annotated[str | None, Form(max_length=64)] = None,
    device_name: Annotated[str, Form(max_length=200)] = "",
) -> dict[str, object]:
    """Sign in with the OAuth2 password form; returns access + refresh token."""
    hit_for(request, "login", username)
    with read_db.begin():
        user = by_email(read_db, username)
        if user is not None:
            read_db.expunge(user)
    if user is None:
        burn_time()  # same time as a wrong password: no account probing by timing
        ok, new_hash = False, None
    else:
        ok, new_hash = verify_password(password, user.hashed_password)
    if user is None or not ok or not user.is_active:
        raise _bad("LOGIN_BAD_CREDENTIALS", "E-Mail-Adresse oder Passwort ist falsch.")
    if not user.is_verified:
        raise _bad(
            "LOGIN_USER_NOT_VERIFIED",
            "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse mit dem Code aus der E-Mail.",
        )
    with request.app.state.db() as db, db.begin():
        fresh = db.get(User, user.id)
        assert fresh is not None
        if new_hash:
            fresh.hashed_password = new_hash
        if device_id:
            bind_device(db, fresh.id, device_id, device_name)
        pair = signins.issue(
            db,
            settings,
            fresh,
            device_id=device_id,
            device_name=device_name,
            user_agent=request.headers.get("user-agent", ""),
        )
    return pair.as_json()


@router.post("/logout", status_code=204, responses=ERRORS)
def logout(db: DB, user: CurrentUser, claims: Claims) -> Response:
    """End this sign-in: its access and refresh tokens stop working at once."""
    signins.revoke_family(db, claims.family_id)
    db.commit()
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, responses=ERRORS)
def me(user: CurrentUser) -> User:
    """Return the signed-in user."""
    return user


@router.patch("/me", response_model=UserRead, responses=ERRORS)
def update_me(
    body: UserUpdate,
    request: Request,
    db: DB,
    settings: Settings,
    user: CurrentUser,
    background: BackgroundTasks,
) -> User:
    """Change display name, email (needs verifying again) or password (needs the current one;
    signs out everywhere)."""
    hashed = None
    if body.password is not None:  # slow argon2 work before the write transaction starts
        ok, _ = verify_password(body.current_password or "", user.hashed_password)
        if not ok:
            raise _bad(
                "UPDATE_USER_INVALID_PASSWORD",
                "Zum Ändern des Passworts bitte das aktuelle Passwort (current_password) angeben.",
            )
        try:
            hashed = new_password_hash(body.password, settings.min_password_length, user.email)
        except AccountError as exc:
            raise _bad("UPDATE_USER_INVALID_PASSWORD", exc.message) from None
    row = db.get(User, user.id, with_for_update=True)
    if row is None:
        raise unauthorized()
    if body.display_name is not None:
        row.display_name = body.display_name.strip()
    if hashed is not None:
        set_password(db, row, hashed)
    if body.email is not None and body.email.lower() != row.email:
        if by_email(db, body.email) is not None:
            raise _bad(
                "UPDATE_USER_EMAIL_ALREADY_EXISTS",
                "Für diese E-Mail-Adresse gibt es bereits ein Konto.",
            )
        row.email = body.email.lower()
        row.is_verified = False
        send_verify_code(db, settings, row, background, request.app.state.mailer)
    db.commit()
    return row
