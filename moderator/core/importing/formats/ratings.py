"""Ratings tables: one row per rating (item id, text, annotator id, labels, annotator attributes).

The shape of Measuring Hate Speech and similar releases, as CSV, TSV, JSON lines or Parquet
(``sources.tables``). Every rated item becomes ONE comment (its text kept once, from its first row), in
one thread per file, or per value of a ``thread`` column, titled by the file's stem. Every rating
becomes a prior label of the pseudo-annotator ``"<stem>/<annotator id>"`` (the stem names the dataset,
as LeWiDi's importer does), and the annotator's attribute columns (``annotator_*``, or ``--map
attribute=…``) become that pseudo-annotator's profile (``ThreadDraft.annotator_profiles``).

Columns are found by name (``ratings_columns``) or mapped with ``--map``. The rest are judged by their
values over the whole file (``label_types``), read twice rather than held in memory, the ratings staged
on disk and built into comments an item at a time (``ratings_reader``, ``ratings_items``):

* label columns (``--map label=…``, else those whose values vary within an item and look like labels,
  or whose name says so) become questions of the schema ``"ratings-<stem>"``: 0/1 nominal, integer
  scales ordinal (every integer from the lowest to the highest), a few words nominal, other numbers a
  text question kept as written;
* columns constant within every item go into the comment's metadata (a per-item score such as
  ``hate_speech_score`` too); other columns (a rating's timestamp…) are left out, and named in the notes.

Quirks (a warning, or with ``--strict`` the file's refusal): an item whose text differs between its
rows (the first kept), a rating given twice (identical: counted once; different: the later kept), an
annotator whose attributes differ between rows (the first kept), a row without item id, annotator id
or text (left out). Errors name the row's line (CSV, JSON lines) or its row number (Parquet).
"""

from __future__ import annotations

from collections.abc import Iterator

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.formats import label_types as types
from moderator.core.importing.formats.ratings_columns import detect, resolve
from moderator.core.importing.formats.ratings_reader import NAME, RatingsReader
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.tables import open_table, sample
from moderator.core.progress import Progress

__all__ = ["EXTENSIONS", "NAME", "STREAMS", "SURE", "parse", "sniff"]

STREAMS = True  # threads are yielded one by one, and ``progress`` covers the whole import (see writer)
EXTENSIONS = (".parquet",)  # CSV, TSV and JSON lines are told from the other tables by content
SURE = 0.98  # an annotator column, and an item rated twice or annotators with several items: above csv's and jsonl's guesses


def sniff(source: SourceText) -> float:
    found = sample(source)
    if found is None:
        return 0.0
    header, rows = found
    roles = detect(header).roles
    if "annotator" not in roles or "text" not in roles:
        return 0.3 if source.compressed == "parquet" else 0.0  # no other format reads Parquet
    items = _values(rows, roles.get("item", roles["text"]))
    if len(set(items)) < len(items):
        return SURE
    # Listed by annotator (Measuring Hate Speech may be), the start rates no item twice: several annotators
    # who each rated several items say the same. One annotator alone may be a coding sheet: csv decides.
    people = _values(rows, roles["annotator"])
    return SURE if len(set(people)) >= 2 and len(set(people)) < len(people) else 0.6


def _values(rows: list[list], at: int) -> list[str]:
    keys = [types.ident(row[at]) for row in rows if at < len(row)]
    return [k for k in keys if k is not None]


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    """Read the table twice (column types, then ratings staged on disk) and yield its threads, a long one in
    parts; a bad row fails the file before its first thread."""
    options = options or ImportOptions()
    table = open_table(source)
    columns = resolve(source.name, table.header_line, table.header, options.mapping)
    yield from RatingsReader(table, columns, options).threads(progress)
