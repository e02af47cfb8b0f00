"""Scored features of a pasted comment section's lines: dateline, title, image credit, author line, and
how much a paragraph reads like a reader's comment. Each returns (score 0..1, reasons for the preview).
"""

from __future__ import annotations

import re


def clamp(score: float) -> float:
    return round(min(1.0, max(0.0, score)), 2)


# ---------------------------------------------------------------------------------------------- header

_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_WEEKDAYS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thurs",
    "fri",
    "sat",
    "sun",
}
_DATE_WORDS = {
    "at",
    "on",
    "of",
    "the",
    "updated",
    "published",
    "posted",
    "am",
    "pm",
    "a.m",
    "p.m",
    "utc",
    "gmt",
    "cet",
    "est",
    "ago",
    "hour",
    "hours",
    "minute",
    "minutes",
    "min",
    "mins",
    "day",
    "days",
    "yesterday",
    "today",
}
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
_YEAR = re.compile(r"(19|20)\d\d")
_DAY = re.compile(r"\d{1,2}(st|nd|rd|th)?")
_TIME = re.compile(r"\d{1,2}[:.]\d{2}(:\d{2})?([ap]\.?m)?")


def dateline_score(text: str) -> tuple[float, str]:
    """Is this a dateline like "JUNE 2023", "Tue 12 Dec 2023, 14:05" or "12/06/2023"?"""
    if "\n" in text or len(text) > 60:
        return 0.0, "not a short single line"
    tokens = [t.strip(".()") for t in re.split(r"[\s,/|·•–—-]+", text.casefold())]
    tokens = [t for t in tokens if t]
    if not tokens or len(tokens) > 8:
        return 0.0, "no date words"
    strong = bool(_NUMERIC_DATE.search(text))
    datey = 0
    for t in tokens:
        if t in _MONTHS or t in _WEEKDAYS or _YEAR.fullmatch(t):
            strong = True
            datey += 1
        elif _DAY.fullmatch(t) or _TIME.fullmatch(t) or t in _DATE_WORDS:
            datey += 1
    share = datey / len(tokens)
    if not strong or share < 0.75:
        return clamp(0.4 * share), f"{datey} of {len(tokens)} words are date words, no month or year"
    return clamp(0.6 + 0.4 * share), f"{datey} of {len(tokens)} words are date words"


_CREDIT_WORDS = re.compile(r"\b(photos?|photograph|images?|credits?|illustration|picture|pic|foto|screenshot|screengrab)\b", re.I)
_AGENCIES = re.compile(
    r"\b(AP|AFP|Reuters|Getty|EPA|Shutterstock|Alamy|Bloomberg|Xinhua|TASS|Sputnik|RIA|Anadolu|ANSA|dpa|"
    r"Imago|PA|Wikimedia|Flickr|Unsplash|iStock)\b"
)


def credit_score(text: str) -> tuple[float, str]:
    """Is this an image credit like "© AP Photo/ Militant Photo"?"""
    if "\n" in text or len(text) > 150 or len(text.split()) > 15:
        return 0.0, "not a short single line"
    score, why = 0.1, []
    if "©" in text or text[:3].casefold() == "(c)":
        score += 0.8
        why.append("©")
    if _CREDIT_WORDS.search(text):
        score += 0.4
        why.append("photo/image/credit word")
    if _AGENCIES.search(text):
        score += 0.3
        why.append("agency name")
    if text[-1] in ".!?" and "©" not in text:
        score -= 0.2
        why.append("ends like a sentence")
    return clamp(score), ", ".join(why) or "no credit markers"


def _initial(word: str) -> str | None:
    return next((ch for ch in word if ch.isalpha()), None)


def title_score(text: str, after_dateline: bool, credit_next: bool, author_like: float) -> tuple[float, str]:
    """Is this the headline? Context matters most: a dateline before it, an image credit after it."""
    words = text.split()
    if "\n" in text or len(words) > 25 or len(text) > 200:
        return 0.0, "not a short single line"
    if text[-1] in ".,;:":
        return 0.1, "ends like a sentence"
    score, why = 0.3, []
    initials = [c for c in map(_initial, words) if c]
    if initials and sum(c.isupper() for c in initials) / len(initials) >= 0.6:
        score += 0.2
        why.append("capitalised words")
    if 4 <= len(words) <= 20:
        score += 0.1
        why.append(f"{len(words)} words")
    if after_dateline:
        score += 0.25
        why.append("after the dateline")
    if credit_next:
        score += 0.25
        why.append("image credit follows")
    if author_like >= 0.6 and not (after_dateline or credit_next):
        score -= 0.4
        why.append("looks like an author name")
    if initials and initials[0].islower():
        score -= 0.2
        why.append("starts in lower case")
    return clamp(score), ", ".join(why)


