"""A long thread yielded in parts (``ThreadDraft.continues``) is stored exactly as in one draft."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.store.tables import Annotation, Annotator, Comment, Thread

SCHEMA = {
    "name": "parts",
    "version": 1,
    "questions": [
        {"id": "q", "label": "Q", "kind": "nominal", "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]}
    ],
}


def thread(keys: list[int], named: bool = True) -> ThreadDraft:
    comments = [
        CommentDraft(
            f"comment {k}" if named else "the same words",  # unnamed: told apart by their place in the thread
            external_id=str(k) if named else None,
            line=k + 2,
            prior_labels=[PriorLabel(f"A{k % 3}", {"q": k % 2})],
        )
        for k in keys
    ]
    return ThreadDraft(source="test", title="One long thread", external_id="long", comments=comments, prior_schema=SCHEMA)


def in_parts(keys: list[int], size: int, named: bool = True) -> list[ThreadDraft]:
    whole = thread(keys, named)
    return [
        dataclasses.replace(whole, comments=whole.comments[start : start + size], continues=start > 0)
        for start in range(0, len(keys), size)
    ]


def stored(engine) -> tuple[list, list, list]:
    with engine.connect() as conn:
        threads = conn.execute(select(Thread.id, Thread.title, Thread.content_hash).order_by(Thread.id)).all()
        comments = conn.execute(
            select(Comment.id, Comment.thread_id, Comment.external_id, Comment.position, Comment.depth, Comment.text).order_by(
                Comment.id
            )
        ).all()
        labels = conn.execute(
            select(Annotation.comment_id, Annotator.name, Annotation.values)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .order_by(Annotation.id)
        ).all()
    return threads, comments, labels


def counts(summary) -> tuple:
    return (
        summary.threads_added,
        summary.threads_existing,
        summary.comments_added,
        summary.comments_skipped,
        summary.labels_added,
    )


def test_a_thread_in_parts_is_stored_as_in_one(engine, second_engine):
    whole = import_drafts(engine, [thread(list(range(7)))], name="f.json", fmt="test")
    parts = import_drafts(second_engine, in_parts(list(range(7)), 3), name="f.json", fmt="test")
    assert counts(parts) == counts(whole) == (1, 0, 7, 0, 7)
    assert stored(second_engine) == stored(engine)
    assert [c.position for c in stored(engine)[1]] == list(range(7))


def test_unnamed_comments_with_the_same_words_in_parts_are_stored_as_in_one(engine, second_engine):
    whole = import_drafts(engine, [thread(list(range(5)), named=False)], name="f.json", fmt="test")
    parts = import_drafts(second_engine, in_parts(list(range(5)), 2, named=False), name="f.json", fmt="test")
    assert counts(parts) == counts(whole) == (1, 0, 5, 0, 5)
    assert stored(second_engine) == stored(engine)


def test_parts_of_a_thread_imported_before_follow_its_last_comment(engine, second_engine):
    for db in (engine, second_engine):
        import_drafts(db, [thread([0, 1, 2])], name="first.json", fmt="test")
    # The second file repeats two comments: they are skipped, the new ones come after the last position.
    whole = import_drafts(engine, [thread([1, 2, 3, 4, 5])], name="second.json", fmt="test")
    parts = import_drafts(second_engine, in_parts([1, 2, 3, 4, 5], 2), name="second.json", fmt="test")
    assert counts(parts) == counts(whole) == (0, 1, 3, 2, 3)
    assert stored(second_engine) == stored(engine)
    assert [c.position for c in stored(engine)[1]] == list(range(6))


def test_a_part_that_does_not_follow_its_thread_is_a_thread_met_again(engine):
    """``continues`` only joins the thread just written: after another thread it is looked up as usual."""
    first, second = in_parts([0, 1, 2, 3], 2)
    other = dataclasses.replace(thread([9]), external_id="other")
    summary = import_drafts(engine, [first, other, second], name="f.json", fmt="test")
    assert counts(summary) == (2, 1, 5, 0, 5)
    comments = stored(engine)[1]
    assert [(c.external_id, c.position) for c in comments if c.thread_id == comments[0].thread_id] == [
        ("0", 0),
        ("1", 1),
        ("2", 2),
        ("3", 3),
    ]
