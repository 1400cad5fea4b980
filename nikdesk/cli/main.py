"""Command line: parse, call, print. ``nikdesk --help`` lists the commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nikdesk.core.errors import NikDeskError, NothingIndexed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; typed NikDesk errors print their message and exit 2."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except NothingIndexed as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    except NikDeskError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nikdesk", description="NikDesk – Servicehandbücher offline durchsuchen"
    )
    sub = p.add_subparsers(dest="command")

    index = sub.add_parser("index", help="build or inspect an index bundle").add_subparsers(
        dest="sub"
    )
    build = index.add_parser("build", help="index a folder of PDF/Markdown manuals")
    build.add_argument("src", type=Path)
    build.add_argument("--out", type=Path, required=True)
    build.add_argument("--embedder", default=None, help="e5-small (default), minilm, st:<dir>")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(func=_cmd_build)
    info = index.add_parser("info", help="show a bundle's manifest")
    info.add_argument("path", type=Path, nargs="?", default=None)
    info.add_argument("--json", action="store_true", help="print the raw manifest")
    info.set_defaults(func=_cmd_info)

    search = sub.add_parser("search", help="search an index")
    search.add_argument("question", nargs="?")
    search.add_argument("--batch", type=Path, help="JSONL file of {id, question}")
    _index_args(search)
    search.add_argument("--json", action="store_true")
    search.add_argument("--file", action="append", default=[], help="only this document")
    search.add_argument("--manufacturer", action="append", default=[])
    search.add_argument("--product", action="append", default=[])
    search.add_argument(
        "--mode", choices=["hybrid", "hybrid-rrf", "dense", "lexical"], default="hybrid"
    )
    search.set_defaults(func=_cmd_search)

    ev = sub.add_parser("eval", help="hit@1/hit@5/MRR of hybrid vs dense vs lexical")
    ev.add_argument("questions", type=Path)
    _index_args(ev)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=_cmd_eval)

    from nikdesk.cli import account, agent, release, server

    agent.add_commands(sub, _index_args)
    server.add_commands(sub)  # nikdesk server …
    release.add_commands(sub)  # nikdesk release …, nikdesk update …
    account.add_commands(sub)  # nikdesk account …, sync, sessions …

    models = sub.add_parser("models", help="list the model manifest and what is present")
    models.add_argument("--verify", action="store_true", help="check sha256 of present models")
    models.set_defaults(func=_cmd_models)
    return p


def _index_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, default=None, help="index bundle (default: bundled index)")
    p.add_argument("--k", type=int, default=5)
    p.add_argument(
        "--embedder", default=None, help="default: the embedder the index was built with"
    )
    p.add_argument("--rerank", default="none", help="none (default) | local | cohere | auto")


def _cmd_build(args: argparse.Namespace) -> int:
    from nikdesk.cli.console import BuildProgress, format_report
    from nikdesk.retrieval.build import build_index
    from nikdesk.retrieval.embedders import DEFAULT_EMBEDDER, create_embedder

    embedder = create_embedder(args.embedder or DEFAULT_EMBEDDER)
    with BuildProgress(enabled=not args.quiet) as progress:
        report = build_index(args.src, args.out, embedder, progress=progress)
    print(format_report(report))
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from nikdesk.cli.console import format_manifest
    from nikdesk.retrieval.bundle import read_manifest
    from nikdesk.retrieval.open import default_index_path

    manifest = read_manifest(args.path or default_index_path())
    print(manifest.to_json() if args.json else format_manifest(manifest))
    return 0


def _open_retriever(args: argparse.Namespace) -> Any:
    from nikdesk.app.engine import open_search
    from nikdesk.core.settings import Settings
    from nikdesk.retrieval.open import default_index_path

    # `nikdesk search` never builds the sample: no --index means the installed/bundled index
    index = args.index or default_index_path()
    return open_search(Settings(), index, embedder=args.embedder, reranker=args.rerank)


def _cmd_search(args: argparse.Namespace) -> int:
    from nikdesk.retrieval.types import SearchFilters, SearchOptions

    if bool(args.question) == bool(args.batch):
        raise NikDeskError("Give either a QUESTION or --batch QUESTIONS.jsonl.")
    retriever = _open_retriever(args)
    options = SearchOptions(
        k=args.k,
        mode=args.mode,
        filters=SearchFilters(tuple(args.file), tuple(args.manufacturer), tuple(args.product)),
    )
    if args.batch:
        from nikdesk.retrieval.evaluate import read_questions

        bad = 0
        for q in read_questions(args.batch):
            if isinstance(q, NikDeskError):  # report, skip, go on: one bad line loses nothing else
                print(f"Fehler: {q}", file=sys.stderr)
                bad += 1
                continue
            hits = retriever.search(q.question, options)
            row = {"id": q.id, "hits": [_hit_json(h) for h in hits]}
            print(json.dumps(row, ensure_ascii=False), flush=True)
        return 2 if bad else 0
    hits = retriever.search(args.question, options)
    if args.json:
        print(json.dumps([_hit_json(h) for h in hits], ensure_ascii=False, indent=1))
    else:
        from nikdesk.cli.console import format_hits

        print(format_hits(hits))
    return 0


def _hit_json(hit: Any) -> dict[str, Any]:
    c = hit.chunk
    return {
        "file": c.file,
        "page": c.page_start,
        "page_end": c.page_end,
        "score": round(hit.score, 6),
        "section": c.section,
        "kind": c.kind,
        "text": c.text,
        "dense_rank": hit.dense_rank,
        "lexical_rank": hit.lexical_rank,
        "dense_score": hit.dense_score,
        "lexical_score": hit.lexical_score,
    }


def _cmd_eval(args: argparse.Namespace) -> int:
    from nikdesk.cli.console import format_eval
    from nikdesk.retrieval.evaluate import evaluate, load_questions

    retriever = _open_retriever(args)
    result = evaluate(retriever, load_questions(args.questions), k=max(args.k, 5))
    if args.json:
        print(
            json.dumps(
                {
                    m: {k: s.as_dict() | {"misses": s.misses} for k, s in kinds.items()}
                    for m, kinds in result.items()
                },
                indent=1,
            )
        )
    else:
        print(format_eval(result))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from nikdesk.core.errors import ModelMissing
    from nikdesk.core.models import load_manifest

    for entry in load_manifest().values():
        try:
            path = entry.locate()
            state = f"vorhanden: {path}"
            if args.verify:
                state += "  (sha256 ok)" if entry.verify() else "  (SHA256 FALSCH)"
        except ModelMissing:
            state = f"FEHLT – {entry.source}"
        print(f"{entry.name:14} {entry.role:9} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
