"""Benchmarks that print figures: build throughput, search latency, memory.

Run with ``make bench`` (or ``python -m tests.bench.bench --corpus DIR``). Every figure comes with
a baseline measured in the same process, so ratios survive a slower or busier machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nikdesk.ingest.chunking import DraftChunk
from nikdesk.retrieval.build import build_index, passage_text
from nikdesk.retrieval.bundle import (
    DocumentEntry,
    Group,
    IndexManifest,
    now_iso,
    read_group,
    read_manifest,
    write_bundle,
)
from nikdesk.retrieval.embedders import create_embedder
from nikdesk.retrieval.hybrid import Retriever
from nikdesk.retrieval.types import SearchOptions

QUERIES = [
    "Die SmartEVSE meldet ERROR NO CURRENT. Was bedeutet das?",
    "Welche Baudrate hat die Modbus-Schnittstelle?",
    "Register 40069 Einspeisebegrenzung",
    "Fehler E050 Isolationswiderstand prüfen",
    "How do I change the Modbus address on the device?",
    "Welcher Leiterquerschnitt für die Schraubklemmen?",
    "Wie viele Module hat ein Sungrow SBR128?",
    "What does ERR 33 mean on VE.Direct?",
    "Ladestrom maximal einstellen Wallbox",
    "Abschlusswiderstand RS485 Bus aktivieren",
]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def bench_build(corpus: Path, work: Path) -> Path:
    """Print build pages/s next to raw embedding pages/s on the same passages."""
    embedder = create_embedder("e5-small")
    out = work / "corpus-index"
    report = build_index(corpus, out, embedder)
    build_rate = report.pages / report.seconds
    manifest = read_manifest(out)
    texts = [
        passage_text(entry, chunk)
        for entry in manifest.documents
        for chunk in read_group(out, entry).chunks
    ]
    started = time.perf_counter()
    embedder.embed_passages(texts)
    raw_seconds = time.perf_counter() - started
    raw_rate = report.pages / raw_seconds
    print(f"[build] {report.pages} pages, {report.chunks} chunks, {len(manifest.documents)} docs")
    print(
        f"[build] full build        {report.seconds:7.1f} s  {build_rate:6.2f} pages/s "
        f"(embedding {report.embed_seconds:.1f} s of it)"
    )
    print(
        f"[build] raw embedding     {raw_seconds:7.1f} s  {raw_rate:6.2f} pages/s "
        f"(same {len(texts)} passages, embedder only)"
    )
    print(f"[build] ratio build/raw   {build_rate / raw_rate:6.2f}   (target >= 0.80)")
    return out


def _latencies(retriever: Retriever, rerank: bool, rounds: int = 5) -> list[float]:
    retriever.search(QUERIES[0])  # warm caches and lazy imports
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            retriever.search(q, SearchOptions(k=5, rerank=rerank))
            times.append((time.perf_counter() - started) * 1000)
    return times


def bench_search(label: str, index: Path, reranker_dir: Path | None) -> None:
    """Print search latency p50/p95 without and with rerank, next to query-embedding alone."""
    from nikdesk.retrieval.rerank import create_reranker

    embedder = create_embedder(read_manifest(index).embedder.name)
    reranker = create_reranker("local", model_dir=reranker_dir) if reranker_dir else None
    retriever = Retriever(index, embedder, reranker)
    embed_only = []
    for _ in range(5):
        for q in QUERIES:
            started = time.perf_counter()
            embedder.embed_query(q)
            embed_only.append((time.perf_counter() - started) * 1000)
    plain = _latencies(retriever, rerank=False)
    print(f"[search:{label}] {retriever.manifest.total_chunks} chunks")
    print(
        f"[search:{label}] query embedding only  p50 {_pct(embed_only, 50):6.1f} ms  "
        f"p95 {_pct(embed_only, 95):6.1f} ms  (baseline)"
    )
    print(
        f"[search:{label}] hybrid, no rerank     p50 {_pct(plain, 50):6.1f} ms  "
        f"p95 {_pct(plain, 95):6.1f} ms  "
        f"ratio to baseline {statistics.median(plain) / statistics.median(embed_only):.2f}"
    )
    if reranker is not None:
        reranked = _latencies(retriever, rerank=True, rounds=2)
        print(
            f"[search:{label}] hybrid + rerank (30) p50 {_pct(reranked, 50):6.1f} ms  "
            f"p95 {_pct(reranked, 95):6.1f} ms  (random-weight MiniLM-L6 cross-encoder)"
        )


def make_synthetic_index(source: Path, out: Path, total: int = 100_000) -> Path:
    """Write a bundle of ``total`` chunks: real chunk texts recombined, random unit vectors."""
    manifest = read_manifest(source)
    pool = [c.text for e in manifest.documents for c in read_group(source, e).chunks]
    rng = random.Random(7)
    nprng = np.random.default_rng(7)
    per_doc = 1000
    groups = []
    for d in range(total // per_doc):
        chunks = [
            DraftChunk(
                page_start=1 + i // 10,
                page_end=1 + i // 10,
                section=f"Abschnitt {i % 37}",
                kind="text",
                text=" ".join(rng.choice(pool).split()[:120]),
            )
            for i in range(per_doc)
        ]
        vectors = nprng.standard_normal((per_doc, manifest.embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        entry = DocumentEntry(
            doc_id=f"synthetic-{d:04d}",
            file=f"synthetic_{d:04d}.pdf",
            relpath=f"synthetic_{d:04d}.pdf",
            title=f"Synthetisches Handbuch {d}",
            sha256="0" * 64,
            pages=100,
            pages_with_text=100,
            chunks=per_doc,
            language="de",
            manufacturer="Synthetic",
            chunker_version=0,
        )
        groups.append(Group(entry, chunks, vectors))
    write_bundle(
        out,
        IndexManifest(
            embedder=manifest.embedder,
            bundle_version=1,
            created=now_iso(),
            documents=tuple(g.entry for g in groups),
            total_chunks=total,
        ),
        groups,
    )
    return out


def make_random_cross_encoder(folder: Path, corpus_index: Path) -> Path:
    """Write a MiniLM-L6-sized cross-encoder with random weights (latency, not quality)."""
    from tests.fakes import write_random_cross_encoder  # run from the repo root (make bench)

    manifest = read_manifest(corpus_index)
    words = {
        w.lower()
        for e in manifest.documents[:5]
        for c in read_group(corpus_index, e).chunks
        for w in c.text.split()
        if w.isalpha()
    }
    return write_random_cross_encoder(folder, words, layers=6, hidden=384, heads=12, max_len=512)


_RSS_PROBE = """
import json, sys, psutil
from pathlib import Path
p = psutil.Process()
base = p.memory_info().rss
from nikdesk.retrieval.open import open_retriever
r = open_retriever(Path(sys.argv[1]))
for q in sys.argv[2:]:
    r.search(q)
