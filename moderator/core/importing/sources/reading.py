"""Turn the bytes of a file into text, refusing binary, empty and wrongly encoded input by line.

A file is checked as it streams by (``read_source``), in blocks, and its text is not kept: memory stays
bounded by a block and the longest line, whatever the file's size. Importers that read line by line
(JSON lines, CSV) read it again the same way (``SourceText.lines``, ``SourceText.chunks``); those that
need the whole text at once (a pasted page, one JSON document) ask for ``SourceText.text``, read then,
and refused over ``MAX_TEXT_BYTES``. Format sniffers see the start of a large file (``sniffing``).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import AnyStr

from moderator.core.importing.errors import ImportFailure

# C0 controls other than tab and line breaks never occur in a text export; they mark binary data.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The same as bytes: in UTF-8 none is ever part of a longer character, so the bytes tell.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
_CONTROL_BYTE = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")

# Size bounds: a file or a line past these is refused before it is parsed (a mis-exported 1 GB line
# would otherwise sit in memory several times over). Module constants so tests can lower them.
MAX_FILE_BYTES = 1024**3
MAX_LINE_BYTES = 64 * 1024**2
# A format that reads a file whole (one JSON document: ``SourceText.text``) holds its text and what it
# parses from it, 10–12 times the file: a larger file is refused before it is read, so that the import
# stays within 300 MB (a 20 MB LeWiDi file read whole peaked at 240 MB, a Reddit thread's JSON at 198 MB).
# Large files of every format come in shapes read a line or an item at a time, which this does not bound.
MAX_TEXT_BYTES = 20 * 1024**2
SNIFF_CHARS = 8 * 1024**2  # what format sniffers see of a larger file: its start, cut at a line end
BLOCK = 1024**2  # bytes read at a time

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class SourceText:
    """Decoded text of one input, with the name errors should use (a path or ``<clipboard>``).

    Made from text in memory (``SourceText(name, text, sha256)``: the clipboard, a test), or by
    ``read_source`` from a checked file (``path``), whose text is read only when asked for: ``lines``
    and ``chunks`` stream it, ``head`` reads its start and ``text`` reads it whole. Either way the text
    is the file's decoded, its line breaks made ``\\n`` and a byte order mark dropped.
    """

    lines_before = 0  # lines of the file ahead of this text (a part of a file: ``source_part``)

    def __init__(
        self,
        name: str,
        text: str = "",
        sha256: str = "",
        compressed: str = "",
        *,
        path: Path | None = None,
        encoding: str = "utf-8",
        size: int | None = None,
        newlines: int = 0,
    ):
        self.name = name
        self.sha256 = sha256
        # "zstd": ``text`` is empty and the importer streams the file (see streams.py); "parquet": ``text`` is
        # empty and the importer reads the columnar file in batches (see tables.py).
        self.compressed = compressed
        self.path = path  # a checked text file, read again when its text is asked for
        self.encoding = encoding
        self.size = (len(text) if path is None else 0) if size is None else size  # bytes of the file
        self._newlines = newlines if path is not None else None
        self._text: str | None = text if path is None else None
        self._head = ""
        self._whole_head = False

    def __repr__(self) -> str:
        return f"SourceText({self.name!r}, {self.size} bytes{', ' + self.compressed if self.compressed else ''})"

    @property
    def text(self) -> str:
        """The whole text; a file is read now (once), and refused over ``MAX_TEXT_BYTES``."""
        if self._text is None:
            if self.size > MAX_TEXT_BYTES:
                raise ImportFailure(self.name, None, whole_reason())
            with self._open() as f:
                try:
                    self._text = f.read()
                except UnicodeDecodeError:
                    raise ImportFailure(self.name, None, CHANGED_REASON) from None
        return self._text

    @property
    def line_count(self) -> int:
        """Lines in the text (for progress: a CR-only file may count fewer)."""
        if self._newlines is None:
            self._newlines = self.text.count("\n")
        return self._newlines + 1

    def head(self, chars: int = SNIFF_CHARS) -> str:
        """The first ``chars`` characters of the text, without reading a file further."""
        if self._text is not None:
            return self._text[:chars]
        if len(self._head) < chars and not self._whole_head:
            with self._open() as f:
                try:
                    self._head = f.read(chars)
                except UnicodeDecodeError:
                    raise ImportFailure(self.name, None, CHANGED_REASON) from None
            self._whole_head = len(self._head) < chars
        return self._head[:chars]

    def sniffing(self) -> SourceText:
        """What a format sniffer may look at: this source when small, else its first ``SNIFF_CHARS`` cut at a line end."""
        if self._text is not None or self.size <= SNIFF_CHARS:
            return self
        head = self.head()
        cut = head.rfind("\n")
        return SourceText(self.name, head[: cut + 1] if cut >= 0 else head, self.sha256, self.compressed)

    def lines(self) -> Iterator[str]:
        """The text line by line, each with its ``\\n`` (not the last, if the text ends without one)."""
        if self.path is None:
            text = self.text
            if "\r" in text:  # a text not from ``decode``: CR and CRLF end lines too
                yield from io.StringIO(text, newline="")
                return
            find, start, size = text.find, 0, len(text)
            while start < size:
                end = find("\n", start) + 1 or size
                yield text[start:end]
                start = end
            return
        with self._open() as f:
            try:
                yield from f
            except UnicodeDecodeError:
                raise ImportFailure(self.name, None, CHANGED_REASON) from None

    def chunks(self) -> Iterator[str]:
        """The text in pieces of whole lines (about ``BLOCK`` characters each; the text itself when in memory)."""
        if self.path is None or self._text is not None:
            yield self.text
            return
        with self._open() as f:
            rest = ""
            try:
                while block := f.read(max(BLOCK, len(rest))):  # a long line: read more at a time, not quadratically
                    if rest:
                        block = rest + block
                    cut = block.rfind("\n") + 1
                    if cut == 0:
                        rest = block
                        continue
                    rest = block[cut:]
                    yield block[:cut] if rest else block
            except UnicodeDecodeError:
                raise ImportFailure(self.name, None, CHANGED_REASON) from None
            if rest:
                yield rest

    def blocks(self) -> Iterator[str]:
        """The text in pieces of ``BLOCK`` characters, cut anywhere, even mid-line (for a parser that keeps
        its own state: a one-line file is not held whole); the text itself when in memory."""
        if self.path is None or self._text is not None:
            yield self.text
            return
        with self._open() as f:
            try:
                while block := f.read(BLOCK):
                    yield block
            except UnicodeDecodeError:
                raise ImportFailure(self.name, None, CHANGED_REASON) from None

    def first_long_line(self, limit: int) -> int | None:
        """The number of the first line longer than ``limit`` bytes (characters for a text in memory), or None;
        a file is read in blocks, never a line whole."""
        if self.path is None:
            start, _ = _long_line(self.text, 0, limit)
            return None if start is None else self.text.count("\n", 0, start) + 1
        newlines = carried = 0
        held = b""  # a CR at a block's end may be half of a CRLF
        with self._open() as text, text.buffer as f:
            while block := f.read(BLOCK):
                if held or b"\r" in block:
                    block = held + block
                    held = b"\r" if block.endswith(b"\r") else b""
                    block = block[: len(block) - len(held)].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                start, carried = _long_line(block, carried, limit)
                if start is not None:
                    return newlines + block.count(b"\n", 0, max(start, 0)) + 1
                newlines += block.count(b"\n")
        return None

    def _open(self) -> io.TextIOWrapper:
        assert self.path is not None
        try:
            # Universal newlines: CRLF and a lone CR read as "\n", as ``decode`` makes them.
            return self.path.open("r", encoding=self.encoding, newline=None)
        except OSError as exc:  # moved or removed since it was checked
            raise ImportFailure(self.name, None, f"{exc.strerror or exc}; {CHANGED_REASON}") from None


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


def whole_reason() -> str:
    return (
        f"the file is larger than {_mb(MAX_TEXT_BYTES)}, and this format reads a file whole; "
        "split it into smaller files (or use JSON lines or CSV, read line by line)"
    )


BINARY_REASON = "this is a binary file (it contains NUL bytes), not a text export of a thread"
CHANGED_REASON = "the file changed while it was being imported; import it again"


def encoding_reason(encoding: str, byte: int, column: int) -> str:
    return f"not valid {encoding.upper()} (byte 0x{byte:02x} at column {column}); save the file as UTF-8"


def control_reason(char: str) -> str:
    return f"control character U+{ord(char):04X}: this looks like a binary file"


def _long_line(data: AnyStr, carried: int, limit: int) -> tuple[int | None, int]:
    """Where a line longer than ``limit`` starts in ``data`` (negative: in an earlier block, the line of ``carried``
    bytes still open when ``data`` begins), or None; and the length of the line left open at its end.

    A few ``rfind`` calls per ``limit`` bytes, jumping from the last line break of one window to the next.
    """
    newline = b"\n" if isinstance(data, bytes) else "\n"
    size = len(data)
    start = -carried  # where the open line starts, relative to data
    while True:
        end = start + limit + 1  # the line's break must come before this
        if end > size:
            at = data.rfind(newline, max(start, 0))  # type: ignore[arg-type]
            if at < 0:
                return None, size - start
            start = at + 1
            if start + limit + 1 > size:
                return None, size - start
            continue
        at = data.rfind(newline, max(start, 0), end)  # type: ignore[arg-type]
        if at < 0:
            return start, 0
        start = at + 1


def check_size(name: str, data: bytes) -> None:
    """Refuse input over ``MAX_FILE_BYTES``, or with a line over ``MAX_LINE_BYTES``."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailure(name, None, too_large_reason())
    start, _ = _long_line(data, 0, MAX_LINE_BYTES)
    if start is not None:
        raise ImportFailure(name, line_of(data, start), long_line_reason())


