"""JSON values line by line, as the JSON-based importers read them: fast, strict, with line numbers."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import DECODER, risky_lines, unstorable
from moderator.core.progress import Cancelled, Progress


def first_object(text: str) -> Any:
    start = 0
    while start < len(text):  # find() rather than split(): sniffing must not copy a 60 MB file
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if not text[start:end].isspace() and end > start:
            try:
                return json.loads(text[start:end])
            except (ValueError, RecursionError):
                return None
        start = end + 1
    return None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small objects that hold no cycles.

    Hundreds of thousands of drafts trigger repeated full collections that would otherwise take
    about 40% of the parse time; nothing collectable is created, so pausing loses nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def json_objects(
    source: SourceText, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> Iterator[tuple[int, Any]]:
    """``(line number, decoded value)`` for every non-blank line, without splitting the text.

    ``json.loads`` per line would first copy the file into a list of lines; here the C scanner that
    ``json.loads`` itself uses decodes each line in place. Anything unusual on a line (leading or
    trailing whitespace, a value running past the line end, invalid JSON) goes through ``json.loads``
    on that line alone, so the result and the error message are exactly what ``json.loads`` gives.
    A file is read in pieces of whole lines (``SourceText.chunks``), never held whole.
    """
    size = max(1, source.size)
    report = _Report(size, progress, cancelled)
    chunks = source.chunks()
    done = 0  # characters before this chunk
    lines = source.lines_before  # lines before this chunk
    chunk = next(chunks, None)
    while chunk is not None:
        following = next(chunks, None)
        yield from _chunk_objects(source.name, chunk, lines, done, report, following is None)
        done += len(chunk)
        lines += chunk.count("\n")
        chunk = following


class _Report:
    """Progress about every 1% of the text, and a look at ``cancelled`` then: a callback per line would cost more than parsing."""

    __slots__ = ("size", "step", "next", "progress", "cancelled")

    def __init__(self, size: int, progress: Progress | None, cancelled: Cancelled | None):
        self.size, self.progress, self.cancelled = size, progress, cancelled
        self.step = self.next = max(1, size // 100)

    def __call__(self, at: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled()
        if self.progress is not None:
            self.progress(min(1.0, at / self.size))
        self.next = at + self.step


def _chunk_objects(name: str, text: str, lines: int, done: int, report: _Report, final: bool) -> Iterator[tuple[int, Any]]:
    """The values of a piece of whole lines that follows ``lines`` lines (``done`` characters) of the text."""
    size = len(text)
    scan = DECODER.scan_once  # what json.loads uses, minus its per-call wrapping
    risky = risky_lines(text)
    find = text.find
    lineno = lines
    pos = 0
    while pos <= size:
        lineno += 1
        end = find("\n", pos)
        if end < 0:
            end = size
        if done + pos >= report.next:
            report(done + pos)
        if end == pos:
            pos = end + 1
            continue
        stop = -1
        if text[pos] == "{":
            try:
                obj, stop = scan(text, pos)
            except (StopIteration, ValueError, RecursionError):
                stop = -1
        if stop != end:
            raw = text[pos:end]
            if raw.isspace():
                pos = end + 1
                continue
            # (a blank rest in a piece before the last is rare: such a line is then not called cut off)
            obj = load_line(name, lineno, raw, lambda end=end: final and not text[end + 1 :].strip())
        if risky and lineno - lines in risky:
            why = unstorable(obj)
            if why is not None:
                raise ImportFailure(name, lineno, why)
        yield lineno, obj
        pos = end + 1


def load_line(name: str, lineno: int, raw: str, is_last: Callable[[], bool] | None = None) -> Any:
    """One line's JSON value, strictly (no NaN/Infinity, bounded nesting); ``is_last`` tells, once the line
    is refused, whether nothing follows it (the file looks half-written). Storability is checked apart."""
    try:
        return DECODER.decode(raw)
    except ValueError as exc:
        if hasattr(exc, "colno"):
            reason = f"invalid JSON at column {exc.colno} ({exc.msg})"
        else:  # NaN, or an integer too long to read
            reason = f"invalid JSON: {exc}"
        if is_last is not None and is_last():
            reason += "; the last line is cut off, the file looks half-written"
        raise ImportFailure(name, lineno, reason) from None
    except RecursionError:
        raise ImportFailure(name, lineno, "invalid JSON (nested too deeply)") from None


def kind_of(value: Any) -> str:
    """How an error message names a JSON value's type: "a string", "an object", "null"..."""
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )
