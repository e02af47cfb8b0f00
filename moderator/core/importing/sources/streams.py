"""Inputs that are not one text file: a ConvoKit corpus folder, and Zstandard-compressed NDJSON.

A ``.zst`` source carries no text (``SourceText.compressed == "zstd"``); its importer reads it line by
line with ``zstd_lines`` (or ``stream_objects``, compressed or not), so a dump of many gigabytes is never
decompressed whole, in memory or on disk.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.importing.sources import reading
from moderator.core.importing.sources.json_lines import json_objects, load_line
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import risky_lines, unstorable
from moderator.core.progress import Cancelled, Progress

# Compressed bytes fed to the decompressor at a time: zstd inflates at most ~32,000:1 (a 4-byte RLE block
# regenerates 128 KiB), so one step of a decompression bomb yields at most ~16 MiB, whatever the file.
_STEP = 512
_READ = 64 * 1024  # compressed bytes read from the file at a time
# The decoder holds what it decompressed, up to the window the file was compressed with: 8 MiB at most
# with zstd's levels, up to 2 GiB with --long=31 (as Pushshift's dumps are). A window up to _WINDOW is
# read as usual; a longer one only for a file of at most _LONG_BYTES decompressed.
_WINDOW = 2**27
_MAX_WINDOW = 2**31
_LONG_BYTES = 64 * 1024**2
_SNIFF_BYTES = 64 * 1024


class _Corrupt(Exception):
    pass


class _CutOff(Exception):
    pass


def zstd_lines(source: SourceText, progress: Progress | None = None) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of every line of a Zstandard file, multi-frame too; refuses corrupt, cut-off or empty
    data. Lines are counted as in a plain file (a CR or CRLF ends a line too, a UTF-8 byte order mark is dropped).

    Memory stays bounded whatever the file: a first pass only measures the decompressed size (a bomb is
    refused before a line is read), and a line is refused as soon as it outgrows ``MAX_LINE_BYTES``,
    never held whole."""
    import zstandard  # only for .zst sources

    # reading.MAX_* are read at call time: tests lower them

    name = source.name
    try:
        f = open(name, "rb")
    except OSError as exc:
        raise ImportFailure(name, None, exc.strerror or str(exc)) from None
    with f:
        if f.read(4) != reading.ZSTD_MAGIC:
            raise ImportFailure(name, 1, "not a Zstandard-compressed file (it does not start with the zstd magic number)")
        maker = _measured(name, f, zstandard)
        f.seek(0)
        yield from _lines(name, f, maker, progress)


