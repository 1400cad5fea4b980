"""Where things live: the user's data dir and the bundled models/, index/, resources/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "NikDesk"


def project_root() -> Path:
    """Return the folder holding models/, index/ and resources/ (source tree or frozen app)."""
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks bundled data here
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    """Return the models/ folder (override with NIKDESK_MODELS_DIR)."""
    override = os.environ.get("NIKDESK_MODELS_DIR")
    return Path(override) if override else project_root() / "models"


def bundled_index_dir() -> Path:
    """Return the index/ folder shipped with the app (override with NIKDESK_INDEX_DIR)."""
    override = os.environ.get("NIKDESK_INDEX_DIR")
    return Path(override) if override else project_root() / "index"


def resources_dir() -> Path:
    """Return the resources/ folder (prompts, glossary, sample library, styles)."""
    return project_root() / "resources"


def data_dir() -> Path:
    """Return the per-user data dir (override with NIKDESK_HOME, e.g. in tests)."""
    override = os.environ.get("NIKDESK_HOME")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_path

        path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path
