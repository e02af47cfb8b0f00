"""Gold items in the window: the note after a check item, the accuracy table, importing a gold file and
the project's gold settings in Preferences (leads only)."""

from __future__ import annotations

import json
import os

import pytest
from helpers.databases import PG_ENV, PG_SKIP, sqlite_database, throwaway_postgres
from helpers.windows import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from moderator.core.demo import load_demo
from moderator.core.labelling.log import submit
from moderator.core.project import Project
from moderator.core.store.tables import GoldItem
from moderator.core.team.accounts import ensure_annotator

CHECK = {"text": "Thanks, that was helpful.", "toxicity": 1, "dehumanization": "none"}
MORE = [
    {"text": "They are vermin and should be gone.", "toxicity": 4, "dehumanization": "explicit"},
    {"text": "What a clown this mayor is.", "toxicity": 3},
]


def gold_file(tmp_path, items, name="gold.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(item) for item in items) + "\n", encoding="utf-8")
    return path


def gold_ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(GoldItem.comment_id).order_by(GoldItem.comment_id)))


def flush(qtbot, window) -> None:
    """Wait until every job queued on the window's worker so far has run and shown its result."""
    done = []
    window.worker.submit(lambda: None, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done))


@pytest.fixture
def labelling_engine(request, tmp_path, monkeypatch):
    """The demo thread in a project file, or on a team server (answers go through the outbox there)."""
    if request.param == "file":
        engine = sqlite_database(tmp_path / "demo.sqlite")
        load_demo(engine)
        yield engine
        engine.dispose()
        return
    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the outbox lives in the user data folder
    with throwaway_postgres(os.environ[PG_ENV], "moderator_gui_gold") as engine:
        load_demo(engine)
        yield engine


@pytest.mark.parametrize(("labelling_engine", "feedback"), [("file", True), ("file", False), ("server", True)],
                         indirect=["labelling_engine"])  # fmt: skip
def test_after_a_gold_item_the_note_gives_the_reference_answer_if_the_project_explains(qtbot, labelling_engine, tmp_path,
                                                                                         feedback):  # fmt: skip
    project = Project(labelling_engine)
    project.import_gold(gold_file(tmp_path, [CHECK]))
    project.gold_settings(every=2, feedback=feedback)
    [gold] = gold_ids(labelling_engine)
    window = open_window(qtbot, labelling_engine, role="annotator")
    assert not window.actions_by_id["review.gold_accuracy"].isVisible()  # leads only
    assert not window.actions_by_id["file.import_gold"].isVisible()
    qtbot.waitUntil(lambda: window.labelling.state is not None)
    assert window.labelling.state.item.id == gold  # one in two: the first is due at once
    note = window.gold.note
    assert note.isHidden()  # nothing is told before the answer is in
    window.labelling.choose("toxicity", 2)  # dehumanization left alone: its default, None, is recorded
    window.labelling.submit()
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state.item.id != gold)
    if not feedback:
        assert note.isHidden()
        return
    qtbot.waitUntil(note.isVisible)  # on a server, once the outbox has sent the answer
    assert note.text.text() == (
        "The comment you just answered was a check item. Reference answer — Toxicity: 1 (Not toxic); "
        "Dehumanization: None. You answered: Toxicity 2 (Mildly toxic)."
    )
    window.labelling.choose("toxicity", 1)
    window.labelling.submit()  # the next answer puts the note away
    qtbot.waitUntil(lambda: not window.busy)
    assert note.isHidden()


