"""Reddit: Pushshift-style NDJSON dumps (plain or ``.zst``) and the JSON of a thread's ``.json`` URL.

A submission (``t3``) is a thread: its title and self text are the thread's title and article. A
comment (``t1``) joins the thread of its ``link_id``; its ``parent_id`` is ``t1_<comment>`` for a
reply or ``t3_<submission>`` at top level. Bodies are HTML-escaped by Reddit (``&gt;``) and decoded
here; ``[deleted]`` and ``[removed]`` bodies are kept as they are and marked in the comment's metadata;
``>`` quote lines become quote spans. Each shape is read by its own module (``dump``, ``listing``),
both gathering into thread drafts with ``threads``.
"""

from __future__ import annotations

from collections.abc import Iterator

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.reddit import dump, listing
from moderator.core.importing.formats.reddit.threads import is_comment, is_submission, unwrap
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import first_object
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.streams import first_value
from moderator.core.progress import Progress

EXTENSIONS = (".zst",)  # plain dumps (.ndjson, .jsonl, .json) are told from the other formats by content
STREAMS = True  # a dump's threads are yielded one by one, and ``progress`` covers the whole import (see writer)


def sniff(source: SourceText) -> float:
    if source.compressed == "zstd":  # a dump, unless its first line is plainly something else (.jsonl.zst)
        first = unwrap(first_value(source))
        return 0.0 if type(first) is dict and not (is_comment(first) or is_submission(first)) else 0.99
    head = source.text.lstrip()[:4096]
    if head.startswith("["):
        return 0.99 if '"Listing"' in head and '"t3"' in head else 0.0
    first = unwrap(first_object(source.text))
    return 0.98 if type(first) is dict and (is_comment(first) or is_submission(first)) else 0.0


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    if not source.compressed and source.name.lower().endswith(".zst"):
        raise ImportFailure(source.name, 1, "not a Zstandard-compressed file (it does not start with the zstd magic number)")
    if not source.compressed and source.head().lstrip().startswith("["):  # head(): a large NDJSON dump is not read whole
        yield from listing.read(source)
    else:
        yield from dump.read(source, progress)
    if progress is not None:
        progress(1.0)
