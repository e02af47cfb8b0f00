"""What the importer tests check through the command line: the rows a real import leaves behind."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from helpers import paths
from moderator.cli.main import main
from moderator.core.store.tables import Annotation, Annotator, Comment, ImportBatch, QuoteSpan, Thread

FIXTURES = paths.FIXTURES / "import"


def cli_import(engine, capsys, *args) -> tuple[int, str, str]:
    """``moderator --db URL import ARGS`` on the test's database: exit status, stdout, stderr."""
    capsys.readouterr()
    status = main(["--db", engine.url.render_as_string(hide_password=False), "import", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def snapshot(engine):
    """Every row an import can write, to prove a refused import changed nothing."""
    with engine.connect() as conn:
        return [
            conn.execute(select(m).order_by(m.id)).all() for m in (ImportBatch, Thread, Comment, QuoteSpan, Annotation, Annotator)
        ]


def refused(engine, capsys, path, line, *words) -> str:
    """Import ``path``: exit 1, ``path:line: reason`` naming ``words``, no traceback, database unchanged.

    ``line=None`` accepts any line number (the caller checks it).
    """
    before = snapshot(engine)
    status, _, err = cli_import(engine, capsys, path)
    assert status == 1, err
    assert err.startswith(f"{path}:{line}: " if line is not None else f"{path}:"), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    assert snapshot(engine) == before
    return err


def threads(engine) -> dict[str, Thread]:
    with engine.connect() as conn:
        return {t.external_id: t for t in conn.execute(select(Thread).order_by(Thread.id)).all()}


def comments(engine) -> dict[str, dict]:
    """Every comment by external id: its thread's and parent's external ids, depth, author, text, meta and quotes."""
    parent = aliased(Comment)
    source = aliased(Comment)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Comment, Thread.external_id.label("thread"), parent.external_id.label("parent"))
            .join(Thread, Thread.id == Comment.thread_id)
            .outerjoin(parent, parent.id == Comment.parent_id)
            .order_by(Comment.thread_id, Comment.position)
        ).all()
        quotes = conn.execute(
            select(Comment.external_id, QuoteSpan, source.external_id.label("of"))
            .join(Comment, Comment.id == QuoteSpan.comment_id)
            .outerjoin(source, source.id == QuoteSpan.source_comment_id)
        ).all()
    found = {
        r.external_id: {"thread": r.thread, "parent": r.parent, "depth": r.depth, "author": r.author, "text": r.text,
                        "meta": r.meta, "quotes": []}
        for r in rows
    }  # fmt: skip
    for q in quotes:
        found[q[0]]["quotes"].append((q.start, q.end, q.source, q.of, q.source_start, q.source_end))
    return found


def quoted(found: dict[str, dict], cid: str, article: str = "") -> list[tuple[str, str]]:
    """Each quote of a comment as (its words, the words it points at in the source)."""
    c = found[cid]
    out = []
    for start, end, kind, of, s0, s1 in c["quotes"]:
        src = found[of]["text"] if kind == "comment" else article
        out.append((c["text"][start:end], src[s0:s1]))
    return out
