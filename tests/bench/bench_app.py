"""Desktop app benchmark: start-up to a usable window, and idle memory after one answer.

Every figure comes from a fresh subprocess, timed by this process from just before the spawn
(interpreter start-up and imports included):

- **bare PySide6 window** (baseline, same run): ``QApplication`` + an empty ``QWidget`` shown,
  until the event loop has processed a posted event.
- **NikDesk (source)**: the app's own start-up (``create_window`` as ``main()`` does it, the
  agent loading in the background) until the shown window has processed a posted event; then
  until the agent is loaded, and until one question is answered with a citation (the app's
  ``--smoke-test`` driver). The largest gap between 10 ms timer ticks while the models load
  says whether the window stays responsive. Memory (VmRSS, VmHWM from /proc) is read after the
  answer, without a local LLM (provider "none"; no cloud keys, no keyring), and again after
  the answer's first citation is opened in the PDF viewer (pymupdf and its layout model load).
- **NikDesk (frozen)**, if build/dist/NikDesk exists (or ``--frozen PATH``): the packaged app's
  ``--smoke-test`` run; the window time is its "window shown" log line, memory is sampled from
  /proc while it runs.

Run: ``python -m tests.bench.bench_app [--runs 3] [--cores 2]``. Targets: window <= 2 s on 2 cores,
idle RSS <= 500 MB. This module imports no Qt; the measured code runs in the children.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nikdesk.core.paths import project_root
from nikdesk.core.settings import Settings

QUESTION = "Der Wechselrichter zeigt E050 an. Was tun?"
TARGET_WINDOW_S = 2.0
TARGET_RSS_MB = 500.0
DEFAULT_FROZEN = project_root() / "build" / "dist" / "NikDesk" / "NikDesk"

BASELINE_CHILD = textwrap.dedent(
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    widget = QWidget()
    widget.show()
    QTimer.singleShot(0, lambda: (print("BENCH ready", flush=True), app.quit()))
    app.exec()
    """
)

# The app's start-up as nikdesk.ui.app.main() does it, with markers; then the app's own smoke
# driver asks the question and leaves the event loop once it is answered.
APP_CHILD = textwrap.dedent(
    """
    import gc, json, sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from nikdesk.ui.app import _smoke, create_window, shutdown

    def mark(event, **data):
        print("BENCH " + event + " " + json.dumps(data), flush=True)

    app = QApplication(sys.argv[:1])
    app.setApplicationName("NikDesk")
    window = create_window()
    window.show()
    QTimer.singleShot(0, lambda: mark("ready"))
    beat = {"last": None, "max": 0.0}

    def tick():
        now = time.perf_counter()
        if beat["last"] is not None:
            beat["max"] = max(beat["max"], now - beat["last"])
        beat["last"] = now
        if window.agent is not None:
            timer.stop()
            mark("agent", max_gap_ms=round(beat["max"] * 1000, 1))

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    _smoke(window, sys.argv[1])
    code = app.exec()

    def memory(event):
        gc.collect()
        with open("/proc/self/status", encoding="ascii") as fh:
            status = dict(line.split(":", 1) for line in fh if ":" in line)
        kb = {k: int(status[v].split()[0]) for k, v in (("rss_kb", "VmRSS"), ("hwm_kb", "VmHWM"))}
        mark(event, **kb)

    time.sleep(1.0)  # idle: background work has settled
    memory("memory")
    if code == 0:  # then click the answer's first citation: the PDF viewer renders the page
        answer = window.store.messages(window.session_id or "")[-1]
        window.open_citation(answer.sources[0])
        QTimer.singleShot(1500, app.quit)
        app.exec()
        memory("viewer")
    shutdown(window)
    del window
    app.shutdown()
    sys.exit(code)
    """
)


@dataclass
class Run:
    """What one child process reported, in seconds since just before its spawn."""

    marks: dict[str, float] = field(default_factory=dict)
    data: dict[str, dict[str, float]] = field(default_factory=dict)
    peak_kb: int = 0  # VmHWM sampled from the parent (frozen runs)
    rss_kb: int = 0  # last VmRSS sampled from the parent (frozen runs)
    code: int | None = None
    smoke: str = ""


