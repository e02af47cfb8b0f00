"""The queue list at scale: memory per row is a few bytes, display data is paged, rows are found fast."""

import tracemalloc
from array import array

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import insert

from moderator.core.labelling.session import answer_and_advance, load_resume, undo_and_load
from moderator.core.store.engine import open_database
from moderator.core.labelling.log import ensure_annotator, submit, undo_last
from moderator.core.store.tables import Comment, Thread
from moderator.core.labelling.browse import item_for
from moderator.gui.labelling.controller import LabellingController
from moderator.gui.labelling import queue_model
from moderator.gui.labelling.queue_model import CACHED_PAGES, PAGE, CommentIdRole, QueueModel
from moderator.gui.labelling.label_panel import LabelPanel
from moderator.gui.background.workers import DbWorker

PER_THREAD = 100


def bulk_corpus(engine, comments: int) -> None:
    """``comments`` comments, 100 a thread, inserted in bulk (the importer is not what is tested here)."""
    threads = comments // PER_THREAD
    with engine.begin() as conn:
        conn.execute(insert(Thread), [{"id": t + 1, "source": "test", "content_hash": f"t{t}"} for t in range(threads)])
        conn.execute(
            insert(Comment),
            [
                {"id": i + 1, "thread_id": i // PER_THREAD + 1, "position": i % PER_THREAD, "author": f"user{i % 97}",
                 "text": f"comment {i} " + "words " * 30, "content_hash": f"c{i}"}
                for i in range(comments)
            ],
        )  # fmt: skip


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("queue") / "big.sqlite")
    engine = open_database(path)
    bulk_corpus(engine, 50_000)
    engine.dispose()
    return path


@pytest.fixture
def engine(big_db, tmp_path):
    import shutil

    path = tmp_path / "copy.sqlite"
    shutil.copyfile(big_db, path)
    engine = open_database(str(path))
    yield engine
    engine.dispose()


def page_to(model: QueueModel, rows: int) -> None:
    while model.rowCount() < rows and model.canFetchMore():
        model.fetchMore()


def test_memory_per_row_is_a_few_bytes_however_far_the_list_is_paged(qapp, engine):
    model = QueueModel(engine, ensure_annotator(engine, "m"), "all")
    page_to(model, PAGE)
    model.data(model.index(0))  # statements compiled, caches warm

    def retained_after_paging_to(rows: int) -> int:
        page_to(model, rows)
        for row in range(model.rowCount()):
            model.data(model.index(row))  # as a view painting every row would
        assert len(model._pages) == CACHED_PAGES  # display data: a bounded cache of blocks
        model._pages.clear()  # what is left is what every row costs
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        at_10k = retained_after_paging_to(10_000)
        at_50k = retained_after_paging_to(10**9)
    finally:
        tracemalloc.stop()
    assert model.rowCount() == 50_000 and not model.canFetchMore()
    # 40,000 more rows cost their ids (8 bytes each) and a key per block of PAGE rows: no object per
    # row, nothing that grows with the preview or the status (QueueItems took about 700 bytes a row).
    assert at_50k - at_10k < 40_000 * 16, at_50k - at_10k
    assert isinstance(model._ids, array) and model._ids.itemsize == 8


def test_the_model_passes_the_model_tester_and_shows_updated_statuses(qtmodeltester, engine):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(engine, ana, "all")
    page_to(model, 3 * PAGE)
    qtmodeltester.check(model)

    comment = model.data(model.index(PAGE + 1), CommentIdRole)
    assert model.data(model.index(PAGE + 1)).startswith("·")
    submit(engine, comment, ana, {"toxicity": 2})
    changed = []
    model.dataChanged.connect(lambda first, last: changed.append((first.row(), last.row())))
    model.update_item(item_for(engine, ana, comment))
    assert changed == [(PAGE + 1, PAGE + 1)]
    assert model.data(model.index(PAGE + 1)).startswith("✓")
    assert model.data(model.index(PAGE + 1), Qt.ItemDataRole.ToolTipRole) == "#2 · submitted"
    assert model.item(PAGE + 1).status == "submitted"

    page_to(model, (CACHED_PAGES + 5) * PAGE)
    for row in range(3 * PAGE, model.rowCount(), PAGE):
        model.data(model.index(row))  # scroll far away: the block with the answer leaves the cache
    assert model._pages.keys().isdisjoint({1})  # the block has left the cache
    assert model.data(model.index(PAGE + 1)).startswith("✓")  # read again, with its status

    undo_last(engine, ana)  # a retraction: not answered any more
    model.update_item(item_for(engine, ana, comment))
    assert model.data(model.index(PAGE + 1)).startswith("·") and model.item(PAGE + 1).status is None
    qtmodeltester.check(model)


def test_update_item_shows_the_status_it_is_given_while_the_row_is_cached(qapp, engine):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(engine, ana, "all")
    page_to(model, PAGE)
    item = model.item(5)
    model.update_item(type(item)(**{**item.__dict__, "status": "flagged"}))
    assert model.data(model.index(5)).startswith("⚑")


def test_row_of_finds_a_far_comment_in_a_few_growing_pages(qapp, engine, monkeypatch):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(engine, ana, "all")
    calls = []
    real = queue_model.queue_keys
    monkeypatch.setattr(queue_model, "queue_keys", lambda *a: calls.append(a[-1]) or real(*a))
    assert model.row_of(45_000, load=False) is None and calls == []
    assert model.row_of(45_000) == 44_999
    assert len(calls) <= 10 and max(calls) <= queue_model.SEEK_PAGE, calls
    assert model.rowCount() < 50_000 and model.canFetchMore()  # stopped once past the comment
    assert model.row_of(45_000, load=False) == 44_999
    assert model.row_of(7, load=False) == 6 and model.row_of(10**9) is None
    assert model.item(44_999).id == 45_000


def test_row_of_a_comment_outside_the_filter_stops_paging_after_its_place(qapp, engine):
    ana = ensure_annotator(engine, "ana")
    submit(engine, 30_000, ana, {"toxicity": 1})
    model = QueueModel(engine, ana, "unlabelled")
    assert model.row_of(30_000) is None
    assert 29_999 <= model.rowCount() < 50_000 - 1
    assert model.row_of(30_001) == 29_999  # the rows after it close up


def test_first_item_is_shown_before_progress_is_counted_and_counts_follow_undo(qtbot, engine):
    ana = ensure_annotator(engine, "ana")
    state = load_resume(engine, ana)
    for _ in range(3):
        state = answer_and_advance(engine, ana, state.item.id, {"toxicity": 2}, []).next
    undo_and_load(engine, ana)
    worker = DbWorker()
    from moderator.core.labelling.log import active_schema

    panel = LabelPanel(active_schema(engine)[1])
    qtbot.addWidget(panel)
    controller = LabellingController(engine, worker, ana, panel)
    seen = []
    controller.shown.connect(lambda s: seen.append(("shown", s.item.position)))
    controller.progress.connect(lambda done, total, session: seen.append(("progress", done, total)))
    controller.start()
    assert controller.busy
    qtbot.waitUntil(lambda: not controller.busy)
    assert seen == [("shown", 2), ("progress", 2, 50_000)]
    controller.finish()
    worker.shutdown()
