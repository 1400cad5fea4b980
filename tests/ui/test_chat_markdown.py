"""Answers are Markdown: what a manual prints must reach the technician's screen literally."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextDocument

from nikdesk.ui.chat_view import Bubble, linkify

# PI30 p. 10: the command's heading as the manual prints it
HEADING = "2.10 QPIGS2<cr>: Device general status parameters inquiry (Only 48V model)"


def rendered(markdown: str) -> str:
    """Return the text Qt's Markdown shows for ``markdown`` (as a QLabel renders it)."""
    document = QTextDocument()
    document.setMarkdown(markdown)
    return document.toPlainText()


def test_a_tag_like_text_in_an_answer_is_shown_not_swallowed(qtbot: Any) -> None:
    answer = f"**{HEADING}** [S1]"
    assert "Only 48V model" not in rendered(answer)  # what the chat showed before
    shown = rendered(linkify(answer))
    assert "QPIGS2<cr>: Device general status parameters inquiry (Only 48V model)" in shown
    bubble = Bubble("assistant", answer)
    qtbot.addWidget(bubble)
    assert "\\<cr>" in bubble.label.text()


def test_an_escaped_angle_bracket_is_not_escaped_twice(qtbot: Any) -> None:
    # the no-LLM answer escapes "<" already (compose): one backslash, shown as "<"
    assert rendered(linkify("Eigenverbrauch nachts | \\<0.5W, Befehl QT\\<cr>")) == (
        "Eigenverbrauch nachts | <0.5W, Befehl QT<cr>"
    )
