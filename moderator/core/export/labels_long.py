"""labels_long.parquet of a perspectivist export: one row per (comment, annotator, question, value).

A multi-choice answer is a row per chosen option; an annotation that holds no value (a skip, a flag,
an answer left empty) is one row with no question, so every label in force appears. ``value`` is text
(questions differ in type); ``value_number`` is the same value as a number when it is one, for means
and scales. ``provenance`` is how the label was made, as the app recorded it with the label (what was on
screen, the hint shown, ...: core.labelling.provenance), JSON text; ``condition`` is the experiment's arm
in it, JSON text too. Both are null for labels made before the app recorded them and for imported ones.
"""

from __future__ import annotations

import json
from typing import IO, Any

from moderator.core.export.layout import utc_times
from moderator.core.export.pages import (  # fmt: skip
    A_ANNOTATOR,
    A_DURATION,
    A_ID,
    A_PROVENANCE,
    A_STATUS,
    A_SUBMITTED,
    C_ID,
    C_THREAD,
    HEAD_COLUMNS,
    Page,
)
from moderator.core.export.records import LineBuilder

C_EXTERNAL = 4 + HEAD_COLUMNS.index("external_id")  # in a ``columns`` page's comment tuple
FIELDS = ("comment_id", "thread_id", "external_id", "annotator", "annotation_id", "status", "skip_reason", "question",
          "value", "value_number", "submitted_at", "duration_ms", "condition", "provenance")  # fmt: skip


def long_schema():
    import pyarrow as pa

    text, i64 = pa.string(), pa.int64()
    types = {"comment_id": i64, "thread_id": i64, "annotation_id": i64, "duration_ms": i64, "value_number": pa.float64(),
             "submitted_at": pa.timestamp("us", tz="UTC")}  # fmt: skip
    return pa.schema([(name, types.get(name, text)) for name in FIELDS])


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _compact(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class LongTable:
    """Writes the rows of each page as one row group: memory stays one page."""

    def __init__(self, out: IO[bytes] | str, builder: LineBuilder):
        import pyarrow.parquet as pq

        self.builder = builder
        self.schema = long_schema()
        self.rows = 0
        self._made: dict[str | None, tuple[str | None, str | None]] = {}  # one page's provenance texts → cells
        self._writer = pq.ParquetWriter(out, self.schema, compression="zstd")

    def add(self, page: Page) -> None:
        import pyarrow as pa

        columns: dict[str, list[Any]] = {name: [] for name in FIELDS}
        builder, shown = self.builder, self.builder.annotators
        self._made.clear()
        for c in page.comments:
            for r in page.annotations.get(c[C_ID], ()):
                own = (c[C_ID], c[C_THREAD], c[C_EXTERNAL], shown[r[A_ANNOTATOR]], r[A_ID], r[A_STATUS],
                       builder.skip_reason(r))  # fmt: skip
                timing = (r[A_SUBMITTED], r[A_DURATION], *self._condition_and_provenance(r[A_PROVENANCE]))
                for question, value in self._values(r) or [(None, None)]:
                    row = (*own, question, None if value is None else str(value), _number(value), *timing)
                    for name, cell in zip(FIELDS, row):
                        columns[name].append(cell)
        if not columns["comment_id"]:
            return
        arrays = [
            utc_times(columns[f.name], f.type) if f.name == "submitted_at" else pa.array(columns[f.name], f.type)
            for f in self.schema
        ]  # fmt: skip
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self.rows += len(columns["comment_id"])

    def _condition_and_provenance(self, stored: str | None) -> tuple[str | None, str | None]:
        found = self._made.get(stored)
        if found is None:
            made = json.loads(stored) if stored else None  # JSON null too: no provenance recorded
            condition = made.get("condition") if isinstance(made, dict) else None
            found = self._made[stored] = (_compact(condition), _compact(made))
        return found

    def _values(self, row: tuple) -> list[tuple[str, Any]]:
        """(question, value) pairs the annotation holds, a multi answer's options one by one."""
        fitted = self.builder.row_values(row)[0]
        pairs = []
        for qid, value in fitted.items():
            for one in value if isinstance(value, list) else [value]:
                if one is not None:
                    pairs.append((qid, one))
        return pairs

    def close(self) -> None:
        self._writer.close()
