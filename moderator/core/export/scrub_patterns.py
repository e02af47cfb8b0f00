"""What the export's scrubber (scrub.py) finds in a text: an expression per kind, matched only where a
substring it needs is ("@", "://", "u/", digits …, see ``candidates``), and the checks a match must pass
before it is replaced.

Where two overlap, the one that starts first wins, and at one start the kind listed first, so a URL is
taken whole before anything inside it, and an e-mail address (which starts at its first letter) before
the ``@name`` inside it:

    mailto    ``mailto:ADDRESS``                                                     → [EMAIL]
    url       ``http(s)://…`` or ``www.…``: a profile URL (see ``user_url``)         → [URL]
              any other URL is kept, with the e-mail and IP addresses inside it replaced
    site      a profile URL written without ``http``: ``reddit.com/u/NAME``, ``x.com/NAME`` … → [URL]
    email     ``local@domain.tld``                                                   → [EMAIL]
    ipv4      four dot-separated numbers 0–255 (``1.2.3`` and ``1.2.3.999`` are not) → [IP]
    ipv6      hex groups with two or more colons, kept unless ``ipaddress`` reads it → [IP]
    phone     ``+CC …`` or a national number of 9 to 15 digits (see ``is_phone``)   → [PHONE]
    mention   ``@name`` (and ``@name@server.tld``), not inside an address            → [USER_n]
    reddit    ``u/NAME`` and ``/u/NAME``                                             → [USER_n]

Known limits (the card repeats the main ones): names written without ``@`` or ``u/``, spelled-out
addresses ("ana at example dot org"), a version number of four parts (``1.2.3.4`` reads as an IP), an
ISBN read as a phone number, ``@`` names that start with a digit, phone numbers of fewer than 9 digits
or in one unbroken run without ``+`` or a leading 0, two phone numbers separated by spaces only (one run
of too many digits, left as it is), digits other than 0–9, and upper-case ``WWW.`` or ``X.COM/`` links
written without ``http``.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qs, urlsplit

# Sites whose first path segment is a person (or an organisation) — except these paths, which are not.
PROFILE_SITES = {
    "twitter.com": {"home", "search", "explore", "hashtag", "i", "intent", "share", "notifications", "messages", "settings",
                    "login", "signup", "tos", "privacy"},
    "x.com": {"home", "search", "explore", "hashtag", "i", "intent", "share", "notifications", "messages", "settings",
              "login", "signup", "tos", "privacy"},
    "facebook.com": {"sharer", "sharer.php", "share.php", "groups", "events", "watch", "pages", "help", "policies",
                     "login", "login.php", "marketplace", "gaming", "hashtag", "story.php", "photo.php", "permalink.php"},
    "fb.com": {"sharer", "groups", "events", "watch", "pages", "help"},
    "instagram.com": {"p", "reel", "reels", "explore", "stories", "accounts", "about", "tv"},
    "github.com": {"about", "features", "topics", "explore", "marketplace", "pricing", "orgs", "settings", "login",
                   "search", "trending", "collections", "sponsors", "security", "enterprise", "apps", "site"},
    "threads.net": set(),
    "tiktok.com": set(),  # only /@NAME (below)
}  # fmt: skip
# Sites where a user sits under a path prefix: reddit.com/u/NAME, linkedin.com/in/NAME, …
PREFIXED_SITES = {
    "reddit.com": ("u", "user"),
    "linkedin.com": ("in", "pub"),
    "youtube.com": ("user", "c"),
    "medium.com": (),  # only /@NAME
}
SITE_NAMES = "|".join(
    re.escape(s) for s in sorted({*PROFILE_SITES, *PREFIXED_SITES, "news.ycombinator.com"}, key=len, reverse=True)
)

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_URL_CHARS = r"[^\s<>\"'\[\]{}|\\^`]"
MAILTO = re.compile(r"""(?:mailto|MAILTO|Mailto):[^\s<>"'()\[\]]+""")
URL = re.compile(rf"(?i:https?://|www\.){_URL_CHARS}+")
SITE = re.compile(rf"(?i:(?:[a-z0-9-]+\.)*(?:{SITE_NAMES}))/{_URL_CHARS}+")
DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")  # after the @ of an e-mail address
NUMBER = re.compile(
    rf"""(?P<ipv4>(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?:/\d{{1,2}})?(?![\w]|\.\d))
  | (?P<phone>(?<![\w+.,/:=#$€£%-])
        (?:(?:\+|00)\d{{1,3}}[ .-]?(?:\(0\)[ .-]?)?)?
        (?:\(\d{{1,5}}\)[ .-]?)?
        \d{{1,15}}(?:[ .\-/]\d{{1,15}}){{0,6}}
        (?![\w]|[.,/:-]\d))""",
    re.VERBOSE,
)
IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")
MENTION = re.compile(r"@[^\W\d](?:[\w-]{0,38}\w)?(?:@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})?")
REDDIT = re.compile(r"(?<![\w/])/?u/[\w-]{3,20}(?![\w-])")
# A run of digits and separators long enough for a phone number, or the start of a dotted IPv4 address:
# where a number can start. Starting with a character class, it is searched for fast; NUMBER is then
# matched only there.
_DIGITS = re.compile(r"[0-9](?:[0-9 .\-/()+]{6,}[0-9]|\.[0-9]{1,3}\.[0-9])")
_DIGIT_RUN = re.compile(r"\d*")
_HOST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
RANK = {"mailto": 0, "url": 1, "site": 2, "email": 3, "ipv4": 4, "ipv6": 5, "phone": 6, "mention": 7, "reddit": 8}

