"""A long thread of a table (Jigsaw's shape: an id, a text, labels; replies by parent id, by text or by both; rows
with nothing to tell them apart) is built and written a part at a time, stored exactly as when read whole, and a
table refused is refused on the same line for the same reason."""

from __future__ import annotations

import pytest
from helpers.import_checks import cli_import
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
                    Comment.thread_id, Comment.position
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


def refusals(path, monkeypatch, part: int) -> tuple[str, str]:
    """The error of reading the table at ``path`` whole, and of reading it in parts of ``part`` rows."""
    errors = []
    for rows in (10**6, part):
        monkeypatch.setattr(csv_table, "PART", rows)
        with pytest.raises(csv_table.ImportFailure) as refused:
            list(parse(read_source(path), "csv"))
        errors.append(str(refused.value))
    return errors[0], errors[1]


@pytest.mark.parametrize("rated", [False, True], ids=["table", "ratings-like"])
def test_a_comment_id_twice_in_a_later_thread_is_refused_there_as_read_whole(tmp_path, engine, capsys, monkeypatch, rated):
    """Found on disk, not by holding the thread: the first thread (by first line) with an id twice is refused at
    its id's second row, after the threads before it were written, and the database is left as it was."""
    rows = [f"a,a{i},first {i}" for i in range(9)]
    rows[2:2] = ["b,b1,second 1", "c,c1,third 1", "c,c1,third 1 again"]  # c's id twice comes first in the file
    rows += [f"b,b{i},second {i}" for i in range(2, 6)] + ["b,b1,second 1 again", "b,b1,and again"]  # a part on
    header = "thread,id,text"
    if rated:  # one row per rating, told from a sample that had no id twice: the table is refused with a hint
        header, rows = header + ",annotator", [f"{row},r{k % 3}" for k, row in enumerate(rows)]
    path = tmp_path / "threads.csv"
    path.write_text(f"{header}\n" + "\n".join(rows) + "\n")
    whole, parts = refusals(path, monkeypatch, 4)
    assert parts == whole
    assert whole.startswith(f"{path}:18: duplicate comment id 'b1' in this thread (first on line 4)")
    assert ("--format ratings" in whole) == rated
    status, _, err = cli_import(engine, capsys, path, "--format", "csv")
    assert status != 0 and "duplicate comment id 'b1'" in err
    assert stored(engine) == ([], [], [])


