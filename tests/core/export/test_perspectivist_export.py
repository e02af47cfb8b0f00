"""The perspectivist export (`moderator export --format lewidi --out FOLDER`): LeWiDi files that the LeWiDi
importer reads back to the same labels, the annotators' metadata and the long label table."""

from __future__ import annotations

import functools
import json
import os

import pytest
from helpers.probes import queue_page

from moderator.cli.main import main
from moderator.core.export import writer
from moderator.core.export.perspectivist import export_perspectivist
from moderator.core.export.pseudonyms import annotator_key, project_secret
from moderator.core.export.release import export_release
from moderator.core.export.writer import ExportCancelled, iter_records
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts, import_paths
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.store.engine import open_database
from moderator.core.team.accounts import add_account, ensure_annotator

pq = pytest.importorskip("pyarrow.parquet")

NAMES = ("ana", "bo", "cy")
TEXTS = ("first comment", "a reply", "a third", "nobody labelled this")
ANSWERED = ("submitted", "late")
CONDITION = {"factor": "hint", "arm": "shown", "unit": "person", "seed": 7}


def label(engine) -> list[int]:
    """Three annotators on four comments: agreement, a tie, a skip, a flag, a multi answer, one unlabelled."""
    comments = [CommentDraft(t, author="Writer") for t in TEXTS]
    comments[1].parent_index = 0
    import_drafts(engine, [ThreadDraft(source="t", title="T", comments=comments)], name="t", fmt="t")
    configure(engine, overlap=3)
    ana, bo, cy = (ensure_annotator(engine, name) for name in NAMES)
    ids = [item.id for item in queue_page(engine, ana)]
    made = {"hint_shown": True, "condition": CONDITION}
    submit(engine, ids[0], ana, {"toxicity": 2, "dehumanization": "none", "categories": ["insult", "threat"]},
           duration_ms=1500, provenance=made)  # fmt: skip
    submit(engine, ids[0], bo, {"toxicity": 2, "dehumanization": "implicit"})
    submit(engine, ids[0], cy, {"toxicity": 3, "dehumanization": "none", "decision": "remove"})
    submit(engine, ids[1], ana, {"toxicity": 1, "dehumanization": "none"})
    submit(engine, ids[1], bo, status="skipped")
    submit(engine, ids[1], cy, {"note": "which thread?"}, status="flagged")
    submit(engine, ids[2], ana, {"toxicity": 1, "dehumanization": "none"})
    submit(engine, ids[2], bo, {"toxicity": 4, "dehumanization": "explicit"})
    return ids


@pytest.fixture
def labelled(engine):
    return engine, label(engine)


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def answers(engine) -> dict[tuple[str, str, str], object]:
    """(question, comment id, annotator as exported) → value, of every answer in force."""
    found = {}
    for record in iter_records(engine):
        for a in record["annotations"]:
            if a["status"] in ANSWERED:
                for qid, value in a["values"].items():
                    found[(qid, str(record["comment_id"]), a["annotator"])] = value
    return found


def reimported(folder, target) -> dict[tuple[str, str, str], object]:
    """Every LeWiDi file of ``folder`` through the LeWiDi importer into ``target``; its labels, keyed as
    ``answers`` keys them: the item id is the first project's comment id, the annotator the exported id."""
    questions = read(folder / "questions.json")
    for entry in questions.values():
        import_paths(target, [folder / entry["file"]], "lewidi")
    by_dataset = {entry["file"].removesuffix(".json"): (qid, entry["labels"]) for qid, entry in questions.items()}
    found = {}
    for record in iter_records(target, keep_annotators=True):
        qid, labels = by_dataset[record["thread_external_id"]]  # one dataset (thread) per file
        for a in record["annotations"]:
            dataset, _, exported_id = a["annotator"].partition("/")  # the importer names them "<dataset>/<id>"
            assert dataset == record["thread_external_id"]
            found[(qid, record["external_id"], exported_id)] = labels[str(a["values"][qid])]
    return found


def lewidi_answers(engine) -> dict[tuple[str, str, str], object]:
    """``answers`` of the questions that have a LeWiDi file (one label per annotator)."""
    return {k: v for k, v in answers(engine).items() if k[0] in ("toxicity", "dehumanization", "decision") and v is not None}


