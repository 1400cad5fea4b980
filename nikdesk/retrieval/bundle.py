"""The index bundle: a self-describing directory admins build and ship to laptops.

Layout::

    manifest.json          format/bundle version, embedder, per-document entries, skipped files
    groups/<doc_id>/       per-document group (the unit of incremental rebuilds and deltas):
        chunks.json        the document's chunks (pages, section, kind, text)
        vectors.npy        their embeddings, float32, same order
    chunks.sqlite          all chunks + FTS5 lexical index (derived from groups)
    vectors.faiss          all vectors, row i == chunk id i (derived from groups)

A bundle is written into a sibling temp dir and swapped in with renames; the manifest is the
last file written, so a directory without a valid manifest is never taken for a bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from nikdesk.core.durable import replace_synced, sync_tree, write_text_synced
from nikdesk.core.errors import IndexMismatch, IndexNotFound
from nikdesk.core.text import index_text
from nikdesk.ingest.chunking import DraftChunk

FORMAT = "nikdesk-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DocumentEntry:
    """What the manifest records about one indexed document."""

    doc_id: str
    file: str  # file name, shown in citations
    relpath: str  # path below the source dir (posix)
    title: str
    sha256: str
    pages: int
    pages_with_text: int
    chunks: int
    language: str
    manufacturer: str
    chunker_version: int


@dataclass(frozen=True)
class SkippedFile:
    """A source file the build could not index, with the reason."""

    relpath: str
    reason: str  # the technical detail (English, for the admin's log)
    code: str = ""  # errors.SKIP_REASONS: what the UI words in its language


@dataclass(frozen=True)
class EmbedderInfo:
    """Which embedder produced the vectors; a bundle only answers queries embedded alike."""

    name: str
    dim: int


@dataclass(frozen=True)
class IndexManifest:
    """The bundle's manifest.json."""

    embedder: EmbedderInfo
    bundle_version: int
    created: str
    documents: tuple[DocumentEntry, ...]
    skipped: tuple[SkippedFile, ...] = ()
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    total_chunks: int = 0

    def to_json(self) -> str:
        """Serialise to the manifest.json text."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> IndexManifest:
        """Parse manifest.json text (raises KeyError/TypeError on a malformed manifest)."""
        raw: dict[str, Any] = json.loads(text)
        return cls(
            embedder=EmbedderInfo(**raw["embedder"]),
            bundle_version=int(raw["bundle_version"]),
            created=raw["created"],
            documents=tuple(DocumentEntry(**d) for d in raw["documents"]),
            skipped=tuple(SkippedFile(**s) for s in raw.get("skipped", [])),
            format=raw["format"],
            format_version=int(raw["format_version"]),
            total_chunks=int(raw.get("total_chunks", 0)),
        )


@dataclass
class Group:
    """One document's chunks and vectors, as stored under groups/<doc_id>/."""

    entry: DocumentEntry
    chunks: list[DraftChunk]
    vectors: np.ndarray = field(repr=False)


def doc_key(relpath: str) -> str:
    """Return a stable, file-system-safe id for a document path."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(relpath).stem).strip("-")[:48]
    digest = hashlib.sha1(os.fsencode(relpath)).hexdigest()[:8]
    return f"{stem}-{digest}"


def now_iso() -> str:
    """Return the current UTC time as ISO-8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------- reading groups


