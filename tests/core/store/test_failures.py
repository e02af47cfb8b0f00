"""Failures worded for people: no SQL in the window, the whole error in the log file."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from moderator.core.schema.definition import LabelError
from moderator.core.store import failures
from moderator.core.store.engine import make_engine


@pytest.fixture
def logged(tmp_path):
    yield failures.log_to_file(tmp_path / "moderator.log")
    failures.close_log_file()


def test_an_unreachable_server_is_one_sentence_and_the_details_are_logged(logged):
    nowhere = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(OperationalError) as caught:
        with nowhere.connect() as conn:
            conn.execute(text("SELECT 1"))
    message = failures.explain(caught.value)
    assert message.startswith(failures.UNREACHABLE) and "127.0.0.1" not in message and "SQL" not in message
    assert "127.0.0.1" in logged.read_text()  # the driver's own words, for whoever helps


def test_a_busy_or_full_sqlite_file_and_a_refused_label_say_so(logged):
    busy = OperationalError("INSERT INTO annotations …", {}, sqlite3.OperationalError("database is locked"))
    assert failures.explain(busy).startswith(failures.BUSY)
    full = OperationalError("INSERT INTO annotations …", {}, sqlite3.OperationalError("database or disk is full"))
    assert failures.explain(full).startswith(failures.DISK_FULL)
    assert failures.explain(OSError(errno.ENOSPC, "No space left on device")).startswith(failures.DISK_FULL)
    assert failures.explain(LabelError("toxicity: 7 is not an option")) == "toxicity: 7 is not an option"
    other = OperationalError("SELECT x FROM comments", {}, sqlite3.OperationalError("no such column: x"))
    assert "SELECT" not in failures.explain(other) and str(logged) in failures.explain(other)


def test_the_labelling_loop_gives_up_on_a_statement_after_a_few_seconds(postgres_engine, logged):
    """No claim or answer may hold the window's worker for long: the server cancels it, and it is said so."""
    from moderator.core.store.engine import labelling_engine

    loop = labelling_engine(postgres_engine)
    try:
        with pytest.raises(OperationalError) as caught:
            with loop.connect() as conn:
                conn.execute(text("SELECT pg_sleep(600)"))
        assert failures.explain(caught.value).startswith(failures.SLOW)
    finally:
        loop.dispose()
