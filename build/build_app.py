"""Build the one-folder NikDesk app with PyInstaller and check it.

    .venv/bin/python build/build_app.py [--with-llm] [--smoke] [--selfcheck]

1. Makes sure the bundle's data exists: the sample manual PDF and the index bundle
   index/default (built from the sample library if missing; an admin's own bundle there is
   shipped as it is).
2. Runs PyInstaller on build/nikdesk.spec; work files go to .cache/pyinstaller, the app to
   build/dist/NikDesk/ (both git-ignored).
3. Prints the build time and the size of the app, by component.
4. ``--smoke`` starts the frozen app offscreen with a fresh data dir and asks one question
   from the bundled index (exit 0 and "SMOKE OK" on a cited answer); ``--selfcheck`` runs the
   frozen app's component check (NIKDESK_SELFCHECK=1, see build/rthook_nikdesk.py).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "nikdesk.spec"
WORK = ROOT / ".cache" / "pyinstaller"
DIST = ROOT / "build" / "dist"
APP_DIR = DIST / "NikDesk"
EXE = APP_DIR / ("NikDesk.exe" if sys.platform == "win32" else "NikDesk")
SMOKE_QUESTION = "Der Wechselrichter zeigt E050 an. Was tun?"

sys.path.insert(0, str(ROOT))


def ensure_bundle_data() -> Path:
    """Make sure the sample PDF and index/default exist; warn if the index is stale."""
    from nikdesk.app.sample import ensure_sample_index, ensure_sample_library
    from nikdesk.retrieval.bundle import read_manifest

    docs = ensure_sample_library()
    index = ensure_sample_index()
    manifest = read_manifest(index)
    for doc in manifest.documents:
        source = docs / doc.relpath
        if source.is_file() and hashlib.sha256(source.read_bytes()).hexdigest() != doc.sha256:
            print(
                f"WARNING: {source.name} changed since {index} was built; the bundled index "
                "would cite old pages. Rebuild it: make clean-index, then build again.",
                file=sys.stderr,
            )
    return index


def run_pyinstaller(with_llm: bool) -> float:
    """Run PyInstaller on the spec; return the seconds it took."""
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--workpath",
        str(WORK),
        "--distpath",
        str(DIST),
    ]
    if with_llm:
        cmd += ["--", "--with-llm"]
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.perf_counter() - started


def folder_size(path: Path) -> int:
    """Return the bytes of all files below ``path`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def size_report(app_dir: Path = APP_DIR, top: int = 12) -> str:
    """Return the app's total size and its biggest parts (folders of _internal, big files)."""
    internal = app_dir / "_internal"
    parts: dict[str, int] = {}
    for child in internal.iterdir():
        size = folder_size(child) if child.is_dir() else child.lstat().st_size
        parts[child.name] = size
    lines = [f"{app_dir}: {folder_size(app_dir) / 1e6:.0f} MB"]
    for name, size in sorted(parts.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {size / 1e6:7.1f} MB  _internal/{name}")
    return "\n".join(lines)


def frozen_env(home: Path) -> dict[str, str]:
    """Return the environment for a frozen run: offscreen Qt, a fresh data dir."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["NIKDESK_HOME"] = str(home)
    for var in ("NIKDESK_INDEX_DIR", "NIKDESK_MODELS_DIR"):  # the bundle's own, not overrides
        env.pop(var, None)
    return env


def smoke(question: str = SMOKE_QUESTION, timeout: float = 300) -> int:
    """Start the frozen app offscreen, ask ``question``, print its output; return its code."""
    with tempfile.TemporaryDirectory(prefix="nikdesk-smoke-") as home:
        started = time.perf_counter()
        proc = subprocess.run(
            [str(EXE), "--smoke-test", question],
            env=frozen_env(Path(home)),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    took = time.perf_counter() - started
    smoke_lines = [line for line in proc.stdout.splitlines() if line.startswith("SMOKE")]
    print("\n".join(smoke_lines) or proc.stdout[-2000:])
    if proc.returncode != 0:
        print(proc.stderr[-4000:], file=sys.stderr)
    print(f"smoke test: exit {proc.returncode} after {took:.1f} s")
    return proc.returncode


def selfcheck(timeout: float = 600) -> int:
    """Run the frozen app's component check; return its exit code."""
    with tempfile.TemporaryDirectory(prefix="nikdesk-check-") as home:
        env = frozen_env(Path(home))
        env["NIKDESK_SELFCHECK"] = "1"
        proc = subprocess.run([str(EXE)], env=env, timeout=timeout)
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    """Build (unless --no-build), report the size, optionally smoke-test and self-check."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--with-llm", action="store_true", help="bundle the SmolLM2 GGUF")
    parser.add_argument("--smoke", action="store_true", help="answer one question frozen")
    parser.add_argument("--selfcheck", action="store_true", help="check every component frozen")
    parser.add_argument("--no-build", action="store_true", help="only check an existing build")
    args = parser.parse_args(argv)
    if not args.no_build:
        index = ensure_bundle_data()
        print(f"bundled index: {index}")
        took = run_pyinstaller(args.with_llm)
        print(f"PyInstaller: {took:.0f} s")
    print(size_report())
    code = 0
    if args.selfcheck:
        code = code or selfcheck()
    if args.smoke:
        code = code or smoke()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
