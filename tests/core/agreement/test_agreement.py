"""Agreement metrics: Krippendorff's α against the krippendorff package, κ against hand computations."""

from __future__ import annotations

import warnings
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core.agreement import metrics as ag

krippendorff = pytest.importorskip("krippendorff")


def package_alpha(matrix: np.ndarray, level: str, domain=None) -> float | None:
    """The package's α (it wants annotators × items), None where it refuses or returns NaN."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement=level, value_domain=domain)
    except ValueError:
        return None
    return None if np.isnan(value) else float(value)


def random_matrix(rng, items: int, annotators: int, values: list[float], missing: float) -> np.ndarray:
    matrix = rng.choice(values, size=(items, annotators)).astype(float)
    matrix[rng.random(matrix.shape) < missing] = np.nan
    return matrix


@pytest.mark.parametrize("level", ag.LEVELS)
@pytest.mark.parametrize("items, annotators, missing", [(2, 2, 0.0), (10, 3, 0.3), (50, 5, 0.5), (300, 12, 0.7), (1000, 2, 0.2)])
def test_alpha_equals_the_krippendorff_package_on_random_data(level, items, annotators, missing):
    rng = np.random.default_rng(items * 31 + annotators)
    values = [1.0, 2.0, 3.0, 5.0, 8.0]  # uneven gaps: interval and ordinal distances differ
    for trial in range(5):
        matrix = random_matrix(rng, items, annotators, values, missing)
        expected = package_alpha(matrix, level)
        got = ag.krippendorff_alpha(ag.from_matrix(matrix), level)
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected, abs=1e-6), (trial, level)
        # The full option list as value domain (some options unused) gives the same α in both.
        full = [0.0, *values, 13.0]
        expected_full = package_alpha(matrix, level, full)
        got_full = ag.krippendorff_alpha(ag.from_matrix(matrix, domain=full), level)
        assert (got_full is None) == (expected_full is None)
        if expected_full is not None:
            assert got_full == pytest.approx(expected_full, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda annotators: st.lists(
            st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=annotators, max_size=annotators),
            min_size=1,
            max_size=25,
        )
    ),
    st.sampled_from(ag.LEVELS),
)
def test_alpha_equals_the_package_on_any_small_data_set(rows, level):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    data = ag.from_matrix(matrix, domain=[1, 2, 3, 4])
    expected = package_alpha(matrix, level, [1, 2, 3, 4])
    got = ag.krippendorff_alpha(data, level)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert got == pytest.approx(expected, abs=1e-6)


def test_ordinal_alpha_on_text_values_uses_the_option_order():
    options = ["none", "implicit", "explicit"]
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 3, size=(40, 4)).astype(float)
    codes[rng.random(codes.shape) < 0.3] = np.nan
    text = np.where(np.isnan(codes), "nan", np.array(options)[np.nan_to_num(codes).astype(int)])
    expected = krippendorff.alpha(reliability_data=text.T, level_of_measurement="ordinal", value_domain=options)
    rows, cols = np.nonzero(~np.isnan(codes))
    data = ag.reliability(rows, cols, codes[rows, cols].astype(int), options)
    assert ag.krippendorff_alpha(data, "ordinal") == pytest.approx(expected, abs=1e-6)


def test_alpha_matches_the_packages_documented_examples():
    nan = np.nan
    data = np.array(
        [
            [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
        ]
    ).T  # items × annotators
    assert ag.krippendorff_alpha(ag.from_matrix(data), "nominal") == pytest.approx(0.691358, abs=1e-6)
    assert ag.krippendorff_alpha(ag.from_matrix(data), "interval") == pytest.approx(0.810845, abs=1e-6)


def test_items_rated_once_are_not_pairable():
    matrix = np.array([[1, 1], [2, 2], [1, np.nan], [np.nan, 2], [2, np.nan]])
    assert ag.krippendorff_alpha(ag.from_matrix(matrix)) == pytest.approx(1.0)
    assert package_alpha(matrix, "nominal") == pytest.approx(1.0)
    assert ag.krippendorff_alpha(ag.from_matrix([[1, np.nan], [np.nan, 2]])) is None  # nothing pairable


def test_perfect_agreement_is_one_for_every_metric():
    data = ag.from_matrix([[1, 1, 1], [2, 2, np.nan], [3, 3, 3], [1, np.nan, 1]])
    for level in ag.LEVELS:
        assert ag.krippendorff_alpha(data, level) == pytest.approx(1.0)
    assert ag.fleiss_kappa(data) == pytest.approx(1.0)
    assert all(kappa == pytest.approx(1.0) for kappa, _ in ag.cohen_kappa_pairs(data).values())
    assert all(share == 1.0 for share, _ in ag.majority_agreement(data).values())


def test_identical_values_everywhere_leave_alpha_and_kappa_undefined():
    # Expected disagreement is 0, so α = 1 − 0/0: reported as None (never NaN), whatever the domain.
    data = ag.from_matrix([[2, 2], [2, 2], [2, np.nan]], domain=[1, 2, 3])
    for level in ag.LEVELS:
        assert ag.krippendorff_alpha(data, level) is None
    assert ag.fleiss_kappa(data) is None
    assert ag.cohen_kappa_pairs(data) == {(0, 1): (None, 2)}
    assert ag.majority_agreement(data) == {0: (1.0, 2), 1: (1.0, 2)}


def test_empty_data_gives_no_numbers():
    data = ag.reliability([], [], [], domain=[0, 1])
    assert ag.krippendorff_alpha(data) is None and ag.fleiss_kappa(data) is None
    assert ag.cohen_kappa_pairs(data) == {} and ag.majority_agreement(data) == {}


def ratings_from_counts(counts: list[list[int]]):
    """Items given as counts per category (Fleiss' layout), raters numbered within each item."""
    item, annotator, value = [], [], []
    for i, row in enumerate(counts):
        rater = 0
        for category, n in enumerate(row):
            for _ in range(n):
                item.append(i)
                annotator.append(rater)
                value.append(category)
                rater += 1
    return ag.reliability(item, annotator, value, domain=list(range(len(counts[0]))))


def test_fleiss_kappa_of_the_wikipedia_example_is_0_210():
    counts = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    assert round(ag.fleiss_kappa(ratings_from_counts(counts)), 3) == 0.210


def test_fleiss_kappa_with_varying_raters_averages_items_and_ignores_single_ratings():
    # Items: {a, a}, {a, b, b}, {b} (one rating: left out of P̄ and of p_j).
    data = ag.reliability([0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 0], [0, 0, 0, 1, 1, 1])
    p_bar = (Fraction(1) + Fraction(2, 6)) / 2
    p_e = Fraction(3, 5) ** 2 + Fraction(2, 5) ** 2
    assert ag.fleiss_kappa(data) == pytest.approx(float((p_bar - p_e) / (1 - p_e)))


def test_cohen_kappa_by_hand():
    # a: 0 0 1 1, b: 0 1 1 1 → p_o = 3/4, p_e = ½·¼ + ½·¾ = ½, κ = ½.
    data = ag.reliability([0, 1, 2, 3] * 2, [7] * 4 + [9] * 4, [0, 0, 1, 1, 0, 1, 1, 1])
    assert ag.cohen_kappa_pairs(data) == {(7, 9): (pytest.approx(0.5), 4)}


def test_cohen_kappa_of_the_wikipedia_example_is_0_4():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 → p_o = 0.7, p_e = 0.5, κ = 0.4.
    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    a, b = zip(*pairs)
    data = ag.reliability(list(range(50)) * 2, [1] * 50 + [2] * 50, list(a) + list(b))
    kappa, n = ag.cohen_kappa_pairs(data)[(1, 2)]
    assert kappa == pytest.approx(0.4) and n == 50


def test_cohen_pairs_only_for_annotators_with_common_items():
    # Annotator 1 and 3 never rate the same item.
    data = ag.reliability([0, 0, 1, 1, 2, 2], [1, 2, 2, 3, 2, 3], [0, 0, 1, 1, 0, 1])
    pairs = ag.cohen_kappa_pairs(data)
    assert set(pairs) == {(1, 2), (2, 3)}
    assert pairs[(1, 2)] == (None, 1)  # one common item, one category: κ undefined
    # Common items 1 and 2: annotator 2 says 1, 0 and annotator 3 says 1, 1 → p_o = ½, p_e = ½, κ = 0.
    assert pairs[(2, 3)] == (pytest.approx(0.0), 2)


def brute_cohen(ratings: dict[tuple[int, int], int]) -> dict[tuple[int, int], tuple[float | None, int]]:
    out = {}
    annotators = sorted({a for _, a in ratings})
    for a, b in combinations(annotators, 2):
        common = [i for (i, x) in ratings if x == a and (i, b) in ratings]
        if not common:
            continue
        n = len(common)
        va, vb = [ratings[(i, a)] for i in common], [ratings[(i, b)] for i in common]
        p_o = sum(x == y for x, y in zip(va, vb)) / n
        p_e = sum(va.count(c) * vb.count(c) for c in set(va) | set(vb)) / n**2
        out[(a, b)] = (None if p_e == 1 else (p_o - p_e) / (1 - p_e), n)
    return out


def brute_majority(ratings: dict[tuple[int, int], int]) -> dict[int, tuple[float, int]]:
    hits: dict[int, list[bool]] = {}
    for (item, a), v in ratings.items():
        others = [w for (i, b), w in ratings.items() if i == item and b != a]
        if not others:
            continue
        top = max(others.count(w) for w in set(others))
        leaders = [w for w in set(others) if others.count(w) == top]
        if len(leaders) == 1:
            hits.setdefault(a, []).append(v == leaders[0])
    return {a: (sum(h) / len(h), len(h)) for a, h in hits.items()}


@pytest.mark.parametrize("seed", range(8))
def test_cohen_and_majority_equal_a_brute_force_count(seed):
    rng = np.random.default_rng(seed)
    ratings = {
        (int(i), int(a)): int(rng.integers(0, 3))
        for i in range(30)
        for a in rng.choice(6, size=rng.integers(1, 6), replace=False)
    }
    (items, annotators), values = zip(*ratings), list(ratings.values())
    data = ag.reliability(np.array(items) * 10 + 5, np.array(annotators) + 100, values)  # sparse ids
    expected = {(a + 100, b + 100): kn for (a, b), kn in brute_cohen(ratings).items()}
    got = ag.cohen_kappa_pairs(data)
    assert set(got) == set(expected)
    for key, (kappa, n) in expected.items():
        assert got[key][1] == n
        assert (got[key][0] is None) == (kappa is None) and (kappa is None or got[key][0] == pytest.approx(kappa))
    majority = {a + 100: share for a, share in brute_majority(ratings).items()}
    got_majority = ag.majority_agreement(data)
    assert {a: n for a, (_, n) in got_majority.items()} == {a: n for a, (_, n) in majority.items()}
    assert {a: s for a, (s, _) in got_majority.items()} == pytest.approx({a: s for a, (s, _) in majority.items()})


def test_majority_agreement_by_hand():
    # (item, annotator, value); the others' majority must be unique, and someone else must have rated.
    ratings = [
        (1, "A", 0), (1, "B", 0), (1, "C", 1),  # A, B: others tie 0/1 → left out; C: others say 0
        (2, "A", 1), (2, "B", 1), (2, "C", 1),  # all agree
        (3, "A", 0),  # alone: left out
        (5, "A", 2), (5, "B", 2), (5, "C", 0), (5, "D", 2),  # C alone against three
    ]  # fmt: skip
    names = {"A": 0, "B": 1, "C": 2, "D": 3}
    item, who, value = zip(*ratings)
    data = ag.reliability(item, [names[w] for w in who], value)
    assert ag.majority_agreement(data) == {0: (1.0, 2), 1: (1.0, 2), 2: (pytest.approx(1 / 3), 3), 3: (1.0, 1)}


def test_one_annotator_rating_an_item_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        ag.reliability([1, 1], [2, 2], [0, 1])
    with pytest.raises(ValueError, match="domain"):
        ag.reliability([1, 2], [1, 2], [0, 3], domain=[0, 1])


def test_a_million_ratings_are_measured_at_once():
    """(Their time is the benchmark's agreement figure, not a test's: wall time on a loaded machine is noise.)"""
    rng = np.random.default_rng(0)
    items, annotators = 200_000, 5
    truth = rng.integers(0, 4, items)
    item = np.repeat(np.arange(items), annotators)
    value = np.clip(truth[item] + rng.integers(-1, 2, item.size) * (rng.random(item.size) < 0.3), 0, 3)
    order = rng.permutation(item.size)
    data = ag.reliability(item[order], np.tile(np.arange(annotators), items)[order], value[order], [1, 2, 3, 4])
    alphas = [ag.krippendorff_alpha(data, level) for level in ag.LEVELS]
    kappa, pairs = ag.fleiss_kappa(data), ag.cohen_kappa_pairs(data)
    ag.majority_agreement(data)
    assert all(0.5 < a < 1 for a in alphas) and 0.5 < kappa < 1
    assert len(pairs) == annotators * (annotators - 1) // 2