# VmHWM, not ru_maxrss: ru_maxrss keeps the high-water mark of the forking parent
hwm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status")
           if line.startswith("VmHWM:"))
print(json.dumps({"baseline": base, "rss": p.memory_info().rss, "peak": hwm}))
"""


def bench_memory(label: str, index: Path) -> None:
    """Print RSS of a fresh process with the embedder and ``index`` loaded, after searches."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(index), *QUERIES],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    m = json.loads(out.strip().splitlines()[-1])
    mb = 1024 * 1024
    print(
        f"[memory:{label}] interpreter baseline {m['baseline'] / mb:6.0f} MB, with embedder + "
        f"index + 10 searches: RSS {m['rss'] / mb:6.0f} MB, peak {m['peak'] / mb:6.0f} MB "
        "(target <= 500 MB)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run all benchmarks and print their figures."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench")
    p.add_argument("--corpus", type=Path, required=True, help="folder of real manuals")
    p.add_argument("--index", type=Path, help="reuse an existing corpus index (skips build bench)")
    p.add_argument("--synthetic", type=int, default=100_000, help="chunks in the synthetic index")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nikdesk-bench-") as tmp:
        work = Path(tmp)
        index = args.index or bench_build(args.corpus, work)
        reranker_dir = make_random_cross_encoder(work / "cross-encoder", index)
        bench_search("corpus", index, reranker_dir)
        bench_memory("corpus", index)
        synthetic = make_synthetic_index(index, work / "synthetic", args.synthetic)
        bench_search(f"synthetic-{args.synthetic // 1000}k", synthetic, reranker_dir)
        bench_memory(f"synthetic-{args.synthetic // 1000}k", synthetic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
