"""A dataset shipped as several tables (texts, ratings per worker, character spans) imported together."""

import krippendorff
import numpy as np
import pytest
from sqlalchemy import func, select

from moderator.core.agreement.report import agreement_report
from moderator.core.importing import joined
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Annotation, Annotator, Comment

COMMENTS = "comment_id,comment_text\n1,They are vermin and should go.\n2,Nice photo of the bridge.\n3,Idiots run this council.\n4,Nobody rated me.\n"
ANNOTATIONS = (
    "comment_id,worker_id,toxic,insult\n"
    "1,w1,1,0\n1,w2,1,1\n1,w3,1,0\n2,w1,0,0\n2,w2,0,0\n2,w3,1,0\n3,w1,1,1\n3,w2,0,1\n3,w3,1,1\n"
)
SPANS = (
    "comment_id,worker_id,start,end,type\n1,w1,10,16,dehumanizing\n1,w2,10,16,dehumanizing\n3,w3,0,6,insult\n3,w4,0,6,insult\n"
)


def write(folder, spans=SPANS, annotations=ANNOTATIONS):
    folder.mkdir()
    (folder / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    (folder / "annotations.csv").write_text(annotations, encoding="utf-8")
    (folder / "spans.csv").write_text(spans, encoding="utf-8")
    return folder


def test_three_tables_of_a_span_corpus_come_in_as_one_dataset(engine, tmp_path):
    folder = write(tmp_path / "toxic_spans")
    (summary,) = import_paths(engine, [folder])
    assert (summary.format, summary.items, summary.comments_added, summary.annotators) == ("ratings", 4, 4, 4)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Comment.external_id, Annotator.name, Annotation.values, Annotation.spans)
            .join(Annotation, Annotation.comment_id == Comment.id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
        ).all()
        assert conn.scalar(select(func.count()).select_from(Comment)) == 4  # the unrated comment too
    labels = {(item, who): (values, spans) for item, who, values, spans in rows}
    assert labels[("1", "toxic_spans/w1")] == ({"toxic": 1, "insult": 0}, [
        {"start": 10, "end": 16, "question": "spans", "label": "dehumanizing"}])  # fmt: skip
    assert labels[("3", "toxic_spans/w4")] == ({}, [{"start": 0, "end": 6, "question": "spans", "label": "insult"}])
    assert len(rows) == 10  # nine ratings, and w4's span-only label
    matrix = np.full((3, 3), np.nan)
    for line in ANNOTATIONS.splitlines()[1:]:
        item, worker, toxic, _ = line.split(",")
        matrix[int(worker[1]) - 1, int(item) - 1] = int(toxic)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert agreement_report(engine, ["toxic"])["toxic"]["krippendorff_alpha_nominal"] == pytest.approx(expected, abs=1e-6)


def test_a_span_of_a_missing_item_is_a_warning_or_with_strict_a_refusal(sqlite_engine, tmp_path):
    folder = write(tmp_path / "a", spans=SPANS + "9,w1,0,3,insult\n1,w1,10,99,insult\n")
    with pytest.raises(ImportFailure, match="--strict"):
        import_paths(sqlite_engine, [folder], options=ImportOptions(strict=True))
    with sqlite_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Comment)) == 0  # refused: nothing written
    (summary,) = import_paths(sqlite_engine, [folder])
    assert any("item '9' is in no text table" in w for w in summary.warnings)
    assert any("is not within item '1'" in w for w in summary.warnings)


def test_files_named_in_one_command_join_too(sqlite_engine, tmp_path):
    folder = write(tmp_path / "set")
    paths = [folder / "annotations.csv", folder / "comments.csv"]
    (summary,) = import_paths(sqlite_engine, paths)
    assert "comments.csv" in summary.path and "annotations.csv" in summary.path
    assert summary.labels_added == 9 and summary.comments_added == 4


def stored(engine) -> tuple:
    with engine.connect() as conn:
        comments = conn.execute(select(Comment.external_id, Comment.position, Comment.text).order_by(Comment.position)).all()
        labels = conn.execute(
            select(Comment.external_id, Annotator.name, Annotation.values, Annotation.spans)
            .join(Annotation, Annotation.comment_id == Comment.id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .order_by(Annotation.id)
        ).all()
    return comments, labels


@pytest.mark.parametrize("with_ratings", [True, False])
def test_joined_tables_in_parts_are_stored_as_in_one(engine, second_engine, tmp_path, monkeypatch, with_ratings):
    """The tables are read from disk and written in parts: the same rows as in one part, the items nobody
    rated (with their span-only labels) last."""
    folder = write(tmp_path / "toxic_spans")
    if not with_ratings:
        (folder / "annotations.csv").unlink()
    (whole,) = import_paths(engine, [folder])
    monkeypatch.setattr(joined, "PART", 1)
    (parts,) = import_paths(second_engine, [folder])
    assert (parts.threads_added, parts.comments_added, parts.labels_added) == (whole.threads_added, 4, whole.labels_added)
    assert stored(second_engine) == stored(engine)
    assert [c.external_id for c in stored(engine)[0]] == ["1", "2", "3", "4"]  # the unrated one last
