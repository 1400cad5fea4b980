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


def test_a_series_of_models_wraps_its_option_buttons_onto_rows(qtbot: Any) -> None:
    from PySide6.QtWidgets import QPushButton

    from nikdesk.ui.chat_view import OPTIONS_PER_ROW, ChatView

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    bubble = view.add_bubble("assistant", "Welches Modell ist gemeint?")
    models = tuple(f"MIC {n}TL-X" for n in (750, 1000, 1500, 2000, 2500, 3000, 3300))
    view.add_options("run-1", (*models, "Anderes Modell"), bubble)
    qtbot.waitExposed(view)
    buttons = [b for b in view.findChildren(QPushButton) if b.objectName() == "option"]
    assert [b.text() for b in buttons] == [*models, "Anderes Modell"]
    qtbot.waitUntil(lambda: buttons[-1].y() > buttons[0].y())  # laid out on a second row
    rows = {b.mapTo(view, b.rect().topLeft()).y() for b in buttons}
    assert len(rows) == len(buttons) // OPTIONS_PER_ROW == 2
    # every button lies inside the view: none is cut off at the right edge
    assert all(b.mapTo(view, b.rect().topRight()).x() <= view.width() for b in buttons)
    with qtbot.waitSignal(view.optionChosen) as chosen:
        buttons[5].click()
    assert chosen.args == ["run-1", "MIC 3000TL-X"]
    assert not any(b.isEnabled() for b in buttons)
