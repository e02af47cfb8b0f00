"""Inputs that are not one text file: a ConvoKit corpus folder, and Zstandard-compressed NDJSON.

A ``.zst`` source carries no text (``SourceText.compressed == "zstd"``); its importer reads it line by
line with ``zstd_lines``, so a dump of many gigabytes is never decompressed whole, in memory or on disk.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources import reading
from moderator.core.importing.sources.json_lines import load_line
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import risky_lines, unstorable
from moderator.core.progress import Progress

# Compressed bytes fed to the decompressor at a time: zstd inflates at most ~32,000:1 (RLE blocks), so
# one step of a decompression bomb yields at most ~128 MiB before the size bounds below are checked.
_CHUNK = 4 * 1024
# Pushshift dumps are compressed with a long window (--long=31); the default limit refuses them.
_MAX_WINDOW = 2**31


def zstd_lines(source: SourceText, progress: Progress | None = None) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of every line of a Zstandard file, multi-frame too; refuses corrupt, cut-off or empty
    data. Lines are counted as in a plain file (a CR or CRLF ends a line too, a UTF-8 byte order mark is dropped)."""
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
        seen_text = False  # anything but whitespace decompressed yet
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
                    if not seen_text:
                        if lineno == 0 and not pending:
                            out = _without_bom(name, out)
                        seen_text = not out.isspace()
                    pending += out
                    lines = pending.split(b"\n")
                    pending = lines.pop()
                    for line in lines:
                        if b"\r" in line:  # CRLF, or a lone CR: line breaks, as in a plain file (reading.decode)
                            for part in line.removesuffix(b"\r").split(b"\r"):
                                lineno += 1
                                yield lineno, part
                            continue
                        lineno += 1
                        yield lineno, line
                    if len(pending) > reading.MAX_LINE_BYTES:
                        raise ImportFailure(name, lineno + 1, reading.long_line_reason())
        if started and not frame.eof:
            raise ImportFailure(name, lineno + 1, "the compressed file is cut off (its last frame is incomplete)")
    if not seen_text:
        raise ImportFailure(name, 1, "the file is empty (once decompressed)")
    if pending:
        for part in pending.removesuffix(b"\r").split(b"\r"):
            lineno += 1
            yield lineno, part


def _without_bom(name: str, head: bytes) -> bytes:
    """The first decompressed bytes without a UTF-8 byte order mark; a UTF-16 or UTF-32 text is refused."""
    if head.startswith(codecs.BOM_UTF8):
        return head[len(codecs.BOM_UTF8) :]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFailure(name, 1, "the decompressed text is UTF-16 or UTF-32, not UTF-8; save it as UTF-8, then compress it")
    return head


def json_line(name: str, lineno: int, raw: bytes) -> Any:
    """One NDJSON line of a stream, decoded with every check a line of a plain file gets (``reading.decode``,
    then ``json_lines.json_objects``): no NUL or other binary control character, UTF-8, strict JSON (no
    NaN/Infinity, bounded nesting), nothing a database cannot store (a NUL escape, an unpaired surrogate).
    Every refusal is an ``ImportFailure`` naming this line."""
    if b"\x00" in raw:
        raise ImportFailure(name, lineno, reading.BINARY_REASON)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailure(name, lineno, reading.encoding_reason("utf-8", raw[exc.start], exc.start + 1)) from None
    bad = reading.CONTROL.search(text)
    if bad is not None:
        raise ImportFailure(name, lineno, reading.control_reason(bad.group()))
    value = load_line(name, lineno, text)
    if risky_lines(text):
        why = unstorable(value)
        if why is not None:
            raise ImportFailure(name, lineno, why)
    return value
