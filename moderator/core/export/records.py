"""Export records as JSON lines: one per comment (context, quotes, every annotator's labels, majority,
soft labels, gold) or one per annotation (the comment's context, the annotation, one column per question).

Every record of a file has the same keys with the same types (see export_layout), so dataset loaders
read it without glue. The database builds each row's own fields as a JSON object; the answers, which
repeat a handful of combinations over a million rows, are decoded, fitted and serialised once per
distinct (schema version, answers); a line is those pieces joined. CSV and Parquet read these lines.

When the export scrubs (the default, see scrub.py), each comment's texts are scrubbed once, and a row whose
texts changed has its JSON object rebuilt with them; spans and quotes into a changed text move with it.

Values are exported as stored: a skip or a flag answers nothing, so its unanswered questions are null
(a submission's unanswered multi question is []). Why a skip was skipped ("wellbeing") is its own field,
``skip_reason``, never a question's value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from moderator.core.agreement.review import aggregate
from moderator.core.export.layout import LabelColumn
from moderator.core.export.pages import (  # fmt: skip
    A_ANNOTATOR,
    A_ID,
    A_JSON,
    A_SCHEMA,
    A_SPANS,
    A_STATUS,
    A_VALUES,
    C_AUTHOR,
    C_ID,
    C_JSON,
    C_PARENT,
    C_TEXT,
    C_THREAD,
    Page,
)
from moderator.core.export.pseudonyms import AnnotatorPseudonyms, Pseudonyms
from moderator.core.export.scrub import NO_EDITS, Edit, Scrubber, remap_spans
from moderator.core.labelling.log import SKIP_REASON_KEY

LEVELS = ("comment", "annotation")
HEAD_FIELDS = ("thread_id", "thread_external_id", "thread_title", "thread_url", "comment_id", "external_id",
               "parent_id", "parent_text", "position", "depth", "text", "created_at", "source_status", "author", "author_key")  # fmt: skip
ANNOTATION_FIELDS = ("annotation_id", "annotator", "status", "submitted_at", "duration_ms", "skip_reason")
# Statuses whose values are an answer; a skip or a flag answers nothing.
ANSWERED = ("submitted", "late")
SUMMARY_FIELDS = ("majority", "soft_labels", "gold")
MEMO_LIMIT = 100_000
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # compact, as the database writes


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else _dumps(raw)


class _Memo(dict):
    """A dict that forgets everything when it grows past MEMO_LIMIT, so memory stays bounded."""

    def remember(self, key, value):
        if len(self) >= MEMO_LIMIT:
            self.clear()
        self[key] = value
        return value


def value_names(columns: list[LabelColumn]) -> list[str]:
    """A question's column name at annotation level: its id, prefixed only if it clashes with a field."""
    taken = {*HEAD_FIELDS, *ANNOTATION_FIELDS, "spans"}
    return [f"label_{c.id}" if c.id in taken else c.id for c in columns]


def record_fields(columns: list[LabelColumn], level: str, sees_all: bool) -> list[str]:
    if level == "annotation":
        return [*HEAD_FIELDS, *ANNOTATION_FIELDS, "spans", *value_names(columns)]
    return [*HEAD_FIELDS, "quotes", "annotations", *(SUMMARY_FIELDS if sees_all else ())]


