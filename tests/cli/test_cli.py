"""The command line as a user meets it: exit codes, messages without tracebacks, JSON output."""

import json
import re
import subprocess
import sys

import pytest
from helpers.paths import REPO

from moderator.cli.main import main
from moderator.cli.parser import _with_default_command


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.sqlite")


def stats(db, capsys):
    capsys.readouterr()
    assert main(["--db", db, "stats", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_stats_json_counts_everything(db, tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"thread_id": "a", "id": "1", "text": "hello"}\n{"thread_id": "a", "id": "2", "parent_id": "1", "text": "hi"}\n'
    )
    assert main(["--db", db, "import", str(path)]) == 0
    assert "2 comments in 1 new thread" in capsys.readouterr().out
    counts = stats(db, capsys)
    assert {k: counts[k] for k in ("threads", "comments", "annotations", "annotators")} == {
        "threads": 1,
        "comments": 2,
        "annotations": 0,
        "annotators": 0,
    }


def test_options_work_before_or_after_the_command(db, tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text('{"thread_id": "a", "id": "1", "text": "hello"}\n')
    assert main(["import", str(path), "--db", db, "--format", "jsonl"]) == 0
    assert stats(db, capsys)["comments"] == 1


def test_gui_is_the_default_command():
    assert _with_default_command([]) == ["gui"]
    assert _with_default_command(["--db", "x", "--demo"]) == ["--db", "x", "gui", "--demo"]
    assert _with_default_command(["--db", "x", "stats"]) == ["--db", "x", "stats"]


def test_export_to_a_file(db, tmp_path, capsys):
    path = tmp_path / "t.jsonl"
    path.write_text('{"thread_id": "a", "id": "1", "text": "hello"}\n')
    main(["--db", db, "import", str(path)])
    out = tmp_path / "out.csv"
    assert main(["--db", db, "export", "--format", "csv", "--out", str(out)]) == 0
    assert out.read_text().splitlines()[1].count("hello") == 1


HOSTILE = {
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary"),
    "empty.txt": (b"", 1, "empty"),
    "blank.txt": (b"  \n\n \t\n", 1, "empty"),
    "latin1.txt": ("Title\n\nAuthor\n\nCaf\xe9 cr\xe8me".encode("latin-1"), 5, "UTF-8"),
    "truncated.jsonl": (b'{"thread_id": "a", "id": "1", "text": "ok"}\n{"thread_id": "a", "id": "2", "te', 2, ""),
    "ragged.csv": (b'text,author\n"hello",ana\n"bye",bo,extra\n', 3, ""),
    "unterminated.csv": (b'text,author\n"hello",ana\n"never closed,bo\n', 3, ""),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_broken_files_are_refused_cleanly_and_change_nothing(name, db, tmp_path, capsys):
    data, line, words = HOSTILE[name]
    good = tmp_path / "good.jsonl"
    good.write_text('{"thread_id": "a", "id": "1", "text": "kept"}\n')
    main(["--db", db, "import", str(good)])
    before = stats(db, capsys)
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["--db", db, "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:{line}: ") and words in err and "Traceback" not in err
    assert stats(db, capsys) == before


def test_a_missing_file_is_an_error_not_a_traceback(db, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "moderator", "--db", db, "import", str(tmp_path / "nope.txt")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith(f"{tmp_path / 'nope.txt'}: ") and "Traceback" not in result.stderr


def test_schema_check_names_the_bad_key(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\nversion = 0\n')
    assert main(["schema", "check", str(path)]) == 1
    assert f"{path}: version: must be a positive integer" in capsys.readouterr().err


def test_a_new_account_never_takes_the_password_of_whoever_creates_it(db, capsys, monkeypatch):
    from moderator.core.store.engine import open_database
    from moderator.core.team.accounts import AuthError, authenticate

    monkeypatch.setenv("MODERATOR_NEW_PASSWORD", "leadpw")
    assert main(["--db", db, "annotators", "add", "lead", "--role", "admin"]) == 0
    monkeypatch.setenv("MODERATOR_PASSWORD", "leadpw")  # the lead signs in with their own password...
    monkeypatch.delenv("MODERATOR_NEW_PASSWORD")
    capsys.readouterr()
    assert main(["--db", db, "annotators", "add", "rev", "--by", "lead"]) == 1  # ...which is not rev's
    assert "MODERATOR_NEW_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("MODERATOR_NEW_PASSWORD", "revpw")
    assert main(["--db", db, "annotators", "add", "rev", "--by", "lead"]) == 0
    engine = open_database(db)
    assert authenticate(engine, "rev", "revpw").name == "rev"
    with pytest.raises(AuthError):
        authenticate(engine, "rev", "leadpw")


def test_in_team_mode_only_a_reviewer_or_admin_imports_loads_a_schema_or_changes_settings(db, tmp_path, capsys, monkeypatch):
    from moderator.core.labelling.stats import database_stats
    from moderator.core.store.engine import open_database
    from moderator.core.store.settings import claim_settings, wellbeing_config

    for name, role in (("lead", "admin"), ("ana", "annotator")):
        monkeypatch.setenv("MODERATOR_NEW_PASSWORD", f"{name}pw")
        monkeypatch.setenv("MODERATOR_PASSWORD", "leadpw")
        assert main(["--db", db, "annotators", "add", name, "--role", role] + (["--by", "lead"] if name != "lead" else [])) == 0
    path = tmp_path / "t.jsonl"
    path.write_text('{"thread_id": "a", "id": "1", "text": "hello"}\n')
    schema = tmp_path / "schema.toml"
    bundled = (REPO / "assets" / "default-schema.toml").read_text()
    schema.write_text(re.sub(r"(?m)^version = .*$", "version = 99", bundled, count=1))
    engine = open_database(db)
    before = database_stats(engine)

    monkeypatch.setenv("MODERATOR_PASSWORD", "anapw")
    capsys.readouterr()
    for command, refused in (
        (["import", str(path)], "only a reviewer or admin may import threads"),
        (["schema", "load", str(schema)], "only a reviewer or admin may change the label schema"),
        (["project", "--overlap", "3"], "only a reviewer or admin may change the project's settings"),
    ):
        assert main(["--db", db, "--annotator", "ana", *command]) == 1
        assert refused in capsys.readouterr().err
    assert main(["--db", db, "import", str(path)]) == 1  # and nobody at all without signing in
    assert "--annotator" in capsys.readouterr().err
    assert database_stats(engine) == before

    monkeypatch.setenv("MODERATOR_PASSWORD", "leadpw")
    # A refused value of either kind changes nothing, not even the valid options beside it.
    assert main(["--db", db, "--annotator", "lead", "project", "--daily-cap", "99", "--lease-minutes", "1"]) != 0
    assert main(["--db", db, "--annotator", "lead", "project", "--overlap", "2", "--daily-cap", "-5"]) != 0
    with engine.connect() as conn:
        assert claim_settings(conn).overlap == 1 and wellbeing_config(conn).daily_cap != 99
    assert main(["--db", db, "--annotator", "lead", "import", str(path)]) == 0
    assert database_stats(engine)["comments"] == before["comments"] + 1
