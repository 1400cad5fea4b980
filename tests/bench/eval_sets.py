"""Run every question set through the no-LLM agent, and compare two runs set by set.

    python -m tests.bench.eval_sets run OUT [--group hold|tune|all] [--jobs 2]
    python -m tests.bench.eval_sets compare BEFORE AFTER

``run`` writes one ``nikdesk eval-agent --json`` report per set into OUT (a set already
there is skipped, so an interrupted run goes on where it stopped). ``compare`` prints each
figure before -> after and the questions that turned right or wrong: for tuning sets by id,
for held-out sets (``*holdout*``) as counts only — their questions are not read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DEV = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
FIGURES = {
    "correct": "answered_with_correct_citation",
    "precision": "source_precision",
    "facts": "expected_facts",
    "key": "facts_in_key_lines",
    "unans": "unanswerable_not_found",
    "amb": "ambiguous_clarify",
    "hit5": "search_hit5",
}
_AGENT: Any = None


def question_sets(group: str) -> list[Path]:
    """Return the question files of ``group``: held out, tuning (with the dev set) or all."""
    files = sorted(p for p in DATA.glob("*.jsonl") if "review18" not in p.name)
    hold = [p for p in files if "holdout" in p.name]
    tune = [p for p in files if "holdout" not in p.name] + ([DEV] if DEV.is_file() else [])
    return {"hold": hold, "tune": tune, "all": hold + tune}[group]


def _name(path: Path) -> str:
    return path.name.removesuffix(".jsonl").removesuffix("-questions")


def _open(index: str) -> None:
    global _AGENT
    from nikdesk.app.engine import open_agent
    from nikdesk.core.settings import Settings

    _AGENT = open_agent(Settings(provider="none"), Path(index), log=lambda msg: None)


def _evaluate(path: str) -> tuple[str, dict[str, Any]]:
    from nikdesk.agent.evaluate import evaluate_agent

    return path, evaluate_agent(_AGENT, Path(path)).to_json()


def run(out: Path, group: str, index: str, jobs: int) -> None:
    """Write a report per set of ``group`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    todo = [str(p) for p in question_sets(group) if not (out / f"{_name(p)}.json").is_file()]
    # one BLAS thread per worker: two workers with a thread per core each thrash two cores
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with ProcessPoolExecutor(jobs, initializer=_open, initargs=(index,)) as pool:
        for path, report in pool.map(_evaluate, todo):
            target = out / f"{_name(Path(path))}.json"
            target.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
            print(f"{_name(Path(path))}: {_figure(report, FIGURES['correct'])}", flush=True)


def _figure(report: dict[str, Any], key: str) -> str:
    value = report.get(key)
    if isinstance(value, (list, tuple)):  # (rate, count)
        value = value[0] if value[1] else None
    return "-" if value is None else f"{value:.3f}"


def compare(before: Path, after: Path) -> None:
    """Print each set's figures before -> after and the questions that changed.

    The pooled shares at the end are over the sets both runs hold.
    """
    print(f"{'set':26}" + "".join(f"{k:>14}" for k in FIGURES))
    moved = {"held out": [0, 0], "tuning": [0, 0]}
    # group -> (before, after) -> expected outcome -> [right, questions]
    pooled: dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]] = {
        group: ({}, {}) for group in moved
    }
    lines = []
    for path in sorted(after.glob("*.json")):
        old_path = before / path.name
        if not old_path.is_file():
            continue
        old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (old_path, path))
        cells = []
        for key in FIGURES.values():
            a, b = _figure(old, key), _figure(new, key)
            cells.append(b if a == b else f"{a}>{b}")
        print(f"{path.stem:26}" + "".join(f"{c:>14}" for c in cells))
        group = "held out" if "holdout" in path.stem else "tuning"
        for report, counts in zip((old, new), pooled[group], strict=True):
            for q in report["questions"]:
                tally = counts.setdefault(q["expected"], [0, 0])
                tally[0] += bool(q["correct"])
                tally[1] += 1
        was = {q["id"]: q["correct"] for q in old["questions"]}
        up = [q["id"] for q in new["questions"] if q["correct"] and was.get(q["id"]) is False]
        down = [q["id"] for q in new["questions"] if not q["correct"] and was.get(q["id"])]
        moved[group][0] += len(up)
        moved[group][1] += len(down)
        if up or down:
            ids = f" up {','.join(up)} down {','.join(down)}" if group == "tuning" else ""
            lines.append(f"  {path.stem}: +{len(up)}/-{len(down)}{ids}")
    print("\n".join(lines))
    for group, (up, down) in moved.items():
        shares = [
            " ".join(f"{k} {a / n:.3f} (n={n})" for k, (a, n) in sorted(counts.items()))
            for counts in pooled[group]
        ]
        print(f"{group}: +{up}/-{down}  {shares[0]} -> {shares[1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--group", choices=["hold", "tune", "all"], default="all")
    r.add_argument("--index", default=str(ROOT / ".cache" / "corpus-index"))
    r.add_argument("--jobs", type=int, default=2)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.out, args.group, args.index, args.jobs)
    else:
        compare(args.before, args.after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
