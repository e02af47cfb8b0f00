"""Exports as datasets: the real LeWiDi file through Parquet, Hugging Face `datasets`, blind exports, the CLI."""

from __future__ import annotations

import json

import pytest
from helpers.probes import queue_page

from moderator.cli.main import main
from moderator.core.export.writer import export_file, iter_records
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts, import_paths
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.team.accounts import add_account

pq = pytest.importorskip("pyarrow.parquet")


def load_dataset(tmp_path, monkeypatch, builder, path):
    """`datasets.load_dataset` offline, caching in tmp_path."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    return datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=str(tmp_path / "hf-cache"))


@pytest.fixture
def brexit(engine, shared_data):
    path = shared_data / "lewidi" / "HS-Brexit_dev.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    import_paths(engine, [path], "lewidi")
    return engine, json.loads(path.read_text(encoding="utf-8"))


def test_lewidi_parquet_has_every_item_with_every_annotators_label(brexit, tmp_path, monkeypatch):
    engine, raw = brexit
    path = tmp_path / "brexit.parquet"
    assert export_file(engine, path, "parquet", keep_annotators=True) == len(raw) == 168
    rows = pq.read_table(path).to_pylist()
    assert sorted(r["external_id"] for r in rows) == sorted(raw)
    for row in rows:
        item = raw[row["external_id"]]
        assert row["text"] == item["text"]
        expected = {f"HS-Brexit/{a}": int(v) for a, v in zip(item["annotators"].split(","), item["annotations"].split(","))}
        assert {a["annotator"]: a["values"]["hate_speech"] for a in row["annotations"]} == expected
        shares = row["soft_labels"]["hate_speech"]
        assert shares["1"] == pytest.approx(sum(expected.values()) / len(expected), abs=1e-6)
    loaded = load_dataset(tmp_path, monkeypatch, "parquet", path)
    assert loaded.num_rows == 168 and loaded[0]["annotations"][0]["values"]["hate_speech"] in (0, 1)

    per_label = tmp_path / "labels.parquet"
    assert export_file(engine, per_label, "parquet", level="annotation") == sum(len(r["annotations"]) for r in rows)
    table = pq.read_table(per_label)
    assert set(table.column("hate_speech").to_pylist()) == {0, 1} and str(table.schema.field("offensive").type) == "int64"


def test_json_and_parquet_load_with_datasets_when_rows_differ(engine, tmp_path, monkeypatch):
    """Rows with no labels, with lists, with answers to optional questions: one typed table all the same."""
    import_drafts(
        engine,
        [ThreadDraft(source="t", title="T", comments=[CommentDraft(f"c{i}", author=f"A{i}") for i in range(4)])],
        name="t",
        fmt="t",
    )
    configure(engine, overlap=2)
    ana, bo = add_account(engine, "ana", "annotator", None), add_account(engine, "bo", "annotator", None)
    ids = [item.id for item in queue_page(engine, ana.id)]
    submit(
        engine, ids[1], ana.id, {"toxicity": 3, "dehumanization": "implicit", "categories": ["insult", "threat"], "note": "hm"}
    )
    submit(engine, ids[1], bo.id, {"toxicity": 2, "dehumanization": "none", "decision": "remove"}, spans=[{"start": 0, "end": 2}])
    submit(engine, ids[3], bo.id, status="flagged")
    for level in ("comment", "annotation"):
        for fmt, builder in (("jsonl", "json"), ("parquet", "parquet"), ("csv", "csv")):
            path = tmp_path / f"{level}.{fmt}"
            count = export_file(engine, path, fmt, level=level)
            loaded = load_dataset(tmp_path, monkeypatch, builder, path)
            assert loaded.num_rows == count == (4 if level == "comment" else 3)
            assert loaded["comment_id"] == [r["comment_id"] for r in iter_records(engine, level=level)]
    comments = load_dataset(tmp_path, monkeypatch, "json", tmp_path / "comment.jsonl")
    assert comments[1]["annotations"][0]["values"]["categories"] == ["insult", "threat"]
    assert comments[1]["soft_labels"]["toxicity"]["3"] == 0.5 and comments[0]["annotations"] == []


def test_an_annotators_export_holds_only_their_own_labels(engine, tmp_path):
    import_drafts(
        engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft(f"c{i}") for i in range(2)])], name="t", fmt="t"
    )
    configure(engine, overlap=2)
    admin = add_account(engine, "root", "admin", "pw")
    ana, bo = (add_account(engine, n, "annotator", "pw", by=admin) for n in ("ana", "bo"))
    ids = [item.id for item in queue_page(engine, ana.id)]
    for who, value in ((ana, 1), (bo, 4)):
        submit(engine, ids[0], who.id, {"toxicity": value})
    for level in ("comment", "annotation"):
        path = tmp_path / f"ana-{level}.parquet"
        export_file(engine, path, "parquet", viewer=ana, level=level, keep_annotators=True)
        table = pq.read_table(path)
        assert not {"majority", "soft_labels", "gold"} & set(table.schema.names)
        rows = table.to_pylist()
        found = [a["annotator"] for r in rows for a in r["annotations"]] if level == "comment" else [r["annotator"] for r in rows]
        assert found == ["ana"]
    assert [len(r["annotations"]) for r in iter_records(engine, viewer=admin)] == [2, 0]


def test_cli_exports_parquet_to_a_file_and_refuses_stdout(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    source = tmp_path / "t.jsonl"
    source.write_text(json.dumps({"id": "t", "title": "T", "comments": [{"id": "1", "author": "Ana Real", "text": "hi"}]}) + "\n")
    assert main(["--db", db, "import", str(source)]) == 0
    assert main(["--db", db, "export", "--format", "parquet"]) != 0
    assert "--out" in capsys.readouterr().err
    out = tmp_path / "data.parquet"
    assert main(["--db", db, "export", "--format", "parquet", "--level", "annotation", "--out", str(out)]) == 0
    assert pq.read_table(out).num_rows == 0 and not (tmp_path / "data.parquet.part").exists()
    named = tmp_path / "named.jsonl"
    assert main(["--db", db, "export", "--format", "jsonl", "--keep-authors", "--out", str(named)]) == 0
    assert json.loads(named.read_text())["author"] == "Ana Real"
    assert main(["--db", db, "export", "--format", "jsonl", "--out", str(named)]) == 0
    assert "Ana Real" not in named.read_text()


def test_quote_spans_are_character_offsets_into_the_text(engine, tmp_path):
    from moderator.core.paths import asset_path

    import_paths(engine, [asset_path("demo-thread.txt")], "paste")
    records = list(iter_records(engine))
    by_id = {r["comment_id"]: r for r in records}
    quoted = [(r, q) for r in records for q in r["quotes"] if q["source"] == "comment"]
    assert quoted
    for record, q in quoted:
        source = by_id[q["comment_id"]]["text"]
        assert record["text"][q["start"] : q["end"]] == source[q["source_start"] : q["source_end"]]
    path = tmp_path / "demo.parquet"
    export_file(engine, path, "parquet")
    assert [r["quotes"] for r in pq.read_table(path).to_pylist()] == [r["quotes"] for r in records]
