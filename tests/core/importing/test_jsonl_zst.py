"""A JSON Lines file of this format compressed with zstd (``.jsonl.zst``) imports as the plain file does,
told from a Reddit dump by its first line."""

from __future__ import annotations

import json

import pytest
import zstandard
from sqlalchemy import select, text

from moderator.core.importing.formats import ImportFailure, detect_format, read_source
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment

# Threads taking turns line by line (regrouped on disk), replies after their parents, an orphan.
RECORDS = [{"thread_id": t, "id": i, "parent_id": i - 1 if i else None, "text": f"c{t}-{i}"} for i in range(6) for t in range(3)]
RECORDS.append({"thread_id": 1, "id": 9, "parent_id": "gone", "text": "orphan"})


def lines(records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def compressed(path, data: bytes):
    path.write_bytes(zstandard.ZstdCompressor().compress(data))
    return path


def stored(engine):
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT t.external_id, c.external_id, c.position, c.depth, p.external_id, c.text, c.meta"
                " FROM comments c JOIN threads t ON t.id = c.thread_id LEFT JOIN comments p ON p.id = c.parent_id"
                " ORDER BY c.id"
            )
        ).all()


def test_a_compressed_bulk_file_imports_as_the_plain_one(engine, second_engine, tmp_path):
    plain = tmp_path / "comments.jsonl"
    plain.write_bytes(lines(RECORDS))
    packed = compressed(tmp_path / "comments.jsonl.zst", lines(RECORDS))
    assert detect_format(read_source(packed)) == "jsonl"
    [a] = import_paths(engine, [packed])
    [b] = import_paths(second_engine, [plain])
    assert (a.format, a.threads_added, a.comments_added, a.orphans) == ("jsonl", 3, 19, 1)
    assert stored(engine) == stored(second_engine)


def test_a_compressed_file_of_a_thread_per_line_imports(engine, tmp_path):
    thread = {"id": "T1", "title": "A post", "comments": [{"id": "a", "text": "hi"}, {"id": "b", "parent_id": "a", "text": "yo"}]}
    [summary] = import_paths(engine, [compressed(tmp_path / "threads.jsonl.zst", lines([thread]))])
    assert (summary.threads_added, summary.comments_added) == (1, 2)


def test_a_bad_line_of_a_compressed_file_is_named_and_nothing_is_written(engine, tmp_path):
    data = lines(RECORDS[:7]) + b'{"thread_id": 0, "id": 99, "text": "a NUL \\u0000 here"}\n' + lines(RECORDS[7:])
    with pytest.raises(ImportFailure, match=r"bad\.jsonl\.zst:8: a NUL character"):
        import_paths(engine, [compressed(tmp_path / "bad.jsonl.zst", data)])
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id)) is None


def test_a_reddit_dump_is_still_told_apart(tmp_path):
    dump = [{"id": "c1", "link_id": "t3_p", "parent_id": "t3_p", "body": "hello", "author": "a"}]
    assert detect_format(read_source(compressed(tmp_path / "RC_2024-01.zst", lines(dump)))) == "reddit"
    # A file whose first line cannot be read that way is left to the dump's reading, which names the problem.
    assert detect_format(read_source(compressed(tmp_path / "odd.zst", b"not json\n"))) == "reddit"
