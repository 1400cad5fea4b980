"""Small real release channels for the update tests: bundles, keys, repository, web server.

Bundles are written with the real bundle writer from generated Markdown manuals and
deterministic vectors (no embedding model: the update channel never embeds), so a test
publishes and installs in well under a second.
"""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nikdesk.core.hashing import file_sha256
from nikdesk.ingest.chunking import CHUNKER_VERSION, DraftChunk
from nikdesk.retrieval.bundle import (
    DocumentEntry,
    EmbedderInfo,
    Group,
    IndexManifest,
    doc_key,
    now_iso,
    write_bundle,
)

DIM = 16
MANUALS = {
    "Nordlicht/NX-Hybrid.md": "# NX-Hybrid Handbuch\n\nE050 bedeutet Isolationsfehler.\n\n"
    "DC-Anschluss prüfen.",
    "Sonnwerk/SW-Akku.md": "# SW-Akku Handbuch\n\nDer Akku meldet A12 bei Übertemperatur.",
    "Ladefix/Wallbox.md": "# Wallbox Handbuch\n\nF3 heißt Fehlerstrom. Kabel prüfen.",
}


def _vectors(text: str, n: int, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def make_index(
    root: Path,
    manuals: dict[str, str],
    embedder: str = "test-vectors",
    dim: int = DIM,
    padding: dict[str, int] | None = None,
) -> Path:
    """Write manuals under root/docs and their bundle to root/index; return the index dir.

    ``padding`` appends that many bytes to a manual file (a bigger "PDF").
    """
    docs = root / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    groups = []
    for relpath, text in sorted(manuals.items()):
        path = docs / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = (padding or {}).get(relpath, 0)
        path.write_bytes(text.encode() + b"\n" + b"x" * extra)
        paras = [p for p in text.split("\n\n") if p.strip()]
        chunks = [DraftChunk(1, 1, paras[0].strip("# "), "text", p) for p in paras]
        entry = DocumentEntry(
            doc_id=doc_key(relpath),
            file=path.name,
            relpath=relpath,
            title=paras[0].strip("# "),
            sha256=file_sha256(path),
            pages=1,
            pages_with_text=1,
            chunks=len(chunks),
            language="de",
            manufacturer=relpath.split("/")[0],
            chunker_version=CHUNKER_VERSION,
        )
        groups.append(Group(entry, chunks, _vectors(f"{embedder}{text}", len(chunks), dim)))
    manifest = IndexManifest(
        embedder=EmbedderInfo(embedder, dim),
        bundle_version=1,
        created=now_iso(),
        documents=tuple(g.entry for g in groups),
        total_chunks=sum(len(g.chunks) for g in groups),
    )
    out = root / "index"
    write_bundle(out, manifest, groups)
    return out


def tree_digest(*paths: Path) -> str:
    """Hash every file (path and bytes) below ``paths``: "byte-identical" in one value."""
    digest = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(base.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def installed_digest(updates: Path) -> str:
    """Hash the pointer and the installed release folder."""
    import json

    state = json.loads((updates / "state.json").read_text())
    return tree_digest(updates / "state.json", updates / "releases" / state["current"])


Override = Callable[[http.server.BaseHTTPRequestHandler], bool]


@dataclass
class Server:
    """A threaded static web server on loopback, with hooks for attacks."""

    root: Path
    url: str = ""
    overrides: list[tuple[str, Override]] = field(default_factory=list)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # path, Range

    def override(self, suffix: str, handler: Override) -> None:
        """Let ``handler`` answer requests whose path ends with ``suffix`` (True = handled)."""
        self.overrides.append((suffix, handler))


@contextmanager
def serve(root: Path) -> Iterator[Server]:
    """Serve ``root`` on 127.0.0.1 (any free port) while the block runs."""
    server = Server(root)

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the NikDesk server and any CDN

        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(server.root), **kwargs)

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

        def do_GET(self) -> None:
            server.requests.append((self.path, self.headers.get("Range")))
            for suffix, handler in list(server.overrides):
                if self.path.endswith(suffix) and handler(self):
                    return
            rng = self.headers.get("Range")
            path = Path(self.translate_path(self.path))
            if rng and path.is_file():  # http.server has no Range support: add the minimum
                start = int(rng.split("=")[1].split("-")[0])
                data = path.read_bytes()[start:]
                self.send_response(206)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