def test_gold_accuracy_lists_the_least_accurate_first_and_marks_those_below_the_threshold(qtbot, demo_engine, tmp_path):
    project = Project(demo_engine)
    project.import_gold(gold_file(tmp_path, [CHECK, *MORE]))
    project.gold_settings(threshold=0.7)
    kind, vermin, clown = gold_ids(demo_engine)
    answers = {
        "bo": {kind: {"toxicity": 1}, vermin: {"toxicity": 4, "dehumanization": "explicit"}, clown: {"toxicity": 3}},
        "<b>cy</b>": {kind: {"toxicity": 2}, vermin: {"toxicity": 4, "dehumanization": "implicit"}},
    }
    for name, given in answers.items():
        person = ensure_annotator(demo_engine, name)
        for comment_id, values in given.items():
            submit(demo_engine, comment_id, person, values)
    window = open_window(qtbot, demo_engine, role="admin")
    window.actions_by_id["review.gold_accuracy"].trigger()
    qtbot.waitUntil(lambda: window.gold.dialog is not None and window.gold.dialog.isVisible())
    dialog = window.gold.dialog
    assert dialog.summary.text() == "1 of 2 people answer fewer than 70 % of gold items correctly."
    assert dialog.rows() == [
        ["<b>cy</b>", "2", "50 % (2/4)", "below 70 %", "50 % (1/2)", "50 % (1/2)"],
        ["bo", "3", "100 % (5/5)", "", "100 % (3/3)", "100 % (2/2)"],  # a default (None) is an answer
    ]
    model, font = dialog.model, Qt.ItemDataRole.FontRole
    assert model.index(0, 0).data(font).bold() and model.index(1, 0).data(font) is None  # not by colour alone
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4, 6)] == ["Toxicity", "Dehumanization"]
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_import_gold_items_from_the_file_menu_says_what_was_added_or_where_the_file_is_wrong(
    qtbot, demo_engine, tmp_path, monkeypatch
):
    good = gold_file(tmp_path, [CHECK, *MORE])
    bad = gold_file(tmp_path, [CHECK, {"text": "no answer here"}], name="bad.jsonl")
    chosen = [str(good), str(good), str(bad)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_args: (chosen.pop(0), "")))
    window = open_window(qtbot, demo_engine, role="admin")
    told = []
    for _ in chosen[:]:
        window.actions_by_id["file.import_gold"].trigger()
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "gold_import_message") is not None)
        box = window.findChild(QMessageBox, "gold_import_message")
        told.append((box.icon(), box.text()))
        box.setObjectName("")  # closed (and deleted later): the next import's box is found, not this one
        box.close()
    assert told[0] == (QMessageBox.Icon.Information, "3 gold items added (0 already there)")
    assert told[1] == (QMessageBox.Icon.Information, "0 gold items added (3 already there)")
    assert told[2][0] == QMessageBox.Icon.Warning and told[2][1].startswith(f"{bad}:2: no reference answer")
    assert len(gold_ids(demo_engine)) == 3


@pytest.mark.parametrize("role", ["admin", "annotator"])
def test_preferences_set_the_gold_items_for_the_project_and_only_leads_see_them(qtbot, demo_engine, monkeypatch, role):
    from moderator.gui.dialogs.gold_page import GoldPage
    from moderator.gui.dialogs.preferences import PreferencesDialog

    window = open_window(qtbot, demo_engine, role=role)
    pages = []

    def change(dialog):
        page = dialog.findChild(GoldPage)
        pages.append(page)
        if page is not None:
            page.every.setValue(1)  # one in one is no setting: the box steps over it
            assert page.every.value() == 2
            page.every.setValue(25)
            page.feedback.setChecked(True)
            page.threshold.setValue(80)
        return 1

    monkeypatch.setattr(PreferencesDialog, "exec", change)
    window.actions_by_id["app.preferences"].trigger()
    qtbot.waitUntil(lambda: bool(pages))
    flush(qtbot, window)
    settings = Project(demo_engine).gold_settings()
    if role == "annotator":
        assert pages == [None] and settings.every == 0
        return
    assert (settings.every, settings.feedback, settings.threshold) == (25, True, 0.8)
    assert window.status.currentMessage().startswith("Gold items: one in about 25 comments, the reference answer shown")