def decode(name: str, data: bytes) -> str:
    check_size(name, data)
    if not data.strip():
        raise ImportFailure(name, 1, "the file is empty")
    encoding = _encoding(data)
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


def _encoding(data: bytes) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return "utf-8"


def read_source(path: str | Path) -> SourceText:
    """Check a file as it streams by; every failure is an ImportFailure naming the path."""
    name = str(path)
    special = special_source(Path(path))  # a ConvoKit folder, or .zst / Parquet read later by the importer
    if special is not None:
        return special
    try:
        with Path(path).open("rb") as f:
            info = os.fstat(f.fileno())
            if info.st_size > MAX_FILE_BYTES:
                raise ImportFailure(name, None, too_large_reason())
            if stat.S_ISREG(info.st_mode):
                return _Check(name, Path(path), f).run()
            data = _read_bounded(name, f)  # a pipe cannot be read twice: its text is kept
    except IsADirectoryError:
        raise ImportFailure(name, None, "is a directory, not a file") from None
    except OSError as exc:
        raise ImportFailure(name, None, exc.strerror or str(exc)) from None
    return SourceText(name, decode(name, data), hashlib.sha256(data).hexdigest())


def _read_bounded(name: str, f: io.BufferedReader, data: bytes = b"") -> bytes:
    """The rest of the bytes, reading at most one byte past ``MAX_FILE_BYTES`` in all (a pipe or a growing file too)."""
    while len(data) <= MAX_FILE_BYTES:  # a pipe may return less than asked before its end
        more = f.read(MAX_FILE_BYTES + 1 - len(data))
        if not more:
            break
        data += more
    return data


