"""An export as a person asks for it: whether they may, whose labels it holds, the data, then its card.

The command line and the window both come here, so the rule is one rule: in one person's file the
export holds everyone's labels; on a team database it holds what the account may see, and on a team
server only reviewers and admins export (pseudonyms need a key annotators may not read; the server
refuses it to them too).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from moderator.core.export.card import check_card_folder, write_card
from moderator.core.export.perspectivist import PERSPECTIVIST_FORMAT, export_perspectivist
from moderator.core.export.scrub import ScrubCounts
from moderator.core.export.writer import export_file
from moderator.core.progress import Cancelled, Progress
from moderator.core.team.accounts import team_mode, uses_logins
from moderator.core.team.identity import Account

REFUSED = "on a team server only reviewers and admins export (exports need the pseudonym key)"
DATA_SHARE = 0.9  # of the progress, when a card follows: drawing its charts takes the rest


class ExportRefused(PermissionError):
    pass


def may_export(account: Account | None) -> bool:
    """What the app can tell before asking the database: a team server's annotator may not."""
    return account is None or account.sees_all or not account.team_server


def may_export_statement(viewer: Account | None) -> bool:
    """The data statement reads every label: for a solo project's owner, reviewers and admins."""
    return viewer is None or viewer.sees_all


def refuse_annotators(engine: Engine, account: Account | None) -> None:
    if account is not None and not account.sees_all and uses_logins(engine):
        raise ExportRefused(REFUSED)


def export_release(
    engine: Engine,
    account: Account | None,
    path: str | Path,
    fmt: str,
    *,
    level: str = "comment",
    keep_authors: bool = False,
    keep_annotators: bool = False,
    scrub: bool = True,
    card: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    card_started=None,
    write_statement=None,
) -> int:
    """Write the export (through PATH.part), then its card; the number of records.

    ``fmt`` "lewidi" is the perspectivist export: PATH is a folder, there is no card, and the number is
    that of its long table's rows (see perspectivist.py).
    ``card_started()`` is called once the data is written: from there on there is nothing to cancel.
    ``write_statement(folder)`` writes the data statement beside the card, which then links it (for those who
    see every label; the report lives above the export, so its writer comes in from the caller).
    ``scrub``: personal data in the texts becomes placeholders (scrub.py); the card says what was replaced.
    """
    viewer = account if team_mode(engine) else None
    refuse_annotators(engine, viewer)
    if fmt == PERSPECTIVIST_FORMAT:
        if card:
            raise ValueError("a perspectivist export has no dataset card")
        summary = export_perspectivist(
            engine, path, viewer, keep_annotators=keep_annotators, progress=progress, cancelled=cancelled, scrub=scrub
        )  # fmt: skip
        return summary.rows
    if card:
        check_card_folder(Path(path))  # before the export, not after it
    share = DATA_SHARE if card else 1.0
    report = (lambda f: progress(share * f)) if progress else None
    names = {"keep_authors": keep_authors, "keep_annotators": keep_annotators}
    scrubbed = ScrubCounts()
    count = export_file(engine, path, fmt, report, viewer, level=level, cancelled=cancelled, scrub=scrub, scrubbed=scrubbed,
                        **names)  # fmt: skip
    if card:
        if card_started is not None:
            card_started()
        statement = write_statement is not None and may_export_statement(viewer)
        if statement:
            write_statement(Path(path).parent)
        write_card(engine, Path(path), fmt, viewer, level=level, statement=statement, scrubbed=scrubbed, **names)
    if progress:
        progress(1.0)
    return count
