"""The optional annotator survey of a label schema (its ``[survey]`` table): parse it, check answers.

Who labels shapes the labels: demographics, attitudes and experience let a perspectivist dataset say
whose view a label is. The survey is asked once per person, after a consent text; answering is never
required to label. The answers are stored by ``core.team.profiles``.

    [survey]
    consent = "What is asked, why, who sees it ..."
    consent_version = "2026-01"          # changes when the consent text changes

    [[survey.questions]]
    id = "age_band"
    label = "Your age"
    kind = "choice"                      # choice (one), multi (any number), number (whole), text
    options = ["18-24", "25-34", "35+"]  # choice and multi only
    optional = true                      # may be left unanswered (default: must be answered)
    # number only: min = 1, max = 7
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = ("choice", "multi", "number", "text")
MAX_ANSWER = 500  # characters of a text answer


class SurveyError(ValueError):
    """Answers that do not fit the survey; the message names the question."""


@dataclass(frozen=True)
class SurveyQuestion:
    id: str
    label: str
    kind: str
    options: tuple[str, ...] = ()
    optional: bool = False
    minimum: int | None = None  # number questions only
    maximum: int | None = None


@dataclass(frozen=True)
class Survey:
    consent: str
    consent_version: str
    questions: tuple[SurveyQuestion, ...]

    def clean_answers(self, answers: Any) -> dict[str, Any]:
        """The answers checked and tidied (unanswered ones left out); SurveyError names the question at fault."""
        if not isinstance(answers, dict):
            raise SurveyError("answers must be an object keyed by question id")
        known = {q.id: q for q in self.questions}
        unknown = [qid for qid in answers if qid not in known]
        if unknown:
            raise SurveyError(f"{unknown[0]}: no such question in the survey")
        clean: dict[str, Any] = {}
        for q in self.questions:
            value = _clean_value(q, answers.get(q.id))
            if value is not None:
                clean[q.id] = value
            elif not q.optional:
                raise SurveyError(f"{q.id}: required, not answered")
        return clean


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_value(q: SurveyQuestion, value: Any) -> Any:
    """One answer tidied, or None when it is left unanswered."""
    if value is None or value == "" or value == []:
        return None
    if q.kind == "choice":
        if value not in q.options:
            raise SurveyError(f"{q.id}: {value!r} is not one of the options")
        return value
    if q.kind == "multi":
        if not isinstance(value, list) or any(v not in q.options for v in value):
            raise SurveyError(f"{q.id}: must be a list of the options")
        if len(set(value)) != len(value):
            raise SurveyError(f"{q.id}: an option is listed twice")
        return sorted(value, key=q.options.index)
    if q.kind == "number":
        if not _whole(value):
            raise SurveyError(f"{q.id}: must be a whole number")
        if (q.minimum is not None and value < q.minimum) or (q.maximum is not None and value > q.maximum):
            raise SurveyError(f"{q.id}: {value} is outside {q.minimum}..{q.maximum}")
        return value
    if not isinstance(value, str):
        raise SurveyError(f"{q.id}: must be text")
    value = value.strip()
    if len(value) > MAX_ANSWER:
        raise SurveyError(f"{q.id}: longer than {MAX_ANSWER} characters")
    return value or None


def survey_from_dict(raw: Any, fail: Callable[[str, str], Exception]) -> Survey:
    """The ``[survey]`` table of a schema; ``fail(key, reason)`` makes the schema's error for a bad key."""
    if not isinstance(raw, dict):
        raise fail("survey", "must be a table ([survey])")
    _known_keys(raw, {"consent", "consent_version", "questions"}, "survey.", fail)
    for key in ("consent", "consent_version"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(f"survey.{key}", "must be a non-empty string")
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise fail("survey.questions", "must be a non-empty array of tables ([[survey.questions]])")
    questions: list[SurveyQuestion] = []
    for qi, raw_question in enumerate(raw_questions):
        question = _question(raw_question, f"survey.questions[{qi}]", fail)
        if any(q.id == question.id for q in questions):
            raise fail(f"survey.questions[{qi}].id", f"duplicate question id {question.id!r}")
        questions.append(question)
    return Survey(consent=raw["consent"].strip(), consent_version=raw["consent_version"].strip(), questions=tuple(questions))


def _known_keys(raw: dict, allowed: set[str], where: str, fail: Callable[[str, str], Exception]) -> None:
    for key in raw:
        if key not in allowed:
            raise fail(f"{where}{key}", f"unknown key (expected one of {', '.join(sorted(allowed))})")


def _question(raw: Any, where: str, fail: Callable[[str, str], Exception]) -> SurveyQuestion:
    if not isinstance(raw, dict):
        raise fail(where, "must be a table")
    _known_keys(raw, {"id", "label", "kind", "options", "optional", "min", "max"}, f"{where}.", fail)
    qid, label, kind = raw.get("id"), raw.get("label", raw.get("id")), raw.get("kind")
    if not isinstance(qid, str) or not qid.strip():
        raise fail(f"{where}.id", "must be a non-empty string")
    if not isinstance(label, str) or not label.strip():
        raise fail(f"{where}.label", "must be a non-empty string")
    if kind not in KINDS:
        raise fail(f"{where}.kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        raise fail(f"{where}.optional", "must be true or false")
    options = raw.get("options")
    if kind in ("choice", "multi"):
        if not isinstance(options, list) or len(options) < 2:
            raise fail(f"{where}.options", f"a {kind} question needs at least two options")
        for oi, option in enumerate(options):
            if not isinstance(option, str) or not option.strip():
                raise fail(f"{where}.options[{oi}]", "must be a non-empty string")
            if option in options[:oi]:
                raise fail(f"{where}.options[{oi}]", f"duplicate option {option!r}")
    elif options is not None:
        raise fail(f"{where}.options", f"a {kind} question has no options")
    bounds = {key: raw.get(key) for key in ("min", "max")}
    for key, value in bounds.items():
        if value is not None and (kind != "number" or not _whole(value)):
            raise fail(f"{where}.{key}", "must be a whole number, on a number question")
    if None not in bounds.values() and bounds["min"] > bounds["max"]:
        raise fail(f"{where}.max", "must not be below min")
    return SurveyQuestion(
        id=qid.strip(), label=label.strip(), kind=kind, options=tuple(options or ()), optional=optional,
        minimum=bounds["min"], maximum=bounds["max"],
    )  # fmt: skip
