"""The web admin panel (SQLAdmin) at /admin: admin-only session login, audited changes.

Login checks the same things as the API: password (argon2), active, verified, role admin. The
session cookie stores the user id and token epoch, so "log out everywhere", a password change
or losing the admin role ends the panel session at the next click.
"""

# SQLAdmin is configured through mutable class attributes of its views:
# ruff: noqa: RUF012
from __future__ import annotations

import hashlib
import hmac
from typing import Any

import anyio
from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.audit import AuditBackend, AuditEntry
from sqladmin.authentication import AuthenticationBackend
from starlette.requests import Request

from nikdesk.server.admin.routes import blob_keys_of, remove_unused_blobs
from nikdesk.server.audit import audit
from nikdesk.server.auth.passwords import verify_password
from nikdesk.server.db import transaction
from nikdesk.server.models import (
    AgentRun,
    AuditLog,
    ChatSession,
    Device,
    Feedback,
    Handoff,
    Message,
    RefreshToken,
    User,
)
from nikdesk.server.users import by_email


def _admin_ok(user: User | None) -> bool:
    return bool(user and user.is_active and user.is_verified and user.role == "admin")


class PanelAuth(AuthenticationBackend):
    """Session login for administrators only."""

    def __init__(self, app: FastAPI) -> None:
        key = app.state.settings.signing_key
        secret = hmac.new(key.encode(), b"sqladmin-session", hashlib.sha256).hexdigest()
        super().__init__(
            secret_key=secret,
            session_cookie="nikdesk_admin",
            max_age=8 * 3600,
            same_site="strict",
            path="/admin",
        )
        self.app = app

    def _lookup(self, email: str, password: str) -> tuple[str, int] | None:
        with transaction(self.app.state.read_db) as db:
            user = by_email(db, email)
            if user is None or not verify_password(password, user.hashed_password)[0]:
                return None
            return (user.id, user.token_epoch) if _admin_ok(user) else None

    def _still_admin(self, user_id: str, epoch: int) -> bool:
        with transaction(self.app.state.read_db) as db:
            user = db.get(User, user_id)
            return _admin_ok(user) and user is not None and user.token_epoch == epoch

    async def login(self, request: Request) -> bool:
        form = await request.form()
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        found = await anyio.to_thread.run_sync(self._lookup, email, password)
        if found is None:
            return False
        request.session.update({"user_id": found[0], "epoch": found[1]})
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        user_id, epoch = request.session.get("user_id"), request.session.get("epoch")
        if not isinstance(user_id, str) or not isinstance(epoch, int):
            return False
        ok = await anyio.to_thread.run_sync(self._still_admin, user_id, epoch)
        if not ok:
            request.session.clear()
        return bool(ok)


class PanelAudit(AuditBackend):
    """Write every change made in the panel to the audit log."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _write(self, entry: AuditEntry, actor: str | None) -> None:
        with transaction(self.app.state.db) as db:
            audit(
                db,
                actor,
                f"panel.{entry.action}",
                entry.identity,
                str(entry.pk or ""),
                changes=entry.changes or {},
            )

    async def log(self, entry: AuditEntry, request: Request) -> None:
        actor = request.session.get("user_id") if "session" in request.scope else None
        await anyio.to_thread.run_sync(self._write, entry, actor)


class UserView(ModelView, model=User):
    name, name_plural, icon = "Benutzer", "Benutzer", "fa-solid fa-user"
    column_list = [
        User.email,
        User.display_name,
        User.role,
        User.is_active,
        User.is_verified,
        User.created_at,
    ]
    column_searchable_list = [User.email, User.display_name]
    column_sortable_list = [User.email, User.created_at, User.role]
    column_details_exclude_list = [User.hashed_password]
    form_columns = [User.display_name, User.role, User.is_active, User.is_verified]
    form_choices = {
        "role": [("technician", "Techniker"), ("support", "Support"), ("admin", "Administrator")]
    }
    can_create = False  # accounts come from /auth/register or `nikdesk server create-admin`

    nikdesk_app: FastAPI  # set per app in mount_panel (request.app is the admin sub-app)

    async def on_model_delete(self, model: Any, request: Request) -> None:
        state = self.nikdesk_app.state

        def keys() -> list[str]:
            with transaction(state.read_db) as db:
                return blob_keys_of(db, model.id)

        request.state.blob_keys = await anyio.to_thread.run_sync(keys)

    async def after_model_delete(self, model: Any, request: Request) -> None:
        state = self.nikdesk_app.state

        def remove() -> None:
            with transaction(state.db) as db:
                remove_unused_blobs(db, state.blobs, request.state.blob_keys)

        await anyio.to_thread.run_sync(remove)

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        if "role" in data:
            data["is_superuser"] = data["role"] == "admin"


def _read_only(model: Any, label: str, plural: str, columns: list[Any], **extra: Any) -> type:
    attrs = {
        "name": label,
        "name_plural": plural,
        "column_list": columns,
        "can_create": False,
        "can_edit": False,
        "can_delete": False,
        **extra,
    }
    return type(f"{model.__name__}View", (ModelView,), attrs, model=model)


def mount_panel(app: FastAPI) -> Admin:
    """Mount SQLAdmin at /admin on the app's engine."""
    admin = Admin(
        app,
        app.state.engine,
        session_maker=app.state.db,
        base_url="/admin",
        title="NikDesk Verwaltung",
        authentication_backend=PanelAuth(app),
        audit_backend=PanelAudit(app),
    )
    admin.add_view(type("UserView", (UserView,), {"nikdesk_app": app}, model=User))
    views: list[tuple[Any, str, str, list[Any]]] = [
        (
            ChatSession,
            "Sitzung",
            "Sitzungen",
            [ChatSession.title, ChatSession.user_id, ChatSession.updated_at, ChatSession.deleted],
        ),
        (
            Message,
            "Nachricht",
            "Nachrichten",
            [Message.session_id, Message.role, Message.outcome, Message.created_at],
        ),
        (
            Handoff,
            "Übergabe",
            "Übergaben",
            [Handoff.question, Handoff.status, Handoff.created_at, Handoff.answered_at],
        ),
        (
            Feedback,
            "Bewertung",
            "Bewertungen",
            [Feedback.message_id, Feedback.rating, Feedback.created_at],
        ),
        (
            Device,
            "Gerät",
            "Geräte",
            [Device.id, Device.user_id, Device.name, Device.last_seen, Device.app_version],
        ),
        (
            RefreshToken,
            "Anmeldung",
            "Anmeldungen",
            [
                RefreshToken.user_id,
                RefreshToken.device_name,
                RefreshToken.created_at,
                RefreshToken.revoked_at,
            ],
        ),
        (
            AgentRun,
            "Agent-Lauf",
            "Agent-Läufe",
            [AgentRun.id, AgentRun.status, AgentRun.updated_at],
        ),
        (
            AuditLog,
            "Protokolleintrag",
            "Audit-Protokoll",
            [
                AuditLog.at,
                AuditLog.actor_id,
                AuditLog.action,
                AuditLog.target_type,
                AuditLog.target_id,
            ],
        ),
    ]
    for model, label, plural, columns in views:
        admin.add_view(_read_only(model, label, plural, columns))
    return admin
