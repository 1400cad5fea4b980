"""The one helper for background work in the UI (house style rule 2).

``Operation(fn, owner).on_success(cb).on_failure(cb).with_progress(cb).run()`` runs ``fn`` on
the global thread pool; ``fn`` never touches widgets. Callbacks run on the main thread (queued
signals) and never after ``owner`` (the widget they update) is deleted. ``fn`` may take a
``report`` argument to send progress, and can be cancelled cooperatively through
``operation.cancelled``.

``EventStream`` runs a generator (the agent's event stream) on the pool and delivers every
item to the main thread as it comes, so tokens stream while the UI stays responsive.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Carry results from a worker thread to the main thread.

    Signals:
        succeeded(object), failed(object), progressed(object), item(object), finished()
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)
    item = Signal(object)
    finished = Signal()


class _Task(QRunnable):
    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self._body = body
        self.setAutoDelete(True)

    def run(self) -> None:
        self._body()


_live: set[Any] = set()  # keep running operations (and their relays) alive until they finish


def _deliver(signal: Any, *args: Any) -> None:
    """Emit from the worker; if the app already tore the receiver down, nobody is listening."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted" at shutdown
        log.debug("result dropped: the window is gone")


class Operation:
    """A function run off the UI thread with main-thread callbacks."""

    def __init__(self, fn: Callable[..., Any], owner: QObject | None = None) -> None:
        self._fn = fn
        self._relay = _Relay()
        if owner is not None:
            # the callbacks die with their owner: a window closed mid-operation gets no calls
            self._relay.setParent(owner)
        self.cancelled = threading.Event()
        self._wants_report = "report" in inspect.signature(fn).parameters

    def on_success(self, callback: Callable[[Any], None]) -> Operation:
        """Call ``callback(result)`` on the main thread when ``fn`` returns."""
        self._relay.succeeded.connect(callback)
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Operation:
        """Call ``callback(exception)`` on the main thread when ``fn`` raises."""
        self._relay.failed.connect(callback)
        return self

    def with_progress(self, callback: Callable[[Any], None]) -> Operation:
        """Call ``callback(value)`` on the main thread for each ``report(value)`` of ``fn``."""
        self._relay.progressed.connect(callback)
        return self

    def on_finished(self, callback: Callable[[], None]) -> Operation:
        """Call ``callback()`` on the main thread after success or failure."""
        self._relay.finished.connect(callback)
        return self

    def cancel(self) -> None:
        """Ask ``fn`` to stop (it checks ``operation.cancelled``)."""
        self.cancelled.set()

    def run(self, pool: QThreadPool | None = None) -> Operation:
        """Start ``fn`` in the background; return self."""
        _live.add(self)

        def body() -> None:
            try:
                if self._wants_report:
                    result = self._fn(report=self._relay.progressed.emit)
                else:
                    result = self._fn()
            except BaseException as exc:  # delivered to on_failure, never lost in a thread
                log.exception("background operation failed")
                _deliver(self._relay.failed, exc)
            else:
                _deliver(self._relay.succeeded, result)
            finally:
                _deliver(self._relay.finished)

        self._relay.finished.connect(lambda: _live.discard(self))
        (pool or QThreadPool.globalInstance()).start(_Task(body))
        return self


class EventStream(Operation):
    """Iterate a generator in the background; deliver each item on the main thread."""

    def __init__(self, make: Callable[[], Iterator[Any]], owner: QObject | None = None) -> None:
        super().__init__(self._drain, owner)
        self._make = make
        self._wants_report = False

    def on_item(self, callback: Callable[[Any], None]) -> EventStream:
        """Call ``callback(item)`` on the main thread for every item, in order."""
        self._relay.item.connect(callback)
        return self

    def _drain(self) -> int:
        count = 0
        stream = self._make()
        try:
            for item in stream:
                if self.cancelled.is_set():
                    break
                _deliver(self._relay.item, item)
                count += 1
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stop the generator where it is (model streams are closed too)
        return count
