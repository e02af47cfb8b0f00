"""Sending the outbox: its waiting entries, oldest first, each stored once by the server.

An answer whose comment got all its k answers while it waited (its lease had lapsed) is stored as
"late": kept with its values, counted in no slot. An entry the server refuses for good (a label the
schema no longer allows) is kept in the outbox, marked with the reason, never dropped; the ones after
it go on. When the server cannot be reached the sending stops and
everything not sent stays waiting, to be sent again on reconnect or at the next start.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from moderator.core.agreement import review
from moderator.core.labelling import log
from moderator.core.labelling.claims import SlotTaken
from moderator.core.outbox.box import REFUSED, SENT, Entry, Outbox
from moderator.core.schema.definition import LabelError
from moderator.core.store.failures import unreachable
from moderator.core.team.identity import Account


@dataclass
class Delivery:
    sent: int = 0
    late: int = 0  # of those sent, answers stored as late (their comment had its k answers by then)
    refused: list[tuple[Entry, str]] = field(default_factory=list)
    waiting: int = 0  # left in the outbox
    unreachable: str | None = None  # why sending stopped, when the server could not be reached


def deliver(engine: Engine, entry: Entry):
    """Store one entry on the server (a second time stores nothing more); what the core call returns."""
    p = entry.payload
    if entry.kind == "gold":
        reviewer = Account(p["reviewer_id"], p["reviewer_name"], p["reviewer_role"])
        return review.decide(engine, p["comment_id"], reviewer, p["values"], p.get("note"), client_id=entry.client_id)
    if entry.kind == "undo":
        return log.undo_last(engine, p["annotator_id"], client_id=entry.client_id)
    started = datetime.fromisoformat(p["started_at"]) if p.get("started_at") else None
    answer = (engine, p["comment_id"], p["annotator_id"], p.get("values") or {}, p.get("spans") or [],
              p.get("status", "submitted"), started, p.get("duration_ms"))  # fmt: skip
    try:
        return log.submit(*answer, client_id=entry.client_id, provenance=p.get("provenance"))
    except SlotTaken:  # typed while its lease lapsed, and the comment filled up meanwhile: kept, marked late
        return log.submit(*answer, client_id=entry.client_id, late=True, provenance=p.get("provenance"))


def send_waiting(engine: Engine, box: Outbox, stop: threading.Event | None = None) -> Delivery:
    """Send every waiting entry in order, until done, ``stop`` or the server is unreachable."""
    done = Delivery()
    for entry in box.waiting():
        if stop is not None and stop.is_set():
            break
        try:
            stored = deliver(engine, entry)
        except LabelError as exc:
            box.mark(entry, REFUSED, str(exc))
            done.refused.append((entry, str(exc)))
            continue
        except Exception as exc:
            if not unreachable(exc):
                raise
            done.unreachable = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            break
        late = isinstance(stored, log.Label) and stored.status == "late"
        box.mark(entry, SENT, "late" if late else None)
        done.sent += 1
        done.late += late
    done.waiting = box.count()
    return done
