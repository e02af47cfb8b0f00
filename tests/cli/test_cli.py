"""The command line as a user meets it: exit codes, messages without tracebacks, JSON output."""

import json
import subprocess
import sys

import pytest

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