def _proc_status(pid: int) -> dict[str, int]:
    """Return VmRSS and VmHWM (kB) of a running process, or {} once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def _pin(cores: int | None) -> Callable[[], None] | None:
    """Return a pre-exec function pinning the child to the first ``cores`` CPUs."""
    if not cores:
        return None
    allowed = sorted(os.sched_getaffinity(0))[:cores]
    return lambda: os.sched_setaffinity(0, allowed)


def _env(home: Path) -> dict[str, str]:
    """Return a child environment: offscreen Qt, fresh data dir, offline, no local LLM."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["NIKDESK_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # no keys, no D-Bus waits
    for var in ("OPENAI_API_KEY", "COHERE_API_KEY", "NIKDESK_INDEX_DIR", "NIKDESK_MODELS_DIR"):
        env.pop(var, None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project_root()), env.get("PYTHONPATH")]))
    return env


def run_child(
    cmd: list[str],
    cores: int | None,
    timeout: float = 300.0,
    ready_log: str | None = None,
) -> Run:
    """Spawn ``cmd`` in a fresh data dir and time its markers; sample its memory meanwhile.

    Markers are stdout lines ``BENCH <event> [json]`` and the ``SMOKE`` line; ``ready_log``
    names a stderr line that counts as "ready" (the frozen app logs "window shown").
    """
    run = Run()
    with tempfile.TemporaryDirectory(prefix="nikdesk-bench-") as tmp:
        home = Path(tmp)
        Settings(provider="none").save(home / "settings.json")
        lines: queue.Queue[tuple[float, str, str]] = queue.Queue()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            env=_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_pin(cores),
        )

        def pump(stream: object, name: str) -> None:
            for line in stream:  # type: ignore[attr-defined]
                lines.put((time.perf_counter() - started, name, line.rstrip("\n")))

        readers = [
            threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True),
            threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True),
        ]
        for reader in readers:
            reader.start()
        stderr_tail: list[str] = []
        while True:
            status = _proc_status(proc.pid)
            if status:
                run.peak_kb = max(run.peak_kb, status.get("VmHWM", 0))
                run.rss_kb = status.get("VmRSS", run.rss_kb)
            try:
                at, name, line = lines.get(timeout=0.05)
            except queue.Empty:
                if proc.poll() is not None and not any(r.is_alive() for r in readers):
                    break
                if time.perf_counter() - started > timeout:
                    proc.kill()
                    raise TimeoutError(f"{cmd[0]} did not finish in {timeout:.0f} s") from None
                continue
            if name == "out" and line.startswith("BENCH "):
                _, event, *rest = line.split(" ", 2)
                run.marks.setdefault(event, at)
                if rest:
                    run.data[event] = json.loads(rest[0])
            elif name == "out" and line.startswith("SMOKE"):
                run.marks.setdefault("answer", at)
                run.smoke = line
            elif name == "err":
                stderr_tail = [*stderr_tail[-30:], line]
                if ready_log and ready_log in line:
                    run.marks.setdefault("ready", at)
        run.code = proc.wait()
    if run.code != 0:
        tail = "\n".join(stderr_tail)
        raise RuntimeError(f"{' '.join(cmd[:2])} … exited {run.code}:\n{tail}")
    return run


def bench_baseline(runs: int, cores: int | None) -> list[Run]:
    """Time the bare PySide6 window."""
    return [run_child([sys.executable, "-c", BASELINE_CHILD], cores) for _ in range(runs)]


def bench_source(runs: int, cores: int | None, question: str) -> list[Run]:
    """Time the app from the source tree: window, agent, answer, idle memory."""
    return [run_child([sys.executable, "-c", APP_CHILD, question], cores) for _ in range(runs)]


def bench_frozen(exe: Path, runs: int, cores: int | None, question: str) -> list[Run]:
    """Time the packaged app's smoke run: window shown (log), answer, peak memory."""
    return [
        run_child([str(exe), "--smoke-test", question], cores, ready_log="window shown")
        for _ in range(runs)
    ]


def _median(runs: list[Run], mark: str) -> float | None:
    values = [r.marks[mark] for r in runs if mark in r.marks]
    return statistics.median(values) if values else None


