"""Positions in a text as Qt counts them (UTF-16 units) and as the core counts them (code points)."""

from __future__ import annotations


def qt_position(text: str, offset: int) -> int:
    """Qt counts UTF-16 units; the core counts code points (they differ after an emoji)."""
    return len(text[:offset].encode("utf-16-le")) // 2


def text_offset(text: str, position: int) -> int:
    return len(text.encode("utf-16-le")[: 2 * position].decode("utf-16-le", "ignore"))