def test_the_lewidi_files_reimport_with_identical_labels(labelled, second_engine, tmp_path):
    engine, _ = labelled
    summary = export_perspectivist(engine, tmp_path / "out")
    assert summary.files == ["toxicity_lewidi.json", "dehumanization_lewidi.json", "decision_lewidi.json"]
    expected = lewidi_answers(engine)
    assert len(expected) == 13 and all(k[2].startswith("annotator_") for k in expected)
    assert reimported(tmp_path / "out", second_engine) == expected


def test_kept_names_reimport_with_identical_labels_too(labelled, second_engine, tmp_path):
    engine, _ = labelled
    export_perspectivist(engine, tmp_path / "out", keep_annotators=True)
    names = {annotator_key(project_secret(engine), n): n for n in NAMES}
    expected = {(q, c, names[who]): v for (q, c, who), v in lewidi_answers(engine).items()}
    assert reimported(tmp_path / "out", second_engine) == expected


def test_a_lewidi_item_has_the_shape_the_importer_reads(labelled, tmp_path):
    engine, ids = labelled
    export_perspectivist(engine, tmp_path / "out")
    secret = project_secret(engine)
    ana, bo, cy = (annotator_key(secret, n) for n in NAMES)
    toxicity = read(tmp_path / "out" / "toxicity_lewidi.json")
    assert list(toxicity) == [str(i) for i in ids[:3]]  # comment by comment, in thread order; unlabelled left out
    first = toxicity[str(ids[0])]
    assert first == {
        "text": TEXTS[0],
        "annotation task": "toxicity",
        "number of annotations": 3,
        "annotations": "2,2,3",
        "annotators": f"{ana},{bo},{cy}",
        "hard_label": "2",
        "soft_label": {"1": 0.0, "2": pytest.approx(2 / 3), "3": pytest.approx(1 / 3), "4": 0.0},
        "other_info": {"comment_id": ids[0], "external_id": None, "parent_id": None, "thread_id": first["other_info"]["thread_id"],
                       "thread_external_id": None},
    }  # fmt: skip
    assert toxicity[str(ids[1])]["annotators"] == ana  # a skip and a flag answer nothing
    assert toxicity[str(ids[1])]["other_info"]["parent_id"] == ids[0]
    assert toxicity[str(ids[2])]["hard_label"] == "1"  # 1 and 4, a tie: the option listed first
    # Text options become their position; questions.json maps them back.
    dehumanization = read(tmp_path / "out" / "dehumanization_lewidi.json")
    assert dehumanization[str(ids[0])]["annotations"] == "0,1,0" and dehumanization[str(ids[2])]["annotations"] == "0,2"
    questions = read(tmp_path / "out" / "questions.json")
    assert questions["dehumanization"]["labels"] == {"0": "none", "1": "implicit", "2": "explicit"}
    assert questions["toxicity"]["labels"] == {"1": 1, "2": 2, "3": 3, "4": 4} and questions["toxicity"]["items"] == 3
    assert questions["decision"] == {"file": "decision_lewidi.json", "label": "Moderation decision", "kind": "nominal",
                                     "items": 1, "labels": {"0": "keep", "1": "remove", "2": "escalate"}}  # fmt: skip
    # No file for the multi-choice and text questions.
    files = ["annotators_meta.json", "decision_lewidi.json", "dehumanization_lewidi.json", "labels_long.parquet",
             "questions.json", "toxicity_lewidi.json"]  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == files


