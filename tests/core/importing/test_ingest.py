"""Importing files: idempotent by content, all-or-nothing on bad input."""

import json

import pytest
from sqlalchemy import select

from moderator.core.importing.formats import ImportFailure
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.stats import database_stats
from moderator.core.store.tables import Comment, ImportBatch, QuoteSpan, Thread


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def bulk(thread="t1", n=5):
    return [
        {"thread_id": thread, "id": f"{thread}-c{i}", "parent_id": f"{thread}-c{i - 1}" if i % 2 else None,
         "author": f"user{i % 3}", "text": f"comment {i} in {thread}"}
        for i in range(n)
    ]  # fmt: skip


def snapshot(engine):
    """Every row of every imported table, to prove a failed import changed nothing."""
    with engine.connect() as conn:
        return [conn.execute(select(m)).all() for m in (ImportBatch, Thread, Comment, QuoteSpan)]


def test_import_writes_threads_comments_and_reply_links(engine, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", bulk("a", 4) + bulk("b", 3))
    [summary] = import_paths(engine, [path])
    assert (summary.format, summary.threads_added, summary.comments_added) == ("jsonl", 2, 7)
    with engine.connect() as conn:
        rows = conn.execute(select(Comment.external_id, Comment.parent_id, Comment.depth, Comment.position, Comment.id)).all()
    by_ext = {r.external_id: r for r in rows}
    assert by_ext["a-c1"].parent_id == by_ext["a-c0"].id and by_ext["a-c1"].depth == 1
    assert by_ext["a-c2"].parent_id is None and by_ext["a-c3"].depth == 1
    assert sorted(r.position for r in rows if r.external_id.startswith("b")) == [0, 1, 2]


def test_reimporting_the_same_content_adds_nothing(engine, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", bulk("a", 6))
    import_paths(engine, [path])
    before = database_stats(engine)
    [again] = import_paths(engine, [path])
    assert again.already_imported
    # The same comments in another file (another order, extra whitespace in the JSON) add nothing either.
    other = tmp_path / "copy.jsonl"
    other.write_text("".join(json.dumps(r, indent=None, separators=(", ", ": ")) + "\n" for r in reversed(bulk("a", 6))))
    [copy] = import_paths(engine, [other])
    assert (copy.comments_added, copy.comments_skipped) == (0, 6)
    after = database_stats(engine)
    assert {k: after[k] for k in ("threads", "comments")} == {k: before[k] for k in ("threads", "comments")}


def test_new_comments_join_an_existing_thread_after_its_last_one(engine, tmp_path):
    import_paths(engine, [write_jsonl(tmp_path / "one.jsonl", bulk("a", 3))])
    [more] = import_paths(engine, [write_jsonl(tmp_path / "two.jsonl", bulk("a", 5))])
    assert (more.threads_existing, more.comments_added, more.comments_skipped) == (1, 2, 3)
    with engine.connect() as conn:
        positions = conn.scalars(select(Comment.position).order_by(Comment.position)).all()
    assert positions == [0, 1, 2, 3, 4]


def test_a_bad_file_imports_nothing_even_after_good_ones(engine, tmp_path):
    import_paths(engine, [write_jsonl(tmp_path / "first.jsonl", bulk("z", 2))])
    before = snapshot(engine)
    good = write_jsonl(tmp_path / "good.jsonl", bulk("a", 3))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + '{"thread_id": "b", "id": "x", "text": "cut off', encoding="utf-8")
    with pytest.raises(ImportFailure) as error:
        import_paths(engine, [good, bad])
    assert str(error.value).startswith(f"{bad}:4: ")
    assert snapshot(engine) == before


def test_orphan_replies_are_kept_and_counted(engine, tmp_path):
    records = bulk("a", 2) + [{"thread_id": "a", "id": "o", "parent_id": "gone", "text": "orphan"}]
    [summary] = import_paths(engine, [write_jsonl(tmp_path / "o.jsonl", records)])
    assert summary.orphans == 1 and summary.comments_added == 3
    with engine.connect() as conn:
        orphan = conn.execute(select(Comment).where(Comment.external_id == "o")).one()
    assert orphan.parent_id is None and orphan.meta["missing_parent_id"] == "gone"


def test_authors_get_a_stable_pseudonymous_key(engine, tmp_path):
    import_paths(engine, [write_jsonl(tmp_path / "k.jsonl", bulk("a", 6))])
    with engine.connect() as conn:
        keys = dict(conn.execute(select(Comment.external_id, Comment.author_key)).all())
    assert keys["a-c0"] == keys["a-c3"] != keys["a-c1"]  # user0 twice, user1 once
    assert all(k and "user" not in k for k in keys.values())


def test_the_seed_thread_lands_with_its_quote_reply(engine, shared_data):
    [summary] = import_paths(engine, [shared_data / "threads" / "palmyra-comments.txt"])
    assert (summary.format, summary.comments_added) == ("paste", 26)
    with engine.connect() as conn:
        thread = conn.execute(select(Thread)).one()
        reply = conn.execute(select(Comment).where(Comment.text.like("%then must die.%"))).one()
        parent = conn.execute(select(Comment).where(Comment.id == reply.parent_id)).one()
        [quote] = conn.execute(select(QuoteSpan).where(QuoteSpan.comment_id == reply.id)).all()
    assert thread.title.startswith("Russia To Do") and thread.dateline == "JUNE 2023"
    assert parent.author == "Marek Pejović" and reply.author is None and reply.depth == 1
    assert quote.source == "comment" and quote.source_comment_id == parent.id
    assert reply.text[quote.start : quote.end] == "syrians are not a very martial people"
    assert parent.text[quote.source_start : quote.source_end].casefold() == "syrians are not a very martial people"


def test_lewidi_prior_labels_become_annotations_once(engine, shared_data):
    from moderator.core.labelling.log import current_rows_clause
    from moderator.core.store.tables import Annotation, Annotator

    path = shared_data / "lewidi" / "HS-Brexit_dev.json"
    [summary] = import_paths(engine, [path])
    assert (summary.format, summary.comments_added, summary.labels_added) == ("lewidi", 168, 1008)
    import_paths(engine, [path])  # again: nothing doubles
    with engine.connect() as conn:
        names = set(conn.scalars(select(Annotator.name)).all())
        rows = conn.execute(select(Annotation.values, Comment.external_id).join(Comment).where(current_rows_clause())).all()
    assert names == {f"HS-Brexit/Ann{i}" for i in range(1, 7)} and len(rows) == 1008
    raw = json.loads(path.read_text())
    first = [r.values["hate_speech"] for r in rows if r.external_id == "2"]
    assert sorted(first) == sorted(int(v) for v in raw["2"]["annotations"].split(","))
