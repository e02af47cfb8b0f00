"""Blind labelling, the reviewers' queue of disagreements, gold labels and aggregated exports."""

import io
import json

import pytest
from helpers.probes import queue_page

from moderator.core.agreement.review import answers, decide, disagreements
from moderator.core.export.writer import write_export
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.team.accounts import AuthError, add_account


@pytest.fixture
def team(engine):
    import_drafts(
        engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft(f"c{i}") for i in range(3)])], name="t", fmt="t"
    )
    configure(engine, overlap=3)
    admin = add_account(engine, "root", "admin", "pw")
    people = {name: add_account(engine, name, "annotator", "pw", by=admin) for name in ("ana", "bo", "cy")}
    ids = [item.id for item in queue_page(engine, people["ana"].id)]
    for name, toxicity in (("ana", [1, 3, 2]), ("bo", [1, 4, 2]), ("cy", [1, 1, 3])):
        for comment_id, value in zip(ids, toxicity):
            submit(engine, comment_id, people[name].id, {"toxicity": value})
    return engine, admin, people, ids


def exported(engine, viewer):
    out = io.StringIO()
    write_export(engine, out, "jsonl", viewer=viewer, keep_annotators=True)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_annotators_never_see_each_others_labels(team):
    engine, _, people, ids = team
    with pytest.raises(AuthError, match="blind"):
        answers(engine, ids[0], people["ana"])
    with pytest.raises(AuthError):
        disagreements(engine, people["bo"])
    records = exported(engine, people["ana"])
    assert all({a["annotator"] for a in r["annotations"]} == {"ana"} for r in records)
    assert all("majority" not in r and "gold" not in r for r in records)


def test_reviewers_get_disagreements_most_disputed_first_and_decide_gold(team):
    engine, admin, _, ids = team
    found = disagreements(engine, admin)
    assert [d.comment_id for d in found] == [ids[1], ids[2]]  # 3 different answers, then 2 of 3 agreeing
    side_by_side = answers(engine, ids[1], admin)
    assert [(a.annotator, a.values["toxicity"]) for a in side_by_side] == [("ana", 3), ("bo", 4), ("cy", 1)]
    decide(engine, ids[1], admin, {"toxicity": 3}, note="threat is implied")
    decide(engine, ids[1], admin, {"toxicity": 4})  # a later decision supersedes
    records = {r["comment_id"]: r for r in exported(engine, admin)}
    gold = records[ids[1]]["gold"]  # every question of the schema, unanswered ones empty
    assert (gold["toxicity"], gold["dehumanization"], gold["categories"], gold["note"]) == (4, "none", [], None)
    assert records[ids[0]]["majority"]["toxicity"] == 1 and records[ids[1]]["majority"]["toxicity"] is None
    assert records[ids[2]]["soft_labels"]["toxicity"] == {"1": 0.0, "2": 0.666667, "3": 0.333333, "4": 0.0}
    assert len(records[ids[2]]["annotations"]) == 3
