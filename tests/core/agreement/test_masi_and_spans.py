"""Agreement on sets (α with the MASI distance) and on rationale spans (character-level α)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from sqlalchemy import select

from moderator.core.agreement import metrics as ag
from moderator.core.agreement.extended import Extended
from moderator.core.agreement.masi import masi_alpha, masi_distance, masi_distances, set_reliability
from moderator.core.agreement.report import agreement_report, format_report
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import ensure_annotator

krippendorff = pytest.importorskip("krippendorff")

NAMES = ["ana", "ben", "cleo"]
CATEGORIES = ["insult", "identity_attack", "threat", "profanity", "sexual", "other"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ({"insult"}, {"insult"}, 0.0),
        ({"insult", "threat"}, {"threat", "insult"}, 0.0),
        (set(), set(), 0.0),  # both chose nothing: they agree
        ({"insult"}, {"insult", "threat"}, 1 - 1 / 2 * 2 / 3),  # a subset: Jaccard 1/2, M 2/3
        ({"insult", "threat"}, {"threat", "profanity"}, 1 - 1 / 3 * 1 / 3),  # overlap: Jaccard 1/3, M 1/3
        ({"insult"}, {"threat"}, 1.0),  # disjoint
        (set(), {"threat"}, 1.0),
        ({"a", "b", "c"}, {"a"}, 1 - 1 / 3 * 2 / 3),
    ],
)
def test_masi_distance_of_hand_made_pairs(a, b, distance):
    assert masi_distance(a, b) == pytest.approx(distance)
    assert masi_distance(b, a) == pytest.approx(distance)


def members(mask: int) -> set[int]:
    return {bit for bit in range(8) if mask >> bit & 1}


def test_the_distance_matrix_of_bitmasks_is_masi_of_every_pair():
    masks = list(range(16))  # every subset of four options
    matrix = masi_distances(masks)
    for i, j in combinations(range(16), 2):
        assert matrix[i, j] == pytest.approx(masi_distance(members(masks[i]), members(masks[j])))
    assert np.allclose(np.diag(matrix), 0.0) and np.allclose(matrix, matrix.T)


def package_masi(v1, v2, i1, i2, n_v, dtype=np.float64):
    """MASI as the krippendorff package's custom metric: the values are bitmasks."""
    pair = np.vectorize(lambda x, y: masi_distance(members(int(x)), members(int(y))))
    return pair(v1, v2).astype(dtype)


def test_masi_alpha_equals_the_krippendorff_package_with_a_masi_metric():
    rng = np.random.default_rng(8)
    truth = rng.integers(0, 8, size=25)  # sets of three options
    matrix = np.array(
        [[t ^ (1 << int(rng.integers(0, 3))) if rng.random() < 0.3 else t for t in truth] for _ in range(4)], dtype=float
    )
    matrix[rng.random(matrix.shape) < 0.2] = np.nan  # annotators × items, as the package wants
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement=package_masi)
    annotator, item = np.nonzero(~np.isnan(matrix))
    data = set_reliability(item, annotator, matrix[annotator, item].astype(np.int64))
    assert masi_alpha(data) == pytest.approx(expected, abs=1e-9)


@pytest.fixture
def comments(engine):
    texts = ["you are an idiot and a liar", "go back home", "nice article, thanks", "what a stupid take", "ok"]
    draft = ThreadDraft(source="test", title="T", article="A", comments=[CommentDraft(t) for t in texts])
    import_drafts(engine, [draft], name="t", fmt="test")
    with engine.connect() as conn:
        return conn.execute(select(Comment.id, Comment.text).order_by(Comment.position)).all()


@pytest.fixture
def annotators(engine):
    configure(engine, overlap=len(NAMES))
    return {name: ensure_annotator(engine, name) for name in NAMES}


