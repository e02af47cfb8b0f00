"""`moderator bench` runs end to end on a tiny corpus and reports every figure (no timing asserted)."""

import json

import pytest

from moderator.cli.main import main

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out


def test_bench_reports_every_measurement(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["bench", "--comments", "300", "--json", "--workdir", str(tmp_path)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["comments"] == 300
    assert results["import"]["comments_per_s"] > 0 and results["import"]["ratio_to_floor"] > 0
    assert set(results["queue"]) == {"300"} and results["queue"]["300"]["steps"] == 200
    assert results["export"]["records"] == 300 and results["labels"] == 300
    assert results["agreement"]["annotations"] == 300
    gui = results["gui"]
    assert "error" not in gui, gui
    assert gui["rows_paged"] == 300 and gui["peak_rss_mb"] > 0 and gui["keystroke_median_ms"] > 0
