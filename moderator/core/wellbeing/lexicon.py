"""The lexicon: words and phrases (dehumanizing metaphors, calls for violence, slurs) found in comments.

A hint for annotators and the lexicon half of ``wellbeing.severity``. Matching works on whole words
(a token is a run of letters and digits), so "rat" never matches inside "separate"; it ignores case
and simple inflections, generated from each lexicon word when the lexicon is compiled (rat → rats;
eradicate → eradicated, eradicating), so matching a comment is one pass over its words with dict
lookups: O(text length), fast enough for every keystroke that shows the next comment.

A term may have exceptions: words right after it, or right before it in the same clause, that cancel
the match ("should die" + "for their country" is a sacrifice, "no one" + "should die" the opposite of a
call). Exception phrases match their words as written (case aside, no inflections); "..." in one stands
for up to MAX_GAP words of the same clause ("no ... should die" covers "no foreign man should die").

The bundled lexicon is ``assets/lexicon.toml``; a user's own copy lives in their config folder and is
used when present and valid. A broken copy is reported (file:line: reason) and the bundled one used.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from pathlib import Path

from moderator.core.paths import asset_path, user_config_path

BUNDLED = "lexicon.toml"
INFLECTIONS = ("noun", "verb")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_WORD_OR_BRACKET = re.compile(r"\[[^\[\]]*\]|[^\s\[\]]+|[\[\]]")
_VOWELS = set("aeiou")
_MAX_VARIANTS = 64  # optional words double a phrase's variants each; a handful is plenty
GAP = "..."  # in an exception phrase: a few words of the same clause ("…" too)
MAX_GAP = 3  # "no foreign man should die"; a wider gap would reach across unrelated words
_REACH = 32  # words read beyond a match for its exceptions: far more than any exception phrase spans
# Where a clause ends, for exceptions: a "no" before a comma never negates what follows it.
_CLAUSE_BREAK = re.compile(r"[,;:.!?…()\[\]{}—–\n]")


class Severity(IntEnum):
    NONE = 0
    MILD = 1  # highlighted, never blurred
    SEVERE = 2  # blurred when the project asks, counted as a severe item seen

    @classmethod
    def named(cls, name: str) -> Severity:
        return cls[name.upper()]


SEVERITY_NAMES = ("mild", "severe")


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message is ``path:line: reason``."""


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    severity: Severity


Pattern = tuple[str | None, ...]  # normalised words; None is a gap of 0..MAX_GAP words


@dataclass(frozen=True)
class Exceptions:
    """What cancels a term's match: a phrase right after it, or right before it, in the same clause."""

    followed_by: tuple[Pattern, ...] = ()
    preceded_by: tuple[Pattern, ...] = ()  # each stored reversed: read from the match backwards

    def __bool__(self) -> bool:
        return bool(self.followed_by or self.preceded_by)

    def __or__(self, other: Exceptions) -> Exceptions:
        return Exceptions(self.followed_by + other.followed_by, self.preceded_by + other.preceded_by)

    def cancel(self, after: list[str], before: list[str]) -> bool:
        """Whether the clause's words after the match, or before it (nearest first), start with an exception."""
        return any(_starts_with(after, p) for p in self.followed_by) or any(_starts_with(before, p) for p in self.preceded_by)


NO_EXCEPTIONS = Exceptions()


def _starts_with(words: list[str], pattern: Pattern) -> bool:
    if not pattern:
        return True
    head, rest = pattern[0], pattern[1:]
    if head is None:
        return any(_starts_with(words[skip:], rest) for skip in range(min(MAX_GAP, len(words)) + 1))
    return bool(words) and words[0] == head and _starts_with(words[1:], rest)


@dataclass(frozen=True)
class Match:
    start: int  # character offsets into the text, [start, end)
    end: int
    category: Category
    term: str  # the lexicon entry, as written in the file
    severity: Severity


