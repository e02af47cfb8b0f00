"""Why a comment was skipped ("wellbeing") survives every export format and level as ``skip_reason``,
and a skip's or a flag's values are exported as stored: nothing filled in, no ``_skip_reason`` leaked."""

import csv
import io
import json

import pytest
from helpers.probes import queue_page

from moderator.core.export.card import card_text
from moderator.core.export.writer import export_file, write_export
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import SKIP_REASON_KEY, submit
from moderator.core.team.accounts import add_account

pq = pytest.importorskip("pyarrow.parquet")

TEXTS = ["too much for today", "not my language", "an ordinary comment"]
# comment text → (status, skip_reason) of ana's label on it
EXPECTED = {TEXTS[0]: ("skipped", "wellbeing"), TEXTS[1]: ("skipped", None), TEXTS[2]: ("submitted", None)}
LEVELS = ("comment", "annotation")


@pytest.fixture
def labelled(engine):
    """ana: a wellbeing skip, a plain skip with a half answer, a submission; bo: a flag with a note."""
    import_drafts(engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft(t) for t in TEXTS])], name="t", fmt="t")
    configure(engine, overlap=2)
    admin = add_account(engine, "root", "admin", "pw")
    ana, bo = (add_account(engine, name, "annotator", "pw", by=admin) for name in ("ana", "bo"))
    ids = [item.id for item in queue_page(engine, ana.id)]
    submit(engine, ids[0], ana.id, {SKIP_REASON_KEY: "wellbeing"}, status="skipped")
    submit(engine, ids[1], ana.id, {"toxicity": 2}, status="skipped")
    submit(engine, ids[2], ana.id, {"toxicity": 1, "dehumanization": "none"})
    submit(engine, ids[2], bo.id, {"note": "wrong thread"}, status="flagged")
    return engine, admin, ana


def _jsonl(engine, viewer, level):
    out = io.StringIO()
    write_export(engine, out, "jsonl", viewer=viewer, level=level, keep_annotators=True)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _csv(engine, viewer, level):
    out = io.StringIO()
    write_export(engine, out, "csv", viewer=viewer, level=level, keep_annotators=True)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    if level == "comment":  # nested annotations travel as JSON text in their cell
        return [{**r, "annotations": json.loads(r["annotations"])} for r in rows]
    return rows


def _parquet(engine, viewer, level, folder):
    path = folder / f"{level}-{viewer.name}.parquet"
    export_file(engine, path, "parquet", viewer=viewer, level=level, keep_annotators=True)
    return pq.read_table(path).to_pylist()


def _labels(records, level):
    """(comment text, annotator) → that annotation, from either level's records."""
    if level == "comment":
        return {(r["text"], a["annotator"]): a for r in records for a in r["annotations"]}
    return {(r["text"], r["annotator"]): r for r in records}


def _reasons(labels, annotator):
    return {text: (label["status"], label["skip_reason"]) for (text, who), label in labels.items() if who == annotator}


@pytest.mark.parametrize("level", LEVELS)
def test_jsonl_and_parquet_carry_the_skip_reason_as_a_field(labelled, tmp_path, level):
    engine, admin, ana = labelled
    for viewer in (admin, ana):  # everyone's labels, and an annotator's own export
        for records in (_jsonl(engine, viewer, level), _parquet(engine, viewer, level, tmp_path)):
            labels = _labels(records, level)
            assert _reasons(labels, "ana") == EXPECTED
            assert not any(SKIP_REASON_KEY in json.dumps(r, default=str) for r in records)
            if viewer is admin:
                assert labels[(TEXTS[2], "bo")]["skip_reason"] is None


@pytest.mark.parametrize("level", LEVELS)
def test_csv_carries_the_skip_reason_empty_when_there_is_none(labelled, level):
    engine, admin, _ = labelled
    rows = _csv(engine, admin, level)
    labels = _labels(rows, level)
    empty = None if level == "comment" else ""  # JSON null inside the annotations cell; an empty cell of its own
    assert _reasons(labels, "ana") == {t: (s, r if r else empty) for t, (s, r) in EXPECTED.items()}
    assert labels[(TEXTS[2], "bo")]["skip_reason"] == empty
    assert SKIP_REASON_KEY not in json.dumps(rows)
    if level == "annotation":
        assert "skip_reason" in rows[0] and SKIP_REASON_KEY not in rows[0]


@pytest.mark.parametrize("level", LEVELS)
def test_a_skip_or_flag_exports_its_values_as_stored_with_no_default(labelled, tmp_path, level):
    engine, admin, _ = labelled
    for records in (_jsonl(engine, admin, level), _parquet(engine, admin, level, tmp_path)):
        labels = _labels(records, level)
        values = (lambda label: label["values"]) if level == "comment" else (lambda label: label)
        half, flag, answer = (values(labels[key]) for key in ((TEXTS[1], "ana"), (TEXTS[2], "bo"), (TEXTS[2], "ana")))
        # dehumanization has a schema default ("none"), given only to a submission that leaves it unanswered
        assert (half["toxicity"], half["dehumanization"], half["categories"]) == (2, None, None)
        assert (flag["note"], flag["toxicity"], flag["dehumanization"], flag["categories"]) == ("wrong thread", None, None, None)
        assert (answer["toxicity"], answer["dehumanization"], answer["categories"]) == (1, "none", [])
        wellbeing = values(labels[(TEXTS[0], "ana")])
        assert all(wellbeing[q] is None for q in ("toxicity", "dehumanization", "categories", "note"))


def test_the_dataset_card_documents_the_skip_reason(labelled):
    engine, admin, _ = labelled
    images = {"labels": "l.png", "agreement": "a.png"}
    for level in LEVELS:
        text = card_text(engine, "data.jsonl", "jsonl", admin, level=level, keep_authors=False, images=images)
        assert 'name: "skip_reason"' in text  # a typed feature for `datasets`
        documented = "- `skip_reason`: why a skip was skipped: wellbeing" in text
        assert documented if level == "annotation" else "skip_reason, time" in text
