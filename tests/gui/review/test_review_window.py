"""The reviewers' window: disputed comments, answers side by side, a gold label from the keyboard."""

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import active_schema, submit
from moderator.core.project import Project
from moderator.core.store.tables import Comment, GoldLabel
from moderator.core.team.accounts import AuthError, add_account
from moderator.gui.background.workers import DbWorker
from moderator.gui.review.window import ReviewWindow

HTML = "<b>Send them back</b> &amp; <i>now</i>"
K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def team(tmp_path):
    engine = sqlite_database(tmp_path / "review.sqlite")
    texts = ["Fine article.", HTML, "They are a disease."]
    import_drafts(
        engine, [ThreadDraft(source="t", title="Palmyra", comments=[CommentDraft(t) for t in texts])], name="t", fmt="t"
    )
    configure(engine, overlap=3)
    admin = add_account(engine, "root", "admin", "pw")
    people = {name: add_account(engine, name, "annotator", "pw", by=admin) for name in ("ana", "bo", "cy")}
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Comment.id).order_by(Comment.position)))
    # ids[1]: three different answers (most disputed); ids[2]: two of three agree; ids[0]: all agree.
    for name, toxicity in (("ana", [1, 3, 2]), ("bo", [1, 4, 2]), ("cy", [1, 1, 3])):
        for comment_id, value in zip(ids, toxicity):
            extra = {"categories": ["insult", "threat"]} if (name, value) == ("bo", 4) else {}
            submit(engine, comment_id, people[name].id, {"toxicity": value, **extra})
    yield engine, admin, people, ids
    engine.dispose()


@pytest.fixture
def window(qtbot, team):
    engine, admin, _, ids = team
    worker = DbWorker()
    review = ReviewWindow(Project(engine), worker, admin, active_schema(engine)[1])
    qtbot.addWidget(review)
    review.show()
    review.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is review)
    qtbot.waitUntil(lambda: review.item is not None and not review.busy)
    yield review
    worker.shutdown()


def rows(review):
    return [review.list.item(r).text() for r in range(review.list.count())]


def cell(review, row, column_label):
    labels = [review.table.horizontalHeaderItem(c).text() for c in range(review.table.columnCount())]
    return review.table.item(row, labels.index(column_label)).text()


def gold(engine):
    with engine.connect() as conn:
        return conn.execute(select(GoldLabel.comment_id, GoldLabel.values, GoldLabel.note, GoldLabel.reviewer_id)).all()


def test_disputed_comments_most_disputed_first_with_answers_side_by_side(window, team):
    _, _, _, ids = team
    assert rows(window) == [
        f"#{ids[1]} · 3 answers · 33% agree · 1:1 3:1 4:1",
        f"#{ids[2]} · 3 answers · 67% agree · 2:2 3:1",
    ]
    assert window.item.comment_id == ids[1] and window.table.rowCount() == 4  # three annotators and the majority
    assert [cell(window, r, "Annotator") for r in range(4)] == ["ana", "bo", "cy", "majority"]
    assert [cell(window, r, "Toxicity") for r in range(3)] == ["3 Toxic", "4 Very toxic", "1 Not toxic"]
    assert cell(window, 1, "Categories") == "Insult, Threat / call for violence"
    assert cell(window, 0, "Status") == "submitted" and cell(window, 3, "Toxicity") == ""  # a tie has no majority
    # Comment text is user data: HTML in it is shown as typed, never rendered.
    assert window.comment_view.text.toPlainText() == HTML
    assert "no majority" in window.status.text()


def test_choose_save_and_move_on_from_the_keyboard(qtbot, window, team):
    engine, admin, _, ids = team
    qtbot.keyClick(window, K.Key_Return, CTRL)  # toxicity is tied: nothing to save yet
    assert gold(engine) == [] and "answer Toxicity first" in window.status.text()
    qtbot.keyClick(window, K.Key_4)
    window.note.setText("threat is implied")
    qtbot.keyClick(window, K.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.item.comment_id == ids[2] and not window.busy)
    assert gold(engine) == [(ids[1], {"toxicity": 4, "dehumanization": "none"}, "threat is implied", admin.id)]
    assert rows(window)[0].startswith("✓ #") and window.list.currentRow() == 1
    assert window.status.text().startswith(f"Gold label saved for #{ids[1]}.")
    # Two of three said 2: the gold label starts from the majority, and the note is cleared.
    assert window.label_panel.values()["toxicity"] == 2 and window.note.text() == ""
    qtbot.keyClick(window, K.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(gold(engine)) == 2 and not window.busy)
    assert gold(engine)[1][:2] == (ids[2], {"toxicity": 2, "dehumanization": "none"})
    assert "Every disputed comment" in window.status.text()
    # K goes back; a decided comment shows its gold label.
    qtbot.keyClick(window, K.Key_K)
    qtbot.waitUntil(lambda: window.item.comment_id == ids[1] and not window.busy)
    assert window.label_panel.values()["toxicity"] == 4 and "already has a gold label" in window.status.text()


def test_another_question_lists_its_own_disagreements(qtbot, window, team):
    _, _, _, ids = team
    window.question_box.setCurrentIndex(window.question_box.findData("categories"))
    qtbot.waitUntil(lambda: not window.busy)
    assert window.list.count() == 0 and window.status.text() == "No disagreements on Categories."
    assert not window.right.isEnabled() and window.table.rowCount() == 0


def test_an_annotator_cannot_open_the_review(team):
    engine, _, people, _ = team
    with pytest.raises(AuthError):
        ReviewWindow(Project(engine), DbWorker(), people["ana"], active_schema(engine)[1])
