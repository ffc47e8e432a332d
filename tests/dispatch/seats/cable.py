"""A TCP relay between one seat and the hub that a test can cut (closing the line, or silently) and mend."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Cable:
    """Relays 127.0.0.1:<port> to the hub. `cut(silent=False)` closes every line (the seat sees it at
    once); `cut(silent=True)` stops carrying bytes but keeps the lines open, like a pulled cable between
    switches (the seat must notice by its pings). While cut, new connections are refused (the port is
    closed: a connection accepted and dropped would make the client leak its half-made stream). `mend()`
    opens the same port again."""

    def __init__(self, hub: str) -> None:
        host, port = hub.removeprefix("nats://").rsplit(":", 1)
        self._upstream = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._port = self._listener.getsockname()[1]
        self.url = f"nats://127.0.0.1:{self._port}"
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._cut = False
        self._silent = False
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._listen()

    def _listen(self) -> None:
        thread = threading.Thread(target=self._accept, args=(self._listener,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def cut(self, *, silent: bool = False) -> None:
        with self._lock:
            self._cut, self._silent = True, silent
            lines = [] if silent else self._open[:]
        _close(self._listener)
        for line in lines:
            _close(line)

    def mend(self) -> None:
        with self._lock:
            self._cut = self._silent = False
            stale = self._open[:]
        for line in stale:  # lines held open through a silent cut carried nothing: start afresh
            _close(line)
        self._listener = socket.create_server(("127.0.0.1", self._port))
        self._listen()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            lines = self._open[:]
        _close(self._listener)
        for line in lines:
            _close(line)
        for thread in self._threads[:]:
            thread.join(5)

    def __enter__(self) -> Cable:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                seat, _ = listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                if self._closed or self._cut:
                    _close(seat)
                    continue
            try:
                hub = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                _close(seat)
                continue
            hub.settimeout(None)
            with self._lock:
                self._open += [seat, hub]
            for source, sink in ((seat, hub), (hub, seat)):
                thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                thread.start()
                self._threads.append(thread)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            with self._lock:
                if self._silent:
                    continue  # swallowed: the line is open but carries nothing
            try:
                sink.sendall(data)
            except OSError:
                break
        _close(source)
        _close(sink)
        with self._lock:
            for line in (source, sink):
                if line in self._open:
                    self._open.remove(line)


def _close(line: socket.socket) -> None:
    with contextlib.suppress(OSError):
        line.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        line.close()
