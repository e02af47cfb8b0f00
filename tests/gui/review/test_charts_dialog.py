"""View → Charts…: a tab per chart, drawn off the GUI thread, for the signed-in viewer only."""

import sys
import types

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

import moderator.core.export
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.main_window import MainWindow
from moderator.gui.review.charts import ChartsDialog


def png(width: int, colour: str = "steelblue") -> bytes:
    image = QImage(width, 40, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def fake_charts(monkeypatch):
    """The core's interface, CHARTS and render(engine, kind, viewer, question) -> PNG bytes, recorded."""
    calls = []
    widths = {"labels": 100, "progress": 110, "agreement": 120, "time": 130}

    def render(engine, kind, viewer=None, question=None):
        calls.append((kind, viewer))
        if kind == "time":
            raise ValueError("no timed answers yet")
        return png(widths[kind])

    module = types.SimpleNamespace(CHARTS=("labels", "progress", "agreement", "time"), render=render)
    monkeypatch.setitem(sys.modules, "moderator.core.export.charts", module)
    monkeypatch.setattr(moderator.core.export, "charts", module, raising=False)
    return calls


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "charts.sqlite")
    yield engine
    engine.dispose()


def test_each_tab_draws_its_chart_when_first_shown(qtbot, engine, fake_charts):
    dialog = ChartsDialog(Project(engine), None)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["Labels", "Progress", "Agreement", "Time"]
    qtbot.waitUntil(lambda: not dialog.images["labels"].pixmap().isNull())
    assert dialog.images["labels"].pixmap().width() == 100
    assert [k for k, _ in fake_charts] == ["labels"]  # the other charts wait until their tab is shown
    dialog.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: not dialog.images["agreement"].pixmap().isNull())
    assert dialog.images["agreement"].pixmap().width() == 120
    dialog.tabs.setCurrentIndex(3)
    qtbot.waitUntil(lambda: "no timed answers yet" in dialog.images["time"].text())
    dialog.tabs.setCurrentIndex(0)
    assert [k for k, _ in fake_charts] == ["labels", "agreement", "time"]  # drawn once, kept
    dialog.refresh()
    qtbot.waitUntil(lambda: len(fake_charts) == 4 and not dialog.busy)


@pytest.mark.parametrize("role", ["annotator", "admin"])
def test_the_view_menu_opens_charts_for_the_signed_in_account(qtbot, engine, fake_charts, role):
    _, schema = active_schema(engine)
    account = Account(ensure_annotator(engine, "ana"), "ana", role)
    window = MainWindow(Project(engine), "charts.sqlite", account, schema)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy)
    action = window.findChild(type(window.actions_by_id["view.charts"]), "view.charts")
    assert action is not None and any(action in m.actions() for m in [a.menu() for a in window.menuBar().actions()] if m)
    action.trigger()
    dialog = window.charts_dialog
    qtbot.waitUntil(lambda: not dialog.images["labels"].pixmap().isNull())
    assert fake_charts[0] == ("labels", account)  # the core sees who asks, and keeps annotators blind
