"""ConvAbuse's items: ``text`` holds the JSON of a conversation, which becomes a thread of replies."""

from __future__ import annotations

import json
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.formats.lewidi.lines import Lines
from moderator.core.importing.sources.json_lines import kind_of
from moderator.core.importing.sources.strict_json import DECODER, unstorable

TURNS = (("prev_agent", "agent"), ("prev_user", "user"), ("agent", "agent"), ("user", "user"))
EMPTY_TURNS = frozenset({"", "_"})


def is_conversation(text: Any) -> bool:
    if type(text) is not str or not text.lstrip().startswith("{"):
        return False
    try:
        turns = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return type(turns) is dict and "user" in turns


def conversation(
    lines: Lines, source: str, dataset: str, file_split: str | None, key: str, item: dict[str, Any], labelled: CommentDraft
) -> ThreadDraft:
    """The thread of one item: its context turns as a chain of replies ending in ``labelled``, the user turn."""
    where = f"item {key!r}: "
    try:
        turns = DECODER.decode(item["text"])
    except (ValueError, RecursionError):
        raise lines.fail(
            f'{where}"text" is not the JSON of a conversation (prev_agent, prev_user, agent, user)', "text"
        ) from None
    why = unstorable(turns)  # escapes inside the inner JSON were not seen by the file's check
    if why is not None:
        raise lines.fail(f"{where}{why}", "text")
    if type(turns) is not dict or "user" not in turns:
        raise lines.fail(f'{where}"text" must hold a JSON object with the turns prev_agent, prev_user, agent and user', "text")
    split = item.get("split") if type(item.get("split")) is str else file_split
    thread = ThreadDraft(
        source=source,
        title=f"{dataset} ({split}) item {key}" if split else f"{dataset} item {key}",
        external_id=f"{dataset}/{split}/{key}" if split else f"{dataset}/{key}",
        line=lines.item_line,
        metadata={"dataset": dataset, "split": split, "item": key},
    )
    info = item.get("other_info")
    if type(info) is dict and "bot" in info:
        thread.metadata["bot"] = info["bot"]
    for turn, author in TURNS:
        text = turns.get(turn)
        if text is None and turn != "user":
            continue
        if type(text) is not str:
            raise lines.fail(f'{where}the "{turn}" turn must be a string, found {kind_of(text)}', "text")
        parent = len(thread.comments) - 1 if thread.comments else None
        if turn == "user":
            if text.strip() in EMPTY_TURNS:
                raise lines.fail(f'{where}the "user" turn, the one the annotators labelled, is empty', "text")
            labelled.text = text
            labelled.author = author
            labelled.parent_index = parent
            labelled.metadata["turn"] = turn
            thread.comments.append(labelled)
        elif text.strip() not in EMPTY_TURNS:
            thread.comments.append(
                CommentDraft(text, author, f"{key}/{turn}", parent, metadata={"turn": turn}, line=lines.item_line)
            )
    return thread
