"""Rows of a table, read the same way from CSV, TSV, JSON lines and Parquet: a header, then cells by row.

``open_table`` checks the header and returns a ``RowTable`` whose ``rows()`` may be read more than once
(an importer that infers column types reads twice rather than holding every cell). Each row comes as
``(where, cells)``: ``where`` is the physical line a CSV row starts on, the line of a JSON object, or the
1-based row number of a Parquet file; ``cells`` lines up with ``header``, ``None`` for an absent key.
CSV cells are strings as written; JSON and Parquet cells keep their types. A text file is read line by line
(``SourceText.lines``) and a Parquet file in batches (``SourceText.compressed == "parquet"``), never whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources.json_lines import json_objects, kind_of
from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Progress

FIELD_LIMIT = 16 * 1024 * 1024  # one cell may be long, but not a whole mis-quoted file
BATCH_ROWS = 4096  # Parquet rows converted to Python values at a time
DELIMITERS = (",", "\t", ";", "|")
SAMPLE_CHARS = 64 * 1024


@dataclass
class RowTable:
    source: SourceText
    kind: str  # "csv", "jsonl" or "parquet"
    header: list[str]
    header_line: int | None  # None for Parquet (its header is the schema, not a row)
    delimiter: str = ","
    total: int = 1  # lines or rows, for progress
    _parquet: Any = field(default=None, repr=False)

    def rows(self, progress: Progress | None = None) -> Iterator[tuple[int, list[Any]]]:
        if self.kind == "parquet":
            return _parquet_rows(self, progress)
        if self.kind == "jsonl":
            return _json_rows(self, progress)
        return _csv_rows(self, progress)


def open_table(source: SourceText) -> RowTable:
    """The table of a source; ``ImportFailure`` when it has no header (or is no table)."""
    if source.compressed == "parquet":
        return _open_parquet(source)
    if source.compressed:
        raise ImportFailure(source.name, 1, f"a {source.compressed}-compressed file is not a table; decompress it first")
    if PurePath(source.name).suffix.lower() == ".parquet":
        raise ImportFailure(source.name, 1, "not a Parquet file (it does not start and end with PAR1)")
    if source.head().lstrip().startswith("{"):
        return _open_json(source)
    return _open_csv(source)


def sample(source: SourceText, limit: int = 2000) -> tuple[list[str], list[list[Any]]] | None:
    """The header and up to ``limit`` rows from the start of the source, for sniffing; None if unreadable."""
    try:
        if source.compressed == "parquet":
            table = _open_parquet(source)
            return table.header, _first_batch(table, limit)
        if source.compressed:
            return None
        head = source.head(SAMPLE_CHARS + 1)
        text = head[:SAMPLE_CHARS]
        if len(head) > len(text):
            text = text[: text.rfind("\n") + 1]
        stripped = text.lstrip()
        if stripped.startswith("{"):
            objects = []
            for line in stripped.split("\n")[:limit]:
                if line.strip():
                    obj = json.loads(line)
                    if type(obj) is not dict:
                        return None
                    objects.append(obj)
            header = list(dict.fromkeys(k for obj in objects for k in obj))
            return header, [[obj.get(k) for k in header] for obj in objects]
        lines = [line for line in text.split("\n") if line.strip()]
        if not lines:
            return None
        delimiter = _delimiter(lines[0], source.name)
        reader = csv.reader(io.StringIO("\n".join(lines[: limit + 1])), delimiter=delimiter)
        header = next(reader)
        rows: list[list[Any]] = []
        try:
            rows.extend(reader)
        except csv.Error:  # the sample may end inside a quoted cell: the rows before it will do
            pass
        return header, rows
    except (csv.Error, ValueError, RecursionError, StopIteration, ImportFailure, OSError):
        return None


# ---------------------------------------------------------------------------------------------- CSV


def _delimiter(first_line: str, name: str) -> str:
    """The delimiter that splits the header into the most columns; ties go to the extension's default."""
    order = ["\t", ","] if PurePath(name).suffix.lower() == ".tsv" else [",", "\t"]
    order += [d for d in DELIMITERS if d not in order]
    best, width = order[0], 0
    for delimiter in order:
        try:
            fields = next(csv.reader([first_line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(fields) > width:
            best, width = delimiter, len(fields)
    return best


def _open_csv(source: SourceText) -> RowTable:
    line = 0
    for text in source.lines():  # skip leading blank lines; the file is read no further than the header
        line += 1
        if text.strip():
            first = text.removesuffix("\n")
            break
    else:
        raise ImportFailure(source.name, 1, "no header row")
    delimiter = _delimiter(first, source.name)
    table = RowTable(source, "csv", [], line, delimiter, source.line_count)
    rows = _csv_reader(table, skip_header=False)
    try:
        table.header_line, header = next(rows)
    except StopIteration:
        raise ImportFailure(source.name, 1, "no header row") from None
    finally:
        rows.close()  # restores the field size limit now
    table.header = [cell.strip() for cell in header]
    return table


def _csv_reader(table: RowTable, skip_header: bool = True) -> Iterator[tuple[int, list[str]]]:
    name = table.source.name
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        reader = csv.reader(table.source.lines(), delimiter=table.delimiter, strict=True)
        seen_header = not skip_header
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise row_error(name, line, exc) from None
            if not any(cell.strip() for cell in row):
                continue
            if not seen_header:
                seen_header = True
                continue
            yield line, row
    finally:
        csv.field_size_limit(previous)  # the limit is process-wide; leave it as we found it


def _csv_rows(table: RowTable, progress: Progress | None) -> Iterator[tuple[int, list[Any]]]:
    width = len(table.header)
    step = max(1, table.total // 100)
    next_report = step
    for line, row in _csv_reader(table):
        if progress is not None and line >= next_report:
            progress(line / table.total)
            next_report = line + step
        if len(row) != width:
            more = "more" if len(row) > width else "fewer"
            raise ImportFailure(
                table.source.name, line, f"this row has {len(row)} fields, {more} than the {width} columns of the header"
            )
        yield line, row


def row_error(name: str, line: int, exc: csv.Error) -> ImportFailure:
    """A csv module error as a one-line ``path:line: reason``."""
    message = str(exc)
    if "unexpected end of data" in message:
        reason = "a quoted field that starts in this row is never closed (the file ends inside quotes)"
    elif "field larger than field limit" in message:
        reason = f"a field in this row is longer than {FIELD_LIMIT // (1024 * 1024)} MB; is a quote missing?"
    else:
        reason = f"malformed CSV row: {message}"
    return ImportFailure(name, line, reason)


# --------------------------------------------------------------------------------------- JSON lines


def _open_json(source: SourceText) -> RowTable:
    """Every key of every object, in first-seen order, is a column (one pass; the rows are read again)."""
    keys: dict[str, None] = {}
    lines = 0
    for line, obj in json_objects(source):
        if type(obj) is not dict:
            raise ImportFailure(source.name, line, f"expected a JSON object (one row), found {kind_of(obj)}")
        keys.update(dict.fromkeys(obj))
        lines = line
    if not keys:
        raise ImportFailure(source.name, 1, "no rows: every JSON object is empty")
    return RowTable(source, "jsonl", list(keys), 1, total=max(lines, 1))


def _json_rows(table: RowTable, progress: Progress | None) -> Iterator[tuple[int, list[Any]]]:
    header = table.header
    for line, obj in json_objects(table.source, progress):
        if type(obj) is not dict:
            raise ImportFailure(table.source.name, line, f"expected a JSON object (one row), found {kind_of(obj)}")
        yield line, [obj.get(k) for k in header]


# ------------------------------------------------------------------------------------------ Parquet


def _open_parquet(source: SourceText) -> RowTable:
    import pyarrow.parquet as pq  # only for Parquet sources

    try:
        parquet = pq.ParquetFile(source.name)
        header = list(parquet.schema_arrow.names)
        total = parquet.metadata.num_rows
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others for a damaged file
        raise ImportFailure(source.name, None, f"not a readable Parquet file ({_short(exc)})") from None
    return RowTable(source, "parquet", header, None, total=max(total, 1), _parquet=parquet)


def _batches(table: RowTable, size: int) -> Iterator[list[list[Any]]]:
    """Rows of the Parquet file, a batch at a time, as lists of Python values."""
    try:
        for batch in table._parquet.iter_batches(batch_size=size):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            yield [list(row) for row in zip(*columns)]
    except ImportFailure:
        raise
    except Exception as exc:
        raise ImportFailure(table.source.name, None, f"the Parquet file cannot be read ({_short(exc)})") from None


def _first_batch(table: RowTable, limit: int) -> list[list[Any]]:
    for rows in _batches(table, limit):
        return rows
    return []


def _parquet_rows(table: RowTable, progress: Progress | None) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    for rows in _batches(table, BATCH_ROWS):
        if progress is not None:
            progress(number / table.total)
        for row in rows:
            number += 1
            yield number, row


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def parse_time(value: str) -> datetime:
    """ISO 8601 or unix seconds: an offset or an epoch gives aware UTC, a naive ISO time stays naive;
    ValueError for anything else."""
    try:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo is None else moment.astimezone(UTC)
    except ValueError:
        pass
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"{value[:60]!r} is not an ISO 8601 date or a unix time") from None
