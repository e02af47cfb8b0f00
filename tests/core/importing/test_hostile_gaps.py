"""The gaps in the hostile-input defences: ``.zst`` lines get the strict checks plain lines get, a database's
refusal names ``path:line``, a file name cannot fake an error line of its own."""

from __future__ import annotations

import sqlite3

import pytest
import zstandard
from helpers.import_checks import FIXTURES, cli_import, refused, snapshot
from sqlalchemy import insert
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from moderator.cli import main as cli
from moderator.core.importing.errors import ImportFailure, database_refusal, shown
from moderator.core.importing.formats import read_source
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Annotator

DUMP = FIXTURES / "reddit-pushshift.ndjson"
GOOD = DUMP.read_bytes().splitlines(keepends=True)
COMMENT = b'{"author":"ann","body":"%s","created_utc":1559347800,"id":"zz%d","link_id":"t3_bv1a01","parent_id":"t3_bv1a01"}\n'

# One bad line, third of five (no "the last line is cut off" hint): the reason a plain file's line gets.
BAD_LINES = {
    "nul_escape": (COMMENT % (b"a\\u0000b", 1), "NUL character"),
    "nul_in_key": (b'{"a\\u0000": 1, "body": "x", "link_id": "t3_a", "id": "k"}\n', "NUL character"),
    "raw_nul": (COMMENT % (b"a\x00b", 1), "binary file"),
    "nan": (b'{"author":"ann","body":"x","id":"zz1","link_id":"t3_bv1a01","score":NaN}\n', "NaN is not a JSON value"),
    "infinity": (b'{"author":"ann","body":"x","id":"zz1","link_id":"t3_bv1a01","score":-Infinity}\n', "not a JSON value"),
    "overflow": (b'{"author":"ann","body":"x","id":"zz1","link_id":"t3_bv1a01","score":1e999}\n', "1e999 is too large"),
    "lone_surrogate": (COMMENT % (b"a\\ud800b", 1), "unpaired surrogate (\\ud800)"),
    "lone_low_surrogate": (COMMENT % (b"\\udfff", 1), "unpaired surrogate (\\udfff)"),
    "deep": (b'{"body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "nested too deeply"),
    "escape_sequence": (COMMENT % (b"\x1b[31mred", 1), "control character U+001B"),
    "latin1": (COMMENT % ("café".encode("latin-1"), 1), "not valid UTF-8 (byte 0xe9"),
    "huge_int": (b'{"body": "x", "n": 1' + b"0" * 5000 + b"}\n", "integer"),
}
# A valid surrogate pair, an escaped backslash before "u0000": fine, yet they mark a line as worth a look.
HARMLESS = COMMENT % (b"smile \\ud83d\\ude00 and \\\\u0000", 2)


def dump_with(bad: bytes, newline: bytes = b"\n") -> bytes:
    lines = [GOOD[0], HARMLESS, bad, GOOD[1], GOOD[2]]
    return b"".join(line.rstrip(b"\n") + newline for line in lines)


def zst(path, data: bytes, frames: int = 1):
    size = len(data) // frames + 1
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    path.write_bytes(b"".join(zstandard.ZstdCompressor(write_content_size=False).compress(p) for p in parts))
    return path


def failure_of(engine, path, fmt: str = "reddit") -> ImportFailure:
    before = snapshot(engine)
    with pytest.raises(ImportFailure) as caught:
        import_paths(engine, [path], fmt)
    assert snapshot(engine) == before, f"{path.name}: refused, yet the database changed"
    return caught.value


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_zst_line_gets_the_strict_checks_of_a_plain_line(engine, tmp_path, case):
    bad, why = BAD_LINES[case]
    data = dump_with(bad)
    plain = tmp_path / f"{case}.ndjson"
    plain.write_bytes(data)
    compressed = zst(tmp_path / f"{case}.zst", data, frames=3)
    from_plain = failure_of(engine, plain)
    from_zst = failure_of(engine, compressed)
    assert (from_zst.line, from_zst.reason) == (3, from_plain.reason), str(from_zst)
    assert from_plain.line == 3 and why in from_zst.reason, str(from_zst)
    assert str(from_zst) == f"{compressed}:3: {from_zst.reason}"


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_zst_lines_are_counted_as_in_a_plain_file(engine, tmp_path, newline):
    data = b"\xef\xbb\xbf" + dump_with(COMMENT % (b"\\u0000", 1), newline)
    plain, compressed = tmp_path / "crlf.ndjson", zst(tmp_path / "crlf.zst", data)
    plain.write_bytes(data)
    assert failure_of(engine, compressed).line == failure_of(engine, plain).line == 3


def test_a_zst_dump_with_crlf_and_a_byte_order_mark_still_imports(engine, capsys, tmp_path):
    data = b"\xef\xbb\xbf" + DUMP.read_bytes().replace(b"\n", b"\r\n")
    status, out, err = cli_import(engine, capsys, zst(tmp_path / "RC_crlf.zst", data, frames=2))
    assert status == 0 and "10 comments in 2 new threads" in out, err


def test_an_empty_or_utf16_zst_is_refused(engine, capsys, tmp_path):
    refused(engine, capsys, zst(tmp_path / "empty.zst", b" \n\n"), 1, "the file is empty")
    utf16 = zst(tmp_path / "utf16.zst", DUMP.read_text().encode("utf-16"))
    refused(engine, capsys, utf16, 1, "UTF-16")


def test_the_cli_names_the_zst_line_on_both_databases(engine, capsys, tmp_path):
    """NUL and NaN used to be imported on SQLite and to end in a bare database error on PostgreSQL."""
    for case in ("nul_escape", "nan", "overflow", "lone_surrogate"):
        path = zst(tmp_path / f"RC_{case}.zst", dump_with(BAD_LINES[case][0]))
        refused(engine, capsys, path, 3, BAD_LINES[case][1])


def test_a_whole_json_file_names_the_line_of_its_lone_surrogate(tmp_path):
    """A valid pair on line 2 used to take the blame for the lone half on line 4."""
    from moderator.core.importing.sources.strict_json import loads

    text = '{"a": "\\ud83d\\ude00",\n "b": "\\\\u0000",\n "c": 1,\n "d": ["x\\udc00"]}\n'
    with pytest.raises(ImportFailure) as caught:
        loads("doc.json", text)
    assert caught.value.line == 4 and "\\udc00" in caught.value.reason


# ---- database refusals, named at path:line


def test_a_database_refusal_becomes_a_path_line_failure():
    refusal = IntegrityError(
        "INSERT INTO comments (text) VALUES (?)", {}, sqlite3.IntegrityError("NOT NULL constraint failed: comments.text")
    )
    failure = ImportFailure.from_database_error("dump.ndjson", 7, refusal)
    assert str(failure) == "dump.ndjson:7: the database refused a row of comments: NOT NULL constraint failed: comments.text"
    too_big = DataError("UPDATE threads SET meta=?", {}, sqlite3.DataError("string or blob too big"))
    assert database_refusal(too_big) == "the database refused a row of threads: string or blob too big"
    # not about the data: the caller re-raises these as they are
    locked = OperationalError("INSERT INTO comments …", {}, sqlite3.OperationalError("database is locked"))
    assert ImportFailure.from_database_error("dump.ndjson", 7, locked) is None
    assert database_refusal(ValueError("x")) is None


def test_a_postgresql_refusal_is_one_line_naming_the_table(postgres_engine):
    with pytest.raises(DataError) as caught, postgres_engine.begin() as conn:
        conn.execute(insert(Annotator).values(name="x" * 300, role="annotator"))
    failure = ImportFailure.from_database_error("ratings.json", 3, caught.value)
    assert (
        str(failure) == "ratings.json:3: the database refused a row of annotators: value too long for type character varying(200)"
    )


def test_a_value_postgresql_refuses_mid_import_names_the_file(postgres_engine, tmp_path):
    """SQLite stores an annotator name of any length; PostgreSQL refuses one over 200 characters."""
    path = tmp_path / "long_names.json"
    path.write_text(
        '{"1": {"text": "a", "annotation task": "x", "annotations": "0", "annotators": "Ann"},\n'
        f' "2": {{"text": "b", "annotation task": "x", "annotations": "0", "annotators": "{"B" * 300}"}}}}\n'
    )
    failure = failure_of(postgres_engine, path, "lewidi")
    assert failure.path == str(path) and failure.line is not None
    assert (
        str(failure)
        == f"{path}:{failure.line}: the database refused a row of annotators: value too long for type character varying(200)"
    )


# ---- file names shown escaped


def test_control_and_bidi_characters_are_escaped_and_the_rest_kept():
    assert shown("évil\nfile.csv:1: fake") == "évil\\nfile.csv:1: fake"
    assert shown("a\rb\tc\x1b[31md\x7f") == "a\\rb\\tc\\x1b[31md\\x7f"
    assert shown("txt.\u202eexe\u2028\u2066") == "txt.\\u202eexe\\u2028\\u2066"
    assert shown("bad\udcff") == "bad\\udcff"  # an undecodable byte of a Linux file name
    family = "famille 👨\u200d👩\u200d👧 کتاب\u200cها\u00a0x.csv"  # joiners and a no-break space are part of names
    assert shown(family) == family


def test_a_file_name_with_a_newline_cannot_fake_an_error_line(engine, capsys, tmp_path):
    path = tmp_path / "evil\nfake.csv:99: all good\u202e\x1b[2K.jsonl"
    path.write_bytes(b"\n \n")
    with pytest.raises(ImportFailure) as caught:
        import_paths(engine, [path], "auto")
    assert caught.value.path == str(path)  # kept as it is, for whoever opens it
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message and "\u202e" not in message
    assert message == f"{tmp_path}/evil\\nfake.csv:99: all good\\u202e\\x1b[2K.jsonl:1: the file is empty"
    status, _, err = cli_import(engine, capsys, path)
    assert status == 1 and err == message + "\n"


def test_a_reason_quoting_the_file_cannot_fake_a_line_either(tmp_path):
    failure = ImportFailure("a.csv", 2, "unknown column 'x\nb.csv:1: fine'")
    assert str(failure) == "a.csv:2: unknown column 'x\\nb.csv:1: fine'" and failure.reason.count("\n") == 1


def test_the_cli_escapes_the_file_name_of_an_os_error(monkeypatch, capsys, tmp_path):
    def fail(_args):
        raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "out\ndir\x1b]0;pwned\x07"))

    monkeypatch.setitem(cli.HANDLERS, "stats", fail)
    assert cli.main(["--db", str(tmp_path / "x.sqlite"), "stats"]) == 1
    err = capsys.readouterr().err
    assert err == f"moderator: {tmp_path}/out\\ndir\\x1b]0;pwned\\x07: No such file or directory\n"


def test_a_directory_with_a_newline_in_its_name_is_named_escaped(tmp_path):
    folder = tmp_path / "dir\nx.csv:1: ok"
    folder.mkdir()
    with pytest.raises(ImportFailure) as caught:
        read_source(folder)
    assert "\n" not in str(caught.value) and str(caught.value).endswith("dir\\nx.csv:1: ok: is a directory, not a file")
