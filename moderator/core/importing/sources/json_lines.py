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
    """
    text = source.text
    size = len(text)
    scan = DECODER.scan_once  # what json.loads uses, minus its per-call wrapping
    risky = risky_lines(text)
    find = text.find
    step = max(1, size // 100)  # report about every 1%: a callback per line would cost more than parsing
    next_report = step
    lineno = 0
    pos = 0
    while pos <= size:
        lineno += 1
        end = find("\n", pos)
        if end < 0:
            end = size
        if pos >= next_report:
            if cancelled is not None and cancelled():
                raise ImportCancelled()
            if progress is not None:
                progress(pos / size)
            next_report = pos + step
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
            obj = load_line(source.name, lineno, raw, lambda end=end: not text[end + 1 :].strip())
        if risky and lineno in risky:
            why = unstorable(obj)
            if why is not None:
                raise ImportFailure(source.name, lineno, why)
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
