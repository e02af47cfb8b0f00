"""Model-assisted queue orderings: likely toxic first, most uncertain first, thread order for the rest."""

import pytest
from helpers.probes import claim_next
from sqlalchemy import func, select

from moderator.core.assist import scores as assist_store
from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.schema.definition import load_schema
from moderator.core.store.tables import Comment, ModelScore
from moderator.core.team.accounts import ensure_annotator

TEXTS = ["thanks for the article", "you are vermin and should die", "I disagree with the author", "what an idiot", "nice"]


def seed(engine, texts=TEXTS):
    import_drafts(
        engine, [ThreadDraft(source="test", title="t", comments=[CommentDraft(t) for t in texts])], name="seed", fmt="test"
    )
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.thread_id, Comment.position)).all()


def test_toxic_first_and_uncertain_take_the_expected_comment_first(engine):
    ids = seed(engine)
    # Known scores; the 5th comment is unscored (imported after the last model, say).
    assist_store.write_scores(engine, {ids[0]: 0.05, ids[1]: 0.97, ids[2]: 0.45, ids[3]: 0.80}, version=1)
    ana, bo, cy = (ensure_annotator(engine, n) for n in ("ana", "bo", "cy"))

    configure(engine, ordering="toxic-first")
    assert claim_next(engine, ana) == ids[1]
    assert claim_next(engine, bo) == ids[3]  # ana holds the top one; the next best is next
    configure(engine, ordering="uncertain")
    assert claim_next(engine, cy) == ids[2]  # |0.45 - 0.5| is the smallest


def test_unscored_comments_follow_in_thread_order_once_the_scored_are_done(engine):
    ids = seed(engine)
    assist_store.write_scores(engine, {ids[2]: 0.9, ids[4]: 0.7}, version=1)
    configure(engine, ordering="toxic-first")
    ana = ensure_annotator(engine, "ana")
    order = []
    while (cid := claim_next(engine, ana)) is not None:
        order.append(cid)
        submit(engine, cid, ana, {"toxicity": 1})
    assert order == [ids[2], ids[4], ids[0], ids[1], ids[3]]


def test_retraining_scores_open_comments_and_drops_finished_ones(engine):
    ids = seed(engine, TEXTS * 2)  # a second copy of each text, in another position
    ana = ensure_annotator(engine, "ana")
    assert assist_store.retrain(engine) is None  # no labels: nothing to learn from
    for cid, text in zip(ids[:5], TEXTS):
        toxic = "vermin" in text or "idiot" in text
        submit(engine, cid, ana, {"toxicity": 4 if toxic else 1})
    facts = assist_store.retrain(engine, force=True)
    assert facts.positives == 2 and facts.comments == 5 and facts.version == 1
    with engine.connect() as conn:
        scored = {r[0]: r[1] for r in conn.execute(select(ModelScore.comment_id, ModelScore.score))}
    assert sorted(scored) == ids[5:]  # the answered (k = 1) comments are not scored
    assert scored[ids[6]] > scored[ids[5]] and scored[ids[8]] > scored[ids[7]]  # toxic texts above civil ones
    assert assist_store.retrain(engine) is None  # not due: no new labels since
    configure(engine, ordering="toxic-first")
    assert claim_next(engine, ensure_annotator(engine, "bo")) in (ids[6], ids[8])


def test_a_new_model_replaces_scores_instead_of_adding_rows(engine):
    ids = seed(engine)
    assist_store.write_scores(engine, {ids[0]: 0.2}, version=1)
    assist_store.write_scores(engine, {ids[0]: 0.9}, version=2)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ModelScore)) == 1
    assert assist_store.score_of(engine, ids[0]) == pytest.approx(0.9)
    assert assist_store.score_of(engine, ids[1]) is None


@pytest.mark.parametrize("ordering", ["toxic-first", "uncertain"])
def test_score_orderings_walk_the_score_index_on_sqlite(sqlite_engine, ordering):
    from moderator.core.labelling.claims import _find_query

    query = _find_query(ordering, False, False)
    with sqlite_engine.connect() as conn:
        compiled = query.compile(conn)
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), tuple(
            {"annotator_id": 1, "now": "2000-01-01", "overlap": 1}.get(k, None) for k in compiled.positiontup
        )))  # fmt: skip
    assert "ix_model_scores" in plan and "TEMP B-TREE" not in plan  # an index walk, no sort of all rows


