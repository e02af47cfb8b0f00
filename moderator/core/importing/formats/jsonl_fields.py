"""Checked fields of a JSON Lines comment or thread: ids, strings, times; a wrong type fails at its line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources.json_lines import kind_of

_UNIX_TEXT = re.compile(r"-?[0-9]{1,12}(\.[0-9]+)?")  # unix seconds written as text ("1478700000")


def expect_object(name: str, lineno: int, obj: Any) -> None:
    if type(obj) is not dict:
        raise ImportFailure(name, lineno, f"expected a JSON object, found {kind_of(obj)}")


def ident(name: str, lineno: int, key: str, value: Any, where: str = "") -> str:
    # bool is an int subclass, but true/false is never meant as an id
    if type(value) is str or type(value) is int:
        return str(value)
    raise ImportFailure(name, lineno, f'{where}"{key}" must be a string or an integer, found {kind_of(value)}')


def text_field(name: str, lineno: int, key: str, value: Any) -> str:
    if type(value) is not str:
        raise ImportFailure(name, lineno, f'"{key}" must be a string, found {kind_of(value)}')
    return value


def when(value: str | int | float) -> datetime:
    """A ``created_at`` already checked by the reader, as a datetime (see ``checked_time``)."""
    return checked_time("", 0, "", value)


def checked_time(name: str, lineno: int, where: str, value: Any) -> datetime:
    """ISO 8601 text or unix seconds (a number, or its digits as text, as BigQuery exports integers); an offset
    or epoch gives aware UTC, a naive ISO time stays naive."""
    try:
        if type(value) is str:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                if not _UNIX_TEXT.fullmatch(value):
                    raise
                return datetime.fromtimestamp(float(value), UTC)
            return moment if moment.tzinfo is None else moment.astimezone(UTC)
        if type(value) is int or type(value) is float:
            return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise ImportFailure(name, lineno, f'{where}"created_at" is not an ISO 8601 date or a unix time: {json.dumps(value)[:60]}')
