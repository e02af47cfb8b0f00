"""Turn the bytes of a file into text, refusing binary, empty and wrongly encoded input by line."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

# C0 controls other than tab and line breaks never occur in a text export; they mark binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

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


def line_of(data: bytes | str, offset: int) -> int:
    """1-based line number of a byte or character offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


def decode(name: str, data: bytes) -> str:
    from .errors import ImportFailure

    if not data.strip():
        raise ImportFailure(name, 1, "the file is empty")
    encoding = "utf-8"
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding == "utf-8" and b"\x00" in data:
        at = data.index(b"\x00")
        raise ImportFailure(name, line_of(data, at), "this is a binary file (it contains NUL bytes), not a text export of a thread")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = line_of(data, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ImportFailure(
            name,
            line,
            f"not valid {encoding.upper()} (byte 0x{data[exc.start]:02x} at column {column}); save the file as UTF-8",
        ) from None
    bad = _CONTROL.search(text)
    if bad is not None:
        at = bad.start()
        raise ImportFailure(name, line_of(text, at), f"control character U+{ord(text[at]):04X}: this looks like a binary file")
    if "\r" in text:  # most files have none: skip two copies of a large text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_source(path: str | Path) -> SourceText:
    """Read and decode a file; every failure is an ImportFailure naming the path."""
    import hashlib

    from .errors import ImportFailure

    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise ImportFailure(name, None, "is a directory, not a file") from None
    except OSError as exc:
        raise ImportFailure(name, None, exc.strerror or str(exc)) from None
    return SourceText(name, decode(name, data), hashlib.sha256(data).hexdigest())


def text_source(name: str, text: str) -> SourceText:
    """A source from text already in memory (the clipboard); same checks as a file."""
    import hashlib

    data = text.encode("utf-8", "surrogatepass")
    return SourceText(name, decode(name, data), hashlib.sha256(data).hexdigest())
