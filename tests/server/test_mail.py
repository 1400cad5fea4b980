"""Mail delivery details: SMTP login, an unreachable SMTP server, the RFC 5322 message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient

from tests.server.helpers import PASSWORD, new_email
from tests.server.services import SmtpCapture, free_port

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    # plain AUTH on loopback is fine for a test server
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


@pytest.fixture
def smtp_with_login() -> Iterator[SmtpCapture]:
    server = SmtpCapture(login=("nikdesk", "smtp-geheim-123")).start()
    try:
        yield server
    finally:
        server.stop()


def test_smtp_login_and_a_proper_rfc5322_message(
    make_client: Callable[..., TestClient],
    smtp_with_login: SmtpCapture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = make_client(
        smtp_port=smtp_with_login.port,
        smtp_user="nikdesk",
        smtp_password="smtp-geheim-123",
        smtp_from="NikDesk Service <service@example.com>",
    )
    email = new_email()
    r = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201
    msg = smtp_with_login.wait_for(email)
    assert smtp_with_login.logins == ["nikdesk"]
    assert msg["From"] == "NikDesk Service <service@example.com>"
    assert msg["To"] == email and msg["Message-ID"]
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert msg.get_content_type() == "text/plain"
    body = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    code = smtp_with_login.code_for(email)
    assert code in body and "Bestätigungscode" in body and "30 Minuten" in body
    assert "smtp-geheim-123" not in capsys.readouterr().err


def test_wrong_smtp_password_or_no_smtp_server_does_not_break_registration(
    make_client: Callable[..., TestClient],
    smtp_with_login: SmtpCapture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(
        smtp_port=smtp_with_login.port, smtp_user="nikdesk", smtp_password="falsch"
    )
    r = client.post("/auth/register", json={"email": new_email(), "password": PASSWORD})
    assert r.status_code == 201
    assert smtp_with_login.messages == []
    down = make_client(smtp_port=free_port())  # nothing listens there
    r = down.post("/auth/register", json={"email": new_email(), "password": PASSWORD})
    assert r.status_code == 201
    failures = [rec for rec in caplog.records if rec.getMessage() == "mail delivery failed"]
    assert len(failures) == 2
    assert all("falsch" not in str(rec.__dict__) for rec in failures)
