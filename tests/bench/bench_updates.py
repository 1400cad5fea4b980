"""Update-channel benchmark on the real corpus (prints figures; not part of the suite).

1. Publish the 34-manual corpus index as release 1; a fresh laptop installs it over HTTP on
   loopback: bytes downloaded and seconds until it answers from the release.
2. One manual changes (re-saved by pymupdf with an appended page), the admin rebuilds
   incrementally and publishes release 2; the laptop updates: bytes downloaded ÷ bytes of
   the changed document's target files (goal ≤ 1.1) and seconds from "apply" to answering.
3. Derived search files: rebuilding chunks.sqlite + vectors.faiss locally vs shipping them.

Run: ``python -m tests.bench.bench_updates [--index DIR] [--manuals DIR]``
(default index: $NIKDESK_TEST_CACHE/corpus-index, built with e5-small if missing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Welche Baudrate hat die Modbus-Schnittstelle?"


def _index(manuals: Path, given: Path | None) -> Path:
    if given is not None:
        return given
    cache = Path(os.environ.get("NIKDESK_TEST_CACHE", ROOT / ".cache"))
    link = cache / "corpus-index"
    if (link / "manifest.json").is_file():
        return link.resolve()
    from nikdesk.retrieval.build import build_index
    from nikdesk.retrieval.embedders import create_embedder
    from tests.integration.conftest import corpus_fingerprint

    out = cache / f"corpus-index-{corpus_fingerprint(manuals, 'e5-small')}"
    if not (out / "manifest.json").is_file():
        print(f"building the corpus index into {out} (once) …", flush=True)
        build_index(manuals, out, create_embedder("e5-small"))
    return out


def _served_bytes(server: object, before: int) -> int:
    requests = server.requests[before:]  # type: ignore[attr-defined]
    total = 0
    for path, _range in requests:
        file = server.root / path.lstrip("/")  # type: ignore[attr-defined]
        if file.is_file():
            total += file.stat().st_size
    return total


def _answer_seconds() -> tuple[float, str]:
    from nikdesk.retrieval.open import open_retriever
    from nikdesk.retrieval.types import SearchOptions

    started = time.perf_counter()
    retriever = open_retriever()
    hits = retriever.search(QUESTION, SearchOptions(k=3))
    seconds = time.perf_counter() - started
    retriever.close()
    return seconds, hits[0].chunk.file if hits else "-"


def _changed_manual(manuals: Path, out: Path, name: str) -> None:
    """Mirror ``manuals`` into ``out`` (symlinks) with ``name`` re-saved plus one page."""
    import pymupdf

    out.mkdir(parents=True)
    for path in manuals.iterdir():
        if path.name != name:
            (out / path.name).symlink_to(path)
    doc = pymupdf.open(manuals / name)
    page = doc.new_page()
    page.insert_text(
        (72, 72), "Änderung 2026-12: Neuer Fehlercode E777 – Lüfter prüfen.", fontsize=11
    )
    doc.save(out / name, garbage=3, deflate=True)


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_updates")
    p.add_argument("--manuals", type=Path, default=ROOT.parent / "shared" / "corpus" / "manuals")
    p.add_argument("--index", type=Path, default=None)
    args = p.parse_args(argv)
    index = _index(args.manuals, args.index)
    work = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    os.environ["NIKDESK_HOME"] = str(work / "laptop")
    os.environ["NIKDESK_INDEX_DIR"] = str(work / "no-bundled-index")

    from nikdesk.retrieval.build import build_index
    from nikdesk.retrieval.bundle import read_group, read_manifest
    from nikdesk.retrieval.embedders import create_embedder
    from nikdesk.updates.client import UpdateClient
    from nikdesk.updates.install import write_search_files
    from nikdesk.updates.keys import KeyRing, init_keys
    from nikdesk.updates.publish import publish
    from nikdesk.updates.repo import Repository
    from tests.updates.kit import serve

    try:
        manifest = read_manifest(index)
        print(
            f"corpus: {len(manifest.documents)} manuals, {manifest.total_chunks} chunks, "
            f"index {index}"
        )
        init_keys(work / "keys")
        keys = KeyRing(work / "keys")
        repo = Repository(work / "repo")
        t = time.perf_counter()
        r1 = publish(index, repo, keys, args.manuals)
        print(
            f"[publish] release 1: {r1.bytes_new / 1e6:.1f} MB of targets in "
            f"{time.perf_counter() - t:.1f} s"
        )
        laptop = UpdateClient()
        laptop.trust(work / "keys" / "root.json")
        with serve(repo.path) as server:
            t = time.perf_counter()
            laptop.apply(server.url)
            install = time.perf_counter() - t
            first_bytes = _served_bytes(server, 0)
            answer, top = _answer_seconds()
            print(
                f"[first install] {first_bytes / 1e6:.1f} MB downloaded, apply {install:.1f} s, "
                f"+ {answer:.1f} s to the first answer (top hit {top}); total "
                f"{install + answer:.1f} s"
            )

            # one manual changes; the admin rebuilds incrementally and publishes release 2
            name = "SMA_SunnyHomeManager20_Betriebsanleitung_DE.pdf"
            docs2 = work / "docs2"
            _changed_manual(args.manuals, docs2, name)
            index2 = work / "index2"
            shutil.copytree(index, index2)
            t = time.perf_counter()
            report = build_index(docs2, index2, create_embedder(manifest.embedder.name))
            print(
                f"[admin] incremental rebuild: {len(report.indexed)} re-embedded, "
                f"{len(report.reused)} reused, {time.perf_counter() - t:.1f} s"
            )
            r2 = publish(index2, repo, keys, docs2)
            changed = r2.changes.updated
            md = repo.targets_md()
            assert md is not None and len(changed) == 1
            doc_id = changed[0].doc_id
            target_bytes = sum(
                info.length
                for path, info in md.signed.targets.items()
                if path.startswith(f"doc/{doc_id}/")
            )
            before = len(server.requests)
            t = time.perf_counter()
            offer = laptop.apply(server.url)
            apply_s = time.perf_counter() - t
            delta = _served_bytes(server, before)
            answer, top = _answer_seconds()
            print(
                f"[delta] {offer.changes.summary()}: downloaded {delta / 1e6:.3f} MB, "
                f"changed document's targets {target_bytes / 1e6:.3f} MB, ratio "
                f"{delta / target_bytes:.3f} (goal ≤ 1.1)"
            )
            print(
                f"[delta] apply {apply_s:.1f} s + {answer:.1f} s to the first answer = "
                f"{apply_s + answer:.1f} s from 'apply' to answering from release 2"
            )

        # rebuild the derived files locally vs ship them with every release
        installed = Path(laptop.status().path or "")
        m2 = read_manifest(installed)
        groups = [read_group(installed, e) for e in m2.documents]
        scratch = work / "scratch"
        scratch.mkdir()
        t = time.perf_counter()
        write_search_files(scratch, groups, m2.embedder.dim)
        rebuild = time.perf_counter() - t
        shipped = sum((installed / f).stat().st_size for f in ("chunks.sqlite", "vectors.faiss"))
        print(
            f"[derived files] local rebuild {rebuild:.2f} s vs shipping "
            f"{shipped / 1e6:.1f} MB per release ({shipped / max(target_bytes, 1):.1f}x the "
            f"changed document) -> rebuilt locally"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
