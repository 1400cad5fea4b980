"""Fixtures of the chat API tests: a two-manufacturer index, the chat engine's environment.

The library is the generated sample library (Nordlicht NX-Hybrid) plus a short fictional
Sonnwerk manual, so that a question fitting both devices makes the no-LLM policy ask back
(a real clarification, deterministic) and a question about an unknown brand is "not found".
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import e5_or_skip

SONNWERK = """# Sonnwerk SW-5000 Kurzanleitung

*Fiktives Testdokument – Hersteller und Produkt sind frei erfunden.*

## 4 Kommunikation

### 4.1 RS485 / Modbus RTU

Die RS485-Schnittstelle des SW-5000 liegt an der Klemmleiste K2 und arbeitet als Modbus-RTU-Slave.
Werkseinstellungen der RS485-Schnittstelle: Modbus-Adresse 3, Baudrate 19200 Baud, 8 Datenbits,
keine Parität, 1 Stoppbit. Die Baudrate der RS485-Schnittstelle lässt sich im Menü
„Setup → RS485“ auf 9600, 19200 oder 38400 Baud einstellen.

### 4.2 Abschlusswiderstand

Am letzten Gerät des RS485-Busses den Abschlusswiderstand (120 Ohm) mit dem DIP-Schalter S1
zuschalten.
"""

ANSWERABLE = "Was bedeutet Fehlercode E050 beim NX-Hybrid?"
AMBIGUOUS = "Welche Baudrate hat die RS485-Schnittstelle?"  # both manuals: Nik asks back
REPLY = "Sonnwerk SW-5000"
UNKNOWN = "Was kostet eine Wärmepumpe von Viessmann?"  # no manual: not found, hand-off


@pytest.fixture(scope="session")
def chat_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of the test library's documents."""
    from nikdesk.app.sample import ensure_sample_library

    docs = ensure_sample_library(lambda _msg: None)
    lib = tmp_path_factory.mktemp("chat-library")
    for path in docs.iterdir():
        if path.is_file():
            shutil.copy(path, lib / path.name)
    (lib / "Sonnwerk_SW-5000_Kurzanleitung.md").write_text(SONNWERK, encoding="utf-8")
    return lib


@pytest.fixture(scope="session")
def chat_index(chat_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an index of the test library (e5-small; built once per session)."""
    from nikdesk.retrieval.build import build_index

    out = tmp_path_factory.mktemp("chat-index") / "index"
    build_index(chat_library, out, e5_or_skip())
    return out


@pytest.fixture(autouse=True)
def chat_env(chat_index: Path, chat_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the chat engine (in-process and server processes) at the test index, no LLM."""
    monkeypatch.setenv("NIKDESK_SERVER_INDEX", str(chat_index))
    monkeypatch.setenv("NIKDESK_SERVER_DOCUMENTS", str(chat_library))
    monkeypatch.setenv("NIKDESK_SERVER_PROVIDER", "none")
    for key in ("OPENAI_API_KEY", "COHERE_API_KEY", "NIKDESK_OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)


def png_bytes(size: tuple[int, int] = (32, 24), color: str = "red") -> bytes:
    """Return a real PNG image."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def blob_files(data_dir: Path) -> list[Path]:
    """Return every stored blob under the server's data dir (photos, PDFs)."""
    root = data_dir / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def sse_events(
    client: Any, path: str, body: dict[str, Any], headers: dict[str, str]
) -> list[tuple[str, dict[str, Any]]]:
    """POST ``body`` to an SSE route and return its (event, data) pairs, read with httpx-sse."""
    import json

    from httpx_sse import connect_sse

    out: list[tuple[str, dict[str, Any]]] = []
    with connect_sse(client, "POST", path, json=body, headers=headers) as source:
        assert source.response.status_code == 200, source.response.read()
        for sse in source.iter_sse():
            out.append((sse.event, json.loads(sse.data)))
    return out


Factory = Callable[..., Any]
