"""Labelling on a team server, which the network can take away: no answer is ever lost or doubled.

Each answer (and undo) is first written to the outbox on this computer's disk, on a thread of its own
that never waits for the network; only then does the next comment appear, taken from a batch claimed
ahead (``PREFETCH``), so labelling goes on while the server is away. The database worker sends the
outbox in order and tops the batch up; while the server cannot be reached it tries again every few
seconds, and the status bar says "offline — N answers waiting", then "all answers sent". Quitting waits
a few seconds for the sending, then leaves the rest on disk for the next start, and says so.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer

from moderator.core.labelling.log import Label
from moderator.core.labelling.session import ItemState
from moderator.core.outbox.box import outbox_at
from moderator.core.store.failures import UNREACHABLE, explain, log, unreachable
from moderator.gui.background.workers import DbWorker

PREFETCH = 20  # comments claimed ahead: what an annotator can label with the server away
RETRY_MS = 5000  # how often a waiting outbox is sent again
QUIT_WAIT_S = 5.0  # how long quitting waits for the last sending
UNDO_DEPTH = 200  # this session's answers that undo can take back without the server
SAVED_HERE = "Your answers are saved on this computer and will be sent when it is back."


class OutboxFlow(QObject):
    def __init__(self, controller):
        """``controller``: the window's LabellingController, whose loop this carries on a server."""
        super().__init__(controller)
        self.c = controller
        self.project = controller.project
        self.box = self.project.outbox_path(f"annotator {controller.annotator_id}")
        self.saver = DbWorker(self)  # the local disk only: never behind a job that waits for the network
        self.ahead: deque[ItemState] = deque()
        # Answered this session: each comment as it was before, and the status given; what undo restores.
        self.history: list[tuple[ItemState, str]] = []
        self.offline = False
        self.waiting = 0
        self._syncing = False
        self._again = False
        self._retry = QTimer(self, interval=RETRY_MS)
        self._retry.timeout.connect(self.sync)

    # the loop --------------------------------------------------------------------------------------

    def start_job(self) -> ItemState | None:
        """On the worker: send what the last session left waiting, then resume where the annotator stopped."""
        self.project.send_outbox(self.box)
        return self.project.load_resume(self.c.annotator_id)

    def open(self, comment_id: int) -> None:
        """The annotator went to another comment: what was claimed ahead of the old place goes back to
        the pool, and a new batch is claimed after this one once it is on screen."""
        dropped = [state.item.id for state in self.ahead]
        self.ahead.clear()
        self.c._run(lambda: self._load_job(comment_id, dropped), lambda state: (self.c._show(state), self.sync()))

    def _load_job(self, comment_id: int, dropped: list[int]) -> ItemState | None:
        for other in dropped:
            self.project.release(self.c.annotator_id, other)
        self.project.send_outbox(self.box)  # so the comment shows the annotator's latest answer
        return self.project.load_item(self.c.annotator_id, comment_id)

    def answer(self, answered: ItemState, payload: dict) -> None:
        """Keep the answer on disk, then show the next comment (the sending follows, in the background)."""
        self.c._running = True
        self.saver.submit(self.project.keep, self.box, "answer", payload,
                          on_done=lambda _entry: self._kept(answered, payload), on_error=self.c._failed)  # fmt: skip

    def _kept(self, answered: ItemState, payload: dict) -> None:
        c = self.c
        status, values, spans = payload["status"], payload["values"], payload["spans"]
        self.history.append((answered, status))
        del self.history[:-UNDO_DEPTH]
        item = replace(answered.item, status=status)
        c.count(answered.item.status, status)
        c.item_changed.emit(item)
        c._running = False
        following = self._take_ahead(answered.item.id)
        if following is not None:
            c._show(following)
        else:  # nothing claimed ahead: ask the server (after sending), or stay, offline
            mine = Label(0, item.id, c.annotator_id, values, spans, status, datetime.now(UTC), payload.get("duration_ms"))
            here = ItemState(item, answered.context, mine)
            held = [s.item.id for s in self.ahead] + [item.id]
            c._run(lambda: self._next_job(item.key, held), lambda state: self._next_or_stay(state, here))
        self.sync()
        if status == "submitted":
            self._ask_feedback(item.id, values)
        c._replay()

    def _ask_feedback(self, comment_id: int, values: dict) -> None:
        """Once the answer is sent: the reference answers, if it was a gold item the project explains. A
        note that comes after the next answer was begun is for no comment on screen: it is dropped, as is
        the note of an answer given offline (the server is not asked again for it)."""
        if self.offline:
            return
        given = self.c.answers_given

        def show(reference) -> None:
            if reference and given == self.c.answers_given and not self.c.closed:
                self.c.feedback.emit((reference, values))

        self.c.worker.submit(self._feedback_job, comment_id, on_done=show, on_error=lambda _exc: None)

    def _feedback_job(self, comment_id: int):
        """On the worker, after the sending queued before it: send (the answer must be in), then ask."""
        if self.project.send_outbox(self.box).unreachable is not None:
            return None  # offline: the answer waits on disk, and the note is left out
        return self.project.gold_feedback(self.c.annotator_id, comment_id)

    def _next_job(self, after, held) -> ItemState | None | Exception:
        """On the worker: send, then claim the next comment; the server being away is a result, not a failure."""
        try:
            self.project.send_outbox(self.box)
            return self.project.claim_item(self.c.annotator_id, after, held)
        except Exception as exc:
            if unreachable(exc):
                return exc
            raise

    def _next_or_stay(self, state, here: ItemState) -> None:
        if isinstance(state, Exception):
            self._went_offline(state)
            self.c._show(here)
            self.c.notice.emit(f"{UNREACHABLE} {SAVED_HERE}")
        elif state is None:
            self.c._show(here)
            self.c.notice.emit(self.c.all_seen_notice())
        else:
            self.c._show(state)

    def undo(self) -> None:
        if not self.history:  # an answer of an earlier session: the server knows what it restores
            self.c._run(lambda: (self.project.send_outbox(self.box), self.project.undo_and_load(self.c.annotator_id))[1],
                        self.c._undone)  # fmt: skip
            return
        self.c._running = True
        self.saver.submit(self.project.keep, self.box, "undo", {"annotator_id": self.c.annotator_id},
                          on_done=lambda _entry: self._undone_here(), on_error=self.c._failed)  # fmt: skip

    def _undone_here(self) -> None:
        c = self.c
        before, given = self.history.pop()
        current = c.state
        if current is not None and current.item.id != before.item.id and current.item.status is None:
            self.ahead.appendleft(current)  # still to be answered: it comes back next
        c.count(given, before.item.status, undo=True)
        c.item_changed.emit(before.item)
        c._running = False
        c.notice.emit(f"Undone: comment #{before.item.position + 1} is back as it was.")
        c._show(before)
        self.sync()
        c._replay()

    def _take_ahead(self, answered_id: int) -> ItemState | None:
        while self.ahead:
            state = self.ahead.popleft()
            if state.item.id != answered_id:
                return state
        return None

    # sending and claiming ahead, on the worker ----------------------------------------------------

    def sync(self) -> None:
        """Send the outbox and top up the batch claimed ahead (one job at a time; asked again, it runs again)."""
        if self.c.closed:
            return
        if self._syncing:
            self._again = True
            return
        self._syncing = True
        current = self.c.state
        held = [s.item.id for s in self.ahead] + ([current.item.id] if current else [])
        after = self.ahead[-1].item.key if self.ahead else (current.item.key if current else None)
        want = PREFETCH - len(self.ahead)
        self.c.worker.submit(self._sync_job, held, after, want, on_done=self._synced, on_error=self._sync_failed)

    def _sync_job(self, held, after, want):
        delivery = self.project.send_outbox(self.box)
        batch: list[ItemState] = []
        if delivery.unreachable is None and want > 0:
            try:
                batch = self.project.prefetch(self.c.annotator_id, after, held, want)
            except Exception as exc:
                if not unreachable(exc):
                    raise
        return delivery, batch

    def _synced(self, result) -> None:
        delivery, batch = result
        self._syncing = False
        held = {s.item.id for s in self.ahead} | ({self.c.state.item.id} if self.c.state else set())
        self.ahead.extend(state for state in batch if state.item.id not in held)
        was_waiting = self.waiting
        self.waiting = delivery.waiting
        if delivery.late:
            self.c.notice.emit(f"{delivery.late} answer{'s' if delivery.late != 1 else ''} arrived after the comment had all its "
                               "answers: kept, marked late")  # fmt: skip
        for entry, reason in delivery.refused:
            log.warning("the server refused an answer kept in the outbox (%s): %s", entry.client_id, reason)
            self.c.notice.emit(f"The server refused an answer; it is kept on this computer: {reason}")
        if delivery.unreachable is not None:
            self._went_offline(delivery.unreachable)
        else:
            self.offline = False
            if was_waiting and not self.waiting:
                self.c.sync_state.emit("all answers sent")
            elif not self.waiting:
                self.c.sync_state.emit("")
        if self.waiting and not self._retry.isActive():
            self._retry.start()
        elif not self.waiting:
            self._retry.stop()
        if self._again:
            self._again = False
            self.sync()

    def _went_offline(self, reason) -> None:
        if not self.offline:
            log.warning("offline: %s", reason)
        self.offline = True
        self.c.sync_state.emit(f"offline — {self.waiting} answer{'s' if self.waiting != 1 else ''} waiting")
        if not self._retry.isActive():
            self._retry.start()

    def _sync_failed(self, exc: Exception) -> None:
        self._syncing = False
        self.c.notice.emit(f"Not sent: {explain(exc)}")

    def renew_job_ids(self) -> list[int]:
        """The comments whose leases to keep: the one on screen and those claimed ahead."""
        return ([self.c.state.item.id] if self.c.state else []) + [s.item.id for s in self.ahead]

    # quitting ---------------------------------------------------------------------------------------

    def finish(self) -> None:
        """Every answer is on disk already; try a last sending, a few seconds at most, and say what is left."""
        self._retry.stop()
        self.saver.shutdown()  # local writes: quick, and they must all be on disk
        worker = self.c.worker
        worker.submit(self.project.send_outbox, self.box)
        worker.submit(self.project.release, self.c.annotator_id)  # slots claimed ahead go back at once
        sent = worker.shutdown(timeout_s=QUIT_WAIT_S)
        left = _count_waiting(self.box)
        if left:
            note = f"{left} answer{'s are' if left != 1 else ' is'} saved on this computer and will be sent at the next start"
            log.warning(note)
            print(f"moderator: {note}", file=sys.stderr)
        elif not sent:
            log.warning("quit while the server was not answering; nothing was waiting")


def _count_waiting(box) -> int:
    """The outbox's waiting entries, read on a thread of its own (never the GUI's)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: outbox_at(box).count()).result(timeout=30)