def _fmt(seconds: float | None) -> str:
    return f"{seconds:6.2f} s" if seconds is not None else "     – "


def report(
    base: list[Run], source: list[Run], frozen: list[Run], cores: int | None
) -> tuple[str, bool]:
    """Return the table and whether both targets are met."""
    cpus = cores or len(os.sched_getaffinity(0))
    base_ready = _median(base, "ready") or float("nan")
    lines = [
        f"NikDesk desktop start-up and memory — median of {len(base)} fresh processes, "
        f"{cpus} CPU core(s), QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}",
        "",
        f"{'':28}{'window':>9}{'ratio':>8}{'agent':>10}{'answer':>10}",
        f"{'bare PySide6 window':28}{_fmt(base_ready):>9}{'1.00x':>8}",
    ]
    window_ok, rss_ok = True, True
    for label, runs in (("NikDesk (source)", source), ("NikDesk (frozen)", frozen)):
        if not runs:
            continue
        ready = _median(runs, "ready")
        ratio = f"{ready / base_ready:.2f}x" if ready is not None else "–"
        lines.append(
            f"{label:28}{_fmt(ready):>9}{ratio:>8}"
            f"{_fmt(_median(runs, 'agent')):>10}{_fmt(_median(runs, 'answer')):>10}"
        )
        window_ok = window_ok and ready is not None and ready <= TARGET_WINDOW_S
    lines.append("")
    if source:
        gaps = [r.data.get("agent", {}).get("max_gap_ms", 0.0) for r in source]
        rss = statistics.median(r.data["memory"]["rss_kb"] for r in source) / 1024
        hwm = statistics.median(r.data["memory"]["hwm_kb"] for r in source) / 1024
        lines += [
            f"event loop while models load (source): largest gap between 10 ms ticks "
            f"{statistics.median(gaps):.0f} ms (worst run {max(gaps):.0f} ms)",
            f"idle memory after one answer, no local LLM (source): VmRSS {rss:.0f} MB, "
            f"peak VmHWM {hwm:.0f} MB",
        ]
        viewer = [r.data["viewer"]["rss_kb"] / 1024 for r in source if "viewer" in r.data]
        if viewer:
            lines.append(
                f"  … after opening the cited page in the PDF viewer: VmRSS "
                f"{statistics.median(viewer):.0f} MB (not part of the target)"
            )
        rss_ok = rss <= TARGET_RSS_MB
    if frozen:
        peak = statistics.median(r.peak_kb for r in frozen) / 1024
        last = statistics.median(r.rss_kb for r in frozen) / 1024
        lines.append(
            f"frozen smoke run, sampled from outside: VmRSS {last:.0f} MB when answered, "
            f"peak VmHWM {peak:.0f} MB"
        )
    lines.append(
        f"targets: window <= {TARGET_WINDOW_S:.0f} s {'met' if window_ok else 'MISSED'}, "
        f"idle RSS <= {TARGET_RSS_MB:.0f} MB {'met' if rss_ok else 'MISSED'}"
    )
    return "\n".join(lines), window_ok and rss_ok


def main(argv: list[str] | None = None) -> int:
    """Run the app benchmarks and print the table (exit 1 if a target is missed)."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_app", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per row")
    parser.add_argument("--cores", type=int, default=None, help="pin children to N cores")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--frozen", type=Path, default=None, help="packaged app executable")
    parser.add_argument("--no-frozen", action="store_true", help="skip the packaged app")
    args = parser.parse_args(argv)
    frozen_exe = args.frozen or (DEFAULT_FROZEN if DEFAULT_FROZEN.exists() else None)
    base = bench_baseline(args.runs, args.cores)
    source = bench_source(args.runs, args.cores, args.question)
    frozen = []
    if frozen_exe is not None and not args.no_frozen:
        frozen = bench_frozen(frozen_exe, args.runs, args.cores, args.question)
    for run in [*source, *frozen]:
        if not run.smoke.startswith("SMOKE OK"):
            print(f"warning: a run did not answer with a citation: {run.smoke!r}", file=sys.stderr)
    table, ok = report(base, source, frozen, args.cores)
    print(table)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