def test_labels_long_has_a_row_per_comment_annotator_question_and_value(labelled, tmp_path):
    engine, ids = labelled
    summary = export_perspectivist(engine, tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / "labels_long.parquet")
    # ana 4 (two categories) + bo 2 + cy 3 on the first; ana 2, bo's skip 1, cy's flag (a note) 1; ana 2, bo 2
    assert table.num_rows == summary.rows == 17
    rows = table.to_pylist()
    secret = project_secret(engine)
    ana, bo, cy = (annotator_key(secret, n) for n in NAMES)
    mine = [(r["question"], r["value"], r["value_number"]) for r in rows if r["comment_id"] == ids[0] and r["annotator"] == ana]
    assert mine == [("toxicity", "2", 2.0), ("dehumanization", "none", None), ("categories", "insult", None),
                    ("categories", "threat", None)]  # fmt: skip
    [skip] = [r for r in rows if r["annotator"] == bo and r["comment_id"] == ids[1]]
    assert (skip["status"], skip["question"], skip["value"]) == ("skipped", None, None)
    [flag] = [r for r in rows if r["annotator"] == cy and r["comment_id"] == ids[1]]
    assert (flag["status"], flag["question"], flag["value"]) == ("flagged", "note", "which thread?")
    first = next(r for r in rows if r["annotator"] == ana)
    assert first["duration_ms"] == 1500 and first["submitted_at"].tzinfo is not None and first["thread_id"]
    assert json.loads(first["condition"]) == CONDITION and json.loads(first["provenance"])["hint_shown"] is True
    assert all(r["provenance"] is None and r["condition"] is None for r in rows if r["annotator"] != ana)
    assert {r["annotator"] for r in rows} == {ana, bo, cy}


def test_annotators_meta_has_one_entry_per_pseudonymous_annotator(labelled, tmp_path):
    engine, _ = labelled
    export_perspectivist(engine, tmp_path / "out")
    meta = read(tmp_path / "out" / "annotators_meta.json")
    secret = project_secret(engine)
    assert set(meta) == {annotator_key(secret, n) for n in NAMES}
    bo = meta[annotator_key(secret, "bo")]
    assert bo["role"] == "annotator" and bo["labels"] == 3 and bo["statuses"] == {"skipped": 1, "submitted": 2}
    assert bo["profile"] == {}  # bo answered no survey
    times = sorted(
        r["submitted_at"] for r in iter_records(engine, level="annotation", keep_annotators=True) if r["annotator"] == "bo"
    )
    assert [bo["first_label_at"], bo["last_label_at"]] == [times[0], times[-1]]  # ISO 8601, as the JSONL has them
    named = export_perspectivist(engine, tmp_path / "named", keep_annotators=True)
    assert set(read(named.folder / "annotators_meta.json")) == set(NAMES)


def test_annotators_meta_carries_each_persons_survey_answers_under_their_pseudonym(labelled, tmp_path):
    from moderator.core.schema.definition import schema_from_dict
    from moderator.core.team.profiles import save_profile

    engine, _ = labelled
    survey = schema_from_dict({"name": "s", "version": 1, "questions": [{"id": "q", "label": "Q", "kind": "text"}],
                               "survey": {"consent": "ok", "consent_version": "v1",
                                          "questions": [{"id": "age", "kind": "choice", "options": ["young", "old"]}]}}).survey  # fmt: skip
    save_profile(engine, ensure_annotator(engine, "cy"), {"age": "old"}, "v1", survey)
    export_perspectivist(engine, tmp_path / "out")
    meta = read(tmp_path / "out" / "annotators_meta.json")
    cy = meta[annotator_key(project_secret(engine), "cy")]
    assert cy["profile"] == {"answers": {"age": "old"}, "consent_version": "v1"}
    assert "cy" not in json.dumps(meta)  # under the pseudonym only


def test_small_pages_write_the_same_folder(labelled, tmp_path, monkeypatch):
    """Items are written comment by comment as pages arrive: page boundaries change nothing."""
    engine, _ = labelled
    export_perspectivist(engine, tmp_path / "whole")
    monkeypatch.setattr(writer, "pages", functools.partial(writer.pages, page_size=1))
    export_perspectivist(engine, tmp_path / "paged")
    for name in ("toxicity_lewidi.json", "dehumanization_lewidi.json", "questions.json", "annotators_meta.json"):
        assert (tmp_path / "paged" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    tables = [pq.read_table(tmp_path / f / "labels_long.parquet") for f in ("whole", "paged")]
    assert tables[0].equals(tables[1]) and pq.ParquetFile(tmp_path / "paged" / "labels_long.parquet").num_row_groups == 3


def test_an_annotators_folder_holds_only_their_own_labels(engine, tmp_path):
    import_drafts(engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft("c")])], name="t", fmt="t")
    configure(engine, overlap=2)
    admin = add_account(engine, "root", "admin", "pw")
    ana, bo = (add_account(engine, n, "annotator", "pw", by=admin) for n in ("ana", "bo"))
    [cid] = [item.id for item in queue_page(engine, ana.id)]
    submit(engine, cid, ana.id, {"toxicity": 1})
    submit(engine, cid, bo.id, {"toxicity": 4})
    rows = export_release(engine, ana, tmp_path / "ana", "lewidi")  # the window's way in
    assert rows == 2  # toxicity, and dehumanization's schema default
    [item] = read(tmp_path / "ana" / "toxicity_lewidi.json").values()
    assert item["annotators"] == annotator_key(project_secret(engine), "ana") and item["annotations"] == "1"
    assert list(read(tmp_path / "ana" / "annotators_meta.json")) == [item["annotators"]]


