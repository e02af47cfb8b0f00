"""A ratings table is staged on disk and built an item at a time: its rows may come in any order (Measuring
Hate Speech lists them by annotator), and a long thread is written in parts, stored exactly as if whole."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from moderator.core.importing.formats import ImportFailure, detect_format, parse, read_source
from moderator.core.importing.formats.ratings_columns import resolve
from moderator.core.importing.formats.ratings_reader import RatingsReader
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.tables import open_table
from moderator.core.importing.writer import import_drafts
from moderator.core.store.tables import Annotation, Annotator, Comment, Profile, Thread

ITEMS = 7
PEOPLE = ("a1", "a2", "a3")


def by_annotator(path):
    """Every item rated by every annotator, listed annotator by annotator (items scattered), a1 twice on c3."""
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["comment_id", "annotator_id", "text", "platform", "toxic", "annotator_age"])
        for n, person in enumerate(PEOPLE):
            for i in reversed(range(ITEMS)) if n == 1 else range(ITEMS):
                out.writerow([f"c{i}", person, f"text of item {i}", "reddit" if i % 2 else "", (i + n) % 2, 30 + n])
        out.writerow(["c3", "a1", "text of item 3", "", 0, 30])  # a1's second, different rating of c3: kept
    return path


def drafts(path, part: int | None):
    options = ImportOptions()
    table = open_table(read_source(path))
    reader = RatingsReader(table, resolve(str(path), table.header_line, table.header, {}), options)
    return list(reader.threads(part=part)), options


def stored(engine) -> tuple:
    with engine.connect() as conn:
        threads = conn.execute(select(Thread.title, Thread.meta)).all()
        comments = conn.execute(select(Comment.external_id, Comment.position, Comment.text).order_by(Comment.position)).all()
        labels = conn.execute(
            select(Comment.external_id, Annotator.name, Annotation.values)
            .join(Comment, Comment.id == Annotation.comment_id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .order_by(Comment.position, Annotation.id)
        ).all()
        profiles = conn.execute(select(Annotator.name, Profile.answers).join(Profile).order_by(Annotator.name)).all()
    return threads, comments, labels, profiles


def test_items_come_in_order_of_their_first_row_with_every_rating(tmp_path):
    (draft,), options = drafts(by_annotator(tmp_path / "mhs.csv"), part=None)
    assert [c.external_id for c in draft.comments] == [f"c{i}" for i in range(ITEMS)]
    c3 = draft.comments[3]
    assert [(p.annotator, p.values) for p in c3.prior_labels] == [("mhs/a1", {"toxic": 0}), ("mhs/a2", {"toxic": 0}),
                                                                   ("mhs/a3", {"toxic": 1})]  # fmt: skip
    assert draft.comments[1].metadata["platform"] == "reddit" and "platform" not in draft.comments[0].metadata
    assert draft.metadata == {"dataset": "mhs", "ratings": ITEMS * len(PEOPLE), "annotators": len(PEOPLE)}
    assert options.notes.items == ITEMS
    assert [w.split(": ", 1)[1] for w in options.notes.warnings] == [
        "item 'c3': annotator 'a1' rated it differently on line 5; the later rating is kept"
    ]


def test_a_thread_in_parts_is_stored_as_read_whole(tmp_path, engine, second_engine):
    path = by_annotator(tmp_path / "mhs.csv")
    (whole,), _ = drafts(path, part=None)
    parts, _ = drafts(path, part=3)
    assert [len(p.comments) for p in parts] == [3, 3, 1]
    assert [p.continues for p in parts] == [False, True, True]
    assert parts[0].metadata["ratings"] == 9 and parts[-1].metadata["ratings"] == ITEMS * len(PEOPLE)
    summary = import_drafts(engine, [whole], name="mhs.csv", fmt="ratings")
    in_parts = import_drafts(second_engine, parts, name="mhs.csv", fmt="ratings")
    assert (in_parts.threads_added, in_parts.comments_added, in_parts.labels_added) == (1, ITEMS, ITEMS * len(PEOPLE))
    assert (summary.threads_added, summary.comments_added, summary.labels_added) == (1, ITEMS, ITEMS * len(PEOPLE))
    assert stored(second_engine) == stored(engine)
    assert stored(engine)[0][0].meta["ratings"] == ITEMS * len(PEOPLE)  # the thread's counts of the last part


def test_a_table_with_reply_links_is_read_whole(tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text(
        "comment_id,parent_id,annotator_id,text,toxic\n"
        "r1,p1,a1,the reply,1\n" + "".join(f"x{i},,a1,filler {i},0\n" for i in range(5)) + "p1,,a1,the parent,0\n"
    )
    (draft,), _ = drafts(path, part=2)
    replies = {c.external_id: draft.comments[c.parent_index].external_id for c in draft.comments if c.parent_index is not None}
    assert replies == {"r1": "p1"}


def test_a_ratings_table_listed_by_annotator_is_told_from_a_table_of_comments(tmp_path):
    """Listed by annotator, the start of the file rates no item twice: annotators who each rated several items
    still tell a ratings table. Forced to be read as comments, the second rating of an item is a comment id
    twice, and the message says what to do."""
    path = tmp_path / "by_annotator.csv"
    items, people = 3000, 600  # each annotator rates 10 items, each item is rated twice
    path.write_text("comment_id,annotator_id,text,toxic\n" + "".join(
        f"c{i % items},a{k},text of item {i % items},{k % 2}\n" for k in range(people) for i in range(10 * k, 10 * k + 10)
    ))  # fmt: skip
    source = read_source(path)
    assert detect_format(source) == "ratings"
    (draft, *_) = parse(source, "ratings")
    assert draft.comments[0].external_id == "c0" and len(draft.comments[0].prior_labels) == 2
    with pytest.raises(
        ImportFailure, match=rf"by_annotator.csv:{items + 2}: duplicate comment id 'c0' .* import it with --format ratings"
    ):
        list(parse(read_source(path), "csv"))
