"""Long tables written in parts, or refused, without holding a thread: the rows that repeat one, each reply's parent
(by id, by text, or both) and what reading it whole would refuse found on disk first; peak memory measured in a
child process, under the bound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.import_memory import BOUND, MIB, imported


def test_a_long_table_with_no_ids_is_written_a_part_at_a_time(tmp_path):
    """46 MB, 170,000 rows of a text and a label and nothing to tell rows apart (a common research table), a
    seventh of them "[deleted]" and some texts twice: 332 MB before (read whole, to merge repeated rows); the
    repeats found on disk first and merged as their first row's part is built now (124 MB)."""
    rows = 170_000
    filler = ("words of a longish comment about politics and news " * 8)[:300]
    path = tmp_path / "posts.csv"
    with path.open("w") as out:
        out.write("text,label\n")
        for i in range(rows):
            text = "[deleted]" if i % 7 == 0 else f"{i % 150_000} {filler}"
            out.write(f'"{text}",{i % 3 == 0:d}\n')
    assert path.stat().st_size > 45_000_000
    distinct = len({0 if i % 7 == 0 else 1 + i % 150_000 for i in range(rows)})
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{distinct} comments in 1 new thread" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(DISTINCT position), count(DISTINCT text) FROM comments").fetchone() == (distinct,) * 2
        merged = "SELECT sum(json_array_length(meta, '$.merged_lines')) FROM comments WHERE text != '[deleted]'"
        assert db.execute(merged).fetchone() == (rows - distinct - len(range(7, rows, 7)),)


