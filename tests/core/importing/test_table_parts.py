"""A long thread of a table in which no row refers to another (Jigsaw's shape: an id, a text, labels) is built
and written a part at a time, stored exactly as when read whole; anything linking rows keeps it whole."""

from __future__ import annotations

import pytest
from helpers.import_checks import cli_import
from sqlalchemy import select

from moderator.core.importing.formats import csv_table, parse, read_source
from moderator.core.store.tables import Annotation, Comment, Thread


def jigsaw(path, rows: int = 11, extra: str = ""):
    path.write_text(
        "id,comment_text,toxic,insult\n"
        + "".join(f"{i:08x},comment number {i},{i % 2},{i % 3 == 0:d}\n" for i in range(rows))
        + "\n,,,\n"  # a blank row: counted in the thread's metadata
        + extra
    )
    return path


def stored(engine) -> tuple:
    with engine.connect() as conn:
        return (
            conn.execute(select(Thread.title, Thread.meta, Thread.content_hash)).all(),
            conn.execute(
                select(Comment.external_id, Comment.position, Comment.text, Comment.content_hash, Comment.meta).order_by(
                    Comment.position
                )
            ).all(),  # fmt: skip
            conn.execute(select(Comment.position, Annotation.values).join(Comment).order_by(Annotation.id)).all(),
        )


def test_a_long_thread_in_parts_is_stored_as_read_whole(tmp_path, engine, second_engine, capsys, monkeypatch):
    path = jigsaw(tmp_path / "train.csv")
    status, out, err = cli_import(engine, capsys, path)
    assert status == 0, err
    monkeypatch.setattr(csv_table, "PART", 4)
    assert [(len(d.comments), d.continues) for d in parse(read_source(path), "csv")] == [(4, False), (4, True), (3, True)]
    status, parts_out, err = cli_import(second_engine, capsys, path)
    assert status == 0, err
    assert parts_out.splitlines()[0] == out.splitlines()[0]  # "11 comments in 1 new thread; …"
    assert stored(second_engine) == stored(engine)
    assert stored(engine)[0][0].meta == {"skipped_empty_rows": 1}


def test_a_comment_id_twice_in_a_long_thread_is_still_refused_naming_both_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_table, "PART", 4)
    path = jigsaw(tmp_path / "train.csv", extra="00000002,the same id again,0,0\n")
    with pytest.raises(csv_table.ImportFailure, match="duplicate comment id '00000002' in this thread \\(first on line 4\\)"):
        list(parse(read_source(path), "csv"))


@pytest.mark.parametrize("column", ["parent_id", "title"])
def test_a_table_linking_its_rows_keeps_its_thread_whole(tmp_path, monkeypatch, column):
    monkeypatch.setattr(csv_table, "PART", 4)
    rows = "".join(f"{i},comment {i},{'' if column == 'title' or i == 0 else 0}\n" for i in range(11))
    if column == "title":
        rows = "".join(f"{i},comment {i},The title\n" for i in range(11))
    path = tmp_path / "linked.csv"
    path.write_text(f"id,text,{column}\n{rows}")
    (draft,) = parse(read_source(path), "csv")
    assert len(draft.comments) == 11
