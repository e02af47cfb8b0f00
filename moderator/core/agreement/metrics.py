"""Inter-annotator agreement over a reliability data set: Krippendorff's α, Fleiss' κ, Cohen's κ.

Pure NumPy and vectorised: a million ratings take a fraction of a second. A data set is a list of
ratings (item, annotator, value code); codes index an ordered value domain, so code order is rank
order for ordinal α and the domain's numbers are the values for interval α.

An undefined statistic (no pairable item, or every pairable value identical so that expected
disagreement is 0) is None, never NaN, so that reports stay valid JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

LEVELS = ("nominal", "ordinal", "interval")


@dataclass(frozen=True, eq=False)
class Reliability:
    """Ratings sorted by (item, annotator), with dense indices; build it with :func:`reliability`."""

    item: np.ndarray  # dense item index 0..n_items-1
    annotator: np.ndarray  # dense annotator index 0..n_annotators-1
    value: np.ndarray  # value code 0..n_values-1
    domain: np.ndarray  # the value of each code, in rank order
    annotator_ids: np.ndarray  # caller's annotator id of each dense index
    n_items: int
    item_ids: np.ndarray | None = None  # caller's item id of each dense index (e.g. comment ids)

    @property
    def n_annotators(self) -> int:
        return len(self.annotator_ids)

    @property
    def n_values(self) -> int:
        return len(self.domain)

    @cached_property
    def counts(self) -> np.ndarray:
        """items × values: how many annotators gave each value to each item."""
        flat = np.bincount(self.item * self.n_values + self.value, minlength=self.n_items * self.n_values)
        return flat.reshape(self.n_items, self.n_values)

    @cached_property
    def _coincidences(self) -> np.ndarray:
        counts = self.counts
        m = counts.sum(axis=1)
        pairable = m >= 2
        c = counts[pairable].astype(np.float64)
        weights = 1.0 / (m[pairable] - 1.0)
        weighted = c * weights[:, None]
        return c.T @ weighted - np.diag(weighted.sum(axis=0))


def _dense(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dense index of each id, the distinct ids); bincount beats a sort when ids are small integers."""
    if len(ids) and ids.min() >= 0 and ids.max() < 4 * len(ids) + 1024:
        present = np.bincount(ids) > 0
        rank = np.cumsum(present) - 1
        return rank[ids], np.flatnonzero(present)
    distinct, inverse = np.unique(ids, return_inverse=True)
    return inverse.reshape(-1), distinct


def reliability(item: Any, annotator: Any, value: Any, domain: Sequence[Any] | np.ndarray | None = None) -> Reliability:
    """Ratings as parallel integer arrays; ``value`` holds codes into ``domain`` (default 0..max code).

    Items and annotators may be any integers (e.g. database ids). One rating per (item, annotator).
    """
    item, annotator, value = (np.asarray(a, dtype=np.int64).reshape(-1) for a in (item, annotator, value))
    if not len(item) == len(annotator) == len(value):
        raise ValueError("item, annotator and value must have the same length")
    domain = np.arange(int(value.max()) + 1 if len(value) else 0) if domain is None else np.asarray(domain)
    if len(value) and (value.min() < 0 or value.max() >= len(domain)):
        raise ValueError("a value code is outside the value domain")
    item, item_ids = _dense(item)
    annotator, annotator_ids = _dense(annotator)
    n_items = int(item.max()) + 1 if len(item) else 0
    key = item * max(len(annotator_ids), 1) + annotator
    if np.all(key[1:] > key[:-1]):  # already in order (as the report reads them), each rating once
        return Reliability(item, annotator, value.copy(), domain, annotator_ids, n_items, item_ids)
    order = np.argsort(key, kind="stable")
    key = key[order]
    if np.any(key[1:] == key[:-1]):
        raise ValueError("an annotator rated the same item twice")
    return Reliability(item[order], annotator[order], value[order], domain, annotator_ids, n_items, item_ids)