def _normal(token: str) -> str:
    """Casefolded, curly apostrophes straightened, a possessive 's dropped (rat's → rat)."""
    word = token.casefold().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def words(text: str) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) for every word of the text."""
    return [(_normal(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def inflections(word: str, kind: str) -> set[str]:
    """The forms a lexicon word matches: plurals for a noun; also -ed, -ing (and doubled) for a verb.

    Over-generation is harmless (a form like "gased" just never occurs); a missing form is a miss, so
    both spellings are generated where English hesitates (gassed/gased).
    """
    forms = {word, word + "s"}
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):  # never "rat" → "rates"
        forms.add(word + "es")
    consonant_y = len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS
    if consonant_y:
        forms.add(word[:-1] + "ies")
    if word.endswith("f"):
        forms.add(word[:-1] + "ves")
    if kind == "verb":
        if word.endswith("ie"):
            forms |= {word + "d", word[:-2] + "ying"}
        elif word.endswith("e"):
            forms |= {word + "d", word[:-1] + "ing"}
        else:
            forms |= {word + "ed", word + "ing", word + word[-1] + "ed", word + word[-1] + "ing"}
        if consonant_y:
            forms.add(word[:-1] + "ied")
    return forms


def _variants(term: str, gaps: bool = False) -> list[list[str | None]]:
    """The word sequences a term stands for: each [optional] word present or absent; with ``gaps``
    (exception phrases), "..." or "…" is a gap (None)."""
    parts = _WORD_OR_BRACKET.findall(term)
    if any(p in ("[", "]") for p in parts):
        raise ValueError("unbalanced [ ] in the term")
    variants: list[list[str | None]] = [[]]
    for part in parts:
        optional = part.startswith("[")
        is_gap = gaps and part in (GAP, "…")
        tokens = [None] if is_gap else [_normal(m.group()) for m in _TOKEN.finditer(part)]
        if not tokens:
            continue
        variants = [v + tokens for v in variants] + (variants if optional else [])
        if len(variants) > _MAX_VARIANTS:
            raise ValueError("too many [optional] words in one term")
    variants = [v for v in variants if any(w is not None for w in v)]
    if not variants:
        raise ValueError("the term has no words")
    return variants


def exception_patterns(phrases: list[str], *, reverse: bool = False) -> tuple[Pattern, ...]:
    """Compiled exception phrases (every [optional] variant), each reversed when read backwards."""
    return tuple(tuple(reversed(v) if reverse else v) for phrase in phrases for v in _variants(phrase, gaps=True))


class Lexicon:
    """Compiled terms: a trie over lemma keys, and every inflected form → the lemma keys it belongs to."""

    def __init__(self, source: str):
        self.source = source  # the file it came from, for messages
        self.categories: list[Category] = []
        self._forms: dict[str, set[str]] = {}
        self._trie: dict = {}
        self.entries: list[tuple[Category, str, Severity]] = []  # as written in the file

    def add(self, category: Category, term: str, severity: Severity, kind: str, exceptions: Exceptions = NO_EXCEPTIONS) -> None:
        if category not in self.categories:
            self.categories.append(category)
        for variant in _variants(term):
            node = self._trie
            for word in variant:
                lemma = f"{word}\0{kind}"
                for form in inflections(word, kind):
                    self._forms.setdefault(form, set()).add(lemma)
                node = node.setdefault(lemma, {})
            best = node.get(None)
            if best is None or severity > best[2]:
                node[None] = (category, term, severity, exceptions)
        self.entries.append((category, term, severity))

    @property
    def terms(self) -> int:
        return len(self.entries)

    def find(self, text: str) -> list[Match]:
        """Leftmost-longest, non-overlapping matches, in text order; a match its exceptions cancel gives
        way to a shorter one at the same word, if any."""
        tokens = words(text)
        clauses = _Clauses(text, tokens)
        found: list[Match] = []
        i = 0
        while i < len(tokens):
            best = next((c for c in self._candidates(tokens, i) if not clauses.cancels(c[1][3], i, c[0])), None)
            if best is None:
                i += 1
                continue
            end, (category, term, severity, _) = best
            found.append(Match(tokens[i][1], tokens[end][2], category, term, severity))
            i = end + 1
        return found

    def _candidates(self, tokens: list[tuple[str, int, int]], i: int) -> list[tuple[int, tuple]]:
        """(last word index, entry) of every term matching from word ``i``: longest first, then most severe."""
        nodes, j, ends = [self._trie], i, []
        while nodes and j < len(tokens):
            lemmas = self._forms.get(tokens[j][0])
            if not lemmas:
                break
            nodes = [child for node in nodes for lemma in lemmas if (child := node.get(lemma)) is not None]
            ends += [(j, node[None]) for node in nodes if None in node]
            j += 1
        return sorted(ends, key=lambda e: (e[0], e[1][2]), reverse=True)

    def severity(self, text: str) -> Severity:
        return max((m.severity for m in self.find(text)), default=Severity.NONE)


class _Clauses:
    """A text's words grouped in clauses (split at , ; : . ! ? and the like), worked out on first need."""

    def __init__(self, text: str, tokens: list[tuple[str, int, int]]):
        self.text, self.tokens = text, tokens
        self._ids: list[int] | None = None

    def ids(self) -> list[int]:
        """The clause number of every word."""
        if self._ids is None:
            ids, clause, previous_end = [], 0, 0
            for _, start, end in self.tokens:
                clause += bool(_CLAUSE_BREAK.search(self.text, previous_end, start))
                ids.append(clause)
                previous_end = end
            self._ids = ids
        return self._ids

    def cancels(self, exceptions: Exceptions, first: int, last: int) -> bool:
        """Whether ``exceptions`` cancel the match of words ``first``..``last``."""
        if not exceptions:
            return False
        return exceptions.cancel(self._clause_words(last, +1), self._clause_words(first, -1))

    def _clause_words(self, edge: int, step: int) -> list[str]:
        """The words of word ``edge``'s clause beyond it, going ``step`` (+1 after, -1 before: nearest first)."""
        ids, found, k = self.ids(), [], edge + step
        while 0 <= k < len(self.tokens) and ids[k] == ids[edge] and len(found) < _REACH:
            found.append(self.tokens[k][0])
            k += step
        return found


