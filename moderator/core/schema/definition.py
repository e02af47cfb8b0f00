"""Label schemas: load and validate TOML definitions, and validate submitted values against them."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderator.core.paths import asset_path
from moderator.core.schema.survey import Survey, survey_from_dict

KINDS = ("ordinal", "nominal", "multi", "text", "spans")
CHOICE_KINDS = ("ordinal", "nominal", "multi")
MAX_TEXT = 5000


class SchemaError(ValueError):
    """An invalid schema file; the message names the file and the offending key."""


class LabelError(ValueError):
    """Submitted values that do not fit the schema; the message names the question."""


@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    key: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    kind: str
    required: bool = False
    guideline: str = ""
    key: str | None = None
    options: tuple[Option, ...] = ()
    default: Any = None  # recorded when a submission leaves the question unanswered

    def option(self, value: Any) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class LabelSchema:
    name: str
    version: int
    questions: tuple[Question, ...]
    description: str = ""
    guidelines: str = ""
    survey: Survey | None = None  # the optional annotator survey ([survey]; core.schema.survey)
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.definition, sort_keys=True).encode()).hexdigest()


def default_schema_path() -> Path:
    return asset_path("default-schema.toml")


def load_schema(path: str | Path | None = None) -> LabelSchema:
    path = Path(path) if path else default_schema_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SchemaError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"{path}: invalid TOML: {exc}") from None
    return schema_from_dict(data, str(path))


def schema_from_dict(data: dict[str, Any], origin: str = "<schema>") -> LabelSchema:
    """Validate a parsed definition; every error names ``origin`` and the key at fault."""

    def fail(key: str, reason: str) -> SchemaError:
        return SchemaError(f"{origin}: {key}: {reason}")

    def text(obj: dict, key: str, where: str, required: bool = True) -> str:
        value = obj.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            return _raise(fail(f"{where}{key}", "must be a non-empty string" if required else "must be a string"))
        return value

    name = text(data, "name", "")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail("version", "must be a positive integer")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise fail("questions", "must be a non-empty array of tables ([[questions]])")
    known = {"name", "version", "description", "guidelines", "questions", "survey"}
    for key in data:
        if key not in known:
            raise fail(key, f"unknown key (expected one of {', '.join(sorted(known))})")

    questions: list[Question] = []
    ids: set[str] = set()
    keys: dict[str, str] = {}

    def claim_key(key: Any, where: str) -> str | None:
        if key is None:
            return None
        if not isinstance(key, str) or not key.strip():
            raise fail(where, 'must be a non-empty string such as "1", "A" or "Shift+N"')
        normal = key.strip().upper()
        if normal in keys:
            raise fail(where, f"key {key!r} is already used by {keys[normal]}")
        keys[normal] = where
        return key.strip()

    for qi, raw in enumerate(raw_questions):
        where = f"questions[{qi}]"
        if not isinstance(raw, dict):
            raise fail(where, "must be a table")
        qid = text(raw, "id", f"{where}.")
        if qid in ids:
            raise fail(f"{where}.id", f"duplicate question id {qid!r}")
        ids.add(qid)
        kind = raw.get("kind")
        if kind not in KINDS:
            raise fail(f"{where}.kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
        allowed = {"id", "label", "kind", "required", "guideline", "key", "options", "default"}
        for key in raw:
            if key not in allowed:
                raise fail(f"{where}.{key}", f"unknown key (expected one of {', '.join(sorted(allowed))})")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise fail(f"{where}.required", "must be true or false")
        options: list[Option] = []
        raw_options = raw.get("options")
        if kind in CHOICE_KINDS:
            if not isinstance(raw_options, list) or len(raw_options) < 2:
                raise fail(f"{where}.options", f"a {kind} question needs at least two options")
            values: set[Any] = set()
            for oi, opt in enumerate(raw_options):
                owhere = f"{where}.options[{oi}]"
                if not isinstance(opt, dict):
                    raise fail(owhere, "must be a table with value, label and key")
                value = opt.get("value")
                if not isinstance(value, (str, int)) or isinstance(value, bool):
                    raise fail(f"{owhere}.value", "must be a string or an integer")
                if value in values:
                    raise fail(f"{owhere}.value", f"duplicate option value {value!r}")
                values.add(value)
                label = text(opt, "label", f"{owhere}.")
                options.append(Option(value, label, claim_key(opt.get("key"), f"{owhere}.key")))
        elif raw_options is not None:
            raise fail(f"{where}.options", f"a {kind} question has no options")
        default = raw.get("default")
        if default is not None and (kind not in ("ordinal", "nominal") or default not in {o.value for o in options}):
            raise fail(f"{where}.default", "must be one of the options of an ordinal or nominal question")
        questions.append(
            Question(
                id=qid,
                label=text(raw, "label", f"{where}.", required=False) or qid,
                kind=kind,
                required=required,
                guideline=text(raw, "guideline", f"{where}.", required=False).strip(),
                key=claim_key(raw.get("key"), f"{where}.key"),
                options=tuple(options),
                default=default,
            )
        )
    return LabelSchema(
        name=name,
        version=version,
        questions=tuple(questions),
        description=text(data, "description", "", required=False),
        guidelines=text(data, "guidelines", "", required=False).strip(),
        survey=survey_from_dict(data["survey"], fail) if "survey" in data else None,
        definition=data,
    )


def _raise(exc: Exception):
    raise exc


def validate_values(schema: LabelSchema, values: dict[str, Any], *, complete: bool) -> dict[str, Any]:
    """Check submitted values; ``complete`` demands every required question (a real submission)."""
    if not isinstance(values, dict):
        raise LabelError("values must be an object keyed by question id")
    clean: dict[str, Any] = {}
    for qid, value in values.items():
        try:
            q = schema.question(qid)
        except KeyError:
            raise LabelError(f"{qid}: no such question in schema {schema.name} v{schema.version}") from None
        if q.kind == "spans":
            raise LabelError(f"{qid}: spans are submitted as spans, not as a value")
        if value is None or value == [] or value == "":
            continue
        if q.kind in ("ordinal", "nominal"):
            if q.option(value) is None:
                allowed = ", ".join(repr(o.value) for o in q.options)
                raise LabelError(f"{qid}: {value!r} is not an option (expected one of {allowed})")
        elif q.kind == "multi":
            if not isinstance(value, list) or any(q.option(v) is None for v in value):
                allowed = ", ".join(repr(o.value) for o in q.options)
                raise LabelError(f"{qid}: must be a list of options from {allowed}")
            if len(set(map(repr, value))) != len(value):
                raise LabelError(f"{qid}: an option is listed twice")
            order = [o.value for o in q.options]
            value = sorted(value, key=order.index)
        elif q.kind == "text":
            if not isinstance(value, str):
                raise LabelError(f"{qid}: must be text")
            if len(value) > MAX_TEXT:
                raise LabelError(f"{qid}: longer than {MAX_TEXT} characters")
        clean[qid] = value
    if complete:
        for q in schema.questions:
            if q.default is not None and q.id not in clean:
                clean[q.id] = q.default
        missing = [q.id for q in schema.questions if q.required and q.id not in clean]
        if missing:
            raise LabelError(f"{', '.join(missing)}: required, not answered")
    return clean


def validate_spans(schema: LabelSchema, spans: list[Any], text_length: int) -> list[dict[str, Any]]:
    """Rationale spans: character offsets [start, end) into the comment text, tagged with a question."""
    span_questions = [q.id for q in schema.questions if q.kind == "spans"]
    clean = []
    for i, span in enumerate(spans or []):
        if not isinstance(span, dict):
            raise LabelError(f"spans[{i}]: must be an object with start and end")
        start, end = span.get("start"), span.get("end")
        question = span.get("question") or (span_questions[0] if span_questions else None)
        if question not in span_questions:
            raise LabelError(f"spans[{i}].question: {question!r} is not a spans question")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= text_length):
            raise LabelError(f"spans[{i}]: [{start}, {end}) is not a span of the {text_length}-character text")
        clean.append({"start": start, "end": end, "question": question})
    return sorted(clean, key=lambda s: (s["start"], s["end"]))
