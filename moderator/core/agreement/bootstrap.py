"""Bootstrap confidence intervals for Krippendorff's α: resample units with replacement, percentile interval.

α's coincidence matrix is a sum of one small matrix per unit, so a replicate's α follows exactly from
how many times it drew each unit: a (replicates × units) count matrix times the units' contributions.
Only pairable units (≥ 2 values) are resampled; the others contribute nothing to α either way.
A replicate whose α is undefined (every drawn value the same) is left out of the percentiles.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from moderator.core.agreement.metrics import Reliability, distances

RESAMPLES = 1000
CONFIDENCE = 0.95
CHUNK_CELLS = 1 << 22  # replicates × units drawn at once: 32 MB of counts, whatever the data size


def alpha_interval(
    data: Reliability,
    level: str = "nominal",
    *,
    distance: np.ndarray | None = None,
    resamples: int = RESAMPLES,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> list[float] | None:
    """[low, high] of α at ``level`` (or with a values × values ``distance``), resampling the pairable items.

    None when no replicate has a defined α.
    """
    pairable = int((data.counts.sum(axis=1) >= 2).sum())
    alphas = [replicate_alphas(data, w, level, distance) for w in _weights(pairable, resamples, seed)]
    return _percentiles(np.concatenate(alphas) if alphas else np.zeros(0), confidence)


def replicate_alphas(
    data: Reliability, weights: np.ndarray, level: str = "nominal", distance: np.ndarray | None = None
) -> np.ndarray:
    """α of each replicate (NaN where undefined); ``weights``: replicates × pairable items, how often each is drawn."""
    counts = data.counts.astype(np.float64)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if level == "ordinal" and distance is None:  # δ² depends on the replicate's marginals: resample whole matrices
        v = data.n_values
        per_unit = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(v)) / (m - 1)[:, None, None]
        o = (weights @ per_unit.reshape(len(m), -1)).reshape(-1, v, v)
        n_v = o.sum(axis=1)
        n = n_v.sum(axis=1)
        d = distances("ordinal", data.domain, n_v)
        e = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(v)) / np.maximum(n - 1, 1)[:, None, None]
        return _alpha((o * d).sum(axis=(1, 2)), (e * d).sum(axis=(1, 2)), n)
    d = distances(level, data.domain, np.zeros(data.n_values)) if distance is None else np.asarray(distance, dtype=np.float64)
    # Σ o·δ² of one unit: (cᵀδ²c − Σ c·diag δ²) / (m − 1); its row of o sums to its counts.
    observed = (((counts @ d) * counts).sum(axis=1) - counts @ np.diag(d)) / (m - 1)
    return _fixed_distance_alphas(weights, counts, observed, d)


def interval_from_units(
    marginals: np.ndarray,
    observed: np.ndarray,
    distance: np.ndarray,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> list[float] | None:
    """The interval from each unit's pairable values per code (units × values) and its Σ o·δ² (units).

    A unit may be a cluster of α's units (a comment of characters): resampling clusters keeps
    what depends within a cluster together.
    """
    alphas = [_fixed_distance_alphas(w, marginals, observed, distance) for w in _weights(len(observed), resamples, seed)]
    return _percentiles(np.concatenate(alphas) if alphas else np.zeros(0), confidence)


def _fixed_distance_alphas(weights: np.ndarray, marginals: np.ndarray, observed: np.ndarray, d: np.ndarray) -> np.ndarray:
    """With δ² fixed, a replicate needs only its marginals n_v and its Σ o·δ², never the whole matrix o."""
    n_v = weights @ marginals
    n = n_v.sum(axis=1)
    expected = (np.einsum("bi,ij,bj->b", n_v, d, n_v) - n_v @ np.diag(d)) / np.maximum(n - 1, 1)
    return _alpha(weights @ observed, expected, n)


def _alpha(observed: np.ndarray, expected: np.ndarray, n: np.ndarray) -> np.ndarray:
    """1 − observed / expected disagreement; NaN where undefined (as metrics.alpha_from_coincidences)."""
    defined = (n > 1) & (expected > 0)
    return np.where(defined, 1.0 - observed / np.where(defined, expected, 1.0), np.nan)


def _weights(units: int, resamples: int, seed: int) -> Iterator[np.ndarray]:
    """How many times each replicate draws each unit (replicates × units), a chunk of replicates at a time."""
    if units == 0 or resamples <= 0:
        return
    rng = np.random.default_rng(seed)
    chunk = max(1, CHUNK_CELLS // units)
    for start in range(0, resamples, chunk):
        rows = min(chunk, resamples - start)
        drawn = rng.integers(0, units, size=(rows, units), dtype=np.int32)  # a chunk is < 2³¹ cells
        drawn += (np.arange(rows, dtype=np.int32) * units)[:, None]  # each replicate its own bins
        yield np.bincount(drawn.ravel(), minlength=rows * units).reshape(rows, units).astype(np.float64)


def _percentiles(alphas: np.ndarray, confidence: float) -> list[float] | None:
    alphas = alphas[~np.isnan(alphas)]
    if not len(alphas):
        return None
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(alphas, [tail, 1.0 - tail])
    return [float(low), float(high)]
