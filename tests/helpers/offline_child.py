"""A window in a process of its own, for the kill test: ``python offline_child.py URL N``.

It opens the window on URL as "ana", says "ready" once N comments are claimed ahead, waits for a line
on stdin (the parent freezes the link meanwhile), answers N comments printing "kept ID" as each answer
reaches the outbox, then says "done" and waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from moderator.core.labelling.log import active_schema  # noqa: E402
from moderator.core.project import Project  # noqa: E402
from moderator.core.store.engine import make_engine  # noqa: E402
from moderator.core.team.accounts import Account, ensure_annotator  # noqa: E402
from moderator.gui.main_window import MainWindow  # noqa: E402


def wait(app: QApplication, condition) -> None:
    while not condition():
        app.processEvents()


def main(url: str, answers: int) -> None:
    app = QApplication([])
    engine = make_engine(url)
    window = MainWindow(Project(engine), "team", Account(ensure_annotator(engine, "ana"), "ana", "annotator"),
                        active_schema(engine)[1])  # fmt: skip
    window.show()
    flow = window.labelling.flow
    wait(app, lambda: len(flow.ahead) >= answers and not window.busy)
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(answers):
        shown = window.labelling.state.item.id
        window.labelling.choose("toxicity", 3)
        window.labelling.choose("dehumanization", "none")
        window.labelling.submit()
        wait(app, lambda shown=shown: not window.labelling._running and window.labelling.state.item.id != shown)
        print(f"kept {shown}", flush=True)
    print("done", flush=True)
    while True:  # the parent kills this process now
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
