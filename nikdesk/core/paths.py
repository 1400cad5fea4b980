"""Where things live: the user's data dir and the bundled models/, index/, resources/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "NikDesk"


PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../nikdesk


def is_installed_wheel() -> bool:
    """Tell whether nikdesk runs from an installed wheel (not the checkout, not frozen)."""
    return getattr(sys, "_MEIPASS", None) is None and _checkout() is None


def _checkout() -> Path | None:
    """Return the source checkout holding nikdesk/, or None for an installed wheel."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "models").is_dir() else None


def project_root() -> Path:
    """Return the folder holding models/ and index/: frozen app, checkout, else the data dir.

    An installed wheel ships no models/ or index/: they live in the user data dir then.
    """
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks bundled data here
    if frozen:
        return Path(frozen)
    return _checkout() or data_dir()


def models_dir() -> Path:
    """Return the models/ folder (override with NIKDESK_MODELS_DIR)."""
    override = os.environ.get("NIKDESK_MODELS_DIR")
    return Path(override) if override else project_root() / "models"


def bundled_index_dir() -> Path:
    """Return the index/ folder shipped with the app (override with NIKDESK_INDEX_DIR)."""
    override = os.environ.get("NIKDESK_INDEX_DIR")
    return Path(override) if override else project_root() / "index"


def resources_dir() -> Path:
    """Return the resources/ folder (prompts, glossary, sample library, styles).

    It ships as the package ``nikdesk.resources`` (a link to the top-level resources/ in the
    checkout), so a wheel finds it like the checkout does; the frozen app keeps it beside.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return PACKAGE_DIR / "resources"


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
