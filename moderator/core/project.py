"""One open project (database) and the operations the GUI calls.

A thin façade: each method hands its arguments, with this project's engine, to the core function that
does the work, and returns what it returns. It holds no logic of the features and no Qt. The GUI calls
these methods on its database worker thread, never on the GUI thread (tests/gui checks that).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from moderator.core.agreement import review
from moderator.core.agreement.review import Disagreement, ReviewItem
from moderator.core.assist import run as assist_run
from moderator.core.assist import scores
from moderator.core.export import release
from moderator.core.gold import accuracy as gold_accuracy
from moderator.core.gold import items as gold_items
from moderator.core.gold.accuracy import PersonAccuracy
from moderator.core.gold.items import GoldAdded
from moderator.core.importing import writer as importing
from moderator.core.importing.drafts import ThreadDraft
from moderator.core.labelling import browse, claims, conditions, context, gold_handout, log, session
from moderator.core.labelling.browse import QueueItem
from moderator.core.labelling.context import CommentContext, CommentInThread
from moderator.core.labelling.session import Advance, ItemState
from moderator.core.outbox.box import Entry, outbox_at, outbox_path
from moderator.core.outbox.send import Delivery, send_waiting
from moderator.core.progress import Cancelled, Progress
from moderator.core.schema.definition import LabelSchema
from moderator.core.store import backup
from moderator.core.store import settings as stored
from moderator.core.store.engine import display_name, labelling_engine, open_database, writer
from moderator.core.store.settings import AssistModelInfo, ClaimSettings, WellbeingConfig
from moderator.core.store.tables import DECLINED
from moderator.core.team import accounts, logins, profiles
from moderator.core.team.accounts import Account
from moderator.core.wellbeing import checkins
from moderator.core.wellbeing import session as wellbeing
from moderator.core.wellbeing.lexicon import Severity


class Project:
    """One open project (database) and the operations the GUI calls."""

    def __init__(self, engine: Engine):
        self._engine = engine
        # The labelling loop's short jobs run on an engine whose statements may take 5 s at most, so none
        # holds the window's worker longer; imports, exports and reports keep the unbounded one.
        self._loop = labelling_engine(engine)

    def __repr__(self) -> str:
        return f"Project({self.url!r})"

    @classmethod
    def open(cls, db: str | URL | None = None) -> Project:
        """The project at ``db`` (a path or URL, else $MODERATOR_DB, else the user's file: ``resolve_url``),
        its schema brought up to date."""
        return cls(open_database(db))

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> URL:
        return self._engine.url

    @property
    def display_name(self) -> str:
        """Short name for window titles: the file name, or the server database name."""
        return display_name(self.url)

    def close(self) -> None:
        self._engine.dispose()
        if self._loop is not self._engine:
            self._loop.dispose()

    # accounts and the label schema ----------------------------------------------------------------

    def team_mode(self) -> bool:
        """Do accounts have passwords here (team mode), or is this one person's file?"""
        return accounts.team_mode(self._engine)

    def uses_logins(self) -> bool:
        """Is this a team server, where each person signs in with their own database login?"""
        return accounts.uses_logins(self._engine)

    def export(self, account: Account | None, path: str | Path, fmt: str, **options: Any) -> int:
        """A release export with its card when asked (see core.export.release); the number of records."""
        from moderator.core.report.statement import write_report

        return release.export_release(self._engine, account, path, fmt, **options,
                                      write_statement=lambda folder: write_report(self._engine, folder))  # fmt: skip

    def change_password(self, name: str, password: str) -> None:
        """A new password for a team server login (one's own, or, for an admin, someone else's)."""
        logins.set_password(self._engine, name, password)

    def find_account(self, name: str) -> Account | None:
        return accounts.find_account(self._engine, name)

    def authenticate(self, name: str | None, password: str | None) -> Account:
        """The account for ``name``; in team mode only with its password (else AuthError). On a team server,
        the signed-in login's account."""
        return accounts.authenticate(self._engine, name, password)

    def ensure_annotator(self, name: str, role: str = "annotator") -> int:
        """The id of the annotator called ``name``, made on first use."""
        return accounts.ensure_annotator(self._engine, name, role)

    def active_schema(self) -> tuple[int, LabelSchema]:
        return log.active_schema(self._engine)

    # the labelling loop ---------------------------------------------------------------------------

    def load_resume(self, annotator_id: int) -> ItemState | None:
        """Where the annotator left off (a slot claimed on it), or None when nothing is left."""
        return session.load_resume(self._loop, annotator_id)

    def load_item(self, annotator_id: int, comment_id: int) -> ItemState | None:
        return session.load_item(self._loop, annotator_id, comment_id)

    def answer_and_advance(
        self,
        annotator_id: int,
        comment_id: int,
        values: dict[str, Any],
        spans: list[dict[str, Any]],
        status: str = "submitted",
        started_at: datetime | None = None,
        duration_ms: int | None = None,
        provenance: dict[str, Any] | None = None,
    ) -> Advance:
        """Store an answer (with how it was made), then claim and load the next comment: one round trip."""
        return session.answer_and_advance(self._loop, annotator_id, comment_id, values, spans, status, started_at, duration_ms,
                                          provenance=provenance)  # fmt: skip

    def undo_and_load(self, annotator_id: int) -> ItemState | None:
        """Undo the annotator's latest answer; that comment as it now stands, or None."""
        return session.undo_and_load(self._loop, annotator_id)

    def answer_counts(self, annotator_id: int) -> browse.AnswerCounts:
        """What this annotator has labelled and set aside (skipped, flagged), and the corpus size."""
        return browse.answer_counts(self._engine, annotator_id)

    # the outbox: answers on this computer's disk first (team servers) --------------------------------

    @property
    def keeps_outbox(self) -> bool:
        """Do answers go through an outbox on this computer? For a server, which the network can take
        away; a SQLite file is written directly (its own journal is on the same disk)."""
        return self.url.get_backend_name() != "sqlite"

    def outbox_path(self, person: str) -> Path:
        return outbox_path(self.url.render_as_string(hide_password=True), person)

    def keep(self, box: Path, kind: str, payload: dict[str, Any]) -> Entry:
        """Put an answer or an undo in the outbox at ``box``, on disk when this returns (no network)."""
        return outbox_at(box).add(kind, payload)

    def send_outbox(self, box: Path) -> Delivery:
        """Send the outbox's waiting entries in order; each is stored once however often it is sent."""
        return send_waiting(self._loop, outbox_at(box))

    def prefetch(self, annotator_id: int, after: tuple[int, int] | None, held: Sequence[int], want: int) -> list[ItemState]:
        """Claim up to ``want`` more comments (with their context) to label on if the server goes away."""
        return session.prefetch(self._loop, annotator_id, after, held, want)

    def claim_item(self, annotator_id: int, after: tuple[int, int] | None, skip: Sequence[int] = ()) -> ItemState | None:
        """Claim and load the next comment after ``after``, passing over ``skip``."""
        batch = session.prefetch(self._loop, annotator_id, after, skip, 1)
        return batch[0] if batch else None

    def renew_all(self, comment_ids: Sequence[int], annotator_id: int) -> None:
        """Keep the slots of the comment on screen and of those claimed ahead."""
        for comment_id in comment_ids:
            claims.renew(self._loop, comment_id, annotator_id)

    # claims: leases and the queue order -----------------------------------------------------------

    def renew(self, comment_id: int, annotator_id: int) -> None:
        """Keep the slot on the comment on screen."""
        claims.renew(self._loop, comment_id, annotator_id)

    def release(self, annotator_id: int, comment_id: int | None = None) -> None:
        """Give the annotator's slots back now (on quit) rather than at expiry."""
        claims.release(self._loop, annotator_id, comment_id)

    def claim_settings(self) -> ClaimSettings:
        """Overlap, lease length and queue order, as stored (or their defaults)."""
        with self._engine.connect() as conn:
            return stored.claim_settings(conn)

    def ordering(self) -> str:
        """The queue order everyone on this project works in (one of store.settings.ORDERINGS)."""
        return self.claim_settings().ordering

    def configure_claims(
        self, overlap: int | None = None, lease_minutes: int | None = None, ordering: str | None = None
    ) -> ClaimSettings:
        """Change some claim settings (None leaves one as it is); the settings after the change."""
        return claims.configure(self._engine, overlap, lease_minutes, ordering)

    def experiment(self, change: bool = False, value: stored.Experiment | None = None) -> stored.Experiment | None:
        """The experiment labels are made under (None: none); with ``change``, set it to ``value`` first."""
        with writer(self._engine) as conn, conn.begin():
            return stored.set_experiment(conn, value) if change else stored.experiment(conn)

    def condition(self, experiment: stored.Experiment | None, annotator_id: int, comment_id: int) -> dict | None:
        """The arm of ``experiment`` this annotator labels this comment under (a hash: no database)."""
        return conditions.condition(experiment, annotator_id, comment_id)

    # the queue list -------------------------------------------------------------------------------

    def queue_keys(
        self, annotator_id: int, filter_name: str, search: str, after: tuple[int, int] | None, limit: int
    ) -> list[tuple[int, int, int]]:
        """(id, thread_id, position) of the next ``limit`` rows of a queue after the key ``after``."""
        return browse.queue_keys(self._engine, annotator_id, filter_name, search, after, limit)

    def queue_keys_through(
        self, annotator_id: int, filter_name: str, search: str, after: tuple[int, int] | None, key: tuple[int, int],
        limit: int, most: int = browse.SEEK_PAGE,
    ) -> tuple[list[tuple[int, int, int]], bool]:  # fmt: skip
        """``queue_keys`` pages from ``after`` until one reaches ``key``: (rows, whether the queue ended).

        Pages double from ``limit`` up to ``most`` rows, so a comment far down costs a few queries.
        """
        return browse.queue_keys_through(self._engine, annotator_id, filter_name, search, after, key, limit, most)

    def queue_items(self, annotator_id: int, ids: Sequence[int]) -> dict[int, QueueItem]:
        """What the queue list shows of these comments (author, preview, this annotator's status), by id."""
        return browse.queue_items(self._engine, annotator_id, ids)

    # a comment's context --------------------------------------------------------------------------

    def comment_context(self, comment_id: int) -> CommentContext:
        return context.comment_context(self._loop, comment_id)

    def siblings(self, comment_id: int, limit: int = 10) -> list[CommentInThread]:
        """Other replies to the same parent, nearest in the thread first."""
        return context.siblings(self._loop, comment_id, limit)

    # the assist model -----------------------------------------------------------------------------

    def score_of(self, comment_id: int) -> float | None:
        """The assist model's stored score of a comment, or None."""
        return scores.score_of(self._engine, comment_id)

    def hint_mode(self, mode: str | None = None) -> str:
        """When annotators see the model's hint (off, after-answer, always); ``mode`` changes it."""
        return scores.configure_hint(self._engine, mode)

    def model_score(self, comment_id: int) -> float | None:
        """The model's score of a comment, whatever the hint mode (an experiment's "shown" arm)."""
        return scores.score_of(self._loop, comment_id)

    def hint_score(self, comment_id: int, answered: bool) -> float | None:
        """The score to show as a hint on this comment, if the project's hint mode shows one now."""
        return scores.hint_score(self._loop, comment_id, answered)

    def retrain_if_due(self, stop: threading.Event | None = None) -> AssistModelInfo | None:
        """Retrain in a child process if enough new labels came in; the new model's facts, or None."""
        return assist_run.retrain_if_due(self._engine, stop)

    # wellbeing ------------------------------------------------------------------------------------

    def wellbeing_config(self) -> WellbeingConfig:
        return wellbeing.load_config(self._engine)

    def configure_wellbeing(self, **changes: Any) -> WellbeingConfig:
        """Change some wellbeing options; the project's options after the change."""
        return wellbeing.configure(self._engine, **changes)

    def severe_answered_on(
        self, annotator_id: int, day: date, tz: tzinfo | None, level_of: Callable[[str], Severity]
    ) -> set[int]:
        """Ids of the severe comments the annotator answered on a local day."""
        return wellbeing.severe_answered_on(self._engine, annotator_id, day, tz, level_of)

    def record_checkin(self, annotator_id: int, moment: str, mood: int) -> None:
        """A "how are you?" answer (1-5) at ``moment``: start, after_break or end."""
        checkins.record_checkin(self._loop, annotator_id, moment, mood)

    def checkin_summary(self, viewer: Account | None = None) -> dict[str, dict]:
        """Per moment: n, people, mean mood and its distribution; nothing per person. Leads only."""
        return checkins.checkin_summary(self._engine, viewer)

    # annotator profiles: the schema's survey ------------------------------------------------------

    def survey_due(self, annotator_id: int) -> bool:
        """Ask this person the survey? The active schema has one, and they have not answered nor declined it."""
        return self.active_schema()[1].survey is not None and profiles.survey_due(self._engine, annotator_id)

    def save_profile(self, annotator_id: int, answers: dict[str, Any], consent_version: str) -> None:
        """Store this person's answers (once), checked against the active schema's survey."""
        profiles.save_profile(self._engine, annotator_id, answers, consent_version, self.active_schema()[1].survey)

    def decline_survey(self, annotator_id: int) -> None:
        """ "Don't ask again": an empty profile, so the survey is not asked again."""
        profiles.save_profile(self._engine, annotator_id, {}, DECLINED)

    def profiles_summary(self, min_group: int = profiles.MIN_GROUP, viewer: Account | None = None) -> dict[str, Any]:
        """Per survey question the people per answer, groups under ``min_group`` merged. Leads only."""
        return profiles.profiles_summary(self._engine, min_group, self.active_schema()[1].survey, viewer)

    def profiles_raw(self, viewer: Account | None = None) -> list[dict[str, Any]]:
        """Every profile by annotator id, for a perspectivist export (pseudonymise the ids). Leads only."""
        return profiles.profiles_raw(self._engine, viewer)

    # review and agreement (reviewers and admins) --------------------------------------------------

    def review_list(self, reviewer: Account, question: str) -> tuple[list[Disagreement], set[int]]:
        """The comments disputed on ``question``, most disputed first, and those with a gold label."""
        return review.review_list(self._engine, reviewer, question)

    def review_item(self, comment_id: int, reviewer: Account) -> ReviewItem:
        """A disputed comment in context with every answer and its gold label."""
        return review.review_item(self._engine, comment_id, reviewer)

    def decide(self, comment_id: int, reviewer: Account, values: dict[str, Any], note: str | None = None) -> int:
        """Store a gold label; its id."""
        return review.decide(self._engine, comment_id, reviewer, values, note)

    def agreement_report(self, questions: list[str] | None = None, viewer: Account | None = None) -> dict[str, dict]:
        from moderator.core.agreement.report import agreement_report  # numpy loads when first asked for

        return agreement_report(self._engine, questions, viewer)

    # gold items: checks with known answers ---------------------------------------------------------

    def gold_settings(self, **changes: Any) -> stored.GoldSettings:
        """How often gold items come, whether answers are explained, the accuracy threshold; with
        ``every``, ``feedback`` or ``threshold`` given, changed first (checked before any is written)."""
        with writer(self._engine) as conn, conn.begin():
            return stored.set_gold_settings(conn, **changes) if changes else stored.gold_settings(conn)

    def gold_feedback(self, annotator_id: int, comment_id: int) -> dict[str, Any] | None:
        """The reference answers of a gold item this person just answered, when the project explains them."""
        return gold_handout.gold_feedback(self._engine, annotator_id, comment_id)

    def import_gold(self, path: str | Path, viewer: Account | None = None) -> GoldAdded:
        """A file of comments with reference answers, as gold items (leads only)."""
        return gold_items.import_gold(self._engine, path, viewer)

    def promote_gold(self, comment_ids: Sequence[int] | None, viewer: Account | None = None) -> GoldAdded:
        """Reviewer gold labels as gold items (all when ``comment_ids`` is None; leads only)."""
        return gold_items.promote(self._engine, comment_ids, viewer)

    def gold_accuracy(self, viewer: Account | None = None) -> list[PersonAccuracy]:
        """Each person's accuracy on the gold items they answered, least accurate first (leads only)."""
        return gold_accuracy.gold_accuracy(self._engine, viewer)

    # importing ------------------------------------------------------------------------------------

    def previous_import(self, sha256: str) -> int | None:
        """The batch that imported these exact bytes before, if any."""
        return importing.previous_import(self._engine, sha256)

    def import_sources(
        self, sources: Sequence[Any], fmt: str = "auto", progress: Progress | None = None, cancelled: Cancelled | None = None,
    ) -> list[importing.ImportSummary]:  # fmt: skip
        """Import decoded sources in one transaction (all or nothing)."""
        return importing.import_sources(self._engine, sources, fmt, progress, cancelled)

    def import_drafts(self, drafts: Iterable[ThreadDraft], *, name: str, fmt: str, sha256: str = "") -> importing.ImportSummary:
        """Import drafts already in memory (a previewed paste) in one transaction."""
        return importing.import_drafts(self._engine, drafts, name=name, fmt=fmt, sha256=sha256)

    # charts ---------------------------------------------------------------------------------------

    def render_chart(self, kind: str, viewer: Account | None = None, question: str | None = None) -> bytes:
        """One chart of ``core.export.charts`` as PNG bytes; an annotator's holds only their own labels."""
        from moderator.core.export import charts  # matplotlib loads when a chart is first drawn

        return charts.render(self._engine, kind, viewer, question)

    # backups --------------------------------------------------------------------------------------

    @property
    def backup_file(self) -> Path | None:
        """The SQLite file a rolling backup copies; None for PostgreSQL (pg_dump) or an in-memory database."""
        try:
            return backup.sqlite_file(self.url, "backup")
        except backup.BackupError:
            return None

    def rolling_backup(self, folder: Path | None = None, keep: int = backup.KEEP) -> Path:
        """Copy the project's file into ``folder``, keeping the newest ``keep`` copies; the new copy."""
        db = self.backup_file
        if db is None:
            raise backup.BackupError(f"{self.display_name} is not a SQLite file: nothing to copy")
        return backup.rolling_backup(db, folder, keep)
