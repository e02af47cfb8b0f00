"""One background thread for all database work; results come back to the GUI thread by signal.

Jobs run one at a time in submission order, so a label submitted before an undo is committed before
it. ``shutdown()`` waits for queued jobs: closing the window never drops a submission.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

Callback = Callable[[Any], None] | None


class _Bridge(QObject):
    # Emitted from the worker thread, delivered in the GUI thread (queued). Results travel in a
    # queue.Queue, not as signal arguments: PySide6 on Python 3.11 can corrupt None's reference count
    # when Python objects cross threads as queued signal arguments.
    ready = Signal()


class DbWorker(QObject):
    failed = Signal(object)  # an exception from a job that had no on_error of its own

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="moderator-db")
        self._bridge = _Bridge()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._bridge.ready.connect(self._on_ready)
        self._pending = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callback = None, on_error: Callback = None) -> Future:
        """Run ``fn(*args)`` on the worker; ``on_done(result)`` or ``on_error(exc)`` run in the GUI thread."""
        with self._lock:
            self._pending += 1

        def job():
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI to be shown
                self._post(on_error or self.failed.emit, exc)
                return None
            finally:
                with self._lock:
                    self._pending -= 1
            if on_done is not None:
                self._post(on_done, result)
            return result

        return self._pool.submit(job)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def _post(self, callback: Callable[[Any], None], payload: Any) -> None:
        self._results.put((callback, payload))
        self._bridge.ready.emit()

    def _on_ready(self) -> None:
        while True:
            try:
                callback, payload = self._results.get_nowait()
            except queue.Empty:
                return
            callback(payload)

    def shutdown(self) -> None:
        """Finish every queued job (committing pending submissions), then stop the thread."""
        self._pool.shutdown(wait=True)
