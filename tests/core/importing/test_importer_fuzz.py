"""Fuzzing every importer in ``importers.FORMATS``: hypothesis through the database, atheris on parse.

Hostile files must end in an ImportFailure reading ``path:line: reason`` with the database untouched,
or in an import whose rows both backends can store; never another exception, never a hang.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import FUZZ
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator.core.importing.formats import ImportFailure
from moderator.core.importing.writer import import_paths

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

FUZZ = FUZZ
_spec = importlib.util.spec_from_file_location("importer_target", FUZZ / "importer_target.py")
target = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(target)

ATHERIS_SECONDS = 15  # CI budget for the coverage-guided fuzzer; a run takes about this plus 3 s of startup
# Tokens that have broken parsers: quoting, escapes, nesting, encodings, line ends, XML entities.
TOKENS = [
    b'"',
    b"'",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"[",
    b"{",
    b"]",
    b"}",
    b":",
    b",",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xae",
    b"null",
    b'"comments": []',
    b'"thread_id": 1',
    b'"parent_id": "1"',
    b"<!ENTITY a SYSTEM 'file:///etc/passwd'>",
    b"&a;",
    b"<![CDATA[",
    b"]]>",
    b"=cmd|' /C calc'!A0",
    b"9" * 40,
    b"Ann1,Ann1",
]


@st.composite
def hostile_files(draw) -> bytes:
    """A seed or adversarial input, cut, spliced and salted with tokens; or plain random bytes."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=3000))
    pool = {**target.SEEDS, **{k: v for k, v in target.ADVERSARIAL.items() if len(v) < 20_000}}
    data = bytearray(pool[draw(st.sampled_from(sorted(pool)))])
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["cut", "insert", "token", "delete", "repeat"]))
        if op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 50))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 20))
    return bytes(data)


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory):
    from moderator.core.store.engine import open_database

    engine = open_database(str(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"))
    yield engine
    engine.dispose()


def _import_or_refuse(engine, folder: Path, fmt: str, data: bytes, counter: list[int]) -> None:
    counter[0] += 1
    path = folder / f"in{counter[0]}{target.extension(fmt) if fmt != 'auto' else '.txt'}"
    path.write_bytes(data)
    drafts = target.parse_file(path, fmt)  # the protocol's parse: drafts or a clean ImportFailure
    before = target.snapshot(engine)
    try:
        (summary,) = import_paths(engine, [path], fmt)
    except ImportFailure as exc:
        target.check_failure(exc, path)
        assert target.snapshot(engine) == before, f"{exc}: a refused import changed the database"
        return
    # The same bytes may have been imported by an earlier example: then nothing is parsed.
    assert drafts is not None or summary.already_imported, "parse refused a file that import_paths accepted"


@pytest.mark.parametrize("fmt", target.formats())
@pytest.mark.parametrize("backend,examples", [("sqlite", 40), ("postgres", 15)])
def test_hostile_files_are_imported_or_refused_cleanly(fmt, backend, examples, request, tmp_path_factory):
    engine = request.getfixturevalue("sqlite_db" if backend == "sqlite" else "postgres_engine")
    folder = tmp_path_factory.mktemp(f"fuzz-{fmt}")
    counter = [0]

    @settings(max_examples=examples, deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=hostile_files())
    def check(data: bytes) -> None:
        _import_or_refuse(engine, folder, fmt, data, counter)

    check()


def test_atheris_fuzzer_finds_nothing(tmp_path):
    """libFuzzer for a bounded time; a crash, a failed check or an input over 5 s fails the test."""
    run = subprocess.run(
        [
            sys.executable, str(FUZZ / "fuzz_importers.py"), f"-max_total_time={ATHERIS_SECONDS}", "-timeout=5",
            "-rss_limit_mb=3072", f"-artifact_prefix={tmp_path}/", str(tmp_path / "corpus"),
        ],
        capture_output=True, text=True, timeout=ATHERIS_SECONDS + 60, cwd=tmp_path,
        env={**os.environ, "MODERATOR_FUZZ_WORKDIR": str(tmp_path)},
    )  # fmt: skip
    log = run.stderr
    findings = sorted(p.name for p in tmp_path.glob("*") if p.name.startswith(("crash-", "timeout-", "oom-", "leak-")))
    assert run.returncode == 0 and not findings, f"atheris finding {findings}:\n{log[-4000:]}"
    runs = re.search(r"Done (\d+) runs", log)
    assert runs and int(runs.group(1)) > 1000, log[-2000:]
