"""Property-based API fuzz (schemathesis) against the OpenAPI schema: no request gives a 5xx.

Every operation runs with an administrator's token (restored before each case, so a fuzzed
logout or email change does not lock the rest out), on SQLite in the suite; set
NIKDESK_FUZZ_EXAMPLES (default 10 per operation) and NIKDESK_FUZZ_DB=postgresql for a longer run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

schemathesis = pytest.importorskip("schemathesis", reason="pip install 'nikdesk[dev]'")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from sqlalchemy import update  # noqa: E402

from nikdesk.server.app import create_app  # noqa: E402
from nikdesk.server.auth import signins  # noqa: E402
from nikdesk.server.config import ServerSettings  # noqa: E402
from nikdesk.server.db import transaction  # noqa: E402
from nikdesk.server.models import RefreshToken, User  # noqa: E402
from nikdesk.server.users import create_user  # noqa: E402
from tests.server.conftest import settings_kwargs  # noqa: E402
from tests.server.services import SmtpCapture, start_postgres  # noqa: E402

EXAMPLES = int(os.environ.get("NIKDESK_FUZZ_EXAMPLES", "10"))
ADMIN_EMAIL = "fuzz-admin@example.com"


@dataclass
class FuzzEnv:
    client: TestClient
    admin_id: str
    family_id: str
    token: str

    def restore_admin(self) -> None:
        """Undo what the previous case may have done to the admin account."""
        with transaction(self.client.app.state.db) as db:  # type: ignore[attr-defined]
            db.execute(
                update(User)
                .where(User.id == self.admin_id)
                .values(
                    email=ADMIN_EMAIL,
                    role="admin",
                    is_superuser=True,
                    is_active=True,
                    is_verified=True,
                    token_epoch=0,
                )
            )
            db.execute(
                update(RefreshToken)
                .where(RefreshToken.family_id == self.family_id)
                .values(revoked_at=None)
            )


@pytest.fixture(scope="module")
def fuzz_env(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpCapture
) -> Iterator[FuzzEnv]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    pg = None
    url = f"sqlite:///{tmp / 'fuzz.db'}"
    if os.environ.get("NIKDESK_FUZZ_DB") == "postgresql":
        pg = start_postgres()
        assert pg is not None, "PostgreSQL binaries missing"
        url = pg.create_database()
    cfg = ServerSettings(**settings_kwargs(tmp / "data", url, smtp_server))
    with TestClient(create_app(cfg)) as client:
        with transaction(client.app.state.db) as db:  # type: ignore[attr-defined]
            admin = create_user(
                db, ADMIN_EMAIL, "Fuzz-Admin-Passwort-1", role="admin", verified=True
            )
            pair = signins.issue(db, cfg, admin)
        yield FuzzEnv(client, admin.id, pair.family_id, pair.access_token)
    if pg is not None:
        pg.stop()


def _openapi() -> dict[str, Any]:
    """Return the app's OpenAPI document (built without touching a database)."""
    with tempfile.TemporaryDirectory() as tmp:
        return create_app(ServerSettings(data=Path(tmp), jwt_secret=SecretStr("x" * 40))).openapi()


schema = schemathesis.openapi.from_dict(_openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_causes_a_server_error(case: Any, fuzz_env: FuzzEnv) -> None:
    fuzz_env.restore_admin()
    response = case.call(
        app=fuzz_env.client.app, headers={"Authorization": f"Bearer {fuzz_env.token}"}
    )
    case.validate_response(response, checks=[not_a_server_error])
