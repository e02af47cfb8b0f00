"""How often each person matches the gold items' reference answers, per question and overall.

A person's answer in force on a gold item counts for each question the item has a reference answer to
and the person answered (a multi-choice answer matches when it names the same options). Imported
datasets' pseudo-annotators are not people of the project and are left out. Reviewers see who falls
under the project's threshold (``store.settings.GoldSettings.threshold``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from moderator.core.labelling.log import current_rows_clause
from moderator.core.store.tables import Annotation, Annotator, GoldItem
from moderator.core.team.identity import Account


@dataclass
class Accuracy:
    correct: int = 0
    checked: int = 0  # answers compared with a reference answer

    @property
    def share(self) -> float | None:
        return self.correct / self.checked if self.checked else None


@dataclass
class PersonAccuracy:
    annotator_id: int
    name: str
    items: int = 0  # gold items answered
    overall: Accuracy = field(default_factory=Accuracy)
    questions: dict[str, Accuracy] = field(default_factory=lambda: defaultdict(Accuracy))

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.name, "gold_items": self.items, "accuracy": self.overall.share,
            "questions": {q: {"accuracy": a.share, "correct": a.correct, "checked": a.checked}
                          for q, a in sorted(self.questions.items())},
        }  # fmt: skip


def same_answer(answer: Any, reference: Any) -> bool:
    """Does an answer match the reference? A multi-choice answer matches when it names the same options."""
    if isinstance(reference, list) and isinstance(answer, list):
        return sorted(map(repr, answer)) == sorted(map(repr, reference))
    return answer == reference


def gold_accuracy(engine: Engine, who: Account | None = None) -> list[PersonAccuracy]:
    """Each person who answered a gold item, least accurate first (reviewers and admins only)."""
    if who is not None and not who.sees_all:
        raise PermissionError("gold accuracy is for reviewers and admins")
    stmt = (
        select(Annotation.annotator_id, Annotation.values, GoldItem.values)
        .join(GoldItem, GoldItem.comment_id == Annotation.comment_id)
        .where(current_rows_clause(), Annotation.status == "submitted", Annotation.action != "import")
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        names = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
    people: dict[int, PersonAccuracy] = {}
    for annotator_id, answers, reference in rows:
        person = people.setdefault(annotator_id, PersonAccuracy(annotator_id, names.get(annotator_id, str(annotator_id))))
        person.items += 1
        for question, expected in reference.items():
            if question in answers and answers[question] not in (None, [], ""):
                hit = same_answer(answers[question], expected)
                for tally in (person.questions[question], person.overall):
                    tally.checked += 1
                    tally.correct += hit
    return sorted(people.values(), key=lambda p: (p.overall.share if p.overall.checked else 2.0, p.name))


def under_threshold(people: list[PersonAccuracy], threshold: float, min_items: int = 1) -> list[PersonAccuracy]:
    """Those whose overall accuracy on at least ``min_items`` gold items is below ``threshold``."""
    return [p for p in people if p.items >= min_items and p.overall.checked and p.overall.share < threshold]


def gold_summary(engine: Engine) -> dict[str, Any]:
    """The gold items and how people did on them, with no one named (for the data statement)."""
    from sqlalchemy import func

    from moderator.core.store.settings import gold_settings

    with engine.connect() as conn:
        by_source = dict(conn.execute(select(GoldItem.source, func.count()).group_by(GoldItem.source)).all())
        settings = gold_settings(conn)
    people = gold_accuracy(engine)
    questions: dict[str, list[float]] = defaultdict(list)
    for person in people:
        for question, tally in person.questions.items():
            questions[question].append(tally.share)
    return {
        "items": sum(by_source.values()), "from_file": by_source.get("file", 0), "from_review": by_source.get("review", 0),
        "every": settings.every, "feedback": settings.feedback, "threshold": settings.threshold,
        "people": len(people), "below": len(under_threshold(people, settings.threshold)),
        "answers": sum(p.items for p in people),
        "questions": {q: sorted(shares) for q, shares in sorted(questions.items())},
    }  # fmt: skip
