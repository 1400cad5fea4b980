"""Guard the Qt binding itself: the chat emits one signal per streamed token."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(object)


def test_signal_emit_keeps_bool_refcounts_intact() -> None:
    # PySide6 6.12.0 dropped a reference to True on every emit: a long answer aborted the app
    emitter = _Emitter()
    emitter.fired.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for _ in range(2000):
        emitter.fired.emit(1)
    assert abs(sys.getrefcount(True) - before) < 50
