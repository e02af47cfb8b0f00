"""Personal data out of exported texts: e-mail and IP addresses, phone numbers, profile URLs and user names
become typed placeholders (``[EMAIL]``, ``[IP]``, ``[PHONE]``, ``[URL]``, ``[USER_1]``…) in each comment's
text and parent text and in its thread's title and URL. What is found, and what is not, is scrub_patterns.py.

User names are numbered per thread in order of first appearance (the title first, then the comments in
thread order): ``@ana``, ``@Ana`` and ``u/ana`` are one ``[USER_n]`` everywhere in the thread, its
parent texts included, and the numbering starts again in the next thread. An export reads comments in
(thread_id, position) order, so one thread's state is kept at a time: memory is one thread's changed texts.

Each comment's text is scrubbed once per export, however many annotation records repeat it; a text
without a trigger (most of them) costs one search. Offsets into a changed text (quotes, rationale spans)
move with it: ``remap`` sends an offset of the stored text to the scrubbed one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from moderator.core.export.scrub_patterns import candidates, is_ipv6, is_phone, may_hold, scrub_inside_url, trim_url, user_url

KINDS = ("email", "ip", "phone", "url", "user")
KIND_NAMES = {"email": "e-mail addresses", "ip": "IP addresses (v4 and v6)", "phone": "phone numbers",
              "url": "profile URLs (reddit.com/u/…, x.com/…, github.com/…, /@name …)", "user": "@mentions and u/ names"}  # fmt: skip
PLACEHOLDERS = {"email": "[EMAIL]", "ip": "[IP]", "phone": "[PHONE]", "url": "[URL]"}
_KIND_OF = {"mailto": "email", "email": "email", "ipv4": "ip", "ipv6": "ip", "phone": "phone"}

# (start, end) in the stored text → (start, end) in the scrubbed one, and what was there
Edit = tuple[int, int, int, int, str]
NO_EDITS: tuple[Edit, ...] = ()


@dataclass
class ScrubCounts:
    """What an export scrubbed: replacements per kind, in the texts it wrote (each text counted once), and
    distinct user names (counted per thread, where their numbers live)."""

    scrubbed: bool = True
    found: Counter = field(default_factory=Counter)
    users: int = 0
    texts: int = 0  # texts with at least one replacement

    def merge(self, other: ScrubCounts) -> None:
        """Add another part of the same export's counts (parallel.py: threads never span two parts)."""
        self.found.update(other.found)
        self.users += other.users
        self.texts += other.texts

    def as_dict(self) -> dict[str, Any]:
        return {"scrubbed": self.scrubbed, **{k: self.found[k] for k in KINDS}, "user_names": self.users, "texts": self.texts}


