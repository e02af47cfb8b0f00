"""Scrubbing on export, on by default: a Reddit thread and a Disqus export carrying e-mail and IP addresses,
phone numbers, profile links and mentions, exported as JSONL, CSV and Parquet, hold none of them; the
placeholders are consistent within a thread (parent texts included); spans move with the texts;
``scrub=False`` / ``--no-scrub`` keeps the texts; the card says what was scrubbed."""

from __future__ import annotations

import csv
import json

import pytest

from moderator.cli.main import main
from moderator.core.export.perspectivist import export_perspectivist
from moderator.core.export.scrub import ScrubCounts
from moderator.core.export.writer import export_file, iter_records
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.log import submit
from moderator.core.store.engine import open_database
from moderator.core.team.accounts import ensure_annotator

# One backend: scrubbing happens in Python, after the rows are read (the export tests cover both backends).
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

SAM_MAIL, SAM_IP, PHONE, V6 = "sam.strath@example.org", "198.51.100.23", "+1 604-555-0142", "2001:db8::7"
FARES_MAIL, FARES_PHONE, GULF_IP, DAVE_MAIL = "fares@harbourtimes.example", "250 555 0199", "203.0.113.77", "dave@example.net"
PERSONAL = [
    SAM_MAIL, SAM_IP, PHONE, V6, "eastvan_local", "strathcona_sam", "vanparks", "twitter.com/vanparks_fan", "reddit.com/user",
    FARES_MAIL, FARES_PHONE, GULF_IP, DAVE_MAIL, "bcferries_rep", "gulfislander", "facebook.com/dave.r.ferries",
]  # fmt: skip
KEPT = "Version 1.2.3 came out in 2019 and cost $1,000,000: https://www.cbc.ca/news/canada-1.5157001"


def _comment(cid, author, body, parent, depth, replies=()):
    children = [{"kind": "t1", "data": r} for r in replies]
    return {"subreddit": "vancouver", "id": cid, "name": f"t1_{cid}", "author": author, "parent_id": parent, "body": body,
            "link_id": "t3_d9k2p1", "created_utc": 1569888600.0 + depth, "depth": depth, "score": 1,
            "replies": {"kind": "Listing", "data": {"children": children}} if children else ""}  # fmt: skip


def reddit_thread() -> list:
    post = {"subreddit": "vancouver", "id": "d9k2p1", "name": "t3_d9k2p1", "author": "eastvan_local", "title":
            "Who runs @vanparks? Ask u/eastvan_local", "selftext": "Mail sam.strath@example.org", "is_self": True,
            "permalink": "/r/vancouver/comments/d9k2p1/who_runs/", "url": "https://www.reddit.com/r/vancouver/comments/d9k2p1/",
            "created_utc": 1569888000.0, "num_comments": 4}  # fmt: skip
    third = _comment("f1b0003", "third_party", f"u/Strathcona_Sam is right, see https://twitter.com/vanparks_fan/status/123 "
                     f"and {V6}", "t1_f1b0002", 2)  # fmt: skip
    second = _comment("f1b0002", "eastvan_local", f"@strathcona_sam don't post my IP. Call the office on {PHONE} instead. "
                      "My profile: https://www.reddit.com/user/eastvan_local/", "t1_f1b0001", 1, [third])  # fmt: skip
    first = _comment("f1b0001", "strathcona_sam", f"Email me at {SAM_MAIL} or ping u/eastvan_local, he posted from {SAM_IP} lol",
                     "t3_d9k2p1", 0, [second])  # fmt: skip
    fourth = _comment("f1b0004", "quiet_one", KEPT, "t3_d9k2p1", 0)
    listing = lambda kind, items: {"kind": "Listing", "data": {"children": [{"kind": kind, "data": i} for i in items]}}  # noqa: E731
    return [listing("t3", [post]), listing("t1", [first, fourth])]


def _post(pid, message, parent=None, author="Gulf Islander"):
    parent_tag = f'<parent dsq:id="{parent}" />' if parent else ""
    return f"""<post dsq:id="{pid}"><id /><message><![CDATA[{message}]]></message>
    <createdAt>2019-06-03T15:{pid[-2:]}:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><email>x@example.com</email><name>{author}</name><isAnonymous>false</isAnonymous><username>u1</username></author>
    <ipAddress>192.0.2.1</ipAddress><thread dsq:id="77" />{parent_tag}</post>"""


