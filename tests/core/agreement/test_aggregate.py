"""Dawid–Skene and MACE: the report gives crowd-kit's own results, and finds the annotator who guesses."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select

from moderator.core.agreement import aggregate
from moderator.core.agreement import metrics as ag
from moderator.core.agreement.extended import Extended
from moderator.core.agreement.report import agreement_report
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment

pd = pytest.importorskip("pandas")
crowdkit = pytest.importorskip("crowdkit.aggregation")

# crowd-kit 1.4 uses pandas idioms pandas 3 deprecates; the reference runs here call it directly.
pytestmark = pytest.mark.filterwarnings(r"ignore::DeprecationWarning:crowdkit\b", r"ignore::FutureWarning:crowdkit\b")

OTHER = {"aggressive": "aggressive language detection", "offensive": "offensive language detection"}


def lewidi_frame(raw: dict, question: str) -> pd.DataFrame:
    """task/worker/label straight from the JSON: items in file order, annotators as each item lists them."""
    rows = []
    for key, item in raw.items():
        answers = item["annotations"] if question == "hate_speech" else item["other_info"]["other annotations"][OTHER[question]]
        for annotator, value in zip(item["annotators"].split(","), answers.split(",")):
            if value.strip().isdigit():  # the train file's two "No"s are no answer
                rows.append((key, f"HS-Brexit/{annotator}", int(value)))
    return pd.DataFrame(rows, columns=["task", "worker", "label"])


def ds_accuracy(model) -> dict[str, float]:
    """Σ_c prior(c) · P(answers c | truth c), read from crowd-kit's errors_ and priors_."""
    errors, priors = model.errors_, model.priors_
    workers = errors.index.get_level_values("worker").unique()
    return {w: sum(priors[c] * errors.loc[(w, c), c] for c in priors.index if (w, c) in errors.index) for w in workers}


@pytest.fixture(params=["HS-Brexit_dev.json", "HS-Brexit_train.json"])
def brexit(request, sqlite_engine, shared_data):
    # One backend: the aggregation reads the answers the report reads, tested on both backends elsewhere.
    engine = sqlite_engine
    path = shared_data / "lewidi" / request.param
    if not path.is_file():
        pytest.skip(f"{path} not found")
    import_paths(engine, [path], "lewidi")
    with engine.connect() as conn:
        external = dict(conn.execute(select(Comment.id, Comment.external_id)).all())
    return engine, json.loads(path.read_text(encoding="utf-8")), external


@pytest.mark.parametrize("question", ["hate_speech", "offensive"])
def test_labels_probabilities_and_competence_are_crowd_kits_own(brexit, question):
    engine, raw, external = brexit
    entry = agreement_report(engine, [question], extended=Extended(resamples=0, labels=True))[question]
    got = {external[row["comment_id"]]: row for row in entry["aggregated_labels"]}
    frame = lewidi_frame(raw, question)
    assert len(got) == frame["task"].nunique()

    ds = crowdkit.DawidSkene(n_iter=aggregate.DS_ITERATIONS, tol=aggregate.DS_TOLERANCE).fit(frame)
    for key, row in got.items():
        assert row["dawid_skene"] == ds.labels_[key]
        assert row["dawid_skene_probability"] == pytest.approx(ds.probas_.loc[key].max(), abs=1e-9)
    assert entry["dawid_skene"]["competence"] == pytest.approx(ds_accuracy(ds), abs=1e-9)

    # crowd-kit 1.4's MACE indexes its per-worker label table in sorted order but its codes in order of
    # first appearance, so it wants workers and labels whose first appearance is their sorted order.
    workers = pd.factorize(frame["worker"])[1]
    assert list(workers) == sorted(workers)  # Ann1 … Ann6, in that order in every item
    codes, values = pd.factorize(frame["label"])  # offensive (train) starts with a 1
    mace = crowdkit.MACE(n_restarts=aggregate.MACE_RESTARTS, n_iter=aggregate.MACE_ITERATIONS, random_state=aggregate.MACE_SEED)
    mace.fit(frame.assign(label=codes))
    for key, row in got.items():
        assert row["mace"] == values[mace.labels_[key]]
        assert row["mace_probability"] == pytest.approx(mace.probas_.loc[key].max(), abs=1e-9)
    assert entry["mace"]["competence"] == pytest.approx(dict(zip(workers, mace.spamming_[:, 1])), abs=1e-9)

    counts = ds.labels_.value_counts()
    assert entry["dawid_skene"]["label_counts"] == {str(k): int(v) for k, v in sorted(counts.items())}
    json.dumps(entry)


def simulated_campaign(seed: int = 7):
    """6 annotators × 60 comments with a known truth among 4 labels: five right 85 % of the time, one guessing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, size=60)
    item, annotator, value = [], [], []
    for a in range(6):
        for i, t in enumerate(truth):
            if a == 5:
                answer = int(rng.integers(0, 4))  # uniformly at random
            elif rng.random() < 0.85:
                answer = int(t)
            else:
                answer = int(rng.choice([v for v in range(4) if v != t]))
            item.append(i)
            annotator.append(100 + a)  # ids need not be dense
            value.append(answer)
    return truth, ag.reliability(item, annotator, value, [1, 2, 3, 4])


@pytest.mark.parametrize("method", [aggregate.dawid_skene, aggregate.mace])
def test_both_models_put_the_guessing_annotator_last_by_a_clear_margin(method):
    truth, data = simulated_campaign()
    result = method(data)
    by_id = dict(zip(data.annotator_ids.tolist(), result.competence.tolist()))
    guesser, others = by_id.pop(105), list(by_id.values())
    assert guesser < min(others) - 0.3, (guesser, others)
    assert np.mean(result.label == truth) >= 0.95
    assert np.all((result.probability > 0) & (result.probability <= 1))


def test_the_same_data_gives_the_same_results():
    _, data = simulated_campaign(seed=11)
    for method in (aggregate.dawid_skene, aggregate.mace):
        first, second = method(data), method(data)
        assert np.array_equal(first.label, second.label)
        assert np.array_equal(first.probability, second.probability)
        assert np.array_equal(first.competence, second.competence)


def test_labels_map_back_to_the_values_whatever_order_they_first_appear_in():
    # Codes 0..2, first seen as 2, 0, 1; annotators first seen as 30, 10, 20: the crowd-kit numbering differs.
    data = ag.reliability([0, 0, 0, 1, 1, 1, 2, 2, 2], [30, 10, 20] * 3, [2, 2, 2, 0, 0, 1, 1, 1, 1], ["a", "b", "c"])
    for method in (aggregate.dawid_skene, aggregate.mace):
        result = method(data)
        assert result.label.tolist() == [2, 0, 1]
        assert result.competence.shape == (3,)


def test_renumbering_the_values_changes_nothing_but_the_names_of_the_labels():
    truth, data = simulated_campaign(seed=3)
    permutation = np.array([2, 0, 3, 1])  # value code c becomes permutation[c]
    renamed = ag.reliability(data.item, data.annotator_ids[data.annotator], permutation[data.value], [1, 2, 3, 4])
    for method in (aggregate.dawid_skene, aggregate.mace):
        before, after = method(data), method(renamed)
        assert np.array_equal(permutation[before.label], after.label)
        assert np.allclose(before.probability, after.probability, atol=1e-12)
        assert np.allclose(before.competence, after.competence, atol=1e-12)


def test_nothing_to_aggregate_is_none():
    empty = ag.reliability([], [], [], [1, 2])
    assert aggregate.dawid_skene(empty) is None and aggregate.mace(empty) is None
