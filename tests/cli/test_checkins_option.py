"""`moderator project --checkins on|off`: the wellbeing check-ins switch, shown with the other options."""

from moderator.cli.main import main
from moderator.core.store.engine import open_database
from moderator.core.wellbeing import session as wellbeing


def test_checkins_are_switched_on_and_off_from_the_command_line(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    assert main(["--db", db, "project"]) == 0
    assert "check-ins = off" in capsys.readouterr().out
    assert main(["--db", db, "project", "--checkins", "on"]) == 0
    assert "check-ins = on" in capsys.readouterr().out
    engine = open_database(db)
    try:
        assert wellbeing.load_config(engine).checkins
        assert main(["--db", db, "project", "--checkins", "off"]) == 0
        assert not wellbeing.load_config(engine).checkins
    finally:
        engine.dispose()