def outcome(path) -> tuple:
    """("refused", the error) or ("imported", each thread's (comment id, index of its parent, metadata, number of
    labels) in order, each thread's metadata), the parts of a thread joined: a part names a parent in an earlier part
    by its index in the thread (``parent_before``), a reply in an earlier part to one of its comments by
    ``replies_before``."""
    try:
        drafts = list(parse(read_source(path), "csv"))
    except csv_table.ImportFailure as exc:
        return "refused", str(exc)
    threads: list[list[list]] = []
    metadata: dict[int, dict] = {}
    for draft in drafts:
        if not draft.continues:
            threads.append([])
        comments, base = threads[-1], len(threads[-1])
        for k, c in enumerate(draft.comments):
            parent = c.parent_before if c.parent_index is None else base + c.parent_index
            comments.append([c.external_id, parent, list(c.metadata.items()), len(c.prior_labels)])  # in order, as stored
            for reply in c.replies_before or ():
                comments[reply][1] = base + k
        metadata[len(threads) - 1] = draft.metadata  # the last part's: the whole thread's (orphans so far)
    return "imported", threads, metadata


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from("ab"), st.integers(0, 7), st.one_of(st.none(), st.integers(0, 7)), st.integers(0, 3)),
        min_size=5,
        max_size=12,
    ),
    st.sampled_from(["none", "ids", "texts", "texts-merged", "ids-merged", "ids-and-texts", "ids-and-texts-merged"]),
)
def test_a_long_table_by_parent_ids_or_texts_is_refused_or_linked_in_parts_as_read_whole(tmp_path, monkeypatch, rows, parent):
    """Ids twice, comments their own parent, cycles, parents after their replies, replies naming a text no row
    or a later row has, in two threads: whatever the rows, a table in parts is refused on the same line for the
    same reason as read whole, or linked the same."""
    path = tmp_path / "fuzzed.csv"
    if parent == "ids":
        header, lines = (
            "thread,id,parent_id,text",
            [f"{t},c{i},{'' if p is None else f'c{p}'},text {k}" for k, (t, i, p, _) in enumerate(rows)],
        )
    elif parent == "texts":  # four texts, often repeated, often naming each other (cycles)
        header, lines = (
            "thread,id,parent_text,text",
            [f"{t},c{i},{'' if p is None else f'text {p % 4}'},text {n}" for t, i, p, n in rows],
        )
    elif parent == "texts-merged":  # no ids: a row repeating an earlier one (its label aside) is merged into it
        header, lines = (
            "thread,parent_text,text,label",
            [f"{t},{'' if p is None else f'text {p % 4}'},text {n},{i % 2}" for t, i, p, n in rows],
        )
    elif parent.startswith("ids-and-texts"):  # by parent id, by text, or both (the id wins); "-merged": no comment ids

        def parents(p):
            return (f"c{p % 5}" if p is not None and p % 3 != 1 else "", f"text {p % 4}" if p is not None and p % 3 != 2 else "")

        if parent.endswith("merged"):
            header = "thread,parent_id,parent_text,text,label"
            lines = [f"{t},{','.join(parents(p))},text {n},{i % 2}" for t, i, p, n in rows]
        else:
            header, lines = (
                "thread,id,parent_id,parent_text,text",
                [f"{t},c{i},{','.join(parents(p))},text {n}" for t, i, p, n in rows],
            )
    elif parent == "ids-merged":  # parent ids, no comment ids: orphans all, repeated rows merged
        header, lines = (
            "thread,parent_id,text,label",
            [f"{t},{'' if p is None else f'c{p % 3}'},text {n},{i % 2}" for t, i, p, n in rows],
        )
    else:
        header, lines = "thread,id,text", [f"{t},c{i},text {k}" for k, (t, i, _, _) in enumerate(rows)]
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    monkeypatch.setattr(csv_table, "PART", 10**6)
    whole = outcome(path)
    monkeypatch.setattr(csv_table, "PART", 3)
    parts = outcome(path)
    assert parts == whole


def titled(path, parent: bool):
    """Two threads, their rows interleaved: the long one's title mostly "Budget vote" (a variant in the first
    part, a tie-free count), its url only from the second part on and its article in the third; the short one's
    titles tie, the first seen winning."""
    rows = []
    for i in range(14):
        title = {1: "Budget vote (live)", 5: "Budget vote (live)", 9: "", 2: "Council"}.get(i, "Budget vote")
        url = "https://news.example/budget" if i >= 5 else ""
        article = "The council voted.\n\nIt was close." if i in (9, 12) else ""
        reply = f"c{i - 1}" if parent and i % 3 == 1 else ""
        rows.append(f'long,c{i},{reply},{title},{url},"{article}",comment {i}\n')
        if i % 4 == 0:
            rows.append(f"short,s{i},,{'Flood' if i in (4, 8) else 'Fire'},,,short {i}\n")
    path.write_text("thread,id,parent_id,title,url,article,text\n" + "".join(rows))
    return path


@pytest.mark.parametrize("parent", [False, True], ids=["unlinked", "replies"])
def test_a_long_thread_with_a_title_url_and_article_in_parts_is_stored_as_read_whole(
    tmp_path, engine, second_engine, capsys, monkeypatch, parent
):
    """Title, url and article make a thread's identity: every part carries the whole thread's (counted on disk
    first), so the parts are one thread, stored as when read whole."""
    path = titled(tmp_path / "titled.csv", parent)
    status, out, err = cli_import(engine, capsys, path)
    assert status == 0, err
    monkeypatch.setattr(csv_table, "PART", 4)
    drafts = list(parse(read_source(path), "csv"))
    assert [len(d.comments) for d in drafts] == [4, 4, 4, 2, 4]
    long = drafts[:4]
    assert {(d.title, d.url, d.article) for d in long} == {
        ("Budget vote", "https://news.example/budget", "The council voted.\n\nIt was close.")
    }
    assert all(d.metadata["other_titles"] == ["Budget vote (live)", "Council"] for d in long)
    assert (drafts[-1].title, drafts[-1].metadata["other_titles"]) == ("Fire", ["Flood"])
    status, parts_out, err = cli_import(second_engine, capsys, path)
    assert status == 0, err
    assert parts_out.splitlines()[0] == out.splitlines()[0]  # "18 comments in 2 new threads; …"
    assert stored(second_engine) == stored(engine)
    assert len(stored(engine)[0]) == 2


