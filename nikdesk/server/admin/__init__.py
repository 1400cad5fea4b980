"""Administration: REST /admin/users, the SQLAdmin panel at /admin, the audit log view."""

from __future__ import annotations

from fastapi import FastAPI


def mount_admin(app: FastAPI) -> None:
    """Add the admin REST routes, then the SQLAdmin panel (admin-only session login)."""
    from nikdesk.server.admin.routes import router

    app.include_router(router)
    from nikdesk.server.admin.panel import mount_panel

    mount_panel(app)
