"""The window when the server goes away: a sentence a person reads, never SQL; the details in the log."""

from __future__ import annotations

import os

import pytest
from helpers.databases import PG_ENV, PG_SKIP, throwaway_postgres
from helpers.tcp_proxy import FreezableProxy
from PySide6.QtWidgets import QApplication
from sqlalchemy import make_url

from moderator.core.demo import load_demo
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.store import failures
from moderator.core.store.engine import make_engine
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.main_window import MainWindow


@pytest.fixture
def server():
    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    with throwaway_postgres(os.environ[PG_ENV]) as engine:
        yield engine


def test_a_server_gone_away_is_said_in_a_sentence_and_logged_in_full(qtbot, server, tmp_path):
    load_demo(server)
    log = failures.log_to_file(tmp_path / "moderator.log")
    proxy = FreezableProxy(server.url.host, server.url.port)
    through = make_engine(make_url(server.url).set(host="127.0.0.1", port=proxy.port))
    try:
        window = MainWindow(Project(through), "team", Account(ensure_annotator(server, "ana"), "ana", "annotator"),
                            active_schema(server)[1])  # fmt: skip
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy and window.labelling.state is not None)
        messages = []
        window.labelling.notice.connect(messages.append)
        proxy.close()  # the server is gone: open connections drop, new ones are refused
        window.labelling.choose("toxicity", 2)
        window.labelling.choose("dehumanization", "none")
        window.labelling.submit()
        qtbot.waitUntil(lambda: bool(messages) and not window.busy, timeout=60000)
        assert messages[-1] == f"Not saved: {failures.UNREACHABLE} Try again when it is back."
        assert "OperationalError" in log.read_text() and "SQL" not in messages[-1]
    finally:
        failures.close_log_file()
        through.dispose()
        proxy.close()
