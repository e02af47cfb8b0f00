"""`moderator agreement`: the extended JSON (α with its interval, competence), --labels, --basic and the text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moderator.cli.main import main

pytest.importorskip("crowdkit")


@pytest.fixture
def db(tmp_path, capsys):
    """A hand-made LeWiDi file: 30 tweets, four annotators, the fourth guessing."""
    rng = np.random.default_rng(1)
    items = {}
    for i in range(30):
        truth = int(rng.integers(0, 2))
        answers = [truth if rng.random() < 0.9 else 1 - truth for _ in range(3)] + [int(rng.integers(0, 2))]
        items[str(i)] = {
            "text": f"tweet {i}",
            "annotation task": "hate speech detection",
            "number of annotations": 4,
            "annotations": ",".join(map(str, answers)),
            "annotators": "Ann1,Ann2,Ann3,Ann4",
            "lang": "en",
            "hard_label": str(truth),
            "soft_label": {"0": 0.5, "1": 0.5},
            "split": "dev",
        }
    path = tmp_path / "Mine_dev.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    db = str(tmp_path / "agree.sqlite")
    assert main(["--db", db, "import", str(path)]) == 0
    capsys.readouterr()
    return db


def run(db, capsys, *args) -> str:
    assert main(["--db", db, "agreement", *args]) == 0
    return capsys.readouterr().out


def test_json_has_alpha_with_its_interval_and_competence_by_name(db, capsys):
    entry = json.loads(run(db, capsys, "--json"))["hate_speech"]
    assert entry["alpha"] == entry["krippendorff_alpha_nominal"] and entry["alpha_level"] == "nominal"
    low, high = entry["alpha_ci95"]
    assert low <= entry["alpha"] <= high
    for method in ("dawid_skene", "mace"):
        competence = entry[method]["competence"]
        assert set(competence) == {f"Mine/Ann{i}" for i in range(1, 5)}
        assert min(competence, key=competence.get) == "Mine/Ann4"
        assert sum(entry[method]["label_counts"].values()) == 30
    assert "aggregated_labels" not in entry  # the default JSON stays small
    assert json.loads(run(db, capsys, "--json")) == json.loads(run(db, capsys, "--json"))  # seeded


def test_labels_lists_every_comment(db, capsys):
    rows = json.loads(run(db, capsys, "--json", "--labels"))["hate_speech"]["aggregated_labels"]
    assert len(rows) == 30
    assert set(rows[0]) == {"comment_id", "dawid_skene", "dawid_skene_probability", "mace", "mace_probability"}
    assert all(r["dawid_skene"] in (0, 1) and 0.5 <= r["dawid_skene_probability"] <= 1 for r in rows)


def test_basic_and_no_resamples(db, capsys):
    basic = json.loads(run(db, capsys, "--json", "--basic"))["hate_speech"]
    assert "alpha" not in basic and "dawid_skene" not in basic and "krippendorff_alpha_nominal" in basic
    assert json.loads(run(db, capsys, "--json", "--resamples", "0"))["hate_speech"]["alpha_ci95"] is None


def test_text_shows_the_interval_and_a_competence_table(db, capsys):
    text = run(db, capsys, "--seed", "3")
    assert "95% CI" in text and "competence" in text
    line = next(line for line in text.splitlines() if line.startswith("hate_speech "))
    assert "[" in line and "]" in line
    table = text.split("hate_speech: competence")[1].splitlines()
    assert table[-1].split()[0] == "Mine/Ann4"  # least competent last


@pytest.mark.parametrize("args", [["--labels"], ["--json", "--labels", "--basic"], ["--resamples", "-1"]])
def test_bad_combinations_are_usage_errors(db, capsys, args):
    assert main(["--db", db, "agreement", *args]) != 0
    assert "Traceback" not in capsys.readouterr().err
