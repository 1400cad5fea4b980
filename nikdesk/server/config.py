"""Server configuration: environment variables ``NIKDESK_*`` (and ``*_FILE`` for secrets).

Secrets come from the environment or from files only (``NIKDESK_JWT_SECRET_FILE``,
``NIKDESK_SMTP_PASSWORD_FILE``, ``NIKDESK_DATABASE_URL_FILE``) — never from the laptop keyring.
When ``NIKDESK_JWT_SECRET`` is unset a random secret is generated once and kept in
``DATA/jwt_secret`` (mode 0600); there is no fixed default.
"""

from __future__ import annotations

import os
import secrets
import time
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA = Path("nikdesk-server-data")


def _default_data() -> Path:
    """Return the default data dir: ``$NIKDESK_HOME/server``, else ./nikdesk-server-data."""
    home = os.environ.get("NIKDESK_HOME")
    return Path(home) / "server" if home else DEFAULT_DATA


class ServerSettings(BaseSettings):
    """Everything the server reads from its environment (prefix ``NIKDESK_``)."""

    model_config = SettingsConfigDict(env_prefix="NIKDESK_", extra="ignore", frozen=True)

    data: Path = Field(default_factory=_default_data)
    database_url: str | None = None  # default: sqlite:///DATA/nikdesk.db
    database_url_file: Path | None = None

    # mail: unset SMTP_HOST -> mails are printed on stdout (console fallback)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_from: str = "NikDesk <nikdesk@localhost>"
    smtp_timeout: float = 10.0

    server_index: Path | None = None  # index bundle the server answers from (default: bundled)
    blob_dir: Path | None = None  # default DATA/blobs

    jwt_secret: SecretStr | None = None
    jwt_secret_file: Path | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    refresh_reuse_grace_seconds: int = 0  # >0: a refresh repeated this soon gets the same answer
    code_minutes: int = 30  # lifetime of 8-digit mail codes
    code_max_attempts: int = 5
    min_password_length: int = 8

    rate_limit_chat: str = "30/minute"
    rate_limit_upload: str = "20/minute"
    rate_limit_login: str = "10/minute"
    rate_limit_mail: str = "5/hour"  # register / request-verify-token / forgot-password per address
    redis_url: str | None = None

    migrate_on_start: bool = True
    log_level: str = "INFO"
    trusted_proxy_count: int = 0  # >0: take the client IP from X-Forwarded-For (behind a LB)

    @model_validator(mode="after")
    def _read_secret_files(self) -> ServerSettings:
        """Fill secrets from their ``*_FILE`` variables (Docker/K8s style) when given."""
        pairs = [
            ("jwt_secret", self.jwt_secret_file, True),
            ("smtp_password", self.smtp_password_file, True),
            ("database_url", self.database_url_file, False),
        ]
        for name, path, is_secret in pairs:
            if path is not None and getattr(self, name) is None:
                text = Path(path).read_text(encoding="utf-8").strip()
                object.__setattr__(self, name, SecretStr(text) if is_secret else text)
        return self

    @property
    def db_url(self) -> str:
        """Return the SQLAlchemy URL: configured, else a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data / 'nikdesk.db').resolve()}"

    @property
    def blobs(self) -> Path:
        """Return the blob store directory (photos, PDFs, later index releases)."""
        return self.blob_dir or self.data / "blobs"

    @property
    def mail_configured(self) -> bool:
        """Tell whether mails go to an SMTP server (else: printed on stdout)."""
        return bool(self.smtp_host)

    @cached_property
    def signing_key(self) -> str:
        """Return the JWT secret: configured, else generated once into DATA/jwt_secret (0600)."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return _stored_secret(self.data / "jwt_secret")


def _stored_secret(path: Path) -> str:
    """Read the generated secret at ``path``, creating it with mode 0600 on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            text = path.read_text(encoding="ascii").strip()
            if text:
                return text
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to generate a new secret") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
