"""The one place secrets are resolved: OS keyring first, then the environment.

Secrets are never written to SQLite, logs or settings files.
"""

from __future__ import annotations

import logging
import os

SERVICE = "NikDesk"
ENV_VARS = {"cohere": "COHERE_API_KEY", "openai": "OPENAI_API_KEY"}

log = logging.getLogger(__name__)


def get_secret(name: str) -> str | None:
    """Return the secret ``name`` from the OS keyring, else from its environment variable."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(SERVICE, name)
        except KeyringError as exc:  # no backend (headless) or locked: fall through to env
            log.info("keyring unavailable for %s: %s", name, exc)
            value = None
        if value:
            return value
    except ImportError:
        pass
    env = ENV_VARS.get(name, f"NIKDESK_{name.upper()}_KEY")
    return os.environ.get(env) or None
