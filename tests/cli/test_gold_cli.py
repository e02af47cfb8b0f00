"""`moderator gold` and `moderator project --gold-*` as a lead types them."""

import json
from pathlib import Path

from moderator.cli.main import main
from moderator.core.labelling.claims import claim_next_item
from moderator.core.labelling.log import submit
from moderator.core.project import Project
from moderator.core.store.engine import open_database
from moderator.core.team.accounts import ensure_annotator

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo-thread.txt"


def test_a_lead_imports_gold_sets_the_rate_and_reads_who_is_below(tmp_path, capsys):
    db = str(tmp_path / "gold.sqlite")
    gold = tmp_path / "gold.csv"
    gold.write_text("text,toxicity\nThey are vermin.,4\nNice photo.,Not toxic\n", encoding="utf-8")
    assert main(["--db", db, "gold", "import", str(gold)]) == 0
    assert "2 added, 0 already gold" in capsys.readouterr().out
    assert main(["--db", db, "project", "--gold-every", "1", "--overlap", "3"]) == 1
    assert "N ≥ 2" in capsys.readouterr().err
    project = Project(open_database(db))
    assert project.claim_settings().overlap == 1 and project.gold_settings().every == 0  # refused: nothing changed
    assert main(["--db", db, "project", "--gold-every", "2", "--gold-threshold", "0.6", "--overlap", "2"]) == 0
    assert "gold items: about one in 2, feedback = off, reviewers see people below 60%" in capsys.readouterr().out
    assert main(["--db", db, "import", str(DEMO)]) == 0 and capsys.readouterr()
    for name, answer in (("ana", 4), ("bo", 1)):  # each is handed both gold items among the demo's comments
        person = ensure_annotator(project.engine, name)
        while (item := claim_next_item(project.engine, person)) is not None:
            submit(project.engine, item.id, person, {"toxicity": answer})
    assert main(["--db", db, "gold", "accuracy", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["threshold"] == 0.6
    assert [(p["annotator"], p["accuracy"], p["below_threshold"]) for p in report["people"]] == [
        ("ana", 0.5, True), ("bo", 0.5, True)]  # fmt: skip
    assert main(["--db", db, "gold", "accuracy", "--threshold", "0.4"]) == 0
    assert capsys.readouterr().out.startswith("0 of 2 people below 40% on gold items\nana: 50% on 2 items (toxicity 50% of 2)")
    counted = []
    for extra in ([], ["--include-gold"]):
        assert main(["--db", db, "agreement", "--basic", "--json", "--question", "toxicity", *extra]) == 0
        counted.append(json.loads(capsys.readouterr().out)["toxicity"]["items"])
    assert counted == [12, 14]  # the demo's comments; with the two gold items when asked
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "toxicity": 7}\n', encoding="utf-8")
    assert main(["--db", db, "gold", "import", str(bad)]) == 1
    assert capsys.readouterr().err.startswith(f"{bad}:1: toxicity: 7 is not an option")
