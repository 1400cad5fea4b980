"""An installed wheel works on its own: resources ship inside it, nothing reads the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, e5_or_skip


def test_built_wheel_answers_the_sample_question_in_a_fresh_venv(tmp_path: Path) -> None:
    e5_or_skip()
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    wheel = next(dist.glob("nikdesk-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # the dependencies come from this venv's site-packages as a plain path (its .pth files,
    # among them the editable install of the checkout, are not processed there)
    site = Path(
        subprocess.check_output(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIKDESK_")}
    result = subprocess.run(
        [py, "-m", "nikdesk", "ask", "Der Wechselrichter zeigt E050 an. Was bedeutet das?",
         "--provider", "none", "--json"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env=dict(env, NIKDESK_HOME=str(home), HF_HUB_OFFLINE="1"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    where = subprocess.check_output(
        [py, "-c", "import nikdesk.core.paths as p; print(p.resources_dir())"],
        text=True,
        cwd=tmp_path,
    ).strip()
    assert str(site) in where, where  # resources from the installed wheel, not the checkout
    answer = json.loads(result.stdout)
    assert answer["outcome"] == "answer"
    assert answer["sources"][0]["page"] == 12, answer["sources"]
    if not (home / "index" / "default" / "manifest.json").is_file():
        pytest.fail("the sample index of an installed wheel belongs in the user data dir")
