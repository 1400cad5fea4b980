"""The model manifest (models/manifest.toml): which model files exist and where they live."""

from __future__ import annotations

import importlib.util
import tomllib
from dataclasses import dataclass
from pathlib import Path

from nikdesk.core.errors import ModelMissing, NikDeskError
from nikdesk.core.hashing import file_sha256
from nikdesk.core.paths import models_dir, resources_dir


@dataclass(frozen=True)
class ModelEntry:
    """One model of the manifest."""

    name: str
    role: str  # "embedder" | "reranker" | "llm"
    backend: str
    path: str  # relative to models/
    source: str
    licence: str
    description: str = ""
    package: str | None = None
    package_path: str | None = None
    sha256: str | None = None
    sha256_file: str | None = None  # for directories: which file the hash covers
    dim: int | None = None
    auto: bool = True  # False: never chosen automatically from its package fallback

    def in_models_dir(self) -> bool:
        """Tell whether the model was placed in models/ (not only found in a package)."""
        return (models_dir() / self.path).exists()

    def candidates(self) -> list[Path]:
        """Return the places the model is looked for, in order."""
        places = [models_dir() / self.path]
        if self.package and self.package_path:
            spec = importlib.util.find_spec(self.package)
            if spec is not None and spec.origin:
                places.append(Path(spec.origin).parent / self.package_path)
        return places

    def locate(self) -> Path:
        """Return the model's path or raise ModelMissing saying what to put where."""
        for place in self.candidates():
            if place.exists():
                return place
        raise ModelMissing(
            f"Model '{self.name}' ({self.role}) not found. Put it at {models_dir() / self.path}. "
            f"Where to get it: {self.source}"
        )

    def verify(self) -> bool:
        """Check the located file against the manifest's sha256 (True if no hash is given)."""
        if not self.sha256:
            return True
        path = self.locate()
        if path.is_dir():
            if not self.sha256_file:
                raise NikDeskError(
                    f"Model '{self.name}' is a folder: its manifest entry needs sha256_file, "
                    "the file the hash covers."
                )
            path = path / self.sha256_file
        return file_sha256(path) == self.sha256


def load_manifest(path: Path | None = None) -> dict[str, ModelEntry]:
    """Read models/manifest.toml into entries keyed by name."""
    if path is None:
        path = models_dir() / "manifest.toml"
        if not path.is_file():  # an installed wheel: the manifest ships with the resources
            path = resources_dir() / "models_manifest.toml"
    if not path.exists():
        raise NikDeskError(f"Model manifest missing: {path}. Restore models/manifest.toml.")
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    fields = set(ModelEntry.__dataclass_fields__)
    entries = {}
    for item in raw.get("model", []):
        entry = ModelEntry(**{k: v for k, v in item.items() if k in fields})
        entries[entry.name] = entry
    return entries


def model_entry(name: str) -> ModelEntry:
    """Return the manifest entry ``name`` or raise a NikDeskError listing known names."""
    entries = load_manifest()
    if name not in entries:
        known = ", ".join(sorted(entries))
        raise NikDeskError(f"Unknown model '{name}'. Known models: {known}")
    return entries[name]
