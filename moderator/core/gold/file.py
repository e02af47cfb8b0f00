"""Reading a file of gold items: comments with their reference answers, checked against the schema.

One item per JSON line (``.jsonl``), per element of a JSON array (``.json``) or per row of a CSV/TSV:

    {"text": "They are vermin.", "toxicity": 4, "dehumanization": "explicit", "parent": "Who let them in?"}
    text,toxicity,dehumanization,parent,title
    "They are vermin.",4,explicit,"Who let them in?",Council votes

``text`` is required; the answers sit under the questions' ids (or in an ``answers`` object); ``parent``
(the text replied to), ``title``, ``article`` and ``id`` are optional context. Only questions with
options (ordinal, nominal, multi) can be checked; a multi answer in a table cell lists its options
separated by ``;`` or ``|``. A bad item stops the file with ``path:line: reason``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources.reading import SourceText
from moderator.core.schema.definition import LabelError, LabelSchema, Question, validate_values

CONTEXT = ("text", "parent", "title", "article", "id", "answers")
CHECKABLE = ("ordinal", "nominal", "multi")


@dataclass
class GoldDraft:
    line: int
    text: str
    answers: dict[str, Any]
    parent: str = ""
    title: str = ""
    article: str = ""
    external_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def read_gold(source: SourceText, schema: LabelSchema) -> list[GoldDraft]:
    """Every item of the file, its answers checked against ``schema``; refuses a file with none."""
    name = source.name.lower()
    if name.endswith((".csv", ".tsv", ".tab")):
        rows = _table_rows(source, "\t" if name.endswith((".tsv", ".tab")) else ",")
        typed = False
    else:
        rows = _json_rows(source)
        typed = True
    checkable = {q.id: q for q in schema.questions if q.kind in CHECKABLE}
    drafts = [_draft(source.name, line, row, checkable, schema, typed) for line, row in rows]
    if not drafts:
        raise ImportFailure(source.name, None, "no gold item found (one per line or row: text and reference answers)")
    return drafts


def _json_rows(source: SourceText) -> Iterator[tuple[int, dict[str, Any]]]:
    text = source.text.lstrip("\ufeff")
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailure(source.name, exc.lineno, f"not JSON: {exc.msg}") from None
        for i, item in enumerate(items, start=1):
            yield i, _object(source.name, i, item)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFailure(source.name, number, f"not a JSON line: {exc.msg}") from None
            yield number, _object(source.name, number, item)


def _object(path: str, line: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ImportFailure(path, line, "a gold item is an object with text and answers")
    return item


def _table_rows(source: SourceText, delimiter: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(source.text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    for row in reader:
        yield reader.line_num, {k.strip(): v for k, v in row.items() if k is not None and v not in (None, "")}


def _draft(path: str, line: int, row: dict[str, Any], checkable: dict[str, Question], schema: LabelSchema, typed: bool):
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ImportFailure(path, line, 'no "text": a gold item is a comment with its reference answers')
    nested = row.get("answers", {})
    if not isinstance(nested, dict):
        raise ImportFailure(path, line, '"answers" is an object keyed by question id')
    raw = {k: v for k, v in row.items() if k in checkable} | nested
    answers = raw if typed else {qid: _cell(checkable[qid], value) for qid, value in raw.items() if qid in checkable}
    unknown = sorted(set(answers) - set(checkable))
    if unknown:
        raise ImportFailure(path, line, f"{', '.join(unknown)}: not a question with options in the project's schema")
    try:
        answers = validate_values(schema, answers, complete=False)
    except LabelError as exc:
        raise ImportFailure(path, line, str(exc)) from None
    if not answers:
        raise ImportFailure(path, line, f"no reference answer (questions: {', '.join(checkable)})")
    context = {key: row.get(key) for key in ("parent", "title", "article")}
    bad = [key for key, value in context.items() if value is not None and not isinstance(value, str)]
    if bad:
        raise ImportFailure(path, line, f"{', '.join(bad)}: must be text")
    external = row.get("id")
    extra = {k: v for k, v in row.items() if k not in CONTEXT and k not in checkable}
    return GoldDraft(line, text, answers, context["parent"] or "", context["title"] or "", context["article"] or "",
                     None if external is None else str(external), extra)  # fmt: skip


def _cell(question: Question, cell: str) -> Any:
    """A table cell as the option value it names (by value or label, any case); a multi lists several."""
    if question.kind == "multi":
        return [_option(question, part) for part in re.split(r"[;|]", cell) if part.strip()]
    return _option(question, cell)


def _option(question: Question, cell: str) -> Any:
    wanted = cell.strip().casefold()
    for option in question.options:
        if str(option.value).casefold() == wanted or option.label.casefold() == wanted:
            return option.value
    return cell.strip()  # not an option: validation names it
