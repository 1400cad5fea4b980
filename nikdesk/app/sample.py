"""The embedded default: a fictional sample library, its index, and a sample question."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nikdesk.core.errors import IndexNotFound
from nikdesk.core.paths import data_dir, is_installed_wheel, resources_dir
from nikdesk.retrieval.bundle import read_manifest
from nikdesk.retrieval.open import default_index_path

SAMPLE_QUESTION = "Der Wechselrichter zeigt E050 an. Was bedeutet das und was muss ich prüfen?"


def sample_library_dir() -> Path:
    """Return the folder whose documents form the sample library.

    The checkout and the frozen app keep it in resources/; an installed wheel must not write
    into site-packages, so it copies the shipped documents to the user data dir.
    """
    shipped = resources_dir() / "sample_library" / "docs"
    if not is_installed_wheel():
        return shipped
    local = data_dir() / "sample_library"
    local.mkdir(parents=True, exist_ok=True)
    for doc in shipped.glob("*.md"):
        if not (local / doc.name).is_file():
            shutil.copy2(doc, local / doc.name)
    return local


def ensure_sample_library(log: Callable[[str], None] = print) -> Path:
    """Generate the sample manual PDF from its script if it is not there yet."""
    docs = sample_library_dir()
    script = resources_dir() / "sample_library" / "make_sample_manual.py"
    if not any(docs.glob("*.pdf")):
        log(f"Erzeuge Beispiel-Handbuch mit {script.name} …")
        spec = importlib.util.spec_from_file_location("nikdesk_sample_manual", script)
        if spec is None or spec.loader is None:
            raise IndexNotFound(f"Sample generator missing: {script}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.build(docs)
    return docs


def ensure_sample_index(log: Callable[[str], None] = print, progress: Any = None) -> Path:
    """Return the bundled index, building it from the sample library on first run.

    ``progress`` is build_index's progress callback (the CLI passes its tqdm bars).
    """
    path = default_index_path()
    try:
        read_manifest(path)
        return path
    except IndexNotFound:
        pass
    if getattr(sys, "frozen", False):
        # the app folder may be read-only: build the fallback index in the user data dir
        path = data_dir() / "index" / "sample"
        try:
            read_manifest(path)
            return path
        except IndexNotFound:
            pass
    from nikdesk.retrieval.build import build_index
    from nikdesk.retrieval.embedders import create_embedder

    docs = ensure_sample_library(log)
    log(f"Kein Index unter {path} – baue ihn aus der Beispielbibliothek {docs} …")
    report = build_index(docs, path, create_embedder(), progress=progress)
    log(f"Index geschrieben: {report.out} ({len(report.indexed) + len(report.reused)} Dokumente)")
    return path
