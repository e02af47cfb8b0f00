"""Which earlier comment a reply answers when the source kept no reply structure: the one whose author it names.

Pasted threads and news comment sections often lose who replied to whom, but a reply says it:
"@mossbank_42 you're wrong", "Dorian has a point about parking", "…for three years, Ferdinand.".
A comment names an author when its text holds, as a whole word,

- an @mention of the author's handle: the name without spaces (or joined by _ - .) or its first word, any case;
- the author's full name, or the first word of a name of two or more words (3+ letters), addressed:
  at the start of the comment, followed by "," or ":", or set off by a comma at the end of a sentence;
- a one-word name (a handle like "quietharbour") only followed by "," or ":", set off by a comma at the end
  of a sentence, or at the start followed by has/is/was/said/says/makes/made/'s ("Dorian has a point").

A capitalised name matches only as written ("Dorian", never "dorian"); a lowercase one in any case. A
common English word is never a name on its own (an author called "Well" or "The" is not named by
"Well, …"), nor are placeholders like "anonymous". Pure functions: no database, testable on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

MIN_NAME_LETTERS = 3
_NAME_WORD = re.compile(r"\w+(?:['’-]\w+)*")
PLACEHOLDERS = frozenset({"anonymous", "anon", "guest", "deleted", "removed", "unknown", "user", "reader"})
REFERENCE_WORDS = ("has", "is", "was", "said", "says", "makes", "made")
# Words that open or punctuate ordinary sentences: never taken as a name on their own.
COMMON_WORDS = frozenset(
    """
    the a an and but or nor so yet for of to in on at by with from as if then than that this these those there here
    well yes yeah yep no nope not ok okay oh ah hey hi hello dear sorry thanks thank please look listen right sure
    true indeed exactly agreed actually honestly seriously anyway also again still just only even really maybe perhaps
    now later today what why how who whom whose when where which while because since though although however
    i me my mine you your yours he him his she her hers it its we us our they them their
    all any some none nobody everyone everybody someone somebody anyone anybody each every both either neither
    will would can could shall should may might must do does did done have had has be is are was were been being
    good great nice fine fair bad wrong correct interesting wow lol haha
    mark bill rose grace hope joy jack pat will may june april august frank sue
    """.split()
)
_SENTENCE_END = re.compile(r"\s*(?:[.!?…]|$)")
_ADDRESS_PUNCTUATION = re.compile(r"\s*[,:]")
_REFERENCE = re.compile(r"(?:['’]s\b|\s+(?:" + "|".join(REFERENCE_WORDS) + r")\b)")
_OPENING = " \t\r\n\"'“”‘’«»()[]-–—>*"  # what may stand before the first word of a comment


def name_words(author: str | None) -> list[str]:
    """The words of an author's name as shown ("mossbank_42 ." → ["mossbank_42"])."""
    return _NAME_WORD.findall(author or "")


def _key(words: list[str]) -> str:
    return " ".join(words).casefold()


def _handles(words: list[str]) -> set[str]:
    handles = {joiner.join(words) for joiner in ("", "_", "-", ".")}
    if len(words) > 1 and len(words[0]) >= MIN_NAME_LETTERS:
        handles.add(words[0])
    return handles


def _mentioned(text: str, words: list[str]) -> bool:
    """Whether the text @mentions the author (handles are case-insensitive on the sites that have them)."""
    handles = "|".join(re.escape(h) for h in sorted(_handles(words), key=len, reverse=True))
    return re.search(rf"(?<![\w@])@(?:{handles})(?![\w-])", text, re.IGNORECASE) is not None


def _can_stand_alone(word: str) -> bool:
    """Whether one word of a name may name its author on its own (not "The", not "Al")."""
    return sum(ch.isalpha() for ch in word) >= MIN_NAME_LETTERS and word.casefold() not in COMMON_WORDS


def _addressed(text: str, start: int, end: int, one_word: bool) -> bool:
    """Whether the name at text[start:end] is addressed or referred to, as the module's rules say."""
    before, after = text[:start], text[end:]
    at_start = before.strip(_OPENING) == ""
    set_off_at_end = before.rstrip().endswith(",") and _SENTENCE_END.match(after) is not None
    followed_by_punctuation = _ADDRESS_PUNCTUATION.match(after) is not None
    if one_word:
        return followed_by_punctuation or set_off_at_end or (at_start and _REFERENCE.match(after) is not None)
    return at_start or followed_by_punctuation or set_off_at_end


def _named_as(text: str, name: str, flags: int, one_word: bool) -> bool:
    """Whether ``name`` (already a regex) occurs as a whole word, addressed, anywhere in the text."""
    for m in re.finditer(rf"(?<![\w@]){name}(?![\w]|-\w)", text, flags):
        if _addressed(text, m.start(), m.end(), one_word):
            return True
    return False


def names_author(text: str, author: str | None) -> bool:
    """Whether ``text`` names ``author`` as the module's rules say."""
    words = name_words(author)
    if not words or _key(words) in PLACEHOLDERS:
        return False
    if words[0].casefold() not in text.casefold():  # every form of the name holds its first word: most authors end here
        return False
    if _mentioned(text, words):
        return True
    flags = 0 if any(ch.isupper() for ch in author) else re.IGNORECASE  # "Dorian" as written; "hollis" any case
    if len(words) == 1:
        return _can_stand_alone(words[0]) and _named_as(text, re.escape(words[0]), flags, one_word=True)
    full = r"\s+".join(re.escape(w) for w in words)
    if _named_as(text, full, flags, one_word=False):
        return True
    return _can_stand_alone(words[0]) and _named_as(text, re.escape(words[0]), flags, one_word=False)


def named_parent(text: str, candidates: Iterable[tuple[str | None, T]], own_author: str | None = None) -> T | None:
    """The first of ``candidates`` ((author, comment), nearest earlier comment first) whose author the text
    names; never one by ``own_author`` (the comment's own) or by nobody in particular. None if none."""
    own = _key(name_words(own_author))
    judged: dict[str, bool] = {}  # an author's many comments are judged once
    for author, comment in candidates:
        key = _key(name_words(author))
        if not key or key == own:
            continue
        if key not in judged:
            judged[key] = names_author(text, author)
        if judged[key]:
            return comment
    return None
