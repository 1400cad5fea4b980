"""Fault injection for the sync tests: a loopback TCP proxy between laptops and the server.

It forwards bytes unchanged (real HTTP between the real client and the real server) and can:
- ``drop_push_responses = n``: forward the next n ``POST /sync/push`` requests, let the server
  apply them, then cut the connection instead of relaying the answer (the client must retry a
  batch the server already applied);
- ``hold_push``: keep the answer of the next push back (the test kills the client meanwhile);
- call ``on_push`` right after a push request went upstream (the test kills the server then);
- point at a new upstream port (the restarted server).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

from tests.server.services import free_port


class Proxy:
    """A threaded TCP proxy on 127.0.0.1 with fault switches."""

    def __init__(self, upstream_port: int) -> None:
        self.port = free_port()
        self.upstream_port = upstream_port
        self.drop_push_responses = 0
        self.dropped = 0
        self.pushes = 0
        self.hold_push = False
        self.held = threading.Event()  # set when a push answer is being held back
        self.release = threading.Event()
        self.on_push: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Proxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self.release.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()  # the server is down: the client sees a refused/reset connection
            return
        upstream.settimeout(None)
        state = {"push": False}

        def close() -> None:
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()

        def requests() -> None:
            try:
                while data := client.recv(65536):
                    is_push = b"POST /sync/push" in data
                    if is_push:
                        state["push"] = True
                    upstream.sendall(data)
                    if is_push:
                        with self._lock:
                            self.pushes += 1
                        if self.on_push is not None:
                            self.on_push()
            except OSError:
                pass
            close()

        threading.Thread(target=requests, daemon=True).start()
        try:
            while data := upstream.recv(65536):
                if state["push"]:
                    state["push"] = False
                    with self._lock:
                        drop = self.drop_push_responses > 0
                        if drop:
                            self.drop_push_responses -= 1
                            self.dropped += 1
                    if drop:
                        break  # the server applied the batch; the client never hears it
                    if self.hold_push:
                        self.hold_push = False
                        self.held.set()
                        self.release.wait(60)
                client.sendall(data)
        except OSError:
            pass
        close()