@pytest.mark.slow
def test_retraining_in_a_child_process_learns_and_scores_within_its_bounds(engine, monkeypatch):
    from moderator.core.assist.run import retrain_if_due

    ids = seed(engine, TEXTS * 2)
    ana = ensure_annotator(engine, "ana")
    assert retrain_if_due(engine) is None  # no labels: no child is started
    for cid, text in zip(ids[:5], TEXTS):
        submit(engine, cid, ana, {"toxicity": 4 if ("vermin" in text or "idiot" in text) else 1})
    facts = retrain_if_due(engine)
    assert facts.labels_trained_on == 5 and facts.scored == len(ids) - 5
    assert facts.scored_through == -1  # the pass reached the end of the corpus
    assert assist_store.model_info(engine) == facts
    assert retrain_if_due(engine) is None  # nothing new since


def test_training_takes_the_newest_labelled_comments_and_scoring_resumes_where_it_stopped(engine):
    ids = seed(engine, TEXTS * 2)
    ana = ensure_annotator(engine, "ana")
    for cid, text in zip(ids[:5], TEXTS):
        submit(engine, cid, ana, {"toxicity": 4 if ("vermin" in text or "idiot" in text) else 1})
    assert sorted(assist_store.training_votes(engine, limit=2)) == ids[3:5]
    model, _ = assist_store.train(engine)
    scored, through = assist_store.score_comments(engine, model, 1, budget=3)
    assert through != -1 and scored <= 3
    scored_rest, through_rest = assist_store.score_comments(engine, model, 1, start_after=through)
    assert through_rest == -1
    with engine.connect() as conn:
        assert sorted(conn.scalars(select(ModelScore.comment_id))) == ids[5:]  # every open comment, once


def test_the_model_never_learns_the_labels_of_a_comment_still_open_to_someone(engine):
    # Blind labelling with k = 2: ana's coin-flip answers on comments bo has still to answer must not
    # come back to bo as hints. Each text is a unique made-up word, so only memorising could leak them.
    import random

    rng = random.Random(7)
    words = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)) for _ in range(240)]
    ids = seed(engine, [f"{w} {w}{w[:3]}" for w in words])
    configure(engine, overlap=2)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    coin = {cid: rng.random() < 0.5 for cid in ids}
    for cid in ids:
        submit(engine, cid, ana, {"toxicity": 4 if coin[cid] else 1})
    done = ids[:60]  # bo answers these too: with k = 2 they are finished and may be learned from
    for cid in done:
        submit(engine, cid, bo, {"toxicity": 4 if coin[cid] else 1})

    votes = assist_store.training_votes(engine)
    assert sorted(votes) == sorted(done)
    assert assist_store.retrain(engine, force=True) is not None
    still_open = ids[60:]
    with engine.connect() as conn:
        scores = dict(
            conn.execute(select(ModelScore.comment_id, ModelScore.score).where(ModelScore.comment_id.in_(still_open))).all()
        )
    agree = sum((scores[cid] >= 0.5) == coin[cid] for cid in still_open)
    assert len(scores) == len(still_open) and agree < 0.7 * len(still_open)  # chance, not ana's answers


def test_labels_imported_with_a_dataset_are_learned_from_on_open_comments(engine):
    drafts = [
        ThreadDraft(
            source="test",
            title="t",
            comments=[
                CommentDraft(t, prior_labels=[PriorLabel("data/ann1", {"toxicity": 4 if "vermin" in t else 1})]) for t in TEXTS
            ],
            prior_schema=load_schema().definition,
        )
    ]
    import_drafts(engine, drafts, name="prior", fmt="test")
    configure(engine, overlap=3)
    assert len(assist_store.training_votes(engine)) == len(TEXTS)


def test_the_hint_shows_as_the_project_says_after_the_answer_by_default_and_off_when_k_is_more_than_one(engine):
    ids = seed(engine)
    assist_store.write_scores(engine, {ids[0]: 0.9}, version=1)
    assert assist_store.configure_hint(engine) == "after-answer"  # k = 1: never before the annotator's own answer
    assert assist_store.hint_score(engine, ids[0], answered=False) is None
    assert assist_store.hint_score(engine, ids[0], answered=True) == pytest.approx(0.9)
    configure(engine, overlap=2)
    assert assist_store.configure_hint(engine) == "off"
    assert assist_store.hint_score(engine, ids[0], answered=True) is None
    assert assist_store.configure_hint(engine, "after-answer") == "after-answer"
    assert assist_store.hint_score(engine, ids[0], answered=False) is None  # cannot anchor the answer
    assert assist_store.hint_score(engine, ids[0], answered=True) == pytest.approx(0.9)
    with pytest.raises(ValueError):
        assist_store.configure_hint(engine, "sometimes")
    assert assist_store.configure_hint(engine) == "after-answer"
