"""A page of driver tuples → one Arrow record batch of the export's schema, column by column.

The same records as the JSON lines (export_records), without a JSON detour: plain columns go to Arrow
as lists; answers, spans and summaries, which repeat, become a small table of the page's distinct
ones and an index per row (``take``), so no Python dict is built per annotation.
"""

from __future__ import annotations

from typing import Any

from moderator.core.export.layout import arrow_value_type, utc_times
from moderator.core.export.pages import (  # fmt: skip
    A_ANNOTATOR,
    A_DURATION,
    A_ID,
    A_SCHEMA,
    A_SPANS,
    A_STATUS,
    A_SUBMITTED,
    A_VALUES,
    C_AUTHOR,
    C_ID,
    C_POS,
    C_THREAD,
    HEAD_COLUMNS,
    Page,
)
from moderator.core.export.records import ANSWERED, LineBuilder, value_names
from moderator.core.export.scrub import NO_EDITS, Scrubbed, remap_spans

_AT = {name: i for i, name in enumerate(HEAD_COLUMNS, 4)}  # a ``columns`` page's comment tuple


class _Distinct:
    """Distinct values of one page and, per row, the index of its value: ``take`` builds the column."""

    def __init__(self):
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []
        self.rows: list[int] = []

    def add(self, key: Any, make) -> None:
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.values)
            self.values.append(make())
        self.rows.append(found)

    def column(self, arrow_type):
        import pyarrow as pa

        return pa.array(self.values, arrow_type).take(pa.array(self.rows, pa.int32()))


def record_batch(builder: LineBuilder, schema, page: Page, level: str):
    import pyarrow as pa

    comments = page.comments
    n = len(comments)
    keys, shown = builder.pseudonyms, builder.annotators
    columns = list(zip(*comments)) if comments else [()] * (4 + len(HEAD_COLUMNS))
    head = {"thread_id": columns[C_THREAD], "comment_id": columns[C_ID], "position": columns[C_POS]}
    for i, name in enumerate(HEAD_COLUMNS, 4):
        head[name] = columns[i]
    head["author_key"] = [keys[a] for a in columns[C_AUTHOR]]
    head["author"] = columns[C_AUTHOR] if builder.keep_authors else head["author_key"]
    grouped = page.annotations
    quotes, edits = page.quotes, None
    if builder.scrubber is not None:
        head, quotes, edits = _scrubbed(builder, page, head, level)

    rows, offsets, owner = [], [0], []
    for i, cid in enumerate(columns[C_ID]):
        mine = grouped.get(cid)
        if mine:
            rows += mine
            owner += [i] * len(mine)
        offsets.append(len(rows))
    # Answers and spans repeat: the page's distinct ones, and an index per annotation.
    values, spans = _Distinct(), _Distinct()
    for at, r in enumerate(rows):
        key = (r[A_SCHEMA], r[A_VALUES], r[A_STATUS] in ANSWERED)
        found = values.index.get(key)
        if found is None:
            found = values.index[key] = len(values.values)
            values.values.append(builder.values(*key)[0])
        values.rows.append(found)
        moved = edits[owner[at]] if edits else NO_EDITS  # the comment's text was scrubbed: its spans move
        span_key = (r[A_SPANS], moved) if moved else r[A_SPANS]
        found = spans.index.get(span_key)
        if found is None:
            found = spans.index[span_key] = len(spans.values)
            listed = builder.span_list(r[A_SPANS])[0]
            spans.values.append(remap_spans(listed, moved) if moved else listed)
        spans.rows.append(found)
    when = schema.field("created_at").type
    own = {
        "annotation_id": pa.array([r[A_ID] for r in rows], pa.int64()),
        "annotator": pa.array([shown[r[A_ANNOTATOR]] for r in rows], pa.string()),
        "status": pa.array([r[A_STATUS] for r in rows], pa.string()),
        "submitted_at": utc_times([r[A_SUBMITTED] for r in rows], when),
        "duration_ms": pa.array([r[A_DURATION] for r in rows], pa.int64()),
        "skip_reason": pa.array([builder.row_values(r)[3] if r[A_STATUS] == "skipped" else None for r in rows], pa.string()),
    }
    value_column = values.column(pa.struct([(c.id, arrow_value_type(c)) for c in builder.columns]))
    span_type = (
        schema.field("spans").type if level == "annotation" else schema.field("annotations").type.value_type.field("spans").type
    )
    span_column = spans.column(span_type)

    if level == "annotation":
        take = pa.array(owner, pa.int32())
        arrays = {name: _head_array(head[name], schema.field(name).type).take(take) for name in head}
        arrays |= own | {"spans": span_column}
        for i, name in enumerate(value_names(builder.columns)):
            arrays[name] = value_column.field(i)
        return pa.RecordBatch.from_arrays([arrays[f.name] for f in schema], schema=schema)

    labels_type = schema.field("annotations").type
    label_struct = pa.StructArray.from_arrays([*own.values(), value_column, span_column], fields=list(labels_type.value_type))
    arrays = {name: _head_array(head[name], schema.field(name).type) for name in head}
    quotes_type = schema.field("quotes").type
    if quotes:
        arrays["quotes"] = pa.array([quotes.get(cid, []) for cid in columns[C_ID]], quotes_type)
    else:  # most pages: nothing quoted, n empty lists
        empty = pa.array([], quotes_type.value_type)
        arrays["quotes"] = pa.ListArray.from_arrays(pa.array([0] * (n + 1), pa.int32()), empty, type=quotes_type)
    arrays["annotations"] = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), label_struct, type=labels_type)
    if builder.sees_all:
        summaries, gold = _Distinct(), _Distinct()
        summaries.add((), lambda: (None, None))  # a comment without answers: index 0
        summaries.rows.clear()
        known, at_rows = summaries.index, summaries.rows
        for i in range(n):
            first, last = offsets[i], offsets[i + 1]
            if first == last:
                at_rows.append(0)
                continue
            mine = rows[first:last]
            key = tuple(sorted((r[A_SCHEMA], r[A_VALUES]) for r in mine if r[A_STATUS] == "submitted"))
            found = known.get(key)
            if found is None:
                found = known[key] = len(summaries.values)
                summaries.values.append(builder.summary_of(mine)[:2])
            at_rows.append(found)
        if page.gold:
            for cid in columns[C_ID]:
                stored = page.gold.get(cid)
                gold.add(stored, lambda: None if stored is None else builder.values(*stored)[0])  # noqa: B023
        else:  # most pages: no gold decision
            gold.values, gold.rows = [None], [0] * n
        pairs = summaries.values
        take = pa.array(summaries.rows, pa.int32())
        arrays["majority"] = pa.array([p[0] for p in pairs], schema.field("majority").type).take(take)
        arrays["soft_labels"] = pa.array([p[1] for p in pairs], schema.field("soft_labels").type).take(take)
        arrays["gold"] = gold.column(schema.field("gold").type)
    return pa.RecordBatch.from_arrays([arrays[f.name] for f in schema], schema=schema)


