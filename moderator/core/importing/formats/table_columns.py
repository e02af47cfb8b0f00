"""What a table's columns hold, judged from every row in one streamed pass (rows are read back from disk,
never held as a list): label columns, a column of unique row ids, a parent column holding text.

``label_columns`` finds rater arrays, label names, or a bare table of shares, with the cells counted as
they pass instead of gathered per column (the tests hold it to a reading of every cell at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from moderator.core.importing.formats.csv_labels import MAX_OPTIONS
from moderator.core.importing.formats.label_names import is_fraction_name, is_label_name, is_rater_array_name, is_share, snake
from moderator.core.importing.formats.rater_arrays import MAX_RATERS, parse_array
from moderator.core.importing.sources.spill import Spill

Rows = Iterable[tuple[int, Sequence[str]]]  # (line, cells) of every row, in file order; may be iterated again

ID_LENGTH = 64  # a longer parent "id" is text
_PARENT_EITHER = frozenset({"parent", "parent_comment", "parent_post"})


class _Cells:
    """Counts over one column's filled cells: as rater arrays (``rater_arrays.is_rater_array_column``) and as shares."""

    __slots__ = ("arrays", "strays", "answers", "filled", "not_shares")

    def __init__(self) -> None:
        self.arrays = self.strays = self.filled = self.not_shares = 0
        self.answers: set[str] | None = set()  # None: more distinct answers than a label has

    def add(self, cell: str) -> None:
        cell = cell.strip()
        if not cell:
            return
        self.filled += 1
        if not is_share(cell):
            self.not_shares += 1
        if self.answers is None:
            return
        values = parse_array(cell)
        if values is None or len(values) > MAX_RATERS:
            self.strays += 1
            return
        self.arrays += 1
        self.answers.update(v for v in values if v is not None)
        if len(self.answers) > MAX_OPTIONS:
            self.answers = None

    def rater_arrays(self, numbers_only: bool) -> bool:
        answers, strays = self.answers, self.strays
        if not answers or strays > max(1, (self.arrays + strays) // 20) or strays >= self.arrays:
            return False
        return not numbers_only or all(v.lstrip("+-").isdigit() for v in answers)

    def shares(self) -> bool:
        stray = self.not_shares
        return bool(self.filled) and stray <= max(1, self.filled // 20) and stray < self.filled - stray


def label_columns(header: Sequence[str], rows: Rows, skip: set[int]) -> tuple[list[int], list[int], set[int]]:
    """(aggregated label columns, rater-array columns, the aggregated ones that hold shares) among the
    columns not in ``skip``, as header indexes."""
    candidates = [i for i in range(len(header)) if i not in skip]
    if not candidates:
        return [], [], set()
    counts = {i: _Cells() for i in candidates}
    for _, row in rows:
        for i, cells in counts.items():
            cells.add(row[i])
    arrays = [i for i in candidates if counts[i].rater_arrays(numbers_only=not is_rater_array_name(header[i]))]
    scalars = [i for i in candidates if i not in arrays and is_label_name(header[i])]
    shares = {i for i in scalars if is_fraction_name(header[i])}
    if not scalars:
        rest = [i for i in candidates if i not in arrays]
        # A bare table of shares: every other column holds numbers in [0, 1] (a stray cell aside).
        scalars = rest if rest and all(counts[i].shares() for i in rest) else []
        shares = set(scalars)
    return scalars, arrays, shares


def holds_text(column: str, rows: Rows, at: int) -> bool:
    """Whether a ``parent`` column holds the parent's text rather than its id: a cell with a space, or a long one."""
    if column.strip().lower() not in _PARENT_EITHER and snake(column) not in _PARENT_EITHER:
        return False
    return any(" " in row[at].strip() or "\n" in row[at] or len(row[at].strip()) > ID_LENGTH for _, row in rows)


def row_ids(header: Sequence[str], rows: Rows, mapped: set[int], spill: Spill) -> bool:
    """Whether an unmapped column (``id``, ``*_id``) gives every row a value of its own (CrowdFlower's ``_unit_id``)."""
    for i, column in enumerate(header):
        key = snake(column)
        if i in mapped or not (key == "id" or key.endswith("_id")):
            continue
        if all(row[i].strip() for _, row in rows) and spill.distinct(row[i].strip() for _, row in rows):
            return True
    return False
