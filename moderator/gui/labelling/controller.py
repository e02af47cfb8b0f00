"""The labelling loop in the window: forwards each key to one core job on the worker.

While a job runs, further keys wait in order and replay once its result is shown, so fast typing
("3 Enter 1 Enter") never lands on the wrong comment and never blocks the GUI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal

from moderator.core.assist import model as assist
from moderator.core.labelling.browse import AnswerCounts
from moderator.core.labelling.drafts import Drafts
from moderator.core.labelling.log import SKIP_REASON_KEY
from moderator.core.labelling.session import Advance, ItemState
from moderator.core.project import Project
from moderator.core.store.failures import explain
from moderator.core.wellbeing.session import WELLBEING_SKIP
from moderator.gui.background.workers import DbWorker
from moderator.gui.labelling.label_panel import LabelPanel
from moderator.gui.labelling.outbox_flow import OutboxFlow

RENEW_EVERY_MS = 3 * 60 * 1000  # well inside the shortest lease (10 minutes; 30 by default)
SET_ASIDE = ("skipped", "flagged")  # seen, not labelled: never counted as answered


def _kind(status: str | None) -> str | None:
    """What an answer's status counts as: "answered", "set_aside", or nothing (no answer in force)."""
    if status is None or status == "retracted":
        return None
    return "set_aside" if status in SET_ASIDE else "answered"


