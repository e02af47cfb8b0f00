"""The HateXplain importer: a hand-written dataset.json, its rationales as spans, and α of its labels."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from helpers.import_checks import cli_import
from sqlalchemy import select

from moderator.core.agreement.report import agreement_report
from moderator.core.importing.formats import (
    SURE,
    ImportFailure,
    detect_format,
    hatexplain,
    lewidi,
    read_source,
    text_source,
)
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.log import current_rows_clause
from moderator.core.schema.definition import schema_from_dict, validate_spans, validate_values
from moderator.core.store.tables import Annotation, Annotator, Comment


def annotator(label, aid, *targets):
    return {"label": label, "annotator_id": aid, "target": list(targets)}


POSTS = {
    # Two rationales for three annotators: the two who said hatespeech or offensive (1 and 2), in order.
    "1179055004553900032_twitter": {
        "post_id": "1179055004553900032_twitter",
        "annotators": [
            annotator("hatespeech", 1, "African", "None"),
            annotator("offensive", 2, "African", "Women"),
            annotator("normal", 3, "None"),
        ],
        "rationales": [[0, 1, 1, 1, 0, 0], [0, 1, 0, 1, 0, 1]],
        "post_tokens": ["i", "hate", "those", "people", "so", "much"],
    },
    # As many rationales as annotators: one each, the "normal" annotator's too.
    "24198545_gab": {
        "post_id": "24198545_gab",
        "annotators": [
            annotator("hatespeech", 4, "Jewish"),
            annotator("hatespeech", 3, "Jewish"),
            annotator("normal", 5, "None"),
        ],
        "rationales": [[1, 1, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 1, 0, 0]],
        "post_tokens": ["<user>", "those", "bankers", "again", "smh"],
    },
    "13851720_gab": {
        "post_id": "13851720_gab",
        "annotators": [annotator("normal", 1, "None"), annotator("normal", 2, "None"), annotator("offensive", 6, "Other")],
        "rationales": [],
        "post_tokens": ["what", "a", "lovely", "day"],
    },
}
OWNERS = {  # whose each rationale is, by the importer's rule
    "1179055004553900032_twitter": [1, 2],
    "24198545_gab": [4, 3, 5],
    "13851720_gab": [],
}


def write(tmp_path, data=POSTS, name="dataset.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=4), encoding="utf-8")
    return path


def parse(path, options=None):
    [thread] = hatexplain.parse(read_source(path), options=options)
    return thread


def post_line(path, key):
    return path.read_text().split("\n").index(f'    "{key}": {{') + 1


def marked_runs(tokens, marks):
    """The text of each run of marked tokens, joined as the importer joins them."""
    runs, current = [], []
    for token, mark in zip(tokens, marks):
        if mark:
            current.append(token)
        elif current:
            runs.append(" ".join(current))
            current = []
    return runs + ([" ".join(current)] if current else [])


def fails(path, line, *words, options=None):
    with pytest.raises(ImportFailure) as info:
        parse(path, options)
    assert info.value.line == line, str(info.value)
    for word in words:
        assert word in str(info.value), str(info.value)


# ---- parsing ----------------------------------------------------------------------------------------


def test_every_post_is_a_top_level_comment_of_one_thread(tmp_path):
    path = write(tmp_path)
    thread = parse(path)
    assert (thread.source, thread.title, thread.external_id) == ("hatexplain", "dataset", "hatexplain/dataset")
    assert [c.external_id for c in thread.comments] == list(POSTS)
    assert [c.text for c in thread.comments] == [
        "i hate those people so much",
        "<user> those bankers again smh",
        "what a lovely day",
    ]
    assert all(c.parent_index is None for c in thread.comments)
    assert [c.line for c in thread.comments] == [post_line(path, key) for key in POSTS]
    assert [c.metadata["platform"] for c in thread.comments] == ["twitter", "gab", "gab"]


def test_annotators_become_prior_labels_with_their_class_and_targets(tmp_path):
    first, second, third = parse(write(tmp_path)).comments
    assert [(p.annotator, p.values) for p in first.prior_labels] == [
        ("hatexplain/1", {"label": "hatespeech", "target": ["African"]}),  # "None" left out
        ("hatexplain/2", {"label": "offensive", "target": ["African", "Women"]}),
        ("hatexplain/3", {"label": "normal", "target": []}),
    ]
    assert [p.values["label"] for p in second.prior_labels] == ["hatespeech", "hatespeech", "normal"]
    assert [p.values["target"] for p in third.prior_labels] == [[], [], ["Other"]]


def test_rationales_are_spans_of_the_marked_tokens(tmp_path):
    thread = parse(write(tmp_path))
    for comment in thread.comments:
        post = POSTS[comment.external_id]
        by_annotator = {p.annotator: p for p in comment.prior_labels}
        expected = {f"hatexplain/{a}": marks for a, marks in zip(OWNERS[comment.external_id], post["rationales"])}
        for name, label in by_annotator.items():
            texts = [comment.text[s["start"] : s["end"]] for s in label.spans]
            assert texts == (marked_runs(post["post_tokens"], expected[name]) if name in expected else [])
            assert all(s["question"] == "rationale" for s in label.spans)
    first = thread.comments[0].prior_labels
    assert [thread.comments[0].text[s["start"] : s["end"]] for s in first[0].spans] == ["hate those people"]
    assert [thread.comments[0].text[s["start"] : s["end"]] for s in first[1].spans] == ["hate", "people", "much"]
    assert first[2].spans == []  # annotator 3 said normal and gave none
    assert thread.comments[1].prior_labels[2].spans == [{"start": 13, "end": 20, "question": "rationale"}]  # "bankers"


def test_schema_holds_every_label_and_span(tmp_path):
    thread = parse(write(tmp_path))
    schema = schema_from_dict(thread.prior_schema)
    assert (schema.name, schema.version) == ("hatexplain", 1)
    assert [(q.id, q.kind) for q in schema.questions] == [("label", "nominal"), ("target", "multi"), ("rationale", "spans")]
    assert [o.value for o in schema.question("label").options] == ["normal", "offensive", "hatespeech"]
    assert [o.value for o in schema.question("target").options] == ["African", "Jewish", "Other", "Women"]
    for comment in thread.comments:
        for label in comment.prior_labels:
            answered = {qid: value for qid, value in label.values.items() if value != []}  # no target: "None"
            assert validate_values(schema, label.values, complete=True) == answered
            assert validate_spans(schema, label.spans, len(comment.text)) == label.spans


def test_rationales_fewer_than_annotators_and_toxic_labels_go_to_the_first_annotators(tmp_path):
    post = {
        "post_id": "7_gab",
        "annotators": [annotator("hatespeech", 1), annotator("offensive", 2), annotator("hatespeech", 3)],
        "rationales": [[1, 0, 0], [0, 0, 1]],
        "post_tokens": ["a", "b", "c"],
    }
    path = write(tmp_path, {"7_gab": post})
    options = ImportOptions(strict=True)  # a guess, not a flaw of the file: not refused
    [comment] = parse(path, options).comments
    assert [[comment.text[s["start"] : s["end"]] for s in p.spans] for p in comment.prior_labels] == [["a"], ["c"], []]
    assert comment.heuristics[0].kind == "rationale_owner" and comment.heuristics[0].line == post_line(path, "7_gab")
    [warning] = options.notes.warnings
    assert warning.startswith(f"{path}:{post_line(path, '7_gab')}: 1 post(s) have fewer rationales than annotators")


def test_a_list_of_posts_is_read_too(tmp_path):
    path = write(tmp_path, list(POSTS.values()), "posts.json")
    thread = parse(path)
    assert thread.title == "posts"
    assert [c.external_id for c in thread.comments] == list(POSTS)
    lines = path.read_text().split("\n")
    assert [lines[c.line - 1] for c in thread.comments] == ["    {"] * 3
    assert lines[thread.comments[1].line] == '        "post_id": "24198545_gab",'


# ---- bad files --------------------------------------------------------------------------------------


def changed(key, **fields):
    data = json.loads(json.dumps(POSTS))
    data[key].update(fields)
    return {k: {f: v for f, v in post.items() if v is not None} for k, post in data.items()}


def test_bad_posts_fail_at_their_line(tmp_path):
    key = "24198545_gab"
    path = write(tmp_path, changed(key, post_tokens=None))
    fails(path, post_line(path, key), f"post {key!r}", '"post_tokens" must be a non-empty list of strings, found missing')
    path = write(tmp_path, changed(key, annotators=[annotator("toxic", 1)]))
    fails(path, post_line(path, key), "annotator 1", "'toxic'", "not one of normal, offensive, hatespeech")
    path = write(tmp_path, changed(key, rationales=[[0] * 5] * 4))
    fails(path, post_line(path, key), "3 annotators but 4 rationales")
    path = write(tmp_path, changed(key, rationales=[[0, 2, 0, 0, 0]]))
    fails(path, post_line(path, key), "rationale 1 must be a list of 0s and 1s")
    path = write(tmp_path, changed(key, post_id="other"))
    fails(path, post_line(path, key), "\"post_id\" is 'other', but the post is keyed '24198545_gab'")
    path = write(tmp_path, [POSTS[key], POSTS[key]], "twice.json")
    starts = [n for n, line in enumerate(path.read_text().split("\n"), 1) if line == "    {"]
    fails(path, starts[1], f"'24198545_gab' is listed twice (first at line {starts[0]})")
    fails(write(tmp_path, "[]"), 1, "no posts")
    fails(write(tmp_path, '"text"'), 1, "expected a JSON object keyed by post id")


def test_a_rationale_of_the_wrong_length_is_left_out_with_a_warning(tmp_path):
    key = "1179055004553900032_twitter"
    path = write(tmp_path, changed(key, rationales=[[0, 1, 1, 1, 0, 0], [1, 1]]))
    options = ImportOptions()
    first = parse(path, options).comments[0]
    assert [len(p.spans) for p in first.prior_labels] == [1, 0, 0]
    assert options.notes.warnings == [
        f"{path}:{post_line(path, key)}: post {key!r}: the rationale of hatexplain/2 has 2 marks for 6 tokens; left out"
    ]
    fails(path, post_line(path, key), "has 2 marks for 6 tokens", "--strict", options=ImportOptions(strict=True))


def test_an_annotator_listed_twice_counts_once(tmp_path):
    key = "13851720_gab"
    twice = [annotator("normal", 1), annotator("normal", 1), annotator("offensive", 6, "Other")]
    path = write(tmp_path, changed(key, annotators=twice))
    options = ImportOptions()
    third = parse(path, options).comments[2]
    assert [p.annotator for p in third.prior_labels] == ["hatexplain/1", "hatexplain/6"]
    assert options.notes.warnings == [
        f"{path}:{post_line(path, key)}: post {key!r}: annotator 'hatexplain/1' is listed twice with the same labels; counted once"
    ]
    path = write(tmp_path, changed(key, annotators=[annotator("normal", 1), annotator("offensive", 1)]))
    third = parse(path).comments[2]
    assert [(p.annotator, p.values["label"]) for p in third.prior_labels] == [("hatexplain/1", "offensive")]
    fails(path, post_line(path, key), "listed twice with different labels", options=ImportOptions(strict=True))


# ---- detection --------------------------------------------------------------------------------------


def test_hatexplain_is_told_from_lewidi_by_content(tmp_path):
    source = read_source(write(tmp_path))
    assert hatexplain.sniff(source) >= SURE and lewidi.sniff(source) == 0.0
    assert detect_format(source) == "hatexplain"
    assert detect_format(read_source(write(tmp_path, list(POSTS.values()), "list.json"))) == "hatexplain"
    item = {"text": "a", "annotation task": "hate speech detection", "annotations": "0,1", "annotators": "Ann1,Ann2"}
    lewidi_file = read_source(write(tmp_path, {"1": item}, "HS-Brexit_dev.json"))
    assert hatexplain.sniff(lewidi_file) == 0.0 and detect_format(lewidi_file) == "lewidi"
    assert hatexplain.sniff(text_source("<clipboard>", '{"1": {"post_tokens": ["a"], "annotators": "A"}}')) == 0.0
    assert hatexplain.sniff(text_source("<clipboard>", "post_tokens annotators")) == 0.0


def test_cli_import_picks_hatexplain(engine, tmp_path, capsys):
    status, out, err = cli_import(engine, capsys, write(tmp_path))
    assert status == 0, err
    assert "(hatexplain)" in out and "3 comments" in out


# ---- import -----------------------------------------------------------------------------------------


def reference_alpha():
    labels = ["normal", "offensive", "hatespeech"]
    names = sorted({a["annotator_id"] for post in POSTS.values() for a in post["annotators"]})
    matrix = np.full((len(names), len(POSTS)), np.nan)
    for column, post in enumerate(POSTS.values()):
        for a in post["annotators"]:
            matrix[names.index(a["annotator_id"]), column] = labels.index(a["label"])
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")


def test_import_stores_labels_spans_and_gives_the_reference_alpha(engine, tmp_path):
    [summary] = import_paths(engine, [write(tmp_path)])
    assert (summary.format, summary.comments_added, summary.labels_added) == ("hatexplain", 3, 9)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Comment.external_id, Comment.text, Annotator.name, Annotation.values, Annotation.spans, Annotation.action)
            .join(Comment, Annotation.comment_id == Comment.id)
            .join(Annotator, Annotation.annotator_id == Annotator.id)
            .where(current_rows_clause())
        ).all()
    assert len(rows) == 9 and {r.action for r in rows} == {"import"}
    stored = {(r.external_id, r.name): r for r in rows}
    first = stored["1179055004553900032_twitter", "hatexplain/2"]
    assert first.values == {"label": "offensive", "target": ["African", "Women"]}
    assert [first.text[s["start"] : s["end"]] for s in first.spans] == ["hate", "people", "much"]
    assert {s["question"] for s in first.spans} == {"rationale"}
    assert stored["13851720_gab", "hatexplain/6"].values == {"label": "offensive", "target": ["Other"]}
    assert stored["13851720_gab", "hatexplain/6"].spans == []
    report = agreement_report(engine, ["label"])
    assert report["label"]["krippendorff_alpha_nominal"] == pytest.approx(reference_alpha(), abs=1e-6)