def _scrubbed(builder: LineBuilder, page: Page, head: dict[str, Any], level: str):
    """The head columns with their texts scrubbed, the quotes moved with them, and each comment's text edits
    (None when no text changed). Every comment is scrubbed, in order, so that the numbering is every export's;
    at annotation level only those with labels count."""
    scrub, unchanged = builder.scrubber.text, builder.scrubber.unchanged
    title, url, parent, parent_text, text = (_AT[n] for n in ("thread_title", "thread_url", "parent_id", "parent_text", "text"))
    grouped, quoted = page.annotations, page.quotes
    done: list[Scrubbed | None] = []  # None: the record's texts stay as stored
    add, any_changed = done.append, False
    comments, quiet_run, at = page.comments, builder.scrubber.quiet_run, (C_THREAD, C_ID, parent, text)
    quiet = quiet_run(comments, 0, quoted, at)
    for i, c in enumerate(comments):
        if i < quiet:  # the texts stay as stored (most rows)
            add(None)
            continue
        cid = c[C_ID]
        if unchanged(c[C_THREAD], cid, c[text], c[parent], quoted.get(cid) if quoted else None):
            add(None)
        else:
            d = scrub(c[C_THREAD], c[title], c[url], cid, c[text], c[parent], c[parent_text], quoted.get(cid),
                      count=level == "comment" or cid in grouped)  # fmt: skip
            add(d)
            any_changed = any_changed or d.changed
        quiet = quiet_run(comments, i + 1, quoted, at)
    if not any_changed:
        return head, quoted, None
    done = [
        Scrubbed(c[title], c[url], c[parent_text], c[text], NO_EDITS, quoted.get(c[C_ID]), False) if d is None else d
        for c, d in zip(page.comments, done)
    ]
    head = {**head, "thread_title": [d.title for d in done], "thread_url": [d.url for d in done],
            "parent_text": [d.parent_text for d in done], "text": [d.text for d in done]}  # fmt: skip
    quotes = {c[C_ID]: d.quotes for c, d in zip(page.comments, done) if d.quotes}
    return head, quotes, [d.edits for d in done]


def _head_array(values: list | tuple, arrow_type):
    import pyarrow as pa

    if isinstance(values, tuple):  # a column of zip(*rows): Arrow reads a tuple of numbers ten times slower than a list
        values = list(values)
    if pa.types.is_timestamp(arrow_type):
        return utc_times(values, arrow_type)
    return pa.array(values, arrow_type)