class LabellingController(QObject):
    shown = Signal(object)  # ItemState, or None when there is nothing to label
    item_changed = Signal(object)  # QueueItem whose status changed
    progress = Signal(object)  # (AnswerCounts: answered, set aside, total; answered this session)
    notice = Signal(str)  # a short message for the status bar
    sync_state = Signal(str)  # team servers: "offline — N answers waiting", "all answers sent", or ""
    refused = Signal(list)  # question ids that must be answered first
    # After a gold item, when the project explains them: (its reference answers, the answers given);
    # None when the next answer (or an undo) starts, to put the note away.
    feedback = Signal(object)

    def __init__(self, project: Project, worker: DbWorker, annotator_id: int, panel: LabelPanel, parent=None):
        super().__init__(parent)
        self.project = project
        self.worker = worker
        self.annotator_id = annotator_id
        self.panel = panel
        self.state: ItemState | None = None
        self._running = False  # a job whose result the user waits for (keys typed meanwhile wait for it)
        self._counting = 0  # progress counts under way
        self._waiting: list[Callable[[], None]] = []
        self._shown_at = time.monotonic()
        self._started_at: datetime | None = None
        self.counts = AnswerCounts(0, 0, 0)
        self.session = 0
        self.drafts = Drafts()  # answers given but not submitted, per comment, for this session
        self.experiment = None  # the lead's experiment, read at start; its arm goes with every label
        self.condition: dict | None = None  # the arm the comment on screen is labelled under
        self.facts: dict = {}  # how the answer on screen is being made (core.labelling.provenance)
        self._first_key_ms: int | None = None
        panel.edited.connect(self._first_key)
        self._leaving_answered: int | None = None  # the comment just answered: what its panel held is no draft
        self.answers_given = 0  # answers (and undos) started this session: a late gold note is for none of them
        self.closed = False
        # Keep the lease on the comment on screen; an app that is gone stops renewing and its slot returns.
        self._renewal = QTimer(self, interval=RENEW_EVERY_MS)
        self._renewal.timeout.connect(self._renew)
        self._renewal.start()
        # A server, which the network can take away, gets answers through the outbox; a file directly.
        self.flow = OutboxFlow(self) if project.keeps_outbox else None

    # entry points ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A job is under way: the item being loaded or answered, or the progress counts."""
        return self._running or self._counting > 0

    def start(self) -> None:
        """Show where the annotator left off first; count progress afterwards, in a job of its own.

        The worker runs jobs in order, so the count lands before the result of any answer typed after
        the first item appeared, and the running tally (``done``) stays right.
        """
        self.worker.submit(self.project.experiment, on_done=self._set_experiment, on_error=lambda _exc: None)
        if self.flow is not None:
            self._run(self.flow.start_job, lambda state: (self._show(state), self.flow.sync()))
        else:
            self._run(lambda: self.project.load_resume(self.annotator_id), self._show)
        self.refresh_progress()

    def refresh_progress(self) -> None:
        """Count what this annotator has answered and set aside, and the corpus size (at start, after an
        import or an undo)."""
        self._counting += 1

        def counted(counts: AnswerCounts) -> None:
            self._counting -= 1
            self.counts = counts
            self._emit_progress()

        def failed(exc: Exception) -> None:
            self._counting -= 1
            self.notice.emit(f"Could not count progress: {explain(exc)}")

        self.worker.submit(self.project.answer_counts, self.annotator_id, on_done=counted, on_error=failed)

    def dispatch(self, step: Callable[[], None]) -> None:
        """Run a user step now, or after the job under way has shown its result."""
        if self.closed:
            return
        if self._running:
            self._waiting.append(step)
        else:
            step()

    def open(self, comment_id: int) -> None:
        if self.flow is not None:
            self.dispatch(lambda: self.flow.open(comment_id))
            return
        self.dispatch(lambda: self._run(lambda: self.project.load_item(self.annotator_id, comment_id), self._show))

    def submit(self) -> None:
        self.dispatch(lambda: self._answer("submitted"))

    def skip(self) -> None:
        self.dispatch(lambda: self._answer("skipped"))

    def flag(self) -> None:
        self.dispatch(lambda: self._answer("flagged"))

    def skip_for_wellbeing(self) -> None:
        """Skip with the reason kept, and nothing of a half-given answer: it returns to the pool for others."""
        self.dispatch(lambda: self._answer("skipped", {SKIP_REASON_KEY: WELLBEING_SKIP}))

    def undo(self) -> None:
        self.dispatch(self._undo)

    def _undo(self) -> None:
        self._new_answer()
        if self.flow is not None:
            self.flow.undo()
            return
        self._run(lambda: self.project.undo_and_load(self.annotator_id), self._undone)

    def choose(self, qid: str, value) -> None:
        self.dispatch(lambda: self.panel.choose(qid, value) if self.state else None)

    def hold(self, start: Callable[[Callable[[], None]], None], then: Callable[[], None]) -> None:
        """Hold the keys typed from now on while ``start(done)`` waits for work of the window's own (a
        queue page loading); once it calls ``done()``, run ``then`` and replay the held keys in order."""
        self._running = True

        def done() -> None:
            self._running = False
            then()  # may start a job of its own, which the held keys then wait for
            self._replay()

        start(done)

    def after_pending(self, step: Callable[[], None]) -> None:
        """Run ``step`` once every key typed so far has been handled (e.g. quit after "1 Enter")."""
        self.dispatch(step)

    def finish(self, timeout_s: float = 30.0) -> None:
        """Before closing: let every key already typed take effect (an Enter is a submission), then stop."""
        deadline = time.monotonic() + timeout_s
        while self._running and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        self.closed = True
        self._waiting.clear()
        self._renewal.stop()
        if self.flow is not None:
            self.flow.finish()
            return
        self.worker.submit(self.project.release, self.annotator_id)  # give unanswered slots back now

    # jobs -----------------------------------------------------------------------------------------

    def _answer(self, status: str, values: dict | None = None) -> None:
        if self.state is None:
            self.notice.emit("Nothing to label: import a thread (File → Import or Paste thread).")
            return
        if status == "submitted":
            missing = self.panel.missing_required()
            if missing:
                self.refused.emit(missing)
                return
        values, spans = (self.panel.values(), self.panel.spans()) if values is None else (values, [])
        self._new_answer()
        self._leaving_answered = self.state.item.id
        self.drafts.drop(self.state.item.id)
        duration = int((time.monotonic() - self._shown_at) * 1000)
        provenance = self.facts | {"first_key_ms": self._first_key_ms}
        if self.flow is not None:
            payload = {"annotator_id": self.annotator_id, "comment_id": self.state.item.id, "values": values, "spans": spans,
                       "status": status, "started_at": self._started_at, "duration_ms": duration, "provenance": provenance}  # fmt: skip
            self.flow.answer(self.state, payload)
            return
        args = (self.annotator_id, self.state.item.id, values, spans, status, self._started_at, duration)
        self._run(lambda: self.project.answer_and_advance(*args, provenance=provenance), self._advanced)

    def _new_answer(self) -> None:
        self.answers_given += 1
        self.feedback.emit(None)

    def _run(self, job: Callable[[], object], on_done: Callable[[object], None]) -> None:
        self._running = True
        self.worker.submit(job, on_done=lambda result: self._finish(on_done, result), on_error=self._failed)

    def _finish(self, on_done: Callable[[object], None], result: object) -> None:
        on_done(result)
        self._running = False
        self._replay()

    def _replay(self) -> None:
        while self._waiting and not self._running:
            self._waiting.pop(0)()

    def _failed(self, exc: Exception) -> None:
        self._running = False
        self._waiting.clear()  # keys typed for a step that failed must not land elsewhere
        self.notice.emit(f"Not saved: {explain(exc)}")

    # results --------------------------------------------------------------------------------------

    def _show(self, state: ItemState | None) -> None:
        self._keep_draft(state)
        self.state = state
        self._shown_at = time.monotonic()
        self._started_at = datetime.now(UTC)
        self.panel.set_model_hint(None)
        self._first_key_ms = None
        if state is not None:
            self._note_context(state)
            stored = (state.label.values, state.label.spans) if state.label else (None, None)
            draft = self.drafts.take(state.item.id)
            if draft is None:
                self.panel.set_state(*stored, state.context.comment.text)
            else:
                self.panel.restore(draft, *stored, state.context.comment.text)
                self.notice.emit("Your unsubmitted answers to this comment are back (Enter submits them).")
            self._ask_hint(state.item.id, state.label is not None and state.label.status == "submitted")
        self.shown.emit(state)

    # how the answer is made (its provenance) -------------------------------------------------------

    def _set_experiment(self, experiment) -> None:
        self.experiment = experiment

    @property
    def context_hidden(self) -> bool:
        """The experiment's arm for the comment on screen hides the article and the parent comment."""
        return bool(self.condition) and self.condition["factor"] == "context" and self.condition["arm"] == "hidden"

    def _note_context(self, state: ItemState) -> None:
        self.condition = self.project.condition(self.experiment, self.annotator_id, state.item.id)
        ctx, shown = state.context, not self.context_hidden
        self.facts = {"article_shown": shown and bool(ctx.article), "parent_shown": shown and bool(ctx.parents),
                      "named_parent_shown": shown and not ctx.parents and ctx.named_parent is not None,
                      "siblings_opened": False, "blurred": False, "revealed": False, "hint_shown": False,
                      "hint_score": None, "condition": self.condition}  # fmt: skip

    def note(self, fact: str, value=True) -> None:
        """Something on screen changed how the answer is made: a blur, a reveal, the siblings opened."""
        if self.state is not None:
            self.facts[fact] = value

    def _first_key(self) -> None:
        if self._first_key_ms is None and self.state is not None:
            self._first_key_ms = int((time.monotonic() - self._shown_at) * 1000)

    def _keep_draft(self, coming: ItemState | None) -> None:
        """Leaving a comment with answers not submitted: keep them for when the annotator comes back."""
        leaving, answered, self._leaving_answered = self.state, self._leaving_answered, None
        if leaving is None or leaving.item.id == answered or (coming is not None and coming.item.id == leaving.item.id):
            return
        if self.panel.changed():
            self.drafts.keep(leaving.item.id, self.panel.snapshot())

    def unsubmitted(self) -> int:
        """Comments with answers given but not submitted: the drafts, and the comment on screen if changed."""
        on_screen = self.state is not None and self.panel.changed()
        return len(self.drafts) + (1 if on_screen and self.state.item.id not in self.drafts.comment_ids() else 0)

    def _ask_hint(self, comment_id: int, answered: bool) -> None:
        """The assist model's score, read after the item is on screen (a key lookup, never in the way),
        when the project's hint mode shows it (off, after the annotator's own answer, or always)."""

        def show(score: float | None) -> None:
            if score is not None and self.state is not None and self.state.item.id == comment_id:
                self.panel.set_model_hint(assist.hint(score))
                self.facts |= {"hint_shown": True, "hint_score": round(float(score), 4)}

        arm = self.condition["arm"] if self.condition and self.condition["factor"] == "hint" else None
        if arm == "hidden":
            return  # the experiment's arm: no guess on screen
        job = (lambda: self.project.model_score(comment_id)) if arm == "shown" else (
            lambda: self.project.hint_score(comment_id, answered))  # fmt: skip
        self.worker.submit(job, on_done=show, on_error=lambda _exc: None)

    def _advanced(self, step: Advance) -> None:
        self.count(self.state.item.status if self.state else None, step.item.status)
        self.item_changed.emit(step.item)
        if step.feedback:  # a gold item, answered: its reference answers (never before the answer is in)
            self.feedback.emit((step.feedback, step.label.values))
        if step.next is None:
            self.notice.emit(self.all_seen_notice())
            # Stay on the comment just answered, showing its answer, rather than go blank.
            self._show(ItemState(step.item, self.state.context, step.label))
        else:
            self._show(step.next)

    def _undone(self, state: ItemState | None) -> None:
        if state is None:
            self.notice.emit("Nothing to undo.")
            return
        self.session = max(0, self.session - 1)
        self.refresh_progress()  # what the undone answer had counted as is the database's to say
        self.item_changed.emit(state.item)
        self.notice.emit(f"Undone: comment #{state.item.position + 1} is back as it was.")
        self._show(state)

    def _renew(self) -> None:
        if self.closed:
            return
        if self.flow is not None:  # the comment on screen and those claimed ahead; a failure just waits for the next
            self.worker.submit(self.project.renew_all, self.flow.renew_job_ids(), self.annotator_id, on_error=lambda _exc: None)
        elif self.state is not None:
            self.worker.submit(self.project.renew, self.state.item.id, self.annotator_id)

    def count(self, before: str | None, after: str | None, undo: bool = False) -> None:
        """A comment's status went from ``before`` to ``after`` (an answer given, or undone)."""
        tally = {"answered": self.counts.answered, "set_aside": self.counts.set_aside}
        for kind, change in ((_kind(before), -1), (_kind(after), +1)):
            if kind is not None:
                tally[kind] = max(0, tally[kind] + change)
        self.counts = AnswerCounts(tally["answered"], tally["set_aside"], self.counts.total)
        self.session = max(0, self.session + (-1 if undo else 1))
        self._emit_progress()

    def all_seen_notice(self) -> str:
        aside = self.counts.set_aside
        if not aside:
            return "Every comment is answered. Thank you!"
        return (f"No comment left to label: {aside} skipped or flagged "
                "(the Skipped and Flagged lists hold them). Thank you!")  # fmt: skip

    def _emit_progress(self) -> None:
        self.progress.emit((self.counts, self.session))