def test_a_long_table_of_parent_ids_and_no_comment_ids_is_written_a_part_at_a_time(tmp_path):
    """41 MB, 280,000 rows of a parent id and a text (no comment ids: every reply an orphan), a quarter repeating
    an earlier row: 383 MB before (read whole, to merge the repeats); the repeats found on disk first now (117 MB)."""
    rows = 280_000
    filler = ("words of a reply about the news " * 5)[:130]
    path = tmp_path / "replies.csv"
    with path.open("w") as out:
        out.write("parent_id,text\n")
        for i in range(rows):
            k = i - 3 if i % 4 == 3 else i  # every fourth row repeats the row three before it
            out.write(f"t1_{k // 10},{k} {filler}\n")
    assert path.stat().st_size > 40_000_000
    kept = rows - rows // 4
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{kept} comments in 1 new thread; {kept} replies whose parent is missing kept" in out
    assert f"{rows // 4} rows repeat an earlier row of its thread" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        merged = "SELECT count(*), sum(json_array_length(meta, '$.merged_lines')) FROM comments WHERE meta LIKE '%merged%'"
        assert db.execute(merged).fetchone() == (rows // 4, rows // 4)
        assert db.execute("SELECT json_extract(meta, '$.orphans') FROM threads").fetchone() == (kept,)


def refused_within_bound(tmp_path, path, error: str) -> None:
    """A file over 60 MB refused with ``error``, under the bound, the database left empty."""
    assert path.stat().st_size > 60_000_000
    status, out, err, peak = imported(tmp_path, path)
    assert status == 1 and error in err, err
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(*) FROM comments").fetchone() == (0,)


def test_a_long_table_that_gives_an_id_twice_is_refused_without_holding_its_thread(tmp_path):
    """61 MB, 400,000 rows of an id, a text and a label, the last one giving an early row's id again: 642 MB
    before (its thread built whole to be refused); the duplicate found on disk, refused the same way now (104 MB)."""
    rows = 400_000
    filler = ("words of a comment about the news " * 6)[:140]
    path = tmp_path / "train.csv"
    with path.open("w") as out:
        out.write("id,text,label\n")
        out.writelines(f"c{i},{i} {filler},{i % 2}\n" for i in range(rows))
        out.write("c17,again,0\n")
    refused_within_bound(tmp_path, path, f"{path}:{rows + 2}: duplicate comment id 'c17' in this thread (first on line 19)")


def test_a_long_table_whose_replies_form_a_cycle_is_refused_without_holding_its_thread(tmp_path):
    """65 MB, 400,000 replies by parent id, some parents after their replies, three of them in a cycle three
    quarters in: 482 MB before (its thread built whole to be refused); the cycle found on disk now (110 MB)."""
    rows = 400_000
    filler = ("words of a comment about the news " * 6)[:140]
    cycle = {300_001: "c300005", 300_005: "c300003", 300_003: "c300001"}
    path = tmp_path / "replies.csv"
    with path.open("w") as out:
        out.write("id,parent_id,text\n")
        for i in range(rows):
            parent = f"c{i + 1}" if i % 2 and 3 <= i < rows - 1 else f"c{i // 2}" if i > 1 else ""
            out.write(f"c{i},{cycle.get(i, parent)},{i} {filler}\n")
    refused_within_bound(tmp_path, path, f"{path}:300003: reply cycle: 'c300001' -> 'c300005' -> 'c300003' -> 'c300001'")


def test_a_long_table_of_replies_in_context_that_gives_an_id_twice_is_refused_without_holding_its_thread(tmp_path):
    """64 MB, 220,000 rows of an id, a parent text and a text, every other one replying to the row before, the last
    giving an early row's id again: 321 MB before (its thread built whole to be refused); the
    places by text checked for cycles and the duplicate found on disk now (109 MB)."""
    rows = 220_000
    filler = ("words of a reply about the news and about the post it answers " * 4)[:180]
    path = tmp_path / "pairs.csv"
    with path.open("w") as out:
        out.write("id,parent_text,text\n")
        out.writelines(f'c{i},"{f"{i - 1} {filler}" if i % 2 else ""}","{i} {filler}"\n' for i in range(rows))
        out.write('c17,"","again"\n')
    refused_within_bound(tmp_path, path, f"{path}:{rows + 2}: duplicate comment id 'c17' in this thread (first on line 19)")


def test_a_long_table_of_replies_in_context_whose_texts_form_a_cycle_is_refused_without_holding_its_thread(tmp_path):
    """64 MB, 220,000 rows, every other one replying to the row before by its text, two rows three quarters in
    naming each other's texts: 323 MB before (its thread built whole to be refused); the cycle found on disk now
    (109 MB), named as before."""
    rows = 220_000
    filler = ("words of a reply about the news and about the post it answers " * 4)[:180]
    cycle = {165_001: ("cycle one", "cycle two"), 165_003: ("cycle two", "cycle one")}
    path = tmp_path / "pairs.csv"
    with path.open("w") as out:
        out.write("id,parent_text,text\n")
        for i in range(rows):
            text, parent = cycle.get(i, (f"{i} {filler}", f"{i - 1} {filler}" if i % 2 else ""))
            out.write(f'c{i},"{parent}","{text}"\n')
    refused_within_bound(tmp_path, path, f"{path}:165003: reply cycle: 'c165003' -> 'c165001' -> 'c165003'")


def replies_by_id_and_text(path: Path, rows: int, last: str = "") -> Path:
    """60 MB for 160,000 replies, each with its parent's id and text (the id wins) or, a third of them, only the
    text of a post no row holds (a context comment each); then ``last``."""
    filler = ("words of a reply about the news and about the post it answers " * 3)[:170]
    with path.open("w") as out:
        out.write("id,parent_id,parent_text,text\n")
        for i in range(rows):
            if i % 3 == 0:
                out.write(f'c{i},,"post {i // 30} {filler}","{i} {filler}"\n')
            else:
                out.write(f'c{i},c{i - 1},"{i - 1} {filler}","{i} {filler}"\n')
        out.write(last)
    return path


def test_a_long_table_of_replies_by_parent_id_and_text_is_written_a_part_at_a_time(tmp_path):
    """160,000 replies by parent id and text (``replies_by_id_and_text``): 321 MB before (read whole); planned on
    disk now (125 MB)."""
    rows = 160_000
    path = replies_by_id_and_text(tmp_path / "replies.csv", rows)
    assert path.stat().st_size > 59_000_000
    posts = len(range(0, rows, 30))
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{rows + posts} comments in 1 new thread" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        by_id = "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.external_id = 'c' || (substr(p.external_id, 2) + 1)"
        assert db.execute(by_id).fetchone() == (rows - len(range(0, rows, 3)),)
        depths = "SELECT max(depth), count(*) FILTER (WHERE json_extract(meta, '$.context')) FROM comments"
        assert db.execute(depths).fetchone() == (3, posts)


def test_a_long_table_of_replies_by_parent_id_and_text_that_gives_an_id_twice_is_refused_without_holding_it(tmp_path):
    """69 MB, 185,000 such replies, the last one giving an early row's id again: 323 MB before (its thread built
    whole to be refused); found on disk now (119 MB)."""
    path = replies_by_id_and_text(tmp_path / "replies.csv", 185_000, last="c17,c5,,again\n")
    refused_within_bound(tmp_path, path, f"{path}:185002: duplicate comment id 'c17' in this thread (first on line 19)")


def test_a_long_table_of_replies_in_context_is_written_a_part_at_a_time(tmp_path):
    """45 MB, 100,000 replies naming their parent by its text (a dataset of replies in context): a third to a post
    no row holds (a context comment each, ten replies to each), a third to an earlier row, a third to a row
    seven rows later (which takes the place of the context made for it): 386 MB before (the thread and a dict
    of its texts held whole); the places and parents found on disk first now (123 MB)."""
    rows = 100_000
    filler = ("words of a reply about the news and about the post it answers " * 4)[:210]

    def text(i: int) -> str:
        return f"{i} {filler}"

    path = tmp_path / "pairs.csv"
    with path.open("w") as out:
        out.write("parent_text,text,label\n")
        for i in range(rows):
            if i % 3 == 0 or (i % 3 == 2 and i + 7 >= rows):
                parent = f"post {i // 30} {filler}"
            elif i % 3 == 1:
                parent = text(((i * 2654435761) >> 7) % i)  # an earlier row, anywhere before
            else:
                parent = text(i + 7)
            out.write(f'"{parent}","{text(i)}",{i % 2}\n')
    assert path.stat().st_size > 43_000_000
    posts = len({i // 30 for i in range(rows) if i % 3 == 0 or (i % 3 == 2 and i + 7 >= rows)})
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{rows + posts} comments in 1 new thread" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(parent_id), count(DISTINCT position) FROM comments").fetchone() == (rows, rows + posts)
        wrong = "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.depth != p.depth + 1"
        assert db.execute(wrong).fetchone() == (0,)
        contexts = "SELECT count(*) FROM comments WHERE json_extract(meta, '$.context') AND text LIKE 'post %'"
        assert db.execute(contexts).fetchone() == (posts,)


@pytest.mark.parametrize("newest_first", [False, True], ids=["parents-first-titled", "newest-first"])
def test_a_long_thread_of_replies_is_written_a_part_at_a_time(tmp_path, newest_first):
    """40 MB, 150,000 comments of one thread replying to each other by parent id: 460 MB at 200,000 comments
    before (the thread, its links and its rows to insert held whole); built and written in parts now, a reply
    to an earlier part found on disk (113 MB). With the post's title and url on every row (a Reddit thread as
    a table), 200,000 comments, 68 MB: 352 MB read whole before; its title and url counted on disk first now
    (121 MB). Newest first, every reply before its parent: 376 MB before; each row's depth found on disk and a
    reply linked once its parent's part is written now (118 MB)."""
    rows = 150_000 if newest_first else 200_000
    filler = ("words of a reply about the news and about the comment above it " * 4)[:230]
    post = "" if newest_first else ",Ask the council: what should the budget fund?,https://reddit.example/r/ask/c0un1"
    path = tmp_path / "replies.csv"
    with path.open("w") as out:
        out.write("id,parent_id,author,text" + ("" if newest_first else ",title,url") + "\n")
        for i in reversed(range(rows)) if newest_first else range(rows):
            parent = "" if i % 5 == 0 else f"c{((i * 2654435761) >> 7) % i}"  # an earlier comment, anywhere before
            out.write(f"c{i},{parent},user{i % 4000},{i} {filler}{post}\n")
    assert path.stat().st_size > 38_000_000
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{rows} comments in 1 new thread" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(parent_id), count(DISTINCT position) FROM comments").fetchone() == (rows * 4 // 5, rows)
        wrong = "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.depth != p.depth + 1"
        assert db.execute(wrong).fetchone() == (0,)
        titles = db.execute("SELECT title, url FROM threads").fetchall()
        assert titles == [("replies", None) if newest_first else (post.split(",")[1], post.split(",")[2])]
