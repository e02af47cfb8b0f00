"""The agreement report reads the labels in force and agrees with the krippendorff package."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import insert, select

from moderator.core.agreement import scan
from moderator.core.agreement.report import agreement_report, format_report
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import active_schema, submit, undo_last
from moderator.core.store.tables import Annotation, Comment
from moderator.core.team.accounts import ensure_annotator

krippendorff = pytest.importorskip("krippendorff")

NAMES = ["ana", "ben", "cleo", "dev"]


@pytest.fixture
def comments(engine):
    draft = ThreadDraft(source="test", title="T", article="A", comments=[CommentDraft(f"comment {i}") for i in range(12)])
    import_drafts(engine, [draft], name="t", fmt="test")
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.position)).all()


@pytest.fixture
def annotators(engine):
    configure(engine, overlap=len(NAMES))  # every annotator may label every comment
    return {name: ensure_annotator(engine, name) for name in NAMES}


def package_alpha(answers: dict[tuple[int, str], object], level: str, domain: list) -> float:
    """The package's α over annotators × comments, NaN (or "nan" for text) where nothing was answered."""
    items = sorted({c for c, _ in answers})
    text = any(isinstance(v, str) for v in answers.values())
    missing = "nan" if text else np.nan
    matrix = np.array([[answers.get((c, n), missing) for c in items] for n in NAMES], dtype=object if text else float)
    return krippendorff.alpha(
        reliability_data=matrix.astype(str) if text else matrix, level_of_measurement=level, value_domain=domain
    )


def test_alpha_of_every_kind_equals_the_package_on_the_same_labels(engine, comments, annotators):
    rng = np.random.default_rng(3)
    toxicity, dehumanization, decision = {}, {}, {}
    for c in comments:
        truth = int(rng.integers(1, 5))
        for name in NAMES:
            if rng.random() < 0.25:
                continue  # this annotator never saw the comment
            values = {"toxicity": int(np.clip(truth + rng.integers(-1, 2), 1, 4))}
            if rng.random() < 0.7:  # otherwise the schema's default "none" is recorded
                values["dehumanization"] = ["none", "implicit", "explicit"][int(rng.integers(0, 3))]
            if rng.random() < 0.6:  # decision has no default: an unanswered one is no answer
                values["decision"] = ["keep", "remove", "escalate"][int(rng.integers(0, 3))]
            submit(engine, c, annotators[name], values)
            toxicity[(c, name)] = values["toxicity"]
            dehumanization[(c, name)] = values.get("dehumanization", "none")
            if "decision" in values:
                decision[(c, name)] = values["decision"]

    report = agreement_report(engine)
    json.dumps(report)  # plain JSON: no NumPy numbers, no NaN

    tox = report["toxicity"]
    for level in ("nominal", "ordinal", "interval"):
        expected = package_alpha(toxicity, level, [1, 2, 3, 4])
        assert tox[f"krippendorff_alpha_{level}"] == pytest.approx(expected, abs=1e-6)
    assert tox["annotations"] == len(toxicity) and tox["annotators"] == 4
    assert tox["items"] == len({c for c, _ in toxicity})

    deh = report["dehumanization"]
    domain = ["none", "implicit", "explicit"]
    assert deh["options"] == domain
    assert deh["krippendorff_alpha_ordinal"] == pytest.approx(package_alpha(dehumanization, "ordinal", domain), abs=1e-6)
    assert deh["krippendorff_alpha_nominal"] == pytest.approx(package_alpha(dehumanization, "nominal", domain), abs=1e-6)
    assert deh["krippendorff_alpha_interval"] is None  # text options have no distances

    dec = report["decision"]
    assert dec["annotations"] == len(decision)
    assert dec["krippendorff_alpha_nominal"] == pytest.approx(
        package_alpha(decision, "nominal", ["keep", "remove", "escalate"]), abs=1e-6
    )
    assert dec["krippendorff_alpha_ordinal"] is None  # a nominal question of text options has no order

    pairs = {(p["a"], p["b"]) for p in tox["cohen_kappa_pairs"]}
    assert pairs <= {(a, b) for i, a in enumerate(NAMES) for b in NAMES[i + 1 :]}
    assert set(tox["annotator_majority_agreement"]) <= set(NAMES)
    assert all(0.0 <= s <= 1.0 for s in tox["annotator_majority_agreement"].values())


def test_only_the_submitted_rows_in_force_count(engine, comments, annotators):
    ana, ben, cleo = annotators["ana"], annotators["ben"], annotators["cleo"]
    c0, c1, c2 = comments[:3]
    submit(engine, c0, ana, {"toxicity": 1})
    submit(engine, c0, ben, {"toxicity": 4})
    submit(engine, c0, ben, {"toxicity": 1})  # an edit: only this one counts
    submit(engine, c1, ana, {"toxicity": 3})
    submit(engine, c1, ben, {"toxicity": 3})
    submit(engine, c1, cleo, {"toxicity": 2})
    undo_last(engine, cleo)  # retracted: cleo has no label on c1
    submit(engine, c2, ana, {"toxicity": 2})
    submit(engine, c2, ben, {"toxicity": 4})
    submit(engine, c2, ben, {"toxicity": 2})
    undo_last(engine, ben)  # back to 4
    submit(engine, c2, cleo, status="skipped")
    submit(engine, c0, cleo, {"flags": ["unsure"]}, status="flagged")

    tox = agreement_report(engine, ["toxicity"])["toxicity"]
    assert tox["annotations"] == 6 and tox["items"] == 3 and tox["annotators"] == 2
    # c0: 1/1, c1: 3/3, c2: 2/4 → the package on the same matrix.
    expected = krippendorff.alpha(reliability_data=[[1, 3, 2], [1, 3, 4]], level_of_measurement="interval")
    assert tox["krippendorff_alpha_interval"] == pytest.approx(expected, abs=1e-6)
    # ana 1 3 2, ben 1 3 4: p_o = 2/3, p_e = 1/9 + 1/9 → κ = (2/3 − 2/9) / (7/9) = 4/7.
    assert tox["cohen_kappa_pairs"] == [{"a": "ana", "b": "ben", "kappa": pytest.approx(4 / 7), "items": 3}]
    assert tox["annotator_majority_agreement"] == {"ana": pytest.approx(2 / 3), "ben": pytest.approx(2 / 3)}


