"""The rows in force on SQLite as NumPy arrays, read without a Python object per row.

A million rows read one by one cost far more in Python tuples than SQLite takes to scan them. Here
SQLite codes each answer itself, with a CASE over the values the question can hold (its options;
for a multi question, the distinct lists stored, read first), flags the superseded rows in the same
scan, and hands back each column of a chunk of rows as one comma-separated text that NumPy parses.

Where that could differ from decoding row by row it gives up (None) and the caller reads row by row:
a stored value no option lists (its place among the options depends on the order rows come in),
too many distinct lists, ids too large to pack into one integer. The statements run in the caller's
transaction, so every chunk reads the same snapshot.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from moderator.core.agreement.answers import NOT_ANSWERED, Question, known_code, sqlite_value

ID_CHUNK = 1 << 21  # annotation ids per statement: some 20 MB of text per column at most
MAX_CASES = 256  # distinct combinations of the multi questions' stored lists that CASEs list
MAX_PARAMETERS = 30_000  # SQLite allows 32,766 per statement
UNKNOWN = -2  # what the CASE gives a value it does not list
_SQL_INT = 1 << 63

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def read(conn: Connection, wanted: list[Question]) -> Arrays | None:
    """(comment ids, annotator ids, codes: questions × rows) of the submitted rows in force, or None.

    A code is the answer's code where the row's schema version asks the question, else NOT_ANSWERED.
    An error of SQLite's (a malformed document, a text too long) is None too: row by row will say.
    """
    try:
        return _read(conn, wanted)
    except DBAPIError:
        return None


def _read(conn: Connection, wanted: list[Question]) -> Arrays | None:
    bounds = conn.exec_driver_sql(
        "SELECT (SELECT min(id) FROM annotations), (SELECT min(comment_id) FROM annotations),"
        " (SELECT max(comment_id) FROM annotations), (SELECT min(annotator_id) FROM annotations),"
        " (SELECT max(annotator_id) FROM annotations)"
    ).one()
    if bounds[0] is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros((len(wanted), 0), dtype=np.int64)
    low_id, low_comment, high_comment, low_annotator, high_annotator = bounds
    slots = high_annotator + 1
    if min(low_comment, low_annotator) < 0 or (high_comment * slots + slots) * 2 > _SQL_INT:
        return None
    cases = _cases(conn, wanted)
    if cases is None:
        return None
    # One integer per row, in mixed radix: ((comment × slots + annotator) × radix + digit …) × 2 + superseded,
    # with a digit (code − UNKNOWN) × 2 + asked for as many questions as fit in 63 bits (fewer texts to
    # write and parse); any other question a column of its own, of code × 2 + asked.
    key, bound, packed, params = f"comment_id * {slots} + annotator_id", high_comment * slots + slots, [], []
    radices = [2 * max([null_code, *(c for _, c in listed)]) + 6 for null_code, listed in cases]
    while len(packed) < len(wanted) and bound * radices[len(packed)] * 2 <= _SQL_INT:
        k = len(packed)
        key, bound = f"({key}) * {radices[k]} + {_coded(wanted[k], cases[k], params)} + {-2 * UNKNOWN}", bound * radices[k]
        packed.append(radices[k])
    separate_params: list[Any] = []
    separate = [_coded(q, case, separate_params) for q, case in zip(wanted[len(packed) :], cases[len(packed) :])]
    params = params + separate_params
    if len(params) > MAX_PARAMETERS:
        return None
    parts: list[list[np.ndarray]] = [[] for _ in range(1 + len(separate))]
    start = low_id
    while start is not None:
        end = start + ID_CHUNK
        # Which rows a later row supersedes: probed per row only where this chunk has any.
        any_superseded = conn.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM annotations WHERE supersedes_id >= ? AND supersedes_id < ?)", (start, end)
        ).scalar()
        flag = "(id IN (SELECT supersedes_id FROM annotations WHERE supersedes_id >= ? AND supersedes_id < ?))"
        columns = [f"({key}) * 2 + {flag if any_superseded else 0}", *separate]
        sql = f"SELECT count(*), {', '.join(f'group_concat({c})' for c in columns)} FROM annotations"
        sql += " WHERE status = 'submitted' AND id >= ? AND id < ?"
        # Placeholders in the order they stand: the packed key's, the flag's (when there), the columns', the chunk's.
        packed_params = params[: len(params) - len(separate_params)]
        bound = [*packed_params, *((start, end) if any_superseded else ()), *separate_params, start, end]
        count, *texts = conn.exec_driver_sql(sql, tuple(bound)).one()
        for part, text in zip(parts, texts):
            column = _parse(text)
            if column is None or len(column) != count:
                return None
            part.append(column)
        start = conn.exec_driver_sql("SELECT min(id) FROM annotations WHERE id >= ?", (end,)).scalar()
    keys, *columns_read = (np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts)
    live = (keys & 1) == 0
    keys = keys >> 1
    digits = []
    for radix in reversed(packed):
        digits.append(keys % radix + 2 * UNKNOWN)
        keys //= radix
    coded = np.stack([*reversed(digits), *columns_read])  # code × 2 + asked
    if np.any((coded >> 1) == UNKNOWN):  # on any row, superseded or not, as row by row would see it
        return None
    keys, coded = keys[live], coded[:, live]
    return keys // slots, keys % slots, np.where((coded & 1) == 1, coded >> 1, NOT_ANSWERED)


def _coded(q: Question, case: tuple[int, list[tuple[Any, int]]], params: list[Any]) -> str:
    """SQL of code × 2 + (1 if the row's schema version asks the question); adds its parameters."""
    null_code, listed = case
    whens = " ".join(f"WHEN ? THEN {c}" for _, c in listed)
    asked = ", ".join(str(int(s)) for s in sorted(q.schemas))
    params += [_path(q), *(v for v, _ in listed)]
    found = f"""CASE coalesce(json_extract("values", ?), X'00') WHEN X'00' THEN {null_code} {whens} ELSE {UNKNOWN} END"""
    return f"({found}) * 2 + (schema_id IN ({asked}))"


def _path(q: Question) -> str:
    return f'$."{q.id}"'


def _cases(conn: Connection, wanted: list[Question]) -> list[tuple[int, list[tuple[Any, int]]]] | None:
    """Per question: (code of no value, [(stored value, code)]); None if a value is unknown or there are too many."""
    listed: dict[str, list[tuple[Any, int]]] = {}
    for q in wanted:
        if q.kind != "multi":  # its options are all it can hold without being an unknown value
            listed[q.id] = [(v, k) for k, v in enumerate(q.options) if _bindable(v)]
    multi = [q for q in wanted if q.kind == "multi"]
    if multi:
        columns = ", ".join('json_extract("values", ?)' for _ in multi)
        rows = conn.exec_driver_sql(
            f"SELECT DISTINCT {columns} FROM annotations WHERE status = 'submitted' LIMIT ?",
            (*(_path(q) for q in multi), MAX_CASES + 1),
        ).all()
        if len(rows) > MAX_CASES:
            return None
        for k, q in enumerate(multi):
            listed[q.id] = []
            for raw in dict.fromkeys(row[k] for row in rows if row[k] is not None):
                try:
                    coded = known_code(q, sqlite_value(q, raw))
                except ValueError:  # not JSON: row by row says so
                    return None
                if coded is None:
                    return None
                listed[q.id].append((raw, coded))
    out = []
    for q in wanted:
        null_code = known_code(q, None)
        assert null_code is not None  # no value adds no option
        out.append((null_code, listed[q.id]))
    return out


def _bindable(value: Any) -> bool:
    """A value SQLite compares as Python does: text, or a number it holds exactly."""
    if isinstance(value, str):
        return True
    if isinstance(value, int):  # bool too: SQLite's true is 1, and True == 1
        return -_SQL_INT <= value < _SQL_INT
    return isinstance(value, float) and math.isfinite(value)


def _parse(text: str | None) -> np.ndarray | None:
    if text is None:
        return np.zeros(0, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # text NumPy cannot read to its end: give up, not a short array
        try:
            return np.fromstring(text, dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            return None
