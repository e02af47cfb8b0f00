"""A TCP proxy for tests of a network that fails: ``freeze()`` holds every byte in both directions (the
link looks up, nothing passes, as with a dead route), ``thaw()`` lets them through, ``cut()`` drops
every connection, ``down()``/``up()`` stop and restart the server as clients see it. ``held`` is set once bytes are being held, so a test waits on it, not on a clock."""

from __future__ import annotations

import socket
import threading


class FreezableProxy:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self.held = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._down = False
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    def freeze(self) -> None:
        self.held.clear()
        self._open.clear()

    def thaw(self) -> None:
        self._open.set()

    def down(self) -> None:
        """The server stops: open connections drop, new ones are closed at once, until ``up()``."""
        self._down = True
        self.cut()

    def up(self) -> None:
        self._down = False

    def cut(self) -> None:
        """Close every connection now (a server restart or a dropped link, as the client sees it)."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        """The server is gone: open connections drop and new ones are refused."""
        self._closed = True
        self.thaw()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way, which close() alone does not
        except OSError:
            pass
        self._listener.close()
        self.cut()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._closed:
                client.close()
                return
            if self._down:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True, name="proxy-pump").start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self._open.is_set():
                    self.held.set()
                    self._open.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
