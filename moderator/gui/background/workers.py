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

from PySide6.QtCore import QEventLoop, QObject, Signal

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
        # A daemon thread, not a pool's: a job stuck on a frozen network must not keep the app from quitting.
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, daemon=True, name="moderator-db")
        self._thread.start()
        self._bridge = _Bridge()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._bridge.ready.connect(self._on_ready)
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callback = None, on_error: Callback = None) -> Future:
        """Run ``fn(*args)`` on the worker; ``on_done(result)`` or ``on_error(exc)`` run in the GUI thread.

        After ``shutdown`` nothing runs: the future returned is cancelled.
        """
        if self._closed:
            refused: Future = Future()
            refused.cancel()
            return refused
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

        future: Future = Future()
        self._jobs.put((job, future))
        return future

    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, future = item
            if future.set_running_or_notify_cancel():
                future.set_result(job())

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    @property
    def closed(self) -> bool:
        """Shut down: it takes no more jobs."""
        return self._closed

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

    def shutdown(self, timeout_s: float | None = None) -> bool:
        """Finish every queued job (committing pending submissions), then stop the thread; True when done.

        With ``timeout_s``, wait no longer than that: jobs still queued or stuck (a server that stopped
        answering) are left to the daemon thread, which ends with the app. Only callers whose work is
        kept elsewhere too (the outbox) give a timeout.
        """
        if not self._closed:  # once: a second call (the window closing after the flow did) does not wait again
            self._closed = True
            self._jobs.put(None)
            self._thread.join(timeout_s)
        return not self._thread.is_alive()


def run_and_wait(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on a thread of its own while the GUI thread goes on handling events; its result.

    For the few steps before any window is up (signing in, reading the label schema), which have
    nothing to show until the answer is in; exceptions are raised here, in the caller's thread.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="moderator-db") as pool:
        future = pool.submit(fn, *args)
        bridge = _Bridge()
        loop = QEventLoop()
        bridge.ready.connect(loop.quit)  # queued: the bridge lives in this thread, the emit is the pool's
        future.add_done_callback(lambda _: bridge.ready.emit())
        if not future.done():
            loop.exec()
        return future.result()
