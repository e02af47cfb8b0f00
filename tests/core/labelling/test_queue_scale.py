"""The queue at scale: progress counted from the annotator's own rows, cheap keyset pages, seeks not scans."""

import pytest
from helpers.probes import claim_next, queue_page
from sqlalchemy import event, func, select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.browse import FILTERS, item_for, my_status, progress_counts, queue_items, queue_keys
from moderator.core.labelling.claims import claim_next_item, configure, release, renew
from moderator.core.labelling.log import submit, undo_last
from moderator.core.labelling.session import answer_and_advance, load_resume, undo_and_load
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import ensure_annotator

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

OK = {"toxicity": 2}


@pytest.fixture
def ids(engine):
    drafts = [
        ThreadDraft(source="test", title=f"t{t}", comments=[CommentDraft(f"comment {t}-{i} by someone", author=f"author{i % 3}") for i in range(5)])
        for t in range(3)
    ]  # fmt: skip
    import_drafts(engine, drafts, name="seed", fmt="test")
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.thread_id, Comment.position)).all()


def counted_the_slow_way(engine, annotator_id):
    """The old definition: comments whose newest own row is there and not a retraction (a full scan)."""
    status = my_status(annotator_id)
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Comment).where(status.is_not(None), status != "retracted"))


def test_progress_counts_follow_answers_edits_undos_and_retractions(engine, ids):
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    configure(engine, overlap=2)
    assert progress_counts(engine, ana) == (0, 15)
    submit(engine, ids[0], ana, OK)
    submit(engine, ids[1], ana, {}, status="skipped")
    submit(engine, ids[2], ana, {}, status="flagged")
    submit(engine, ids[0], ana, {"toxicity": 4})  # an edit: still one comment
    submit(engine, ids[0], bo, OK)  # someone else's answer is not ana's progress
    assert progress_counts(engine, ana) == (3, 15) and progress_counts(engine, bo) == (1, 15)
    undo_last(engine, ana)  # takes back the edit: the first answer is in force again
    assert progress_counts(engine, ana) == (3, 15)
    undo_last(engine, ana)  # takes back the flag: a first answer, so the comment is retracted
    assert progress_counts(engine, ana) == (2, 15)
    undo_last(engine, ana)  # takes back the skip
    assert progress_counts(engine, ana) == (1, 15)
    submit(engine, ids[2], ana, OK)  # answering a retracted comment counts again
    assert progress_counts(engine, ana) == (2, 15) == (counted_the_slow_way(engine, ana), 15)
    undo_last(engine, ana)
    undo_last(engine, ana)
    assert progress_counts(engine, ana) == (0, 15) == (counted_the_slow_way(engine, ana), 15)


def test_progress_through_the_annotators_loop(engine, ids):
    ana = ensure_annotator(engine, "ana")
    state = load_resume(engine, ana)
    for _ in range(4):
        state = answer_and_advance(engine, ana, state.item.id, OK, []).next
    assert progress_counts(engine, ana) == (4, 15)
    back = undo_and_load(engine, ana)
    assert back.item.status is None and progress_counts(engine, ana) == (3, 15)


@pytest.mark.parametrize("name", FILTERS)
def test_keys_and_items_page_exactly_like_queue_page(engine, ids, name):
    ana = ensure_annotator(engine, "ana")
    submit(engine, ids[1], ana, OK)
    submit(engine, ids[4], ana, {}, status="skipped")
    submit(engine, ids[6], ana, {}, status="flagged")
    submit(engine, ids[7], ana, OK)
    undo_last(engine, ana)  # ids[7] is retracted: unlabelled again
    for search in ("", "AUTHOR1", "by some"):
        expected = queue_page(engine, ana, name, search, limit=100)
        keys, after = [], None
        while page := queue_keys(engine, ana, name, search, after, limit=4):
            keys += page
            after = page[-1][1:]
        assert keys == [(i.id, i.thread_id, i.position) for i in expected]
        items = queue_items(engine, ana, [k[0] for k in keys])
        assert [items[k[0]] for k in keys] == expected


def test_item_for_and_the_claimed_item_carry_the_annotators_status(engine, ids):
    ana = ensure_annotator(engine, "ana")
    submit(engine, ids[0], ana, {}, status="flagged")
    assert item_for(engine, ana, ids[0]).status == "flagged"
    assert item_for(engine, ana, 10**9) is None
    claimed = claim_next_item(engine, ana)
    assert claimed == item_for(engine, ana, ids[1]) and claimed.status is None
    assert claim_next(engine, ana, after=claimed.key) == ids[2]


def test_lease_commits_leave_the_connection_as_durable_as_before(sqlite_engine):
    """Leases commit without an fsync of their own; the pooled connection gets FULL back for labels."""
    engine = sqlite_engine
    draft = ThreadDraft(source="test", title="t", comments=[CommentDraft("one"), CommentDraft("two")])
    import_drafts(engine, [draft], name="t", fmt="test")
    ana = ensure_annotator(engine, "ana")
    levels = []

    @event.listens_for(engine, "commit")
    def level_at_commit(conn):
        levels.append(conn.connection.driver_connection.execute("PRAGMA synchronous").fetchone()[0])

    first = claim_next(engine, ana)
    renew(engine, first, ana)
    release(engine, ana)
    assert levels == [1, 1, 1]  # NORMAL for the three lease transactions
    submit(engine, first, ana, OK)
    assert levels[-1] == 2  # and FULL again for the label
    with engine.connect() as conn:
        assert conn.connection.driver_connection.execute("PRAGMA synchronous").fetchone()[0] == 2


def plan(engine, run) -> list[str]:
    """SQLite's query plan lines for every SELECT that ``run`` executes."""
    statements = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    with engine.connect() as conn:
        return [
            [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            for statement, parameters in statements
        ]


def test_the_next_item_resume_and_progress_are_index_seeks(sqlite_engine):
    """No full scan of comments and no sort on the paths that run on every keystroke or at start."""
    engine = sqlite_engine
    draft = ThreadDraft(source="test", title="t", comments=[CommentDraft(f"c{i}") for i in range(4)])
    import_drafts(engine, [draft], name="t", fmt="test")
    ana = ensure_annotator(engine, "ana")
    first = claim_next_item(engine, ana)
    submit(engine, first.id, ana, OK)

    claim = plan(engine, lambda: claim_next(engine, ana, after=first.key))
    finds = [p for p in claim if any("comments" in line and "(thread_id,position)>" in line for line in p)]
    assert finds, claim
    for lines in claim:
        assert not any(line.startswith("SCAN") or "TEMP B-TREE" in line for line in lines), lines

    resume = plan(engine, lambda: load_resume(engine, ana))
    latest = resume[0]
    assert latest[0].startswith("SEARCH annotations USING INDEX ix_annotations_annotator_id_id (annotator_id=?)"), latest
    assert not any("TEMP B-TREE" in line for line in latest), latest

    counts = plan(engine, lambda: progress_counts(engine, ana))
    done = [p for p in counts if any("annotations" in line for line in p)]
    assert len(done) == 1 and done[0][0].startswith("SEARCH annotations USING INDEX ix_annotations_annotator_id"), counts
    assert not any("comments" in line for line in done[0]), done
