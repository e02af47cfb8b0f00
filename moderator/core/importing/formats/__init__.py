"""Importers: one module per format, each turning a SourceText into ThreadDrafts.

Every importer module has ``NAME``, ``EXTENSIONS``, ``sniff(source) -> float`` (0..1, how sure it is
that the text is its format) and ``parse(source, progress=None) -> Iterator[ThreadDraft]``, raising
``ImportFailure`` (``path:line: reason``) for bad input. ``progress`` takes a fraction in 0..1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from types import ModuleType

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.importing.formats import convokit, csv_table, disqus, hatexplain, jsonl, lewidi, ratings
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.formats.reddit import reader as reddit
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.reading import SourceText, read_source, text_source
from moderator.core.progress import Progress

FORMATS = ("paste", "jsonl", "csv", "lewidi", "convokit", "reddit", "disqus", "ratings", "hatexplain")
_MODULES: dict[str, ModuleType] = {
    "paste": paste, "jsonl": jsonl, "csv": csv_table, "lewidi": lewidi,
    "convokit": convokit, "reddit": reddit, "disqus": disqus, "ratings": ratings, "hatexplain": hatexplain,
}  # fmt: skip
# Their files share a generic extension (utterances.jsonl, a Reddit thread's .json, a Pushshift .ndjson, a
# ratings table's .csv): a sure sniff of the content decides before the extension does.
_BY_CONTENT = ("convokit", "reddit", "ratings", "hatexplain")  # HateXplain's .json is not LeWiDi's
SURE = 0.97


__all__ = [
    "FORMATS",
    "ImportCancelled",
    "ImportFailure",
    "SourceText",
    "detect_format",
    "file_extensions",
    "importer",
    "parse",
    "read_source",
    "text_source",
]


def importer(name: str) -> ModuleType:
    if name not in _MODULES:
        raise ValueError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    return _MODULES[name]


def file_extensions() -> list[str]:
    """Every extension some format claims (".json", ".xml", ".zst", …), for file choosers."""
    return sorted({suffix for name in FORMATS for suffix in importer(name).EXTENSIONS})


def detect_format(source: SourceText, mapping: dict[str, str] | None = None) -> str:
    """The format of a source: its extension when it names one, else the most confident sniff.

    Columns mapped to annotators (``--map annotator=…``) make a table a ratings table. Pasted text is
    never the guess for a file that reads as JSON or as a table (paste's sniff is 0 for those), even
    with a .txt name.
    """
    if mapping and "annotator" in mapping:
        return ratings.NAME
    source = source.sniffing()  # the start of a large file, never read whole to be told apart
    for name in _BY_CONTENT:
        if importer(name).sniff(source) >= SURE:
            return name
    if source.compressed == "zstd":  # a .zst that is not a Reddit dump: this format's own lines, compressed
        return jsonl.NAME if jsonl.sniff(source) > 0 else reddit.NAME
    suffix = PurePath(source.name).suffix.lower()
    for name in FORMATS:
        if suffix in importer(name).EXTENSIONS and (name != paste.NAME or paste.sniff(source) > 0):
            return name
    scores = {name: importer(name).sniff(source) for name in FORMATS}
    if scores[paste.NAME] == 0:
        del scores[paste.NAME]
    return max(scores, key=scores.__getitem__)


def parse(
    source: SourceText, fmt: str = "auto", progress: Progress | None = None, options: ImportOptions | None = None
) -> Iterator[ThreadDraft]:
    name = detect_format(source, options.mapping if options else None) if fmt == "auto" else fmt
    return importer(name).parse(source, progress=progress, options=options)
