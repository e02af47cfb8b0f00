"""Reading a ratings table (``formats.ratings``): items, their ratings and their annotators' profiles.

Pass 1 (``ratings_columns.survey`` and ``judge``) decides what every column is; pass 2 reads the rows
again and builds one comment per item, one prior label per rating and one profile per annotator,
reporting each quirk through ``ImportOptions.quirk``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import label_types as types
from moderator.core.importing.formats.ratings_columns import Columns, Label, judge, survey
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.tables import RowTable, parse_time
from moderator.core.progress import Progress

NAME = "ratings"
_MISSING = object()


class RatingsReader:
    """One table's reading: ``read`` returns its threads, or raises ImportFailure naming a line."""

    def __init__(self, table: RowTable, columns: Columns, options: ImportOptions):
        self.table = table
        self.name = table.source.name
        self.stem = PurePath(self.name).stem or "ratings"
        self.options = options
        self.columns = columns
        self.roles = roles = columns.roles
        self.attributes = columns.attributes
        if "annotator" not in roles or "text" not in roles:
            missing = "annotator" if "annotator" not in roles else "text"
            shown = ", ".join(repr(c) for c in table.header[:80])
            raise ImportFailure(
                self.name,
                table.header_line,
                f"no {missing} column (name it with --map {missing}=COLUMN); the header has: {shown}",
            )
        self.keys = _unique_keys(table.header)
        used = set(roles.values()) | set(self.attributes)
        self.others = [i for i in range(len(table.header)) if i not in used]
        self.norm = types.normalizer()
        self.metadata: list[int] = []
        self.answers: list[tuple[int, str, str, dict[Any, Any]]] = []  # (column, question, kind, answer by raw cell)
        self.threads: dict[str, PendingThread] = {}
        self.items: dict[str, CommentDraft] = {}
        self.rated: dict[tuple[str, str], tuple[int, int]] = {}  # (item, annotator) → (index in prior_labels, line)
        self.profiles: dict[str, tuple[dict[str, Any], int, tuple]] = {}  # name → (attributes, line, raw cells)
        self.contexts: dict[tuple[str, str], int] = {}  # (thread, parent text) → comment index
        self.warned: set[tuple[str, str]] = set()  # (kind, item or annotator) warned about once
        self.blank = 0  # ratings that answer no label column

    def read(self, progress: Progress | None) -> list[ThreadDraft]:
        first = (lambda f: progress(0.5 * f)) if progress is not None else None
        second = (lambda f: progress(0.5 + 0.5 * f)) if progress is not None else None
        stats = survey(self.table, self.columns, self.others, first)
        labels, self.metadata = judge(self.table, self.columns.labels, stats, self.stem, self.options.notes)
        self.answers = [(i, q["id"], kind, {}) for i, kind, q in labels]
        item_at, text_at, annotator_at = self.roles.get("item"), self.roles["text"], self.roles["annotator"]
        for where, row in self.table.rows(second):
            key = types.ident(row[item_at if item_at is not None else text_at])
            annotator = types.ident(row[annotator_at])
            if key is None or annotator is None:
                missing = "annotator id" if key else "item id" if item_at is not None else "text"
                self.options.quirk(self.name, where, f"no {missing}: this rating is left out")
                continue
            comment = self._item(where, key, row)
            if comment is None:
                continue
            person = f"{self.stem}/{annotator}"
            self._profile(where, person, row)
            values = self._answers(where, row)
            if values:
                self._rate(where, key, annotator, comment, PriorLabel(person, values))
            else:
                self.blank += 1
        return self._finish(labels)

    def _item(self, where: int, key: str, row: list[Any]) -> CommentDraft | None:
        """The item's comment, made from its first row with text; its metadata filled from every row."""
        quirk = self.options.quirk
        text = self._text(where, row[self.roles["text"]])
        comment = self.items.get(key)
        if comment is None:
            if not text.strip():
                if ("empty", key) not in self.warned:
                    self.warned.add(("empty", key))
                    quirk(self.name, where, f"item {_shown(key)} has no text in this row: the rating is left out")
                return None
            thread_at = self.roles.get("thread")
            group = (types.ident(row[thread_at]) or "") if thread_at is not None else ""
            comment = self.items[key] = self._comment(where, key, text, row, group)
        elif text.strip() and text.strip() != comment.text.strip() and ("text", key) not in self.warned:
            self.warned.add(("text", key))
            quirk(self.name, where, f"item {_shown(key)} has a different text than on line {comment.line}; the first is kept")
        for i in self.metadata:
            if self.keys[i] not in comment.metadata and self.norm(row[i]) is not None:
                comment.metadata[self.keys[i]] = self._stored(where, row[i])
        return comment

    def _rate(self, where: int, key: str, annotator: str, comment: CommentDraft, label: PriorLabel) -> None:
        """Add a rating; a second one by the same annotator is counted once (identical) or replaces the first."""
        before = self.rated.get((key, annotator))
        if before is None:
            self.rated[(key, annotator)] = (len(comment.prior_labels), where)
            comment.prior_labels.append(label)
            return
        at, line = before
        said = f"item {_shown(key)}: annotator {annotator!r}"
        if comment.prior_labels[at].values == label.values:
            self.options.quirk(self.name, where, f"{said} gave the same rating on line {line}; counted once")
            return
        self.options.quirk(self.name, where, f"{said} rated it differently on line {line}; the later rating is kept")
        comment.prior_labels[at] = label
        self.rated[(key, annotator)] = (at, where)

    def _finish(self, labels: list[Label]) -> list[ThreadDraft]:
        notes = self.options.notes
        if not self.items:
            raise ImportFailure(self.name, self.table.header_line, "no ratings: no rated item has a text")
        if self.blank:
            notes.warnings.append(f"{self.name}: {self.blank} rating rows answer no label column; left out")
        notes.items = len(self.items)
        schema = {
            "name": f"ratings-{self.stem}",
            "version": 1,
            # Named by the stem, not the file: the same table as CSV or Parquet gives the same schema.
            "description": f'Per-annotator ratings of "{self.stem}", one annotation per rating',
            "guidelines": (
                f'Prior labels imported from a ratings table "{self.stem}": one annotation per rating, by the '
                f'pseudo-annotator "{self.stem}/<annotator id>".'
            ),
            "questions": [q for _, _, q in labels],
        }
        drafts = []
        for thread in self.threads.values():
            link_replies(self.name, thread)
            draft = thread.draft
            draft.prior_schema = schema
            people = sorted({p.annotator for c in draft.comments for p in c.prior_labels})
            draft.annotator_profiles = {p: self.profiles[p][0] for p in people if p in self.profiles and self.profiles[p][0]}
            draft.profile_consent = f"imported:{self.stem}"[:64]
            draft.metadata["ratings"] = sum(len(c.prior_labels) for c in draft.comments)
            draft.metadata["annotators"] = len(people)
            drafts.append(draft)
        return drafts

    # ---- pieces ------------------------------------------------------------------------------------

    def _comment(self, where: int, key: str, text: str, row: list[Any], group: str) -> CommentDraft:
        """A new item's comment in its thread; a ``parent_text`` becomes an unrated comment it replies to."""
        roles = self.roles
        thread = self.threads.get(group)
        if thread is None:
            title = f"{self.stem}: {group}" if group else self.stem
            draft = ThreadDraft(NAME, title=title, external_id=group or None, line=where, metadata={"dataset": self.stem})
            thread = self.threads[group] = PendingThread(draft)
        author = types.ident(row[roles["author"]]) if "author" in roles else None
        created = _when(self.name, where, row[roles["created_at"]]) if "created_at" in roles else None
        external_id = key if "item" in roles else None  # without an item column, the text is the key
        comment = CommentDraft(text, author=author, external_id=external_id, created_at=created, line=where)
        parent = types.ident(row[roles["parent"]]) if "parent" in roles else None
        context = self._text(where, row[roles["parent_text"]]) if "parent_text" in roles else ""
        if parent is None and context.strip():
            at = self.contexts.get((group, context))
            if at is None:
                at = self.contexts[(group, context)] = len(thread.draft.comments)
                replied = CommentDraft(context, line=where, metadata={"context": "the text the rated item replies to"})
                thread.add(self.name, where, replied, None)
            comment.parent_index = at
        thread.add(self.name, where, comment, parent)
        return comment

    def _answers(self, where: int, row: list[Any]) -> dict[str, Any]:
        """The rating's answer to each label question it answers (each distinct raw cell converted once)."""
        values = {}
        for i, qid, kind, cache in self.answers:
            cell = row[i]
            try:
                answer = cache.get(cell, _MISSING)
            except TypeError:  # a list or an object from JSON or Parquet
                answer = _MISSING
            if answer is _MISSING:
                value = self.norm(cell)
                answer = None if value is None else self._stored(where, types.label_value(kind, cell, value))
                if len(cache) < 4096 and type(cell) not in (list, dict):
                    cache[cell] = answer
            if answer is not None:
                values[qid] = answer
        return values

    def _profile(self, where: int, person: str, row: list[Any]) -> None:
        """The annotator's attributes from their first row; other values later are a quirk (warned once)."""
        if not self.attributes:
            return
        raw = tuple(row[i] for i in self.attributes)
        first = self.profiles.get(person)
        if first is None:
            self.profiles[person] = (self._attributes(where, row), where, raw)
        elif raw != first[2] and ("attributes", person) not in self.warned and self._attributes(where, row) != first[0]:
            self.warned.add(("attributes", person))
            self.options.quirk(
                self.name, where, f"annotator {person!r} has other attributes than on line {first[1]}; the first are kept"
            )

    def _attributes(self, where: int, row: list[Any]) -> dict[str, Any]:
        answers = {}
        for i in self.attributes:
            value = self.norm(row[i])
            if value is not None:
                answers[self.keys[i]] = self._stored(where, value)
        return answers

    def _text(self, where: int, cell: Any) -> str:
        if type(cell) is str:
            return self._stored(where, cell)
        value = self.norm(cell)
        return "" if value is None else self._stored(where, types.canonical(value))

    def _stored(self, where: int, value: Any) -> Any:
        """A value to store: Parquet strings may hold a NUL, which no database stores; other values are made
        JSON (a date as ISO text, a Parquet list as JSON text; a JSON line's list or object stays as it is)."""
        kind = type(value)
        if kind is str:
            if "\x00" in value:
                raise ImportFailure(self.name, where, "a NUL character cannot be stored; remove it")
            return value
        if kind in (bool, int, float) or (kind in (list, dict) and self.table.kind == "jsonl"):
            return value
        return self.norm(value)


def _shown(key: str) -> str:
    return repr(key if len(key) <= 60 else key[:57] + "...")


def _unique_keys(header: list[str]) -> list[str]:
    keys: list[str] = []
    for i, column in enumerate(header):
        key = column.strip() or f"column_{i + 1}"
        while key in keys:
            key += "_2"
        keys.append(key)
    return keys


def _when(name: str, where: int, cell: Any) -> datetime | None:
    """ISO 8601 or unix seconds (as csv reads them); a Parquet timestamp as it is."""
    if isinstance(cell, datetime):
        return cell if cell.tzinfo is None else cell.astimezone(UTC)
    value = types.ident(cell)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise ImportFailure(name, where, f"created_at {exc}") from None
