"""What the values of a table column are: binary, an integer scale, a few categories, numbers or free text.

Cells are first made comparable across CSV (strings), JSON and Parquet (typed values) by ``normal``:
"", NaN and "NA" (as pandas and R write a missing value) are missing, "true"/"false" booleans, "2" and
2.0 the integer 2, "0.25" the float 0.25. ``ColumnStats`` then sees every value of one column (bounded
memory: a few dozen distinct values, and each item's value only until the column varies within an
item), and ``infer`` names its type:

* binary: only 0/1 or true/false → a nominal question with options 0 and 1;
* ordinal: integers spanning at most ``MAX_SCALE`` values → an ordinal question listing every integer
  from the lowest to the highest, so Krippendorff's ordinal α sees the scale's full order;
* categorical: at most ``MAX_OPTIONS`` short strings → a nominal question;
* numeric: other numbers (fractions, a 0–100 slider) → no options can hold them: a text question whose
  answers are the numbers as written (agreement leaves text questions out), or metadata;
* free: long or many strings → never a label.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

MAX_SCALE = 11  # an ordinal scale of at most 11 integers (0–10)
MAX_OPTIONS = 12  # more distinct words than this is free text, not a label
MAX_OPTION_LENGTH = 40
_KEEP = 64  # distinct values remembered per column; more means "many"
_KNOWN = 4096  # raw cells remembered per column with their normal value
_MISSING = object()

_INT = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_BOOLS = {"true": True, "false": False}
# How pandas, R and spreadsheets write a missing value (exactly so: "none" or "na" may be an answer).
_ABSENT = frozenset({"nan", "NaN", "NA", "N/A", "#N/A", "NULL", "null"})


def normal(cell: Any) -> Any:
    """A cell as a comparable value: None (missing), bool, int, float or str (stripped)."""
    if cell is None:
        return None
    kind = type(cell)
    if kind is str:
        text = cell.strip()
        if not text:
            return None
        if text in _ABSENT:
            return None
        lower = text.lower()
        if lower in _BOOLS:
            return _BOOLS[lower]
        if _INT.match(text):
            return int(text)
        if _NUMBER.match(text):
            return _number(float(text))
        return text
    if kind is bool or kind is int:
        return cell
    if kind is float or kind is Decimal:
        return _number(float(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    if isinstance(cell, bytes):
        return cell.decode("utf-8", "replace")
    return json.dumps(cell, ensure_ascii=False, sort_keys=True, default=str)  # a list or an object


def _number(value: float) -> int | float | None:
    if not math.isfinite(value):
        return None  # NaN and infinities: missing (no database stores them as JSON)
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def normalizer(limit: int = 100_000) -> Callable[[Any], Any]:
    """``normal``, memoised for string cells: a CSV repeats "0", "True", "female"… on every row."""
    cache: dict[str, Any] = {}
    get = cache.get
    missing = object()

    def norm(cell: Any) -> Any:
        if type(cell) is not str:
            return normal(cell)
        value = get(cell, missing)
        if value is missing:
            value = normal(cell)
            if len(cache) < limit:
                cache[cell] = value
        return value

    return norm


def ident(cell: Any) -> str | None:
    """An id as text: a string as written (stripped), a number without a trailing ".0"; None if blank."""
    if type(cell) is str:
        return cell.strip() or None
    value = normal(cell)
    return None if value is None else canonical(value)


def canonical(value: Any) -> str:
    """A normal value as an option string: true/false, 2, 0.25, the text."""
    if type(value) is bool:
        return "true" if value else "false"
    return str(value)


def as_written(cell: Any, value: Any) -> str:
    """A number as the source wrote it (a CSV cell stripped; a typed value by ``canonical``)."""
    return cell.strip() if type(cell) is str else canonical(value)


_TRUE, _FALSE = ("bool", True), ("bool", False)  # set keys that keep True apart from 1


class ColumnStats:
    """What one column's values look like, gathered a row at a time from its raw cells.

    Each distinct raw cell is normalised and looked at once (a CSV column of labels has a handful);
    every cell is then one dictionary lookup, plus one more while the column may still be constant
    within every item.
    """

    __slots__ = (
        "known", "values", "many", "bools", "ints", "floats", "texts", "longest", "low", "high", "seen", "varies",
        "may_label",
    )  # fmt: skip

    def __init__(self, may_label: bool = True) -> None:
        self.known: dict[Any, Any] = {}  # raw cell → its key (None: missing), for the first _KNOWN cells
        self.values: set[Any] = set()  # distinct values (booleans as _TRUE/_FALSE), until there are many
        self.many = False  # more than _KEEP distinct values
        self.bools = self.ints = self.floats = self.texts = 0  # distinct cells of each type
        self.longest = 0
        self.low: int | None = None
        self.high: int | None = None
        self.seen: dict[int, Any] | None = {}  # item index → its value; None once the column varies
        self.varies = False  # two ratings of one item differ
        self.may_label = may_label  # named (or mapped) as a label: numbers beyond a scale count too

    def add(self, item: int, cell: Any) -> None:
        try:
            key = self.known.get(cell, _MISSING)
        except TypeError:  # a list or an object from JSON or Parquet
            key = _MISSING
        if key is _MISSING:
            key = self._learn(cell)
        if key is None:
            return
        seen = self.seen
        if seen is not None and seen.setdefault(item, key) != key:
            self.varies, self.seen = True, None

    def _learn(self, cell: Any) -> Any:
        value = normal(cell)
        kind = type(value)
        key = value
        if value is None:
            pass
        elif kind is int:
            self.ints += 1
            if self.low is None or value < self.low:
                self.low = value
            if self.high is None or value > self.high:
                self.high = value
        elif kind is bool:
            self.bools += 1
            key = _TRUE if value else _FALSE
        elif kind is float:
            self.floats += 1
        else:
            self.texts += 1
            self.longest = max(self.longest, len(value))
        if value is not None and not self.many:
            self.values.add(key)
            if len(self.values) > _KEEP:
                self.many, self.values = True, set()
        if len(self.known) < _KNOWN and type(cell) not in (list, dict):
            self.known[cell] = key
        return key

    @property
    def settled(self) -> bool:
        """Many values that vary within an item, and no label by name (or free text): ignored, whatever follows."""
        return self.varies and self.many and (self.texts > 0 or not self.may_label)

    def infer(self) -> str:
        """The column's type: binary, ordinal, categorical, numeric, free or empty."""
        if not (self.bools or self.ints or self.floats or self.texts):
            return "empty"
        if not self.texts and not self.floats and not self.many:
            if self.values <= {0, 1, _TRUE, _FALSE}:
                return "binary"
            if not self.bools and self.high - self.low < MAX_SCALE:
                return "ordinal"
        if not self.texts and not self.bools:
            return "numeric"
        if not self.many and len(self.values) <= MAX_OPTIONS and self.longest <= MAX_OPTION_LENGTH:
            return "categorical"
        return "free"

    def options(self) -> list[str]:
        """The categories of a categorical column, sorted."""
        return sorted({canonical(v[1] if type(v) is tuple else v) for v in self.values})


