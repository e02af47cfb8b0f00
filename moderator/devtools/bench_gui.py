"""The GUI half of `moderator bench`, run in its own process: `python -m moderator.devtools.bench_gui URL`.

Prints one JSON line: time to the first item, keystroke → painted latency, and the process's peak
memory after paging the whole queue list.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ENTERS = 60


class _PaintClock(QObject):
    """Notes every time the comment text is painted."""

    def __init__(self):
        super().__init__()
        self.paints: list[float] = []

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.paints.append(time.perf_counter())
        return False

    def first_after(self, moment: float) -> float | None:
        return next((t for t in self.paints if t >= moment), None)


def wait_until(app: QApplication, condition, timeout_s: float = 10.0) -> None:
    """Run the event loop until ``condition()``. It sleeps between events, as the app's own loop does: a loop
    that spins holds the GIL and slows the database worker's Python down to what the measurement then shows."""
    deadline = time.perf_counter() + timeout_s
    tick = QTimer()
    tick.start(20)  # wakes the wait now and then, so the deadline is checked
    try:
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the window did not respond within {timeout_s:g} s")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        tick.stop()


def peak_rss_kb() -> int:
    """This process's own peak resident memory.

    Not getrusage's ru_maxrss: Linux carries that over exec, so a window started by a big bench
    process would report the bench's peak. VmHWM belongs to this program's own address space.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # other systems: the best there is


def measure(db_url: str) -> dict:
    from moderator.core.labelling.log import active_schema
    from moderator.core.project import Project
    from moderator.core.store.engine import open_database
    from moderator.core.team.accounts import Account, ensure_annotator
    from moderator.devtools.bench import percentiles
    from moderator.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    start = time.perf_counter()
    engine = open_database(db_url)
    account = Account(ensure_annotator(engine, "bench-gui"), "bench-gui", "admin")
    window = MainWindow(Project(engine), "bench", account, active_schema(engine)[1])
    window.show()
    window.activateWindow()
    wait_until(app, lambda: not window.busy and window.labelling.state is not None, timeout_s=120)
    first_item = time.perf_counter() - start
    wait_until(app, lambda: QApplication.activeWindow() is window)  # shortcuts reach only the active window

    clock = _PaintClock()
    window.comment_view.text.viewport().installEventFilter(clock)
    samples = []
    for _ in range(ENTERS):
        QTest.keyClick(window, Qt.Key.Key_2)
        shown: list[float] = []
        record = lambda _state, shown=shown: shown.append(time.perf_counter())  # noqa: E731
        window.labelling.shown.connect(record)
        clock.paints.clear()
        pressed = time.perf_counter()
        QTest.keyClick(window, Qt.Key.Key_Return)
        # The first paint after the new comment was handed to the view (earlier ones show the old one).
        wait_until(app, lambda shown=shown: bool(shown) and clock.first_after(shown[0]) is not None)
        window.labelling.shown.disconnect(record)
        samples.append((clock.first_after(shown[0]) - pressed) * 1000)

    model = window.queue_model
    model.set_query("all")

    def paged_to_the_end() -> bool:  # pages arrive from the worker thread, one asked for at a time
        if model.busy:
            return False
        if model.canFetchMore():
            model.fetchMore()
            return False
        return True

    wait_until(app, paged_to_the_end, timeout_s=600)
    rows = model.rowCount()
    window.close()
    peak_kb = peak_rss_kb()
    latency = percentiles(samples)
    return {
        "first_item_s": round(first_item, 3),
        "keystroke_median_ms": latency["median_ms"],
        "keystroke_p99_ms": latency["p99_ms"],
        "peak_rss_mb": round(peak_kb / 1024),
        "rows_paged": rows,
    }


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(json.dumps(measure(sys.argv[1])))
