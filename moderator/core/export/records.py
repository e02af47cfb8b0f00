"""Export records as JSON lines: one per comment (context, quotes, every annotator's labels, majority,
soft labels, gold) or one per annotation (the comment's context, the annotation, one column per question).

Every record of a file has the same keys with the same types (see export_layout), so dataset loaders
read it without glue. The database builds each comment's own fields as a JSON object; an annotation's
schema version, answers, spans, status and annotator, which repeat a handful of combinations over a
million rows, are decoded, fitted and serialised once per distinct combination (a ``Label``); a line is
those pieces and the few fields of each row's own joined. CSV reads these lines.

When the export scrubs (the default, see scrub.py), each comment's texts are scrubbed once, and a row whose
texts changed has its JSON object rebuilt with them; spans and quotes into a changed text move with it.

Values are exported as stored: a skip or a flag answers nothing, so its unanswered questions are null
(a submission's unanswered multi question is []). Why a skip was skipped ("wellbeing") is its own field,
``skip_reason``, never a question's value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from moderator.core.agreement.review import aggregate
from moderator.core.export.layout import LabelColumn
from moderator.core.export.pages import (  # fmt: skip
    A_DURATION,
    A_ID,
    A_SCHEMA,
    A_STATUS,
    A_SUBMITTED,
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
SCRUB_AT = (C_THREAD, C_ID, C_PARENT, C_TEXT)  # for Scrubber.quiet_run
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


class Label(NamedTuple):
    """What an annotation row's repeating slice ``row[A_SCHEMA:A_SUBMITTED]`` stands for, its JSON made once."""

    spans: str  # the stored spans JSON
    before_when: str  # ',"annotator":…,"status":…,"submitted_at":"' between the annotation id and the row's time
    after_when: str  # ',"skip_reason":…,"values":…,"spans":…}' after them
    reason: str  # the '"skip_reason":…' member
    values: tuple[dict[str, Any], str, str, str | None]  # LineBuilder.values
    answer: tuple[int, str] | None  # (schema id, values JSON) of a submission: its share of the summary's key


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
        self._labels = _Memo()  # an annotation row's repeating slice → Label

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
        """(majority, soft labels, both as JSON members) over the submitted answers of ``columns`` rows."""
        key = tuple(sorted((r[A_SCHEMA], _text(r[A_VALUES])) for r in rows if r[A_STATUS] == "submitted")) if rows else ()
        return self.summary_for(key)

    def summary_for(self, key: tuple) -> tuple[Any, Any, str]:
        """``summary_of`` the sorted (schema id, values JSON) of the submitted answers, each a fixed struct;
        None when there are none. The key is the sorted answers, so it is memoised across comments."""
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

    def label(self, key: tuple) -> Label:
        """The Label of an annotation row's repeating slice (schema id, values, spans, status, annotator name)."""
        found = self._labels.get(key)
        if found is None:
            schema_id, values, spans, status, name = key
            fitted = self.values(schema_id, values, status in ANSWERED)
            reason = fitted[3] if status == "skipped" else None
            reason = f'"skip_reason":{"null" if reason is None else _dumps(reason)}'
            found = self._labels.remember(key, Label(
                spans, f',"annotator":{self.annotator(name)},"status":{_dumps(status)},"submitted_at":"',
                f',{reason},"values":{fitted[1]},"spans":{self.span_list(spans)[1]}}}', reason, fitted,
                (schema_id, _text(values)) if status == "submitted" else None,
            ))  # fmt: skip
        return found

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
        return self.scrubbed_head(c, quotes)

    def scrubbed_head(self, c: tuple, quotes: list | None) -> tuple[str, tuple[Edit, ...], list | None]:
        """``head`` of a row whose texts may change (``Scrubber.unchanged`` said no)."""
        record = json.loads(c[C_JSON])
        done = self.scrubbed(c, quotes, record=record)
        if not done.changed:
            return c[C_JSON], NO_EDITS, quotes
        record.update(thread_title=done.title, thread_url=done.url, parent_text=done.parent_text, text=done.text)
        return _dumps(record), done.edits, done.quotes

    def comment_lines(self, page: Page) -> list[str]:
        """One line per comment. The loop of a million rows: each call and lookup saved counts."""
        label, labels, summary_for, values = self.label, self._labels, self.summary_for, self.values
        author, authors, spans_moved = self.author, self._authors, self.spans
        grouped, quoted, golds, sees_all = page.annotations, page.quotes, page.gold, self.sees_all
        scrubber, comments = self.scrubber, page.comments
        quiet = scrubber.quiet_run(comments, 0, quoted, SCRUB_AT) if scrubber is not None else len(comments)
        no_labels = f',{summary_for(())[2]},"gold":'
        lines: list[str] = []
        add = lines.append
        for i, c in enumerate(comments):
            cid = c[C_ID]
            quotes = quoted.get(cid) if quoted else None
            if i < quiet:  # the texts stay as stored (most rows)
                head, edits = c[C_JSON], NO_EDITS
            else:
                head, edits, quotes = self.head(c, quotes)
                quiet = scrubber.quiet_run(comments, i + 1, quoted, SCRUB_AT)
            rows = grouped.get(cid)
            tail = ""
            if rows:
                parts, answers = [], []
                for r in rows:
                    key = r[A_SCHEMA:A_SUBMITTED]
                    found = labels.get(key) or label(key)
                    if edits:  # the text was scrubbed: the spans move with it
                        after = f',{found.reason},"values":{found.values[1]},"spans":{spans_moved(found.spans, edits)}}}'
                    else:
                        after = found.after_when
                    duration = r[A_DURATION]
                    parts.append(
                        f'{{"annotation_id":{r[A_ID]}{found.before_when}{r[A_SUBMITTED]}",'
                        f'"duration_ms":{"null" if duration is None else duration}{after}'
                    )
                    if found.answer is not None:
                        answers.append(found.answer)
                if sees_all:
                    answers.sort()
                    tail = f',{summary_for(tuple(answers))[2]},"gold":'
                labelled = ",".join(parts)
            else:
                labelled = ""
                if sees_all:
                    tail = no_labels
            if sees_all:
                gold = golds.get(cid) if golds else None
                tail = f"{tail}{'null' if gold is None else values(*gold)[1]}"
            add(
                f'{head[:-1]},{authors.get(c[C_AUTHOR]) or author(c[C_AUTHOR])},"quotes":{_dumps(quotes) if quotes else "[]"},'
                f'"annotations":[{labelled}]{tail}}}\n'
            )
        return lines

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
                found = self.label(r[A_SCHEMA:A_SUBMITTED])
                flat, duration = found.values[2], r[A_DURATION]
                yield (
                    f'{head}"annotation_id":{r[A_ID]}{found.before_when}{r[A_SUBMITTED]}",'
                    f'"duration_ms":{"null" if duration is None else duration},{found.reason},'
                    f'"spans":{self.spans(found.spans, edits)}{"," if flat else ""}{flat}}}\n'
                )

    def lines(self, page: Page, level: str) -> Iterator[str]:
        return iter(self.comment_lines(page)) if level == "comment" else self.annotation_lines(page)
