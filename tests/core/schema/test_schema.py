"""Label schemas: the bundled default, project schemas, and errors that name the key at fault."""

import pytest

from moderator.core.schema.definition import LabelError, SchemaError, load_schema, validate_spans, validate_values

MINIMAL = """
name = "mini"
version = 1
[[questions]]
id = "toxic"
kind = "nominal"
required = true
options = [{ value = "yes", label = "Yes", key = "Y" }, { value = "no", label = "No", key = "N" }]
"""


def test_default_schema_has_the_design_questions_with_guidelines_and_keys():
    schema = load_schema()
    ids = [q.id for q in schema.questions]
    assert ids[:2] == ["toxicity", "dehumanization"]
    assert {"categories", "target", "rationale", "decision", "flags"} <= set(ids)
    toxicity = schema.question("toxicity")
    assert [(o.value, o.key) for o in toxicity.options] == [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
    assert toxicity.required and toxicity.kind == "ordinal"
    assert [o.value for o in schema.question("dehumanization").options] == ["none", "implicit", "explicit"]
    assert all(q.guideline for q in schema.questions)


def test_a_project_can_load_its_own_schema(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL)
    schema = load_schema(path)
    assert schema.name == "mini" and [q.id for q in schema.questions] == ["toxic"]


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda s: s.replace("version = 1", 'version = "one"'), "version"),
        (lambda s: s.replace('kind = "nominal"', 'kind = "slider"'), "questions[0].kind"),
        (lambda s: s.replace('key = "N"', 'key = "Y"'), "questions[0].options[1].key"),
        (lambda s: s.replace('value = "no"', 'value = "yes"'), "questions[0].options[1].value"),
        (lambda s: s.replace("required = true", 'required = "yes"'), "questions[0].required"),
        (lambda s: s.replace("required = true", 'default = "maybe"'), "questions[0].default"),
        (lambda s: s.replace('id = "toxic"', 'id = ""'), "questions[0].id"),
        (lambda s: s.replace('name = "mini"', 'name = "mini"\ncolour = "red"'), "colour"),
        (lambda s: s.replace('{ value = "no", label = "No", key = "N" }', ""), "questions[0].options"),
    ],
)
def test_invalid_schema_files_are_refused_naming_the_file_and_key(tmp_path, edit, key):
    path = tmp_path / "bad.toml"
    path.write_text(edit(MINIMAL))
    with pytest.raises(SchemaError) as error:
        load_schema(path)
    assert str(error.value).startswith(f"{path}: {key}: ")


def test_toml_syntax_errors_name_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = \n")
    with pytest.raises(SchemaError, match=r"broken\.toml: invalid TOML"):
        load_schema(path)


def test_values_are_checked_against_the_schema():
    schema = load_schema()
    ok = validate_values(schema, {"toxicity": 4, "dehumanization": "explicit", "categories": ["threat", "insult"]}, complete=True)
    assert ok["categories"] == ["insult", "threat"]  # kept in schema order
    with pytest.raises(LabelError, match="toxicity: 5 is not an option"):
        validate_values(schema, {"toxicity": 5, "dehumanization": "none"}, complete=True)
    with pytest.raises(LabelError, match="toxicity: required"):
        validate_values(schema, {"dehumanization": "implicit"}, complete=True)
    # An unanswered question with a default records the default: one key and Enter label a comment.
    assert validate_values(schema, {"toxicity": 1}, complete=True) == {"toxicity": 1, "dehumanization": "none"}
    with pytest.raises(LabelError, match="colour: no such question"):
        validate_values(schema, {"colour": "red"}, complete=False)
    with pytest.raises(LabelError, match="categories: must be a list"):
        validate_values(schema, {"categories": ["insult", "rude"]}, complete=False)
    assert validate_values(schema, {"toxicity": 2}, complete=False) == {"toxicity": 2}  # a skip may be partial


def test_rationale_spans_must_lie_inside_the_text():
    schema = load_schema()
    assert validate_spans(schema, [{"start": 5, "end": 9}, {"start": 0, "end": 3}], 10) == [
        {"start": 0, "end": 3, "question": "rationale"},
        {"start": 5, "end": 9, "question": "rationale"},
    ]
    with pytest.raises(LabelError, match=r"spans\[0\]"):
        validate_spans(schema, [{"start": 5, "end": 11}], 10)
