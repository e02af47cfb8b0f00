"""The extended agreement report's figures for one question: α with its bootstrap interval, competence.

``agreement_report(..., extended=Extended())`` adds them to every entry; the plain report (the
window, the dataset card, the bench) stays as fast as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moderator.core.agreement import aggregate, bootstrap, masi
from moderator.core.agreement.metrics import Reliability, krippendorff_alpha


@dataclass(frozen=True)
class Extended:
    """What the extended report computes: ``resamples`` 0 leaves the intervals out."""

    resamples: int = bootstrap.RESAMPLES
    seed: int = 0
    labels: bool = False  # every comment's aggregated labels, not only the summary


def alpha_with_interval(data: Reliability, level: str, options: Extended) -> dict[str, Any]:
    """The question's own α (its kind's level) and a bootstrap 95 % interval over its comments."""
    alpha = krippendorff_alpha(data, level)
    interval = None
    if alpha is not None and options.resamples > 0:
        interval = bootstrap.alpha_interval(data, level, resamples=options.resamples, seed=options.seed)
    return {"alpha": alpha, "alpha_level": level, "alpha_ci95": interval}


def set_alpha_with_interval(data: Reliability, options: Extended) -> dict[str, Any]:
    """α with the MASI distance over whole sets of options, and its interval."""
    alpha = masi.masi_alpha(data)
    interval = None
    if alpha is not None and options.resamples > 0:
        distance = masi.masi_distances(data.domain)
        interval = bootstrap.alpha_interval(data, distance=distance, resamples=options.resamples, seed=options.seed)
    return {"alpha": alpha, "alpha_level": "masi", "alpha_ci95": interval}


def competence(data: Reliability, domain: list[Any], name: Callable[[Any], str], options: Extended) -> dict[str, Any]:
    """Dawid–Skene and MACE: each annotator's competence by name, how many comments got each label.

    With ``options.labels``, also every comment's label and probability from both models.
    """
    out: dict[str, Any] = {}
    results = {"dawid_skene": aggregate.dawid_skene(data), "mace": aggregate.mace(data)}
    for method, result in results.items():
        if result is None:
            out[method] = None
            continue
        counts = Counter(result.label.tolist())
        out[method] = {
            "competence": {name(a.item()): float(c) for a, c in zip(data.annotator_ids, result.competence)},
            "label_counts": {str(domain[code]): counts[code] for code in sorted(counts)},
            "mean_probability": float(result.probability.mean()),
        }
    if options.labels and all(results.values()):
        ds, mc = results["dawid_skene"], results["mace"]
        out["aggregated_labels"] = [
            {"comment_id": int(comment), "dawid_skene": domain[a], "dawid_skene_probability": float(p),
             "mace": domain[b], "mace_probability": float(q)}
            for comment, a, p, b, q in zip(data.item_ids, ds.label, ds.probability, mc.label, mc.probability)
        ]  # fmt: skip
    return out
