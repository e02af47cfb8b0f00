"""Imports of every shape written a thread at a time (or a long thread in parts), so that memory holds one
thread: peak memory measured in a child process, under the bound whatever order the file's rows come in."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import zstandard
from helpers.import_memory import BOUND, MIB, imported


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


def one_thread_within_bound(tmp_path, path, summary: str, comments: int, labels: int) -> None:
    """Imported under the bound as one thread written in parts: every position once, every label."""
    status, out, err, peak = imported(tmp_path, path)
    assert status == 0, err
    assert summary in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        positions = db.execute("SELECT min(position), max(position), count(DISTINCT position) FROM comments").fetchone()
        assert positions == (0, comments - 1, comments)
        assert db.execute("SELECT count(*) FROM annotations").fetchone() == (labels,)


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


def bulk_lines(path: Path, threads: int, comments: int, scattered: bool) -> None:
    """A one-comment-per-line JSONL file of long comments, each reply after its parent; its threads one
    after another, or taking turns line by line."""
    body = ("a comment with some words in it, " * 45)[:1500]
    per = comments // threads
    with path.open("w") as out:
        for i in range(comments):
            t, k = (i % threads, i // threads) if scattered else divmod(i, per)
            parent = f"c{t}-{k - 1}" if k else None
            out.write(
                json.dumps({"thread_id": f"t{t}", "id": f"c{t}-{k}", "parent_id": parent, "author": f"u{i % 50}", "text": body})
                + "\n"
            )


def test_a_bulk_jsonl_file_is_written_a_thread_at_a_time(tmp_path):
    """155 MB, 100,000 comments of 500 threads one after another: 361 MB before (the file held, then written);
    each thread written once read and let go now (226 MB, most of it the inserts' queue and page cache)."""
    path = tmp_path / "bulk.jsonl"
    bulk_lines(path, 500, 100_000, scattered=False)
    assert path.stat().st_size > 150_000_000
    written_within_bound(tmp_path, path, 500, 100_000, 100_000 - 500)


def test_a_bulk_jsonl_file_with_its_threads_scattered_is_regrouped_on_disk(tmp_path):
    """The same comments taking turns line by line: 370 MB before; regrouped on disk and written a thread at a
    time now (227 MB)."""
    path = tmp_path / "turns.jsonl"
    bulk_lines(path, 500, 100_000, scattered=True)
    written_within_bound(tmp_path, path, 500, 100_000, 100_000 - 500)


def test_hacker_news_items_are_regrouped_under_their_stories_on_disk(tmp_path):
    """81 MB of Hacker News items in id order (as a dump has them): 500 stories, then 200,000 comments taking
    turns, each naming only its parent: 422 MB before (the file read whole, every comment held to follow its
    chain of parents); regrouped under their stories on disk and written a thread at a time now (206 MB)."""
    stories, comments = 500, 200_000
    body = "<p>" + ("some words of a comment, " * 12)[:280] + "<p>and a <i>second</i> paragraph."
    path = tmp_path / "items.jsonl"
    with path.open("w") as out:
        for s in range(stories):
            out.write(json.dumps({"type": "story", "id": s + 1, "title": f"Story {s}", "by": "sam", "score": 5}) + "\n")
        for i in range(comments):
            parent = (i % stories) + 1 if i < stories else i + 1  # a story, then the comment a story's turn before
            item = {"type": "comment", "id": stories + 1 + i, "parent": parent, "by": f"u{i % 50}", "text": body,
                    "time": 1478700000 + i, "kids": [stories + 1 + i + stories]}  # fmt: skip
            out.write(json.dumps(item) + "\n")
    assert path.stat().st_size > 80_000_000
    written_within_bound(tmp_path, path, stories, comments, comments - stories)
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(*) FROM threads WHERE title LIKE 'Story %'").fetchone() == (stories,)


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
    one_thread_within_bound(tmp_path, path, f"{items} comments in 1 new thread; {items * annotators} prior labels by "
                            f"{annotators} annotators", items, items * annotators)  # fmt: skip


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
    one_thread_within_bound(tmp_path, path, f"{posts} comments in 1 new thread; {posts * 3} prior labels by 15 annotators",
                            posts, posts * 3)  # fmt: skip


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


def test_a_ratings_table_listed_by_annotator_is_staged_and_built_an_item_at_a_time(tmp_path):
    """74 MB of 250,000 ratings of 50,000 items by 8,000 annotators, listed annotator by annotator as Measuring
    Hate Speech is (an item's ratings scattered through the file): 405 MB before (every item's comment and
    ratings held to the end); staged on disk by item, built an item at a time, written in parts now (166 MB)."""
    items, per, annotators = 50_000, 5, 8_000
    filler = ("a comment about the news of the day with several words in it " * 4)[:240]
    path = tmp_path / "mhs.csv"
    ratings = sorted(((i * 7 + k * 1013) % annotators, i) for i in range(items) for k in range(per))
    with path.open("w") as out:
        out.write("comment_id,annotator_id,platform,text,hatespeech,respect,annotator_gender,annotator_age\n")
        for a, i in ratings:
            out.write(f"{i},{a},{('twitter', 'reddit')[i % 2]},\"{i} {filler}\",{(i + a) % 3},{1 + (i * a) % 5},"
                      f"{('female', 'male', 'non-binary')[a % 3]},{18 + a % 60}\n")  # fmt: skip
    assert path.stat().st_size > 70_000_000
    status, out, err, peak = imported(tmp_path, path, "--format", "ratings")
    assert status == 0, err
    assert f"{items} items → {items} comments in 1 new thread; {items * per} prior labels by {annotators} annotators" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
    with sqlite3.connect(tmp_path / "moderator.sqlite") as db:
        assert db.execute("SELECT count(DISTINCT position), max(position) FROM comments").fetchone() == (items, items - 1)
        assert db.execute("SELECT count(*) FROM annotations").fetchone() == (items * per,)
        assert db.execute("SELECT count(*) FROM profiles").fetchone() == (annotators,)
        first = db.execute("SELECT external_id FROM comments ORDER BY position LIMIT 3").fetchall()
        assert first == [(str(i),) for i in sorted({i for _, i in ratings[:3]})]  # in order of first rating


def test_a_long_table_of_one_thread_is_written_a_part_at_a_time(tmp_path):
    """50 MB of 150,000 comments with an id and six label columns and no thread column (Jigsaw's shape), one
    thread: 510 MB before (the thread's rows, comments and rows to insert held whole; 919 MB at 100 MB);
    read from disk and written in parts now (117 MB)."""
    rows = 150_000
    filler = ("words of a longish comment about politics and news " * 8)[:300]
    path = tmp_path / "train.csv"
    with path.open("w") as out:
        out.write("id,comment_text,toxic,severe_toxic,obscene,threat,insult,identity_hate\n")
        for i in range(rows):
            out.write(f'{i:016x},"{i} {filler}",{i % 2},0,{i % 3 == 0:d},0,{i % 5 == 0:d},0\n')
    assert path.stat().st_size > 50_000_000
    one_thread_within_bound(tmp_path, path, f"{rows} comments in 1 new thread; {rows} prior labels", rows, rows)


def test_joined_tables_keep_their_texts_on_disk_and_are_written_in_parts(tmp_path):
    """Civil Comments' shape: a 27 MB table of 80,000 texts and a table of 160,000 ratings by worker (half the
    items rated): 358 MB before (every text, then every comment and rating held whole); the texts wait on
    disk, the ratings are built an item at a time and written in parts now (155 MB)."""
    items, per = 80_000, 4
    filler = ("words of a longish comment about politics and news " * 8)[:300]
    folder = tmp_path / "civil"
    folder.mkdir()
    with (folder / "all_data.csv").open("w") as out:
        out.write("id,comment_text,created_date,publication_id\n")
        for i in range(items):
            out.write(f'{i},"{i} {filler}",2017-01-01,{i % 7}\n')
    with (folder / "toxicity_individual_annotations.csv").open("w") as out:
        out.write("id,worker,toxic,insult\n")
        for k in range(per):
            for i in range(0, items, 2):
                out.write(f"{i},{(i * 3 + k * 17) % 900},{(i + k) % 2},{(i * k) % 3 == 0:d}\n")
    status, out, err, peak = imported(tmp_path, folder)
    assert status == 0, err
    assert f"{items} items → {items} comments in 1 new thread; {items // 2 * per} prior labels" in out
    assert peak < BOUND, f"peak {peak / MIB:.0f} MB"
