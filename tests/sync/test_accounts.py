"""Offline unlock and per-account stores on one laptop (no server reachable)."""

from __future__ import annotations

import pytest


def test_offline_unlock_checks_the_local_verifier_and_switches_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argon2 import PasswordHasher

    from nikdesk.storage.chats import ChatStore
    from nikdesk.storage.profiles import active_store_path, current_account
    from nikdesk.sync import accounts
    from nikdesk.sync.errors import AccountError, SyncOffline

    monkeypatch.setenv("NIKDESK_SYNC_RETRY_SECONDS", "0.5")
    server = "http://127.0.0.1:9"  # discard port: nothing answers
    anna = accounts.Account(
        id="11111111-1111-4111-8111-111111111111",
        email="anna@example.com",
        name="Anna",
        server=server,
        device_id="dev-anna-0001",
        verifier=PasswordHasher().hash("Annas-Passwort-1"),
    )
    accounts._save(anna)
    assert "Annas-Passwort-1" not in (anna.folder / accounts.ACCOUNT_FILE).read_text()

    with pytest.raises(AccountError):
        accounts.login(server, "anna@example.com", "falsch")
    assert current_account() is None
    assert accounts.login(server, "Anna@Example.com", "Annas-Passwort-1").id == anna.id
    assert active_store_path("nikdesk.db").parent == anna.folder
    ChatStore().create_session("Annas Einsatz")

    # an account never signed in here cannot be opened offline
    with pytest.raises(SyncOffline):
        accounts.login(server, "ben@example.com", "Bens-Passwort-1")
    assert accounts.current().id == anna.id

    accounts.logout()
    assert current_account() is None
    assert ChatStore().sessions() == []  # the no-account store knows nothing of Anna's
    accounts.login(server, "anna@example.com", "Annas-Passwort-1")
    assert [s.title for s in ChatStore().sessions()] == ["Annas Einsatz"]
