"""Build or incrementally update an index bundle from a folder of manuals."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nikdesk.core.errors import BadDocument, IndexMismatch, IndexNotFound, NothingIndexed
from nikdesk.core.hashing import file_sha256
from nikdesk.ingest import SUPPORTED_SUFFIXES, parse_document
from nikdesk.ingest.chunking import CHUNKER_VERSION, DraftChunk, chunk_document
from nikdesk.retrieval.bundle import (
    DocumentEntry,
    EmbedderInfo,
    Group,
    IndexManifest,
    SkippedFile,
    check_out_dir,
    doc_key,
    now_iso,
    read_group,
    read_manifest,
    write_bundle,
)
from nikdesk.retrieval.embedders import Embedder

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (stage, done, total)
PARALLEL_MIN_FILES = 4  # below this a worker pool costs more than it saves


@dataclass
class BuildReport:
    """What a build did, for the CLI report and the admin's log."""

    out: Path
    embedder: str
    bundle_version: int = 0
    indexed: list[str] = field(default_factory=list)  # (re)embedded in this build
    reused: list[str] = field(default_factory=list)  # unchanged, vectors taken from the old bundle
    removed: list[str] = field(default_factory=list)  # in the old bundle, gone from the source
    skipped: list[SkippedFile] = field(default_factory=list)
    pages: int = 0  # pages with text in the whole bundle
    pages_embedded: int = 0
    chunks: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0


def discover(src: Path) -> Iterator[Path]:
    """Yield indexable files below ``src`` in a stable order (hidden files skipped)."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def manufacturer_of(relpath: str) -> str:
    """Guess the manufacturer from the top folder or the file name's first word."""
    head = relpath.split("/")[0] if "/" in relpath else Path(relpath).stem
    return head.split("_")[0]


def passage_text(entry: DocumentEntry, chunk: DraftChunk) -> str:
    """Return what gets embedded: the chunk with its document title and section as context."""
    context = entry.title if not chunk.section else f"{entry.title} – {chunk.section}"
    return f"{context}\n{chunk.text}"


def build_index(
    src: Path,
    out: Path,
    embedder: Embedder,
    progress: Progress | None = None,
) -> BuildReport:
    """Index every supported file below ``src`` into the bundle at ``out``.

    Documents whose content, embedder and chunker are unchanged since the previous bundle
    at ``out`` are reused without re-embedding. Raises NothingIndexed if no file could be
    indexed; otherwise bad files are listed in the report and the build goes on.
    """
    started = time.perf_counter()
    src = src.resolve()
    if not src.is_dir():
        raise NothingIndexed(f"Source folder not found: {src}")
    check_out_dir(out, src)
    report = BuildReport(out=out, embedder=embedder.name)
    old_manifest, old_entries = _previous(out, embedder)

    reused: list[DocumentEntry] = []
    to_parse: list[tuple[Path, str, str]] = []  # path, relpath, sha256
    files = list(discover(src))
    for path in files:
        relpath = path.relative_to(src).as_posix()
        try:
            relpath.encode("utf-8")
        except UnicodeEncodeError:
            shown = relpath.encode("utf-8", "replace").decode("utf-8")
            report.skipped.append(
                SkippedFile(shown, "file name is not valid UTF-8: rename it", "bad_name")
            )
            continue
        try:
            sha = file_sha256(path)
        except OSError as exc:
            report.skipped.append(SkippedFile(relpath, f"cannot read file: {exc}", "unreadable"))
            continue
        old = old_entries.get(relpath)
        group = out / "groups" / old.doc_id if old else None
        if (
            old
            and group is not None
            and old.sha256 == sha
            and old.chunker_version == CHUNKER_VERSION
            and (group / "chunks.json").is_file()
            and (group / "vectors.npy").is_file()
        ):
            reused.append(old)
            report.reused.append(relpath)
        else:
            to_parse.append((path, relpath, sha))

    pending: list[tuple[DocumentEntry, list[DraftChunk]]] = []
    for (path, relpath, sha), result in zip(
        to_parse, _parse_all([p for p, _, _ in to_parse], progress), strict=True
    ):
        if isinstance(result, SkippedFile):
            report.skipped.append(SkippedFile(relpath, result.reason, result.code))
            continue
        entry = DocumentEntry(
            doc_id=doc_key(relpath),
            file=path.name,
            relpath=relpath,
            title=result.title,
            sha256=sha,
            pages=result.page_count,
            pages_with_text=result.pages_with_text,
            chunks=len(result.drafts),
            language=result.language,
            manufacturer=manufacturer_of(relpath),
            chunker_version=CHUNKER_VERSION,
        )
        pending.append((entry, result.drafts))
    seen = {path.relative_to(src).as_posix() for path in files}
    seen |= {s.relpath for s in report.skipped}
    report.removed = sorted(set(old_entries) - seen)

    if not reused and not pending:
        raise NothingIndexed(
            f"Nothing could be indexed in {src}: "
            + ("; ".join(f"{s.relpath}: {s.reason}" for s in report.skipped) or "no PDF/Markdown")
        )

    if (
        old_manifest
        and not pending
        and not report.removed
        and set(report.skipped) == set(old_manifest.skipped)
    ):
        # nothing changed: keep the bundle (and its version) as it is, don't rewrite it
        report.reused = [d.relpath for d in old_manifest.documents]
        report.bundle_version = old_manifest.bundle_version
        report.pages = sum(d.pages_with_text for d in old_manifest.documents)
        report.chunks = old_manifest.total_chunks
        report.seconds = time.perf_counter() - started
        return report

    embed_started = time.perf_counter()
    groups = [read_group(out, entry) for entry in reused]
    groups.extend(_embed(pending, embedder, progress))
    report.embed_seconds = time.perf_counter() - embed_started
    groups.sort(key=lambda g: g.entry.relpath)

    report.indexed = [e.relpath for e, _ in pending]
    report.pages_embedded = sum(e.pages_with_text for e, _ in pending)
    report.chunks_embedded = sum(len(d) for _, d in pending)
    report.pages = sum(g.entry.pages_with_text for g in groups)
    report.chunks = sum(len(g.chunks) for g in groups)
    report.bundle_version = (old_manifest.bundle_version + 1) if old_manifest else 1
    manifest = IndexManifest(
        embedder=EmbedderInfo(embedder.name, embedder.dim),
        bundle_version=report.bundle_version,
        created=now_iso(),
        documents=tuple(g.entry for g in groups),
        skipped=tuple(report.skipped),
        total_chunks=report.chunks,
    )
    if progress:
        progress("write", 0, 1)
    write_bundle(out, manifest, groups)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Parsed:
    """What the build keeps of a parsed document (small enough to return from a worker)."""

    title: str
    language: str
    page_count: int
    pages_with_text: int
    drafts: list[DraftChunk]


