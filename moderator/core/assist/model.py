"""The assist model: TF-IDF + logistic regression scoring how likely a comment is positive (e.g. toxic).

No database here: ``fit`` and ``Model.score`` are the one scoring function used both by the app
(``assist_store`` trains on the labels in force and writes the scores) and by the replay simulation
(``assist_sim``), so the figures measured are those of the code that runs. scikit-learn is imported
on first use only, so the command line starts without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RETRAIN_EVERY = 20  # new labels between two trainings
MIN_PER_CLASS = 1  # a model needs both classes; one example of each is enough to start ranking
TOXICITY_AT_LEAST = 3  # the default schema's "toxic" and "very toxic"
DEHUMANIZING = frozenset({"implicit", "explicit"})


def is_positive(values: Mapping[str, Any]) -> bool | None:
    """The binary target of the default schema: toxicity ≥ 3, or dehumanization implicit/explicit.

    None when the answer says nothing about either question (another schema's labels, a skip), so
    such rows are left out of training rather than counted as negatives. A project rule would
    replace this function (one rule per schema, later).
    """
    toxicity, dehumanization = values.get("toxicity"), values.get("dehumanization")
    if toxicity is None and dehumanization is None:
        return None
    toxic = isinstance(toxicity, (int, float)) and not isinstance(toxicity, bool) and toxicity >= TOXICITY_AT_LEAST
    return toxic or dehumanization in DEHUMANIZING


def majority(votes: Sequence[bool]) -> bool:
    """A comment's target from its annotators' answers: positive when at least half say so.

    Half, not more than half: with two annotators split, the comment is worth reviewing as toxic.
    """
    return 2 * sum(votes) >= len(votes)


def can_train(targets: Sequence[bool]) -> bool:
    positives = sum(1 for t in targets if t)
    return positives >= MIN_PER_CLASS and len(targets) - positives >= MIN_PER_CLASS


def retrain_due(mark_now: int, mark_at_last_training: int | None) -> bool:
    """Train again once ``RETRAIN_EVERY`` annotations have arrived since the last model (or there is none).

    The marks are the newest annotation ids (``assist_store.activity_mark``): skips and undos count too,
    which only makes a retraining come a little early.
    """
    return mark_at_last_training is None or mark_now - mark_at_last_training >= RETRAIN_EVERY


@dataclass
class Model:
    pipeline: Any  # a fitted sklearn Pipeline

    def score(self, texts: Sequence[str]) -> list[float]:
        """P(positive) per text, in [0, 1]."""
        if not texts:
            return []
        return [float(p) for p in self.pipeline.predict_proba(list(texts))[:, 1]]


def fit(texts: Sequence[str], targets: Sequence[bool]) -> Model:
    """Train on labelled texts; raises ValueError unless both classes are present (see ``can_train``)."""
    if len(texts) != len(targets):
        raise ValueError("one target per text")
    if not can_train(targets):
        raise ValueError("the model needs at least one positive and one negative label")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    # Words and character n-grams: slurs and insults come misspelt, hashtagged and glued together.
    features = FeatureUnion([
        ("words", TfidfVectorizer(sublinear_tf=True, min_df=1, ngram_range=(1, 2), lowercase=True)),
        ("chars", TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=1, max_features=200_000)),
    ])  # fmt: skip
    # Balanced classes: positives are rare (10-20 %), and an unweighted model would score all low.
    classifier = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000)
    pipeline = make_pipeline(features, classifier)
    pipeline.fit(list(texts), [1 if t else 0 for t in targets])
    return Model(pipeline)


def uncertainty(score: float) -> float:
    """|p − 0.5|: the smaller, the less sure the model is (ordered ascending for "most uncertain first")."""
    return abs(score - 0.5)


def hint(score: float, positive_name: str = "toxic") -> str:
    """The label panel's hint, e.g. "model: likely toxic, 0.82" — a suggestion, never an answer."""
    verdict = f"likely {positive_name}" if score >= 0.5 else f"likely not {positive_name}"
    return f"model: {verdict}, {score:.2f}"
