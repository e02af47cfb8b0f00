"""Annotators are exported under pseudonymous ids by default (every format, both levels, the card), by name
with keep_annotators / --keep-annotators; the same person keeps the same id across exports of a project."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from helpers.probes import queue_page

from moderator.cli.main import main
from moderator.core.export.card import card_text
from moderator.core.export.pseudonyms import annotator_key, project_secret
from moderator.core.export.writer import export_file, iter_records, write_export
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.store.engine import open_database
from moderator.core.team.accounts import add_account

pq = pytest.importorskip("pyarrow.parquet")

NAMES = ("ana.lopez", "bo.chen", "cy.diaz")
LEVELS = ("comment", "annotation")
PSEUDONYM = re.compile(r"^annotator_[0-9a-f]{16}$")


def labelled(engine):
    """Three annotators on a team file; ana.lopez also wrote a comment, so she has an author pseudonym too."""
    comments = [CommentDraft("first", author="ana.lopez"), CommentDraft("second", author="someone"), CommentDraft("third")]
    import_drafts(engine, [ThreadDraft(source="t", title="T", comments=comments)], name="t", fmt="t")
    configure(engine, overlap=3)
    admin = add_account(engine, "root", "admin", "pw")
    people = [add_account(engine, name, "annotator", "pw", by=admin) for name in NAMES]
    ids = [item.id for item in queue_page(engine, people[0].id)]
    for person, toxicity in zip(people, (1, 2, 4)):
        submit(engine, ids[0], person.id, {"toxicity": toxicity, "dehumanization": "none"})
    submit(engine, ids[1], people[1].id, status="skipped")
    return admin, people


@pytest.fixture
def team(engine):
    return (engine, *labelled(engine))


def annotators_in(engine, tmp_path, fmt, level, **options) -> tuple[list[str], str]:
    """The annotator of every label in an export, and the export's whole text."""
    if fmt == "parquet":
        path = tmp_path / f"{level}.parquet"
        export_file(engine, path, fmt, level=level, **options)
        rows = pq.read_table(path).to_pylist()
        text = json.dumps(rows, default=str)
    else:
        out = io.StringIO()
        write_export(engine, out, fmt, level=level, **options)
        text = out.getvalue()
        rows = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else list(csv.DictReader(io.StringIO(text)))
    if level == "annotation":
        return [r["annotator"] for r in rows], text
    nested = (json.loads(r["annotations"]) if fmt == "csv" else r["annotations"] for r in rows)
    return [a["annotator"] for labels in nested for a in labels], text


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("level", LEVELS)
def test_every_format_and_level_shows_pseudonymous_ids_by_default(team, tmp_path, fmt, level):
    engine = team[0]
    secret = project_secret(engine)
    expected = {annotator_key(secret, name) for name in NAMES}
    found, text = annotators_in(engine, tmp_path, fmt, level)
    assert len(found) == 4 and set(found) == expected and all(PSEUDONYM.match(a) for a in found)
    assert not any(name in text for name in NAMES)  # ana.lopez, also an author, is pseudonymised as one too


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("level", LEVELS)
def test_keep_annotators_exports_their_names(team, tmp_path, fmt, level):
    found, _ = annotators_in(team[0], tmp_path, fmt, level, keep_annotators=True)
    assert sorted(found) == ["ana.lopez", "bo.chen", "bo.chen", "cy.diaz"]


def test_the_same_annotator_has_the_same_id_in_every_export_and_another_project_gives_others(team, second_engine):
    engine = team[0]

    def ids(target, **options):
        return [(r["comment_id"], a["annotator"]) for r in iter_records(target, **options) for a in r["annotations"]]

    first = ids(engine)
    assert ids(engine) == first  # stable across exports, and the same at the other level
    assert [(r["comment_id"], r["annotator"]) for r in iter_records(engine, level="annotation")] == first
    named = dict(zip((a for _, a in ids(engine, keep_annotators=True)), (a for _, a in first)))
    assert len(set(named.values())) == 3  # one id per person
    # Apart from the authors' pseudonyms: ana.lopez the author is not ana.lopez the annotator.
    author = next(r["author_key"] for r in iter_records(engine) if r["text"] == "first")
    assert author and named["ana.lopez"] != f"annotator_{author}"
    # Keyed with the project's secret: the same names elsewhere give other ids.
    labelled(second_engine)
    assert not set(a for _, a in ids(second_engine)) & set(named.values())


def test_the_card_documents_pseudonymous_annotators_and_names_no_one(team):
    engine, admin, people = team
    images = {"labels": "l.png", "agreement": "a.png"}
    text = card_text(engine, "d.jsonl", "jsonl", admin, level="annotation", keep_authors=False, images=images)
    assert "Annotators are **pseudonymised**" in text and "--keep-annotators" in text
    assert "- `annotator`: who labelled: a pseudonymous id" in text
    own = card_text(engine, "d.jsonl", "jsonl", people[1], level="comment", keep_authors=False, images=images)
    assert f"**{annotator_key(project_secret(engine), 'bo.chen')}'s own labels only**" in own and "bo.chen" not in own
    named = card_text(engine, "d.jsonl", "jsonl", people[1], level="comment", keep_authors=False, images=images,
                      keep_annotators=True)  # fmt: skip
    assert "**bo.chen's own labels only**" in named and "Annotators are **named**" in named


def test_cli_pseudonymises_annotators_unless_keep_annotators(tmp_path):
    db = str(tmp_path / "cli.sqlite")
    engine = open_database(db)
    try:
        comments = [CommentDraft("hello")]
        import_drafts(engine, [ThreadDraft(source="t", title="T", comments=comments)], name="t", fmt="t")
        ana = add_account(engine, "ana.lopez", "annotator", None)
        submit(engine, queue_page(engine, ana.id)[0].id, ana.id, {"toxicity": 1})
        secret = project_secret(engine)
    finally:
        engine.dispose()
    out = tmp_path / "data.jsonl"
    assert main(["--db", db, "export", "--format", "jsonl", "--level", "annotation", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["annotator"] == annotator_key(secret, "ana.lopez")
    argv = ["--db", db, "export", "--format", "jsonl", "--level", "annotation", "--keep-annotators", "--out", str(out)]
    assert main(argv) == 0
    assert json.loads(out.read_text())["annotator"] == "ana.lopez"
