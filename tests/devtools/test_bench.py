"""`moderator bench` runs end to end on a tiny corpus and reports every figure (no timing asserted)."""

import json

import pytest

from moderator.cli.main import main
from moderator.devtools.bench import TARGETS, format_results

RATIOS = {"floor_seconds", "import_speed", "export_jsonl_time", "export_parquet_time", "agreement_time", "targets"}


def _positive(value) -> bool:
    return type(value) in (int, float) and value > 0


def test_bench_reports_every_ratio_to_the_floor(tmp_path, capsys):
    """Quick (no window): import, export and agreement each against the floor of the same run."""
    assert main(["bench", "--comments", "40", "--json", "--no-gui", "--workdir", str(tmp_path)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert _positive(results["floor_seconds"])
    assert _positive(results["import"]["ratio_to_floor"]) and _positive(results["import"]["floor_seconds"])
    assert _positive(results["export"]["jsonl_ratio_to_floor"]) and _positive(results["export"]["parquet_ratio_to_floor"])
    assert _positive(results["agreement"]["ratio_to_floor"])
    ratios = results["ratios_to_floor"]
    assert set(ratios) == RATIOS and ratios["targets"] == TARGETS
    assert all(_positive(ratios[key]) for key in RATIOS - {"targets"})
    assert ratios["import_speed"] == results["import"]["ratio_to_floor"]
    assert ratios["agreement_time"] == results["agreement"]["ratio_to_floor"]
    assert "gui" not in results

    text = format_results(results)
    assert "ratio to the floor's speed" in text and "ratio to the floor's time" in text
    assert all(f"{key.replace('_', ' ')} {ratios[key]} (target {TARGETS[key]})" in text for key in TARGETS)


@pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out
def test_bench_reports_every_measurement(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["bench", "--comments", "300", "--json", "--workdir", str(tmp_path)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["comments"] == 300
    assert results["import"]["comments_per_s"] > 0 and results["import"]["ratio_to_floor"] > 0
    assert set(results["queue"]) == {"300"} and results["queue"]["300"]["steps"] == 200
    assert results["export"]["records"] == 300 and results["labels"] == 300
    assert results["agreement"]["annotations"] == 300
    assert set(results["ratios_to_floor"]) == RATIOS
    gui = results["gui"]
    assert "error" not in gui, gui
    assert gui["rows_paged"] == 300 and gui["peak_rss_mb"] > 0 and gui["keystroke_median_ms"] > 0