# (start, rank, end, kind, the matched text)
Candidate = tuple[int, int, int, str, str]


def candidates(text: str) -> list[Candidate]:
    """What may be personal data in ``text``, sorted by start and rank; they may overlap (the first wins).

    Each kind needs a substring without which it cannot match ("://", "@", "u/", digits …), found with
    ``in`` and ``str.find``; its expression is then matched only where that substring is. Most texts have
    none, and the expressions never scan a whole text position by position."""
    found: list[Candidate] = []
    add = found.append
    colon, slash = ":" in text, "/" in text  # one-character searches first: most texts have neither
    if (
        (colon and ("://" in text or "ailto:" in text or "AILTO:" in text))
        or "www." in text
        or (slash and (".com/" in text or ".net/" in text))
    ):
        _links(text, add)
    if "@" in text:
        _ats(text, add)
    if slash and "u/" in text:
        for i in _find_all(text, "u/"):
            start = i - 1 if i and text[i - 1] == "/" else i
            if m := REDDIT.match(text, start):
                add((start, 8, m.end(), "reddit", m.group()))
    if colon and ("::" in text or text.count(":") >= 6):
        for m in IPV6.finditer(text):
            add((m.start(), 5, m.end(), "ipv6", m.group()))
    if _has_digit(text):
        _numbers(text, add)
    if len(found) > 1:
        found.sort()
    return found


def may_hold(text: str) -> bool:
    """False when ``candidates(text)`` is surely empty: no substring any kind needs is there (":" covers "://",
    "mailto:" and IPv6, "/" the profile URLs and "u/"). Cheaper than asking ``candidates``, for the many texts
    without any."""
    return ("@" in text or ":" in text or "/" in text or "www." in text or "0" in text or "1" in text or "2" in text
            or "3" in text or "4" in text or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text)  # fmt: skip


def _find_all(text: str, needle: str):
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _links(text: str, add) -> None:
    for needle in ("mailto:", "MAILTO:", "Mailto:"):
        for i in _find_all(text, needle):
            if m := MAILTO.match(text, i):
                add((i, 0, m.end(), "mailto", m.group()))
    for i in _find_all(text, "://"):
        for start in (i - 5, i - 4):  # https, http
            if start >= 0 and (m := URL.match(text, start)):
                add((start, 1, m.end(), "url", m.group()))
                break
    for i in _find_all(text, "www."):
        if m := URL.match(text, i):
            add((i, 1, m.end(), "url", m.group()))
    for needle in (".com/", ".net/"):  # a profile URL without http: back to the start of its host name
        for i in _find_all(text, needle):
            start = i
            while start and text[start - 1] in _HOST:
                start -= 1
            if start and (_word(text[start - 1]) or text[start - 1] in "@/"):
                continue  # inside a longer word or a URL
            if m := SITE.match(text, start):
                add((start, 2, m.end(), "site", m.group()))


def _ats(text: str, add) -> None:
    for i in _find_all(text, "@"):
        start = i
        while start and (_word(text[start - 1]) or text[start - 1] in ".+-"):
            start -= 1
        if start < i and (m := DOMAIN.match(text, i + 1)):
            add((start, 3, m.end(), "email", text[start : m.end()]))
        elif not i or not (_word(text[i - 1]) or text[i - 1] in ".+@/-"):
            if m := MENTION.match(text, i):
                add((i, 7, m.end(), "mention", m.group()))


