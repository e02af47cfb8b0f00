"""The queue list at scale: memory per row is a few bytes, display data is paged, rows are found fast."""

import tracemalloc
from array import array

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import insert

from moderator.core.labelling import browse
from moderator.core.labelling.browse import SEEK_PAGE, item_for
from moderator.core.labelling.log import submit, undo_last
from moderator.core.labelling.session import answer_and_advance, load_resume, undo_and_load
from moderator.core.project import Project
from moderator.core.store.engine import open_database
from moderator.core.store.tables import Comment, Thread
from moderator.core.team.accounts import ensure_annotator
from moderator.gui.background.workers import DbWorker
from moderator.gui.labelling.controller import LabellingController
from moderator.gui.labelling.label_panel import LabelPanel
from moderator.gui.labelling.queue_model import CACHED_PAGES, LOADING, PAGE, CommentIdRole, QueueModel

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

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


@pytest.fixture
def worker():
    worker = DbWorker()
    yield worker
    worker.shutdown()


def settle(qtbot, model: QueueModel) -> None:
    """Let every page and block of display data on its way arrive."""
    qtbot.waitUntil(lambda: not model.busy, timeout=30_000)


def page_to(qtbot, model: QueueModel, rows: int) -> None:
    while model.rowCount() < rows and model.canFetchMore():
        model.fetchMore()
        settle(qtbot, model)


def test_memory_per_row_is_a_few_bytes_however_far_the_list_is_paged(qtbot, engine, worker):
    model = QueueModel(Project(engine), worker, ensure_annotator(engine, "m"), "all")
    page_to(qtbot, model, PAGE)
    model.data(model.index(0))  # statements compiled, caches warm

    def retained_after_paging_to(rows: int) -> int:
        page_to(qtbot, model, rows)
        for row in range(model.rowCount()):
            model.data(model.index(row))  # as a view painting every row would
        settle(qtbot, model)
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


def test_the_model_passes_the_model_tester_while_its_pages_arrive(qtbot, qtmodeltester, engine, worker):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(Project(engine), worker, ana, "all", "user96")  # 515 comments: the tester reads them all
    qtmodeltester.check(model)  # it asks for more after each page, as a view showing every row would
    qtbot.waitUntil(lambda: not model.busy and not model.canFetchMore(), timeout=30_000)
    assert model.rowCount() == 515 and model.item(0).author == "user96"
    comment = model.comment_id(1)
    submit(engine, comment, ana, {"toxicity": 2})
    model.update_item(item_for(engine, ana, comment))
    assert model.data(model.index(1)).startswith("✓")
    settle(qtbot, model)


def test_statuses_show_after_an_answer_and_after_the_block_left_the_cache(qtbot, engine, worker):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(Project(engine), worker, ana, "all")
    page_to(qtbot, model, 3 * PAGE)

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

    page_to(qtbot, model, (CACHED_PAGES + 5) * PAGE)
    for row in range(3 * PAGE, model.rowCount(), PAGE):
        model.data(model.index(row))  # scroll far away: the block with the answer leaves the cache
    settle(qtbot, model)
    assert model._pages.keys().isdisjoint({1})  # the block has left the cache
    assert model.data(model.index(PAGE + 1)) == LOADING and model.item(PAGE + 1) is None  # asked for again
    changed.clear()
    settle(qtbot, model)
    assert (PAGE, 2 * PAGE - 1) in changed  # the view is told to draw the block again
    assert model.data(model.index(PAGE + 1)).startswith("✓")  # read again, with its status

    undo_last(engine, ana)  # a retraction: not answered any more
    model.update_item(item_for(engine, ana, comment))
    assert model.data(model.index(PAGE + 1)).startswith("·") and model.item(PAGE + 1).status is None


def test_update_item_shows_the_status_it_is_given_while_the_row_is_cached(qtbot, engine, worker):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(Project(engine), worker, ana, "all")
    page_to(qtbot, model, PAGE)
    item = model.item(5)
    model.update_item(type(item)(**{**item.__dict__, "status": "flagged"}))
    assert model.data(model.index(5)).startswith("⚑")


def test_load_through_reaches_a_far_comment_in_a_few_growing_pages(qtbot, engine, worker, monkeypatch):
    ana = ensure_annotator(engine, "ana")
    model = QueueModel(Project(engine), worker, ana, "all")
    calls = []
    real = browse.queue_keys
    monkeypatch.setattr(browse, "queue_keys", lambda *a: calls.append(a[-1]) or real(*a))
    far = item_for(engine, ana, 45_000)
    assert model.row_of(45_000, far.key) is None and model.row_of(45_000) is None and calls == []
    reached = []
    model.load_through(far.id, far.key, then=lambda: reached.append(model.row_of(far.id, far.key)))
    model.load_through(far.id, far.key, then=lambda: reached.append(model.row_of(far.id)))  # waits, not asked twice
    assert model.busy and model.rowCount() == 0  # the GUI thread only asked
    settle(qtbot, model)
    assert reached == [44_999, 44_999]
    assert len(calls) <= 10 and max(calls) <= SEEK_PAGE, calls
    assert model.rowCount() < 50_000 and model.canFetchMore()  # stopped once past the comment
    assert model.item(44_999).id == 45_000  # its block of display data came with it, to be shown
    assert model.row_of(7, item_for(engine, ana, 7).key) == 6 and model.row_of(10**9) is None


def test_load_through_a_comment_outside_the_filter_stops_paging_after_its_place(qtbot, engine, worker):
    ana = ensure_annotator(engine, "ana")
    submit(engine, 30_000, ana, {"toxicity": 1})
    model = QueueModel(Project(engine), worker, ana, "unlabelled")
    answered = item_for(engine, ana, 30_000)
    model.load_through(answered.id, answered.key)
    settle(qtbot, model)
    assert model.row_of(30_000, answered.key) is None
    assert 29_999 <= model.rowCount() < 50_000 - 1
    assert model.row_of(30_001, item_for(engine, ana, 30_001).key) == 29_999  # the rows after it close up


def test_a_page_for_an_earlier_query_is_dropped(qtbot, engine, worker):
    ana = ensure_annotator(engine, "ana")
    submit(engine, 1, ana, {"toxicity": 1})
    model = QueueModel(Project(engine), worker, ana, "all")
    model.fetchMore()
    model.set_query("mine")  # before the first page arrived
    assert model.canFetchMore()
    model.fetchMore()
    settle(qtbot, model)
    assert model.rowCount() == 1 and model.comment_id(0) == 1 and not model.canFetchMore()


def test_first_item_is_shown_before_progress_is_counted_and_counts_follow_undo(qtbot, engine, worker):
    ana = ensure_annotator(engine, "ana")
    state = load_resume(engine, ana)
    for _ in range(3):
        state = answer_and_advance(engine, ana, state.item.id, {"toxicity": 2}, []).next
    undo_and_load(engine, ana)
    from moderator.core.labelling.log import active_schema

    panel = LabelPanel(active_schema(engine)[1])
    qtbot.addWidget(panel)
    controller = LabellingController(Project(engine), worker, ana, panel)
    seen = []
    controller.shown.connect(lambda s: seen.append(("shown", s.item.position)))
    controller.progress.connect(lambda p: seen.append(("progress", p[0].answered, p[0].total)))
    controller.start()
    assert controller.busy
    qtbot.waitUntil(lambda: not controller.busy)
    assert seen == [("shown", 2), ("progress", 2, 50_000)]
    controller.finish()
