"""Access: slow salted password hashes, blind labelling in every core call, SQL only with bound values."""

from __future__ import annotations

import ast
import hashlib
import io
import json
from pathlib import Path

import pytest
from helpers.probes import history, queue_page
from sqlalchemy import select

from moderator.core.agreement import review
from moderator.core.agreement.report import agreement_report
from moderator.core.export import writer as export
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling import browse as queue
from moderator.core.labelling import claims
from moderator.core.labelling import context as threads
from moderator.core.labelling import log as labels
from moderator.core.labelling import session as annotate
from moderator.core.store.tables import Annotator, Comment
from moderator.core.team import accounts
from moderator.core.team.accounts import AuthError, add_account, authenticate, hash_password, verify_password

CORE = Path(accounts.__file__).resolve().parents[1]  # all of moderator/core


# ---- passwords


def test_passwords_are_stored_as_salted_scrypt_and_checked():
    stored = hash_password("correct horse")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert scheme == "scrypt" and int(n) >= 2**14 and int(r) >= 8 and int(p) >= 1 and len(bytes.fromhex(salt)) >= 16
    assert "correct horse" not in stored and hashlib.sha256(b"correct horse").hexdigest() not in stored
    assert stored != hash_password("correct horse")  # a fresh salt each time
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored) and not verify_password("", stored)


def test_an_account_password_is_never_stored_and_a_wrong_one_is_refused(engine):
    admin = add_account(engine, "lead", "admin", "s3cret-lead")
    add_account(engine, "ana", "annotator", "s3cret-ana", by=admin)
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Annotator.name, Annotator.password_hash)).all())
    assert all(h.startswith("scrypt$") and "s3cret" not in h for h in stored.values())
    assert authenticate(engine, "ana", "s3cret-ana").name == "ana"
    for wrong in ("s3cret-lead", "S3cret-ana", "", None):
        with pytest.raises(AuthError):
            authenticate(engine, "ana", wrong)


# ---- blind labelling: every core call that returns labels, as an annotator


@pytest.fixture
def team(engine):
    """ana answered comment 0; bo answered 0 differently, flagged 1 and skipped 2; a reviewer decided 0."""
    drafts = [ThreadDraft(source="t", title="Bridge", comments=[CommentDraft(f"comment {i}") for i in range(4)])]
    import_drafts(engine, drafts, name="t", fmt="t")
    claims.configure(engine, overlap=3)
    lead = add_account(engine, "lead", "admin", "pw")
    ana = add_account(engine, "ana", "annotator", "pw", by=lead)
    bo = add_account(engine, "bo", "annotator", "pw", by=lead)
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Comment.id).order_by(Comment.position)))
    labels.submit(engine, ids[0], ana.id, {"toxicity": 1})
    labels.submit(engine, ids[0], bo.id, {"toxicity": 4, "categories": ["threat"]})
    labels.submit(engine, ids[1], bo.id, {}, status="flagged")
    labels.submit(engine, ids[2], bo.id, {}, status="skipped")
    review.decide(engine, ids[0], lead, {"toxicity": 3})
    return ana, bo, lead, ids


def _compact(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=lambda o: getattr(o, "__dict__", str(o)))
    return text.replace('""', '"').replace(" ", "")  # CSV doubles the quotes of nested JSON


def _leaks(value) -> bool:
    """Whether anything of bo's or the reviewer's shows: bo's values, bo's name, the gold label."""
    return any(s in _compact(value) for s in ('"toxicity":4', '"threat"', '"bo"', '"flagged"', '"skipped"', '"toxicity":3'))


def _exported(engine, fmt: str, viewer) -> str:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        out = io.BytesIO()
        export.write_export(engine, out, fmt, viewer=viewer, keep_annotators=True)
        return json.dumps(pq.read_table(io.BytesIO(out.getvalue())).to_pylist(), default=str)
    out = io.StringIO()
    export.write_export(engine, out, fmt, viewer=viewer, keep_annotators=True)
    return out.getvalue()


def test_an_annotators_export_holds_only_their_own_labels(engine, team):
    ana, bo, lead, ids = team
    records = list(export.iter_records(engine, viewer=ana, keep_annotators=True))
    assert [a["annotator"] for r in records for a in r["annotations"]] == ["ana"]
    assert not any(r.get(k) for r in records for k in ("majority", "soft_labels", "gold"))
    assert not _leaks(records)
    for fmt in export.FORMATS:
        shown = _exported(engine, fmt, ana)
        assert not _leaks(shown) and '"toxicity":1' in _compact(shown), fmt
        assert _leaks(_exported(engine, fmt, lead)), fmt  # the same call shows a reviewer everything
    everyone = list(export.iter_records(engine, viewer=lead, keep_annotators=True))
    assert sorted(a["annotator"] for r in everyone for a in r["annotations"]) == ["ana", "bo", "bo", "bo"]


