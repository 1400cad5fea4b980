"""Errors carry a code and the sentence in the UI language; the window never shows CLI flags."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from nikdesk.core.errors import (
    SKIP_REASONS,
    BadDocument,
    IndexMismatch,
    MissingExtra,
    NikDeskError,
    skip_reason_text,
)


def test_plain_errors_keep_their_message_in_every_language() -> None:
    err = NikDeskError("Bitte eine Frage eingeben.")
    assert err.code == "error" and err.text("de") == err.text("en") == str(err)


def test_missing_extra_names_the_extra_in_english_and_no_pip_in_german() -> None:
    err = MissingExtra("openai", "cloud", "GPT-4o")
    assert err.code == "missing_extra"
    assert "pip install 'nikdesk[cloud]'" in err.text("en")
    assert "pip" not in err.text("de") and "cloud" in err.text("de")


def test_index_mismatch_german_text_has_no_cli_flag(tmp_path: Path) -> None:
    from nikdesk.retrieval.bundle import EmbedderInfo, IndexManifest
    from nikdesk.retrieval.hybrid import Retriever

    built = IndexManifest(EmbedderInfo("e5-small", 384), 1, "2026-11-30", ())
    configured = SimpleNamespace(name="minilm", dim=384)  # the embedder the settings name
    with pytest.raises(IndexMismatch) as raised:  # the retriever's own check and wording
        Retriever(tmp_path, configured, manifest=built)  # type: ignore[arg-type]
    err = raised.value
    assert err.code == "index_mismatch"
    assert "--" not in err.text("de") and "--embedder e5-small" in err.text("en")


def test_every_skip_reason_code_is_worded_in_both_languages() -> None:
    for code, (de, en) in SKIP_REASONS.items():
        assert de and en, code
    assert skip_reason_text("scanned", language="de").startswith("kein Text")
    assert skip_reason_text("corrupt", "truncated", "de") == "kein PDF oder beschädigt (truncated)"
    doc = BadDocument("a.pdf", "zero-byte file", "empty")
    assert doc.reason_code == "empty" and "leere Datei" in doc.text("de")