class ThreadScrubber:
    """One thread's user numbering, and its texts scrubbed so far (only the changed ones are kept)."""

    def __init__(self, thread_id: Any, counts: ScrubCounts, title: str | None = None, url: str | None = None):
        self.thread_id = thread_id
        self.counts = counts
        self.users: dict[str, str] = {}  # casefolded name → "[USER_n]"
        self.seen: set[int] = set()  # comment ids scrubbed (unchanged ones are not kept)
        self.changed: dict[int, tuple[str, tuple[Edit, ...]]] = {}
        self.counted: set[Any] = set()  # changed texts already counted
        # the title and URL come before every comment in the numbering
        self.title, title_edits = self.scrub(title)
        self.url, url_edits = self.scrub(url)
        self.title_edits: tuple[Edit, ...] = (*title_edits, *url_edits)

    # ------------------------------------------------------------------------------------- texts

    def scrub(self, text: str | None) -> tuple[str | None, tuple[Edit, ...]]:
        """The text with its personal data replaced, and the edits made (none: the same string)."""
        found = candidates(text) if text else None
        if not found:
            return text, NO_EDITS
        out: list[str] = []
        edits: list[Edit] = []
        at = last = shift = 0
        for start, _, end, kind, matched in found:
            if start < at:
                continue  # inside what an earlier one took
            new, stop, kind = self._replacement(kind, matched, start, end)
            if new is None:
                at = end  # kept as it is (a link, or a number that is no phone), and nothing inside it is looked at
                continue
            out.append(text[last:start])
            out.append(new)
            new_start = start + shift
            shift += len(new) - (stop - start)
            edits.append((start, stop, new_start, new_start + len(new), kind))
            last = stop
            at = end
        if not edits:
            return text, NO_EDITS
        out.append(text[last:])
        return "".join(out), tuple(edits)

    def _replacement(self, kind: str, found: str, start: int, end: int) -> tuple[str | None, int, str]:
        """(what replaces text[start:end], or None to keep it; the end, which a URL may draw back; the kind)."""
        if kind in ("url", "site"):
            url = trim_url(found)
            end = start + len(url)
            if user_url(url):
                return "[URL]", end, "url"
            inner, kinds = scrub_inside_url(url)
            if not kinds:
                return None, end, "url"
            return inner, end, "+".join(kinds)
        if kind in ("mention", "reddit"):
            name = found.lstrip("/@")
            if kind == "reddit":
                name = name[2:]  # "u/"
            return self.user(name), end, "user"
        if kind == "ipv6" and not is_ipv6(found):
            return None, end, "ip"
        if kind == "phone" and not is_phone(found):
            return None, end, "phone"
        mapped = _KIND_OF[kind]
        return PLACEHOLDERS[mapped], end, mapped

    def user(self, name: str) -> str:
        key = name.casefold()
        found = self.users.get(key)
        if found is None:
            found = self.users[key] = f"[USER_{len(self.users) + 1}]"
            self.counts.users += 1
        return found

    def comment(self, comment_id: int, text: str | None) -> tuple[str | None, tuple[Edit, ...]]:
        """A comment's scrubbed text and its edits, scrubbed once whether it comes as a comment or a parent."""
        if comment_id in self.seen:
            return self.changed.get(comment_id) or (text, NO_EDITS)
        self.seen.add(comment_id)
        scrubbed, edits = self.scrub(text)
        if edits:
            self.changed[comment_id] = (scrubbed, edits)
        return scrubbed, edits

    def edits(self, comment_id: int | None) -> tuple[Edit, ...]:
        found = self.changed.get(comment_id) if comment_id is not None else None
        return found[1] if found else NO_EDITS

    # ------------------------------------------------------------------------------------ counts

    def count(self, key: Any, edits: tuple[Edit, ...]) -> None:
        """Count a written text's replacements, once per text (``key``: a comment id, or "title")."""
        if key in self.counted:
            return
        self.counted.add(key)
        found = self.counts.found
        for edit in edits:
            for kind in edit[4].split("+"):
                found[kind] += 1
        self.counts.texts += 1


