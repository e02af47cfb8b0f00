"""Strict JSON for importers: no NaN/Infinity, and nothing a database cannot store (NUL, lone surrogates)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from moderator.core.importing.errors import ImportFailure


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value (write null or a number)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):  # 1e999 overflows to infinity, which no JSON column stores
        raise ValueError(f"{text[:40]} is too large for a number (write a smaller one or a string)")
    return value


# Python's json accepts NaN and Infinity, which are not JSON, and reads 1e999 as infinity: PostgreSQL
# refuses to store them.
DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)

# Escapes that may decode to what no database stores: NUL (PostgreSQL) or an unpaired surrogate (not
# encodable as UTF-8). A hit only marks the line; ``unstorable`` decides on the decoded value.
RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def risky_lines(text: str) -> set[int]:
    """Lines holding an escape that ``unstorable`` must look at (usually none: one regex scan)."""
    lines: set[int] = set()
    line, last = 1, 0
    for match in RISKY_ESCAPE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        lines.add(line)
    return lines


def unstorable(value: Any) -> str | None:
    """Why a decoded JSON value cannot be stored (a NUL, an unpaired surrogate), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            if "\x00" in item:
                return "a NUL character (\\u0000) cannot be stored; remove it"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                return f"an unpaired surrogate (\\u{ord(item[exc.start]):04x}) is not text; remove it"
        elif type(item) is dict:
            stack.extend(item)
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return None


def loads(name: str, text: str) -> Any:
    """A whole-file JSON document, strictly (no NaN), refusing what cannot be stored; ImportFailure names the line."""
    try:
        data = DECODER.decode(text)
    except ValueError as exc:
        if hasattr(exc, "lineno"):
            raise ImportFailure(name, exc.lineno, f"invalid JSON at column {exc.colno} ({exc.msg})") from None
        raise ImportFailure(name, 1, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise ImportFailure(name, 1, "invalid JSON (nested too deeply)") from None
    risky = risky_lines(text)
    if risky:
        why = unstorable(data)
        if why is not None:
            line, why = _first_unstorable(text, risky) or (min(risky), why)
            raise ImportFailure(name, line, why)
    return data


# A JSON string literal: none spans a line (a raw line break in a string is not JSON), so every line
# starts outside a string and its literals are found from its start.
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _first_unstorable(text: str, risky: set[int]) -> tuple[int, str] | None:
    """The first line (and why) whose strings hold what cannot be stored: a valid surrogate pair or an
    escaped backslash on an earlier line marks it risky, yet is fine."""
    line, start = 1, 0
    for number in sorted(risky):
        while line < number:
            start = text.index("\n", start) + 1
            line += 1
        end = text.find("\n", start)
        for literal in _STRING.finditer(text, start, len(text) if end < 0 else end):
            if RISKY_ESCAPE.search(literal.group()):
                why = unstorable(DECODER.decode(literal.group()))
                if why is not None:
                    return number, why
    return None
