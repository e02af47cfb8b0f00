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
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from sqlalchemy import select

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import read_source
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.sources import reading
from moderator.core.importing.sources.comment_bounds import MAX_METADATA_BYTES, MAX_METADATA_KEYS, OWN_KEYS
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment

BOUND = 300 * 1024**2
# One backend: peak memory is the reader's, before any row is written.
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
MIB = 1024**2

# The child: ``moderator import ARGS``, then its own peak resident set on stderr's last line. Linux's VmHWM,
# as ru_maxrss keeps the peak of the process before exec (pytest's, copied by fork).
CHILD = """
import resource, sys
from moderator.cli.main import main

try:
    code = main(sys.argv[1:])
finally:
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(f"peak {peak}", file=sys.stderr)
sys.exit(code)
"""


def imported(tmp_path: Path, path: Path) -> tuple[int, str, str, int]:
    """(exit status, stdout, stderr without the peak line, peak resident bytes) of importing ``path``."""
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("MODERATOR_DB", None)
    db = tmp_path / "moderator.sqlite"
    run = subprocess.run(
        [sys.executable, "-c", CHILD, "import", "--db", str(db), str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    *rest, last = run.stderr.rstrip("\n").split("\n")
    assert last.startswith("peak "), run.stderr
    return run.returncode, run.stdout, "\n".join(rest), int(last.split()[1])


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


def counted(tmp_path: Path) -> tuple[int, int, int]:
    """(threads, comments, replies) in the child's database."""
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        return db.execute("SELECT count(DISTINCT thread_id), count(*), count(parent_id) FROM comments").fetchone()


def written_within_bound(tmp_path, path, threads: int, comments: int, replies: int) -> None:
    """Imported by the CLI in a child process under the memory bound, with every thread, comment and reply."""
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{comments} comments in {threads} new threads" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    assert counted(tmp_path) == (threads, comments, replies)


def test_a_table_with_its_threads_scattered_is_written_a_thread_at_a_time(tmp_path):
    """150 MB, 150,000 rows of 3,000 threads taking turns, replies before their parents: 355 MB before (every
    row held until the last was read); staged on disk and written a thread at a time now (110 MB)."""
    path = tmp_path / "scattered.csv"
    rows, threads = 150_000, 3_000
    filler = ("words of a longish comment " * 40)[:1000]
    with path.open("w") as out:
        out.write("thread_id,comment_id,parent_id,author,text\n")
        for i in range(rows):
            turn = i // threads % 3
            if i < threads:
                parent = ""
            elif turn == 1 and i + threads < rows:
                parent = i + threads  # a reply before its parent
            else:
                parent = i - (2 if turn == 2 else 1) * threads
            out.write(f"t{i % threads},{i},{parent},user{i % 97},{i} {filler}\n")
    assert path.stat().st_size > 150_000_000
    written_within_bound(tmp_path, path, threads, rows, rows - threads)


def test_a_reddit_dump_in_time_order_is_written_a_thread_at_a_time(tmp_path):
    """90 MB of comments of 600 threads taking turns, each post after its comments: 212 MB before, growing with
    the dump (every thread held to its end); staged on disk and written a thread at a time now (108 MB)."""
    threads, comments = 600, 60_000
    body = ("a comment with some words in it, " * 45)[:1500]
    path = tmp_path / "RC_turns.zst"
    with path.open("wb") as f, zstandard.ZstdCompressor(level=1).stream_writer(f) as out:
        for i in range(comments):
            sid = f"s{i % threads}"
            parent = f"t3_{sid}" if i < threads else f"t1_c{i - threads}"
            line = {"id": f"c{i}", "link_id": f"t3_{sid}", "parent_id": parent, "body": body, "author": f"u{i % 50}"}
            out.write((json.dumps(line) + "\n").encode())
        for t in range(threads):
            out.write((json.dumps({"id": f"s{t}", "title": f"Post {t}", "selftext": "", "subreddit": "x"}) + "\n").encode())
    written_within_bound(tmp_path, path, threads, comments, comments - threads)
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(*) FROM threads WHERE title LIKE 'Post %'").fetchone() == (threads,)


def test_a_file_of_a_thread_per_line_is_written_a_line_at_a_time(tmp_path):
    """42 MB, 400 threads of 500 short replies each: 227 MB before (every thread's draft held until the last line
    was read); each thread is written as its line is read now (100 MB)."""
    threads, replies = 400, 500
    path = tmp_path / "threads.jsonl"
    with path.open("w") as out:
        for t in range(threads):
            comments = [
                {"id": str(i), "parent_id": str(i // 2) if i else None, "text": f"comment {i} of thread {t}, " + "word " * 30}
                for i in range(replies)
            ]
            out.write(json.dumps({"id": f"t{t}", "comments": comments}) + "\n")
    assert path.stat().st_size > 40_000_000
    written_within_bound(tmp_path, path, threads, threads * replies, threads * (replies - 1))


def test_a_corpus_with_its_conversations_scattered_is_written_a_thread_at_a_time(tmp_path):
    """30 MB, 120,000 utterances of 600 conversations taking turns: 242 MB before (every conversation held until
    the last line was read); staged on disk and written a conversation at a time now (110 MB)."""
    utterances, conversations = 120_000, 600
    folder = tmp_path / "corpus"
    folder.mkdir()
    with (folder / "utterances.jsonl").open("w") as out:
        for i in range(utterances):
            conv = f"u{i % conversations}"
            uid, reply = (conv, None) if i < conversations else (f"u{i}", f"u{i - conversations}")
            line = {"id": uid, "conversation_id": conv, "reply_to": reply, "speaker": f"s{i % 40}",
                    "timestamp": 1_600_000_000 + i, "text": f"utterance {i}, " + "word " * 20, "meta": {"score": i}}  # fmt: skip
            out.write(json.dumps(line) + "\n")
    assert (folder / "utterances.jsonl").stat().st_size > 30_000_000
    written_within_bound(tmp_path, folder, conversations, utterances, utterances - conversations)


def test_a_lewidi_file_of_one_big_thread_is_read_an_item_at_a_time(tmp_path):
    """30 MB of LeWiDi items without conversations, one thread of 30,000 comments with 180,000 prior labels:
    387 MB before (the document, then every item's draft, held whole); read item by item twice and written
    in parts of the thread now (155 MB)."""
    items, annotators = 30_000, 6
    names = ",".join(f"Ann{a + 1}" for a in range(annotators))
    filler = ("with some words in it to make it the size of a long post, " * 10)[:560]
    path = tmp_path / "Big_train.json"
    with path.open("w") as out:
        out.write("{")
        for i in range(items):
            labels = ",".join(str((i >> a) & 1) for a in range(annotators))
            item = {
                "text": f"<user> a tweet about #Brexit, number {i}, {filler} \U0001f600",
                "annotation task": "hate speech detection", "number of annotations": annotators, "annotations": labels,
                "annotators": names, "lang": "en", "hard_label": str(i & 1), "soft_label": {"0": 0.5, "1": 0.5},
                "split": "train",
                "other_info": {"other annotations": {"aggressive language detection": labels, "offensive language detection": labels}},
            }  # fmt: skip
            out.write(("" if i == 0 else ", ") + json.dumps(f"{i}") + ": " + json.dumps(item))
        out.write("}")
    assert path.stat().st_size > 30_000_000
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{items} comments in 1 new thread; {items * annotators} prior labels by {annotators} annotators" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        positions = db.execute("SELECT min(position), max(position), count(DISTINCT position) FROM comments").fetchone()
        assert positions == (0, items - 1, items)
        assert db.execute("SELECT count(*) FROM annotations").fetchone() == (items * annotators,)


def test_a_hatexplain_file_is_read_a_post_at_a_time(tmp_path):
    """23 MB of HateXplain posts keyed by id, one thread of 30,000 comments with 90,000 prior labels and their
    rationales: 378 MB before (the document, then every post's draft, held whole); read post by post twice
    and written in parts of the thread now (147 MB)."""
    posts = 30_000
    tokens = ("these are some words of a post that is long enough to be marked by its annotators " * 2).split()
    path = tmp_path / "posts.json"
    with path.open("w") as out:
        out.write("{")
        for i in range(posts):
            pid = f"{1_000_000 + i}_gab"
            annotators = [
                {"label": "hatespeech", "annotator_id": 1 + i % 7, "target": ["African", "None"]},
                {"label": "offensive", "annotator_id": 10 + i % 5, "target": ["Women"]},
                {"label": "normal", "annotator_id": 20 + i % 3, "target": ["None"]},
            ]
            marks = [[(i >> k) & 1 for k in range(len(tokens))], [((i >> k) + 1) & 1 for k in range(len(tokens))]]
            post = {"post_id": pid, "annotators": annotators, "rationales": marks, "post_tokens": tokens}
            out.write(("" if i == 0 else ", ") + json.dumps(pid) + ": " + json.dumps(post))
        out.write("}")
    assert path.stat().st_size > 20_000_000
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{posts} comments in 1 new thread; {posts * 3} prior labels by 15 annotators" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        positions = db.execute("SELECT min(position), max(position), count(DISTINCT position) FROM comments").fetchone()
        assert positions == (0, posts - 1, posts)


def test_a_disqus_export_is_read_in_pieces_and_written_a_thread_at_a_time(tmp_path):
    """32 MB, 60,000 posts of 600 threads taking turns: 309 MB before (the whole text, then every post's record
    and draft held until the last was read); read in pieces, staged on disk, written a thread at a time now (111 MB)."""
    posts, threads = 60_000, 600
    message = "&lt;p&gt;" + "a comment with some words in it, " * 5 + "&lt;/p&gt;"
    path = tmp_path / "export.xml"
    with path.open("w") as out:
        out.write('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(threads):
            out.write(f'<thread dsq:id="t{t}"><link>https://news.example/{t}</link><title>Article {t}</title></thread>\n')
        for i in range(posts):
            parent = f'<parent dsq:id="p{i - threads}"/>' if i >= threads else ""
            out.write(
                f'<post dsq:id="p{i}"><id>wp-{i}</id><message>{message}</message><createdAt>2020-01-01T00:00:00Z</createdAt>'
                f"<isDeleted>false</isDeleted><isSpam>false</isSpam><author><email>reader{i % 50}@mail.example</email>"
                f"<name>Reader {i % 50}</name><isAnonymous>false</isAnonymous><username>reader{i % 50}</username></author>"
                f'<ipAddress>203.0.113.{i % 250}</ipAddress><thread dsq:id="t{i % threads}"/>{parent}</post>\n'
            )
        out.write("</disqus>\n")
    assert path.stat().st_size > 30_000_000
    written_within_bound(tmp_path, path, threads, posts, posts - threads)


def test_a_disqus_export_describing_many_threads_keeps_their_records_on_disk(tmp_path):
    """41 MB describing 110,000 threads, 500 with posts: 351 MB before (the whole text and every thread's record
    held); the records wait on disk now, and only the threads with posts are built (103 MB)."""
    threads, posts = 110_000, 500
    path = tmp_path / "threads.xml"
    with path.open("w") as out:
        out.write('<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n')
        out.write('<category dsq:id="1"><forum>harbourtimes</forum><title>General</title></category>\n')
        for t in range(threads):
            out.write(
                f'<thread dsq:id="{t}"><id>news-article-{t}</id><forum>harbourtimes</forum><category dsq:id="1"/>'
                f"<link>https://harbourtimes.example/news/2019/06/article-{t}</link><title>Article number {t}</title>"
                "<message></message><createdAt>2019-06-03T14:05:11Z</createdAt><author><email>ed@mail.example</email>"
                "<name>Ed</name><username>ed</username></author><ipAddress>203.0.113.9</ipAddress></thread>\n"
            )
        for i in range(posts):
            out.write(f'<post dsq:id="p{i}"><message>a comment</message><thread dsq:id="{i * 7}"/></post>\n')
        out.write("</disqus>\n")
    assert path.stat().st_size > 40_000_000
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert f"{posts} comments in {posts} new threads" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(*) FROM threads WHERE title LIKE 'Article number %'").fetchone() == (posts,)


# ------------------------------------------------------------------------------ the bounds, in process


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