class Scrubber:
    """An export's scrubber: the current thread's state, and the counts over every thread."""

    def __init__(self, counts: ScrubCounts | None = None):
        self.counts = counts if counts is not None else ScrubCounts()
        self._thread: ThreadScrubber | None = None

    def thread(self, thread_id: Any, title: str | None = None, url: str | None = None) -> ThreadScrubber:
        """The thread's scrubber; a new thread's starts with its title and URL (the previous one is dropped)."""
        current = self._thread
        if current is None or current.thread_id != thread_id:
            current = self._thread = ThreadScrubber(thread_id, self.counts, title, url)
        return current

    def entered(self, thread_id: Any) -> bool:
        """Whether ``thread_id`` is the current thread (then ``text`` needs not its title and URL)."""
        return self._thread is not None and self._thread.thread_id == thread_id

    def unchanged(
        self, thread_id: Any, comment_id: int, text: str | None, parent_id: int | None, quotes: list | None = None
    ) -> bool:
        """Whether a record's texts all stay as stored, when that is quick to tell (most records: the thread
        is under way, its title, URL and the parent unchanged, the text without a trigger, no quote to move);
        False means only "ask ``text``", which then does the same as if this had not been called."""
        ts = self._thread
        if ts is None or ts.thread_id != thread_id or ts.title_edits:
            return False
        changed = ts.changed
        if changed and (quotes or parent_id in changed):
            return False
        if parent_id is not None and parent_id not in ts.seen:
            return False
        if comment_id in ts.seen:
            return comment_id not in changed
        if text and may_hold(text) and candidates(text):
            return False
        ts.seen.add(comment_id)
        return True

    def quiet_run(self, rows: list[tuple], start: int, quoted: dict | None, at: tuple[int, int, int, int]) -> int:
        """``unchanged`` over ``rows[start:]`` until its first False: the index of that row (``len(rows)`` if none),
        the rows before it taken as ``unchanged`` takes them. ``at``: where a row holds its thread id, comment id,
        parent id and text. One call per page instead of one per row, the thread's state read once."""
        ts = self._thread
        if ts is None or ts.title_edits:
            return start
        thread, seen, changed = ts.thread_id, ts.seen, ts.changed
        thread_at, id_at, parent_at, text_at = at
        for i in range(start, len(rows)):
            row = rows[i]
            if row[thread_at] != thread:
                return i
            comment_id, parent_id = row[id_at], row[parent_at]
            if changed and ((quoted and quoted.get(comment_id)) or parent_id in changed):
                return i
            if parent_id is not None and parent_id not in seen:
                return i
            if comment_id in seen:
                if comment_id in changed:
                    return i
                continue
            text = row[text_at]
            if text and may_hold(text) and candidates(text):
                return i
            seen.add(comment_id)
        return len(rows)

    def text(
        self, thread_id: Any, title: str | None, url: str | None, comment_id: int, text: str | None,
        parent_id: int | None = None, parent_text: str | None = None, quotes: list[dict[str, Any]] | None = None,
        count: bool = True,
    ) -> Scrubbed:  # fmt: skip
        """One record's texts scrubbed, and counted when ``count`` (the record is written: a record left out of
        an annotation-level file is still scrubbed, so that the numbering is the one every export has).
        ``title`` and ``url`` are read when the thread starts."""
        ts = self._thread
        if ts is None or ts.thread_id != thread_id:
            ts = self.thread(thread_id, title, url)
        title_edits, changed = ts.title_edits, ts.changed
        parent_edits = NO_EDITS
        if parent_id is not None:
            got = changed.get(parent_id)
            if got is not None:
                parent_text, parent_edits = got
            elif parent_id not in ts.seen:  # replies come after their parent: rarely here
                parent_text, parent_edits = ts.comment(parent_id, parent_text)
        scrubbed, edits = ts.comment(comment_id, text)
        if quotes and (edits or changed):
            quotes = remap_quotes(quotes, edits, ts)
        if count:  # only what changed is counted, each text once
            if title_edits:
                ts.count("title", title_edits)
            if parent_edits:
                ts.count(parent_id, parent_edits)
            if edits:
                ts.count(comment_id, edits)
        return Scrubbed(ts.title, ts.url, parent_text, scrubbed, edits, quotes, bool(edits or parent_edits or title_edits))


class Scrubbed(NamedTuple):
    title: str | None
    url: str | None
    parent_text: str | None
    text: str | None
    edits: tuple[Edit, ...]  # the text's
    quotes: list[dict[str, Any]] | None  # the comment's quote spans, their offsets moved with the texts
    changed: bool  # any of the texts


def remap(offset: int | None, edits: tuple[Edit, ...], end: bool = False) -> int | None:
    """An offset into the stored text as an offset into the scrubbed one; an offset inside a replaced
    stretch moves to the placeholder's start (``end``: to its end), so a span keeps covering it."""
    if offset is None or not edits:
        return offset
    shift = 0
    for start, stop, new_start, new_stop, _ in edits:
        if offset <= start:
            break
        if offset < stop:
            return new_stop if end else new_start
        shift = new_stop - stop
    return offset + shift


def remap_spans(spans: list[dict[str, Any]], edits: tuple[Edit, ...]) -> list[dict[str, Any]]:
    """Rationale spans ``{start, end, …}`` of a changed text, moved with it."""
    return [{**s, "start": remap(s.get("start"), edits), "end": remap(s.get("end"), edits, end=True)} for s in spans]


def remap_quotes(quotes: list[dict[str, Any]], edits: tuple[Edit, ...], ts: ThreadScrubber) -> list[dict[str, Any]]:
    """A comment's quote spans: its own offsets moved with its text, the source's with the quoted comment's."""
    out = []
    for q in quotes:
        source = ts.edits(q.get("comment_id")) if q.get("source") == "comment" else NO_EDITS
        if not edits and not source:
            out.append(q)
            continue
        out.append({**q, "start": remap(q["start"], edits), "end": remap(q["end"], edits, end=True),
                    "source_start": remap(q.get("source_start"), source),
                    "source_end": remap(q.get("source_end"), source, end=True)})  # fmt: skip
    return out
