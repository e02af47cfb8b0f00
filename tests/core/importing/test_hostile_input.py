"""Named hostile files (deep nesting, billion laughs, NUL, bad encodings, CSV injection, oversized) in
every format: a clear ``path:line: reason`` and an untouched database, or literal text imported.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from helpers.paths import FUZZ
from sqlalchemy import select

from moderator.core.importing.formats import FORMATS, ImportFailure, read_source, text_source
from moderator.core.importing.sources import reading
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment

_spec = importlib.util.spec_from_file_location("importer_target", FUZZ / "importer_target.py")
target = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(target)

# Refused by every format, before any importer sees the text.
UNREADABLE = {
    "nul_bytes": "NUL",
    "latin1": "not valid UTF-8",
    "utf16_no_bom": "NUL",
    "truncated_utf8": "not valid UTF-8",
    "only_bom": "empty",
    "bom_then_nul": "empty",
    "controls": "control character",
}
# Refused by the JSON formats with this reason.
JSON_REFUSALS = {
    "deep_array": "nested too deeply",
    "deep_object_line": "nested too deeply",
    "nul_escape": "NUL",
    "lone_surrogate": "surrogate",
    "nan_metadata": "not a JSON value",
    "huge_int": "integer",
}


def _write(folder: Path, name: str, fmt: str, data: bytes) -> Path:
    path = folder / f"{name}{target.extension(fmt) if fmt != 'auto' else '.txt'}"
    path.write_bytes(data)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", target.formats())
def test_every_hostile_file_is_refused_cleanly_or_imported(engine, tmp_path, fmt):
    for name, data in target.ADVERSARIAL.items():
        path = _write(tmp_path, name, fmt, data)
        before = target.snapshot(engine)
        try:
            import_paths(engine, [path], fmt)
        except ImportFailure as exc:
            target.check_failure(exc, path)
            assert target.snapshot(engine) == before, f"{name}: refused, yet the database changed"
            if name in UNREADABLE:
                assert UNREADABLE[name] in exc.reason, f"{name}: unclear reason {exc}"
            continue
        assert name not in UNREADABLE, f"{name} was imported as {fmt}"


@pytest.mark.parametrize("fmt", ["jsonl", "lewidi"])
def test_json_formats_refuse_what_no_database_stores(engine, tmp_path, fmt):
    cases = dict(JSON_REFUSALS)
    if fmt == "lewidi":
        cases = {
            "deep_array": "nested too deeply",
            "lewidi_escapes": "surrogate",
            "convabuse_inner_nul": "item '5': ",
            "lewidi_nan": "not a JSON value",
        }
    for name, why in cases.items():
        path = _write(tmp_path, name, fmt, target.ADVERSARIAL[name])
        with pytest.raises(ImportFailure) as failure:
            import_paths(engine, [path], fmt)
        assert why in failure.value.reason and failure.value.line == 1, str(failure.value)
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id).limit(1)) is None


def test_csv_injection_is_imported_as_literal_text(engine, tmp_path):
    path = _write(tmp_path, "injection", "csv", target.ADVERSARIAL["csv_injection"])
    import_paths(engine, [path], "csv")
    with engine.connect() as conn:
        rows = conn.execute(select(Comment.text, Comment.author).order_by(Comment.position)).all()
    assert [tuple(r) for r in rows] == [("=cmd|' /C calc'!A0", '=HYPERLINK("http://x")'), ("+1+1", "@SUM(A1)")]


def test_xml_entities_are_never_expanded(engine, tmp_path):
    """A billion-laughs file is text to the formats that do not read XML, and refused by those that do."""
    for fmt in FORMATS:
        path = _write(tmp_path, f"laughs-{fmt}", fmt, target.ADVERSARIAL["billion_laughs"])
        try:
            import_paths(engine, [path], fmt)
        except ImportFailure as exc:
            target.check_failure(exc, path)
    with engine.connect() as conn:
        longest = max((len(t) for t in conn.scalars(select(Comment.text))), default=0)
    assert longest <= len(target.ADVERSARIAL["billion_laughs"])


# ---- size bounds: lowered here; the real ones are 1 GB per file and 64 MB per line


def test_a_file_over_the_size_bound_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 4096)
    body = b"text,author\n" + b"a comment,ann\n" * 400
    fits, over = tmp_path / "fits.csv", tmp_path / "over.csv"
    fits.write_bytes(body[:4096].rsplit(b"\n", 1)[0] + b"\n")
    over.write_bytes(body[:4097])
    read_source(fits)
    with pytest.raises(ImportFailure, match=r"over\.csv: the file is larger than 0\.00390625 MB"):
        read_source(over)
    with pytest.raises(ImportFailure, match="larger than"):
        text_source("<clipboard>", "x" * 4097)


def test_a_line_over_the_line_bound_is_refused_with_its_number(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 1000)
    ok = b'{"thread_id": "t", "text": "' + b"a" * 950 + b'"}\n'
    path = tmp_path / "long.jsonl"
    path.write_bytes(ok * 3 + b'{"thread_id": "t", "text": "' + b"b" * 1000 + b'"}\n' + ok)
    with pytest.raises(ImportFailure) as failure:
        read_source(path)
    assert failure.value.line == 4 and "longer than" in failure.value.reason
    exact = tmp_path / "exact.jsonl"
    exact.write_bytes(ok[:-1].ljust(1000, b" ") + b"\n")  # a line of exactly the bound is fine
    assert read_source(exact).text.startswith('{"thread_id"')


def test_a_single_huge_line_is_refused_without_a_traceback(engine, monkeypatch, tmp_path):
    """The 1 GB single-line file, scaled down: the bound, not the parser, answers."""
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 64 * 1024)
    for fmt in FORMATS:
        path = _write(tmp_path, f"one-line-{fmt}", fmt, b'{"text": "' + b"x" * (64 * 1024) + b'"}')
        before = target.snapshot(engine)
        with pytest.raises(ImportFailure, match=r":1: this line is longer than 0\.0625 MB"):
            import_paths(engine, [path], fmt)
        assert target.snapshot(engine) == before


def test_a_file_just_over_the_real_bound_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.truncate(reading.MAX_FILE_BYTES + 1)  # sparse: nothing is written to the disk
    with pytest.raises(ImportFailure, match="larger than 1024 MB"):
        read_source(path)


def test_a_file_streamed_just_over_the_bound_is_refused(monkeypatch, tmp_path):
    """Written in chunks (never whole in memory) to one byte past a lowered bound: refused, the bound itself read."""
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 8 << 20)
    path = tmp_path / "stream.jsonl"
    line = b'{"thread_id": "t", "text": "a line of a streamed comment"}\n'
    chunk = line * (65536 // len(line))
    with path.open("wb") as out:
        while out.tell() + len(chunk) <= reading.MAX_FILE_BYTES:
            out.write(chunk)
        out.write(b" " * (reading.MAX_FILE_BYTES - out.tell()))  # exactly at the bound: still readable
    assert len(read_source(path).text) == reading.MAX_FILE_BYTES
    with path.open("ab") as out:
        out.write(b"\n")
    with pytest.raises(ImportFailure, match="larger than 8 MB"):
        read_source(path)
