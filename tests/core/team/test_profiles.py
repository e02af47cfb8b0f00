"""Annotator profiles: answered once, checked against the survey, summed up with small groups merged."""

import pytest
from sqlalchemy import select

from moderator.core.project import Project
from moderator.core.schema.definition import schema_from_dict
from moderator.core.schema.survey import SurveyError
from moderator.core.store.tables import Profile
from moderator.core.team import profiles
from moderator.core.team.accounts import Account, ensure_annotator

SURVEY = {
    "consent": "We ask about you.",
    "consent_version": "v1",
    "questions": [
        {"id": "age", "label": "Age band", "kind": "choice", "options": ["18-34", "35-54", "55+"]},
        {"id": "leaning", "label": "Leaning", "kind": "number", "min": 1, "max": 7, "optional": True},
        {"id": "platforms", "label": "Platforms", "kind": "multi", "options": ["forum", "news"], "optional": True},
        {"id": "country", "label": "Country", "kind": "text", "optional": True},
    ],
}
QUESTIONS = [{"id": "toxic", "kind": "nominal", "options": [{"value": "y", "label": "Y"}, {"value": "n", "label": "N"}]}]


@pytest.fixture
def survey():
    return schema_from_dict({"name": "s", "version": 1, "questions": QUESTIONS, "survey": SURVEY}).survey


def _people(engine, n):
    return [ensure_annotator(engine, f"person{i}") for i in range(n)]


def test_a_profile_is_due_until_answered_or_declined_and_is_written_once(engine, survey):
    ana, bo = _people(engine, 2)
    assert profiles.survey_due(engine, ana) and profiles.survey_due(engine, bo)
    profiles.save_profile(engine, ana, {"age": "18-34", "country": " Chile "}, "v1", survey)
    profiles.save_profile(engine, bo, {}, profiles.DECLINED)
    assert not profiles.survey_due(engine, ana) and not profiles.survey_due(engine, bo)
    with pytest.raises(profiles.ProfileExists):
        profiles.save_profile(engine, ana, {"age": "55+"}, "v1", survey)
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Profile.annotator_id, Profile.answers)).all())
    assert stored == {ana: {"age": "18-34", "country": "Chile"}, bo: {}}


def test_answers_are_refused_when_they_do_not_fit_the_survey(engine, survey):
    (ana,) = _people(engine, 1)
    with pytest.raises(SurveyError, match="age: required"):
        profiles.save_profile(engine, ana, {"leaning": 3}, "v1", survey)
    with pytest.raises(ValueError, match="consent agreed to"):
        profiles.save_profile(engine, ana, {"age": "55+"}, "v0", survey)  # a dialog from before the consent changed
    with pytest.raises(ValueError, match="no answers"):
        profiles.save_profile(engine, ana, {"age": "55+"}, profiles.DECLINED)
    with pytest.raises(ValueError, match="checked against the survey"):
        profiles.save_profile(engine, ana, {"age": "55+"}, "v1")
    assert profiles.survey_due(engine, ana)  # nothing was stored


def test_the_summary_counts_answers_and_merges_groups_smaller_than_five(engine, survey):
    people = _people(engine, 13)
    answers = (
        [{"age": "18-34", "leaning": 3, "platforms": ["forum", "news"], "country": "Chile"}] * 6
        + [{"age": "35-54", "leaning": 5, "platforms": ["news"], "country": " chile"}] * 5
        + [{"age": "55+", "leaning": 7}]
    )
    answers[0] = answers[0] | {"leaning": 5}  # 5 is now the commonest, yet numbers are listed from the lowest
    for person, given in zip(people, answers, strict=False):
        profiles.save_profile(engine, person, given, "v1", survey)
    profiles.save_profile(engine, people[-1], {}, profiles.DECLINED)
    summary = profiles.profiles_summary(engine, survey=survey)
    assert (summary["respondents"], summary["declined"], summary["min_group"]) == (12, 1, 5)
    counts = {q["id"]: q["counts"] for q in summary["questions"]}
    other = "other (fewer than 5)"
    assert counts["age"] == {"18-34": 6, "35-54": 5, other: 1}  # the one person aged 55+ is not told apart
    assert list(counts["leaning"].items()) == [("3", 5), ("5", 6), (other, 1)]
    assert counts["platforms"] == {"forum": 6, "news": 11, other: 1}  # each chosen option; "no answer" is 1
    assert counts["country"] == {"Chile": 11, other: 1}  # text counted as typed, case and spaces aside
    assert [q["label"] for q in summary["questions"]] == ["Age band", "Leaning", "Platforms", "Country"]
    strict = profiles.profiles_summary(engine, min_group=6, survey=survey)
    assert {q["id"]: q["counts"] for q in strict["questions"]}["age"] == {"18-34": 6, "other (fewer than 6)": 6}
    blind = profiles.profiles_summary(engine)  # no survey at hand: the questions found in the answers
    assert [q["id"] for q in blind["questions"]] == ["age", "leaning", "platforms", "country"]


def test_only_leads_read_profiles_and_the_project_wraps_them(engine, tmp_path):
    from moderator.core.labelling.log import activate_schema

    schema = schema_from_dict({"name": "s", "version": 1, "questions": QUESTIONS, "survey": SURVEY})
    activate_schema(engine, schema)
    project = Project(engine)
    ana, lead = _people(engine, 2)
    assert project.survey_due(ana)
    project.save_profile(ana, {"age": "35-54"}, "v1")
    project.decline_survey(lead)
    assert not project.survey_due(ana) and not project.survey_due(lead)
    annotator, reviewer = Account(ana, "person0", "annotator"), Account(lead, "person1", "reviewer")
    for call in (project.profiles_summary, project.profiles_raw):
        with pytest.raises(PermissionError):
            call(viewer=annotator)
    summary = project.profiles_summary(viewer=reviewer)
    assert summary["respondents"] == 1 and summary["questions"][0]["counts"] == {"other (fewer than 5)": 1}
    raw = project.profiles_raw(viewer=reviewer)
    assert [(r["annotator_id"], r["answers"], r["consent_version"]) for r in raw] == [
        (ana, {"age": "35-54"}, "v1"), (lead, {}, "declined"),
    ]  # fmt: skip


def test_without_a_survey_in_the_schema_no_one_is_asked(engine):
    (ana,) = _people(engine, 1)
    assert not Project(engine).survey_due(ana)
