"""An import's memory stays bounded whatever the file's shape (issue 19, point 1).

Each case of the issue is imported by ``moderator import`` in a child process, which reports its own peak
resident memory: a table of 100,000 columns, a ``.zst`` decompression bomb, a 50 MB one-line paste and a
file of 1 GiB less a byte. Each peaks under ``BOUND`` (the interpreter with its libraries is some 75 MB
of it) and ends as it should: imported with a warning, or refused in one line with the database unchanged.
The bounds themselves (what one comment may carry, what a format reads whole, a paste's size) are
checked in process, lowered.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
import zstandard
from helpers.import_memory import BOUND, MIB, imported
from sqlalchemy import select

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import read_source
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.sources import reading
from moderator.core.importing.sources.comment_bounds import MAX_METADATA_BYTES, MAX_METADATA_KEYS, OWN_KEYS
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment

# One backend: peak memory is the reader's, before any row is written.
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def stored(tmp_path: Path) -> tuple[int, int]:
    """(import batches, comments) in the child's database."""
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        return db.execute("SELECT count(*) FROM import_batches").fetchone()[0], db.execute(
            "SELECT count(*) FROM comments"
        ).fetchone()[0]


def refused(tmp_path: Path, path: Path, line: int | None, reason: str) -> int:
    """Import ``path``: refused in one line ``path[:line]: …reason…``, nothing stored; returns the peak."""
    status, _, err, peak = imported(tmp_path, path)
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert status == 1 and err.startswith(where) and reason in err and "\n" not in err, err
    assert stored(tmp_path) == (0, 0)
    return peak


# ------------------------------------------------------------------------------ the cases


def test_a_table_of_100000_columns_keeps_200_as_metadata(tmp_path):
    """60 MB, 100,000 columns: 1.66 GB (every column kept as metadata) before; the first 200 now, one warning."""
    path = tmp_path / "wide.csv"
    columns = 100_000
    row = ("," + ",".join(["ab"] * (columns - 1)) + "\n").encode()
    with path.open("wb") as out:
        out.write(("text," + ",".join(f"c{i}" for i in range(1, columns)) + "\n").encode())
        for r in range(200):
            out.write(f"comment {r}".encode() + row)
    assert path.stat().st_size > 60_000_000
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{path}: 99,799 columns beyond the first 200 are not kept as metadata" in out
    assert out.count("columns beyond") == 1
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        metas = [json.loads(m) for (m,) in db.execute("SELECT meta FROM comments")]
    assert len(metas) == 200
    assert all(len(m) == MAX_METADATA_KEYS + 1 and m["c200"] == "ab" and "c201" not in m for m in metas)  # + source_line