class _Check:
    """``decode``'s checks on a file read in blocks, with the same refusals in the same order of precedence.

    A line over the bound is refused at once; otherwise the first NUL, the first undecodable byte and the
    first control character are noted as the blocks go by, and the one ``decode`` would name is refused
    at the end. An incremental decoder carries a character cut between two blocks.
    """

    def __init__(self, name: str, path: Path, f: io.BufferedReader):
        self.name, self.path, self.f = name, path, f
        self.digest = hashlib.sha256()
        self.size = 0  # bytes read before the current block
        self.newlines = 0  # line breaks before the current block
        self.line_start = 0  # offset of the line the current block starts in
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.nul: int | None = None  # line of the first NUL
        self.undecodable: tuple[int, str] | None = None  # (line, reason) of the first byte not UTF-8
        self.control: tuple[int, str] | None = None
        self.filled = False  # any byte but ASCII whitespace
        self.worded = False  # any decoded character but whitespace

    def run(self) -> SourceText:
        f, name = self.f, self.name
        block = f.read(max(BLOCK, 4))  # a byte order mark whole
        encoding = _encoding(block)
        if encoding not in ("utf-8", "utf-8-sig"):  # UTF-16 or -32 (rare): decoded whole, as a pipe is
            data = _read_bounded(name, f, block)
            return SourceText(name, decode(name, data), hashlib.sha256(data).hexdigest())
        carried = 0
        while block:
            if self.size + len(block) > MAX_FILE_BYTES:  # the file grew since it was measured
                raise ImportFailure(name, None, too_large_reason())
            start, carried = _long_line(block, carried, MAX_LINE_BYTES)
            if start is not None:
                raise ImportFailure(name, self.newlines + block.count(b"\n", 0, max(start, 0)) + 1, long_line_reason())
            self._block(block, encoding == "utf-8-sig")
            self.size += len(block)
            self.newlines += block.count(b"\n")
            if (last := block.rfind(b"\n")) >= 0:
                self.line_start = self.size - len(block) + last + 1
            block = f.read(BLOCK)
        if self.nul is None and self.undecodable is None:
            self._decode(b"", 0, final=True)
        self._refuse()
        return SourceText(
            name, sha256=self.digest.hexdigest(), path=self.path, encoding=encoding, size=self.size, newlines=self.newlines
        )

    def _block(self, block: bytes, sig: bool) -> None:
        if self.nul is not None:
            return  # refused whatever follows (but a long line): nothing else to note
        self.digest.update(block)
        if not self.filled and block.strip():
            self.filled = True
        if not sig and (at := block.find(b"\x00")) >= 0:  # (after a byte order mark, a NUL is a control character)
            self.nul = self.newlines + block.count(b"\n", 0, at) + 1
            return
        if self.undecodable is not None:
            return
        if self.control is None and len(block.translate(None, _CONTROL_BYTES)) < len(block):  # faster than a regex
            at = _CONTROL_BYTE.search(block).start()  # type: ignore[union-attr]
            self.control = (self.newlines + block.count(b"\n", 0, at) + 1, control_reason(chr(block[at])))
        if self.worded and not self.decoder.getstate()[0] and block.isascii():
            return  # valid UTF-8, and nothing left to learn from its text
        skip = len(codecs.BOM_UTF8) if sig and self.size == 0 else 0
        self._decode(block[skip:] if skip else block, skip, final=False)

    def _decode(self, data: bytes, skip: int, final: bool) -> None:
        """Decode the next bytes (``skip`` bytes of the block before them), noting the first undecodable byte."""
        held = len(self.decoder.getstate()[0])  # the start of a character cut by the last block
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            block = self.size + skip  # the file offset of data[0]
            at = block - held + exc.start
            if at >= block:
                line = self.newlines + data.count(b"\n", 0, at - block) + 1
                last = data.rfind(b"\n", 0, at - block)
                start = block + last + 1 if last >= 0 else self.line_start
            else:
                line, start = self.newlines + 1, self.line_start
            bad = exc.object[exc.start]
            self.undecodable = (line, encoding_reason("utf-8", bad, at - start + 1))
            return
        if not self.worded and text.strip():
            self.worded = True

    def _refuse(self) -> None:
        name = self.name
        if not self.filled:
            raise ImportFailure(name, 1, "the file is empty")
        if self.nul is not None:
            raise ImportFailure(name, self.nul, BINARY_REASON)
        if self.undecodable is not None:
            raise ImportFailure(name, *self.undecodable)
        if not self.worded:  # e.g. only a byte order mark
            raise ImportFailure(name, 1, "the file is empty")
        if self.control is not None:
            raise ImportFailure(name, *self.control)


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
