"""What one comment may carry from its source besides its text: a bounded metadata.

A table of 100,000 columns would otherwise store 100,000 keys with every comment (and build a dict of
them per row). Importers keep at most ``MAX_METADATA_KEYS`` of a source's own keys per comment, and
about ``MAX_METADATA_BYTES`` of their values; what is past that is left out, with one warning per file
(``MetadataBound.warning``).
"""

from __future__ import annotations

import json
from typing import Any

MAX_METADATA_KEYS = 200
MAX_METADATA_BYTES = 64 * 1024
# Keys an importer adds of its own (source_line, missing_parent_id, merged_lines, context...) on top of
# the source's: the writer's last check allows them.
OWN_KEYS = 16

_SMALL = (int, float, bool, type(None))


def metadata_bytes(metadata: dict[str, Any]) -> int:
    """About the size of the metadata as JSON (exact for plain ASCII text values)."""
    size = 2
    for key, value in metadata.items():
        size += len(key) + 4
        kind = type(value)
        if kind is str:
            size += len(value) + 2
        elif kind in _SMALL:
            size += 8
        else:
            size += len(json.dumps(value, default=str))
    return size


class MetadataBound:
    """Cuts comments' metadata to the bounds, counting what it leaves out for one warning."""

    def __init__(self, own_keys: int = 0):
        """``own_keys``: room for the keys an importer adds of its own (``OWN_KEYS``), on top of the source's."""
        self.keys, self.size = MAX_METADATA_KEYS + own_keys, MAX_METADATA_BYTES
        self.comments = 0  # comments whose metadata was cut
        self.dropped = 0  # values left out

    def __call__(self, metadata: dict[str, Any]) -> dict[str, Any]:
        """The metadata itself when within the bounds (the usual case, checked quickly), else its first keys that fit."""
        if len(metadata) <= self.keys and (_short(metadata) or metadata_bytes(metadata) <= self.size):
            return metadata
        kept: dict[str, Any] = {}
        size = 2
        for key, value in metadata.items():
            if len(kept) >= self.keys:
                break
            grown = size + metadata_bytes({key: value}) - 2
            if grown <= self.size:
                kept[key] = value
                size = grown
        self.comments += 1
        self.dropped += len(metadata) - len(kept)
        return kept

    def warning(self, path: str) -> str | None:
        if not self.comments:
            return None
        comments = "1 comment" if self.comments == 1 else f"{self.comments:,} comments"
        values = "1 value" if self.dropped == 1 else f"{self.dropped:,} values"
        keys, size = f"{MAX_METADATA_KEYS:,} keys", f"{self.size // 1024:,} KB"
        return f"{path}: the metadata of {comments} was cut to {keys} and {size}; {values} left out"


def _short(metadata: dict[str, Any]) -> bool:
    """A few values, none of them long text or a structure: within any sensible bound without measuring."""
    if len(metadata) > 8:
        return False
    for key, value in metadata.items():
        kind = type(value)
        if len(key) > 256 or not (kind in _SMALL or (kind is str and len(value) < 1024)):
            return False
    return True
