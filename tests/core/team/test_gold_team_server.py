"""On a team server an annotator's own login, in the app or in psql, can be handed a gold item and told its
answer afterwards (when the project says so), but can neither read the gold items nor add or change one.

Runs on a PostgreSQL cluster that checks passwords (scram-sha-256), made once for the session (tests/conftest.py).
"""

from __future__ import annotations

import pytest
from helpers.databases import SCRAM_SKIP, can_make_clusters
from helpers.team_server import make_team, refused

from moderator.core.gold.accuracy import gold_accuracy
from moderator.core.gold.items import import_gold
from moderator.core.labelling.claims import claim_next_item
from moderator.core.labelling.gold_handout import gold_feedback
from moderator.core.labelling.log import submit
from moderator.core.project import Project
from moderator.core.team import accounts

pytestmark = pytest.mark.skipif(not can_make_clusters(), reason=SCRAM_SKIP)


@pytest.fixture
def team(scram_server):
    team = make_team(scram_server, comments=2)
    yield team
    team.drop()


def test_an_annotator_is_handed_gold_blind_and_cannot_read_or_forge_it(team, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"text": "They are vermin.", "toxicity": 4}\n', encoding="utf-8")
    engines = {who: team.engine(who) for who in ("ana", "bo", "rita")}
    try:
        ids = {who: accounts.authenticate(engine, None, None).id for who, engine in engines.items()}
        rita = accounts.authenticate(engines["rita"], None, None)
        assert import_gold(engines["rita"], gold, rita).added == 1
        Project(engines["rita"]).gold_settings(every=2)
        ana, bo = engines["ana"], engines["bo"]
        handed = {}
        for who, engine in (("ana", ana), ("bo", bo)):
            handed[who] = []
            while (item := claim_next_item(engine, ids[who])) is not None:
                submit(engine, item.id, ids[who], {"toxicity": 4 if who == "ana" else 1})
                handed[who].append(item.id)
        # k = 1: ana answers both comments; the gold item, outside k, goes to both of them.
        assert len(handed["ana"]) == 3 and set(handed["bo"]) < set(handed["ana"])
        (gold_id,) = handed["bo"]
        assert gold_feedback(ana, ids["ana"], gold_id) is None  # feedback off
        Project(engines["rita"]).gold_settings(feedback=True)
        assert gold_feedback(ana, ids["ana"], gold_id) == {"toxicity": 4}
        assert gold_feedback(ana, ids["bo"], gold_id) == {"toxicity": 4}  # asked for bo: still her own answer counts
        with pytest.raises(Exception, match="permission denied|InsufficientPrivilege"):
            gold_accuracy(ana)
        people = {p.name: p.overall.share for p in gold_accuracy(engines["rita"], rita)}
        assert people == {team.names["ana"]: 1.0, team.names["bo"]: 0.0}
    finally:
        for engine in engines.values():
            engine.dispose()

    with team.sql("ana") as psql:
        refused(psql, "SELECT * FROM gold_items")
        refused(psql, "INSERT INTO gold_items (comment_id, \"values\", source, added_at) VALUES (1, '{}', 'file', now())")
        refused(psql, "DELETE FROM gold_items")
        # Asking for another person's hand-out or answer gets her own: none is due, and bo's answer is not hers.
        assert psql.execute("SELECT moderator_take_gold(%s, 30)", (ids["bo"],)).fetchone() == (None,)
    with team.sql("rita") as psql:
        refused(psql, "DELETE FROM gold_items")  # reviewers add gold items; only admins remove them
        assert psql.execute("SELECT count(*) FROM gold_items").fetchone() == (1,)
