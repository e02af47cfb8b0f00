"""Inputs that are not one text file: a ConvoKit corpus folder, and Zstandard-compressed NDJSON.

A ``.zst`` source carries no text (``SourceText.compressed == "zstd"``); its importer reads it line by
line with ``zstd_lines``, so a dump of many gigabytes is never decompressed whole, in memory or on disk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources import reading
from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Progress

# Compressed bytes fed to the decompressor at a time: zstd inflates at most ~32,000:1 (RLE blocks), so
# one step of a decompression bomb yields at most ~128 MiB before the size bounds below are checked.
_CHUNK = 4 * 1024
# Pushshift dumps are compressed with a long window (--long=31); the default limit refuses them.
_MAX_WINDOW = 2**31


def zstd_lines(source: SourceText, progress: Progress | None = None) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of every line of a Zstandard file, multi-frame too; refuses corrupt or cut-off data."""
    import zstandard  # only for .zst sources

    # reading.MAX_* are read at call time: tests lower them

    name = source.name
    lineno = 0
    pending = b""
    inflated = 0
    try:
        f = open(name, "rb")
    except OSError as exc:
        raise ImportFailure(name, None, exc.strerror or str(exc)) from None
    with f:
        if f.read(4) != reading.ZSTD_MAGIC:
            raise ImportFailure(name, 1, "not a Zstandard-compressed file (it does not start with the zstd magic number)")
        f.seek(0)
        size = os.fstat(f.fileno()).st_size or 1
        step = max(_CHUNK, size // 100)
        next_report = step
        maker = zstandard.ZstdDecompressor(max_window_size=_MAX_WINDOW)
        frame = maker.decompressobj()
        started = False
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            if progress is not None and f.tell() >= next_report:
                progress(f.tell() / size)
                next_report = f.tell() + step
            while chunk:
                if frame.eof:  # the next frame of a multi-frame file
                    frame = maker.decompressobj()
                try:
                    out = frame.decompress(chunk)
                except zstandard.ZstdError as exc:
                    raise ImportFailure(name, lineno + 1, f"the compressed data is corrupt ({exc})") from None
                started = True
                chunk = frame.unused_data if frame.eof else b""
                if out:
                    inflated += len(out)
                    if inflated > reading.MAX_FILE_BYTES:
                        raise ImportFailure(name, None, f"decompressed, {reading.too_large_reason()}")
                    pending += out
                    lines = pending.split(b"\n")
                    pending = lines.pop()
                    for line in lines:
                        lineno += 1
                        yield lineno, line
                    if len(pending) > reading.MAX_LINE_BYTES:
                        raise ImportFailure(name, lineno + 1, reading.long_line_reason())
        if started and not frame.eof:
            raise ImportFailure(name, lineno + 1, "the compressed file is cut off (its last frame is incomplete)")
    if pending:
        yield lineno + 1, pending


def json_line(name: str, lineno: int, raw: bytes) -> Any:
    """One NDJSON line decoded, or an ``ImportFailure`` naming its line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailure(name, lineno, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ImportFailure(
            name, lineno, f"invalid JSON at column {getattr(exc, 'colno', '?')} ({getattr(exc, 'msg', exc)})"
        ) from None
    except RecursionError:
        raise ImportFailure(name, lineno, "invalid JSON (nested too deeply)") from None