def read_manifest(path: Path) -> IndexManifest:
    """Read and validate a bundle's manifest, or raise IndexNotFound/IndexMismatch."""
    recover_interrupted_swap(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise IndexNotFound(
            f"No index at {path}. Build one with: nikdesk index build <manuals folder> --out {path}"
        )
    try:
        manifest = IndexManifest.from_json(manifest_path.read_text(encoding="utf-8"))
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexNotFound(f"{manifest_path} is damaged ({exc}); rebuild the index.") from exc
    if manifest.format != FORMAT or manifest.format_version != FORMAT_VERSION:
        raise IndexMismatch(
            f"{path} has index format {manifest.format} v{manifest.format_version}; this NikDesk "
            f"reads {FORMAT} v{FORMAT_VERSION}. Rebuild the index or update NikDesk."
        )
    return manifest


def read_group(bundle: Path, entry: DocumentEntry) -> Group:
    """Load one document's group from an existing bundle."""
    folder = bundle / "groups" / entry.doc_id
    raw = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
    chunks = [DraftChunk(**c) for c in raw]
    vectors = np.load(folder / "vectors.npy")
    return Group(entry=entry, chunks=chunks, vectors=vectors)


# ---------------------------------------------------------------- writing a bundle


def write_bundle(out: Path, manifest: IndexManifest, groups: list[Group]) -> None:
    """Write a complete bundle to ``out`` atomically (old bundle stays valid until the swap)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_dirs(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_groups(tmp, groups)
        _write_chunk_store(tmp / "chunks.sqlite", groups)
        _write_vectors(tmp / "vectors.faiss", groups, manifest.embedder.dim)
        sync_tree(tmp)  # data on disk before the manifest says the bundle is complete
        write_text_synced(tmp / MANIFEST, manifest.to_json())  # last: marks the bundle valid
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_groups(root: Path, groups: list[Group]) -> None:
    for group in groups:
        folder = root / "groups" / group.entry.doc_id
        folder.mkdir(parents=True)
        data = [asdict(c) for c in group.chunks]
        (folder / "chunks.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        np.save(folder / "vectors.npy", np.ascontiguousarray(group.vectors, dtype=np.float32))


def _write_chunk_store(path: Path, groups: list[Group]) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.table("documents").create(
        {
            "doc_id": str,
            "file": str,
            "title": str,
            "manufacturer": str,
            "language": str,
            "pages": int,
            "first_chunk": int,
            "last_chunk": int,
        },
        pk="doc_id",
    )
    db.table("chunks").create(
        {
            "id": int,
            "doc_id": str,
            "page_start": int,
            "page_end": int,
            "section": str,
            "kind": str,
            "text": str,
        },
        pk="id",
    )
    # contentless FTS5: only the postings of our own normalised terms (see normalize.py)
    db.execute(
        "CREATE VIRTUAL TABLE chunks_fts USING fts5(terms, content='', tokenize='unicode61')"
    )
    # the index vocabulary, read by lexical search to split German compounds in questions
    db.execute("CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row')")
    next_id = 0
    for group in groups:
        e = group.entry
        first = next_id
        rows, fts = [], []
        context = f"{e.title} {e.manufacturer}"
        for chunk in group.chunks:
            rows.append({"id": next_id, "doc_id": e.doc_id, **asdict(chunk)})
            fts.append((next_id, index_text(f"{context} {chunk.section}\n{chunk.text}")))
            next_id += 1
        db.table("chunks").insert_all(rows)
        db.conn.executemany("INSERT INTO chunks_fts(rowid, terms) VALUES (?, ?)", fts)
        db.table("documents").insert(
            {
                "doc_id": e.doc_id,
                "file": e.file,
                "title": e.title,
                "manufacturer": e.manufacturer,
                "language": e.language,
                "pages": e.pages,
                "first_chunk": first,
                "last_chunk": next_id - 1,
            }
        )
    db.table("chunks").create_index(["doc_id"])
    db.conn.commit()
    db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
    db.conn.commit()
    db.close()


def _write_vectors(path: Path, groups: list[Group], dim: int) -> None:
    import faiss

    index = faiss.IndexFlatIP(dim)
    for group in groups:
        if len(group.vectors):
            index.add(np.ascontiguousarray(group.vectors, dtype=np.float32))
    faiss.write_index(index, str(path))


def _swap(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp`` with two renames; recover_interrupted_swap heals the gap."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    replace_synced(tmp, out)  # the renames themselves durable
    shutil.rmtree(old, ignore_errors=True)


def _owner_alive(path: Path) -> bool:
    """Tell whether the process that made a .tmp-<pid>/.old-<pid> dir is still running."""
    try:
        pid = int(path.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours (PermissionError) or platform quirk: assume alive
        return True
    return True


def recover_interrupted_swap(out: Path) -> None:
    """Put back the previous bundle if a build died between the two renames of a swap.

    Only leftovers of dead processes are touched: a build that is swapping right now is not.
    """
    if (out / MANIFEST).exists() or not out.parent.is_dir():
        return
    olds = sorted(out.parent.glob(f".{out.name}.old-*"), key=lambda p: p.stat().st_mtime)
    for old in reversed(olds):
        if (old / MANIFEST).is_file() and not _owner_alive(old):
            if out.exists():
                shutil.rmtree(out)
            os.replace(old, out)
            return


def remove_stale_temp_dirs(out: Path) -> None:
    """Delete leftovers of builds that died (never the live bundle or a running build's)."""
    recover_interrupted_swap(out)
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for stale in out.parent.glob(pattern):
            if not _owner_alive(stale):
                shutil.rmtree(stale, ignore_errors=True)


def check_out_dir(out: Path, src: Path | None = None) -> None:
    """Refuse an output folder that holds something other than a bundle (it gets replaced)."""
    out = out.resolve()
    if src is not None:
        src = src.resolve()
        if out == src or src.is_relative_to(out) or out.is_relative_to(src):
            raise IndexNotFound(
                f"The index folder {out} must lie outside the manuals folder {src} "
                "(it is replaced as a whole on every build)."
            )
    recover_interrupted_swap(out)
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise IndexNotFound(
            f"{out} is not empty and holds no index. Choose an empty or new folder for "
            "--out: the index folder is replaced as a whole on every build."
        )


def open_sqlite_readonly(path: Path) -> sqlite3.Connection:
    """Open the chunk store read-only (the bundle is immutable once written)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn
