"""Sync devices: a client-generated device id is bound to one user at first use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nikdesk.server.db import utcnow
from nikdesk.server.errors import ApiError
from nikdesk.server.models import Device


def bind_device(
    db: Session, user_id: str, device_id: str, name: str = "", app_version: str | None = None
) -> Device:
    """Return the user's device ``device_id`` (created at first use); 403 if another user's."""
    device = db.get(Device, device_id, with_for_update=True)
    if device is None:
        device = Device(id=device_id, user_id=user_id, name=name[:200], app_version=app_version)
        db.add(device)
        db.flush()
        return device
    if device.user_id != user_id:
        raise ApiError(
            403,
            "DEVICE_OTHER_USER",
            "Diese Geräte-ID gehört zu einem anderen Konto. Bitte melden Sie sich mit diesem "
            "Konto in einem eigenen Profil an.",
        )
    device.last_seen = utcnow()
    if name:
        device.name = name[:200]
    if app_version:
        device.app_version = app_version
    return device
