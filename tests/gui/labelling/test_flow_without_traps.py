"""The annotator's flow without traps (issue 15): drafts kept, a panel that fits, everything by keyboard."""

from helpers.windows import open_window, type_keys
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from moderator.core.labelling.log import current_rows_clause, submit
from moderator.core.store.tables import Annotation, Comment
from moderator.core.team.accounts import ensure_annotator
from moderator.gui.labelling import drafts_prompt

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def stored(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(
            select(Comment.position, Annotation.status, Annotation.values, Annotation.spans)
            .join(Comment, Comment.id == Annotation.comment_id)
            .where(current_rows_clause())
        ).all()
    return {r.position: (r.status, r.values, r.spans) for r in rows}


def position(window):
    return window.labelling.state.item.position


# 2. drafts ------------------------------------------------------------------------------------------


def test_a_draft_survives_moving_away_by_arrow_k_and_a_click_and_enter_then_submits_it(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    type_keys(qtbot, window, [K.Key_3, K.Key_Right])
    assert position(window) == 1 and window.label_panel.values() == {}  # the next comment starts blank
    type_keys(qtbot, window, [K.Key_Left])
    assert position(window) == 0 and window.label_panel.values() == {"toxicity": 3}
    assert "unsubmitted answers" in window.status.currentMessage()
    type_keys(qtbot, window, [K.Key_I, K.Key_K])  # K on the first comment stays; a category is added
    type_keys(qtbot, window, [K.Key_J])
    rect = window.queue.visualRect(window.queue_model.index(0))  # back with a click in the queue
    qtbot.mouseClick(window.queue.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: position(window) == 0 and not window.busy)
    assert window.label_panel.values() == {"toxicity": 3, "categories": ["insult"]}
    type_keys(qtbot, window, [K.Key_Return])
    assert stored(demo_engine)[0][:2] == ("submitted", {"toxicity": 3, "dehumanization": "none", "categories": ["insult"]})
    assert window.labelling.drafts.comment_ids() == []  # submitted: no longer a draft


def test_quitting_with_a_draft_asks_and_going_back_keeps_the_window(qtbot, demo_engine, monkeypatch):
    window = open_window(qtbot, demo_engine)
    asked = []
    monkeypatch.setattr(drafts_prompt, "ask_quit_with_drafts", lambda _parent, count: asked.append(count) or False)
    type_keys(qtbot, window, [K.Key_2, K.Key_Right, K.Key_4])  # a draft kept, and one on screen
    window.close()
    assert asked == [2] and window.isVisible()
    type_keys(qtbot, window, [K.Key_Return, K.Key_Left, K.Key_Left, K.Key_Return])  # both submitted
    window.close()
    assert asked == [2] and not window.isVisible()  # nothing left to ask about
    assert {p: v["toxicity"] for p, (_, v, _) in stored(demo_engine).items()} == {0: 2, 1: 4}


# 3. a panel that fits --------------------------------------------------------------------------------


def test_every_question_shows_without_scrolling_at_1280_by_800_and_each_comment_opens_at_the_top(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    panel = window.label_panel
    assert window.width() == 1280 and window.height() == 800
    viewport = panel.viewport().rect()
    for q in window.schema.questions:
        box = panel.findChild(object, f"question_{q.id}")
        top_left = box.mapTo(panel.viewport(), QPoint(0, 0))
        assert viewport.contains(top_left) and viewport.contains(top_left + QPoint(box.width() - 1, box.height() - 1)), q.id
    assert panel.verticalScrollBar().maximum() == 0
    window.resize(1280, 500)  # too small now: the panel scrolls, and the next comment starts at the top
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() > 0)
    panel.verticalScrollBar().setValue(panel.verticalScrollBar().maximum())
    type_keys(qtbot, window, [K.Key_Right])
    assert panel.verticalScrollBar().value() == 0


# 4. rationale by keyboard ------------------------------------------------------------------------------


def test_words_are_selected_and_marked_from_the_keyboard_and_show_at_once(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    text = window.comment_view.text.toPlainText()
    assert text.startswith("I wonder how they plan")
    type_keys(qtbot, window, [(CTRL, K.Key_Right), (CTRL, K.Key_Right), (SHIFT, K.Key_Right), (SHIFT, K.Key_Right),
                              (SHIFT, K.Key_Left)])  # fmt: skip
    assert window.comment_view.selected_span() == (2, 12)  # "wonder how"
    type_keys(qtbot, window, [K.Key_R])
    assert window.label_panel.spans() == [{"start": 2, "end": 12, "question": "rationale"}]
    assert window.comment_view.selected_span() is None  # the mark shows, not a selection over it
    marks = [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in window.comment_view.text.extraSelections()]
    assert (2, 12) in marks
    spans_list = window.label_panel.findChild(object, "spans_rationale")
    assert spans_list.isVisible() and spans_list.item(0).text() == "“wonder how”"
    type_keys(qtbot, window, [(CTRL, K.Key_Right), K.Key_R, K.Key_1, K.Key_Return])  # "they", after the span
    assert [(s["start"], s["end"]) for s in stored(demo_engine)[0][2]] == [(2, 12), (13, 17)]


# 5. search by keyboard; typing there never labels --------------------------------------------------------


def test_ctrl_f_then_typing_searches_and_changes_no_label(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    type_keys(qtbot, window, [(CTRL, K.Key_F)])
    assert QApplication.focusWidget() is window.search_box
    type_keys(qtbot, window, [K.Key_P, K.Key_A, K.Key_R, K.Key_K, K.Key_I, K.Key_N, K.Key_G, K.Key_3, K.Key_Space])
    assert window.search_box.text() == "parking3 "
    assert window.label_panel.values() == {} and window.label_panel.spans() == []
    window.search_box.setText("parking")
    type_keys(qtbot, window, [K.Key_Return])  # Enter: the first comment found, and the keys back to labelling
    qtbot.waitUntil(lambda: "parking" in window.comment_view.text.toPlainText().lower() and not window.busy)
    assert QApplication.focusWidget() is window.queue and stored(demo_engine) == {}
    type_keys(qtbot, window, [K.Key_2, K.Key_Return])
    assert [v["toxicity"] for _, v, _ in stored(demo_engine).values()] == [2]


def test_the_queue_list_is_chosen_by_keyboard(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    type_keys(qtbot, window, [(CTRL | SHIFT, K.Key_F)])
    assert window.filter_box.view().isVisible()  # the list of lists, open: arrows and Enter choose
    window.filter_box.hidePopup()


# 6. article quotes and named parents ------------------------------------------------------------------------


def test_a_quote_of_the_article_is_marked_in_the_article_and_a_named_parent_is_shown(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    view = window.comment_view
    quoting = next(i for i in range(window.queue_model.rowCount()) if "duty to the famil" in window.queue_model.index(i).data())
    window.labelling.open(window.queue_model.comment_id(quoting))
    qtbot.waitUntil(lambda: "duty to the famil" in view.text.toPlainText() and not window.busy)
    article = view.article.toPlainText()
    marked = [article[s.cursor.selectionStart() : s.cursor.selectionEnd()] for s in view.article.extraSelections()]
    assert any("duty to the families" in m for m in marked)
    naming = next(i for i in range(window.queue_model.rowCount()) if "Dorian has a point" in window.queue_model.index(i).data())
    window.labelling.open(window.queue_model.comment_id(naming))
    qtbot.waitUntil(lambda: "Dorian has a point" in view.text.toPlainText() and not window.busy)
    assert view.parents.isVisible() and view.parents_caption.text().startswith("Names Dorian Ashby")
    assert "Parking on Quay Lane" in view.parents.toPlainText()


# 7. nothing pre-answered ----------------------------------------------------------------------------------------


def test_no_option_is_chosen_before_the_annotator_chooses_it(qtbot, demo_engine):
    window = open_window(qtbot, demo_engine)
    buttons = [
        b for b in window.label_panel.findChildren(type(window.label_panel.findChild(object, "option_dehumanization_none")))
    ]
    assert buttons and not any(b.isChecked() for b in buttons)
    title = window.label_panel._titles["dehumanization"].text()
    assert "None unless chosen" in title  # what a submission records for it, said, not pre-selected
    type_keys(qtbot, window, [K.Key_F])  # a flag stores no default, and shows none when back
    assert stored(demo_engine)[0][:2] == ("flagged", {})
    type_keys(qtbot, window, [K.Key_Left])
    assert not any(b.isChecked() for b in window.label_panel.findChildren(type(buttons[0])))


# 8. skips and flags are not answers ------------------------------------------------------------------------------


def test_skips_and_flags_are_counted_apart_from_answers(qtbot, demo_engine):
    ids = []
    with demo_engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    me = ensure_annotator(demo_engine, "ana")
    for comment_id in ids[1:]:
        submit(demo_engine, comment_id, me, {"toxicity": 1})
    window = open_window(qtbot, demo_engine)
    qtbot.waitUntil(lambda: window.status.progress_label.text().startswith(f"{len(ids) - 1} / {len(ids)} answered"))
    type_keys(qtbot, window, [K.Key_W])  # the last one skipped for wellbeing
    qtbot.waitUntil(lambda: "skipped or flagged" in window.status.progress_label.text())
    assert window.status.progress_label.text().startswith(f"{len(ids) - 1} / {len(ids)} answered")
    assert "1 skipped or flagged" in window.status.progress_label.text()
    assert "Every comment is answered" not in window.status.currentMessage()
