"""`moderator project --experiment` and `moderator report` as a lead types them."""

from moderator.cli.main import main
from moderator.core.demo import load_demo
from moderator.core.project import Project
from moderator.core.store.engine import open_database
from moderator.core.store.settings import Experiment


def test_an_experiment_is_started_shown_and_ended_from_the_command_line(tmp_path, capsys):
    db = str(tmp_path / "exp.sqlite")
    assert main(["--db", db, "project", "--experiment", "context", "--experiment-unit", "comment", "--experiment-seed", "4"]) == 0
    assert "experiment: context shown or hidden, randomised per comment, seed 4" in capsys.readouterr().out
    engine = open_database(db)
    assert Project(engine).experiment() == Experiment("context", "comment", 4)
    assert main(["--db", db, "project", "--experiment", "off"]) == 0
    assert Project(engine).experiment() is None and "experiment:" not in capsys.readouterr().out
    assert main(["--db", db, "project", "--experiment-seed", "-1", "--experiment", "hint"]) == 1
    assert "seed" in capsys.readouterr().err and Project(engine).experiment() is None  # refused: nothing changed


def test_the_report_is_written_where_asked(tmp_path, capsys):
    db = str(tmp_path / "rep.sqlite")
    load_demo(open_database(db))
    assert main(["--db", db, "report", "--out", str(tmp_path / "statement"), "--resamples", "0"]) == 0
    assert "data statement written to" in capsys.readouterr().err
    assert (tmp_path / "statement" / "REPORT.md").read_text(encoding="utf-8").startswith("# Data statement")
