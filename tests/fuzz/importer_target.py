"""What every importer must do with hostile input, shared by the atheris harness and the pytest fuzzers.

Written against the importer protocol only (``importers.FORMATS``, ``read_source``, ``parse``,
``import_paths``), so an importer added to ``FORMATS`` is fuzzed without touching this file.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, MetaData, select

from moderator.core.importing.formats import FORMATS, ImportFailure, importer, parse, read_source

# ``path:line: reason`` (the line may be absent for whole-file problems such as the size bound).
_MESSAGE = re.compile(r"^(?P<path>.+?)(?::(?P<line>[1-9][0-9]*))?: (?P<reason>\S.*)$", re.DOTALL)

# Seeds: small valid-looking inputs of every shape the importers read, mutated by the fuzzers.
SEEDS: dict[str, bytes] = {
    "paste": (
        b"Nov 3, 2026\n\nCity council votes on the bridge\n\nPhoto: A. Person\n\n"
        b"The council met on Tuesday to vote on the new bridge.\n\n"
        b"ReaderOne\n\nThis is a waste of money.\n\n"
        b"ReaderTwo\n\nThe council met on Tuesday\n\nAnd nobody asked us.\n\n\nAn anonymous remark.\n"
    ),
    "jsonl_threads": (
        b'{"id": "t1", "title": "Bridge", "url": "http://x", "article": "Text", "comments": ['
        b'{"id": "c1", "author": "ann", "text": "first"}, {"id": "c2", "parent_id": "c1", "text": "reply", '
        b'"created_at": "2026-01-01T10:00:00+00:00"}]}\n'
    ),
    "jsonl_comments": (
        b'{"thread_id": "t1", "id": "1", "text": "hello", "author": "a", "title": "T", "extra": [1, 2]}\n'
        b'{"thread_id": "t1", "id": "2", "parent_id": "1", "text": "reply", "created_at": 1700000000}\n'
        b'{"thread_id": 7, "id": 3, "text": "other thread"}\n'
    ),
    "csv": b'thread_id,id,parent_id,author,text,created_at,score\nt1,1,,ann,hello,2026-01-01,3\nt1,2,1,bob,"a, reply",1700000000,1\n',
    "tsv": b"title\tcomment\tuser\nBridge\tfirst comment\tann\nBridge\tsecond\tbob\n",
    "lewidi": (
        b'{"1": {"text": "some text", "annotation task": "hate speech detection", "number of annotations": 2,\n'
        b'  "annotations": "0,1", "annotators": "Ann1,Ann2", "lang": "en", "hard_label": "0",\n'
        b'  "soft_label": {"0": 0.5, "1": 0.5}, "split": "dev",\n'
        b'  "other_info": {"other annotations": {"offensive": "0,No"}}}}\n'
    ),
    "convabuse": (
        b'{"5": {"text": "{\\"prev_agent\\": \\"hi\\", \\"prev_user\\": \\"_\\", \\"agent\\": \\"how?\\", \\"user\\": \\"bad\\"}",'
        b' "annotation task": "abusivness detection", "annotations": "1,-2", "annotators": "Ann1,Ann2"}}\n'
    ),
    "json_array": b'[{"id": "c1", "text": "hi", "author": "x", "replies": [{"id": "c2", "text": "yo"}]}]\n',
    "convokit": (
        b'{"id": "u1", "speaker": "s1", "conversation_id": "u1", "reply_to": null, "timestamp": 1, "text": "hi", "meta": {}}\n'
        b'{"id": "u2", "speaker": "s2", "conversation_id": "u1", "reply_to": "u1", "timestamp": 2, "text": "yo", "meta": {}}\n'
    ),
    "reddit": (
        b'{"id": "abc", "link_id": "t3_x", "parent_id": "t3_x", "author": "u", "body": "hi", "created_utc": 1600000000, '
        b'"subreddit": "news"}\n{"id": "abd", "link_id": "t3_x", "parent_id": "t1_abc", "author": "[deleted]", '
        b'"body": "[removed]", "created_utc": "1600000001"}\n'
    ),
    "disqus": (
        b'<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com">\n'
        b'<thread dsq:id="1" xmlns:dsq="http://disqus.com/disqus-internals"><link>http://x</link><title>T</title></thread>\n'
        b'<post dsq:id="2" xmlns:dsq="http://disqus.com/disqus-internals"><message><![CDATA[<p>hi</p>]]></message>'
        b'<author><name>A</name></author><thread dsq:id="1"/></post>\n</disqus>\n'
    ),
}

# Inputs that have broken parsers elsewhere: each must be refused (or read) cleanly.
ADVERSARIAL: dict[str, bytes] = {
    "deep_array": b"[" * 100_000,
    "deep_object_line": b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"\n",
    "deep_comments": b'{"id": "t", "comments": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
    "billion_laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
        + b"]>\n<disqus><post><message>&lol9;</message></post></disqus>\n"
    ),
    "external_entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<disqus><post><message>&x;</message></post></disqus>\n'
    ),
    "nul_bytes": b'{"thread_id": "t", "text": "a\x00b"}\n',
    "nul_escape": b'{"thread_id": "t", "id": "1", "text": "a\\u0000b"}\n',
    "lone_surrogate": b'{"thread_id": "t", "id": "1", "text": "a\\ud800b", "author": "\\udfff"}\n',
    "nan_metadata": b'{"thread_id": "t", "id": "1", "text": "a", "score": NaN, "x": -Infinity}\n',
    "lewidi_escapes": (
        b'{"1": {"text": "a\\ud800", "annotation task": "hate speech detection", "annotations": "0", "annotators": "Ann1",'
        b' "soft_label": {"0": 1.0}}}\n'
    ),
    "lewidi_nan": b'{"1": {"text": "a", "annotation task": "x", "annotations": "0", "annotators": "A", "soft_label": Infinity}}\n',
    "convabuse_inner_nul": (
        b'{"5": {"text": "{\\"agent\\": \\"hi\\\\u0000\\", \\"user\\": \\"bad\\\\udc00\\"}",'
        b' "annotation task": "abusivness detection", "annotations": "1", "annotators": "Ann1"}}\n'
    ),
    "huge_int": b'{"thread_id": "t", "id": "1", "text": "a", "n": 1' + b"0" * 5000 + b"}\n",
    "latin1": "auteur: Zoë\n\ncafé crème déjà vu\n".encode("latin-1"),
    "utf16_no_bom": "text,author\nhello,ann\n".encode("utf-16-le"),
    "truncated_utf8": "comment,author\nna\u00ef".encode()[:-1],
    "truncated_json": b'{"thread_id": "t", "id": "1", "text": "cut off he',
    "csv_injection": b'text,author\n"=cmd|\' /C calc\'!A0",=HYPERLINK("http://x")\n+1+1,@SUM(A1)\n',
    "csv_open_quote": b'text,author\n"never closed,ann\nmore,bob\n',
    "csv_mixed_newlines": b"text,author\r\nfirst,ann\rsecond,bob\n",
    "only_bom": b"\xef\xbb\xbf",
    "bom_then_nul": b"\xff\xfe\x00\x00",
    "controls": b"text\n\x1b[31mred\x07\n",
    "long_author_line": b"A" * 5000 + b"\n\n" + b"x " * 5000 + b"\n",
    "rtl_override": "Title \u202e\n\nauthor\u202e\n\ntext \u202egnp.exe\n".encode(),
}


def extension(fmt: str) -> str:
    """A file name suffix the format claims, so ``auto`` and name-based guesses see what a user would give."""
    extensions = getattr(importer(fmt), "EXTENSIONS", ())
    return extensions[0] if extensions else ".txt"


def check_failure(exc: ImportFailure, path: Path) -> None:
    """An ImportFailure must read ``path:line: reason`` with a real reason, for the user, not a traceback."""
    message = str(exc)
    match = _MESSAGE.match(message)
    assert match and match["path"] == str(path), f"not 'path:line: reason': {message[:300]!r}"
    assert exc.line is None or exc.line >= 1, message[:300]
    reason = match["reason"].strip()
    assert len(reason) >= 8 and "Traceback" not in reason, f"no clear reason: {message[:300]!r}"


def check_storable(drafts: list) -> None:
    """What an importer yields must fit both databases: UTF-8 text without NUL, JSON without NaN.

    (SQLite takes a NUL or NaN that PostgreSQL refuses mid-import, so the SQLite-only fuzzers would miss it.)
    """
    stack: list = list(drafts)
    while stack:
        item = stack.pop()
        if dataclasses.is_dataclass(item):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, str):
            assert "\x00" not in item, f"NUL in {item[:80]!r}"
            item.encode("utf-8")  # an unpaired surrogate raises here
        elif isinstance(item, dict):
            json.dumps(item, allow_nan=False)  # NaN/Infinity raise here
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        else:  # a datetime is any year both databases store; other values must be JSON scalars
            assert item is None or isinstance(item, (int, float, bool, datetime)), f"unexpected {type(item).__name__}"


def parse_file(path: Path, fmt: str) -> list | None:
    """Drafts of the file in ``fmt`` (or ``auto``), None when refused; anything but ImportFailure escapes."""
    try:
        drafts = list(parse(read_source(path), fmt))
    except ImportFailure as exc:
        check_failure(exc, path)
        return None
    check_storable(drafts)
    return drafts


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused import changed nothing."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(select(table))), key=repr) for name, table in metadata.tables.items()}


def formats() -> tuple[str, ...]:
    return ("auto", *FORMATS)
