"""Re-run only the questions a change can touch, on top of a full run of the code before it.

    python -m tests.bench.eval_subset BASE OUT {focus,catalog,kinds,listed} [--group hold|tune|all]
        [--questions FILE]

BASE is a directory ``eval_sets run`` wrote; OUT gets the same reports, with the questions
the predicate picks evaluated again by the code in this checkout. ``focus``: register
questions with asked words (``Ask.asked``); ``catalog``: questions an [appliances],
[surroundings] or [general] pattern of the catalogue matches; ``kinds``: questions asking
for a kind of value (``asked_types``, strict or not); ``listed``: the questions whose text
FILE holds (a JSON list of question texts, e.g. those whose glossary expansion or routing a
change alters). A full run of the changed code gives the same records (checked in the
thirty-sixth and thirty-seventh sessions) at a fraction of the time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.bench.eval_sets import ROOT, _name, question_sets


def _predicate(name: str, listed: Path | None = None) -> Callable[[str], bool]:
    if name == "listed":
        if listed is None:
            raise SystemExit("eval_subset listed: name the questions with --questions FILE")
        texts = set(json.loads(listed.read_text(encoding="utf-8")))
        return lambda question: question in texts
    if name == "kinds":
        from nikdesk.agent.guards import asked_types

        return lambda question: bool(asked_types(question, strict_only=False))
    if name == "focus":
        from nikdesk.agent.ask import ask_of

        return lambda question: bool(ask_of(question).asked)
    from nikdesk.agent.guards import _fold_text, catalog

    c = catalog()
    patterns = [*c.appliances.values(), *c.surroundings.values(), *c.general.values()]
    return lambda question: any(p.search(_fold_text(question)) for p in patterns)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("predicate", choices=["focus", "catalog", "kinds", "listed"])
    parser.add_argument("--questions", type=Path, help="listed: a JSON list of question texts")
    parser.add_argument("--group", choices=["hold", "tune", "all"], default="all")
    parser.add_argument("--index", default=str(ROOT / ".cache" / "corpus-index"))
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from nikdesk.agent.evaluate import AgentReport, QuestionScore, evaluate_agent
    from nikdesk.app.engine import open_agent
    from nikdesk.core.settings import Settings

    agent = open_agent(Settings(provider="none"), Path(args.index), log=lambda msg: None)
    # after the agent: it tells the device names
    picked = _predicate(args.predicate, args.questions)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in question_sets(args.group):
        base = args.base / f"{_name(path)}.json"
        if not base.is_file():
            continue
        report = json.loads(base.read_text(encoding="utf-8"))
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        chosen = [ln for ln in lines if picked(str(json.loads(ln)["question"]))]
        if chosen:
            with tempfile.TemporaryDirectory() as tmp:
                subset = Path(tmp) / path.name
                subset.write_text("\n".join(chosen) + "\n", encoding="utf-8")
                new = {s.id: s for s in evaluate_agent(agent, subset).scores}
            scores = [new.get(q["id"]) or QuestionScore(**q) for q in report["questions"]]
            report = AgentReport(scores).to_json()
            total += len(chosen)
        target = args.out / f"{_name(path)}.json"
        target.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    print(f"re-evaluated {total} questions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