def from_matrix(matrix: Any, domain: Sequence[Any] | None = None) -> Reliability:
    """An items × annotators matrix of numbers, NaN where an annotator did not rate the item.

    The domain defaults to the sorted distinct values present (as the krippendorff package does).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    rows, cols = np.nonzero(~np.isnan(matrix))
    values = matrix[rows, cols]
    domain = np.unique(values) if domain is None else np.asarray(domain, dtype=np.float64)
    codes = np.searchsorted(domain, values)
    if len(values) and (codes.max() >= len(domain) or np.any(domain[np.minimum(codes, len(domain) - 1)] != values)):
        raise ValueError("the matrix holds a value outside the domain")
    return reliability(rows, cols, codes, domain)


def distances(level: str, domain: np.ndarray, n_v: np.ndarray) -> np.ndarray:
    """Squared distance between every two codes (Krippendorff's δ²), values × values.

    ``n_v`` (pairable values per code) may be a stack (…, values), e.g. one row per bootstrap
    replicate: ordinal distances depend on it and come back stacked (…, values, values).
    """
    if level == "nominal":
        return 1.0 - np.eye(n_v.shape[-1])
    if level == "ordinal":
        # Ranks over the pairable values: from c to k, all values between minus half of the two ends.
        cum, ranks = np.cumsum(n_v, axis=-1), np.arange(n_v.shape[-1])
        lo, hi = np.minimum.outer(ranks, ranks), np.maximum.outer(ranks, ranks)
        between = cum[..., hi] - cum[..., lo] + n_v[..., lo]
        return (between - (n_v[..., lo] + n_v[..., hi]) / 2.0) ** 2
    if level == "interval":
        numbers = domain.astype(np.float64)
        return np.subtract.outer(numbers, numbers) ** 2
    raise ValueError(f"level must be one of {', '.join(LEVELS)}")


def coincidences(data: Reliability) -> np.ndarray:
    """Krippendorff's coincidence matrix o (values × values); items with < 2 ratings are not pairable.

    Made once per data set (α at every level reads it): read it, do not change it.
    """
    return data._coincidences


def krippendorff_alpha(data: Reliability, level: str = "nominal") -> float | None:
    """α = 1 − D_o / D_e from the coincidence matrix; None when undefined."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if data.n_values == 0:
        return None
    o = coincidences(data)
    return alpha_from_coincidences(o, distances(level, data.domain, o.sum(axis=0)))


def alpha_from_coincidences(o: np.ndarray, d: np.ndarray) -> float | None:
    """α = 1 − Σ o·δ² / Σ e·δ² for a coincidence matrix and any distance matrix; None when undefined."""
    n_v = o.sum(axis=0)
    n = n_v.sum()
    if n <= 1:
        return None
    e = (np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1)
    expected = (e * d).sum()
    if expected <= 0:
        return None
    return float(1.0 - (o * d).sum() / expected)


def fleiss_kappa(data: Reliability) -> float | None:
    """Fleiss' κ, generalised to items with varying numbers of raters.

    Every item with ≥ 2 ratings counts: P_i = Σ_j n_ij(n_ij − 1) / (m_i(m_i − 1)), P̄ their plain mean,
    p_j the share of category j among those items' ratings. With a constant m this is Fleiss (1971).
    """
    counts = data.counts
    m = counts.sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return None
    c, m = counts[keep].astype(np.float64), m[keep].astype(np.float64)
    p_bar = ((c * (c - 1)).sum(axis=1) / (m * (m - 1))).mean()
    p_j = c.sum(axis=0) / m.sum()
    p_e = float((p_j**2).sum())
    if p_e >= 1.0 - 1e-12:
        return None
    return float((p_bar - p_e) / (1.0 - p_e))


def _pair_codes(data: Reliability) -> np.ndarray:
    """Every two ratings of the same item, as ((annotator a × annotators + b) × values + value of a) × values
    + value of b, a < b."""
    parts: list[np.ndarray] = []
    item, n, n_a, v = data.item, len(data.item), data.n_annotators, data.n_values
    first = (data.annotator * n_a * v + data.value) * v  # a rating's share of the code as a, and as b:
    second = data.annotator * v * v + data.value
    for k in range(1, n):  # ratings are sorted by (item, annotator): partners lie k rows further on
        idx = np.flatnonzero(item[k:] == item[:-k])
        if not len(idx):
            break
        parts.append(first[idx] + second[idx + k])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def cohen_kappa_pairs(data: Reliability) -> dict[tuple[Any, Any], tuple[float | None, int]]:
    """(annotator a, annotator b) → (Cohen's κ over their common items, how many), for a < b.

    κ is None when the two used one and the same category throughout (expected agreement 1).
    """
    codes = _pair_codes(data)
    if not len(codes):
        return {}
    v = data.n_values
    if data.n_annotators**2 * v * v <= 1 << 22:  # few annotators: count every possible pair directly
        confusion = np.bincount(codes, minlength=data.n_annotators**2 * v * v)
        confusion = confusion.reshape(-1, v, v)
        pair_ids = np.flatnonzero(confusion.sum(axis=(1, 2)))
        confusion = confusion[pair_ids].astype(np.float64)
    else:  # many annotators: only the pairs that occur
        pair_ids, pair = np.unique(codes // (v * v), return_inverse=True)
        confusion = np.bincount(pair.reshape(-1) * (v * v) + codes % (v * v), minlength=len(pair_ids) * v * v)
        confusion = confusion.reshape(len(pair_ids), v, v).astype(np.float64)
    n = confusion.sum(axis=(1, 2))
    p_o = np.trace(confusion, axis1=1, axis2=2) / n
    p_e = (confusion.sum(axis=2) * confusion.sum(axis=1)).sum(axis=1) / n**2
    ids = data.annotator_ids
    out: dict[tuple[Any, Any], tuple[float | None, int]] = {}
    for pid, po, pe, count in zip(pair_ids.tolist(), p_o.tolist(), p_e.tolist(), n.tolist()):
        key = (ids[pid // data.n_annotators].item(), ids[pid % data.n_annotators].item())
        out[key] = (None if pe >= 1.0 - 1e-12 else (po - pe) / (1.0 - pe), int(count))
    return out


def majority_agreement(data: Reliability) -> dict[Any, tuple[float, int]]:
    """annotator → (share of items where their value is the others' strict majority value, how many items).

    An item counts for an annotator only when at least one other annotator rated it and the others'
    most frequent value is unique (ties are excluded). Annotators with no such item are left out.
    """
    counts = data.counts
    top = counts.max(axis=1) if data.n_values else np.zeros(data.n_items, dtype=np.int64)
    ties = (counts == top[:, None]).sum(axis=1)  # how many values reach the top count
    second = np.where(counts < top[:, None], counts, -1).max(axis=1) if data.n_values else top
    # Whether a rating counts and matches depends on its item and value only: decided per (item, value).
    t, t_n, s = top[:, None], ties[:, None], second[:, None]
    others = counts.sum(axis=1)[:, None] - 1
    # Remove this rating from its item's counts and look at what remains on top.
    own_top = counts == t
    match = own_top & (t_n == 1) & (t - 1 > s)  # still strictly ahead without this rating
    tied = np.where(own_top & (t_n == 1), t - 1 == s, np.where(own_top, t_n - 1 >= 2, t_n >= 2))
    eligible = (others >= 1) & ~tied
    outcome = (eligible.astype(np.int64) + (match & eligible)).reshape(-1)  # 0 no, 1 counts, 2 counts and matches
    tally = np.bincount(data.annotator * 3 + outcome[data.item * data.n_values + data.value], minlength=data.n_annotators * 3)
    tally = tally.reshape(-1, 3)
    seen, hits = tally[:, 1] + tally[:, 2], tally[:, 2]
    return {
        data.annotator_ids[i].item(): (float(hits[i] / seen[i]), int(seen[i])) for i in range(data.n_annotators) if seen[i] > 0
    }
