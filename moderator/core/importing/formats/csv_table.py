"""CSV/TSV importer: a header row, then one comment per row, grouped into threads by a column.

Columns are found by name, named by the import's ``--map`` (``options.mapping``: those roles override
the guess, the rest is still guessed) or given whole (``ColumnMap``) so a GUI or CLI can override the
guess (``table_header``). Every row is read and checked before the first thread is yielded, and
every error names the physical line where the bad row starts. The delimiter is sniffed (comma, tab,
semicolon or bar).

A thread's rows may be anywhere in the file, so the rows wait on disk (``Spill``), keyed by thread; the
columns are judged from them there (``table_columns``, ``table_labels``), then the threads are built and
yielded one at a time, in order of their first row: memory holds one thread, not the table.

* Replies: a parent id column links a row to the comment with that id in its thread; a parent text
  column (``parent_text``..., or a ``parent``/``parent_post`` column whose cells are text, not ids)
  links it to a context comment holding that text (``table_threads``).
* Labels (``csv_labels``, ``table_labels``): aggregated label columns and rater arrays become prior labels.
* Rows that repeat one comment (same text, author and parent, and no comment id column nor a column
  of unique row ids, such as CrowdFlower's ``_unit_id``, to tell them apart) become one comment, with
  a warning.
* Every other column is kept in each comment's metadata (``options.notes.metadata_columns``), except
  a row index a data frame library wrote (``Unnamed: 0``), which is left out (``notes.ignored_columns``).
"""

from __future__ import annotations

import csv
import operator
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from itertools import islice
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.csv_labels import explicit_label_columns
from moderator.core.importing.formats.label_names import is_index_column
from moderator.core.importing.formats.ratings_columns import detect as detect_ratings
from moderator.core.importing.formats.table_columns import holds_text, label_columns, row_ids
from moderator.core.importing.formats.table_header import (
    FIELDS,
    TEXT_NAMES,
    ColumnMap,
    columns_of,
    detect_columns,
    kept_columns,
    listed,
    map_overrides,
)
from moderator.core.importing.formats.table_labels import plan_labels
from moderator.core.importing.formats.table_part_plan import linked_part, plan_parts, rows_in
from moderator.core.importing.formats.table_rows import SOURCE, Table, cell, row_comment, row_labels, row_time, thread_draft
from moderator.core.importing.formats.table_threads import TableThread, merged_warning
from moderator.core.importing.formats.table_wide import WideCells, settle_title
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.sources.json_lines import paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.spill import Spill
from moderator.core.importing.sources.tables import FIELD_LIMIT, row_error
from moderator.core.progress import Progress, Stepped

NAME = SOURCE
EXTENSIONS = (".csv", ".tsv")
STREAMS = True  # threads are yielded one by one, and ``progress`` covers the whole import (see writer)
READ_SHARE = 0.25  # reading and checking the rows: the rest is building (and writing) the threads
PART = 5000  # comments per draft of a long thread nothing links within

# csv.Sniffer's regexes are quadratic: 64 KB of nested quotes took 7 s, 8 KB takes 0.05 s.
SNIFF_CHARS = 8192


def sniff(source: SourceText) -> float:
    first = next(source.lines(), "").removesuffix("\n")  # the file is read no further than its first line
    for delimiter in (",", "\t", ";", "|"):
        try:
            header = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        # One column is not evidence of a table: a pasted thread may start with the word "Comment".
        if len(header) >= 2 and detect_columns(header).text is not None:
            return 0.9
    return 0.0


def parse(
    source: SourceText,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
    columns: ColumnMap | None = None,
) -> Iterator[ThreadDraft]:
    """The threads of a table; ``columns`` replaces the detection, ``options.mapping`` overrides part of it."""
    options = options or ImportOptions()
    overrides = None if columns is not None else map_overrides(source.name, options.mapping)
    with Spill() as spill:  # the rows wait on disk, so memory holds one thread at a time
        previous = csv.field_size_limit(FIELD_LIMIT)
        try:
            with paused_gc():
                table = _read(source, progress, columns, overrides, options, spill)
        finally:
            csv.field_size_limit(previous)  # the limit is process-wide; leave it as we found it
        yield from _threads(table, spill, progress, options)
    if progress is not None:
        progress(1.0)


def _delimiters(source: SourceText) -> list[str]:
    """Delimiters to try: the sniffed one first, then the extension's default, the other one, semicolon, bar."""
    tsv = PurePath(source.name).suffix.lower() == ".tsv"
    order = ["\t", ","] if tsv else [",", "\t"]
    head = source.head(SNIFF_CHARS + 1)
    sample = head[:SNIFF_CHARS]
    if len(head) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        # Only the delimiter is taken: the Sniffer often guesses quoting wrong on long quoted cells.
        sniffed = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        order.insert(0, sniffed)
    except csv.Error:
        pass
    return list(dict.fromkeys(order + [";", "|"]))


