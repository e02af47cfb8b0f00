"""JSON Lines importer: one thread per line, or the bulk shape with one comment per line.

The shape is decided by the first non-blank line: an object with ``"comments"`` is a thread per line
(shape a), anything else is one comment per line (shape b). A bad line fails the whole file with
``path:line: reason``. Shape a yields each thread as its line is read (memory holds one line's thread),
so a bad line may come after threads were yielded: the writer's one transaction leaves the database as
it was. Shape b's lines are all checked before its first thread is yielded.

Shape b groups comments into threads by ``"thread_id"``, else by the post they hang under
(``story_id``, ``link_id``, ``submission_id``, ``root_id``, ``conversation_id``, ``article_id``; a
reply whose parent is that post is top level). If the first line names a thread, every line must;
if it does not, comments that name none form one thread per file, titled by the file's name. Parents
are ``parent_id`` or ``parent``. Hacker News items (the API's shape) are read as such: ``by`` is the
author, ``time`` (unix seconds) the creation time, ``text`` HTML made plain text, ``deleted``/``dead``
kept in the metadata (an item deleted without text reads "[deleted]", as Reddit marks one), and a
story (job, poll) line is a thread of its own, its text the article, that the comments whose parents
lead to it join.

The bulk shape is read into compact ``BulkThread`` records (a tuple per comment, no draft objects):
``read_bulk`` is what the database's fast bulk path consumes, and ``parse`` turns the same records
into drafts, so both apply exactly the same checks and make the same threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import chain
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.jsonl_fields import checked_time, expect_object, ident, text_field, when
from moderator.core.importing.formats.jsonl_threads import COMMENT_KEYS, read_threads
from moderator.core.importing.linking.reply_tree import ReplyCycle, cycle_failure, reply_depths
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.comment_bounds import OWN_KEYS, MetadataBound
from moderator.core.importing.sources.html_text import html_to_text
from moderator.core.importing.sources.json_lines import first_object, kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.streams import first_value, stream_objects
from moderator.core.progress import Cancelled, Progress, Stepped

NAME = "jsonl"
EXTENSIONS = (".jsonl", ".ndjson")  # compressed too (.jsonl.zst): told from a Reddit dump by its first line
STREAMS = True  # threads are yielded one by one, and ``progress`` covers the whole import (see writer)
READ_SHARE = 0.25  # the bulk shape through ``parse``: reading the file; the rest is yielding (and writing) its threads

_BULK_KEYS = COMMENT_KEYS | {"thread_id", "thread_title", "title", "url", "article"}
# A bulk line with only these keys carries no thread fields and no extra metadata (the common case).
_PLAIN_KEYS = COMMENT_KEYS | {"thread_id"}
# What names a comment's thread, best first: this format's own key, then those of exports that group
# comments under the post they hang from (a Hacker News story, a Reddit link...). A reply to that post
# itself (HN's "parent" is the story's id; Reddit's parent_id is the link's) is a top-level comment.
THREAD_ALIASES = ("thread_id", "story_id", "link_id", "submission_id", "root_id", "conversation_id", "article_id")
_PARENT_ALIASES = ("parent_id", "parent")
_TEXT_ALIASES = ("text", "comment_text")  # comment_text: Algolia's Hacker News search export (HTML)
_ID_ALIASES = ("id", "objectID")
# Hacker News items (the API's shape: by, time, text as HTML, parent, kids, type, deleted, dead).
_HN_TYPES = frozenset({"comment", "story", "job", "poll", "pollopt"})
_HN_POSTS = frozenset({"story", "job", "poll"})
_STORY = object()  # marks the fields of a line that is a post (an HN story), not a comment


def sniff(source: SourceText) -> float:
    first = first_value(source) if source.compressed == "zstd" else first_object(source.text)
    if not isinstance(first, dict):
        return 0.0
    return 0.95 if "comments" in first or "text" in first or "comment_text" in first or first.get("type") in _HN_TYPES else 0.0


# -------------------------------------------------------------------------------- bulk shape


class Scattered(Exception):
    """A thread's lines come back after another thread's, or a story line regroups threads: what
    ``read_bulk`` has let go cannot make the threads (see its ``ready``); ``jsonl_grouped`` regroups them."""

    def __init__(self) -> None:
        super().__init__("scattered threads")


# One line of a bulk file, checked, as a plain tuple (a million of them are built, so no class):
# (external_id, parent_id, author, text, created_at, line, metadata). ``created_at`` is the raw JSON
# value, already validated (``when`` turns it into a datetime); metadata holds the keys the format
# does not know, or is None.
BulkComment = tuple[str | None, str | None, str | None, str, str | int | float | None, int, dict[str, Any] | None]


class BulkThread:
    """The comments of one ``thread_id`` in file order, with the thread fields first given.

    ``external_id`` None: the thread of a file's comments that name no thread, titled by the file.
    """

    __slots__ = ("external_id", "line", "title", "url", "article", "comments", "ids", "unresolved")

    def __init__(self, external_id: str | None, line: int):
        self.external_id = external_id
        self.line = line  # first line of the thread
        self.title: str | None = None
        self.url: str | None = None
        self.article = ""
        self.comments: list[BulkComment] = []
        self.ids: dict[str, int] = {}  # external id -> index in comments
        self.unresolved: list[int] = []  # comments whose parent had not been seen when they were read

    def link(self, name: str) -> tuple[list[int | None], list[int]]:
        """Parent index (None for top level or an orphan) and depth of every comment; refuses cycles."""
        ids = self.ids
        parents = [None if c[1] is None else ids.get(c[1]) for c in self.comments]
        try:
            return parents, reply_depths(parents)
        except ReplyCycle as cycle:
            comments = self.comments
            raise cycle_failure(name, cycle.cycle, [c[0] for c in comments], [c[5] for c in comments]) from None

    def orphans(self) -> int:
        """Replies whose parent id is not in the thread (kept at top level)."""
        ids = self.ids
        comments = self.comments
        return sum(1 for k in self.unresolved if comments[k][1] not in ids)


def read_bulk(
    source: SourceText,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    bound: MetadataBound | None = None,
    ready: Callable[[BulkThread], None] | None = None,
    objects: Iterator[tuple[int, Any]] | None = None,
    keyed: bool | None = None,
) -> list[BulkThread] | None:
    """The threads of a one-comment-per-line file in first-appearance order; None for a thread-per-line file.

    Every line is checked, so a bad line anywhere raises ``ImportFailure`` before anything is
    returned; reply cycles are found by ``BulkThread.link``. Each comment's metadata is cut to
    ``bound`` as it is read (a new ``MetadataBound(OWN_KEYS)`` if none is given, the draft writer's):
    a million comments are held at once.

    ``ready``, for a writer that starts before the end of the file: called with each thread once a line
    of another thread follows it (a bulk export usually has each thread's lines together), so before
    the file is known to be valid; the thread is then let go (memory holds one thread, not the file) and
    left out of the list returned, which holds the last one. ``Scattered`` is raised if a thread comes
    back after another one or, reading the file itself, at a story line.
    ``objects``: the ``(line, value)`` pairs to read instead of the file's, a thread at a time, story lines
    in their threads and comments under a story already given its id (``jsonl_grouped``); ``keyed``:
    whether the file's first line names a thread (the first of ``objects`` may not be the file's first line).
    """
    if bound is None:
        bound = MetadataBound(OWN_KEYS)
    name = source.name
    lines = stream_objects(source, progress, cancelled) if objects is None else objects
    first = next(lines, None)
    if first is None:
        return []
    expect_object(name, first[0], first[1])
    if "comments" in first[1]:
        return None
    # None: the thread of the comments without a thread key (one per file)
    threads: dict[str | None, BulkThread] = {}
    if keyed is None:  # then every line needs a thread key
        keyed = any(first[1].get(k) is not None for k in THREAD_ALIASES)
    regrouped = objects is not None
    rooted: set[str] = set()  # threads keyed by the post they hang under: a reply to that post is top level
    stories: set[str] = set()
    plain_keys = _PLAIN_KEYS.issuperset
    iso = datetime.fromisoformat
    same_author = {}.setdefault
    current: BulkThread | None = None  # the thread of the previous line
    current_tid: object = _STORY  # its key (no line's key to begin with)
    comments: list[BulkComment] = []  # and its lists, at hand
    ids: dict[str, int] = {}
    unresolved: list[int] = []
    passed: set[str | None] = set()  # the threads given to ready()
    for lineno, obj in chain((first,), lines):
        if type(obj) is not dict:
            expect_object(name, lineno, obj)
        if plain_keys(obj):
            tid, ext, parent, author, created, text = (
                obj.get("thread_id"), obj.get("id"), obj.get("parent_id"), obj.get("author"), obj.get("created_at"),
                obj.get("text"),
            )  # fmt: skip
            metadata = fields = None
            rooting = False
        else:
            tid, rooting, ext, parent, author, created, text, metadata, fields = _unusual(name, lineno, obj)
            if metadata is not None:
                metadata = bound(metadata)
            if fields is not None and fields[0] is _STORY:
                sid = _story(name, lineno, threads, ext, fields)
                rooted.add(sid)
                if not regrouped:
                    stories.add(sid)
                    if ready is not None:
                        raise Scattered()
                    continue
                tid = sid  # its thread's lines follow: the story's thread is the current one
        if type(tid) is not str:
            if tid is None and keyed:
                raise ImportFailure(
                    name, lineno, 'missing "thread_id" (the first line has one, so every line of the file needs one)'
                )
            if tid is not None:
                tid = str(tid) if type(tid) is int else ident(name, lineno, "thread_id", tid)
        if tid != current_tid:  # (a line of the same thread as the previous one looks nothing up)
            thread = threads.get(tid)
            if thread is None:
                thread = threads[tid] = BulkThread(tid, lineno)
                if tid is None:
                    thread.title = PurePath(name).stem or name
            if ready is not None:
                if tid in passed:
                    raise Scattered()
                if current is not None:
                    _let_go(current, threads, rooted, ready)
                    if not regrouped:  # (regrouped, no thread comes back: the set would only grow)
                        passed.add(current.external_id)
            current, current_tid = thread, tid
            comments, ids, unresolved = thread.comments, thread.ids, thread.unresolved
        else:
            thread = current
        if fields is not None and fields[0] is _STORY:
            continue
        if rooting:
            rooted.add(tid)
        if fields is not None:
            # Thread fields may sit on any line of the thread; the first value given wins.
            title, url, article = fields
            if title is not None and thread.title is None:
                thread.title = text_field(name, lineno, "thread_title", title)
            if url is not None and thread.url is None:
                thread.url = text_field(name, lineno, "url", url)
            if article is not None and not thread.article:
                thread.article = text_field(name, lineno, "article", article)
        # Calls only for what is unusual: this runs once per comment of a big file. (Integer ids are
        # common; type() rather than isinstance() keeps true/false out, which ident refuses.)
        if type(text) is not str:
            what = 'missing "text"' if text is None else f'"text" must be a string, found {kind_of(text)}'
            raise ImportFailure(name, lineno, what)
        if ext is not None and type(ext) is not str:
            ext = str(ext) if type(ext) is int else ident(name, lineno, "id", ext)
        if parent is not None and type(parent) is not str:
            parent = str(parent) if type(parent) is int else ident(name, lineno, "parent_id", parent)
        if author is not None:
            if type(author) is not str:
                raise ImportFailure(name, lineno, f'"author" must be a string or null, found {kind_of(author)}')
            author = same_author(author, author) or None  # one string per name: authors repeat a lot
        if created is not None:
            if type(created) is str:
                try:
                    iso(created)
                except ValueError:
                    checked_time(name, lineno, "", created)
            else:
                checked_time(name, lineno, "", created)
        if ext is not None:
            index = len(comments)
            first_index = ids.setdefault(ext, index)
            if first_index != index:
                raise ImportFailure(
                    name, lineno, f"duplicate comment id {ext!r} in this thread (first on line {comments[first_index][5]})"
                )
            if parent == ext:
                raise ImportFailure(name, lineno, f"comment {ext!r} is its own parent")
        if parent is not None and parent not in ids:
            unresolved.append(len(comments))
        comments.append((ext, parent, author, text, created, lineno, metadata))
    if stories and None in threads:
        _under_stories(name, threads, stories)
    for tid in rooted:
        if tid in threads:
            _replies_to_the_post(threads[tid])
    return [thread for thread in threads.values() if thread.comments]


def line_role(obj: Any) -> tuple[str, Any, Any]:
    """Where ``read_bulk`` puts a line, told before reading it (ids as given, unchecked): ("story", its id,
    None) for a post (a Hacker News story), ("loose", id, parent) for a comment that names no thread, or
    ("keyed", None, None) for any other line (its thread is the one it names: ``jsonl_stories.thread_of``)."""
    if type(obj) is not dict:
        return "keyed", None, None  # refused when read
    kind = obj.get("type")
    if type(kind) is str and kind in _HN_POSTS:
        return "story", _first(obj, _ID_ALIASES), None
    if any(obj.get(k) is not None for k in THREAD_ALIASES):
        return "keyed", None, None
    return "loose", _first(obj, _ID_ALIASES), _first(obj, _PARENT_ALIASES)


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((obj[k] for k in keys if obj.get(k) is not None), None)


def _let_go(thread: BulkThread, threads: dict[str | None, BulkThread], rooted: set[str], ready: Callable) -> None:
    """A thread whose lines are over, to ``ready`` (unless it has no comment: a story no one answered)."""
    if thread.comments:
        ready(_rooted(thread) if thread.external_id in rooted else thread)
    del threads[thread.external_id]
    rooted.discard(thread.external_id)  # type: ignore[arg-type]


def _unusual(name: str, lineno: int, obj: dict[str, Any]) -> tuple:
    """A line with more than the plain keys: (thread key, whether the key is a post's, id, parent, author,
    created_at, text, metadata or None, (title, url, article) or None, or (_STORY, title, url, article)
    for a Hacker News story)."""
    if "comments" in obj:
        raise ImportFailure(
            name, lineno, 'a whole thread ("comments") in a file of one comment per line: the two shapes are mixed'
        )
    used = set()

    def pick(keys: tuple[str, ...]) -> Any:
        for key in keys:
            value = obj.get(key)
            if value is not None:
                used.add(key)
                return value
        return None

    hn = "by" in obj or obj.get("type") in _HN_TYPES
    used.update(obj.keys() & {*THREAD_ALIASES, *_PARENT_ALIASES, *_TEXT_ALIASES, *_ID_ALIASES, *(("by", "time") if hn else ())})
    key = next((k for k in THREAD_ALIASES if obj.get(k) is not None), None)
    tid = None if key is None else obj[key]
    rooting = key not in (None, "thread_id")
    ext, parent = pick(_ID_ALIASES), pick(_PARENT_ALIASES)
    author = pick(("author", "by") if hn else ("author",))
    created = pick(("created_at", "time") if hn else ("created_at",))
    text = pick(_TEXT_ALIASES)
    if type(text) is str and (hn or "comment_text" in used):
        text = html_to_text(text)[0]
    title = obj.get("thread_title", obj.get("title"))
    url = obj.get("url")
    if hn and obj.get("type") in _HN_POSTS:
        return tid, False, ext, None, author, created, None, None, (_STORY, title, url, text)
    if text is None and (obj.get("deleted") is True or obj.get("dead") is True):
        text = "[deleted]" if obj.get("deleted") is True else "[dead]"  # marked in metadata, as Reddit's are
    extra = obj.keys() - _BULK_KEYS - used
    metadata = {k: v for k, v in obj.items() if k in extra} if extra else None  # in the line's order: the bound keeps the first
    fields = (title, url, obj.get("article")) if (title, url, obj.get("article")) != (None, None, None) else None
    return tid, rooting, ext, parent, author, created, text, metadata, fields


def _story(name: str, lineno: int, threads: dict[str | None, BulkThread], ext: Any, fields: tuple) -> str:
    """A Hacker News story (or job, poll): a thread of its own, its id the thread's; its text the article."""
    if ext is None:
        raise ImportFailure(name, lineno, 'a story without "id": its comments could not be found')
    sid = str(ext) if type(ext) is int else ident(name, lineno, "id", ext)
    thread = threads.get(sid)
    if thread is None:
        thread = threads[sid] = BulkThread(sid, lineno)
    _, title, url, article = fields
    if title is not None and thread.title is None:
        thread.title = text_field(name, lineno, "title", title)
    if url is not None and thread.url is None:
        thread.url = text_field(name, lineno, "url", url)
    if article is not None and not thread.article:
        thread.article = text_field(name, lineno, "text", article)
    return sid


def _under_stories(name: str, threads: dict[str | None, BulkThread], stories: set[str]) -> None:
    """Comments that name no thread join the story their chain of parents leads to, when it is in the file."""
    loose = threads[None]
    comments, ids = loose.comments, loose.ids
    unknown = ""  # not yet followed (a story id is never empty: _story refuses a missing id, "" is no key here)
    story_of: list[str | None] = [unknown] * len(comments)
    for i in range(len(comments)):
        walk, j, story = [], i, None
        while story_of[j] == unknown and len(walk) <= len(comments):  # a reply cycle is refused later, by link()
            walk.append(j)
            parent = comments[j][1]
            if parent is None:
                break
            if parent in stories:
                story = parent
                break
            j = ids.get(parent, -1)
            if j < 0:
                break
        else:
            if story_of[j] != unknown:
                story = story_of[j]
        for k in walk:
            story_of[k] = story
    groups: dict[str | None, list[BulkComment]] = {None: []}
    for comment, story in zip(comments, story_of):
        groups.setdefault(story, []).append(comment)
    if len(groups) == 1:
        return
    for story, group in groups.items():
        thread = threads[story]
        _refill(name, thread, group if story is None else sorted(thread.comments + group, key=lambda c: c[5]))


def _refill(name: str, thread: BulkThread, comments: list[BulkComment]) -> None:
    thread.comments, thread.ids, thread.unresolved = [], {}, []
    for comment in comments:
        ext, parent = comment[0], comment[1]
        if ext is not None:
            first = thread.ids.setdefault(ext, len(thread.comments))
            if first != len(thread.comments):
                raise ImportFailure(
                    name, comment[5], f"duplicate comment id {ext!r} in this thread (first on line {thread.comments[first][5]})"
                )
        if parent is not None and parent not in thread.ids:
            thread.unresolved.append(len(thread.comments))
        thread.comments.append(comment)


def _rooted(thread: BulkThread) -> BulkThread:
    """A copy of a thread with ``_replies_to_the_post`` done: the thread itself waits for the end of the
    file, where a later line may still give a comment the post's id."""
    copy = BulkThread(thread.external_id, thread.line)
    copy.title, copy.url, copy.article, copy.ids = thread.title, thread.url, thread.article, thread.ids
    copy.comments, copy.unresolved = list(thread.comments), list(thread.unresolved)
    _replies_to_the_post(copy)
    return copy


def _replies_to_the_post(thread: BulkThread) -> None:
    """A reply to the post a thread is keyed by (not a comment of it) is top level, not an orphan."""
    post = thread.external_id
    comments, ids = thread.comments, thread.ids
    still = []
    for k in thread.unresolved:
        parent = comments[k][1]
        if parent == post and parent not in ids:
            comments[k] = (comments[k][0], None, *comments[k][2:])
        else:
            still.append(k)
    thread.unresolved = still


def bulk_draft(name: str, thread: BulkThread) -> ThreadDraft:
    """The draft of a bulk thread (what ``parse`` yields); refuses a reply cycle."""
    parents, _ = thread.link(name)
    draft = ThreadDraft(
        source=NAME, external_id=thread.external_id, line=thread.line, title=thread.title, url=thread.url, article=thread.article
    )
    orphans = 0
    append = draft.comments.append
    for (ext, parent, author, text, created, line, extra), index in zip(thread.comments, parents):
        metadata = dict(extra) if extra else {}
        if parent is not None and index is None:
            metadata["missing_parent_id"] = parent
            orphans += 1
        moment = None if created is None else when(created)
        append(CommentDraft(text, author, ext, index, moment, metadata=metadata, line=line))
    if orphans:
        draft.metadata["orphans"] = orphans
    return draft


# ----------------------------------------------------------------------------------- parsing


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    bound = MetadataBound(OWN_KEYS)
    with paused_gc():
        bulk = read_bulk(source, None if progress is None else lambda f: progress(READ_SHARE * f), bound=bound)
    if bulk is None:
        yield from read_threads(source, progress, NAME)
    else:
        warning = bound.warning(source.name)
        if warning and options is not None:
            options.notes.warnings.append(warning)
        yield from _bulk_drafts(source.name, bulk, progress)
    if progress is not None:
        progress(1.0)


def _bulk_drafts(name: str, bulk: list[BulkThread], progress: Progress | None) -> Iterator[ThreadDraft]:
    """The bulk threads' drafts, one at a time (each thread let go once yielded); progress covers the rest
    of the import, as the writer writes each draft before the next is asked for (``STREAMS``)."""
    report = Stepped(progress, sum(len(thread.comments) for thread in bulk), READ_SHARE, 1 - READ_SHARE)
    done = 0
    for k in range(len(bulk)):
        thread, bulk[k] = bulk[k], None  # type: ignore[call-overload]
        with paused_gc():
            draft = bulk_draft(name, thread)
        done += len(thread.comments)
        del thread
        yield draft
        report(done)
