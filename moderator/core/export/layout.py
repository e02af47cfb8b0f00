"""The typed columns of an export: one per label question, the same type in every row.

Dataset loaders (``datasets``, pandas, Arrow) need a column to hold one type throughout, so answers are
not exported as free-form dicts: every question of the schema versions in use becomes a column whose
type comes from its options (all integers → int, all numbers → float, else string; a multi question is
a list of those; a text question a string). A value that does not fit its column (an old or hand-made
row) is exported as text when the column is text, else left out (null).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, union

from moderator.core.schema.definition import CHOICE_KINDS, load_schema
from moderator.core.store.settings import active_schema_id
from moderator.core.store.tables import Annotation, GoldLabel, LabelSchemaRow

VALUE_KINDS = ("ordinal", "nominal", "multi", "text")


@dataclass
class LabelColumn:
    id: str
    kind: str
    label: str
    options: list[Any]
    guideline: str
    schemas: set[int]  # schema row ids that ask this question

    @property
    def scalar(self) -> str:
        """ "int", "float" or "str": the type of one answer (a multi question's list holds these)."""
        if self.kind == "text" or not self.options:
            return "str"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in self.options):
            return "int"
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.options):
            return "float"
        return "str"

    @property
    def choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    def fit(self, value: Any, asked: bool) -> Any:
        """``value`` as this column's type; an unanswered multi question asked by the row's schema is []."""
        if self.kind == "multi":
            if value is None or value == []:
                return [] if asked else None
            items = value if isinstance(value, list) else [value]
            return [v for v in (self._one(x) for x in items) if v is not None]
        return self._one(value)

    def _one(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        scalar = self.scalar
        if scalar == "str":
            return value if isinstance(value, str) else str(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if scalar == "int":
            return value if isinstance(value, int) else (int(value) if float(value).is_integer() else None)
        return float(value)


def used_schema_ids(conn: Connection) -> list[int]:
    """Schema versions of the labels and gold labels in the database; the active one when there are none."""
    ids = set(conn.scalars(union(select(Annotation.schema_id).distinct(), select(GoldLabel.schema_id).distinct())))
    if not ids:
        active = active_schema_id(conn)
        ids = {active} if active is not None else set()
    return sorted(ids)


def label_columns(conn: Connection) -> list[LabelColumn]:
    """Value questions of the schema versions in use, newest version first for order, kind and label."""
    ids = used_schema_ids(conn)
    definitions = conn.execute(select(LabelSchemaRow.id, LabelSchemaRow.definition).where(LabelSchemaRow.id.in_(ids))).all()
    if not definitions:  # a fresh database: the bundled default, so the columns exist even with no rows
        definitions = [(0, load_schema().definition)]
    found: dict[str, LabelColumn] = {}
    for schema_id, definition in sorted(definitions, key=lambda d: -d[0]):
        for q in definition.get("questions", []):
            if q.get("kind") not in VALUE_KINDS:
                continue
            values = [o.get("value") for o in q.get("options", [])]
            column = found.setdefault(
                q["id"], LabelColumn(q["id"], q["kind"], q.get("label") or q["id"], [], q.get("guideline", "").strip(), set())
            )
            column.options += [v for v in values if v not in column.options]
            column.schemas.add(schema_id)
    return list(found.values())


def arrow_scalar(column: LabelColumn):
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}[column.scalar]


def arrow_value_type(column: LabelColumn):
    import pyarrow as pa

    scalar = arrow_scalar(column)
    return pa.list_(scalar) if column.kind == "multi" else scalar


def utc_times(stored: list | tuple, arrow_type):
    """Times of a ``columns`` page (UTC text without the zone, pages.py) as an Arrow array of ``arrow_type``."""
    import pyarrow as pa

    return pa.array(stored, pa.string()).cast(pa.timestamp("us")).cast(arrow_type)  # naive, then said to be UTC
