"""CSV/TSV importer: a header row, then one comment per row, grouped into threads by a column.

Columns are found by name (``detect_columns``) or given explicitly (``ColumnMap``) so a GUI or CLI
can override the guess. Every row is read and checked before the first thread is yielded, and every
error names the physical line where the bad row starts.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.csv_labels import attach, detect_label_columns
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.sources.json_lines import paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Progress

NAME = "csv"
EXTENSIONS = (".csv", ".tsv")

FIELD_LIMIT = 16 * 1024 * 1024  # one comment cell may be long, but not a whole mis-quoted file
# csv.Sniffer's regexes are quadratic: 64 KB of nested quotes took 7 s, 8 KB takes 0.05 s.
SNIFF_CHARS = 8192

# Candidate header names, best first (compared stripped and lower-cased).
_TEXT = ("text", "comment_text", "comment", "body", "message", "content")
_AUTHOR = ("author", "user", "username", "user_name", "name")
# Stable identifiers first, then URLs, then titles: titles get edited (in the SFU corpus some rows of
# an article carry a " - The Globe and Mail" suffix and others do not), which would split a thread.
_THREAD = ("thread_id", "article_id", "post_id", "thread", "url", "globe_url", "article_url", "title", "article_title")
_COMMENT_ID = ("comment_id", "id")
_PARENT = ("parent_id", "parent", "reply_to")
_CREATED = ("created_at", "timestamp", "date")
_TITLE = ("title", "article_title")
_URL = ("url", "globe_url", "article_url")
_ARTICLE = ("article", "article_text")


@dataclass
class ColumnMap:
    """Which header column holds what; ``None`` means the file has no such column."""

    text: str | None
    author: str | None = None
    thread: str | None = None  # rows with equal values form one thread; None: the whole file is one thread
    comment_id: str | None = None
    parent: str | None = None
    created_at: str | None = None
    title: str | None = None
    url: str | None = None
    article: str | None = None
    # Columns of aggregated labels (majority, mean score...) imported as prior labels; None: found by name.
    labels: tuple[str, ...] | None = None


# The single-column fields (``labels`` is a list of columns).
_FIELDS = ("text", "author", "thread", "comment_id", "parent", "created_at", "title", "url", "article")


def detect_columns(header: Sequence[str]) -> ColumnMap:
    """Guess the columns from header names (case and surrounding spaces ignored)."""
    names: dict[str, str] = {}
    for column in header:
        names.setdefault(column.strip().lower(), column)

    def pick(candidates: tuple[str, ...]) -> str | None:
        return next((names[c] for c in candidates if c in names), None)

    return ColumnMap(
        text=pick(_TEXT),
        author=pick(_AUTHOR),
        thread=pick(_THREAD),
        comment_id=pick(_COMMENT_ID),
        parent=pick(_PARENT),
        created_at=pick(_CREATED),
        title=pick(_TITLE),
        url=pick(_URL),
        article=pick(_ARTICLE),
    )


def sniff(source: SourceText) -> float:
    end = source.text.find("\n")
    first = source.text if end < 0 else source.text[:end]  # not split(): that would copy the whole file
    for delimiter in (",", "\t", ";", "|"):
        try:
            header = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        # One column is not evidence of a table: a pasted thread may start with the word "Comment".
        if len(header) >= 2 and detect_columns(header).text is not None:
            return 0.9
    return 0.0


def parse(source: SourceText, progress: Progress | None = None, columns: ColumnMap | None = None) -> Iterator[ThreadDraft]:
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        with paused_gc():
            threads = _read(source, progress, columns)
            for thread in threads:
                link_replies(source.name, thread)
    finally:
        csv.field_size_limit(previous)  # the limit is process-wide; leave it as we found it
    if progress is not None:
        progress(1.0)
    for thread in threads:
        yield thread.draft


def _delimiters(source: SourceText) -> list[str]:
    """Delimiters to try, the sniffed one first, then the extension's default, then the other one."""
    tsv = PurePath(source.name).suffix.lower() == ".tsv"
    order = ["\t", ","] if tsv else [",", "\t"]
    sample = source.text[:SNIFF_CHARS]
    if len(source.text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        # Only the delimiter is taken: the Sniffer often guesses quoting wrong on long quoted cells.
        sniffed = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        order.insert(0, sniffed)
    except csv.Error:
        pass
    return list(dict.fromkeys(order))


def _open(source: SourceText, delimiter: str) -> tuple[csv.Reader, list[str], int]:  # type: ignore[name-defined]
    """A reader positioned after the header, the header and its line (leading blank lines skipped)."""
    reader = csv.reader(io.StringIO(source.text, newline=""), delimiter=delimiter, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFailure(source.name, 1, "no header row") from None
        except csv.Error as exc:
            raise _row_error(source.name, line, exc) from None
        if any(cell.strip() for cell in header):
            return reader, header, line


def _choose(source: SourceText, columns: ColumnMap | None) -> tuple[csv.Reader, list[str], int, ColumnMap]:  # type: ignore[name-defined]
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
        if columns is None:
            mapping = detect_columns(header)
            if mapping.text is not None:
                return reader, header, line, mapping
        else:
            try:
                return reader, header, line, _resolve(source.name, line, header, columns)
            except ImportFailure:
                continue
    assert first is not None
    header, line = first
    if columns is not None:
        _resolve(source.name, line, header, columns)  # raises, naming the missing column
    found = ", ".join(repr(c) for c in header)
    raise ImportFailure(source.name, line, f"no comment text column (looked for {', '.join(_TEXT)}); the header has: {found}")


def _resolve(name: str, line: int, header: list[str], columns: ColumnMap) -> ColumnMap:
    """Match an explicit mapping to the header: exact name first, then ignoring case and spaces."""
    if not columns.text:
        raise ImportFailure(name, line, "the column mapping names no comment text column")
    exact = set(header)
    loose = {c.strip().lower(): c for c in reversed(header)}
    resolved: dict[str, Any] = {}

    def find(field: str, wanted: str) -> str:
        if wanted in exact:
            return wanted
        if wanted.strip().lower() in loose:
            return loose[wanted.strip().lower()]
        found = ", ".join(repr(c) for c in header)
        raise ImportFailure(name, line, f"the {field} column {wanted!r} is not in the header; the header has: {found}")

    for field in _FIELDS:
        wanted = getattr(columns, field)
        resolved[field] = None if wanted is None else find(field, wanted)
    if columns.labels is not None:
        resolved["labels"] = tuple(find("label", wanted) for wanted in columns.labels)
    return ColumnMap(**resolved)


def _read(source: SourceText, progress: Progress | None, columns: ColumnMap | None) -> list[PendingThread]:
    name = source.name
    reader, header, header_line, cols = _choose(source, columns)
    width = len(header)
    index = {f: (header.index(getattr(cols, f)) if getattr(cols, f) else None) for f in _FIELDS}
    text_at, thread_at, title_at = index["text"], index["thread"], index["title"]
    mapped = {i for i in index.values() if i is not None}
    extra = [(i, c.strip() or f"column_{i + 1}") for i, c in enumerate(header) if i not in mapped]
    stem = PurePath(name).stem or name
    total = source.text.count("\n") + 1
    step = max(1, total // 100)
    next_report = step
    threads: dict[str, PendingThread] = {}
    titles: dict[str, Counter[str]] = {}
    skipped: Counter[str] = Counter()
    rows = 0
    while True:
        line = reader.line_num + 1  # the row starts on the line after the last one read
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _row_error(name, line, exc) from None
        if progress is not None and line >= next_report:
            progress(line / total)
            next_report = line + step
        if len(row) != width:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            more = "more" if len(row) > width else "fewer"
            raise ImportFailure(name, line, f"this row has {len(row)} fields, {more} than the {width} columns of the header")
        rows += 1
        key = row[thread_at].strip() if thread_at is not None else ""
        thread = threads.get(key)
        if thread is None:
            draft = ThreadDraft(source=NAME, external_id=key or None, line=line, title=None if key else stem)
            thread = threads[key] = PendingThread(draft)
            titles[key] = Counter()
        text = row[text_at]
        if not text.strip():
            skipped[key] += 1
            continue
        if title_at is not None and row[title_at].strip():
            titles[key][row[title_at].strip()] += 1
        draft = thread.draft
        if index["url"] is not None and draft.url is None and row[index["url"]].strip():
            draft.url = row[index["url"]].strip()
        if index["article"] is not None and not draft.article and row[index["article"]].strip():
            draft.article = row[index["article"]]
        comment = CommentDraft(
            text,
            author=_cell(row, index["author"]),
            external_id=_cell(row, index["comment_id"]),
            created_at=_when(name, line, row, index["created_at"]),
            metadata={key_: row[i] for i, key_ in extra},
            line=line,
        )
        thread.add(name, line, comment, _cell(row, index["parent"]))
    if not rows:
        raise ImportFailure(name, header_line, "no rows: the file has a header but no comments")
    result = []
    for key, thread in threads.items():
        if not thread.draft.comments:
            continue
        _settle_title(thread.draft, titles[key])
        if skipped[key]:
            thread.draft.metadata["skipped_empty_rows"] = skipped[key]
        result.append(thread)
    if not result:
        raise ImportFailure(name, header_line, f"no rows with comment text in column {cols.text!r}")
    labels = list(cols.labels) if cols.labels is not None else detect_label_columns(header, mapped)
    attach(name, header_line, [t.draft for t in result], labels, explicit=cols.labels is not None)
    return result


def _settle_title(draft: ThreadDraft, titles: Counter[str]) -> None:
    """The most common title of the thread's rows; variants are kept so nothing is silently lost."""
    if not titles:
        return
    draft.title = titles.most_common(1)[0][0]  # ties go to the first seen
    if len(titles) > 1:
        draft.metadata["other_titles"] = [t for t in titles if t != draft.title]


def _cell(row: list[str], at: int | None) -> str | None:
    if at is None:
        return None
    return row[at].strip() or None


def _when(name: str, line: int, row: list[str], at: int | None) -> datetime | None:
    """ISO 8601 or unix seconds; an offset or epoch gives aware UTC, a naive ISO time stays naive."""
    value = _cell(row, at)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo is None else moment.astimezone(UTC)
    except ValueError:
        pass
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise ImportFailure(name, line, f"created_at {value[:60]!r} is not an ISO 8601 date or a unix time") from None


def _row_error(name: str, line: int, exc: csv.Error) -> ImportFailure:
    message = str(exc)
    if "unexpected end of data" in message:
        reason = "a quoted field that starts in this row is never closed (the file ends inside quotes)"
    elif "field larger than field limit" in message:
        reason = f"a field in this row is longer than {FIELD_LIMIT // (1024 * 1024)} MB; is a quote missing?"
    else:
        reason = f"malformed CSV row: {message}"
    return ImportFailure(name, line, reason)