def label_value(kind: str, cell: Any, value: Any) -> Any:
    """The answer a rating gives to a question of this kind (``value`` is ``normal(cell)``, not None)."""
    if kind == "binary":
        return int(value)
    if kind == "ordinal":
        return value
    if kind == "categorical":
        return canonical(value)
    return as_written(cell, value)  # numeric: the number as written, in a text question


def question(qid: str, column: str, kind: str, stats: ColumnStats, origin: str) -> dict[str, Any]:
    """The schema question of a label column of this kind."""
    guideline = f'Column "{column}" of {origin}, as each annotator answered it'
    if kind == "binary":
        options = [{"value": 0, "label": "No (0)"}, {"value": 1, "label": "Yes (1)"}]
        return {"id": qid, "label": column, "kind": "nominal", "guideline": f"{guideline}: 0 no, 1 yes.", "options": options}
    if kind == "ordinal":
        low, high = stats.low, stats.high
        assert low is not None and high is not None
        if low == high:  # one value only: a scale needs two options
            low, high = min(low, 0), max(high, 1)
        options = [{"value": n, "label": str(n)} for n in range(low, high + 1)]
        return {
            "id": qid, "label": column, "kind": "ordinal",
            "guideline": f"{guideline}: an integer scale from {low} to {high}.", "options": options,
        }  # fmt: skip
    if kind == "categorical":
        words = stats.options()
        if len(words) < 2:
            words.append("(other)")
        options = [{"value": w, "label": w} for w in words]
        return {"id": qid, "label": column, "kind": "nominal", "guideline": f"{guideline}.", "options": options}
    return {"id": qid, "label": column, "kind": "text", "guideline": f"{guideline}: a number, kept as written."}
