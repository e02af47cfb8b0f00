"""Wellbeing check-ins: a one-tap "how are you?" (1-5) at a session's start, after a break and at its end.

Asked only when the project turns them on (``WellbeingConfig.checkins``). A person adds their own
answers and never reads them back; reviewers and admins see them only summed up per moment, never per
person (on a team server the database enforces who reads them: store.access).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, insert, select

from moderator.core.store.engine import writer
from moderator.core.store.tables import MOMENTS, Checkin
from moderator.core.team.identity import Account, AuthError

MOODS = range(1, 6)  # 1 = very bad … 5 = very good


def record_checkin(engine: Engine, annotator_id: int, moment: str, mood: int) -> None:
    """Store one answer (the database also refuses a moment or mood out of range)."""
    if moment not in MOMENTS:
        raise ValueError(f"a check-in is at one of {', '.join(MOMENTS)}")
    if not isinstance(mood, int) or isinstance(mood, bool) or mood not in MOODS:
        raise ValueError("a mood is a whole number from 1 to 5")
    with writer(engine) as conn, conn.begin():
        conn.execute(insert(Checkin).values(annotator_id=annotator_id, moment=moment, mood=mood))


def checkin_summary(engine: Engine, viewer: Account | None = None) -> dict[str, dict[str, Any]]:
    """Per moment: answers ``n``, ``people`` who gave them, ``mean`` mood (None without answers) and the
    ``distribution`` {mood: answers}. JSON-ready; nothing per person. Leads only."""
    if viewer is not None and not viewer.sees_all:
        raise AuthError("check-ins are for reviewers and admins")
    with engine.connect() as conn:
        counts = conn.execute(select(Checkin.moment, Checkin.mood, func.count()).group_by(Checkin.moment, Checkin.mood)).all()
        people = dict(
            conn.execute(select(Checkin.moment, func.count(func.distinct(Checkin.annotator_id))).group_by(Checkin.moment)).all()
        )
    summary = {}
    for moment in MOMENTS:
        distribution = {mood: 0 for mood in MOODS}
        for at, mood, n in counts:
            if at == moment:
                distribution[mood] = n
        n = sum(distribution.values())
        mean = round(sum(mood * k for mood, k in distribution.items()) / n, 2) if n else None
        summary[moment] = {"n": n, "people": people.get(moment, 0), "mean": mean, "distribution": distribution}
    return summary
