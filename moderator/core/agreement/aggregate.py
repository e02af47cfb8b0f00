"""Aggregated labels with annotator competence: Dawid–Skene and MACE, as crowd-kit implements them.

Both read one question's reliability data as categorical labels (an ordinal scale's order is not
used) and give, per item, the most probable label and its probability, and per annotator a
competence in [0, 1]:

* Dawid–Skene: the annotator's accuracy under the model, Σ_c prior(c) · P(answers c | truth is c),
  from crowd-kit's ``priors_`` and the diagonal of ``errors_`` (a label the annotator never gave
  has probability 0 there).
* MACE: the probability that the annotator is not spamming, ``spamming_[:, 1]`` (crowd-kit's
  E-step: an answer is the truth with ``spamming_[w, 1]``, else drawn from ``thetas_[w]``),
  which is Hovy et al.'s competence θ_j.

crowd-kit (and pandas) load only when a model is fitted: they take a second to import.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from moderator.core.agreement.metrics import Reliability

if TYPE_CHECKING:
    import pandas as pd

# crowd-kit 1.4's Dawid–Skene "loss" falls as EM proceeds, so its tolerance test stops after the
# second step; a fixed number of steps without early stop converges (to 1e-8 on HS-Brexit by 50).
DS_ITERATIONS = 50
DS_TOLERANCE = -np.inf
MACE_ITERATIONS = 50
# crowd-kit 1.4 seeds every MACE restart with the same random_state, so more restarts repeat the first.
MACE_RESTARTS = 1
MACE_SEED = 0


@dataclass(frozen=True)
class Aggregation:
    """One model's result; items and annotators are the reliability data's dense indices."""

    label: np.ndarray  # per item: the value code of its most probable label
    probability: np.ndarray  # per item: that label's probability
    competence: np.ndarray  # per annotator, in [0, 1]


def crowd_frame(data: Reliability) -> pd.DataFrame:
    """The ratings as crowd-kit's task/worker/label frame, workers and labels numbered by first appearance.

    crowd-kit's MACE reads some per-worker and per-label tables in sorted order and others in order
    of first appearance; numbering both by first appearance makes the two orders one.
    """
    import pandas as pd

    worker = _first_appearance_rank(data.annotator, data.n_annotators)
    label = _first_appearance_rank(data.value, data.n_values)
    return pd.DataFrame({"task": data.item, "worker": worker[data.annotator], "label": label[data.value]})


def dawid_skene(data: Reliability) -> Aggregation | None:
    """Dawid–Skene on the data; None when there is nothing to aggregate."""
    if not len(data.item):
        return None
    from crowdkit.aggregation import DawidSkene

    frame = crowd_frame(data)
    with _quiet():
        model = DawidSkene(n_iter=DS_ITERATIONS, tol=DS_TOLERANCE).fit(frame)
    errors, priors = model.errors_, model.priors_
    observed = errors.index.get_level_values("label")
    # P(answers c | truth c) · prior(c) on each (worker, c) row, summed per worker.
    diagonal = errors.to_numpy()[np.arange(len(errors)), errors.columns.get_indexer(observed)]
    weighted = diagonal * priors.reindex(observed).fillna(0.0).to_numpy()
    workers = errors.index.get_level_values("worker").to_numpy()
    accuracy = np.bincount(workers, weights=weighted, minlength=data.n_annotators)  # by worker number
    return _result(data, model.probas_, accuracy[_first_appearance_rank(data.annotator, data.n_annotators)])


def mace(data: Reliability) -> Aggregation | None:
    """MACE (variational Bayes, crowd-kit's defaults otherwise) on the data; None when there is nothing to aggregate."""
    if not len(data.item):
        return None
    from crowdkit.aggregation import MACE

    frame = crowd_frame(data)
    with _quiet():
        model = MACE(n_restarts=MACE_RESTARTS, n_iter=MACE_ITERATIONS, random_state=MACE_SEED).fit(frame)
    # spamming_ rows follow the workers' first appearance, i.e. their number in the frame.
    competence = model.spamming_[:, 1][_first_appearance_rank(data.annotator, data.n_annotators)]
    return _result(data, model.probas_, competence)


def _result(data: Reliability, probas: pd.DataFrame, competence: np.ndarray) -> Aggregation:
    probas = probas.reindex(np.arange(data.n_items))  # items in dense order
    columns = probas.columns.to_numpy(dtype=np.int64)
    best = probas.to_numpy().argmax(axis=1)  # the first of equals, as crowd-kit's idxmax
    code_of_label = np.argsort(_first_appearance_rank(data.value, data.n_values))
    label = code_of_label[columns[best]]
    return Aggregation(label, probas.to_numpy().max(axis=1), np.asarray(competence, dtype=np.float64))


def _first_appearance_rank(values: np.ndarray, size: int) -> np.ndarray:
    """The rank of each of 0..size-1 by its first appearance in ``values``; values never seen come last."""
    first = np.full(size, len(values), dtype=np.int64)
    np.minimum.at(first, values, np.arange(len(values)))
    return np.argsort(np.argsort(first, kind="stable"), kind="stable")


@contextmanager
def _quiet() -> Iterator[None]:
    """crowd-kit 1.4 uses pandas idioms pandas 3 deprecates: its warnings are not ours to show."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"crowdkit\b")
        yield
