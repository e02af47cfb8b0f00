"""ConvoKit corpora: a corpus folder (``moderator import DIR``) or its ``utterances.jsonl``.

Every utterance line has ``id``, ``speaker``, ``conversation_id``, ``reply_to``, ``timestamp``, ``text``
and ``meta`` (corpora from ConvoKit before 2.0 say ``user``, ``root`` and ``reply-to``). Each
conversation becomes one thread, every utterance one comment (the root too: in most corpora it is a
comment like the others), replies kept; ``conversations.json`` beside the file, when present, gives
each thread its title and metadata.

A conversation's utterances may be scattered through the file, so every line is checked and staged on
disk by conversation (``Spill``), then the threads are built and yielded one at a time, in order of
each one's first line: memory holds one conversation, not the corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.linking.quote_links import link_quotes, markdown_quotes
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import first_object, json_objects, kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText, decode
from moderator.core.importing.sources.spill import Spill
from moderator.core.progress import Progress, Stepped

NAME = "convokit"
EXTENSIONS: tuple[str, ...] = ()  # utterances.jsonl shares .jsonl with the jsonl format: found by content
STREAMS = True  # threads are yielded one by one, and ``progress`` covers the whole import (see writer)
READ_SHARE = 0.25  # reading and staging the utterances: the rest is building (and writing) the threads

# (current key, pre-2.0 key)
_SPEAKER = ("speaker", "user")
_CONVERSATION = ("conversation_id", "root")
_REPLY_TO = ("reply_to", "reply-to")
_GONE = ("[deleted]", "[removed]")


def _get(obj: dict[str, Any], keys: tuple[str, str]) -> Any:
    return obj[keys[0]] if keys[0] in obj else obj.get(keys[1])


def _looks_like_utterance(obj: Any) -> bool:
    return (
        type(obj) is dict
        and "text" in obj
        and "id" in obj
        and any(k in obj for k in _CONVERSATION)
        and any(k in obj for k in _SPEAKER)
        and any(k in obj for k in _REPLY_TO)
    )


def sniff(source: SourceText) -> float:
    if source.compressed:
        return 0.0
    return 0.98 if _looks_like_utterance(first_object(source.text)) else 0.0


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    name = source.name
    conversations = _conversations(name)
    reading = (lambda f: progress(READ_SHARE * f)) if progress is not None else None
    with Spill() as spill:  # a conversation's utterances may be anywhere: they wait on disk, keyed by it
        with paused_gc():  # many small objects, none in a cycle
            for lineno, obj in json_objects(source, reading):
                conv, utterance = _utterance(name, lineno, obj)
                spill.add(conv, lineno, utterance)
        if not spill.count:
            raise ImportFailure(name, 1, "no utterances in the file")
        yield from _threads(name, spill, conversations, progress)
    if progress is not None:
        progress(1.0)


def _utterance(name: str, lineno: int, obj: Any) -> tuple[str, tuple]:
    """An utterance line, checked: its conversation and what its comment is made of (``marshal``-able:
    the timestamp stays as the line gives it, ``_when`` reads it again)."""
    if type(obj) is not dict:
        raise ImportFailure(name, lineno, f"expected a JSON object (an utterance), found {kind_of(obj)}")
    uid = _ident(name, lineno, obj, ("id", "id"), required=True)
    conv = _ident(name, lineno, obj, _CONVERSATION, required=True)
    parent = _ident(name, lineno, obj, _REPLY_TO, required=False)
    text = obj.get("text")
    if type(text) is not str:
        raise ImportFailure(name, lineno, 'missing "text"' if text is None else f'"text" must be a string, found {kind_of(text)}')
    speaker = _get(obj, _SPEAKER)
    if speaker is not None and type(speaker) is not str:
        speaker = _ident(name, lineno, obj, _SPEAKER, required=False)
    timestamp = obj.get("timestamp")
    _when(name, lineno, timestamp)  # a bad one is refused now, at its line
    return conv, (uid, parent, text, speaker, timestamp, obj.get("meta"))  # type: ignore[return-value]


def _threads(name: str, spill: Spill, conversations: dict[str, Any], progress: Progress | None) -> Iterator[ThreadDraft]:
    """Each conversation's draft, built from its staged utterances, in order of its first line."""
    done = 0
    report = Stepped(progress, spill.count, READ_SHARE, 1 - READ_SHARE)
    for conv, first, _skipped, items in spill.threads():
        with paused_gc():
            thread = PendingThread(_thread(conv, first, conversations.get(conv)))
            marked: dict[int, list[tuple[int, int]]] = {}
            for lineno, (uid, parent, text, speaker, timestamp, meta) in items:
                metadata: dict[str, Any] = {"meta": meta} if meta else {}
                if text.strip() in _GONE:  # Reddit-derived corpora keep these as the text
                    metadata[text.strip().strip("[]")] = True
                if speaker in _GONE:
                    speaker = None
                comment = CommentDraft(
                    text, speaker or None, uid, None, _when(name, lineno, timestamp), metadata=metadata, line=lineno
                )
                spans = markdown_quotes(text) if ">" in text else []
                if spans:
                    marked[len(thread.draft.comments)] = spans
                thread.add(name, lineno, comment, parent)
            link_replies(name, thread)
            _attach_orphans(thread, conv)
            link_quotes(thread.draft, marked)
        done += len(items)
        del items
        yield thread.draft
        report(done)


