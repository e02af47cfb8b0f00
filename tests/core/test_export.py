"""Round trip: import → label → export gives back every comment with its context and labels."""

import csv
import io
import json

from moderator.core.export import write_export
from moderator.core.ingest import import_paths
from moderator.core.labels import ensure_annotator, submit, undo_last
from moderator.core.queue import queue_page

RECORDS = [
    {"id": "t1", "title": "Stadium vote", "url": "https://example.org/a", "article": "The council voted.",
     "comments": [
         {"id": "1", "author": "Ana", "text": "Good decision.\n\nFinally.", "created_at": "2026-01-02T10:00:00Z"},
         {"id": "2", "parent_id": "1", "author": None, "text": "<b>not</b> bold, \"quoted\", comma, done"},
         {"id": "3", "parent_id": "2", "author": "Bo", "text": "Ünïcödé ✓"},
     ]},
]  # fmt: skip


def imported(engine, tmp_path):
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    import_paths(engine, [path])
    return [item.id for item in queue_page(engine, ensure_annotator(engine, "reader"))]


def export(engine, fmt):
    out = io.StringIO()
    count = write_export(engine, out, fmt)
    return count, out.getvalue()


def test_jsonl_export_round_trips_comments_context_and_current_labels(engine, tmp_path):
    ids = imported(engine, tmp_path)
    ana = ensure_annotator(engine, "ana")
    submit(engine, ids[0], ana, {"toxicity": 1, "dehumanization": "none"}, duration_ms=1200)
    submit(engine, ids[1], ana, {"toxicity": 2, "dehumanization": "none"})
    submit(engine, ids[1], ana, {"toxicity": 3, "dehumanization": "none"}, spans=[{"start": 0, "end": 3}])
    submit(engine, ids[2], ana, {"toxicity": 4, "dehumanization": "explicit"})
    undo_last(engine, ana)  # the third comment's label is taken back

    count, text = export(engine, "jsonl")
    records = [json.loads(line) for line in text.splitlines()]
    assert count == len(records) == 3
    by_ext = {r["external_id"]: r for r in records}
    source = {c["id"]: c for c in RECORDS[0]["comments"]}
    for ext, record in by_ext.items():
        assert record["text"] == source[ext]["text"] and record["author"] == source[ext]["author"]
        assert record["thread_title"] == "Stadium vote"
    assert by_ext["2"]["parent_id"] == by_ext["1"]["comment_id"] and by_ext["3"]["depth"] == 2
    assert [r["position"] for r in records] == [0, 1, 2]
    [label] = by_ext["2"]["annotations"]
    assert label["values"] == {"toxicity": 3, "dehumanization": "none"} and label["annotator"] == "ana"
    assert label["spans"] == [{"start": 0, "end": 3, "question": "rationale"}] and label["status"] == "submitted"
    assert by_ext["1"]["annotations"][0]["duration_ms"] == 1200
    assert by_ext["3"]["annotations"] == []
    required = {"thread_id", "thread_title", "comment_id", "external_id", "parent_id", "position", "depth",
                "author", "text", "quotes", "annotations"}  # fmt: skip
    assert all(required <= r.keys() for r in records)


def test_csv_export_reads_back_with_the_csv_module(engine, tmp_path):
    imported(engine, tmp_path)
    count, text = export(engine, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert count == len(rows) == 3
    assert [r["text"] for r in rows] == [c["text"] for c in RECORDS[0]["comments"]]
    assert json.loads(rows[0]["annotations"]) == [] and json.loads(rows[1]["quotes"]) == []