# ---------------------------------------------------------------------------------------- author lines

_COMMON = set(
    """the a an is are was were be been not no yes and or but if then so than that this these those there
    here what who why how when where which i you he she it we they me my your his her its our their us them
    to of in on for with at by from as into about just very too also only probably maybe really well right
    wrong good great bad nice sad true false exactly indeed agree agreed thanks thank please ok okay sure lol
    haha wow all some any more most much many do does did done have has had can could would should must
    shall may might think know like die dead never always again still even same other another""".split()
)
_URL = re.compile(r"https?://|www\.|\.(com|org|net)\b|@", re.I)
_DISQUS = re.compile(r"\S \.$")  # "northerntruthseeker ." — the username style of Disqus exports
_NAME_CHARS = set(" .-'’_")


def author_score(text: str, reappears: bool = False) -> tuple[float, str]:
    """How much a block looks like a commenter's name (0..1), with the reasons."""
    if "\n" in text:
        return 0.0, "more than one line"
    disqus = bool(_DISQUS.search(text))
    core = text[:-2].rstrip() if disqus else text
    if len(core) > 80:
        return 0.0, "too long for a name"
    if not any(ch.isalpha() for ch in core):
        return 0.0, "no letters"
    words = core.split()
    score, why = 0.5, []
    if len(words) <= 4 and len(core) <= 40:
        score += 0.1
        why.append("short")
    else:
        score -= 0.4
        why.append("too long for a name")
    if disqus:
        score += 0.35
        why.append('username ending " ."')
    elif core[-1] in ".!?…:;,":
        score -= 0.4
        why.append("ends like a sentence")
    initials = [c for c in map(_initial, words) if c]
    if initials and all(c.isupper() for c in initials):
        score += 0.15
        why.append("capitalised")
    common = [w for w in words if w.casefold().strip(".,!?'’\"“”") in _COMMON]
    if common:
        score -= 0.35 + 0.15 * (len(common) - 1)
        why.append(f"common words ({', '.join(common[:3])})")
    if any(ch.isdigit() for ch in core):
        score -= 0.1
        why.append("digits")
    if _URL.search(core):
        score -= 0.4
        why.append("URL or address")
    if any(not (ch.isalnum() or ch in _NAME_CHARS) for ch in core):
        score -= 0.25
        why.append("symbols")
    if reappears:
        score += 0.3
        why.append("appears as an author line again")
    return clamp(score), ", ".join(why)


# ------------------------------------------------------------------------------------ article / comment

_FIRST_PERSON = re.compile(r"\bI\b|\b(?i:i'm|i’m|my|me|mine|myself|imho|imo)\b")
_SECOND_PERSON = re.compile(r"\b(?i:you|your)\b")
_REPORTED = re.compile(r"\b(?i:said|says|according to|told)\b")


def commentness(text: str) -> tuple[float, str]:
    """How much a paragraph right after the article reads like a reader's comment (0..1)."""
    score, why = 0.35, []
    if _FIRST_PERSON.search(text):
        score += 0.25
        why.append("first person")
    if _SECOND_PERSON.search(text):
        score += 0.1
        why.append("addresses someone")
    if "?" in text or "…" in text or "..." in text:
        score += 0.15
        why.append("question or ellipsis")
    words = len(text.split())
    if words <= 15:
        score += 0.1
        why.append("short")
    elif words > 60:
        score -= 0.1
        why.append("long")
    if _REPORTED.search(text):
        score -= 0.15
        why.append("reported speech")
    if text[0].islower():
        score += 0.1
        why.append("starts in lower case")
    return clamp(score), ", ".join(why) or "neutral"


def ends_mid_sentence(text: str) -> bool:
    return text.rstrip()[-1] not in ".!?…\"”'’)»:;"