def _attach_orphans(thread: PendingThread, conv: str) -> None:
    """Replies to an utterance missing from the corpus hang from the conversation's root utterance."""
    root = thread.ids.get(conv)
    if root is None:
        return  # no root utterance either: orphans stay at top level
    for i, comment in enumerate(thread.draft.comments):
        if i != root and "missing_parent_id" in comment.metadata:
            comment.parent_index = root


def _thread(conv: str, lineno: int, info: Any) -> ThreadDraft:
    draft = ThreadDraft(source=NAME, external_id=conv, line=lineno)
    meta = info.get("meta") if type(info) is dict else None
    if type(meta) is dict:
        title = meta.get("title")
        if type(title) is str and title.strip():
            draft.title = title.strip()
        draft.metadata = {k: v for k, v in meta.items() if k != "title"}
    return draft


def _conversations(name: str) -> dict[str, Any]:
    """``conversations.json`` beside the utterances, or nothing; a broken one is refused by its line."""
    path = Path(name).with_name("conversations.json")
    if Path(name).name != "utterances.jsonl" or not path.is_file():
        return {}
    where = str(path)
    try:
        text = decode(where, path.read_bytes())
    except OSError as exc:
        raise ImportFailure(where, None, exc.strerror or str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ImportFailure(where, getattr(exc, "lineno", None), f"invalid JSON ({getattr(exc, 'msg', exc)})") from None
    except RecursionError:
        raise ImportFailure(where, None, "invalid JSON (nested too deeply)") from None
    if type(data) is not dict:
        raise ImportFailure(where, 1, f"expected an object keyed by conversation id, found {kind_of(data)}")
    return data


def _ident(name: str, lineno: int, obj: dict[str, Any], keys: tuple[str, str], required: bool) -> str | None:
    value = _get(obj, keys)
    if value is None:
        if required:
            raise ImportFailure(name, lineno, f'missing "{keys[0]}"')
        return None
    if type(value) is str or type(value) is int:
        return str(value)
    raise ImportFailure(name, lineno, f'"{keys[0]}" must be a string or an integer, found {kind_of(value)}')


def _when(name: str, lineno: int, value: Any) -> datetime | None:
    """Unix seconds (how ConvoKit stores time) or ISO 8601 text."""
    if value is None:
        return None
    try:
        if type(value) is int or type(value) is float:
            return datetime.fromtimestamp(value, UTC)
        if type(value) is str:
            if value.strip().lstrip("-").replace(".", "", 1).isdigit():
                return datetime.fromtimestamp(float(value), UTC)
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise ImportFailure(name, lineno, f'"timestamp" is not a unix time or an ISO 8601 date: {json.dumps(value)[:60]}')
