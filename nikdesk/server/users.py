"""Creating and changing accounts (shared by the auth routes, admin routes and the CLI)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nikdesk.server.auth import signins
from nikdesk.server.auth.passwords import hash_password
from nikdesk.server.db import utcnow
from nikdesk.server.models import ROLES, User
from nikdesk.server.versions import ensure_version_row


class AccountError(Exception):
    """A user-facing account problem: ``code`` for clients, German ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize_email(email: str) -> str:
    """Return the stored form of an email address (trimmed, lower-case)."""
    return email.strip().lower()


def by_email(db: Session, email: str) -> User | None:
    """Return the user with ``email`` (case-insensitive), or None."""
    return db.scalars(select(User).where(User.email == normalize_email(email))).first()


def check_password_rules(password: str, min_length: int, email: str = "") -> None:
    """Raise AccountError when ``password`` is too weak."""
    if len(password) < min_length:
        raise AccountError(
            "INVALID_PASSWORD", f"Das Passwort muss mindestens {min_length} Zeichen lang sein."
        )
    if email and normalize_email(email) in password.lower():
        raise AccountError(
            "INVALID_PASSWORD", "Das Passwort darf die E-Mail-Adresse nicht enthalten."
        )


def create_user(
    db: Session,
    email: str,
    password: str,
    *,
    display_name: str = "",
    role: str = "technician",
    verified: bool = False,
    min_password_length: int = 8,
) -> User:
    """Create an account (caller commits); AccountError when the email is taken or weak."""
    if role not in ROLES:
        raise AccountError("INVALID_ROLE", f"Unbekannte Rolle „{role}“.")
    check_password_rules(password, min_password_length, email)
    hashed = hash_password(password)  # before the first query: no lock held while hashing
    if by_email(db, email) is not None:
        raise AccountError(
            "REGISTER_USER_ALREADY_EXISTS", "Für diese E-Mail-Adresse gibt es bereits ein Konto."
        )
    user = User(
        email=normalize_email(email),
        display_name=display_name.strip(),
        hashed_password=hashed,
        role=role,
        is_superuser=role == "admin",
        is_verified=verified,
        is_active=True,
        token_epoch=0,
    )
    db.add(user)
    db.flush()
    ensure_version_row(db, user.id)
    return user


def new_password_hash(password: str, min_length: int, email: str) -> str:
    """Check the rules and hash ``password`` — call before opening a write transaction
    (argon2 takes ~0.1 s; SQLite would hold its write lock meanwhile)."""
    check_password_rules(password, min_length, email)
    return hash_password(password)


def set_password(db: Session, user: User, hashed: str) -> None:
    """Store a new password hash and sign the user out everywhere (all tokens stop working)."""
    user.hashed_password = hashed
    user.password_changed_at = utcnow()
    signins.revoke_all(db, user)


def set_role(user: User, role: str) -> None:
    """Change the role; admin and superuser always go together."""
    if role not in ROLES:
        raise AccountError("INVALID_ROLE", f"Unbekannte Rolle „{role}“.")
    user.role = role
    user.is_superuser = role == "admin"


def count_admins(db: Session) -> int:
    """Return the number of active administrators."""
    q = select(func.count()).select_from(User).where(User.role == "admin", User.is_active)
    return int(db.scalar(q) or 0)