def disqus_export() -> str:
    posts = [
        _post("4401", f"<p>Write to {FARES_MAIL} or call {FARES_PHONE}.</p>"),
        _post(
            "4402",
            f"<blockquote>Write to {FARES_MAIL}</blockquote><p>@gulfislander they never answer. My IP is {GULF_IP}, sue me.</p>",
            parent="4401",
            author="Dave R",
        ),  # fmt: skip
        _post(
            "4403",
            f"<p>See facebook.com/dave.r.ferries and <a href='mailto:{DAVE_MAIL}'>mail</a> mailto:{DAVE_MAIL}</p>",
            parent="4402",
        ),  # fmt: skip
    ]
    return f"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="77"><id>fares</id><forum>ht</forum><link>https://harbourtimes.example/news/fares</link>
    <title>Ferry fares: @bcferries_rep answers</title><message><![CDATA[<p>Ask @bcferries_rep</p>]]></message>
    <createdAt>2019-06-03T14:05:11Z</createdAt><author><name>HT</name><isAnonymous>false</isAnonymous></author>
  </thread>
  {"".join(posts)}
</disqus>
"""


def import_both(engine, tmp_path) -> dict[str, dict]:
    reddit = tmp_path / "thread.json"
    reddit.write_text(json.dumps(reddit_thread()), encoding="utf-8")
    disqus = tmp_path / "disqus.xml"
    disqus.write_text(disqus_export(), encoding="utf-8")
    import_paths(engine, [reddit, disqus])
    return {r["external_id"]: r for r in iter_records(engine, scrub=False)}


def label(engine, stored: dict[str, dict]) -> None:
    """A rationale span on the words after the e-mail and IP addresses of the first Reddit comment."""
    text = stored["f1b0001"]["text"]
    start = text.index("lol")
    submit(engine, stored["f1b0001"]["comment_id"], ensure_annotator(engine, "ana"), {"toxicity": 1, "dehumanization": "none"},
           spans=[{"start": start, "end": start + 3}])  # fmt: skip
    submit(engine, stored["4402"]["comment_id"], ensure_annotator(engine, "ana"), {"toxicity": 2, "dehumanization": "none"})


def read(path, fmt) -> tuple[str, list[dict]]:
    """The file's whole text (Parquet: its rows as JSON) and its records."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        return json.dumps(rows, default=str, ensure_ascii=False), rows
    text = path.read_text(encoding="utf-8")
    if fmt == "jsonl":
        return text, [json.loads(line) for line in text.splitlines()]
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["comment_id"], r["parent_id"] = int(r["comment_id"]), int(r["parent_id"]) if r["parent_id"] else None
        for nested in ("annotations", "quotes", "spans"):
            if nested in r:
                r[nested] = json.loads(r[nested])
    return text, rows


def leaked(text: str) -> list[str]:
    folded = text.casefold()
    return [p for p in PERSONAL if p.casefold() in folded]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@ONE_BACKEND