def test_a_multi_question_gets_a_masi_alpha_entry_ahead_of_its_options(engine, comments, annotators):
    chosen = {  # comment index → each annotator's categories
        0: (["insult"], ["insult", "profanity"], ["insult"]),
        1: (["identity_attack"], ["identity_attack"], []),
        2: ([], [], []),
        3: (["insult"], ["threat"], ["insult", "threat"]),
    }
    for index, sets in chosen.items():
        for name, cats in zip(NAMES, sets):
            submit(engine, comments[index].id, annotators[name], {"toxicity": 2} | ({"categories": cats} if cats else {}))
    report = agreement_report(engine, ["categories"], extended=Extended(resamples=200))
    assert list(report)[:2] == ["categories", "categories.insult"]
    entry = report["categories"]
    assert entry["kind"] == "multi" and entry["alpha_level"] == "masi" and entry["options"] == CATEGORIES
    assert entry["items"] == 4 and entry["annotations"] == 12 and entry["annotators"] == 3
    mask = lambda cats: sum(1 << CATEGORIES.index(c) for c in cats)  # noqa: E731
    matrix = np.array([[mask(chosen[i][a]) for i in sorted(chosen)] for a in range(3)], dtype=float)
    assert entry["alpha"] == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement=package_masi))
    low, high = entry["alpha_ci95"]
    assert low <= entry["alpha"] <= high
    assert report["categories.insult"]["alpha_level"] == "nominal"
    assert report["categories.insult"]["alpha"] == report["categories.insult"]["krippendorff_alpha_nominal"]
    assert "categories" not in agreement_report(engine, ["categories"])  # the plain report is as it was
    assert list(agreement_report(engine, ["categories.threat"], extended=Extended())) == ["categories.threat"]
    assert any(line.startswith("categories ") and "masi" not in line for line in format_report(report).splitlines())


def span(start: int, end: int) -> dict:
    return {"start": start, "end": end, "question": "rationale"}


def spans_alpha(engine, spans_by_comment: dict[int, list[list[dict]]], comments) -> dict:
    for index, per_annotator in spans_by_comment.items():
        for name, spans in zip(NAMES, per_annotator):
            submit(engine, comments[index].id, ensure_annotator(engine, name), {"toxicity": 2}, spans=spans)
    return agreement_report(engine, ["rationale"], extended=Extended(resamples=300))["rationale"]


def test_identical_spans_agree_perfectly(engine, comments, annotators):
    same = {0: [[span(15, 20)]] * 3, 1: [[span(0, 12)]] * 2, 3: [[span(7, 13), span(0, 4)]] * 3}
    entry = spans_alpha(engine, same, comments)
    assert entry["alpha"] == 1.0 and entry["alpha_ci95"] == [1.0, 1.0]
    assert entry["kind"] == "spans" and entry["unit"] == "character"
    assert entry["items"] == 3 and entry["annotations"] == 8 and entry["annotators"] == 3
    assert entry["characters"] == sum(len(comments[i].text) for i in same)


def test_disjoint_spans_agree_less(engine, comments, annotators):
    entry = spans_alpha(engine, {0: [[span(0, 3)], [span(15, 20)]], 1: [[span(0, 2)], [span(5, 12)]]}, comments)
    assert entry["alpha"] < 0  # systematic disagreement: worse than chance


def test_span_alpha_is_alpha_over_every_character(engine, comments, annotators):
    rng = np.random.default_rng(4)
    given: dict[int, list[list[dict]]] = {}
    for index in (0, 1, 3):
        length = len(comments[index].text)
        given[index] = []
        for _ in NAMES:
            starts = sorted(rng.choice(length, size=2, replace=False))
            # Two spans each, overlapping at times: a character inside both still counts once.
            given[index].append([span(int(starts[0]), min(length, int(starts[0]) + 6)), span(int(starts[1]), length)])
    given[4] = [[], []]  # "ok": two answers, no span: both say no character
    entry = spans_alpha(engine, given, comments)
    item, annotator, value = [], [], []
    for index, per_annotator in given.items():
        for a, spans in enumerate(per_annotator):
            inside = np.zeros(len(comments[index].text), dtype=int)
            for s in spans:
                inside[s["start"] : s["end"]] = 1
            item += [index * 1000 + c for c in range(len(inside))]
            annotator += [a] * len(inside)
            value += inside.tolist()
    expected = ag.krippendorff_alpha(ag.reliability(item, annotator, value, [0, 1]), "nominal")
    assert entry["alpha"] == pytest.approx(expected, abs=1e-12)
    assert entry["characters"] == sum(len(comments[i].text) for i in given)


def test_only_comments_with_two_submitted_answers_count(engine, comments, annotators):
    submit(engine, comments[0].id, annotators["ana"], {"toxicity": 2}, spans=[span(0, 3)])
    submit(engine, comments[0].id, annotators["ben"], status="skipped")
    submit(engine, comments[1].id, annotators["ana"], {"toxicity": 2}, spans=[span(0, 2)])
    entry = agreement_report(engine, ["rationale"], extended=Extended())["rationale"]
    assert entry["items"] == 0 and entry["alpha"] is None and entry["alpha_ci95"] is None
    assert agreement_report(engine, extended=Extended(resamples=0))["rationale"]["items"] == 0
    with pytest.raises(ValueError, match="rationale"):
        agreement_report(engine, ["rationale"])  # the plain report knows choice questions only
