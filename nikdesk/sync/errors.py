"""Typed sync errors: each says in plain German what happened and what to do."""

from __future__ import annotations

from nikdesk.core.errors import NikDeskError, Offline


class SyncOffline(Offline):
    """The server cannot be reached (no network, server down)."""

    code = "sync_offline"


class SignedOut(NikDeskError):
    """No valid sign-in (revoked, password changed, logged out): sign in again."""

    code = "signed_out"


class ServerError(NikDeskError):
    """The server answered with an error it did not expect."""

    code = "server_error"


class ClientTooOld(NikDeskError):
    """The server needs a newer NikDesk to sync."""

    code = "client_too_old"


class AccountError(NikDeskError):
    """A sign-in step failed (wrong password, wrong code, unknown account); the server says why."""

    code = "account_error"


class NoAccount(NikDeskError):
    """Nobody is signed in on this laptop."""

    code = "no_account"

    def __init__(self) -> None:
        super().__init__(
            "Kein Konto angemeldet. Bitte zuerst anmelden: "
            "nikdesk account login --server URL --email E"
        )
