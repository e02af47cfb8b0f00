"""Conditions as experiments: which arm of a lead's experiment a label is made under.

A lead randomises whether the model's hint (or the thread context) is shown, per person or per
comment, with a seed. The arm is a keyed hash of the seed and the unit, so it is the same on every
computer and in every session, needs no table, and can be recomputed by anyone who checks the data.
"""

from __future__ import annotations

import hashlib

from moderator.core.store.settings import Experiment

ARMS = ("shown", "hidden")


def arm(experiment: Experiment, annotator_id: int, comment_id: int) -> str:
    unit = annotator_id if experiment.unit == "person" else comment_id
    digest = hashlib.sha256(f"{experiment.seed}:{experiment.factor}:{experiment.unit}:{unit}".encode()).digest()
    return ARMS[digest[0] % 2]


def condition(experiment: Experiment | None, annotator_id: int, comment_id: int) -> dict | None:
    """The condition stored with a label (None outside any experiment)."""
    if experiment is None:
        return None
    return {"factor": experiment.factor, "arm": arm(experiment, annotator_id, comment_id), "unit": experiment.unit,
            "seed": experiment.seed}  # fmt: skip
