"""A perspectivist export: every annotator's own labels, never merged, in a folder of four kinds of file.

    <question>_lewidi.json   LeWiDi items, one file per ordinal or nominal question (see lewidi.py)
    questions.json           per question: its file, label, kind, item count and LeWiDi label → value
    annotators_meta.json     one entry per annotator (see annotators_meta.py)
    labels_long.parquet      one row per (comment, annotator, question, value) (see labels_long.py)

One pass over the export's keyset pages (comments in thread order, each with its labels in force) feeds
all of them, so memory stays a page plus a few numbers per annotator, and the folder is one snapshot.
Blind labelling, pseudonyms and scrubbing are the other exports' (see writer.py): annotators appear under
their pseudonymous ids unless ``keep_annotators``; comment authors are not in the folder at all; the LeWiDi
items' texts have their personal data replaced (scrub.py) unless ``scrub=False``.

It is written into FOLDER.part and swapped in at the end: never half an export under the real name.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from moderator.core.export.annotators_meta import AnnotatorTally
from moderator.core.export.labels_long import LongTable
from moderator.core.export.lewidi import SUFFIX, LewidiQuestion, lewidi_annotator, lewidi_questions
from moderator.core.export.pages import A_ANNOTATOR, A_STATUS, C_ID, C_THREAD, HEAD_COLUMNS, Page
from moderator.core.export.records import ANSWERED, LineBuilder
from moderator.core.export.writer import Export, ExportCancelled, stopping
from moderator.core.progress import Cancelled, Progress
from moderator.core.team.accounts import Account

PERSPECTIVIST_FORMAT = "lewidi"  # `moderator export --format lewidi --out FOLDER`
QUESTIONS, META, LONG = "questions.json", "annotators_meta.json", "labels_long.parquet"
_AT = {name: i for i, name in enumerate(HEAD_COLUMNS, 4)}  # a ``columns`` page's comment tuple


@dataclass
class PerspectivistSummary:
    folder: Path
    files: list[str]  # the LeWiDi files, one per question anyone answered
    rows: int  # of labels_long.parquet
    annotators: int


def check_perspectivist_folder(folder: Path) -> None:
    """FileExistsError unless ``folder`` is absent, empty or an earlier perspectivist export (then replaced)."""
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} is a file: a perspectivist export needs a folder")
    if folder.is_dir():
        foreign = sorted(
            p.name for p in folder.iterdir() if p.name not in (QUESTIONS, META, LONG) and not p.name.endswith(SUFFIX)
        )
        if foreign:
            raise FileExistsError(f"{folder} holds other files ({', '.join(foreign[:3])}); export into a new or empty folder")


def export_perspectivist(
    engine: Engine, folder: str | Path, viewer: Account | None = None, *, keep_annotators: bool = False,
    progress: Progress | None = None, cancelled: Cancelled | None = None, scrub: bool = True,
) -> PerspectivistSummary:  # fmt: skip
    """Write the folder (see the module); ExportCancelled once ``cancelled()`` turns true, keeping nothing."""
    folder = Path(folder)
    check_perspectivist_folder(folder)
    part = folder.with_name(folder.name + ".part")
    shutil.rmtree(part, ignore_errors=True)  # a crashed run's leftovers
    part.mkdir(parents=True)
    try:
        summary = _write(engine, part, viewer, keep_annotators, stopping(progress, cancelled), scrub)
        if cancelled is not None and cancelled():  # an empty project reports no page to stop at
            raise ExportCancelled()
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    _swap(part, folder)
    summary.folder = folder
    return summary


def _write(
    engine: Engine, part: Path, viewer: Account | None, keep_annotators: bool, progress, scrub: bool = True
) -> PerspectivistSummary:
    export = Export(engine, viewer, keep_annotators=keep_annotators, scrub=scrub)
    builder = export.builder
    questions = lewidi_questions(export.columns, part)
    tally = AnnotatorTally()
    table = LongTable(str(part / LONG), builder)
    try:
        for page in export.pages(progress, columns=True, provenance=True):  # the long table shows it
            table.add(page)
            tally.add(page)
            _add_items(page, questions, builder)
    finally:
        table.close()
        for q in questions:
            q.close()
    written = [q for q in questions if q.items]
    described = {q.column.id: q.describe() for q in written}
    (part / QUESTIONS).write_text(json.dumps(described, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    annotators = tally.write(part / META, engine, builder.annotators, with_profiles=viewer is None or viewer.sees_all)
    return PerspectivistSummary(part, [q.path.name for q in written], table.rows, annotators)


def _add_items(page: Page, questions: list[LewidiQuestion], builder: LineBuilder) -> None:
    """Each comment's answers as one LeWiDi item per question it has answers to, in the page's order."""
    shown, scrubber = builder.annotators, builder.scrubber
    for c in page.comments:
        rows = page.annotations.get(c[C_ID])
        text = c[_AT["text"]]
        if scrubber is not None:  # every comment, in order: the numbering is every export's
            text = scrubber.text(c[C_THREAD], c[_AT["thread_title"]], c[_AT["thread_url"]], c[C_ID], text, c[_AT["parent_id"]],
                                 c[_AT["parent_text"]], count=bool(rows)).text  # fmt: skip
        if not rows:
            continue
        answers: dict[str, dict[str, object]] = {q.column.id: {} for q in questions}
        for r in rows:
            if r[A_STATUS] not in ANSWERED:  # a skip or a flag answers nothing
                continue
            who = lewidi_annotator(shown[r[A_ANNOTATOR]])
            fitted = builder.row_values(r)[0]
            for qid, mine in answers.items():
                if fitted[qid] is not None:
                    mine[who] = fitted[qid]
        other_info = {
            "comment_id": c[C_ID], "external_id": c[_AT["external_id"]], "parent_id": c[_AT["parent_id"]],
            "thread_id": c[C_THREAD], "thread_external_id": c[_AT["thread_external_id"]],
        }  # fmt: skip
        for q in questions:
            if answers[q.column.id]:
                q.add(c[C_ID], text, answers[q.column.id], other_info)


def _swap(part: Path, folder: Path) -> None:
    """``part`` in the place of ``folder``, an earlier export there removed once the new one is in."""
    if not folder.exists():
        part.rename(folder)
        return
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    folder.rename(old)
    part.rename(folder)
    shutil.rmtree(old)
