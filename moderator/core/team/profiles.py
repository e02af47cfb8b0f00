"""Annotator profiles: each person's answers to the schema's survey, and their aggregated form.

A person writes their profile once (answers, or "declined": no answers and not asked again) and
cannot change or read it back; on a team server the database enforces that (store.access), and
``survey_due`` reads the ``profiles_done`` view, which shows each login only whether they answered.
Reviewers and admins read the profiles: ``profiles_summary`` for reports and dataset cards (counts,
small groups merged so no one stands out), ``profiles_raw`` for a perspectivist export.

The survey itself (``core.schema.survey.Survey``) sits beside this package, not below it: callers pass
it in, and it is used only through the two members named in ``SurveyRules``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from moderator.core.store.engine import writer
from moderator.core.store.tables import DECLINED, Profile, profiles_done
from moderator.core.team.identity import Account, AuthError

MIN_GROUP = 5  # the fewest people an answer may be shown for; smaller groups are merged
NO_ANSWER = "no answer"


class SurveyRules(Protocol):
    consent_version: str
    questions: tuple[Any, ...]  # SurveyQuestion: id, label, kind, options

    def clean_answers(self, answers: Any) -> dict[str, Any]: ...


class ProfileExists(ValueError):
    """This person's profile is stored already: it is written once."""


def _require_lead(viewer: Account | None, what: str) -> None:
    if viewer is not None and not viewer.sees_all:
        raise AuthError(f"{what} are for reviewers and admins")


def has_profile(engine: Engine, annotator_id: int) -> bool:
    """Did this person answer or decline the survey? (Through the view any login may read.)"""
    with engine.connect() as conn:
        return conn.scalar(select(profiles_done.c.annotator_id).where(profiles_done.c.annotator_id == annotator_id)) is not None


def survey_due(engine: Engine, annotator_id: int) -> bool:
    """Should this person be asked the survey (when the schema has one)? True until they answer or decline."""
    return not has_profile(engine, annotator_id)


def save_profile(
    engine: Engine, annotator_id: int, answers: dict[str, Any], consent_version: str, survey: SurveyRules | None = None
) -> None:
    """Store a person's profile, once: ``answers`` checked against ``survey`` under the consent version it
    shows, or no answers at all with ``consent_version`` DECLINED. ProfileExists if there is one already."""
    if consent_version == DECLINED:
        if answers:
            raise ValueError("a declined survey stores no answers")
    elif survey is None:
        raise ValueError("answers are checked against the survey they answer")
    elif consent_version != survey.consent_version:
        raise ValueError(f"the consent agreed to ({consent_version}) is not the survey's ({survey.consent_version}); ask again")
    else:
        answers = survey.clean_answers(answers)
    try:
        with writer(engine) as conn, conn.begin():
            conn.execute(insert(Profile).values(annotator_id=annotator_id, answers=answers, consent_version=consent_version))
    except IntegrityError:
        if has_profile(engine, annotator_id):
            raise ProfileExists("your answers are stored already; a project admin can delete them") from None
        raise


IMPORTED = "imported:"  # consent_version prefix of the attributes a dataset ships for its own annotators


def _rows(engine: Engine) -> list[tuple[dict[str, Any], str]]:
    """The project's own people's survey rows: an imported dataset's annotator attributes are not answers
    to this survey (they stay in the raw profiles, for the perspectivist export)."""
    survey_rows = select(Profile.answers, Profile.consent_version).where(~Profile.consent_version.startswith(IMPORTED))
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(survey_rows.order_by(Profile.annotator_id))]


def _counted(question: Any, answers: list[dict[str, Any]]) -> Counter:
    """How many people gave each answer (each chosen option of a multi question; text as typed, case aside)."""
    counts: Counter = Counter()
    spelling: dict[str, str] = {}
    for person in answers:
        value = person.get(question.id)
        if value is None or value == [] or value == "":
            counts[NO_ANSWER] += 1
        elif isinstance(value, list):
            counts.update(str(v) for v in value)
        elif isinstance(value, str) and question.kind == "text":
            key = " ".join(value.split()).casefold()
            counts[spelling.setdefault(key, " ".join(value.split()))] += 1
        else:
            counts[str(value)] += 1
    return counts


def _order(question: Any, answers: list[dict[str, Any]]) -> list[str]:
    """Answers in the survey's order: its options, or the numbers given from the lowest (others: most first)."""
    if question.kind == "number":
        given = {person.get(question.id) for person in answers}
        return [str(n) for n in sorted(n for n in given if isinstance(n, int | float) and not isinstance(n, bool))]
    return [str(o) for o in question.options]


def _merged(counts: Counter, order: list[str], min_group: int) -> dict[str, int]:
    """The counts in ``order`` (then the rest, most first), every group under ``min_group`` merged into one."""
    other = f"other (fewer than {min_group})"
    ranked = [k for k in order if k in counts] + [k for k, _ in counts.most_common() if k not in order and k != NO_ANSWER]
    if NO_ANSWER in counts:
        ranked.append(NO_ANSWER)
    shown = {k: counts[k] for k in ranked if counts[k] >= min_group}
    small = sum(counts[k] for k in ranked if counts[k] < min_group)
    return shown | ({other: small} if small else {})


def profiles_summary(
    engine: Engine, min_group: int = MIN_GROUP, survey: SurveyRules | None = None, viewer: Account | None = None
) -> dict[str, Any]:
    """Per survey question, how many people gave each answer, groups smaller than ``min_group`` merged.

    JSON-ready: ``{"respondents", "declined", "min_group", "questions": [{"id", "label", "kind",
    "counts": {answer: people}}]}``. With ``survey`` its questions in its order (options in theirs);
    without, every question id found in the answers. No one's answers are told apart. Leads only.
    """
    _require_lead(viewer, "profiles")
    rows = _rows(engine)
    answered = [answers for answers, version in rows if version != DECLINED]
    questions = list(survey.questions) if survey is not None else [_Unknown(qid) for qid in _ids(answered)]
    return {
        "respondents": len(answered),
        "declined": len(rows) - len(answered),
        "min_group": min_group,
        "questions": [
            {"id": q.id, "label": q.label, "kind": q.kind,
             "counts": _merged(_counted(q, answered), _order(q, answered), min_group)}
            for q in questions
        ],
    }  # fmt: skip


class _Unknown:
    """A question found in stored answers but not in the survey given (or none given)."""

    def __init__(self, qid: str):
        self.id = self.label = qid
        self.kind = "unknown"
        self.options = ()


def _ids(answers: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(qid for person in answers for qid in person))


def profiles_raw(engine: Engine, viewer: Account | None = None) -> list[dict[str, Any]]:
    """Every stored profile, one per person (declined ones too), for a perspectivist export that puts
    each label beside its annotator's answers. Leads only: the caller pseudonymises the annotator ids."""
    _require_lead(viewer, "profiles")
    columns = (Profile.annotator_id, Profile.answers, Profile.consent_version, Profile.answered_at)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(*columns).order_by(Profile.annotator_id))]