def unnamed(path):
    """No id to tell rows apart, two threads: "[deleted]" by nobody four times in the long one (its first in the
    first part, repeats in the parts after, two with another label: quirks), a text said by two authors (two
    comments), a row repeated right after itself, a second part's row repeated with another label before the
    first part's last repeat (the quirks must still come in file order), and a row of the short one repeated
    with a label it lacked."""
    rows = [
        ("news", "[deleted]", "", "0"), ("news", "first take", "ann", "1"), ("sport", "goal!", "bo", ""),
        ("news", "same words", "ann", "0"), ("news", "same words", "cy", "1"), ("news", "[deleted]", "", "0"),
        ("news", "fresh", "dee", "1"), ("news", "fresh", "dee", "1"), ("sport", "goal!", "bo", "1"),
        ("news", "later", "eve", "0"), ("news", "[deleted]", "", "1"), ("news", "more", "fay", "0"),
        ("news", "later", "eve", "1"), ("news", "even more", "gil", "1"), ("news", "last", "hal", "0"),
        ("news", "[deleted]", "", "1"), ("sport", "offside", "bo", "0"),
    ]  # fmt: skip
    path.write_text("thread,text,author,toxic\n" + "".join(",".join(row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize("strict", [False, True], ids=["warned", "strict"])
def test_repeated_rows_of_a_long_thread_in_parts_are_merged_as_read_whole(
    tmp_path, engine, second_engine, capsys, monkeypatch, strict
):
    """With nothing to tell rows apart, a row repeating an earlier one of its thread becomes one comment with it:
    the repeats are found on disk first, each merged as its first row's part is built, even in a later part; the
    merged lines, labels, warnings (in file order) and ``--strict``'s refusal as when read whole."""
    path = unnamed(tmp_path / "sections.csv")
    options = ("--strict",) if strict else ()
    status, out, err = cli_import(engine, capsys, path, *options)
    monkeypatch.setattr(csv_table, "PART", 4)
    status_parts, parts_out, parts_err = cli_import(second_engine, capsys, path, *options)
    assert (status_parts, parts_out, parts_err) == (status, out, err)
    if strict:
        assert status != 0 and "sections.csv:12: this row repeats line 2 with another label" in err
        return
    assert status == 0, err
    drafts = list(parse(read_source(path), "csv"))
    assert [len(d.comments) for d in drafts] == [4, 4, 1, 2]
    assert drafts[0].comments[0].metadata["merged_lines"] == [7, 12, 17]
    assert [w.strip().split(": ")[0] for w in out.splitlines() if "with another label" in w] == [
        f"{path}:{line}" for line in (12, 14, 17)
    ]
    assert "6 rows repeat an earlier row of its thread" in out and "line 7, 9, 10, 12, 14, 17" in out
    assert drafts[-1].comments[0].prior_labels[0].values == {"toxic": True}  # "goal!" took its repeat's label
    assert stored(second_engine) == stored(engine)


def replies(path, order: list[int], parents: dict[int, str]):
    """A table of comments ``order`` (ids), each replying to ``parents.get(id)`` (an id, or one not in the file)."""
    path.write_text("id,parent_id,author,text\n" + "".join(f"c{i},{parents.get(i, '')},a{i % 3},comment {i}\n" for i in order))
    return path


def test_a_long_thread_of_replies_is_written_in_parts_as_read_whole(tmp_path, engine, second_engine, capsys, monkeypatch):
    """Parents before their replies (the usual export): parts of the thread, a reply to an earlier part's
    comment naming it by its index there; the rows, depths, orphans and counts as when read whole."""
    parents = {1: "c0", 2: "c1", 3: "c0", 5: "c2", 6: "c5", 7: "gone", 9: "c8", 10: "c6", 11: "c10", 12: "away"}
    path = replies(tmp_path / "replies.csv", list(range(13)), parents)
    status, out, err = cli_import(engine, capsys, path)
    assert status == 0, err
    monkeypatch.setattr(csv_table, "PART", 4)
    drafts = list(parse(read_source(path), "csv"))
    assert [(len(d.comments), d.continues) for d in drafts] == [(4, False), (4, True), (4, True), (1, True)]
    assert [(c.parent_index, c.parent_before) for c in drafts[1].comments] == [(None, None), (None, 2), (1, None), (None, None)]
    assert drafts[-1].metadata["orphans"] == 2
    status, parts_out, err = cli_import(second_engine, capsys, path)
    assert status == 0, err
    assert parts_out.splitlines()[0] == out.splitlines()[0]  # "13 comments in 1 new thread; 2 orphans…"
    assert stored(second_engine) == stored(engine)
    with second_engine.connect() as conn:
        linked = conn.execute(select(Comment.external_id, Comment.depth, Comment.parent_id).order_by(Comment.position)).all()
        ids = {ext: i for i, (ext, _, _) in enumerate(linked)}
        parent_of = {ext: linked[ids[p]][0] if p in ids else None for ext, p in parents.items()}
        by_id = dict(conn.execute(select(Comment.id, Comment.external_id)).all())
    assert {ext: by_id.get(p) for ext, _, p in linked if p is not None} == {
        f"c{i}": parent_of[i] for i in parents if parent_of[i]
    }
    assert [d for _, d, _ in linked] == [0, 1, 2, 1, 0, 3, 4, 0, 0, 1, 5, 6, 0]


@pytest.mark.parametrize(
    "order",
    [list(range(12, -1, -1)), [0, 4, 1, 2, 3, 9, 5, 6, 12, 7, 8, 10, 11]],
    ids=["newest-first", "some-replies-early"],
)
def test_replies_before_their_parents_are_written_in_parts_as_read_whole(
    tmp_path, engine, second_engine, capsys, monkeypatch, order
):
    """A reply to a later part's comment is written without its parent and linked once that part is: the rows,
    depths, parents, orphans and counts as when the thread is read whole."""
    parents = {1: "c0", 2: "c1", 3: "c0", 5: "c2", 6: "c5", 7: "gone", 9: "c8", 10: "c6", 11: "c10", 12: "away"}
    path = replies(tmp_path / "replies.csv", order, parents)
    status, out, err = cli_import(engine, capsys, path)
    assert status == 0, err
    monkeypatch.setattr(csv_table, "PART", 4)
    drafts = list(parse(read_source(path), "csv"))
    assert [len(d.comments) for d in drafts] == [4, 4, 4, 1]
    assert any(c.replies_before for d in drafts for c in d.comments)
    status, parts_out, err = cli_import(second_engine, capsys, path)
    assert status == 0, err
    assert parts_out.splitlines()[0] == out.splitlines()[0]
    assert stored(second_engine) == stored(engine)

    def linked(engine):
        with engine.connect() as conn:
            by_id = dict(conn.execute(select(Comment.id, Comment.external_id)).all())
            rows = conn.execute(select(Comment.external_id, Comment.depth, Comment.parent_id).order_by(Comment.position))
            return [(ext, depth, by_id.get(parent)) for ext, depth, parent in rows]

    assert linked(second_engine) == linked(engine)
    assert {ext: parent for ext, _, parent in linked(engine) if parent} == {
        f"c{i}": p for i, p in parents.items() if p.startswith("c")
    }
    # The same thread again, with newer comments replying to the stored ones and to each other: only those added.
    (tmp_path / "again").mkdir()
    more = replies(
        tmp_path / "again" / "replies.csv", [16, 15, 14, 13, *order], parents | {13: "c12", 14: "c3", 15: "c16", 16: "c9"}
    )
    for target, part in ((engine, 10**6), (second_engine, 4)):
        monkeypatch.setattr(csv_table, "PART", part)
        status, out, err = cli_import(target, capsys, more)
        assert status == 0 and "4 comments" in out, err
    assert linked(second_engine) == linked(engine)
    assert stored(second_engine) == stored(engine)


@pytest.mark.parametrize(
    ("parents", "failure"),
    [({3: "c3"}, "comment 'c3' is its own parent"), ({2: "c9", 9: "c2"}, "reply cycle: 'c2' -> 'c9' -> 'c2'")],
)
def test_a_long_thread_still_refuses_its_own_parent_and_cycles(tmp_path, monkeypatch, parents, failure):
    monkeypatch.setattr(csv_table, "PART", 4)
    path = replies(tmp_path / "replies.csv", list(range(11)), parents)
    with pytest.raises(csv_table.ImportFailure, match=failure):
        list(parse(read_source(path), "csv"))


def in_context(path, ids: bool):
    """Replies in context (a parent text, a text), two threads interleaved, the long one ("t") in parts of 4:
    a post no row holds (a context comment, twice), a post a later row holds (that row takes the context's
    place and replies to a comment after it, in the next part), replies to an earlier part's comment, a text
    that is its own parent (none), and, with no ids, repeated rows (one of the row that took a context's place,
    with another label)."""
    rows = [
        ("t", "The article's claim", "I disagree", "ann", "0"), ("t", "Later post", "reply to a later post", "bo", "1"),
        ("u", "", "other thread top", "cy", "0"), ("t", "I disagree", "why?", "cy", "0"),
        ("t", "I disagree", "why?", "cy", "0"), ("t", "", "standalone", "dee", "1"),
        ("t", "standalone", "standalone", "dee", "1"), ("t", "why?", "because", "ann", "1"),
        ("t", "standalone", "Later post", "eve", "0"), ("u", "other thread top", "u reply", "bo", "1"),
        ("t", "Later post", "another reply", "fay", "0"), ("t", "The article's claim", "me too", "gil", "1"),
        ("t", "why?", "because", "ann", "1"), ("t", "nothing here", "last", "hal", "0"),
        ("t", "standalone", "Later post", "eve", "1"),
    ]  # fmt: skip
    header = "id,thread,parent_text,text,author,toxic\n" if ids else "thread,parent_text,text,author,toxic\n"
    path.write_text(header + "".join((f"r{k}," if ids else "") + ",".join(row) + "\n" for k, row in enumerate(rows)))
    return path


@pytest.mark.parametrize("ids", [False, True], ids=["merged", "ids"])
def test_a_long_thread_of_replies_in_context_is_written_in_parts_as_read_whole(
    tmp_path, engine, second_engine, capsys, monkeypatch, ids
):
    """Replies naming their parent by text: the places of the rows and of the context comments, and each one's
    parent, are found on disk first; parts link across as replies by id do; the rows, contexts, parents, depths,
    merged rows and warnings as when the thread is read whole."""
    path = in_context(tmp_path / "pairs.csv", ids)
    status, out, err = cli_import(engine, capsys, path)
    assert status == 0, err
    monkeypatch.setattr(csv_table, "PART", 4)
    status_parts, parts_out, parts_err = cli_import(second_engine, capsys, path)
    assert (status_parts, parts_out, parts_err) == (status, out, err)
    drafts = list(parse(read_source(path), "csv"))
    assert [len(d.comments) for d in drafts] == ([4, 4, 4, 3, 2] if ids else [4, 4, 4, 2])
    assert any(c.replies_before for d in drafts for c in d.comments)  # "Later post" replies to a later part
    assert stored(second_engine) == stored(engine)

    def linked(engine):
        with engine.connect() as conn:
            text = dict(conn.execute(select(Comment.id, Comment.text)).all())
            rows = conn.execute(
                select(Comment.text, Comment.depth, Comment.parent_id, Comment.meta).order_by(Comment.thread_id, Comment.position)
            )
            return [(t, depth, text.get(parent), bool(meta.get("context"))) for t, depth, parent, meta in rows]

    assert linked(second_engine) == linked(engine)
    long = linked(engine)[: 15 if ids else 12]
    assert long[:4] == [
        ("The article's claim", 0, None, True),
        ("I disagree", 1, "The article's claim", False),
        ("Later post", 1, "standalone", False),  # took the context's place, replying to a comment after it
        ("reply to a later post", 2, "Later post", False),
    ]
    assert ("last", 1, "nothing here", False) in long and ("nothing here", 0, None, True) in long
    if not ids:
        assert f"{path}:16: this row repeats line 10 with another label" in out


def test_a_long_thread_whose_texts_reply_in_a_circle_is_refused_as_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "pairs.csv"
    path.write_text("parent_text,text\n" + "".join(f",post {i}\n" for i in range(6)) + "B,A\nA,B\n")
    whole, parts = refusals(path, monkeypatch, 4)
    assert parts == whole == f"{path}:8: reply cycle: line 9 -> line 8 -> line 9"  # rows without ids


@pytest.mark.parametrize("cycle", ["none", "earlier", "same"], ids=["id-twice", "earlier-cycle", "cycle-and-id-twice"])
def test_a_long_table_of_replies_in_context_with_an_id_twice_is_refused_as_read_whole(tmp_path, monkeypatch, cycle):
    """Replies by parent text with an id twice in thread "b": refused at its second row, found on disk; but when
    thread "a", first in the file, has two replies naming each other's texts, its cycle is refused first, as read
    whole; a cycle in "b" itself comes second (a row's id is checked as it is added, the links once all are)."""
    a = ["a,c1,text 2,text 1", "a,c2,text 1,text 2"] if cycle == "earlier" else ["a,c1,,text 1", "a,c2,text 1,text 2"]
    b = ["b,c6,text 8,text 6", "b,c8,text 6,text 8"] if cycle == "same" else ["b,c6,text 5,text 6", "b,c8,,text 8"]
    rows = [a[0], "b,c5,,text 5", a[1], *b, "b,c5,,text 7", "a,c3,,text 3"]
    path = tmp_path / "pairs.csv"
    path.write_text("thread,id,parent_text,text\n" + "\n".join(rows) + "\n")
    whole, parts = refusals(path, monkeypatch, 3)
    assert parts == whole
    expected = (
        "2: reply cycle: 'c2' -> 'c1' -> 'c2'"
        if cycle == "earlier"
        else "7: duplicate comment id 'c5' in this thread (first on line 3)"
    )
    assert whole == f"{path}:{expected}"


@pytest.mark.parametrize(
    ("rows", "failure"),
    [
        (["a,c1,,,text 1", "a,c2,c2,,text 2", "a,c1,,,text 3"], "3: comment 'c2' is its own parent"),
        (["a,c1,,,text 1", "a,c1,,,text 2", "a,c2,c2,,text 3"], "3: duplicate comment id 'c1' in this thread (first on line 2)"),
        (["a,c1,c2,,text 1", "a,c2,,text 1,text 2", "b,c1,,,x", "b,c1,,,y"], "2: reply cycle: 'c1' -> 'c2' -> 'c1'"),
    ],
    ids=["own-parent-first", "id-twice-first", "cycle-by-id-and-text"],
)
def test_a_long_table_of_replies_by_id_and_text_is_refused_as_read_whole(tmp_path, monkeypatch, rows, failure):
    """A reply names its parent by id or, without one, by text: a comment its own parent, an id twice (whichever
    row comes first) or a cycle through both kinds of link is refused as when the thread is read whole."""
    path = tmp_path / "replies.csv"
    filler = [f"z,z{k},,,filler {k}" for k in range(4)]  # a second thread, after: the table is long
    path.write_text("thread,id,parent_id,parent_text,text\n" + "\n".join(rows + filler) + "\n")
    whole, parts = refusals(path, monkeypatch, 2)
    assert parts == whole == f"{path}:{failure}"
