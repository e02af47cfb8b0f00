"""Whether a text is data (JSON, JSON lines, a table) rather than prose: what the paste importer must not swallow.

``structured(text)`` is ``"JSON"`` for a JSON object or array (the whole text, or its first line when
that is an object: JSON lines), ``"CSV"`` for a table: a first line of two or more columns (comma,
tab, semicolon or bar) and rows that mostly have as many. Prose with a comma or two does not pass:
the first line must split into the same number of fields as most of the next lines, and a header's
cells are short.
"""

from __future__ import annotations

import csv
import json

SAMPLE = 64 * 1024  # enough rows to judge; parsing a whole large file as JSON is the importer's job
MAX_HEADER_CELL = 60


def structured(text: str) -> str | None:
    stripped = text.lstrip()
    if not stripped:
        return None
    if stripped[0] in "{[" and _json(stripped):
        return "JSON"
    return "CSV" if _table(stripped[:SAMPLE]) else None


def _json(text: str) -> bool:
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    for candidate in (first.strip(), text.strip()) if len(text) <= 16 * 1024 * 1024 else (first.strip(),):
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, (dict, list)):
            return True
    return False


def _table(sample: str) -> bool:
    lines = [line for line in sample.split("\n")[:51] if line.strip()]
    if len(lines) < 2:
        return False
    if len(sample) == SAMPLE and len(lines) > 2:
        lines = lines[:-1]  # the sample may end inside a row
    for delimiter in (",", "\t", ";", "|"):
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        header = rows[0]
        if len(header) < 2 or not all(0 < len(cell.strip()) <= MAX_HEADER_CELL for cell in header):
            continue
        same = sum(1 for row in rows[1:] if len(row) == len(header))
        if same >= max(1, 0.7 * (len(rows) - 1)):
            return True
    return False