def _parse_one(path: Path) -> _Parsed | SkippedFile:
    """Parse and chunk one file; return the reason as a string if it cannot be indexed."""
    try:
        doc = parse_document(path)
    except BadDocument as exc:
        return SkippedFile(str(path), exc.reason, exc.reason_code)
    except OSError as exc:
        return SkippedFile(str(path), f"cannot read file: {exc}", "unreadable")
    except Exception as exc:  # a parser bug on one odd file must not stop the whole build
        log.exception("parser failed on %s", path)
        detail = f"parser error ({type(exc).__name__}: {exc}); please report this file"
        return SkippedFile(str(path), detail, "parser_error")
    drafts = chunk_document(doc)
    if not drafts:
        return SkippedFile(str(path), "no indexable text", "no_text")
    return _Parsed(doc.title, doc.language, doc.page_count, doc.pages_with_text, drafts)


def _parse_all(paths: list[Path], progress: Progress | None) -> list[_Parsed | SkippedFile]:
    """Parse files on all cores (parsing is single-threaded; embedding waits for it anyway)."""
    workers = min(os.cpu_count() or 1, len(paths))
    if workers < 2 or len(paths) < PARALLEL_MIN_FILES:
        results = []
        for n, path in enumerate(paths, 1):
            results.append(_parse_one(path))
            if progress:
                progress("parse", n, len(paths))
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_parse_one, path) for path in paths]
        for n, _ in enumerate(as_completed(futures), 1):
            if progress:
                progress("parse", n, len(paths))
        return [f.result() for f in futures]


def _previous(
    out: Path, embedder: Embedder
) -> tuple[IndexManifest | None, dict[str, DocumentEntry]]:
    """Return the old manifest and its reusable entries (none if the embedder changed)."""
    try:
        manifest = read_manifest(out)
    except (IndexNotFound, IndexMismatch):
        return None, {}
    if manifest.embedder.name != embedder.name or manifest.embedder.dim != embedder.dim:
        return manifest, {}  # every vector must be recomputed with the new embedder
    return manifest, {d.relpath: d for d in manifest.documents}


def _embed(
    pending: list[tuple[DocumentEntry, list[DraftChunk]]],
    embedder: Embedder,
    progress: Progress | None,
) -> list[Group]:
    """Embed all new chunks in one stream (batches span documents) and split per document."""
    texts = [passage_text(entry, c) for entry, drafts in pending for c in drafts]
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embed", done, len(texts))

    vectors = embedder.embed_passages(texts, progress=step) if texts else np.zeros((0, 1))
    groups, start = [], 0
    for entry, drafts in pending:
        groups.append(Group(entry, drafts, vectors[start : start + len(drafts)]))
        start += len(drafts)
    return groups
