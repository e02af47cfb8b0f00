"""Turn the bytes of a file into text, refusing binary, empty and wrongly encoded input by line."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from moderator.core.importing.errors import ImportFailure

# C0 controls other than tab and line breaks never occur in a text export; they mark binary data.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

# Size bounds: a file or a line past these is refused before it is parsed (a mis-exported 1 GB line
# would otherwise sit in memory several times over). Module constants so tests can lower them.
MAX_FILE_BYTES = 1024**3
MAX_LINE_BYTES = 64 * 1024**2

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class SourceText:
    """Decoded text of one input, with the name errors should use (a path or ``<clipboard>``)."""

    name: str
    text: str
    sha256: str = ""
    # "zstd": ``text`` is empty and the importer streams the file (see streams.py); "parquet": ``text`` is
    # empty and the importer reads the columnar file in batches (see tables.py).
    compressed: str = ""


def line_of(data: bytes | str, offset: int) -> int:
    """1-based line number of a byte or character offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


def _mb(size: int) -> str:
    return f"{size / 1024**2:g} MB"


def too_large_reason() -> str:
    return f"the file is larger than {_mb(MAX_FILE_BYTES)}; split it into smaller files"


def long_line_reason() -> str:
    return f"this line is longer than {_mb(MAX_LINE_BYTES)}; is this a text export of a thread?"


BINARY_REASON = "this is a binary file (it contains NUL bytes), not a text export of a thread"


def encoding_reason(encoding: str, byte: int, column: int) -> str:
    return f"not valid {encoding.upper()} (byte 0x{byte:02x} at column {column}); save the file as UTF-8"


def control_reason(char: str) -> str:
    return f"control character U+{ord(char):04X}: this looks like a binary file"


def check_size(name: str, data: bytes) -> None:
    """Refuse input over ``MAX_FILE_BYTES``, or with a line over ``MAX_LINE_BYTES``."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailure(name, None, too_large_reason())
    limit = MAX_LINE_BYTES
    if len(data) <= limit:
        return
    # Jump from the last newline of one window to the next: a few find() calls, not one per line.
    pos = 0
    while len(data) - pos > limit:
        newline = data.rfind(b"\n", pos, pos + limit + 1)
        if newline < 0:
            raise ImportFailure(name, line_of(data, pos), long_line_reason())
        pos = newline + 1


def decode(name: str, data: bytes) -> str:
    check_size(name, data)
    if not data.strip():
        raise ImportFailure(name, 1, "the file is empty")
    encoding = "utf-8"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding == "utf-8" and b"\x00" in data:
        at = data.index(b"\x00")
        raise ImportFailure(name, line_of(data, at), BINARY_REASON)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ImportFailure(name, line, encoding_reason(encoding, data[exc.start], column)) from None
    if not text.strip():  # e.g. only a byte order mark
        raise ImportFailure(name, 1, "the file is empty")
    bad = CONTROL.search(text)
    if bad is not None:
        at = bad.start()
        raise ImportFailure(name, line_of(text, at), control_reason(text[at]))
    if "\r" in text:  # most files have none: skip two copies of a large text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(path: str | Path) -> SourceText:
    """Read and decode a file; every failure is an ImportFailure naming the path."""
    name = str(path)
    special = special_source(Path(path))  # a ConvoKit folder, or .zst / Parquet read later by the importer
    if special is not None:
        return special
    try:
        data = _read_bounded(name, Path(path))
    except IsADirectoryError:
        raise ImportFailure(name, None, "is a directory, not a file") from None
    except OSError as exc:
        raise ImportFailure(name, None, exc.strerror or str(exc)) from None
    return SourceText(name, decode(name, data), hashlib.sha256(data).hexdigest())


def _read_bounded(name: str, path: Path) -> bytes:
    """The file's bytes, reading at most one byte past ``MAX_FILE_BYTES`` (a pipe or a growing file too)."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size > MAX_FILE_BYTES:
            raise ImportFailure(name, None, too_large_reason())
        data = f.read(MAX_FILE_BYTES + 1)
        while len(data) <= MAX_FILE_BYTES:  # a pipe may return less than asked before its end
            more = f.read(MAX_FILE_BYTES + 1 - len(data))
            if not more:
                break
            data += more
        return data


def text_source(name: str, text: str) -> SourceText:
    """A source from text already in memory (the clipboard); same checks as a file."""
    data = text.encode("utf-8", "surrogatepass")
    return SourceText(name, decode(name, data), hashlib.sha256(data).hexdigest())


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PARQUET_MAGIC = b"PAR1"  # at the start and at the end of every Parquet file


def special_source(path: Path) -> SourceText | None:
    """A source for a corpus folder, a compressed or a Parquet file; None for an ordinary file (read as text)."""
    name = str(path)
    if path.is_dir():
        utterances = path / "utterances.jsonl"
        if utterances.is_file():  # a ConvoKit corpus: its utterances name the errors' lines
            return read_source(utterances)
        return None
    try:
        with path.open("rb") as f:
            magic = f.read(4)
            kind = "zstd" if magic == ZSTD_MAGIC else "parquet" if magic == PARQUET_MAGIC and _ends_parquet(f) else ""
            if not kind:
                return None  # read as text: a mislabelled .zst gets the text checks (binary, encoding...)
            if kind == "parquet" and os.fstat(f.fileno()).st_size > MAX_FILE_BYTES:
                raise ImportFailure(name, None, too_large_reason())
            f.seek(4)
            digest = hashlib.sha256(magic)
            while block := f.read(1024 * 1024):
                digest.update(block)
    except OSError:
        return None  # the ordinary reader reports it
    return SourceText(name, "", digest.hexdigest(), compressed=kind)


def _ends_parquet(f) -> bool:
    """Does the open file also end with the Parquet magic (a text file may start with "PAR1")?"""
    size = os.fstat(f.fileno()).st_size
    if size < 12:
        return False
    f.seek(size - 4)
    return f.read(4) == PARQUET_MAGIC