def test_review_and_agreement_refuse_an_annotator(engine, team):
    ana, bo, lead, ids = team
    for call in (
        lambda: review.disagreements(engine, ana),
        lambda: review.answers(engine, ids[0], ana),
        lambda: review.decide(engine, ids[0], ana, {"toxicity": 1}),
        lambda: agreement_report(engine, viewer=ana),
    ):
        with pytest.raises(AuthError):
            call()
    assert review.disagreements(engine, lead) and agreement_report(engine, viewer=lead)


def test_the_queue_shows_an_annotator_only_their_own_status(engine, team):
    ana, bo, lead, ids = team
    statuses = {item.id: item.status for item in queue_page(engine, ana.id, "all")}
    assert statuses == {ids[0]: "submitted", ids[1]: None, ids[2]: None, ids[3]: None}
    assert {i.id for i in queue_page(engine, ana.id, "mine")} == {ids[0]}
    assert queue_page(engine, ana.id, "flagged") == [] and queue_page(engine, ana.id, "skipped") == []
    assert {r[0] for r in queue.queue_keys(engine, ana.id, "unlabelled")} == set(ids[1:])
    assert {i.status for i in queue.queue_items(engine, ana.id, ids).values()} == {"submitted", None}
    assert queue.item_for(engine, ana.id, ids[1]).status is None
    assert queue.progress_counts(engine, ana.id) == (1, 4)


def test_loading_answering_and_undoing_touch_only_the_annotators_own_labels(engine, team):
    ana, bo, lead, ids = team
    assert labels.current_label(engine, ids[0], ana.id).values["toxicity"] == 1
    assert labels.current_label(engine, ids[1], ana.id) is None
    assert [h.values["toxicity"] for h in history(engine, ids[0], ana.id)] == [1]
    state = annotate.load_item(engine, ana.id, ids[0])
    assert state.label.values["toxicity"] == 1 and not _leaks(state)
    assert annotate.load_item(engine, ana.id, ids[1]).label is None
    resumed = annotate.load_resume(engine, ana.id)
    assert resumed.label is None and resumed.item.status is None and not _leaks(resumed)
    advance = annotate.answer_and_advance(engine, ana.id, ids[1], {"toxicity": 2}, [])
    assert advance.item.status == "submitted" and advance.label.values["toxicity"] == 2 and not _leaks(advance)
    undone = annotate.undo_and_load(engine, ana.id)
    assert undone.item.id == ids[1] and undone.label is None  # ana's own answer undone, bo's flag untouched
    assert queue.item_for(engine, bo.id, ids[1]).status == "flagged"
    context = threads.comment_context(engine, ids[0])
    assert not _leaks(context) and not _leaks(threads.siblings(engine, ids[0]))


# ---- SQL: values always bound, never pasted into the statement

SQL_WORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "COPY", "CREATE", "DROP", "ALTER", "LOCK", "SET", "BEGIN", "PRAGMA", "WITH")
# Interpolations read and judged safe: module constants (UPPER_CASE) are allowed everywhere; these are not constants.
REVIEWED = {
    ("engine.py", "mode"): "the sqlite_begin execution option: '' or 'IMMEDIATE', set only by writer()",
    ("claims.py", "level"): "PRAGMA takes no parameters; int() of the level SQLite itself reported",
    ("scan.py", "columns"): "SQL expressions built by _coded from integers and ? placeholders (values are bound)",
    ("scan.py", "c"): "one of those expressions",
    ("sqlite_sink.py", "value"): "PRAGMA takes no parameters; int() of a cache size (a constant, or one SQLite reported)",
}


def _sql_interpolations(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, expression) of every value pasted into an SQL-looking f-string, .format() or % string."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
        ):
            literal, values = node.func.value.value, [*node.args, *(k.value for k in node.keywords)]
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, (ast.Mod, ast.Add))
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            literal, values = node.left.value, [node.right]
        else:
            continue
        words = literal.split(None, 1)
        if not words or words[0].upper().rstrip("(") not in SQL_WORDS:
            continue
        for value in values:
            names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
            found += [(node.lineno, name) for name in names if not name.isupper() and name not in ("len", "int")]
    return found


def test_sql_statements_never_interpolate_values():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for line, name in _sql_interpolations(ast.parse(path.read_text(encoding="utf-8"))):
            if (path.name, name) not in REVIEWED:
                offenders.append(f"{path.relative_to(CORE)}:{line}: {name} pasted into SQL; bind it as a parameter")
    assert not offenders, "\n".join(offenders)


def test_the_sql_check_catches_an_interpolated_value():
    bad = ast.parse("def f(conn, name):\n    conn.execute(text(f\"SELECT * FROM comments WHERE author = '{name}'\"))")
    assert _sql_interpolations(bad) == [(2, "name")]
