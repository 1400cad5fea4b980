"""The one settings model of the app, the CLI and the agent (no secrets): JSON in the data dir.

API keys never go here; they go through ``nikdesk.storage.secrets`` (OS keyring). The CLI builds
a ``Settings`` from its flags, the window loads and saves the file; the agent reads the same
object (``provider``, ``language``, the model fields).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from nikdesk.core.paths import data_dir

# default model names, one place (the CLI's --model default, the settings dialog, providers)
DEFAULT_OPENAI_MODEL = "gpt-4o"
PROVIDER_CHOICES = ("auto", "openai", "local", "none")

log = logging.getLogger(__name__)
FILE = "settings.json"


@dataclass(frozen=True)
class Settings:
    """What the technician can set in the settings dialog (and the CLI with flags)."""

    provider: str = "auto"  # auto | openai | local | none
    language: str = "de"  # de | en (answers and UI)
    text_size: int = 11  # points
    sunlight: bool = False  # high-contrast theme, large touch targets
    local_model: str = ""  # GGUF file ("" = the bundled default)
    openai_base_url: str = ""  # "" = OpenAI; any OpenAI-compatible endpoint otherwise
    openai_model: str = DEFAULT_OPENAI_MODEL
    index_path: str = ""  # "" = bundled index/default (built from the sample library if absent)
    library_dirs: tuple[str, ...] = field(default_factory=tuple)  # where the PDFs live

    @property
    def local_model_path(self) -> Path | None:
        """Return the chosen GGUF file, or None for the default."""
        return Path(self.local_model) if self.local_model else None

    @property
    def base_url(self) -> str | None:
        """Return the OpenAI-compatible endpoint, or None for OpenAI itself."""
        return self.openai_base_url or None

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
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

    def with_changes(self, **changes: object) -> Settings:
        """Return a copy with ``changes``."""
        return replace(self, **changes)  # type: ignore[arg-type]
