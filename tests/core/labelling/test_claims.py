"""Work for a team: k answers per comment, leases that expire, atomic claims under concurrency."""

import multiprocessing
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from helpers.probes import claim_next, over_k
from helpers.simulate import label_until_done
from sqlalchemy import select, update

from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import claim_next_item, configure, release, renew
from moderator.core.labelling.log import submit
from moderator.core.store.tables import Assignment, Comment
from moderator.core.team.accounts import ensure_annotator


def seed(engine, n=6, threads=1):
    drafts = [
        ThreadDraft(source="test", title=f"t{t}", comments=[CommentDraft(f"comment {t}-{i}") for i in range(n)])
        for t in range(threads)
    ]  # fmt: skip
    import_drafts(engine, drafts, name="seed", fmt="test")
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.thread_id, Comment.position)).all()


def answer(engine, comment_id, annotator_id, toxicity=2):
    submit(engine, comment_id, annotator_id, {"toxicity": toxicity})


def test_each_comment_goes_to_k_distinct_annotators_in_thread_order(engine):
    ids = seed(engine, 3)
    configure(engine, overlap=2)
    ana, bo, cy = (ensure_annotator(engine, n) for n in ("ana", "bo", "cy"))
    assert claim_next(engine, ana) == ids[0]
    assert claim_next(engine, bo) == ids[0]  # a second slot on the same comment
    assert claim_next(engine, cy) == ids[1]  # both slots of the first are taken
    answer(engine, ids[0], ana)
    answer(engine, ids[0], bo)
    assert claim_next(engine, ana, after=(0, 0)) == ids[1]
    assert claim_next(engine, cy) == ids[1]  # cy's own lease is renewed, not doubled
    answer(engine, ids[1], cy)
    answer(engine, ids[1], ana)
    assert claim_next(engine, cy) == ids[2]
    assert over_k(engine) == []


def test_prior_labels_from_an_imported_dataset_take_no_slot(engine):
    prior = [PriorLabel("dataset/Ann1", {"toxicity": 3}), PriorLabel("dataset/Ann2", {"toxicity": 1})]
    draft = ThreadDraft(source="test", title="t", comments=[CommentDraft("labelled elsewhere", prior_labels=prior)])
    import_drafts(engine, [draft], name="prior", fmt="test")
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    only = claim_next(engine, ana)
    assert only is not None  # k = 1, yet two imported answers do not fill it
    answer(engine, only, ana)
    assert claim_next(engine, bo) is None  # ana's own answer does
    assert over_k(engine) == []


def test_an_abandoned_lease_expires_and_the_comment_returns(engine):
    ids = seed(engine, 1)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    assert claim_next(engine, ana) == ids[0]
    assert claim_next(engine, bo) is None  # k = 1 and ana holds it
    with engine.begin() as conn:  # thirty minutes later, ana's app is gone
        conn.execute(update(Assignment).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert claim_next(engine, bo) == ids[0]
    renew(engine, ids[0], bo)
    assert claim_next(engine, ana) is None


def test_orderings(engine):
    ids = seed(engine, 4)
    configure(engine, overlap=2, ordering="least")
    ana, bo, cy = (ensure_annotator(engine, n) for n in ("ana", "bo", "cy"))
    answer(engine, ids[0], ana)
    assert claim_next(engine, bo) == ids[1]  # the least-labelled first, not the first in the thread
    configure(engine, ordering="random")
    picks = {claim_next(engine, cy) for _ in range(3)}
    assert len(picks) == 1 and picks <= set(ids)  # stable for an annotator while the lease lasts
    with pytest.raises(ValueError):
        configure(engine, ordering="alphabetical")


def _engine_url(engine):
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.slow
def test_eight_annotators_at_once_never_exceed_k_and_lose_nothing(engine):
    ids = seed(engine, 30, threads=2)
    configure(engine, overlap=3)
    url = _engine_url(engine)
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        results = pool.starmap(label_until_done, [(url, f"annotator{i}", i) for i in range(8)])
    answered = Counter(cid for r in results for cid in r["answered"])
    assert over_k(engine) == []
    assert set(answered) == set(ids) and set(answered.values()) == {3}  # every comment exactly k times
    with engine.connect() as conn:
        from moderator.core.labelling.log import current_rows_clause
        from moderator.core.store.tables import Annotation

        stored = Counter(conn.scalars(select(Annotation.comment_id).where(current_rows_clause())).all())
    assert stored == answered  # every submission is in the database


def test_quitting_gives_the_slot_back_at_once(engine):
    ids = seed(engine, 1)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    claim_next(engine, ana)
    release(engine, ana)
    assert claim_next(engine, bo) == ids[0]


@pytest.mark.parametrize("ordering", ["thread", "random"])
def test_a_prefetched_batch_holds_distinct_comments_that_others_are_not_given(engine, ordering):
    """Labelling on while the server is away needs comments claimed ahead: each one once, held for us."""
    from moderator.core.labelling.session import prefetch

    draft = ThreadDraft(source="t", title="T", comments=[CommentDraft(f"comment {i}") for i in range(6)])
    import_drafts(engine, [draft], name="t", fmt="t")
    configure(engine, overlap=1, ordering=ordering)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    first = claim_next_item(engine, ana)
    batch = prefetch(engine, ana, first.key, [first.id], want=3)
    held = [first.id] + [state.item.id for state in batch]
    assert len(batch) == 3 and len(set(held)) == 4
    assert all(state.context.comment.id == state.item.id for state in batch)  # loaded with its context
    assert claim_next_item(engine, bo).id not in held  # k = 1: what ana holds is not handed to bo
    rest = prefetch(engine, ana, None, held, want=10)
    assert len(rest) == 1  # six comments: four held by ana, one by bo


def test_a_comment_held_by_another_claim_is_tried_again_not_given_up(postgres_engine, monkeypatch):
    """The last annotators must not stop while a comment still has a slot: on PostgreSQL the lease trigger
    refuses a comment another transaction holds at that moment, and that is not "nothing left"."""
    from moderator.core.labelling import claims

    engine = postgres_engine
    (only,) = seed(engine, 1)
    configure(engine, overlap=2)
    ana = ensure_annotator(engine, "ana")
    other = engine.connect()
    other.begin()
    other.execute(select(Comment.id).where(Comment.id == only).with_for_update())  # someone answering it
    pauses = []

    def other_finishes(seconds):
        pauses.append(seconds)
        other.rollback()  # their transaction ends: the comment's slot is there to take

    monkeypatch.setattr(claims.time, "sleep", other_finishes)
    try:
        assert claim_next(engine, ana) == only
    finally:
        other.close()
    assert len(pauses) == 1  # it waited once, for the other transaction, and took the slot
