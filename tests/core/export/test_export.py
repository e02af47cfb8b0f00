"""Round trip: import → label → export gives back every comment with its context and labels."""

import csv
import io
import json
from datetime import datetime

import pytest
from helpers.paths import FIXTURES
from helpers.probes import queue_page

from moderator.core.agreement.review import decide
from moderator.core.export.writer import Export, export_file, iter_records, write_export
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit, undo_last
from moderator.core.team.accounts import add_account, ensure_annotator

RECORDS = [
    {"id": "t1", "title": "Stadium vote", "url": "https://example.org/a", "article": "The council voted.",
     "comments": [
         {"id": "1", "author": "Ana", "text": "Good decision.\n\nFinally.", "created_at": "2026-01-02T10:00:00Z"},
         {"id": "2", "parent_id": "1", "author": None, "text": "<b>not</b> bold, \"quoted\", comma, done"},
         {"id": "3", "parent_id": "2", "author": "Bo", "text": "Ünïcödé ✓"},
     ]},
]  # fmt: skip


def imported(engine, tmp_path, records=RECORDS):
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    import_paths(engine, [path])
    return [item.id for item in queue_page(engine, ensure_annotator(engine, "reader"))]


def export(engine, fmt, **options):
    out = io.StringIO()
    count = write_export(engine, out, fmt, **options)
    return count, out.getvalue()


def test_jsonl_export_round_trips_comments_context_and_current_labels(engine, tmp_path):
    ids = imported(engine, tmp_path)
    ana = ensure_annotator(engine, "ana")
    submit(engine, ids[0], ana, {"toxicity": 1, "dehumanization": "none"}, duration_ms=1200)
    submit(engine, ids[1], ana, {"toxicity": 2, "dehumanization": "none"})
    submit(engine, ids[1], ana, {"toxicity": 3, "dehumanization": "none"}, spans=[{"start": 0, "end": 3}])
    submit(engine, ids[2], ana, {"toxicity": 4, "dehumanization": "explicit"})
    undo_last(engine, ana)  # the third comment's label is taken back

    count, text = export(engine, "jsonl", keep_authors=True, keep_annotators=True)
    records = [json.loads(line) for line in text.splitlines()]
    assert count == len(records) == 3
    by_ext = {r["external_id"]: r for r in records}
    source = {c["id"]: c for c in RECORDS[0]["comments"]}
    for ext, record in by_ext.items():
        assert record["text"] == source[ext]["text"] and record["author"] == source[ext]["author"]
        assert record["thread_title"] == "Stadium vote" and record["thread_url"] == "https://example.org/a"
    assert by_ext["2"]["parent_id"] == by_ext["1"]["comment_id"] and by_ext["3"]["depth"] == 2
    assert by_ext["2"]["parent_text"] == source["1"]["text"] and by_ext["1"]["parent_text"] is None
    assert by_ext["1"]["created_at"].startswith("2026-01-02T10:00:00")
    assert [r["position"] for r in records] == [0, 1, 2]
    [label] = by_ext["2"]["annotations"]
    assert label["values"]["toxicity"] == 3 and label["values"]["dehumanization"] == "none" and label["annotator"] == "ana"
    assert label["values"]["categories"] == [] and label["values"]["note"] is None  # every question, every row
    assert label["spans"] == [{"start": 0, "end": 3, "question": "rationale"}] and label["status"] == "submitted"
    assert by_ext["1"]["annotations"][0]["duration_ms"] == 1200
    assert by_ext["3"]["annotations"] == []
    assert by_ext["1"]["majority"]["toxicity"] == 1 and by_ext["1"]["soft_labels"]["toxicity"] == {
        "1": 1.0,
        "2": 0.0,
        "3": 0.0,
        "4": 0.0,
    }
    assert by_ext["3"]["majority"] is None and by_ext["3"]["gold"] is None
    assert len({tuple(r) for r in records}) == 1  # the same keys, in the same order, in every record
    assert records == list(iter_records(engine, keep_authors=True, keep_annotators=True))


