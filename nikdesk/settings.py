"""App settings (no secrets): a JSON file in the user data dir.

API keys never go here; they go through ``nikdesk.storage.secrets`` (OS keyring).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from nikdesk.paths import data_dir

log = logging.getLogger(__name__)
FILE = "settings.json"


@dataclass(frozen=True)
class AppSettings:
    """What the technician can set in the settings dialog."""

    provider: str = "auto"  # auto | openai | local | none
    language: str = "de"  # de | en (answers and UI)
    text_size: int = 11  # points
    sunlight: bool = False  # high-contrast theme, large touch targets
    local_model: str = ""  # GGUF file ("" = the bundled default)
    openai_base_url: str = ""  # "" = OpenAI; any OpenAI-compatible endpoint otherwise
    openai_model: str = "gpt-4o"
    index_path: str = ""  # "" = bundled index/default (built from the sample library if absent)
    library_dirs: tuple[str, ...] = field(default_factory=tuple)  # where the PDFs live

    @classmethod
    def load(cls, path: Path | None = None) -> AppSettings:
        """Read the settings; a missing or broken file gives the defaults (and is logged)."""
        path = path or data_dir() / FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings unreadable (%s): using defaults", exc)
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        if "library_dirs" in values:
            values["library_dirs"] = tuple(values["library_dirs"])
        return cls(**values)

    def save(self, path: Path | None = None) -> None:
        """Write the settings atomically."""
        path = path or data_dir() / FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def with_changes(self, **changes: object) -> AppSettings:
        """Return a copy with ``changes``."""
        return replace(self, **changes)  # type: ignore[arg-type]
