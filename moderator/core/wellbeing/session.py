"""Annotator wellbeing: what counts as severe, the session clock, breaks and the daily exposure cap.

People who label hate speech for hours carry it home: negative affect grows with session length and
with the number of severe items read. The project can blur likely severe comments until revealed
(interactive blurring lowers the impact without hurting accuracy), prompt for a break after a while
or after many severe items, and stop gently at a daily cap of severe items, which an annotator may
override consciously. All the rules live here, without Qt; the window only shows what they decide.

Severe items seen today are derived from stored answers (the comments this annotator answered, skipped
or flagged today whose text is severe) plus those shown in this session, so the count survives a restart
without a table of its own. A comment shown and left without any answer is counted only in its session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as day_time
from typing import Any

from sqlalchemy import Engine, select

from moderator.core.store.engine import writer
from moderator.core.store.settings import WellbeingConfig, check_wellbeing_changes, set_wellbeing_config, wellbeing_config
from moderator.core.store.tables import Annotation, Comment
from moderator.core.wellbeing.lexicon import Lexicon, Severity, active_lexicon

WELLBEING_SKIP = "wellbeing"  # the reason stored with a "skip for my wellbeing"
SCORE_SEVERE, SCORE_MILD = 0.8, 0.5  # a model's P(toxic) from which an item counts as severe / mild


def load_config(engine: Engine) -> WellbeingConfig:
    """The project's wellbeing options (``WellbeingConfig``, kept with the other settings in store.settings)."""
    with engine.connect() as conn:
        return wellbeing_config(conn)


def configure(engine: Engine, **changes: Any) -> WellbeingConfig:
    """Change some options (None leaves one as it is); returns the project's options after the change."""
    check_wellbeing_changes(changes)  # before taking the write lock
    with writer(engine) as conn, conn.begin():
        return set_wellbeing_config(conn, **changes)


def severity(text: str, score: float | None = None, lexicon: Lexicon | None = None) -> Severity:
    """How likely severe a comment is: the lexicon's verdict, raised by a model score when there is one."""
    level = (lexicon or active_lexicon()[0]).severity(text)
    if score is not None:
        level = max(level, Severity.SEVERE if score >= SCORE_SEVERE else Severity.MILD if score >= SCORE_MILD else Severity.NONE)
    return level


def should_blur(config: WellbeingConfig, level: Severity) -> bool:
    return config.blur and level >= Severity.SEVERE


def utc_now() -> datetime:
    return datetime.now(UTC)


def day_bounds(day: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends (midnight to midnight in ``tz``; None = this machine's)."""
    start = datetime.combine(day, day_time.min)
    start = start.replace(tzinfo=tz) if tz is not None else start.astimezone()
    end = datetime.combine(day + timedelta(days=1), day_time.min)
    end = end.replace(tzinfo=tz) if tz is not None else end.astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


def severe_answered_on(
    engine: Engine, annotator_id: int, day: date, tz: tzinfo | None, level_of: Callable[[str], Severity]
) -> set[int]:
    """Ids of severe comments this annotator answered, skipped or flagged on a local day (any row counts).

    Reads only that annotator's rows of one day (their index), then judges each comment's text once.
    """
    start, end = day_bounds(day, tz)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Comment.id, Comment.text).where(
                Comment.id.in_(
                    select(Annotation.comment_id).where(
                        Annotation.annotator_id == annotator_id, Annotation.submitted_at >= start, Annotation.submitted_at < end
                    )
                )
            )
        ).all()
    return {r.id for r in rows if level_of(r.text) >= Severity.SEVERE}


class Session:
    """One annotator's sitting: the session clock (paused during breaks), severe items seen, breaks, the cap.

    ``clock`` returns the current time as an aware datetime (tests pass a fake); ``tz`` decides where
    a day ends (None: this machine's local time).
    """

    def __init__(self, config: WellbeingConfig, clock: Callable[[], datetime] = utc_now, tz: tzinfo | None = None):
        self.config = config
        self.clock = clock
        self.tz = tz
        self.started = clock()
        self._paused = 0.0  # seconds spent on breaks
        self._break_started: datetime | None = None
        self._mark = 0.0  # active seconds at the last break or dismissed prompt
        self._since_break: set[int] = set()  # severe items since then
        self.seen: set[int] = set()  # severe comments shown this session
        self._day = self.today()
        self._today: set[int] = set()  # severe comments seen on self._day (stored + this session)
        self._override_day: date | None = None

    # clock ------------------------------------------------------------------------------------------

    def today(self) -> date:
        now = self.clock()
        return (now.astimezone(self.tz) if self.tz is not None else now.astimezone()).date()

    def active_seconds(self) -> float:
        """Time in this session, breaks not counted."""
        total = (self.clock() - self.started).total_seconds() - self._paused
        if self._break_started is not None:
            total -= (self.clock() - self._break_started).total_seconds()
        return max(0.0, total)

    def _roll_day(self) -> date:
        day = self.today()
        if day != self._day:
            self._day, self._today, self._override_day = day, set(), None
        return day

    # severe items ------------------------------------------------------------------------------------

    def add_stored(self, day: date, comment_ids: Iterable[int]) -> None:
        """Severe comments answered on ``day`` in earlier sessions (``severe_answered_on``)."""
        if self._roll_day() == day:
            self._today |= set(comment_ids)

    def severe_today(self) -> int:
        self._roll_day()
        return len(self._today)

    def over_cap(self, comment_id: int, level: Severity) -> bool:
        """Would showing this comment go past today's cap? (Seen ones never do; an override lifts the cap.)"""
        day = self._roll_day()
        if level < Severity.SEVERE or self.config.daily_cap <= 0 or self._override_day == day or comment_id in self._today:
            return False
        return len(self._today) >= self.config.daily_cap

    def saw(self, comment_id: int, level: Severity) -> bool:
        """A comment was shown; True when it is a severe one not counted yet."""
        if level < Severity.SEVERE:
            return False
        self._roll_day()
        self._today.add(comment_id)
        if comment_id in self.seen:  # shown again (back and forth): read once
            return False
        self.seen.add(comment_id)
        self._since_break.add(comment_id)
        return True

    def override_cap(self) -> None:
        """The annotator chose to go on past today's cap; it is lifted until the day ends."""
        self._override_day = self._roll_day()

    # breaks -------------------------------------------------------------------------------------------

    @property
    def on_break(self) -> bool:
        return self._break_started is not None

    def break_due(self) -> str | None:
        """Why a break is suggested now, or None."""
        if not self.config.breaks or self.on_break:
            return None
        minutes = (self.active_seconds() - self._mark) / 60
        if minutes >= self.config.break_minutes:
            return f"You have been labelling for {int(minutes)} minutes."
        if len(self._since_break) >= self.config.break_severe:
            return f"You have read {len(self._since_break)} severe comments since your last break."
        return None

    def dismiss_break(self) -> None:
        """Not now: ask again after another full interval."""
        self._mark = self.active_seconds()
        self._since_break.clear()

    def start_break(self) -> None:
        if self._break_started is None:
            self._break_started = self.clock()

    def break_left(self) -> float:
        """Seconds left of the break under way (0 when there is none or it is over)."""
        if self._break_started is None:
            return 0.0
        length = self.config.break_length_minutes * 60
        return max(0.0, length - (self.clock() - self._break_started).total_seconds())

    def end_break(self) -> None:
        if self._break_started is not None:
            self._paused += (self.clock() - self._break_started).total_seconds()
            self._break_started = None
        self.dismiss_break()
