"""The laptop's update client, wired to the signed-in account.

``nikdesk.updates`` verifies and installs signed releases and knows nothing of accounts;
``nikdesk.sync`` knows the account and its server. After an install or a rollback the app
tells the account's server which release runs on this device, signed in as that account
(the server refuses anonymous reports), under the device id the account signed in with —
whatever the release came from (the server, a mirror, a USB stick).
"""

from __future__ import annotations

from pathlib import Path

from nikdesk.sync import accounts
from nikdesk.sync.client import ServerApi, Tokens
from nikdesk.updates.client import UpdateClient

REPORT_TIMEOUT = 5.0  # seconds, one attempt: an update must not wait long for its report


def report_to_account(version: int | None, root_version: int | None) -> None:
    """Tell the current account's server the release running here (nobody signed in: nothing)."""
    account = accounts.current_or_none()
    if account is None:
        return
    tokens = Tokens(account.id)
    with ServerApi(account.server, tokens, timeout=REPORT_TIMEOUT, retry_seconds=0) as api:
        api.report_release(account.device_id, version, root_version)


def update_client(root: Path | None = None) -> UpdateClient:
    """Return the update client whose installs and rollbacks are reported to the account."""
    return UpdateClient(root, reporter=report_to_account)
