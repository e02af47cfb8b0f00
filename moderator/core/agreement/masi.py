"""Agreement on sets of labels: Krippendorff's α with the MASI distance (Passonneau 2006).

MASI = 1 − Jaccard × M, where M is 1 for equal sets, 2/3 when one is a subset of the other, 1/3 when
they overlap otherwise and 0 when disjoint. Two empty sets are equal (distance 0); an empty and a
non-empty set are disjoint (distance 1). As in Passonneau's α and NLTK's, the distance itself is δ
in α = 1 − Σ o·δ / Σ e·δ (it is not squared). Sets are bitmasks of option indices, as the report keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from moderator.core.agreement.metrics import Reliability, alpha_from_coincidences, coincidences, reliability


def masi_distance(a: Iterable[Any], b: Iterable[Any]) -> float:
    """The MASI distance between two sets of labels."""
    a, b = set(a), set(b)
    if a == b:
        return 0.0
    shared = len(a & b)
    monotonicity = 2 / 3 if shared == min(len(a), len(b)) else 1 / 3 if shared else 0.0
    return 1.0 - shared / len(a | b) * monotonicity


def masi_distances(masks: Any) -> np.ndarray:
    """The MASI distance between every two bitmask-coded sets (values × values)."""
    a = np.asarray(masks, dtype=np.int64).reshape(-1, 1)
    b = a.reshape(1, -1)
    shared, union = np.bitwise_count(a & b), np.bitwise_count(a | b)
    smaller = np.minimum(np.bitwise_count(a), np.bitwise_count(b))
    monotonicity = np.select([a == b, shared == smaller, shared > 0], [1.0, 2 / 3, 1 / 3], 0.0)
    jaccard = np.divide(shared, union, out=np.ones(union.shape), where=union > 0)
    return 1.0 - jaccard * monotonicity


def set_reliability(item: np.ndarray, annotator: np.ndarray, masks: np.ndarray) -> Reliability:
    """Ratings whose values are the distinct sets given (bitmasks), each set one code."""
    domain, codes = np.unique(np.asarray(masks, dtype=np.int64), return_inverse=True)
    return reliability(item, annotator, codes.reshape(-1), domain)


def masi_alpha(data: Reliability) -> float | None:
    """α with the MASI distance over a reliability data set whose domain holds bitmasks; None when undefined."""
    if data.n_values == 0:
        return None
    return alpha_from_coincidences(coincidences(data), masi_distances(data.domain))