def _open(source: SourceText, delimiter: str) -> tuple[csv.Reader, list[str], int]:  # type: ignore[name-defined]
    """A reader positioned after the header, the header and its line (leading blank lines skipped)."""
    reader = csv.reader(source.lines(), delimiter=delimiter, strict=True)  # the file is read as the rows are
    while True:
        line = reader.line_num + 1
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFailure(source.name, 1, "no header row") from None
        except csv.Error as exc:
            raise row_error(source.name, line, exc) from None
        if any(cell.strip() for cell in header):
            return reader, header, line


def _choose(
    source: SourceText, columns: ColumnMap | None, overrides: dict[str, Any] | None
) -> tuple[csv.Reader, list[str], int, ColumnMap]:  # type: ignore[name-defined]
    """Open the file with the first delimiter whose header has the text column (given or detected)."""
    first: tuple[list[str], int] | None = None
    for delimiter in _delimiters(source):
        try:
            reader, header, line = _open(source, delimiter)
        except ImportFailure:
            if first is None:
                raise
            continue
        first = first or (header, line)
        try:
            mapping = columns_of(source.name, line, header, columns, overrides)
        except ImportFailure:
            continue
        if mapping.text is not None:
            return reader, header, line, mapping
    assert first is not None
    header, line = first
    columns_of(source.name, line, header, columns, overrides)  # raises, naming a missing column
    found = listed(header)
    raise ImportFailure(
        source.name, line, f"no comment text column (looked for {', '.join(TEXT_NAMES)}); the header has: {found}"
    )


def _read(
    source: SourceText, progress: Progress | None, columns: ColumnMap | None, overrides: dict[str, Any] | None,
    options: ImportOptions, spill: Spill,
) -> Table:  # fmt: skip
    """Check every row and stage those with text in ``spill`` by thread, then judge the columns from them."""
    name = source.name
    reader, header, header_line, cols = _choose(source, columns, overrides)
    width = len(header)
    keep = kept_columns(name, header, cols, options)  # None: all; else each row is cut to these columns
    pick = None if keep is None else operator.itemgetter(*keep)
    if keep is not None:
        header = [header[i] for i in keep]
    index = {f: (header.index(getattr(cols, f)) if getattr(cols, f) else None) for f in FIELDS}
    text_at, thread_at, created_at = index["text"], index["thread"], index["created_at"]
    report = Stepped(progress, source.line_count, share=READ_SHARE)
    any_rows = False
    while True:
        line = reader.line_num + 1  # the row starts on the line after the last one read
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise row_error(name, line, exc) from None
        report(line)
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            more = "more" if len(row) > width else "fewer"
            raise ImportFailure(name, line, f"this row has {len(row)} fields, {more} than the {width} columns of the header")
        if pick is not None:
            row = pick(row)
        any_rows = True
        key = row[thread_at].strip() if thread_at is not None else ""
        spill.thread(key, line)
        if not row[text_at].strip():
            spill.skip(key)
            continue
        row_time(name, line, row, created_at, options)  # a bad time is warned about now, in file order
        spill.add(key, line, row)
    if not any_rows:
        raise ImportFailure(name, header_line, "no rows: the file has a header but no comments")
    if not spill.count:
        raise ImportFailure(name, header_line, f"no rows with comment text in column {cols.text!r}")
    rows = _Staged(spill)
    explicit_parent = (columns is not None and columns.parent is not None) or bool(overrides and "parent" in overrides)
    if index["parent"] is not None and not explicit_parent and holds_text(header[index["parent"]], rows, index["parent"]):
        if index["parent_text"] is None:
            index["parent_text"] = index["parent"]
        index["parent"] = None
    mapped = {i for i in index.values() if i is not None}
    ignored = [i for i in range(len(header)) if i not in mapped and is_index_column(header[i], (r[i] for _, r in rows))]
    if cols.labels is not None:
        label_columns_ = explicit_label_columns(header, rows, [header.index(c) for c in cols.labels])
    else:
        label_columns_ = label_columns(header, rows, mapped | set(ignored))
    labels = plan_labels(name, header_line, header, rows, spill.count, label_columns_, cols.labels is not None, options)
    extra = [(i, c.strip() or f"column_{i + 1}") for i, c in enumerate(header) if i not in mapped and i not in ignored]
    options.notes.metadata_columns = [key for _, key in extra]
    options.notes.ignored_columns = [header[i].strip() or f"column_{i + 1}" for i in ignored]
    merge = index["comment_id"] is None and not row_ids(header, rows, mapped, spill)
    rated = "annotator" in detect_ratings(header).roles
    return Table(name, PurePath(name).stem or name, index, extra, merge, labels, spill.count, rated)


class _Staged:
    """The staged rows as a sequence the column checks can read (again), from disk."""

    def __init__(self, spill: Spill):
        self.spill = spill

    def __len__(self) -> int:
        return self.spill.count

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self.spill.items()  # type: ignore[return-value]


