"""REST user management of the reference API: /admin/users list/get/patch/delete (+ audit)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nikdesk.server.audit import audit
from nikdesk.server.auth import signins
from nikdesk.server.auth.deps import DB, AdminUser
from nikdesk.server.auth.schemas import UserRead
from nikdesk.server.errors import ApiError, not_found, responses
from nikdesk.server.models import Attachment, AuditLog, ChatSession, User
from nikdesk.server.users import AccountError, by_email, count_admins, set_role

router = APIRouter(prefix="/admin", tags=["admin"])
ERRORS = responses(400, 401, 403, 404)


class AdminUserRead(UserRead):
    session_count: int = Field(description="chat sessions (not deleted)")
    signin_count: int = Field(description="active sign-ins (devices)")


class AdminUserPatch(BaseModel):
    email: EmailStr | None = None
    display_name: str | None = Field(default=None, max_length=200)
    role: Literal["technician", "support", "admin"] | None = None
    is_active: bool | None = None
    is_verified: bool | None = None
    is_superuser: bool | None = None


class AuditRead(BaseModel):
    id: int
    at: str
    actor_id: str | None
    action: str
    target_type: str
    target_id: str
    details: dict[str, object]


def _counts(db: Session, user_ids: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    from nikdesk.server.models import RefreshToken

    if not user_ids:
        return {}, {}
    sessions = dict(
        db.execute(
            select(ChatSession.user_id, func.count())
            .where(ChatSession.user_id.in_(user_ids), ChatSession.deleted.is_(False))
            .group_by(ChatSession.user_id)
        ).all()
    )
    signin_rows = db.execute(
        select(RefreshToken.user_id, func.count(func.distinct(RefreshToken.family_id)))
        .where(
            RefreshToken.user_id.in_(user_ids),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.replaced_by.is_(None),
        )
        .group_by(RefreshToken.user_id)
    ).all()
    return sessions, dict(signin_rows)


def _read(user: User, sessions: dict[str, int], signin_counts: dict[str, int]) -> AdminUserRead:
    base = UserRead.model_validate(user).model_dump()
    return AdminUserRead(
        **base,
        session_count=sessions.get(user.id, 0),
        signin_count=signin_counts.get(user.id, 0),
    )


@router.get("/users", response_model=list[AdminUserRead], responses=ERRORS)
def list_users(
    db: DB,
    admin: AdminUser,
    q: Annotated[str | None, Query(max_length=200, description="part of email/name")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AdminUserRead]:
    """List users with their chat-session and sign-in counts, oldest first."""
    stmt = select(User).order_by(User.created_at, User.id).limit(limit).offset(offset)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(User.email).like(like) | func.lower(User.display_name).like(like)
        )
    users = list(db.scalars(stmt))
    sessions, signin_counts = _counts(db, [u.id for u in users])
    return [_read(u, sessions, signin_counts) for u in users]


@router.get("/users/{user_id}", response_model=AdminUserRead, responses=ERRORS)
def get_user(user_id: str, db: DB, admin: AdminUser) -> AdminUserRead:
    """Return one user with counts."""
    user = db.get(User, user_id)
    if user is None:
        raise not_found("Benutzer")
    sessions, signin_counts = _counts(db, [user.id])
    return _read(user, sessions, signin_counts)


@router.patch("/users/{user_id}", response_model=AdminUserRead, responses=ERRORS)
def patch_user(user_id: str, body: AdminUserPatch, db: DB, admin: AdminUser) -> AdminUserRead:
    """Change flags/role/name/email; deactivating signs the user out everywhere. Audited."""
    user = db.get(User, user_id, with_for_update=True)
    if user is None:
        raise not_found("Benutzer")
    changes = body.model_dump(exclude_unset=True)
    if "is_superuser" in changes and "role" not in changes:
        changes["role"] = (
            "admin"
            if changes["is_superuser"]
            else ("technician" if user.role == "admin" else user.role)
        )
    changes.pop("is_superuser", None)
    demotes = changes.get("role", "admin") != "admin" or changes.get("is_active") is False
    if user.role == "admin" and demotes and count_admins(db) <= 1:
        raise ApiError(400, "LAST_ADMIN", "Der letzte Administrator kann nicht entfernt werden.")
    if "email" in changes and changes["email"].lower() != user.email:
        if by_email(db, changes["email"]) is not None:
            raise ApiError(400, "UPDATE_USER_EMAIL_ALREADY_EXISTS", "E-Mail-Adresse ist vergeben.")
        user.email = changes["email"].lower()
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if "role" in changes:
        try:
            set_role(user, changes["role"])
        except AccountError as exc:
            raise ApiError(400, exc.code, exc.message) from None
    if "is_verified" in changes:
        user.is_verified = changes["is_verified"]
    if "is_active" in changes:
        user.is_active = changes["is_active"]
        if not user.is_active:
            signins.revoke_all(db, user)
    audit(db, admin.id, "user.patch", "user", user.id, changes=changes)
    db.commit()
    sessions, signin_counts = _counts(db, [user.id])
    return _read(user, sessions, signin_counts)


@router.delete("/users/{user_id}", status_code=204, responses=ERRORS)
def delete_user(user_id: str, request: Request, db: DB, admin: AdminUser) -> Response:
    """Delete a user with all their data (sessions, messages, photos, sign-ins). Audited."""
    user = db.get(User, user_id, with_for_update=True)
    if user is None:
        raise not_found("Benutzer")
    if user.role == "admin" and count_admins(db) <= 1:
        raise ApiError(400, "LAST_ADMIN", "Der letzte Administrator kann nicht gelöscht werden.")
    delete_user_data(db, request, user)
    audit(db, admin.id, "user.delete", "user", user_id, email=user.email)
    db.commit()
    return Response(status_code=204)


def delete_user_data(db: Session, request: Request, user: User) -> None:
    """Delete ``user``: rows cascade by foreign key; blobs no other user holds are removed."""
    keys = blob_keys_of(db, user.id)
    db.delete(user)
    db.flush()
    remove_unused_blobs(db, request.app.state.blobs, keys)


def blob_keys_of(db: Session, user_id: str) -> list[str]:
    """Return the blob keys of a user's attachments."""
    return list(db.scalars(select(Attachment.blob_key).where(Attachment.user_id == user_id)))


def remove_unused_blobs(db: Session, blobs: Any, keys: list[str]) -> None:
    """Delete the blobs among ``keys`` that no attachment row references any more."""
    still_used = set(db.scalars(select(Attachment.blob_key).where(Attachment.blob_key.in_(keys))))
    for key in set(keys) - still_used:
        with contextlib.suppress(ValueError):  # not a blob key: nothing on disk
            blobs.delete(key)


@router.get("/audit", response_model=list[AuditRead], responses=ERRORS)
def audit_log(
    db: DB,
    admin: AdminUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditRead]:
    """Return the newest audit entries (admin and support actions)."""
    rows = db.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit).offset(offset))
    return [
        AuditRead(
            id=r.id,
            at=r.at.isoformat(),
            actor_id=r.actor_id,
            action=r.action,
            target_type=r.target_type,
            target_id=r.target_id,
            details=r.details,
        )
        for r in rows
    ]
