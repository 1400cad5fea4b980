"""Typed errors of the release channel, with German messages for technician and admin."""

from __future__ import annotations

from nikdesk.core.errors import NikDeskError


class UpdateError(NikDeskError):
    """An update could not be checked, published or installed; the message says why."""


class NotProvisioned(UpdateError):
    """The laptop holds no trusted root metadata yet."""

    def __init__(self) -> None:
        super().__init__(
            "Dieser Laptop kennt noch keinen Vertrauensanker für Handbuch-Updates. "
            "Einmalig einrichten mit: nikdesk update trust ROOT_JSON"
        )


class UpdateRefused(UpdateError):
    """The offered release failed verification; the installed release stays untouched."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Update abgelehnt: {reason} Die installierte Version bleibt unverändert.")
        self.reason = reason


class UpdateUnavailable(UpdateError):
    """The update source cannot be reached or read (offline, wrong address, unreadable file)."""


class UpdateCancelled(UpdateError):
    """The user cancelled the download; what was downloaded is kept for a later resume."""

    def __init__(self) -> None:
        super().__init__(
            "Update abgebrochen – bereits geladene Teile werden beim nächsten Versuch "
            "weiterverwendet. Die installierte Version bleibt unverändert."
        )


class NoRollback(UpdateError):
    """There is no previous release to go back to."""


class ReleaseKeysError(UpdateError):
    """The admin's key folder is missing, incomplete or lacks a needed private key."""


class PublishError(UpdateError):
    """A release cannot be published (bad index, missing manual file, server refused)."""
