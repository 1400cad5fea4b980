"""The per-user version counter: concurrent writers get distinct, gap-free versions."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select

from nikdesk.server.db import transaction
from nikdesk.server.models import ChatSession
from nikdesk.server.versions import current_version, next_version
from tests.server.helpers import Account


def test_concurrent_writes_get_distinct_gap_free_versions(
    client: TestClient, signup: object
) -> None:
    account: Account = signup()  # type: ignore[operator]
    factory = client.app.state.db  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(15):
                with transaction(factory) as db:
                    v = next_version(db, account.user_id)
                    db.add(ChatSession(user_id=account.user_id, title=f"v{v}", version=v))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with transaction(factory) as db:
        versions = sorted(db.scalars(select(ChatSession.version)))
        assert versions == list(range(1, 91))
        assert current_version(db, account.user_id) == 90


def test_a_rolled_back_write_does_not_use_up_a_version(client: TestClient, signup: object) -> None:
    account: Account = signup()  # type: ignore[operator]
    factory = client.app.state.db  # type: ignore[attr-defined]
    try:
        with transaction(factory) as db:
            assert next_version(db, account.user_id) == 1
            raise RuntimeError("validation failed")
    except RuntimeError:
        pass
    with transaction(factory) as db:
        assert next_version(db, account.user_id) == 1