def test_csv_export_reads_back_with_the_csv_module(engine, tmp_path):
    imported(engine, tmp_path)
    count, text = export(engine, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == len(rows) == 3
    assert [r["text"] for r in rows] == [c["text"] for c in RECORDS[0]["comments"]]
    assert json.loads(rows[0]["annotations"]) == [] and json.loads(rows[1]["quotes"]) == []


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text(engine, tmp_path):
    evil = "=cmd|' /C calc'!A0"
    thread = {"id": "t", "title": "@SUM(1+1)", "comments": [
        {"id": "1", "author": evil, "text": evil},
        {"id": "2", "author": "-2+3", "text": "+1 and\ttab"},
        {"id": "3", "text": "\tstarts with a tab"},
        {"id": "4", "text": "a harmless = inside"},
    ]}  # fmt: skip
    ids = imported(engine, tmp_path, [thread])
    submit(engine, ids[0], ensure_annotator(engine, "ana"), {"toxicity": 1, "dehumanization": "none", "note": "=HYPERLINK(x)"})
    for level in ("comment", "annotation"):
        _, text = export(engine, "csv", keep_authors=True, level=level, scrub=False)  # "@SUM" would be a scrubbed mention
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
        assert rows[0]["text"] == "'" + evil and rows[0]["author"] == "'" + evil and rows[0]["thread_title"] == "'@SUM(1+1)"
        if level == "comment":
            assert [r["text"] for r in rows[1:]] == ["'+1 and\ttab", "'\tstarts with a tab", "a harmless = inside"]
            assert rows[1]["author"] == "'-2+3"
        else:
            assert rows[0]["note"] == "'=HYPERLINK(x)"


def test_annotation_level_has_one_row_per_label_with_a_column_per_question(engine, tmp_path):
    ids = imported(engine, tmp_path)
    configure(engine, overlap=2)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    submit(engine, ids[0], ana, {"toxicity": 2, "dehumanization": "none", "categories": ["insult"]}, duration_ms=900)
    submit(engine, ids[0], bo, {"toxicity": 3, "dehumanization": "implicit"})
    submit(engine, ids[1], bo, status="skipped")
    count, text = export(engine, "jsonl", level="annotation", keep_annotators=True)
    rows = [json.loads(line) for line in text.splitlines()]
    assert count == len(rows) == 3
    assert [(r["comment_id"], r["annotator"], r["status"]) for r in rows] == [
        (ids[0], "ana", "submitted"),
        (ids[0], "bo", "submitted"),
        (ids[1], "bo", "skipped"),
    ]
    assert rows[0]["toxicity"] == 2 and rows[0]["categories"] == ["insult"] and rows[0]["duration_ms"] == 900
    assert rows[1]["dehumanization"] == "implicit" and rows[1]["categories"] == []
    assert rows[2]["toxicity"] is None and rows[0]["text"] == RECORDS[0]["comments"][0]["text"]
    assert len({tuple(r) for r in rows}) == 1
    csv_rows = list(csv.DictReader(io.StringIO(export(engine, "csv", level="annotation")[1])))
    assert [r["toxicity"] for r in csv_rows] == ["2", "3", ""] and json.loads(csv_rows[0]["categories"]) == ["insult"]


def test_authors_are_pseudonymous_unless_kept(engine, second_engine, tmp_path):
    imported(engine, tmp_path)
    for fmt in ("jsonl", "csv"):
        text = export(engine, fmt)[1]
        assert "Ana" not in text and '"Bo"' not in text and ",Bo," not in text
    path = tmp_path / "out.parquet"
    export_file(engine, path, "parquet")
    assert b"Ana" not in path.read_bytes()
    first = [r["author"] for r in iter_records(engine)]
    assert first[1] is None and first[0] != first[2] and all(len(k) == 16 for k in (first[0], first[2]))
    assert [r["author"] for r in iter_records(engine)] == first  # stable across exports
    assert [r["author_key"] for r in iter_records(engine, keep_authors=True)] == first
    assert [r["author"] for r in iter_records(engine, keep_authors=True)] == ["Ana", None, "Bo"]
    # Keyed: the same names in another project give other keys, so a list of names cannot be hashed to match.
    imported(second_engine, tmp_path)
    other = [r["author"] for r in iter_records(second_engine)]
    assert other[0] != first[0] and other[2] != first[2]


def plain(value):
    """A Parquet value as its JSONL twin: times as ISO text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def test_parquet_export_at_both_levels_reads_back_with_pyarrow(engine, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    ids = imported(engine, tmp_path)
    configure(engine, overlap=2)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    submit(engine, ids[0], ana, {"toxicity": 2, "dehumanization": "none", "target": ["religion"], "target_name": "x"})
    submit(engine, ids[0], bo, {"toxicity": 2, "dehumanization": "explicit"}, spans=[{"start": 5, "end": 13}])
    decide(engine, ids[0], add_account(engine, "rev", "reviewer", None), {"toxicity": 3, "dehumanization": "implicit"})
    for level in ("comment", "annotation"):
        path = tmp_path / f"{level}.parquet"
        count = export_file(engine, path, "parquet", level=level, keep_annotators=True)
        table = pq.read_table(path)
        expected = list(iter_records(engine, level=level, keep_annotators=True))
        assert count == table.num_rows == len(expected) == (3 if level == "comment" else 2)
        assert [plain(r) for r in table.to_pylist()] == expected  # the same records as JSONL, typed
        assert not (tmp_path / f"{level}.parquet.part").exists()
    comments = pq.read_table(tmp_path / "comment.parquet").to_pylist()
    first = comments[0]
    assert [(a["annotator"], a["values"]["toxicity"], a["values"]["target"]) for a in first["annotations"]] == [
        ("ana", 2, ["religion"]), ("bo", 2, [])]  # fmt: skip
    assert first["annotations"][1]["spans"] == [{"start": 5, "end": 13, "question": "rationale"}]
    assert first["majority"]["toxicity"] == 2 and first["soft_labels"]["dehumanization"] == {
        "none": 0.5,
        "implicit": 0.0,
        "explicit": 0.5,
    }
    assert comments[1]["annotations"] == [] and comments[1]["majority"] is None
    assert first["gold"]["toxicity"] == 3 and comments[1]["gold"] is None
    assert str(pq.read_schema(tmp_path / "annotation.parquet").field("toxicity").type) == "int64"


def test_an_empty_database_exports_an_empty_typed_file(engine, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "empty.parquet"
    assert export_file(engine, path, "parquet") == 0
    schema = pq.read_schema(path)
    assert pq.read_table(path).num_rows == 0 and "annotations" in schema.names and "soft_labels" in schema.names
    assert export(engine, "jsonl") == (0, "")


def test_a_failed_export_leaves_the_previous_file_and_no_part(engine, tmp_path, monkeypatch):
    imported(engine, tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "data.jsonl"
    path.write_text("the previous export\n")

    def failing(self, progress=None):
        yield ['{"half": 1}\n']
        raise OSError("disk full")

    monkeypatch.setattr(Export, "line_pages", failing)
    with pytest.raises(OSError, match="disk full"):
        export_file(engine, path, "jsonl")
    assert [p.name for p in folder.iterdir()] == ["data.jsonl"] and path.read_text() == "the previous export\n"


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_pages_whose_ids_are_scattered_export_the_same(engine, tmp_path, monkeypatch, fmt):
    """Pages of scattered comment ids take their labels by id list instead of one id range."""
    from moderator.core.export import pages as export_read

    ids = imported(engine, tmp_path)
    configure(engine, overlap=2)
    for name in ("ana", "bo"):
        submit(engine, ids[1], ensure_annotator(engine, name), {"toxicity": 2, "dehumanization": "none"})
    path = tmp_path / f"range.{fmt}"
    export_file(engine, path, fmt)
    monkeypatch.setattr(export_read, "contiguous", lambda low, high, count: False)
    listed = tmp_path / f"listed.{fmt}"
    export_file(engine, listed, fmt)
    assert listed.read_bytes() == path.read_bytes()
    assert [len(r["annotations"]) for r in iter_records(engine)] == [0, 2, 0]


def test_export_makes_the_output_folder_and_reports_an_unwritable_one(tmp_path, capsys):
    from moderator.cli.main import main

    db = str(tmp_path / "x.sqlite")
    out = tmp_path / "release" / "v1" / "data.jsonl"
    assert main(["--db", db, "export", "--format", "jsonl", "--out", str(out)]) == 0
    assert out.exists()
    capsys.readouterr()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    status = main(["--db", db, "export", "--format", "jsonl", "--out", str(blocker / "data.jsonl")])
    err = capsys.readouterr().err
    assert status == 1 and err.startswith("moderator: ") and "Traceback" not in err


def test_a_source_status_is_exported_only_for_a_flag_that_is_true_as_the_window_shows_it(engine, tmp_path):
    import pyarrow.parquet as pq

    from moderator.core.importing.drafts import CommentDraft, ThreadDraft
    from moderator.core.importing.writer import import_drafts
    from moderator.core.labelling.context import source_status

    metas = [{"spam": True}, {"spam": 1}, {"removed": "true"}, {"context": True, "deleted": 1}, {"note": "true story"},
             {"deleted": True, "spam": True}, {}]  # fmt: skip
    comments = [CommentDraft(f"comment {i}", external_id=f"e{i}", metadata=meta) for i, meta in enumerate(metas)]
    import_drafts(engine, [ThreadDraft(source="t", title="T", comments=comments)], name="t", fmt="t")
    expected = {f"e{i}": source_status(meta) for i, meta in enumerate(metas)}
    assert expected == {"e0": "spam", "e1": None, "e2": None, "e3": None, "e4": None, "e5": "spam", "e6": None}
    assert {r["external_id"]: r["source_status"] for r in iter_records(engine)} == expected
    export_file(engine, tmp_path / "data.parquet", "parquet")
    assert {r["external_id"]: r["source_status"] for r in pq.read_table(tmp_path / "data.parquet").to_pylist()} == expected


def test_comments_the_source_marked_deleted_removed_or_spam_say_so_in_every_format(engine, tmp_path):

    import pyarrow.parquet as pq

    fixtures = FIXTURES / "import"
    import_paths(engine, [fixtures / "reddit-pushshift.ndjson", fixtures / "disqus-export.xml"])
    out = io.StringIO()
    write_export(engine, out, "jsonl")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    by_id = {r["external_id"]: r["source_status"] for r in records}
    assert by_id["epk0003"] == "deleted" and by_id["epk0005"] == "removed"
    # Reddit: one deleted, one removed; Disqus: one deleted, one spam; every other comment is ordinary.
    assert sorted(v for v in by_id.values() if v) == ["deleted", "deleted", "removed", "spam"]
    export_file(engine, tmp_path / "data.parquet", "parquet")
    table = pq.read_table(tmp_path / "data.parquet").to_pylist()
    assert {r["external_id"]: r["source_status"] for r in table} == by_id
    export_file(engine, tmp_path / "data.csv", "csv")
    with open(tmp_path / "data.csv", newline="", encoding="utf-8") as f:
        rows = {r["external_id"]: r["source_status"] for r in csv.DictReader(f)}
    assert rows["epk0003"] == "deleted" and rows["epk0005"] == "removed"
