"""The annotator survey of a schema: its TOML, errors that name the key, answers checked against it."""

import pytest

from moderator.core.paths import asset_path
from moderator.core.schema.definition import SchemaError, load_schema
from moderator.core.schema.survey import SurveyError

MINIMAL = """
name = "mini"
version = 1
[[questions]]
id = "toxic"
kind = "nominal"
options = [{ value = "yes", label = "Yes", key = "Y" }, { value = "no", label = "No", key = "N" }]

[survey]
consent = "We ask about you."
consent_version = "v1"

[[survey.questions]]
id = "age"
label = "Age band"
kind = "choice"
options = ["18-34", "35+"]

[[survey.questions]]
id = "leaning"
kind = "number"
min = 1
max = 7
optional = true

[[survey.questions]]
id = "platforms"
label = "Platforms moderated"
kind = "multi"
options = ["forum", "news", "social"]
optional = true

[[survey.questions]]
id = "country"
label = "Country"
kind = "text"
optional = true
"""


def _load(tmp_path, text):
    path = tmp_path / "schema.toml"
    path.write_text(text)
    return load_schema(path), path


def test_a_schema_may_carry_a_survey_and_the_default_has_none(tmp_path):
    schema, _ = _load(tmp_path, MINIMAL)
    survey = schema.survey
    assert (survey.consent, survey.consent_version) == ("We ask about you.", "v1")
    assert [(q.id, q.kind, q.optional) for q in survey.questions] == [
        ("age", "choice", False), ("leaning", "number", True), ("platforms", "multi", True), ("country", "text", True),
    ]  # fmt: skip
    leaning = survey.questions[1]
    assert (leaning.label, leaning.minimum, leaning.maximum) == ("leaning", 1, 7)  # the id labels it when no label
    assert load_schema().survey is None


def test_the_example_survey_schema_loads_with_the_default_questions():
    schema = load_schema(asset_path("example-survey-schema.toml"))
    assert [q.id for q in schema.questions] == [q.id for q in load_schema().questions]
    ids = [q.id for q in schema.survey.questions]
    assert {"age_band", "gender", "country", "political_leaning", "moderation_experience"} <= set(ids)
    assert schema.survey.consent and schema.survey.consent_version
    leaning = next(q for q in schema.survey.questions if q.id == "political_leaning")
    assert (leaning.kind, leaning.minimum, leaning.maximum) == ("number", 1, 7)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda s: s.replace('consent = "We ask about you."', 'consent = ""'), "survey.consent"),
        (lambda s: s.replace('consent_version = "v1"', "consent_version = 1"), "survey.consent_version"),
        (lambda s: s.replace('consent_version = "v1"', 'consent_version = "v1"\ntitle = "x"'), "survey.title"),
        (lambda s: s.replace('kind = "choice"', 'kind = "slider"'), "survey.questions[0].kind"),
        (lambda s: s.replace('options = ["18-34", "35+"]', 'options = ["18-34"]'), "survey.questions[0].options"),
        (lambda s: s.replace('options = ["18-34", "35+"]', 'options = ["18-34", "18-34"]'), "survey.questions[0].options[1]"),
        (lambda s: s.replace('options = ["18-34", "35+"]', 'options = ["18-34", 35]'), "survey.questions[0].options[1]"),
        (lambda s: s.replace('id = "leaning"', 'id = "age"'), "survey.questions[1].id"),
        (lambda s: s.replace("min = 1", "min = 9"), "survey.questions[1].max"),
        (lambda s: s.replace("min = 1", 'min = "one"'), "survey.questions[1].min"),
        (lambda s: s.replace("optional = true", 'optional = "yes"', 1), "survey.questions[1].optional"),
        (lambda s: s.replace('kind = "text"', 'kind = "text"\noptions = ["a", "b"]'), "survey.questions[3].options"),
        (lambda s: s.replace('kind = "text"', 'kind = "text"\nmax = 3'), "survey.questions[3].max"),
        (lambda s: s.split("[[survey.questions]]")[0], "survey.questions"),
    ],
)
def test_an_invalid_survey_is_refused_naming_the_file_and_key(tmp_path, edit, key):
    path = tmp_path / "bad.toml"
    path.write_text(edit(MINIMAL))
    with pytest.raises(SchemaError) as error:
        load_schema(path)
    assert str(error.value).startswith(f"{path}: {key}: ")


def test_answers_are_checked_and_tidied(tmp_path):
    survey = _load(tmp_path, MINIMAL)[0].survey
    clean = survey.clean_answers({"age": "35+", "leaning": 3, "platforms": ["social", "forum"], "country": "  Peru "})
    assert clean == {"age": "35+", "leaning": 3, "platforms": ["forum", "social"], "country": "Peru"}
    assert survey.clean_answers({"age": "18-34", "leaning": None, "country": ""}) == {"age": "18-34"}
    for answers, fault in [
        ({}, "age: required"),
        ({"age": "16"}, "age: '16' is not one of the options"),
        ({"age": "35+", "leaning": 8}, "leaning: 8 is outside 1..7"),
        ({"age": "35+", "leaning": 2.5}, "leaning: must be a whole number"),
        ({"age": "35+", "leaning": True}, "leaning: must be a whole number"),
        ({"age": "35+", "platforms": ["tv"]}, "platforms: must be a list"),
        ({"age": "35+", "platforms": ["news", "news"]}, "platforms: an option is listed twice"),
        ({"age": "35+", "country": 5}, "country: must be text"),
        ({"age": "35+", "country": "x" * 501}, "country: longer than 500"),
        ({"age": "35+", "shoe_size": 44}, "shoe_size: no such question"),
    ]:
        with pytest.raises(SurveyError, match=fault):
            survey.clean_answers(answers)