def hint(matches: list[Match]) -> str:
    """What the lexicon found, for the label panel: "lexicon: disease metaphor, call for violence"."""
    labels = list(dict.fromkeys(m.category.label for m in matches))
    return "lexicon: " + ", ".join(labels) if labels else ""


# loading --------------------------------------------------------------------------------------------


def _line_of(lines: list[str], needle: str, start: int = 0) -> int:
    """1-based number of the first line from ``start`` containing ``needle`` (else the start line)."""
    for n in range(start, len(lines)):
        if needle in lines[n]:
            return n + 1
    return start + 1


def parse_lexicon(text: str, origin: str) -> Lexicon:
    """Compile a lexicon file's text; errors name ``origin`` and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise LexiconError(f"{origin}:{where.group(1) if where else 1}: invalid TOML: {reason}") from None
    lines = text.splitlines()

    def fail(line: int, reason: str) -> LexiconError:
        return LexiconError(f"{origin}:{line}: {reason}")

    unknown = set(data) - {"version", "categories"}
    if unknown:
        key = sorted(unknown)[0]
        raise fail(_line_of(lines, key), f"unknown key {key!r} (expected version, categories)")
    categories = data.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise fail(1, "no [categories.NAME] tables")
    lexicon = Lexicon(origin)
    for cid, raw in categories.items():
        header = _line_of(lines, f"categories.{cid}") - 1
        if not isinstance(raw, dict):
            raise fail(header + 1, f"categories.{cid} must be a table")
        unknown = set(raw) - {"label", "severity", "terms", "inflect", "exceptions"}
        if unknown:
            key = sorted(unknown)[0]
            raise fail(
                _line_of(lines, key, header),
                f"categories.{cid}: unknown key {key!r} (expected label, severity, inflect, terms, exceptions)",
            )
        label = raw.get("label", cid)
        severity = raw.get("severity", "severe")
        kind = raw.get("inflect", "verb" if cid == "violence" else "noun")
        for key, value, allowed in (("severity", severity, SEVERITY_NAMES), ("inflect", kind, INFLECTIONS)):
            if value not in allowed:
                raise fail(_line_of(lines, key, header), f"categories.{cid}.{key}: {value!r} is not one of {', '.join(allowed)}")
        if not isinstance(label, str) or not label.strip():
            raise fail(_line_of(lines, "label", header), f"categories.{cid}.label must be text")
        terms = raw.get("terms")
        if not isinstance(terms, list) or not terms:
            raise fail(_line_of(lines, "terms", header), f"categories.{cid}.terms must be a non-empty list")
        category = Category(cid, label.strip(), Severity.named(severity))
        exceptions = _category_exceptions(raw, cid, terms, lines, header, fail)
        for entry in terms:
            term, term_severity = entry, severity
            if isinstance(entry, dict):
                term, term_severity = entry.get("term"), entry.get("severity", severity)
            where = _line_of(lines, str(term), header) if isinstance(term, str) and term else header + 1
            if not isinstance(term, str) or term_severity not in SEVERITY_NAMES:
                raise fail(where, f'categories.{cid}.terms: each term is text or {{ term = "...", severity = "mild"|"severe" }}')
            try:
                lexicon.add(category, term, Severity.named(term_severity), kind, exceptions.get(term, NO_EXCEPTIONS))
            except ValueError as exc:
                raise fail(where, f"categories.{cid}.terms: {term!r}: {exc}") from None
    return lexicon


def _category_exceptions(raw: dict, cid: str, terms: list, lines: list[str], header: int, fail) -> dict[str, Exceptions]:
    """A category's [[categories.ID.exceptions]] tables, as term → its exceptions (all of them merged).

    Each table has ``followed_by`` and/or ``preceded_by`` phrases and may name the ``terms`` it is for
    (as written in the category's terms); without ``terms`` it is for every term of the category.
    """
    tables = raw.get("exceptions", [])
    where = f"categories.{cid}.exceptions"
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise fail(_line_of(lines, "exceptions", header), f"{where} must be [[{where}]] tables")
    written = [t.get("term") if isinstance(t, dict) else t for t in terms]
    found: dict[str, Exceptions] = {}
    line = header
    for table in tables:
        line = _line_of(lines, where, line)  # this table's [[header]], 1-based: the next search starts below it
        in_table = lambda needle, at=line: _line_of(lines, needle, at - 1)  # noqa: E731
        applies_to, exceptions = _exception_table(table, where, written, in_table, fail)
        for term in applies_to or [t for t in written if isinstance(t, str)]:
            found[term] = found.get(term, NO_EXCEPTIONS) | exceptions
    return found


def _exception_table(table: dict, where: str, written: list, line_of, fail) -> tuple[list[str], Exceptions]:
    """One exceptions table, checked: (the terms it names, possibly none, and its compiled phrases)."""
    line = line_of(where)
    unknown = set(table) - {"terms", "followed_by", "preceded_by"}
    if unknown:
        raise fail(line, f"{where}: unknown key {sorted(unknown)[0]!r} (expected terms, followed_by, preceded_by)")
    lists = {key: table.get(key, []) for key in ("terms", "followed_by", "preceded_by")}
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(line_of(key), f"{where}.{key} must be a list of text")
    if not lists["followed_by"] and not lists["preceded_by"]:
        raise fail(line, f"{where}: each table needs followed_by or preceded_by")
    missing = [t for t in lists["terms"] if t not in written]
    if missing:
        raise fail(line_of(missing[0]), f"{where}.terms: {missing[0]!r} is not one of the category's terms")
    try:
        return lists["terms"], Exceptions(
            exception_patterns(lists["followed_by"]), exception_patterns(lists["preceded_by"], reverse=True)
        )
    except ValueError as exc:
        raise fail(line, f"{where}: {exc}") from None


def load_lexicon(path: str | Path) -> Lexicon:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LexiconError(f"{path}:1: not valid UTF-8") from None
    except OSError as exc:
        raise LexiconError(f"{path}:1: cannot read: {exc.strerror or exc}") from None
    return parse_lexicon(text, str(path))


def bundled_path() -> Path:
    return asset_path(BUNDLED)


def user_lexicon_path() -> Path:
    """The user's own lexicon (it may not exist yet)."""
    return user_config_path() / BUNDLED


def ensure_user_lexicon() -> Path:
    """The user's lexicon, created as a copy of the bundled one on first use (to be edited)."""
    path = user_lexicon_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundled_path(), path)
    return path


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int, size: int) -> Lexicon:
    return load_lexicon(path)


def active_lexicon() -> tuple[Lexicon, str | None]:
    """The user's lexicon if it exists and is valid, else the bundled one; plus the error, if any.

    Cached by file and modification time: an edited file is read again on the next call.
    """
    user = user_lexicon_path()
    error = None
    if user.is_file():
        stat = user.stat()
        try:
            return _cached(str(user), stat.st_mtime_ns, stat.st_size), None
        except LexiconError as exc:
            error = f"{exc} — using the bundled lexicon instead"
    bundled = bundled_path()
    stat = bundled.stat()
    return _cached(str(bundled), stat.st_mtime_ns, stat.st_size), error