def _threads(table: Table, spill: Spill, progress: Progress | None, options: ImportOptions) -> Iterator[ThreadDraft]:
    """Each thread's draft, built from its staged rows, in order of its first line (blank rows count); a long
    thread whose links can be found on disk first (``plan_parts``: none, parent ids, parent texts, repeated rows)
    in parts of ``PART`` comments, read from disk as it goes."""
    bound = MetadataBound()
    merged: list[int] = []
    done = 0
    report = Stepped(progress, table.rows, READ_SHARE, 1 - READ_SHARE)
    with _ratings_hint(table):  # a table that is refused is refused here, where reading it whole would refuse it
        plan = plan_parts(table, spill, PART)
    if plan is not None:
        wide = None  # title, url, article: every part gets its whole thread's (they make its identity)
        if any(table.index[f] is not None for f in ("title", "url", "article")):
            wide = WideCells(spill, table.index, spill.items())
        labels = partial(row_labels, table, bound)
        try:
            for key, first, skipped, lazy in plan.threads():
                of_rows = plan.parents.parents(key) if plan.parents is not None else None
                orphans = 0
                for k, rows in enumerate(_chunks(lazy, PART)):
                    done += rows_in(rows)
                    with paused_gc():
                        if of_rows is None:
                            thread = _build(table, key, rows, options, bound)
                            draft = thread.pending.draft
                            done += plan.merge(table.name, draft.comments, labels)  # as read whole: merged, then linked
                            link_replies(table.name, thread.pending)
                            orphans += draft.metadata.pop("orphans", 0)  # parent ids naming no row
                            if orphans:  # the whole thread's so far, as linked_part gives them
                                draft.metadata["orphans"] = orphans
                        else:
                            draft, orphans, merged_rows = linked_part(
                                table, key, rows, bound, plan, of_rows, k * PART, orphans, labels
                            )
                            done += merged_rows
                        if wide is not None:
                            wide.settle(key, draft)
                    del rows
                    yield _settled(table, draft, first, skipped, continues=k > 0)
                    report(done)
                if plan.repeats is not None:
                    merged += plan.repeats.thread_done(table.name, options)
        finally:
            plan.close()
    else:
        for key, first, skipped, rows in spill.threads():
            with paused_gc(), _ratings_hint(table):
                thread = _build(table, key, rows, options, bound)
                link_replies(table.name, thread.pending)
            merged += thread.merged
            done += len(rows)
            del rows
            yield _settled(table, thread.pending.draft, first, skipped)
            report(done)
    warning = bound.warning(table.name)
    if warning:
        options.notes.warnings.append(warning)
    warning = merged_warning(table.name, merged)
    if warning:
        options.notes.warnings.append(warning)


@contextmanager
def _ratings_hint(table: Table) -> Iterator[None]:
    """A comment id twice in a thread of a table with an annotator column: most likely one row per rating,
    listed so that the sample the format was told from had no item twice (by annotator): say so."""
    try:
        yield
    except ImportFailure as exc:
        if not table.rated or not exc.reason.startswith("duplicate comment id"):
            raise
        raise ImportFailure(exc.path, exc.line, f"{exc.reason}; with its annotator column this looks like a ratings "
                            "table (one row per rating): import it with --format ratings") from None  # fmt: skip


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _settled(table: Table, draft: ThreadDraft, first: int, skipped: int, continues: bool = False) -> ThreadDraft:
    draft.line = first
    if skipped:
        draft.metadata["skipped_empty_rows"] = skipped
    draft.prior_schema = table.labels.schema if table.labels is not None else None
    draft.continues = continues
    return draft


def _build(
    table: Table, key: str, rows: list[tuple[int, list[str]]], options: ImportOptions, bound: MetadataBound
) -> TableThread:
    """One thread's rows (``(line, cells)``, in file order) as its comments; ``rows`` is emptied on the way
    (each row let go once it is a comment, so a large thread is not held twice)."""
    name, index = table.name, table.index
    title_at = index["title"]
    draft = thread_draft(table, key, rows[0][0])
    thread = TableThread(PendingThread(draft), table.merge)
    titles: Counter[str] = Counter()
    for k in range(len(rows)):
        line, row = rows[k]
        rows[k] = None  # type: ignore[call-overload]
        if title_at is not None and row[title_at].strip():
            titles[row[title_at].strip()] += 1
        if index["url"] is not None and draft.url is None and row[index["url"]].strip():
            draft.url = row[index["url"]].strip()
        if index["article"] is not None and not draft.article and row[index["article"]].strip():
            draft.article = row[index["article"]]
        comment = row_comment(table, line, row, bound)
        parent_text = row[index["parent_text"]] if index["parent_text"] is not None else None
        thread.add(
            name,
            line,
            comment,
            cell(row, index["parent"]),
            parent_text if parent_text and parent_text.strip() else None,
            options,
        )
    settle_title(draft, titles)
    return thread