def zst(path: Path, block: bytes, size: int, **params) -> Path:
    """``block`` repeated to ``size`` bytes, compressed as a stream (no content size, as Pushshift's dumps)."""
    compression = zstandard.ZstdCompressionParameters.from_level(1, write_content_size=False, **params)
    with path.open("wb") as f, zstandard.ZstdCompressor(compression_params=compression).stream_writer(f) as out:
        for _ in range(size // len(block) + 1):
            out.write(block)
    return path


def reddit_lines(count: int) -> bytes:
    line = {"id": "c1", "link_id": "t3_a", "parent_id": "t3_a", "body": "a comment " * 20, "author": "someone"}
    return (json.dumps(line) + "\n").encode() * count


def test_a_zstd_bomb_is_refused_before_a_line_is_read(tmp_path):
    """Kilobytes that inflate past 1 GiB: 1.45 GB before it was refused; now measured first, in a stream."""
    bomb = zst(tmp_path / "RC_bomb.zst", reddit_lines(4096), reading.MAX_FILE_BYTES + MIB)
    assert bomb.stat().st_size < 1 * MIB
    peak = refused(tmp_path, bomb, None, "decompressed, the file is larger than 1024 MB")
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"


def test_a_zstd_bomb_with_a_long_window_is_refused_within_the_bound(tmp_path):
    """A 2 GiB window (zstd --long=31) makes the decoder hold all it inflates: such a file is read up to 64 MB."""
    bomb = zst(tmp_path / "RC_long.zst", reddit_lines(4096), 80 * MIB, window_log=31, enable_ldm=True)
    assert zstandard.get_frame_parameters(bomb.read_bytes()[:18]).window_size == 2**31
    peak = refused(tmp_path, bomb, None, "compressed with a long window (zstd --long)")
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"


def test_a_zstd_line_bomb_is_refused_as_the_line_grows(tmp_path):
    """One 200 MB line inflated from kilobytes: refused once past 64 MB, never held whole."""
    bomb = zst(tmp_path / "RC_line.zst", b"x" * MIB, 200 * MIB)
    peak = refused(tmp_path, bomb, 1, "this line is longer than 64 MB")
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"


def test_a_50_mb_one_line_paste_is_refused_early(tmp_path):
    """970 MB and 17 s before (the paste analysis of one huge line); refused before the text is read whole."""
    path = tmp_path / "thread.txt"
    sentence = b"This is one very long pasted line that never ends, with words and more words. " * 1000
    with path.open("wb") as out:
        for _ in range(50 * MIB // len(sentence) + 1):
            out.write(sentence)
    peak = refused(tmp_path, path, 1, "this line is longer than 1 MB; is this pasted text?")
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"


def test_a_file_of_1_gib_less_a_byte_is_streamed_to_its_long_line(tmp_path):
    """Just under the file bound: 1.08 GB before (read whole, then checked); now checked as it streams by."""
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(b'{"thread_id": "t", "id": "1", "text": "a comment"}\n' * 1000)
        out.truncate(reading.MAX_FILE_BYTES - 1)  # sparse: the rest is one line of NUL bytes, never written
    peak = refused(tmp_path, path, 1001, "this line is longer than 64 MB")
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"


# ------------------------------------------------------------------------------ threads streamed from disk


def test_a_paste_over_its_size_bound_is_refused_before_it_is_read(monkeypatch, tmp_path):
    monkeypatch.setattr(paste, "MAX_BYTES", 4096)
    path = tmp_path / "big.txt"
    path.write_text("Anna Berg\n\nA comment of some length, as people write them.\n\n" * 100)
    with pytest.raises(ImportFailure, match=r"big\.txt: the text is larger than 0\.00390625 MB; is this pasted text"):
        list(paste.parse(read_source(path)))


def test_a_format_reading_a_file_whole_refuses_one_over_its_bound(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "items.json"
    path.write_text(json.dumps({str(i): {"text": "an item", "annotators": "A", "annotations": "1"} for i in range(100)}))
    source = read_source(path)  # checked as it streams: fine
    with pytest.raises(ImportFailure, match="larger than .* this format reads a file whole"):
        source.text  # noqa: B018


@ONE_BACKEND
def test_a_comment_carries_bounded_metadata(engine, tmp_path):
    """Keys past the bound, or past its size, are left out; one warning for the file."""
    many = {f"k{i}": i for i in range(MAX_METADATA_KEYS + OWN_KEYS + 50)}
    big = {"note": "x" * (MAX_METADATA_BYTES // 2), "more": "y" * (MAX_METADATA_BYTES // 2), "after": 1}
    thread = {
        "id": "t",
        "comments": [{"id": "1", "text": "a", **many}, {"id": "2", "text": "b", **big}, {"id": "3", "text": "c"}],
    }
    path = tmp_path / "threads.jsonl"
    path.write_text(json.dumps(thread) + "\n")
    (summary,) = import_paths(engine, [path], "jsonl")
    assert [w for w in summary.warnings if "metadata" in w] == [
        f"{path}: the metadata of 2 comments was cut to {MAX_METADATA_KEYS} keys and 64 KB; 51 values left out"
    ]
    with engine.connect() as conn:
        metas = dict(conn.execute(select(Comment.external_id, Comment.meta)).all())
    assert len(metas["1"]) == MAX_METADATA_KEYS + OWN_KEYS + 1  # and source_line
    assert {"after", "source_line"} < set(metas["2"]) and len(metas["2"]) == 3  # "note" or "more", not both
    assert metas["3"] == {"source_line": 1}


def test_a_file_checked_in_blocks_is_refused_or_read_as_decode_would(monkeypatch, tmp_path):
    """The streamed checks name the same line and reason as ``decode`` on the whole bytes, and give the same
    text, even with blocks that cut characters, line breaks and byte order marks."""
    monkeypatch.setattr(reading, "BLOCK", 3)
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 6)
    pieces = [b"a", b" ", b"\n", b"\r", b"\r\n", b"\x00", b"\x07", b"\xc3\xa9", b"\xc3", b"\xe2\x82\xac", b"\xff", b"\t"]
    rng = random.Random(19)
    path = tmp_path / "f.txt"
    for _ in range(1500):
        data = b"".join(rng.choice(pieces) if rng.random() < 0.5 else b"x" for _ in range(rng.randrange(14)))
        if rng.random() < 0.1:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        try:
            expected: tuple = ("text", reading.decode(str(path), data))
        except ImportFailure as exc:
            expected = (exc.line, exc.reason)
        try:
            source = read_source(path)
            got: tuple = ("text", source.text)
            assert "".join(source.lines()) == source.text and "".join(source.chunks()) == source.text
        except ImportFailure as exc:
            got = (exc.line, exc.reason)
        if data.startswith(b"\xef\xbb\xbf") and "UTF-8-SIG" in str(expected):
            continue  # decode() placed a bad byte after a byte order mark 3 bytes early; the stream places it right
        assert got == expected, data


# ------------------------------------------------------------------------------ the bulk JSONL path's metadata


def wide_lines(path: Path, lines: int, keys: int) -> Path:
    """A one-comment-per-line file, each comment with ``keys`` keys the format does not know."""
    extra = ", ".join(f'"k{i}": {i}' for i in range(keys))
    with path.open("w") as out:
        for n in range(lines):
            out.write(f'{{"thread_id": "t{n % 4}", "id": "{n}", "text": "comment {n}", {extra}}}\n')
    return path


@ONE_BACKEND
def test_the_bulk_path_holds_bounded_metadata(engine, tmp_path):
    """80 lines of 50,000 keys each: 800 MB before (every key of every line held until the last was read);
    each comment's metadata is cut as its line is read now, with the draft path's one warning."""
    path = wide_lines(tmp_path / "wide.jsonl", 80, 50_000)
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    kept = MAX_METADATA_KEYS + OWN_KEYS
    warning = f"{path}: the metadata of 80 comments was cut to {MAX_METADATA_KEYS} keys and 64 KB; {80 * (50_000 - kept):,} values left out"
    assert warning in out and out.count("metadata of") == 1
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        metas = [json.loads(m) for (m,) in db.execute("SELECT meta FROM comments")]
    assert len(metas) == 80 and all(len(m) == kept + 1 and m[f"k{kept - 1}"] == kept - 1 for m in metas)  # + source_line


def test_the_bulk_path_keeps_what_the_draft_path_keeps(engine, second_engine, tmp_path):
    """The same comments as a bulk file (its fast path) and as a thread per line (drafts through the draft
    writer): the same metadata stored, the same warning; an orphan's missing parent is cut past the bound too."""
    many = {f"k{i}": i for i in range(MAX_METADATA_KEYS + OWN_KEYS + 50)}
    big = {"note": "x" * (MAX_METADATA_BYTES // 2), "more": "y" * (MAX_METADATA_BYTES // 2), "after": 1}
    comments = [
        {"id": "1", "text": "a", **many},
        {"id": "2", "text": "b", **big},
        {"id": "3", "text": "c", "parent_id": "gone", **many},
        {"id": "4", "text": "d", "parent_id": "gone", "k": 1},
        {"id": "5", "text": "e"},
    ]
    (tmp_path / "bulk").mkdir()
    (tmp_path / "drafts").mkdir()
    bulk = tmp_path / "bulk" / "same.jsonl"
    bulk.write_text("".join(json.dumps({"thread_id": "t", **c}) + "\n" for c in comments))
    drafts = tmp_path / "drafts" / "same.jsonl"
    drafts.write_text(json.dumps({"id": "t", "comments": comments}) + "\n")
    (fast,) = import_paths(engine, [bulk], "jsonl")
    (slow,) = import_paths(second_engine, [drafts], "jsonl")
    cut = [w.replace(str(bulk), "FILE") for w in fast.warnings if "metadata" in w]
    assert cut == [w.replace(str(drafts), "FILE") for w in slow.warnings if "metadata" in w]
    assert cut == [f"FILE: the metadata of 3 comments was cut to {MAX_METADATA_KEYS} keys and 64 KB; 102 values left out"]

    def metas(db):  # a source line is the comment's in one file, the thread's in the other
        with db.connect() as conn:
            return {
                i: {k: v for k, v in m.items() if k != "source_line"}
                for i, m in conn.execute(select(Comment.external_id, Comment.meta))
            }

    fast_metas = metas(engine)
    assert fast_metas == metas(second_engine)
    assert [list(fast_metas[i]) for i in "13"] == [[*many][: MAX_METADATA_KEYS + OWN_KEYS]] * 2
    assert fast_metas["4"] == {"k": 1, "missing_parent_id": "gone"}


def test_a_json_document_read_whole_at_its_size_bound_stays_within_the_memory_bound(tmp_path):
    """A LeWiDi file with a key given twice is read whole (to import it as json would): just under
    ``MAX_TEXT_BYTES`` it stays under the bound; a file over it is refused before it is read."""
    annotators = 6
    names = ",".join(f"Ann{a + 1}" for a in range(annotators))
    filler = ("with some words in it to make it the size of a long post, " * 10)[:560]
    path = tmp_path / "Big_train.json"
    items = []
    size, i = 2, 0
    while True:
        labels = ",".join(str((i >> a) & 1) for a in range(annotators))
        item = {"text": f"a tweet about #Brexit, number {i}, {filler}", "annotation task": "hate speech detection",
                "number of annotations": annotators, "annotations": labels, "annotators": names, "lang": "en",
                "hard_label": str(i & 1), "soft_label": {"0": 0.5, "1": 0.5}, "split": "train"}  # fmt: skip
        member = ("" if i == 0 else ", ") + json.dumps(str(i)) + ": " + json.dumps(item)
        if size + 2 * len(member) + 16 > reading.MAX_TEXT_BYTES:
            break
        items.append(member)
        size += len(member)
        i += 1
    items.append(', "5": ' + json.dumps(item))  # the key given twice: read whole
    path.write_text("{" + "".join(items) + "}")
    assert reading.MAX_TEXT_BYTES - 2_000 < path.stat().st_size <= reading.MAX_TEXT_BYTES
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{i} comments in 1 new thread" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with path.open("a") as f:
        f.write(" " * 4096)
    status, out, err, peak = imported(tmp_path, path)
    assert status == 1 and "this format reads a file whole" in err
