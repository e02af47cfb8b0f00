"""A run of whole lines of a checked file, read as a ``SourceText`` of its own (the file's text from one byte
offset to another), for a reader that takes part of a big file (``bulk_halves``). Its lines are numbered
as in the whole file: ``lines_before`` are the lines ahead of it."""

from __future__ import annotations

import io
from pathlib import Path

from moderator.core.importing.sources.reading import SourceText

_BLOCK = 8 * 1024**2


class _Span(io.RawIOBase):
    """The bytes of ``f`` from ``start`` to ``end``."""

    def __init__(self, f: io.BufferedReader, start: int, end: int):
        self.f, self.left = f, end - start
        f.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            return 0
        got = self.f.readinto(memoryview(buffer)[: min(len(buffer), self.left)])
        self.left -= got or 0
        return got or 0

    def close(self) -> None:
        self.f.close()
        super().close()


class SourcePart(SourceText):
    """Bytes ``start`` to ``end`` of the checked file ``path`` (both at line starts), decoded as the whole
    file's text would be (a byte order mark dropped only at the file's start)."""

    def __init__(self, name: str, path: Path, encoding: str, start: int, end: int, lines_before: int):
        super().__init__(name, path=path, encoding=encoding if start == 0 else "utf-8", size=end - start)
        self.start, self.end, self.lines_before = start, end, lines_before

    def _open(self) -> io.TextIOWrapper:
        assert self.path is not None
        raw = _Span(self.path.open("rb", buffering=0), self.start, self.end)
        return io.TextIOWrapper(io.BufferedReader(raw), encoding=self.encoding, newline=None)


def count_lines(path: Path, offset: int) -> int:
    """The lines of ``path`` ahead of byte ``offset`` as a text reader counts them: every LF, CR LF and lone CR ends one."""
    count = 0
    carried_cr = False
    with path.open("rb") as f:
        left = offset
        while left > 0 and (block := f.read(min(_BLOCK, left))):
            left -= len(block)
            count += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
            if carried_cr and block.startswith(b"\n"):
                count -= 1  # a CR LF cut between two blocks: one line end, counted twice
            carried_cr = block.endswith(b"\r")
    return count