def stream_objects(
    source: SourceText, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> Iterator[tuple[int, Any]]:
    """``(line number, decoded value)`` of every non-blank line of an NDJSON source, compressed (``.zst``) or
    not, with the same checks either way (``json_line``, ``json_objects``)."""
    if source.compressed != "zstd":
        yield from json_objects(source, progress, cancelled)
        return
    for lineno, raw in zstd_lines(source, progress):
        if cancelled is not None and lineno % 4096 == 0 and cancelled():
            raise ImportCancelled()
        if raw.strip():
            yield lineno, json_line(source.name, lineno, raw)


def first_value(source: SourceText) -> Any:
    """The first line's value of a ``.zst`` source, read from at most its first 64 KiB decompressed (for telling
    formats apart, without the reading pass's measuring); None if it cannot be read so (its reading says why)."""
    import zstandard

    try:
        with open(source.name, "rb") as f:
            reader = zstandard.ZstdDecompressor(max_window_size=_WINDOW).stream_reader(f, read_across_frames=True)
            head = reader.read(_SNIFF_BYTES)
    except (OSError, zstandard.ZstdError):
        return None
    line = head.split(b"\n", 1)[0].strip()
    try:
        return json_line(source.name, 1, line) if line else None
    except ImportFailure:
        return None


def _measured(name: str, f: BinaryIO, zstandard: Any) -> Any:
    """The decompressor to read the file with, once its decompressed size is known to be within the bounds
    (a bomb is refused here, before a line is read)."""
    for window, limit in ((_WINDOW, reading.MAX_FILE_BYTES), (_MAX_WINDOW, min(_LONG_BYTES, reading.MAX_FILE_BYTES))):
        maker = zstandard.ZstdDecompressor(max_window_size=window)
        f.seek(0)
        try:
            size = _inflated_size(f, maker, limit)
        except _Corrupt as exc:
            if window < _MAX_WINDOW and "too much memory" in str(exc):
                continue  # compressed with a long window
            return maker  # the reading pass names the line
        if size <= limit:
            return maker
        if limit == reading.MAX_FILE_BYTES:
            raise ImportFailure(name, None, f"decompressed, {reading.too_large_reason()}")
        raise ImportFailure(
            name,
            None,
            f"decompressed, the file is larger than {limit / 1024**2:g} MB, and it was compressed with a long window "
            "(zstd --long), which is held in memory while it is read; decompress it first (zstd -d --long=31), "
            "then import the decompressed file",
        )
    raise AssertionError("unreachable: the last window takes any file")


def _inflate(f: BinaryIO, maker: Any) -> Iterator[bytes]:
    """The decompressed bytes of an open ``.zst`` file, every frame, in pieces of at most ~16 MiB; raises
    ``_Corrupt`` or ``_CutOff`` (the last frame incomplete)."""
    import zstandard

    frame = maker.decompressobj()
    started = False
    while block := f.read(_READ):
        for at in range(0, len(block), _STEP):
            chunk = block[at : at + _STEP]
            while chunk:
                if frame.eof:  # the next frame of a multi-frame file
                    frame = maker.decompressobj()
                try:
                    out = frame.decompress(chunk)
                except zstandard.ZstdError as exc:
                    raise _Corrupt(str(exc)) from None
                started = True
                chunk = frame.unused_data if frame.eof else b""
                if out:
                    yield out
    if started and not frame.eof:
        raise _CutOff()


def _inflated_size(f: BinaryIO, maker: Any, limit: int) -> int:
    """The decompressed size, counted up to just past ``limit`` (a cut-off file: what it holds); raises ``_Corrupt``."""
    size = 0
    try:
        for out in _inflate(f, maker):
            size += len(out)
            if size > limit:
                break
    except _CutOff:
        pass  # the reading pass names the line
    return size


def _lines(name: str, f: BinaryIO, maker: Any, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    size = os.fstat(f.fileno()).st_size or 1
    step = max(_READ, size // 100)
    next_report = step
    limit = reading.MAX_LINE_BYTES
    lineno = 0
    pending: list[bytes] = []  # the bytes of the line not ended yet
    open_bytes = 0
    inflated = 0
    seen_text = False  # anything but whitespace decompressed yet
    pieces = _inflate(f, maker)
    while True:
        try:
            out = next(pieces, None)
        except _Corrupt as exc:
            raise ImportFailure(name, lineno + 1, f"the compressed data is corrupt ({exc})") from None
        except _CutOff:
            raise ImportFailure(name, lineno + 1, "the compressed file is cut off (its last frame is incomplete)") from None
        if out is None:
            break
        if progress is not None and f.tell() >= next_report:
            progress(f.tell() / size)
            next_report = f.tell() + step
        inflated += len(out)
        if inflated > reading.MAX_FILE_BYTES:  # the file changed since it was measured
            raise ImportFailure(name, None, f"decompressed, {reading.too_large_reason()}")
        if not seen_text:
            if lineno == 0 and not pending:
                out = _without_bom(name, out)
            seen_text = not out.isspace()
        cut = out.rfind(b"\n")
        if cut < 0:
            pending.append(out)
            open_bytes += len(out)
            if open_bytes > limit:
                raise ImportFailure(name, lineno + 1, reading.long_line_reason())
            continue
        lines = (b"".join((*pending, out[:cut])) if pending else out[:cut]).split(b"\n")
        pending = [out[cut + 1 :]]
        open_bytes = len(pending[0])
        for line in lines:
            if len(line) > limit:
                raise ImportFailure(name, lineno + 1, reading.long_line_reason())
            if b"\r" in line:  # CRLF, or a lone CR: line breaks, as in a plain file (reading.decode)
                for part in line.removesuffix(b"\r").split(b"\r"):
                    lineno += 1
                    yield lineno, part
                continue
            lineno += 1
            yield lineno, line
        if open_bytes > limit:
            raise ImportFailure(name, lineno + 1, reading.long_line_reason())
    if not seen_text:
        raise ImportFailure(name, 1, "the file is empty (once decompressed)")
    last = b"".join(pending)
    if last:
        for part in last.removesuffix(b"\r").split(b"\r"):
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
