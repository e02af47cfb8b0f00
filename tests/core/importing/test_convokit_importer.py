"""ConvoKit corpora: a corpus folder or its utterances.jsonl, one thread per conversation, replies kept."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from helpers.import_checks import FIXTURES, cli_import, comments, quoted, refused, threads
from sqlalchemy import func, select

from moderator.core.importing.formats import ImportFailure, convokit, detect_format, parse, read_source
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, ImportBatch, Thread

CORPUS = FIXTURES / "convokit-corpus"


def test_a_corpus_folder_imports_with_titles_replies_quotes_and_orphans(engine, capsys):
    status, out, err = cli_import(engine, capsys, CORPUS)  # no --format: the folder is recognised
    assert status == 0, err
    assert "(convokit): 8 comments in 2 new threads" in out
    assert "1 reply whose parent is missing" in out
    found = threads(engine)
    assert list(found) == ["8f3kq1", "9a7mm2"]
    shelter, lanes = found.values()
    assert shelter.title == "Council votes to close the Elm Street shelter"  # from conversations.json
    assert lanes.title == "Bank Street bike lanes open Monday" and lanes.meta["subreddit"] == "ottawa"
    assert lanes.meta["orphans"] == 1

    c = comments(engine)
    assert {k: (v["thread"], v["parent"], v["depth"]) for k, v in c.items()} == {
        "8f3kq1": ("8f3kq1", None, 0),
        "dxz1a01": ("8f3kq1", "8f3kq1", 1),
        "dxz1b02": ("8f3kq1", "dxz1a01", 2),
        "dxz1c03": ("8f3kq1", "dxz1b02", 3),
        "9a7mm2": ("9a7mm2", None, 0),
        "e4b2x10": ("9a7mm2", "9a7mm2", 1),
        "e4b2y11": ("9a7mm2", "e4b2x10", 2),
        # its parent e4b2q99 is not in the corpus: kept, under the conversation's root
        "e4b2z12": ("9a7mm2", "9a7mm2", 1),
    }
    assert c["e4b2z12"]["meta"]["missing_parent_id"] == "e4b2q99"
    assert c["e4b2x10"]["meta"]["deleted"] is True and c["e4b2x10"]["author"] is None
    assert c["dxz1b02"]["author"] == "rentisdue" and c["dxz1b02"]["meta"]["meta"]["score"] == -12
    assert quoted(c, "dxz1b02") == [("Where are 300 people supposed to sleep in November?",) * 2]

    again = cli_import(engine, capsys, CORPUS / "utterances.jsonl")
    assert again[0] == 0 and "already imported" in again[1]


def test_legacy_keys_user_root_and_reply_to():
    (thread,) = parse(read_source(FIXTURES / "convokit-legacy" / "utterances.jsonl"))
    assert thread.source == "convokit" and thread.external_id == "152733" and thread.title is None
    assert [(c.external_id, c.author, c.parent_index) for c in thread.comments] == [
        ("152733", "Riley Kent", None), ("152734", "Mo P.", 0), ("152735", "Riley Kent", 1)]  # fmt: skip
    assert thread.comments[1].created_at == datetime(2009, 1, 31, 1, tzinfo=UTC)


def test_utterances_are_told_from_plain_jsonl_by_content(tmp_path):
    assert detect_format(read_source(CORPUS / "utterances.jsonl")) == "convokit"
    plain = tmp_path / "comments.jsonl"
    plain.write_text('{"thread_id": "a", "id": "1", "parent_id": null, "text": "hi"}\n')
    assert detect_format(read_source(plain)) == "jsonl"
    assert convokit.sniff(read_source(plain)) == 0.0


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def test_a_truncated_corpus_is_refused_and_changes_nothing(engine, capsys, corpus):
    utterances = corpus / "utterances.jsonl"
    data = utterances.read_bytes()
    utterances.write_bytes(data[: data.rindex(b'"text"')])
    refused(engine, capsys, utterances, 8, "cut off")


def test_wrong_encoding_names_the_line(engine, capsys, corpus):
    utterances = corpus / "utterances.jsonl"
    lines = utterances.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("They are people.", "Ils sont des \u00eatres humains.")
    utterances.write_bytes("".join(lines).encode("latin-1"))
    refused(engine, capsys, utterances, 4, "UTF-8")


def test_bad_conversations_json_is_named(engine, capsys, corpus):
    (corpus / "conversations.json").write_text('{\n  "8f3kq1": {"meta": {"title": "x"}\n')
    before = cli_import(engine, capsys, corpus)
    assert before[0] == 1 and before[2].startswith(f"{corpus / 'conversations.json'}:3: invalid JSON")


def test_utterance_errors():
    def fails(lines, line, *words):
        src = _source(lines)
        with pytest.raises(ImportFailure) as info:
            list(convokit.parse(src))
        assert info.value.line == line and all(w in str(info.value) for w in words), str(info.value)

    row = {"id": "u1", "speaker": "a", "conversation_id": "u1", "reply_to": None, "timestamp": 1, "text": "hi"}
    fails([row, {**row, "id": "u2", "conversation_id": None}], 2, 'missing "conversation_id"')
    fails([row, {**row, "id": "u2", "text": 5}], 2, '"text" must be a string')
    fails([row, {**row, "id": "u2", "reply_to": "u3"}, {**row, "id": "u3", "reply_to": "u2"}], 2, "reply cycle")
    fails([row, {**row, "id": "u2", "timestamp": "yesterday"}], 2, "timestamp")
    fails([row, row], 2, "duplicate comment id 'u1'")


def _source(lines):
    from moderator.core.importing.formats import text_source

    return text_source("utterances.jsonl", "".join(json.dumps(r) + "\n" for r in lines))


def test_scattered_conversations_make_the_same_threads_in_order_of_first_line():
    """Utterances wait on disk by conversation: each thread comes whole, its replies linked wherever they are."""
    row = {"speaker": "a", "reply_to": None, "timestamp": 1, "text": "hi"}
    lines = [
        {**row, "id": "b2", "conversation_id": "b", "reply_to": "b"},  # a reply before its root
        {**row, "id": "a", "conversation_id": "a", "text": "> quoted\n\nroot a"},
        {**row, "id": "b", "conversation_id": "b", "speaker": "[deleted]"},
        {**row, "id": "a2", "conversation_id": "a", "reply_to": "gone", "meta": {"score": 2}},
    ]
    b, a = convokit.parse(_source(lines))
    assert (b.external_id, b.line, [(c.external_id, c.parent_index, c.author) for c in b.comments]) == (
        "b", 1, [("b2", 1, "a"), ("b", None, None)])  # fmt: skip
    assert (a.external_id, a.line, [c.line for c in a.comments]) == ("a", 2, [2, 4])
    assert a.comments[1].parent_index == 0 and a.comments[1].metadata == {"meta": {"score": 2}, "missing_parent_id": "gone"}
    assert a.comments[0].metadata == {"unlinked_quotes": [[2, 8]]}  # a quote of nothing in the thread


def test_a_bad_utterance_after_complete_conversations_writes_nothing(engine, tmp_path):
    """Conversations u0 and u1 are written before u2 is built and refused; the import's transaction undoes them."""
    row = {"speaker": "a", "reply_to": None, "timestamp": 1, "text": "hi"}
    path = tmp_path / "utterances.jsonl"
    lines = [json.dumps({**row, "id": f"u{i}", "conversation_id": f"u{i}"}) for i in range(3)]
    path.write_text("\n".join([*lines, json.dumps({**row, "id": "x", "conversation_id": "u2", "reply_to": "x"})]) + "\n")
    with pytest.raises(ImportFailure, match=r"utterances\.jsonl:4: comment 'x' is its own parent"):
        import_paths(engine, [path])
    with engine.connect() as conn:
        assert [conn.scalar(select(func.count()).select_from(t)) for t in (ImportBatch, Thread, Comment)] == [0, 0, 0]
