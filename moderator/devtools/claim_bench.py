"""Claim latency with many annotators at once on PostgreSQL: `moderator bench --claims`.

A throwaway database gets a synthetic corpus and overlap k; N annotator processes then each claim the
next comment and answer it until nothing is left for them. Every claim and every answer is timed in
the process that made it. With ``team`` each annotator connects with a login of their own, so the
database's row-level security, grants and triggers are in the path (`core.team`); without it, everyone
shares the owner's URL, as before team mode.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from moderator.devtools.bench import percentiles


def _annotator(url: str, annotator_id: int, start, results) -> None:
    from moderator.core.store.engine import make_engine

    engine = make_engine(url)
    claims: list[float] = []
    answers: list[float] = []
    start.wait()
    try:
        _label_all(engine, annotator_id, claims, answers)
    except Exception as exc:  # the parent must hear of it, not wait for ever
        results.put(exc)
        return
    finally:
        engine.dispose()
    results.put((claims, answers))


def _label_all(engine, annotator_id: int, claims: list[float], answers: list[float]) -> None:
    from moderator.core.labelling.claims import claim_next_item
    from moderator.core.labelling.log import submit

    after = None
    while True:
        began = time.perf_counter()
        item = claim_next_item(engine, annotator_id, after)
        claims.append((time.perf_counter() - began) * 1000)
        if item is None:
            break
        began = time.perf_counter()
        submit(engine, item.id, annotator_id, {"toxicity": 1 + item.id % 4, "dehumanization": "none"})
        answers.append((time.perf_counter() - began) * 1000)
        after = item.key


@contextmanager
def _database(admin_url: str):
    from moderator.core.store.engine import make_engine

    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"moderator_claimbench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(admin_url: str, workdir: Path, annotators: int = 8, comments: int = 3000, overlap: int = 3,
        team: bool = False, say: Callable[[str], None] = print) -> dict:  # fmt: skip
    """Median and p95 of claim and answer latency (ms) with ``annotators`` processes labelling at once."""
    from moderator.core.importing.writer import import_paths
    from moderator.core.labelling.claims import configure
    from moderator.core.labelling.log import active_schema
    from moderator.core.store.engine import open_database
    from moderator.devtools.synthetic import write_bulk_jsonl

    jsonl = write_bulk_jsonl(workdir / "claims.jsonl", comments)
    logins: list[str] = []  # filled as they are made, so a failure half-way still drops them
    database = None
    try:
        with _database(admin_url) as url:
            database = url.database
            owner = open_database(url.render_as_string(hide_password=False))
            import_paths(owner, [jsonl])
            configure(owner, overlap=overlap)
            active_schema(owner)  # stored by the owner: an annotator's login may not store one
            if team:
                _team_logins(owner, annotators, logins)
            claims, answers, stored = _race(owner, url, logins, annotators, team, say, overlap, comments)
            owner.dispose()
    finally:
        if team and database:  # after the database is gone: its groups hold grants in it until then
            _drop_roles(admin_url, logins, database)
    return {
        "annotators": annotators, "overlap": overlap, "comments": comments, "team": team, "answers": stored,
        "claim_ms": percentiles(claims), "answer_ms": percentiles(answers),
    }  # fmt: skip


def _race(owner, url, logins: list[str], annotators: int, team: bool, say, overlap: int, comments: int):
    """Every annotator process labels until nothing is left; (claim times, answer times, rows stored)."""
    from moderator.core.team.accounts import ensure_annotator

    urls = [url.set(username=login).render_as_string(hide_password=False) for login in logins] or [
        url.render_as_string(hide_password=False)
    ] * annotators
    ids = [ensure_annotator(owner, login or f"bench{i}") for i, login in enumerate(logins or [None] * annotators)]
    say(f"{annotators} annotators, k = {overlap}, {comments:,} comments{' (own logins)' if team else ''}")
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_annotator, args=(u, i, start, results)) for u, i in zip(urls, ids, strict=True)]
    for worker in workers:
        worker.start()
    start.set()
    claims: list[float] = []
    answers: list[float] = []
    for _ in workers:
        got = results.get(timeout=3600)
        if isinstance(got, Exception):
            raise got
        claims += got[0]
        answers += got[1]
    for worker in workers:
        worker.join()
    with owner.connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM annotations"))
    return claims, answers, stored


def _team_logins(owner, annotators: int, logins: list[str]) -> None:
    from moderator.core.team.logins import add_login, setup_team

    setup_team(owner)
    tag = uuid.uuid4().hex[:6]
    for i in range(annotators):
        logins.append(f"bench_{tag}_{i}")
        add_login(owner, logins[-1], "annotator", password=uuid.uuid4().hex)


def _drop_roles(admin_url: str, logins: list[str], database: str) -> None:
    """The bench's logins and its database's groups: roles belong to the whole server, not the database."""
    from moderator.core.store.engine import make_engine
    from moderator.core.team.logins import drop_groups, drop_login

    admin = make_engine(admin_url)
    for login in logins:
        drop_login(admin, login)
    drop_groups(admin, database)
    admin.dispose()


def format_results(results: dict) -> str:
    claim, answer = results["claim_ms"], results["answer_ms"]
    return (
        f"{results['annotators']} annotators, k = {results['overlap']}, {results['comments']:,} comments"
        f"{', own logins' if results['team'] else ''}: {results['answers']:,} answers\n"
        f"claim  median {claim['median_ms']:.1f} ms, p95 {claim['p95_ms']:.1f} ms\n"
        f"answer median {answer['median_ms']:.1f} ms, p95 {answer['p95_ms']:.1f} ms"
    )
