"""Command line of the agent: ``nikdesk ask``, ``nikdesk resume``, ``nikdesk eval-agent``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nikdesk.core.errors import NikDeskError
from nikdesk.core.settings import DEFAULT_OPENAI_MODEL, PROVIDER_CHOICES

if TYPE_CHECKING:
    from nikdesk.agent import Agent


def add_commands(sub: Any, index_args: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the agent's sub-commands to the ``nikdesk`` parser."""
    ask = sub.add_parser("ask", help="ask Nik: an answer with document and page citations")
    ask.add_argument("question", nargs="?", default=None)
    ask.add_argument("--batch", type=Path, help="JSONL file of {id, question[, image]}")
    ask.add_argument("--image", type=Path, default=None, help="photo of the device display")
    ask.add_argument(
        "--session", default=None, help="record in the account's history: new | SESSION_ID"
    )
    _agent_args(ask, index_args)
    ask.set_defaults(func=_cmd_ask)

    resume = sub.add_parser("resume", help="answer Nik's clarification question of a paused run")
    resume.add_argument("run_id")
    resume.add_argument("reply")
    _agent_args(resume, index_args)
    resume.set_defaults(func=_cmd_resume)

    ev = sub.add_parser("eval-agent", help="score Nik's answers on a question file")
    ev.add_argument("questions", type=Path)
    _agent_args(ev, index_args)
    ev.add_argument("--details", action="store_true", help="one line per question")
    ev.add_argument(
        "--baseline", type=Path, default=None, help="an earlier --json report: print before -> now"
    )
    ev.set_defaults(func=_cmd_eval_agent)


def _agent_args(
    p: argparse.ArgumentParser, index_args: Callable[[argparse.ArgumentParser], None]
) -> None:
    index_args(p)
    p.set_defaults(rerank="auto")
    p.add_argument("--provider", choices=PROVIDER_CHOICES, default="auto")
    p.add_argument("--language", choices=["de", "en"], default="de")
    p.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint (default: OpenAI)")
    p.add_argument(
        "--model", default=DEFAULT_OPENAI_MODEL, help="model name at the OpenAI endpoint"
    )
    p.add_argument("--gguf", type=Path, default=None, help="local GGUF model file")
    p.add_argument("--json", action="store_true")


def _agent(args: argparse.Namespace) -> Agent:
    from nikdesk.app.engine import open_agent
    from nikdesk.cli.console import BuildProgress
    from nikdesk.core.settings import Settings

    settings = Settings(
        provider=args.provider,
        language=args.language,
        openai_model=args.model,
        openai_base_url=args.base_url or "",
        local_model=str(args.gguf) if args.gguf else "",
    )
    with BuildProgress() as progress:
        return open_agent(
            settings,
            args.index,
            embedder=args.embedder,
            reranker=args.rerank,
            log=lambda msg: print(msg, file=sys.stderr),
            progress=progress,
        )


def _cmd_ask(args: argparse.Namespace) -> int:
    from nikdesk.agent.result import collect
    from nikdesk.app.sample import SAMPLE_QUESTION
    from nikdesk.cli.console import EventPrinter

    if args.question and args.batch:
        raise NikDeskError("Entweder eine FRAGE oder --batch FRAGEN.jsonl angeben, nicht beides.")
    agent = _agent(args)
    try:
        if args.batch:
            return _ask_batch(agent, args.batch)
        question = args.question
        if question is None and args.image is None:
            question = SAMPLE_QUESTION
        if args.session:
            return _ask_in_session(agent, args, question or "")
        events = agent.run(question or "", image=args.image)
        if args.json:
            result = collect(events)
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        else:
            result = collect(events, EventPrinter(sys.stdout, question or ""))
        return 0 if result.error is None else 2
    finally:
        agent.close()


def _ask_in_session(agent: Any, args: argparse.Namespace, question: str) -> int:
    from nikdesk.app.exchange import record_exchange
    from nikdesk.cli.console import EventPrinter
    from nikdesk.storage.chats import ChatStore

    printer = None if args.json else EventPrinter(sys.stdout, question)
    store = ChatStore()
    result = record_exchange(store, agent, args.session, question, args.image, printer)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    return 0 if result.error is None else 2


def _ask_batch(agent: Any, path: Path) -> int:
    from nikdesk.agent.result import collect

    bad = 0
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            qid, question = str(raw["id"]), str(raw["question"])
            image = Path(raw["image"]) if raw.get("image") else None
        except (ValueError, KeyError, TypeError) as exc:
            print(f"Fehler: {path}:{n}: keine Frage mit id und question ({exc})", file=sys.stderr)
            bad += 1
            continue
        result = collect(agent.run(question, image=image))
        print(json.dumps({"id": qid, **result.to_json()}, ensure_ascii=False), flush=True)
    return 2 if bad else 0


def _lines_text(path: Path) -> str:
    return "\n".join(_lines(path))


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise NikDeskError(f"Fragendatei nicht lesbar: {path}: {exc}") from exc


def _cmd_resume(args: argparse.Namespace) -> int:
    from nikdesk.agent.result import collect
    from nikdesk.cli.console import EventPrinter

    agent = _agent(args)
    try:
        events = agent.resume(args.run_id, args.reply)
        if args.json:
            result = collect(events)
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        else:
            result = collect(events, EventPrinter(sys.stdout, args.reply))
        return 0 if result.error is None else 2
    finally:
        agent.close()


def _cmd_eval_agent(args: argparse.Namespace) -> int:
    from nikdesk.agent.evaluate import evaluate_agent, format_agent_eval

    agent = _agent(args)
    try:
        report = evaluate_agent(agent, args.questions)
    finally:
        agent.close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        baseline = None
        if args.baseline is not None:
            baseline = json.loads(_lines_text(args.baseline))
        print(format_agent_eval(report, details=args.details, baseline=baseline))
    return 0
