"""Export the dataset as JSONL, CSV or Parquet, one record per comment or per annotation.

Blind labelling holds here too: an annotator's export carries only their own labels (and no majority,
soft labels or gold); a reviewer, an admin or no viewer at all (a solo project's own file) gets
everyone's. Authors and annotators are pseudonymised (keyed hashes, see pseudonyms.py) unless
``keep_authors`` / ``keep_annotators``; personal data in the texts (e-mail and IP addresses, phone numbers,
profile URLs, user names) becomes placeholders unless ``scrub=False`` (see scrub.py). ``scrubbed``, when
given, receives what was scrubbed (the dataset card reports it).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, func, select

from moderator.core.export.layout import label_columns
from moderator.core.export.pages import pages
from moderator.core.export.parallel import parallel_worth, write_parallel
from moderator.core.export.pseudonyms import AnnotatorPseudonyms, Pseudonyms, project_secret
from moderator.core.export.records import LEVELS, LineBuilder, record_fields
from moderator.core.export.scrub import Scrubber, ScrubCounts
from moderator.core.progress import Cancelled, Progress
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account

FORMATS = ("jsonl", "csv", "parquet")
# OWASP: a cell starting with one of these is a formula to a spreadsheet; a leading ' makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportCancelled(Exception):
    """The user stopped the export; export_file has removed its partial file."""


class Export:
    """One export's setup (who sees what, the label columns, the pseudonyms), then its pages of lines."""

    def __init__(
        self, engine: Engine, viewer: Account | None = None, *, level: str = "comment", keep_authors: bool = False,
        keep_annotators: bool = False, scrub: bool = True, scrubbed: ScrubCounts | None = None,
    ):  # fmt: skip
        if level not in LEVELS:
            raise ValueError(f"unknown export level {level!r} (known: {', '.join(LEVELS)})")
        self.engine, self.level = engine, level
        self.sees_all = viewer is None or viewer.sees_all
        self.annotator_id = None if self.sees_all else viewer.id
        with engine.connect() as conn:
            self.columns = label_columns(conn)
            self.total = conn.scalar(select(func.count()).select_from(Comment)) or 0
        self.fields = record_fields(self.columns, level, self.sees_all)
        secret = self.secret = project_secret(engine)
        self.keep_authors, self.keep_annotators = keep_authors, keep_annotators
        annotators = AnnotatorPseudonyms(secret, keep=keep_annotators)
        self.scrubber = Scrubber(scrubbed) if scrub else None
        if not scrub and scrubbed is not None:
            scrubbed.scrubbed = False
        self.builder = LineBuilder(
            self.columns, Pseudonyms(secret), annotators, keep_authors=keep_authors, sees_all=self.sees_all,
            scrubber=self.scrubber,
        )  # fmt: skip

    def pages(self, progress: Progress | None = None, columns: bool = False, provenance: bool = False):
        """Pages of driver tuples (see pages.py): the comments' fields as JSON objects, or as ``columns``;
        the annotations' provenance when asked."""
        done = 0
        texts = self.scrubber is not None and not columns  # JSON rows carry their texts apart, to scrub them
        for page in pages(self.engine, self.annotator_id, columns=columns, texts=texts, provenance=provenance):
            yield page
            done += len(page.comments)
            if progress and self.total:
                progress(min(1.0, done / self.total))

    def line_pages(self, progress: Progress | None = None) -> Iterator[list[str]]:
        """The JSON lines, a page at a time (a page of comments; its annotations at annotation level)."""
        for page in self.pages(progress):
            yield list(self.builder.lines(page, self.level))

    def records(self, progress: Progress | None = None) -> Iterator[dict[str, Any]]:
        for lines in self.line_pages(progress):
            yield from map(json.loads, lines)


def iter_records(
    engine: Engine,
    progress: Progress | None = None,
    viewer: Account | None = None,
    *,
    level: str = "comment",
    keep_authors: bool = False,
    keep_annotators: bool = False,
    scrub: bool = True,
) -> Iterator[dict[str, Any]]:
    """Every record in thread order (keyset pages on (thread_id, position), never OFFSET)."""
    return Export(engine, viewer, level=level, keep_authors=keep_authors, keep_annotators=keep_annotators, scrub=scrub).records(
        progress
    )


def write_export(
    engine: Engine, out: IO, fmt: str, progress: Progress | None = None, viewer: Account | None = None,
    *, level: str = "comment", keep_authors: bool = False, keep_annotators: bool = False, scrub: bool = True,
    scrubbed: ScrubCounts | None = None,
) -> int:  # fmt: skip
    """Write every record to ``out`` (text for jsonl/csv, binary for parquet); returns the number of records."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    export = Export(engine, viewer, level=level, keep_authors=keep_authors, keep_annotators=keep_annotators, scrub=scrub,
                    scrubbed=scrubbed)  # fmt: skip
    return _write(export, out, fmt, progress)


def _write(export: Export, out: IO, fmt: str, progress: Progress | None) -> int:
    if fmt == "parquet":
        from moderator.core.export.parquet import write_parquet

        return write_parquet(export, out, progress)
    if fmt == "csv":
        return _write_csv(export, out, progress)
    count = 0
    for lines in export.line_pages(progress):
        out.write("".join(lines))
        count += len(lines)
    return count


def export_file(
    engine: Engine, path: str | Path, fmt: str, progress: Progress | None = None, viewer: Account | None = None,
    *, level: str = "comment", keep_authors: bool = False, keep_annotators: bool = False, cancelled: Cancelled | None = None,
    scrub: bool = True, scrubbed: ScrubCounts | None = None,
) -> int:  # fmt: skip
    """Write the export to ``path`` through ``path.part``, renamed at the end: never half a file under the real name.
    A big JSONL or Parquet export is written by two processes (parallel.py), into the same bytes.

    When ``cancelled()`` turns true, ExportCancelled is raised after the page being written and nothing is kept.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    second = path.with_name(path.name + ".part2")  # the second process's records, copied into tmp
    path.parent.mkdir(parents=True, exist_ok=True)  # `--out release/data.parquet` makes release/
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    try:
        report = stopping(progress, cancelled)
        export = Export(engine, viewer, level=level, keep_authors=keep_authors, keep_annotators=keep_annotators, scrub=scrub,
                        scrubbed=scrubbed)  # fmt: skip
        if parallel_worth(export, fmt):
            with open(tmp, "wb") as out:
                count = write_parallel(export, fmt, out, second, report)
        else:
            with open(tmp, "wb") if fmt == "parquet" else open(tmp, "w", encoding="utf-8", newline="") as out:
                count = _write(export, out, fmt, report)
        if cancelled is not None and cancelled():  # an empty project reports no page to stop at
            raise ExportCancelled()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        second.unlink(missing_ok=True)
    tmp.replace(path)
    return count


def stopping(progress: Progress | None, cancelled: Cancelled | None) -> Progress | None:
    """``progress``, which also raises ExportCancelled once ``cancelled()``: every format reports after each page."""
    if cancelled is None:
        return progress

    def report(fraction: float) -> None:
        if progress is not None:
            progress(fraction)
        if cancelled():
            raise ExportCancelled()

    return report


def neutralise(cell: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made inert (OWASP CSV injection rule)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _csv_cell(value: Any) -> Any:
    # Nested values travel as JSON text in their cells, so nothing is lost.
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return neutralise(value)


def _write_csv(export: Export, out: IO[str], progress: Progress) -> int:
    writer = csv.writer(out)
    writer.writerow(export.fields)
    count = 0
    for record in export.records(progress):
        writer.writerow([_csv_cell(record[f]) for f in export.fields])
        count += 1
    return count
