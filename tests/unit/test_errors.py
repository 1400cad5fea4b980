"""Errors carry a code and the sentence in the UI language; the window never shows CLI flags."""

from __future__ import annotations

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


def test_index_mismatch_german_text_has_no_cli_flag() -> None:
    err = IndexMismatch(en="… Use --embedder minilm …", de="Bitte den Index neu aufbauen.")
    assert err.code == "index_mismatch"
    assert "--" not in err.text("de") and "--embedder" in err.text("en")


def test_every_skip_reason_code_is_worded_in_both_languages() -> None:
    for code, (de, en) in SKIP_REASONS.items():
        assert de and en, code
    assert skip_reason_text("scanned", language="de").startswith("kein Text")
    assert skip_reason_text("corrupt", "truncated", "de") == "kein PDF oder beschädigt (truncated)"
    doc = BadDocument("a.pdf", "zero-byte file", "empty")
    assert doc.reason_code == "empty" and "leere Datei" in doc.text("de")