def test_exports_hold_no_personal_data_and_consistent_placeholders(engine, tmp_path, fmt):
    stored = import_both(engine, tmp_path)
    assert len(leaked(json.dumps(list(stored.values()), ensure_ascii=False))) == len(PERSONAL)  # all there before
    label(engine, stored)
    counts = ScrubCounts()
    path = tmp_path / f"data.{fmt}"
    assert export_file(engine, path, fmt, scrubbed=counts) == 7
    text, rows = read(path, fmt)
    assert leaked(text) == []
    by = {r["external_id"]: r for r in rows}
    ids = {r["comment_id"]: r for r in rows}

    # Reddit: the title first, then the comments in thread order; the same name is the same [USER_n]
    assert by["f1b0001"]["thread_title"] == "Who runs [USER_1]? Ask [USER_2]"
    assert by["f1b0001"]["text"] == "Email me at [EMAIL] or ping [USER_2], he posted from [IP] lol"
    assert by["f1b0002"]["text"] == "[USER_3] don't post my IP. Call the office on [PHONE] instead. My profile: [URL]"
    assert by["f1b0003"]["text"] == "[USER_3] is right, see [URL] and [IP]"
    assert by["f1b0004"]["text"] == KEPT  # versions, years, prices and ordinary links stay
    # Disqus: its own numbering; the quoted address is the same placeholder in the quote and its source
    assert by["4401"]["thread_title"] == "Ferry fares: [USER_1] answers"
    assert by["4401"]["text"] == "Write to [EMAIL] or call [PHONE]."
    assert by["4402"]["text"] == "Write to [EMAIL]\n\n[USER_2] they never answer. My IP is [IP], sue me."
    assert by["4403"]["text"] == "See [URL] and mail [EMAIL]"
    for r in rows:
        parent = ids.get(r["parent_id"])
        assert (parent and parent["text"]) == (r["parent_text"] or None)  # parent texts scrubbed as their comment

    # offsets move with the texts: the rationale span still covers "lol", the quote its source's words
    [span] = by["f1b0001"]["annotations"][0]["spans"]
    assert by["f1b0001"]["text"][span["start"] : span["end"]] == "lol"
    [quote] = by["4402"]["quotes"]
    source = ids[quote["comment_id"]]["text"]
    assert by["4402"]["text"][quote["start"] : quote["end"]] == source[quote["source_start"] : quote["source_end"]]
    assert "[EMAIL]" in by["4402"]["text"][quote["start"] : quote["end"]]

    assert dict(counts.found) == {"email": 4, "ip": 3, "phone": 2, "url": 3, "user": 7}
    assert counts.users == 5 and counts.texts == 8  # 6 of the 7 comments and the 2 titles


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@ONE_BACKEND
def test_annotation_level_numbers_as_the_comment_level_and_counts_what_it_writes(engine, tmp_path, fmt):
    stored = import_both(engine, tmp_path)
    label(engine, stored)
    counts = ScrubCounts()
    path = tmp_path / f"data.{fmt}"
    assert export_file(engine, path, fmt, level="annotation", scrubbed=counts) == 2
    text, rows = read(path, fmt)
    assert leaked(text) == []
    by = {r["external_id"]: r for r in rows}
    assert by["4402"]["text"] == "Write to [EMAIL]\n\n[USER_2] they never answer. My IP is [IP], sue me."
    assert by["4402"]["parent_text"] == "Write to [EMAIL] or call [PHONE]."
    [span] = by["f1b0001"]["spans"]
    assert by["f1b0001"]["text"][span["start"] : span["end"]] == "lol"
    # the two comments, the Disqus one's parent, and the two titles
    assert dict(counts.found) == {"email": 3, "ip": 2, "phone": 1, "user": 5} and counts.texts == 5


@ONE_BACKEND
def test_no_scrub_keeps_the_texts(engine, tmp_path):
    stored = import_both(engine, tmp_path)
    counts = ScrubCounts()
    export_file(engine, tmp_path / "data.jsonl", "jsonl", scrub=False, scrubbed=counts)
    text = (tmp_path / "data.jsonl").read_text(encoding="utf-8")
    assert set(leaked(text)) == set(PERSONAL)
    assert [json.loads(line)["text"] for line in text.splitlines()] == [r["text"] for r in stored.values()]
    assert not counts.scrubbed and not counts.found


@ONE_BACKEND
def test_the_perspectivist_export_scrubs_its_texts(engine, tmp_path):
    stored = import_both(engine, tmp_path)
    label(engine, stored)
    export_perspectivist(engine, tmp_path / "out")
    texts = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.json"))
    assert leaked(texts) == [] and "[EMAIL]" in texts and "[USER_2]" in texts
    export_perspectivist(engine, tmp_path / "kept", scrub=False)
    assert SAM_MAIL in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "kept").glob("*.json"))


def test_cli_scrubs_by_default_and_the_card_says_what(tmp_path):
    db = tmp_path / "p.sqlite"
    engine = open_database(str(db))
    import_both(engine, tmp_path)
    engine.dispose()
    folder = tmp_path / "release"
    assert main(["--db", str(db), "export", "--format", "jsonl", "--out", str(folder / "data.jsonl"), "--card"]) == 0
    assert leaked((folder / "data.jsonl").read_text(encoding="utf-8")) == []
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "## Personal data" in card and "| e-mail addresses | `[EMAIL]` | 4 |" in card
    assert "| phone numbers | `[PHONE]` | 2 |" in card and "| 7 (5 names, counted per thread) |" in card
    assert "project_secrets" in card and "reviewers and admins" in card

    kept = tmp_path / "kept"
    assert main(["--db", str(db), "export", "--format", "csv", "--no-scrub", "--out", str(kept / "data.csv"), "--card"]) == 0
    assert SAM_MAIL in (kept / "data.csv").read_text(encoding="utf-8")
    card = (kept / "README.md").read_text(encoding="utf-8")
    assert "**as written** (`--no-scrub`)" in card and "`[EMAIL]`" not in card
