"""Labelling on a team server through a network that fails (a TCP proxy made for the tests): answers are
kept on disk first, labelling goes on from the comments claimed ahead, and every answer arrives once."""

from __future__ import annotations

import os

import pytest
from helpers.databases import PG_ENV, PG_SKIP, throwaway_postgres
from helpers.tcp_proxy import FreezableProxy
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, make_url, select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.log import active_schema
from moderator.core.outbox.box import Outbox
from moderator.core.project import Project
from moderator.core.store.engine import make_engine
from moderator.core.store.tables import Annotation
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.labelling.outbox_flow import PREFETCH
from moderator.gui.main_window import MainWindow

ANSWERS = 20


@pytest.fixture
def server(tmp_path, monkeypatch):
    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the outbox lives in the user data folder
    with throwaway_postgres(os.environ[PG_ENV]) as engine:
        draft = ThreadDraft(source="t", title="T", comments=[CommentDraft(f"comment number {i}") for i in range(40)])
        import_drafts(engine, [draft], name="t", fmt="t")
        active_schema(engine)
        yield engine


@pytest.fixture
def proxy(server):
    proxy = FreezableProxy(server.url.host, server.url.port)
    yield proxy
    proxy.close()


def open_window(qtbot, server, proxy) -> MainWindow:
    through = make_engine(make_url(server.url).set(host="127.0.0.1", port=proxy.port))
    account = Account(ensure_annotator(server, "ana"), "ana", "annotator")
    window = MainWindow(Project(through), "team", account, active_schema(server)[1])
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy, timeout=30000)
    return window


def answer(qtbot, window: MainWindow) -> int:
    """Answer the comment on screen; the id answered, once the next comment is on screen."""
    shown = window.labelling.state.item.id
    window.labelling.choose("toxicity", 2)
    window.labelling.choose("dehumanization", "none")
    window.labelling.submit()
    qtbot.waitUntil(lambda: not window.labelling._running and window.labelling.state.item.id != shown, timeout=30000)
    return shown


def stored(server) -> list[tuple[int, int]]:
    with server.connect() as conn:
        return conn.execute(select(Annotation.comment_id, func.count()).group_by(Annotation.comment_id)).all()


def test_answers_typed_while_the_link_is_frozen_are_all_stored_once_after_a_restart(qtbot, server, proxy):
    window = open_window(qtbot, server, proxy)
    flow = window.labelling.flow
    qtbot.waitUntil(lambda: len(flow.ahead) >= ANSWERS and not window.busy, timeout=60000)  # claimed ahead
    proxy.freeze()
    answered = [answer(qtbot, window) for _ in range(ANSWERS)]  # each advances at once, nothing gets through
    assert len(set(answered)) == ANSWERS and stored(server) == []
    window.close()  # quitting waits a few seconds at most for the frozen link, then leaves the answers on disk
    box = Outbox(flow.box)
    assert box.count() == ANSWERS
    box.close()
    proxy.thaw()
    again = open_window(qtbot, server, proxy)  # the next start sends what was waiting
    qtbot.waitUntil(lambda: len(stored(server)) == ANSWERS, timeout=60000)
    assert sorted(stored(server)) == sorted((comment, 1) for comment in answered)  # every answer, each once
    again.close()


def test_labelling_goes_on_while_the_server_is_down_and_everything_arrives_after(qtbot, server, proxy):
    window = open_window(qtbot, server, proxy)
    flow = window.labelling.flow
    states = []
    window.labelling.sync_state.connect(states.append)
    qtbot.waitUntil(lambda: len(flow.ahead) >= 5 and not window.busy, timeout=60000)
    proxy.down()
    answered = [answer(qtbot, window) for _ in range(5)]
    qtbot.waitUntil(lambda: any(s.startswith("offline") for s in states), timeout=60000)
    assert window.status.sync_label.text().startswith("offline — ")
    proxy.up()  # back: the outbox is sent again within a few seconds
    qtbot.waitUntil(lambda: window.status.sync_label.text() == "all answers sent", timeout=60000)
    assert sorted(stored(server)) == sorted((comment, 1) for comment in answered)
    window.close()


def test_answers_left_in_the_outbox_by_a_killed_app_arrive_at_the_next_start(qtbot, server, proxy):
    ana = ensure_annotator(server, "ana")
    through = make_engine(make_url(server.url).set(host="127.0.0.1", port=proxy.port))
    box = Outbox(Project(through).outbox_path(f"annotator {ana}"))  # what a killed window left on disk
    with server.connect() as conn:
        from moderator.core.store.tables import Comment

        ids = conn.scalars(select(Comment.id).order_by(Comment.position).limit(3)).all()
    for comment in ids:
        box.add("answer", {"annotator_id": ana, "comment_id": comment, "values": {"toxicity": 1, "dehumanization": "none"},
                           "spans": [], "status": "submitted"})  # fmt: skip
    box.close()
    through.dispose()
    window = open_window(qtbot, server, proxy)
    assert sorted(stored(server)) == [(comment, 1) for comment in sorted(ids)]
    assert window.labelling.state.item.id not in ids  # and labelling resumes after them
    window.close()


def test_the_batch_claimed_ahead_is_what_the_annotator_holds(qtbot, server, proxy):
    window = open_window(qtbot, server, proxy)
    flow = window.labelling.flow
    qtbot.waitUntil(lambda: len(flow.ahead) == PREFETCH and not window.busy, timeout=60000)
    from moderator.core.store.tables import Assignment

    with server.connect() as conn:
        held = set(conn.scalars(select(Assignment.comment_id)))
    assert held == {s.item.id for s in flow.ahead} | {window.labelling.state.item.id}
    window.close()
    with server.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Assignment)) == 0  # quitting gives them back


def test_a_window_killed_with_answers_in_its_outbox_loses_none(qtbot, server, proxy, tmp_path):
    """SIGKILL while the link is frozen: the answers the window had accepted arrive at the next start."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    url = make_url(server.url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, str(Path(__file__).parents[2] / "helpers" / "offline_child.py"), url, "8"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ))  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "ready"
        proxy.freeze()
        child.stdin.write("go\n")
        child.stdin.flush()
        kept = []
        while (line := child.stdout.readline().strip()) != "done":
            assert line.startswith("kept "), line
            kept.append(int(line.split()[1]))
        child.send_signal(signal.SIGKILL)
        child.wait(60)
    finally:
        if child.poll() is None:
            child.kill()
    assert len(kept) == 8 and stored(server) == []
    proxy.thaw()
    window = open_window(qtbot, server, proxy)  # the next start
    qtbot.waitUntil(lambda: len(stored(server)) == len(kept), timeout=60000)
    assert sorted(stored(server)) == sorted((comment, 1) for comment in kept)
    window.close()