def test_a_cancelled_export_leaves_nothing_and_a_new_one_replaces_the_last(labelled, tmp_path):
    engine, _ = labelled
    exports = tmp_path / "exports"
    folder = exports / "out"
    with pytest.raises(ExportCancelled):
        export_perspectivist(engine, folder, cancelled=lambda: True)
    assert list(exports.iterdir()) == []  # no folder, no FOLDER.part
    export_perspectivist(engine, folder)
    (folder / "stale_lewidi.json").write_text("{}")  # a question an earlier schema had
    export_perspectivist(engine, folder)
    assert not (folder / "stale_lewidi.json").exists() and (folder / "toxicity_lewidi.json").exists()
    assert sorted(p.name for p in exports.iterdir()) == ["out"]


def test_cli_writes_the_folder_and_refuses_what_it_cannot(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    engine = open_database(db)
    try:
        label(engine)
    finally:
        engine.dispose()
    out = tmp_path / "release"
    assert main(["--db", db, "export", "--format", "lewidi", "--out", str(out)]) == 0
    assert "3 LeWiDi files, 17 label rows and 3 annotators" in capsys.readouterr().err
    assert (out / "toxicity_lewidi.json").is_file() and (out / "labels_long.parquet").is_file()
    assert main(["--db", db, "export", "--format", "lewidi"]) != 0
    assert "--out FOLDER" in capsys.readouterr().err
    assert main(["--db", db, "export", "--format", "lewidi", "--out", str(out), "--card"]) != 0
    assert "--card" in capsys.readouterr().err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["--db", db, "export", "--format", "lewidi", "--out", str(mine)]) != 0
    assert "other files" in capsys.readouterr().err and [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert main(["--db", db, "export", "--format", "lewidi", "--keep-annotators", "--out", str(out)]) == 0
    assert set(read(out / "annotators_meta.json")) == set(NAMES)


@pytest.fixture
def brexit(engine, shared_data):
    path = shared_data / "lewidi" / "HS-Brexit_dev.json"
    if not path.is_file():
        if os.environ.get("MODERATOR_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{path} not found")
        pytest.skip(f"{path} not found")
    import_paths(engine, [path], "lewidi")
    return engine, read(path)


def test_hs_brexit_round_trips_through_the_perspectivist_export(brexit, second_engine, tmp_path):
    engine, raw = brexit
    summary = export_perspectivist(engine, tmp_path / "out")
    assert summary.files == ["hate_speech_lewidi.json", "aggressive_lewidi.json", "offensive_lewidi.json"]
    assert summary.annotators == 6 and summary.rows == len(raw) * 6 * 3
    # Against the source file: every item, every original annotator's label, under their pseudonymous id.
    secret = project_secret(engine)
    exported = read(tmp_path / "out" / "hate_speech_lewidi.json")
    assert len(exported) == len(raw) == 168
    for item in exported.values():
        source = raw[item["other_info"]["external_id"]]
        assert item["text"] == source["text"] and item["number of annotations"] == source["number of annotations"]
        ids = [annotator_key(secret, f"HS-Brexit/{a}") for a in source["annotators"].split(",")]
        assert item["annotators"] == ",".join(ids) and item["annotations"] == source["annotations"]
    # Through the importer into a fresh database: the same labels, per comment, per annotator, per question.
    expected = {k: v for k, v in answers(engine).items() if v is not None}
    assert len(expected) == 168 * 6 * 3
    assert reimported(tmp_path / "out", second_engine) == expected
