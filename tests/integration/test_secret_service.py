"""Secrets round-trip through a real Secret Service (GNOME Keyring on a private D-Bus session).

Needs the Debian packages ``dbus dbus-x11 gnome-keyring``; skipped with the reason without them.
The daemon runs with a throw-away HOME and runtime dir, so a developer's own login keyring is
never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent(
    """
    import sys
    from keyring.backends import SecretService
    from nikdesk.core.paths import data_dir
    from nikdesk.storage import secrets

    backend = secrets._os_keyring()
    assert isinstance(backend, SecretService.Keyring), backend
    assert not secrets.uses_encrypted_file()
    key = "sk-proj-Wechselrichter-4711"
    secrets.set_secret("openai", key)
    secrets.lock_secrets()  # nothing cached in this process: read back from the daemon
    assert secrets.get_secret("openai") == key

    # the item is in the daemon's collection, under our service name
    import secretstorage
    bus = secretstorage.dbus_init()
    items = list(secretstorage.get_default_collection(bus).search_items(
        {"service": secrets.SERVICE, "username": "openai"}))
    assert [item.get_secret().decode() for item in items] == [key], items

    assert not (data_dir() / secrets.SECRETS_FILE).exists()  # no file keyring beside it
    secrets.delete_secret("openai")
    assert secrets.get_secret("openai") is None
    print("secret-service-ok")
    """
)


def test_secrets_round_trip_through_gnome_keyring(tmp_path: Path) -> None:
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not found (apt-get install dbus dbus-x11 gnome-keyring)")
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "OPENAI_API_KEY"}
    }
    # a private keyring: the daemon keeps its files under HOME/XDG dirs, its socket in runtime
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_RUNTIME_DIR": str(runtime),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    script = (
        "echo -n test-login-password | gnome-keyring-daemon --unlock --components=secrets "
        '>/dev/null && exec "$0" -c "$1"'
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script, sys.executable, CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "secret-service-ok" in result.stdout
    assert (home / ".local" / "share" / "keyrings").is_dir()  # the private keyring was used
