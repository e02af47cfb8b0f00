"""annotators_meta.json of a perspectivist export: one entry per annotator in the export, keyed as the
export shows them (the pseudonymous id unless annotators are kept), as LeWiDi's annotator metadata is.

Each entry holds what the project knows: the account's role, how many labels are in force and of which
status, and the first and last label's time (UTC), and ``profile``: their answers to the project's
survey (core.team.profiles) and the consent version, for those who see every label (empty otherwise, and
for someone who has not answered).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from moderator.core.export.pages import A_ANNOTATOR, A_STATUS, A_SUBMITTED, Page, iso_utc
from moderator.core.export.pseudonyms import AnnotatorPseudonyms
from moderator.core.store.tables import Annotator
from moderator.core.team.profiles import profiles_raw


class _Annotator:
    __slots__ = ("statuses", "first", "last")

    def __init__(self):
        self.statuses: Counter[str] = Counter()
        self.first: str | None = None
        self.last: str | None = None


class AnnotatorTally:
    """Counts and times per annotator name, a page at a time (a few numbers per person)."""

    def __init__(self):
        self.seen: dict[str, _Annotator] = {}

    def add(self, page: Page) -> None:
        for rows in page.annotations.values():
            for r in rows:
                found = self.seen.get(r[A_ANNOTATOR])
                if found is None:
                    found = self.seen[r[A_ANNOTATOR]] = _Annotator()
                found.statuses[r[A_STATUS]] += 1
                when = r[A_SUBMITTED]  # UTC text, all alike: text order is time order
                if when is not None:
                    found.first = when if found.first is None else min(found.first, when)
                    found.last = when if found.last is None else max(found.last, when)

    def entries(self, engine: Engine, shown: AnnotatorPseudonyms, with_profiles: bool = False) -> dict[str, dict[str, Any]]:
        roles = _roles(engine, list(self.seen))
        answers = _profiles(engine, list(self.seen)) if with_profiles else {}
        entries = {
            shown[name]: {
                "role": roles.get(name),
                "labels": sum(a.statuses.values()),
                "statuses": dict(sorted(a.statuses.items())),
                "first_label_at": a.first and iso_utc(a.first),
                "last_label_at": a.last and iso_utc(a.last),
                "profile": answers.get(name, {}),
            }
            for name, a in self.seen.items()
        }
        return dict(sorted(entries.items()))

    def write(self, path: Path, engine: Engine, shown: AnnotatorPseudonyms, with_profiles: bool = False) -> int:
        entries = self.entries(engine, shown, with_profiles)
        path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return len(entries)


def _profiles(engine: Engine, names: list[str]) -> dict[str, dict[str, Any]]:
    """Each named annotator's survey answers and consent version (only those who answered)."""
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
    wanted = set(names)
    return {
        ids[p["annotator_id"]]: {"answers": p["answers"], "consent_version": p["consent_version"]}
        for p in profiles_raw(engine)
        if ids.get(p["annotator_id"]) in wanted
    }


def _roles(engine: Engine, names: list[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(names), 500):  # bounded IN lists
            chunk = names[start : start + 500]
            roles.update(conn.execute(select(Annotator.name, Annotator.role).where(Annotator.name.in_(chunk))).all())
    return roles