class LineBuilder:
    """Pages of driver tuples → JSON lines of one fixed layout."""

    def __init__(
        self, columns: list[LabelColumn], pseudonyms: Pseudonyms, annotators: AnnotatorPseudonyms, *, keep_authors: bool,
        sees_all: bool, scrubber: Scrubber | None = None,
    ):  # fmt: skip
        self.columns = columns
        self.scrubber = scrubber  # personal data out of the texts (scrub.py); None keeps them as stored
        self.choice = [c for c in columns if c.choice]
        self.names = value_names(columns)
        self.pseudonyms = pseudonyms
        self.annotators = annotators  # name → pseudonymous id (or the name, when kept)
        self.keep_authors = keep_authors
        self.sees_all = sees_all
        self._values = _Memo()  # (schema id, values text) → (fitted dict, its JSON, its flat-columns JSON)
        self._spans = _Memo()  # spans text → JSON
        self._summary = _Memo()  # sorted answer combinations → JSON of majority, soft labels
        self._authors = _Memo()  # name → '"author": …, "author_key": …'
        self._annotator_json = _Memo()  # name → the JSON string of how it is shown

    def values(self, schema_id: int, raw: Any, answered: bool = True) -> tuple[dict[str, Any], str, str, str | None]:
        """(fitted values, their JSON, their flat-columns JSON, the stored skip reason). ``answered``: the row is
        an answer, so an unanswered multi question of its schema is []; a skip's or flag's stays null."""
        key = (schema_id, _text(raw), answered)
        found = self._values.get(key)
        if found is None:
            stored = (json.loads(raw) if isinstance(raw, str) else raw) or {}
            fitted = {c.id: c.fit(stored.get(c.id), answered and schema_id in c.schemas) for c in self.columns}
            flat = _dumps(dict(zip(self.names, fitted.values())))
            reason = stored.get(SKIP_REASON_KEY)
            found = self._values.remember(key, (fitted, _dumps(fitted), flat[1:-1], None if reason is None else str(reason)))
        return found

    def row_values(self, row: tuple) -> tuple[dict[str, Any], str, str, str | None]:
        """``values`` of an annotation row, read as its status says."""
        return self.values(row[A_SCHEMA], row[A_VALUES], row[A_STATUS] in ANSWERED)

    def skip_reason(self, row: tuple) -> str | None:
        """Why the row's annotator skipped the comment ("wellbeing"), or None (no reason, or not a skip)."""
        return self.row_values(row)[3] if row[A_STATUS] == "skipped" else None

    def span_list(self, raw: Any) -> tuple[list[dict[str, Any]], str]:
        key = _text(raw)
        found = self._spans.get(key)
        if found is None:
            stored = json.loads(raw) if isinstance(raw, str) else raw
            spans = [{"start": s.get("start"), "end": s.get("end"), "question": s.get("question")} for s in stored or []]
            found = self._spans.remember(key, (spans, _dumps(spans)))
        return found

    def spans(self, raw: Any, edits: tuple[Edit, ...] = NO_EDITS) -> str:
        """The spans as JSON; with ``edits`` (its comment's text was scrubbed), moved with the text."""
        return _dumps(remap_spans(self.span_list(raw)[0], edits)) if edits else self.span_list(raw)[1]

    def summary_of(self, rows: list[tuple] | None) -> tuple[Any, Any, str]:
        """(majority, soft labels, both as JSON members) over the submitted answers, each a fixed struct;
        None when there are none. The key is the sorted answers, so it is memoised across comments."""
        key = tuple(sorted((r[A_SCHEMA], _text(r[A_VALUES])) for r in rows if r[A_STATUS] == "submitted")) if rows else ()
        found = self._summary.get(key)
        if found is None:
            if not key:
                found = (None, None, '"majority":null,"soft_labels":null')
            else:
                majority, soft = aggregate([self.values(s, v)[0] for s, v in key])
                major = {c.id: majority.get(c.id, [] if c.kind == "multi" else None) for c in self.choice}
                shares = {c.id: {str(o): float(soft.get(c.id, {}).get(str(o), 0.0)) for o in c.options} for c in self.choice}
                found = (major, shares, f'"majority":{_dumps(major)},"soft_labels":{_dumps(shares)}')
            found = self._summary.remember(key, found)
        return found

    def summary(self, rows: list[tuple] | None) -> str:
        return self.summary_of(rows)[2]

    def author(self, name: str | None) -> str:
        found = self._authors.get(name)
        if found is None:
            key = self.pseudonyms[name]
            shown = name if self.keep_authors else key
            found = self._authors.remember(name, f'"author":{_dumps(shown)},"author_key":{_dumps(key)}')
        return found

    def annotator(self, name: str) -> str:
        """How the export shows an annotator, as JSON."""
        found = self._annotator_json.get(name)
        if found is None:
            found = self._annotator_json.remember(name, _dumps(self.annotators[name]))
        return found

    def annotation_json(self, row: tuple) -> str:
        """The members of an annotation row's own fields, skip reason included, without the braces."""
        reason = self.skip_reason(row)
        return (
            f'"annotation_id":{row[A_ID]},"annotator":{self.annotator(row[A_ANNOTATOR])},{row[A_JSON][1:-1]},'
            f'"skip_reason":{"null" if reason is None else _dumps(reason)}'
        )

    def scrubbed(self, c: tuple, quotes: list | None = None, written: bool = True, record: dict | None = None):
        """A JSON comment row's texts scrubbed (scrub.Scrubbed); ``written``: the record is in the file, so its
        replacements count (a comment left out is still scrubbed, so that the numbering is every export's)."""
        scrubber, thread = self.scrubber, c[C_THREAD]
        if record is None:  # the row's JSON: a new thread's title and URL, the parent's text
            record = json.loads(c[C_JSON])
        if not scrubber.entered(thread):
            scrubber.thread(thread, record["thread_title"], record["thread_url"])
        parent_text = record["parent_text"]
        return scrubber.text(thread, None, None, c[C_ID], c[C_TEXT], c[C_PARENT], parent_text, quotes, count=written)

    def head(self, c: tuple, quotes: list | None = None) -> tuple[str, tuple[Edit, ...], list | None]:
        """A comment row's JSON object (its texts scrubbed, when the export scrubs), the edits made to its
        text and its quote spans moved with them."""
        if self.scrubber is None or self.scrubber.unchanged(c[C_THREAD], c[C_ID], c[C_TEXT], c[C_PARENT], quotes):
            return c[C_JSON], NO_EDITS, quotes
        record = json.loads(c[C_JSON])
        done = self.scrubbed(c, quotes, record=record)
        if not done.changed:
            return c[C_JSON], NO_EDITS, quotes
        record.update(thread_title=done.title, thread_url=done.url, parent_text=done.parent_text, text=done.text)
        return _dumps(record), done.edits, done.quotes

    def label_json(self, r: tuple, edits: tuple[Edit, ...] = NO_EDITS) -> str:
        """An annotation row as the object a comment record lists: ``annotation_json``, values and spans, read
        from the memos directly (a million annotations: each call saved counts)."""
        raw, status, raw_spans, name = r[A_VALUES], r[A_STATUS], r[A_SPANS], r[A_ANNOTATOR]
        found = self._values.get((r[A_SCHEMA], raw, status in ANSWERED)) if raw.__class__ is str else None
        if found is None:
            found = self.row_values(r)
        reason = found[3] if status == "skipped" else None
        shown = self._annotator_json.get(name) or self.annotator(name)
        listed = None if edits or raw_spans.__class__ is not str else self._spans.get(raw_spans)
        spans = self.spans(raw_spans, edits) if listed is None else listed[1]
        return (
            f'{{"annotation_id":{r[A_ID]},"annotator":{shown},{r[A_JSON][1:-1]},'
            f'"skip_reason":{"null" if reason is None else _dumps(reason)},"values":{found[1]},"spans":{spans}}}'
        )

    def comment_lines(self, page: Page) -> Iterator[str]:
        values, label, author, authors, head_of = self.values, self.label_json, self.author, self._authors, self.head
        grouped, quoted, golds, sees_all = page.annotations, page.quotes, page.gold, self.sees_all
        unlabelled = self.summary(None)
        for c in page.comments:
            cid = c[C_ID]
            rows = grouped.get(cid)
            head, edits, quotes = head_of(c, quoted.get(cid) if quoted else None)
            labels = ",".join([label(r, edits) for r in rows]) if rows else ""
            tail = ""
            if sees_all:
                gold = golds.get(cid) if golds else None
                summary = self.summary(rows) if rows else unlabelled
                tail = f',{summary},"gold":{"null" if gold is None else values(*gold)[1]}'
            yield (
                f'{head[:-1]},{authors.get(c[C_AUTHOR]) or author(c[C_AUTHOR])},"quotes":{_dumps(quotes) if quotes else "[]"},'
                f'"annotations":[{labels}]{tail}}}\n'
            )

    def annotation_lines(self, page: Page) -> Iterator[str]:
        for c in page.comments:
            rows = page.annotations.get(c[C_ID])
            if not rows:
                scrubber = self.scrubber
                if scrubber is not None and not scrubber.unchanged(c[C_THREAD], c[C_ID], c[C_TEXT], c[C_PARENT]):
                    self.scrubbed(c, written=False)
                continue
            head, edits, _ = self.head(c)
            head = f"{head[:-1]},{self.author(c[C_AUTHOR])},"
            for r in rows:
                flat = self.row_values(r)[2]
                yield f'{head}{self.annotation_json(r)},"spans":{self.spans(r[A_SPANS], edits)}{"," if flat else ""}{flat}}}\n'

    def lines(self, page: Page, level: str) -> Iterator[str]:
        return self.comment_lines(page) if level == "comment" else self.annotation_lines(page)
