"""Administration: /admin/users REST (counts, patch, delete with all data), audit log, panel."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from nikdesk.server.db import transaction
from nikdesk.server.models import (
    AgentRun,
    Attachment,
    AuditLog,
    ChatSession,
    Device,
    Feedback,
    Handoff,
    Message,
    RefreshToken,
    User,
    UserVersion,
)
from nikdesk.server.versions import next_version
from tests.server.helpers import PASSWORD, Account, login, signup_with_role
from tests.server.services import SmtpCapture


def _give_history(client: TestClient, user_id: str, sessions: int) -> str:
    """Write chat rows like the chat API would; return the blob key of one photo."""
    key, digest = client.app.state.blobs.put(b"\x89PNG fake photo " + user_id.encode(), "images")  # type: ignore[attr-defined]
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        for i in range(sessions):
            s = ChatSession(
                user_id=user_id, title=f"Fehler E{i}", version=next_version(db, user_id)
            )
            db.add(s)
            db.flush()
            m = Message(
                session_id=s.id,
                user_id=user_id,
                role="user",
                text="Was tun?",
                attachments=[digest],
                version=next_version(db, user_id),
            )
            db.add(m)
            db.flush()
            db.add(
                Feedback(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, m.id)),
                    message_id=m.id,
                    user_id=user_id,
                    rating=1,
                    version=next_version(db, user_id),
                )
            )
            db.add(
                Handoff(
                    user_id=user_id,
                    session_id=s.id,
                    question="?",
                    version=next_version(db, user_id),
                )
            )
            db.add(AgentRun(user_id=user_id, session_id=s.id, state={"step": 1}))
        db.add(
            ChatSession(
                user_id=user_id, title="gelöscht", deleted=True, version=next_version(db, user_id)
            )
        )
        db.add(Attachment(sha256=digest, user_id=user_id, mime="image/png", size=10, blob_key=key))
        db.add(Device(id=f"dev-{user_id}", user_id=user_id, name="Bus"))
    return str(key)


def test_list_get_patch_with_counts_and_audit(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    admin = signup_with_role(client, mailbox, "admin")
    tech: Account = signup()
    _give_history(client, tech.user_id, 3)
    login(client, tech.email)  # second sign-in
    users = client.get("/admin/users", headers=admin.headers).json()
    row = next(u for u in users if u["id"] == tech.user_id)
    assert row["session_count"] == 3  # the deleted one is not counted
    assert row["signin_count"] == 2
    assert "hashed_password" not in row and "token_epoch" not in row
    found = client.get("/admin/users", params={"q": tech.email[:8]}, headers=admin.headers).json()
    assert [u["id"] for u in found] == [tech.user_id]
    assert (
        client.get(f"/admin/users/{tech.user_id}", headers=admin.headers).json()["email"]
        == tech.email
    )
    assert client.get("/admin/users/nope", headers=admin.headers).status_code == 404

    r = client.patch(
        f"/admin/users/{tech.user_id}", json={"role": "support"}, headers=admin.headers
    )
    assert r.status_code == 200 and r.json()["role"] == "support" and not r.json()["is_superuser"]
    r = client.patch(
        f"/admin/users/{tech.user_id}", json={"is_superuser": True}, headers=admin.headers
    )
    assert r.json()["role"] == "admin" and r.json()["is_superuser"]
    assert client.get("/admin/users", headers=tech.headers).status_code == 200  # now admin
    r = client.patch(
        f"/admin/users/{tech.user_id}", json={"role": "technician"}, headers=admin.headers
    )
    assert client.get("/admin/users", headers=tech.headers).status_code == 403

    log = client.get("/admin/audit", headers=admin.headers).json()
    actions = [(e["action"], e["target_id"], e["actor_id"]) for e in log]
    assert ("user.patch", tech.user_id, admin.user_id) in actions
    assert any(e["details"].get("changes") == {"role": "support"} for e in log)


def test_last_admin_cannot_be_demoted_or_deleted(client: TestClient, mailbox: SmtpCapture) -> None:
    admin = signup_with_role(client, mailbox, "admin")
    r = client.patch(
        f"/admin/users/{admin.user_id}", json={"role": "technician"}, headers=admin.headers
    )
    assert r.status_code == 400 and r.json()["detail"] == "LAST_ADMIN"
    assert client.delete(f"/admin/users/{admin.user_id}", headers=admin.headers).status_code == 400


def test_delete_user_removes_all_their_data(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    admin = signup_with_role(client, mailbox, "admin")
    tech: Account = signup()
    keep: Account = signup()
    blob = _give_history(client, tech.user_id, 2)
    _give_history(client, keep.user_id, 1)
    blobs = client.app.state.blobs  # type: ignore[attr-defined]
    assert blobs.exists(blob)
    assert client.delete(f"/admin/users/{tech.user_id}", headers=admin.headers).status_code == 204
    assert client.get("/auth/me", headers=tech.headers).status_code == 401
    assert not blobs.exists(blob)
    tables = (
        User,
        ChatSession,
        Message,
        Feedback,
        Handoff,
        AgentRun,
        Attachment,
        Device,
        RefreshToken,
        UserVersion,
    )
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        for table in tables:
            col = table.id if table is User else table.user_id  # type: ignore[attr-defined]
            n = db.scalar(select(func.count()).select_from(table).where(col == tech.user_id))
            assert n == 0, table.__tablename__
            m = db.scalar(select(func.count()).select_from(table).where(col == keep.user_id))
            assert m >= 1, table.__tablename__  # the other user's data stays
        entry = db.scalars(select(AuditLog).where(AuditLog.action == "user.delete")).one()
        assert entry.actor_id == admin.user_id and entry.target_id == tech.user_id
    assert client.get("/auth/me", headers=keep.headers).status_code == 200


def test_admin_panel_login_is_admin_only_and_changes_are_audited(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    tech: Account = signup()
    admin = signup_with_role(client, mailbox, "admin")
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302
    r = client.post(
        "/admin/login", data={"username": tech.email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 400  # technicians cannot log in to the panel
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302
    r = client.post(
        "/admin/login",
        data={"username": admin.email, "password": "falsch-123"},
        follow_redirects=False,
    )
    assert r.status_code == 400
    r = client.post(
        "/admin/login", data={"username": admin.email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 302
    page = client.get("/admin/user/list")
    assert page.status_code == 200 and tech.email in page.text
    assert "hashed_password" not in client.get(f"/admin/user/details/{tech.user_id}").text

    r = client.post(
        f"/admin/user/edit/{tech.user_id}",
        data={"display_name": "Per Panel", "role": "support", "is_active": "y", "is_verified": "y"},
        follow_redirects=False,
    )
    assert r.status_code == 302, r.text[:500]
    me = client.get("/auth/me", headers=tech.headers).json()
    assert me["display_name"] == "Per Panel" and me["role"] == "support"
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        entry = db.scalars(select(AuditLog).where(AuditLog.action == "panel.update")).one()
        assert entry.actor_id == admin.user_id and entry.target_id == tech.user_id

    r = client.post(
        f"/admin/user/edit/{tech.user_id}",
        data={"display_name": "Per Panel", "role": "admin", "is_active": "y", "is_verified": "y"},
        follow_redirects=False,
    )
    assert client.get("/auth/me", headers=tech.headers).json()["is_superuser"] is True

    # losing the admin role ends the panel session at the next click
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        db.get(User, admin.user_id).role = "technician"  # type: ignore[union-attr]
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_deleting_a_user_in_the_panel_removes_their_photos(
    client: TestClient, signup: Any, mailbox: SmtpCapture
) -> None:
    admin = signup_with_role(client, mailbox, "admin")
    tech: Account = signup()
    blob = _give_history(client, tech.user_id, 1)
    r = client.post(
        "/admin/login", data={"username": admin.email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 302
    r = client.delete("/admin/user/delete", params={"pks": tech.user_id})
    assert r.status_code == 200, r.text[:300]
    assert client.get("/auth/me", headers=tech.headers).status_code == 401
    assert not client.app.state.blobs.exists(blob)  # type: ignore[attr-defined]
    with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
        assert (
            db.scalar(
                select(func.count()).select_from(Message).where(Message.user_id == tech.user_id)
            )
            == 0
        )
        entry = db.scalars(select(AuditLog).where(AuditLog.action == "panel.delete")).one()
        assert entry.actor_id == admin.user_id
