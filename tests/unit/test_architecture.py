"""The house boundary: only nikdesk.ui may import Qt (checked by import-linter)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_logic_packages_never_import_qt() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    if not exe.exists():
        pytest.skip("import-linter not installed (pip install 'nikdesk[dev]')")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_searching_does_not_load_the_pdf_stack() -> None:
    """pymupdf + its layout model cost ~110 MB RSS; a laptop that only searches skips them."""
    code = (
        "import sys, nikdesk.retrieval.open, nikdesk.cli.main\n"
        "heavy = {'pymupdf', 'onnxruntime', 'torch', 'sentence_transformers'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
