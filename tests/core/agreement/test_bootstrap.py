"""Bootstrap intervals for Krippendorff's α: exact replicates, sensible intervals, reproducible, fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from moderator.core.agreement import metrics as ag
from moderator.core.agreement.bootstrap import alpha_interval, replicate_alphas
from moderator.core.agreement.masi import masi_distances


def noisy_matrix(seed: int, items: int, annotators: int = 4, missing: float = 0.3) -> np.ndarray:
    """Items × annotators on a 1–4 scale: a true value per item, each answer off by one now and then."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 5, size=(items, 1))
    matrix = np.clip(truth + rng.choice([-1, 0, 0, 0, 1], size=(items, annotators)), 1, 4).astype(float)
    matrix[rng.random(matrix.shape) < missing] = np.nan
    return matrix


@pytest.mark.parametrize("level", ag.LEVELS)
def test_each_replicate_is_alpha_of_the_resampled_items(level):
    matrix = noisy_matrix(1, 80)
    data = ag.from_matrix(matrix)
    pairable = np.flatnonzero(data.counts.sum(axis=1) >= 2)
    rng = np.random.default_rng(5)
    draws = rng.integers(0, len(pairable), size=(6, len(pairable)))
    weights = np.array([np.bincount(d, minlength=len(pairable)) for d in draws], dtype=float)
    got = replicate_alphas(data, weights, level)
    for drawn, alpha in zip(draws, got):
        resampled = matrix[data.item_ids[pairable[drawn]]]  # the same items, repeated as drawn
        assert alpha == pytest.approx(ag.krippendorff_alpha(ag.from_matrix(resampled, domain=data.domain), level), abs=1e-12)


def test_a_replicate_with_a_given_distance_is_alpha_with_that_distance():
    masks = np.array([0, 1, 3, 4])  # sets as bitmasks: {}, {a}, {a, b}, {c}
    rng = np.random.default_rng(2)
    data = ag.reliability(np.repeat(np.arange(30), 3), np.tile([1, 2, 3], 30), rng.integers(0, 4, size=90), masks)
    d = masi_distances(masks)
    every_item_once = np.ones((1, 30))
    expected = ag.alpha_from_coincidences(ag.coincidences(data), d)
    assert replicate_alphas(data, every_item_once, distance=d)[0] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level", ag.LEVELS)
def test_the_interval_holds_alpha_and_narrows_with_more_items(level):
    small, large = ag.from_matrix(noisy_matrix(3, 40)), ag.from_matrix(noisy_matrix(3, 1000))
    widths = []
    for data in (small, large):
        low, high = alpha_interval(data, level, resamples=1000, seed=0)
        assert low <= ag.krippendorff_alpha(data, level) <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2  # about √25 = 5 times narrower


def test_the_same_seed_gives_the_same_interval():
    data = ag.from_matrix(noisy_matrix(4, 200))
    assert alpha_interval(data, "ordinal", seed=9) == alpha_interval(data, "ordinal", seed=9)
    assert alpha_interval(data, "ordinal", seed=9) != alpha_interval(data, "ordinal", seed=10)
    assert alpha_interval(data, resamples=0) is None


@pytest.mark.parametrize("level", ag.LEVELS)
def test_perfect_agreement_has_the_interval_one_to_one(level):
    matrix = np.repeat(np.array([[1.0], [2.0], [3.0], [4.0], [2.0]]), 3, axis=1)
    data = ag.from_matrix(matrix)
    assert ag.krippendorff_alpha(data, level) == 1.0
    assert alpha_interval(data, level) == [1.0, 1.0]


def test_undefined_alpha_has_no_interval():
    data = ag.from_matrix(np.ones((10, 3)))  # one value throughout: no expected disagreement
    assert alpha_interval(data) is None


def test_many_items_take_moments():
    data = ag.from_matrix(noisy_matrix(6, 50_000, annotators=3, missing=0.2))
    started = time.perf_counter()
    low, high = alpha_interval(data, "ordinal", resamples=1000)
    assert time.perf_counter() - started < 10  # ~1 s here; 1000 × 50,000 draws is the bulk
    assert low < ag.krippendorff_alpha(data, "ordinal") < high
