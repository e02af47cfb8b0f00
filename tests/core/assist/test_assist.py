"""The assist model's target rule, its training and the LeWiDi replay behind `moderator bench --assist`."""

import json

import pytest

from moderator.cli.main import main
from moderator.core.assist import model as assist
from moderator.devtools import assist_sim


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"toxicity": 3}, True),
        ({"toxicity": 2, "dehumanization": "none"}, False),
        ({"toxicity": 1, "dehumanization": "implicit"}, True),
        ({"toxicity": 2, "dehumanization": "explicit"}, True),
        ({"hate_speech": 1}, None),  # another schema: says nothing, so it is not a negative
        ({}, None),
    ],
)
def test_default_rule(values, expected):
    assert assist.is_positive(values) is expected


def test_a_model_needs_both_classes_and_ranks_like_texts_higher():
    with pytest.raises(ValueError):
        assist.fit(["a", "b"], [False, False])
    model = assist.fit(["you filthy rats", "lovely day", "rats, all of them", "thank you"], [True, False, True, False])
    toxic, civil = model.score(["dirty rats", "a lovely thank you"])
    assert 0 <= civil < toxic <= 1
    assert assist.hint(0.82) == "model: likely toxic, 0.82"
    assert assist.hint(0.1) == "model: likely not toxic, 0.10"


def test_replay_on_a_slice_terminates_with_counts_in_range(shared_data):
    folder = shared_data / "lewidi"
    items = assist_sim.load_lewidi([folder / "HS-Brexit_dev.json"], "HS-Brexit")
    assert sum(items.positive) == 19 and len(items.texts) == 168  # hard labels read as the file has them
    small = assist_sim.Items("slice", items.texts[:120], items.positive[:120])
    result = assist_sim.measure(small, seeds=(0, 1))
    for ordering in assist_sim.ORDERINGS:
        runs = result["orderings"][ordering]["runs"]
        assert all(result["positives_to_find"] <= r <= len(small.texts) for r in runs)
    convabuse = assist_sim.load_lewidi([folder / "ConvAbuse_dev.json"], "ConvAbuse")
    assert not any(t.lstrip().startswith("{") for t in convabuse.texts)  # the user turn, not the JSON


def test_bench_assist_prints_json(shared_data, tmp_path, monkeypatch, capsys):
    """The command's plumbing, on tiny copies of the files (the full replay takes a minute)."""
    for name in ("HS-Brexit_train.json", "HS-Brexit_dev.json", "ConvAbuse_dev.json"):
        data = json.loads((shared_data / "lewidi" / name).read_text(encoding="utf-8"))
        (tmp_path / name).write_text(json.dumps(dict(list(data.items())[:60])), encoding="utf-8")
    monkeypatch.setattr(assist_sim, "SEEDS", (0,))
    monkeypatch.setattr(assist_sim.run_all, "__defaults__", (None, (0,), None))
    assert main(["bench", "--assist", "--json", "--data", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["datasets"]) == {"HS-Brexit", "ConvAbuse"}
    for figures in report["datasets"].values():
        assert set(figures["orderings"]) == set(assist_sim.ORDERINGS)