def _numbers(text: str, add) -> None:
    pos = 0
    while anchor := _DIGITS.search(text, pos):
        first = anchor.start()
        for start in (first - 1, first):  # a "+" or "(" before the first digit
            if start >= pos and (m := NUMBER.match(text, start)):
                kind = m.lastgroup
                add((start, RANK[kind], m.end(), kind, m.group()))
                pos = m.end()
                break
        else:  # no number starts here, nor after a digit of this run
            pos = _DIGIT_RUN.match(text, first).end()


def _has_digit(text: str) -> bool:
    return ("0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text or "6" in text
            or "7" in text or "8" in text or "9" in text)  # fmt: skip


# What may trail a URL in prose but is not part of it.
_URL_TAIL = ".,;:!?'\")*"
_INNER = re.compile(
    rf"(?P<email>[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{{2,}})|(?P<ipv4>(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\w]|\.\d))"
)
_DATE = re.compile(r"^(?:(?:1[89]|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:1[89]|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")


def trim_url(url: str) -> str:
    """``url`` without the punctuation that ends the sentence around it; a ``)`` stays when it closes a ``(`` inside."""
    while url and url[-1] in _URL_TAIL:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def user_url(url: str) -> bool:
    """Whether ``url`` names a person: a profile on one of the sites above, ``/@NAME`` on any site, or a
    Hacker News user page."""
    split = urlsplit(url if "://" in url else "https://" + url)
    host = (split.hostname or "").lower()
    segments = [s for s in split.path.split("/") if s]
    if any(s.startswith("@") and len(s) > 1 for s in segments[:2]):
        return True  # mastodon, medium, youtube, tiktok: /@NAME
    if host.endswith("ycombinator.com"):
        return split.path.rstrip("/") in ("/user", "/submitted", "/threads", "/favorites") and "id" in parse_qs(split.query)
    site = _site(host)
    if site is None or not segments:
        return False
    if site in PREFIXED_SITES:
        return len(segments) >= 2 and segments[0].lower() in PREFIXED_SITES[site]
    return segments[0].lower() not in PROFILE_SITES[site] and not segments[0].startswith(("?", "#"))


def _site(host: str) -> str | None:
    """The listed site ``host`` is or is a subdomain of (``old.reddit.com`` → ``reddit.com``)."""
    for site in (*PROFILE_SITES, *PREFIXED_SITES):
        if host == site or host.endswith("." + site):
            return site
    return None


def is_ipv6(text: str) -> bool:
    """Whether a candidate of hex digits and colons is an IPv6 address (``10:30:45`` and ``::`` are not)."""
    if not any(ch in "0123456789abcdefABCDEF" for ch in text):
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def is_phone(text: str) -> bool:
    """Whether a run of digits and separators is a phone number rather than an amount, an id, years or a date.

    9 to 15 digits (8 to 15 after ``+`` or ``00``); one unbroken run only with ``+`` or a leading 0 (an id
    or a timestamp otherwise); not thousands in groups of three (``1 234 567 890``), not years only
    (``1990 2000 2010``), not a date, not four dotted numbers (a version).
    """
    groups = re.findall(r"\d+", text)
    digits = sum(map(len, groups))
    international = text.startswith(("+", "00"))
    if not (8 if international else 9) <= digits <= 15:
        return False
    if international:
        return True
    national = text.startswith(("0", "("))
    if len(groups) == 1:
        return national
    if _DATE.match(text):
        return False
    if not national:
        if len(groups) >= 3 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            return False  # 1 234 567 890, 123.456.789
        if all(len(g) == 4 and _YEAR.fullmatch(g) for g in groups):
            return False
        if len(groups) >= 4 and all(len(g) <= 3 for g in groups) and not re.search(r"[^\d.]", text):
            return False  # 10.1.2.300, 1.2.3.4.5
    return True


def scrub_inside_url(url: str) -> tuple[str, list[str]]:
    """A kept URL with the e-mail and IP addresses inside it replaced; the kinds replaced, in order."""
    kinds: list[str] = []

    def replace(m: re.Match) -> str:
        kind = m.lastgroup
        kinds.append("email" if kind == "email" else "ip")
        return "[EMAIL]" if kind == "email" else "[IP]"

    return _INNER.sub(replace, url), kinds