def test_each_option_of_a_multi_question_is_a_yes_no_question(engine, comments, annotators):
    c0, c1 = comments[:2]
    for name, cats in (("ana", ["insult"]), ("ben", ["insult", "threat"]), ("cleo", None)):
        values = {"toxicity": 3} | ({"categories": cats} if cats else {})
        submit(engine, c0, annotators[name], values)
    for name in ("ana", "ben"):
        submit(engine, c1, annotators[name], {"toxicity": 1})  # nothing selected: "no" to every option
    report = agreement_report(engine, ["categories"])
    assert list(report) == [f"categories.{o}" for o in ("insult", "identity_attack", "threat", "profanity", "sexual", "other")]
    insult = report["categories.insult"]
    assert insult["kind"] == "multi-option" and insult["options"] == [0, 1] and insult["annotations"] == 5
    expected = krippendorff.alpha(reliability_data=[[1, 0], [1, 0], [0, np.nan]], level_of_measurement="nominal")
    assert insult["krippendorff_alpha_nominal"] == pytest.approx(expected, abs=1e-6)
    assert report["categories.sexual"]["krippendorff_alpha_nominal"] is None  # everyone said no: undefined
    assert list(agreement_report(engine, ["categories.threat"])) == ["categories.threat"]


def test_the_one_pass_read_gives_what_row_by_row_gives(engine, comments, annotators, monkeypatch):
    rng = np.random.default_rng(5)
    for c in comments:
        for name in NAMES:
            values = {"toxicity": int(rng.integers(1, 5))}
            if rng.random() < 0.6:
                values["categories"] = [o for o in ("insult", "threat", "other") if rng.random() < 0.4]
            submit(engine, c, annotators[name], values)
    submit(engine, comments[0], annotators["ana"], {"toxicity": 2, "categories": ["threat"]})  # an edit
    undo_last(engine, annotators["ben"])
    asked = (None, ["toxicity"], ["categories.threat"])
    reports = [agreement_report(engine, q) for q in asked]
    monkeypatch.setattr(scan, "read", lambda conn, wanted: None)  # on SQLite: row by row instead
    assert [agreement_report(engine, q) for q in asked] == reports


def test_a_stored_value_no_schema_lists_is_an_option_in_the_order_rows_came(engine, comments, annotators):
    schema_id, _ = active_schema(engine)
    with engine.begin() as conn:  # hand-made rows, as an old schema or another tool may have left
        for c, name, value in (
            (comments[0], "ana", 9),
            (comments[0], "ben", 7),
            (comments[1], "ana", 9),
            (comments[1], "ben", 2),
        ):
            row = {"comment_id": c, "annotator_id": annotators[name], "schema_id": schema_id, "values": {"toxicity": value}}
            conn.execute(insert(Annotation).values(**row, status="submitted"))
    tox = agreement_report(engine, ["toxicity"])["toxicity"]
    assert tox["options"] == [1, 2, 3, 4, 9, 7] and tox["annotations"] == 4


def test_unknown_questions_are_refused_and_text_questions_are_not_reported(engine, comments, annotators):
    submit(engine, comments[0], annotators["ana"], {"toxicity": 2, "note": "hard one"})
    assert "note" not in agreement_report(engine) and "target_name" not in agreement_report(engine)
    assert agreement_report(engine, []) == {}
    with pytest.raises(ValueError, match="nope"):
        agreement_report(engine, ["nope"])
    with pytest.raises(ValueError, match="note"):
        agreement_report(engine, ["note"])  # a text question has no agreement to measure here


def test_an_empty_database_reports_every_question_without_numbers(engine, comments):
    ensure_annotator(engine, "ana")
    submit(engine, comments[0], ensure_annotator(engine, "ana"), {"toxicity": 2})
    report = agreement_report(engine, ["toxicity", "decision"])
    assert report["toxicity"]["items"] == 1 and report["toxicity"]["krippendorff_alpha_nominal"] is None
    assert report["decision"]["annotations"] == 0 and report["decision"]["fleiss_kappa"] is None
    text = format_report(report)
    assert "toxicity" in text and "n/a" in text


def test_format_report_is_a_table_with_every_question_and_annotator(engine, comments, annotators):
    for c, (a, b) in zip(comments, [(1, 1), (2, 2), (3, 4), (4, 4), (1, 2)]):
        submit(engine, c, annotators["ana"], {"toxicity": a})
        submit(engine, c, annotators["ben"], {"toxicity": b})
    report = agreement_report(engine, ["toxicity", "dehumanization"])
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["question", "kind"]
    assert any(
        line.startswith("toxicity") and f"{report['toxicity']['krippendorff_alpha_ordinal']:.3f}" in line for line in lines
    )
    assert "ana" in text and "ben" in text
    assert format_report({}) == "No choice questions to report."
