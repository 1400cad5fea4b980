"""Which release is installed: read the pointer file (no TUF, no heavy imports).

``<data dir>/updates/state.json`` names the current release folder, the previous one (for
rollback) and the trusted-metadata folder. It is replaced with one ``os.replace``: that is
the atomic switch. Whatever it names was complete (all files synced) before it was written.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from nikdesk.core.durable import replace_synced, write_text_synced
from nikdesk.core.paths import data_dir

STATE = "state.json"


@dataclass(frozen=True)
class State:
    """The pointer file's content."""

    current: str | None = None
    previous: str | None = None
    trust: str | None = None  # folder of the trusted TUF metadata
    floor: str | None = None  # newest signed issue time verified (see clock.py)
    source: str | None = None  # last URL updates came from


def updates_dir() -> Path:
    """Return the folder of the update channel's state."""
    return data_dir() / "updates"


def read_state(root: Path | None = None) -> State:
    """Read the pointer file (an absent or unreadable file means nothing installed)."""
    path = (root or updates_dir()) / STATE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return State(**{k: raw.get(k) for k in State.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return State()


def write_state(state: State, root: Path | None = None) -> None:
    """Replace the pointer file atomically and durably (the one switch)."""
    root = root or updates_dir()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{STATE}.{os.getpid()}"
    write_text_synced(tmp, json.dumps(asdict(state), indent=1))
    replace_synced(tmp, root / STATE)


def installed_release_path(root: Path | None = None) -> Path | None:
    """Return the installed release's index bundle, or None if no release is installed."""
    root = root or updates_dir()
    state = read_state(root)
    if not state.current:
        return None
    path = root / "releases" / state.current
    return path if (path / "manifest.json").is_file() else None
