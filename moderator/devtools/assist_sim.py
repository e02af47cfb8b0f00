"""`moderator bench --assist`: does the assist model find the toxic comments sooner than chance?

Replays the LeWiDi 2023 labels as an oracle: an annotator labels one item at a time in the queue's
order, the model is retrained every ``assist.RETRAIN_EVERY`` labels once both classes are present
(as the app does), and we count how many labels it takes to find ``GOAL`` of the positive items. The
model is the app's own (``assist.fit`` / ``Model.score``); only the database is left out, for speed.

Before the first model, and for every ordering's ties, items come in "thread order": the file's
items shuffled by the seed, as if imported in an unknown order. "random" is that order throughout.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from moderator.core.assist import model as assist

GOAL = 0.8
SEEDS = (0, 1, 2, 3, 4)
ORDERINGS = ("random", "toxic-first", "uncertain")
# Dataset → (files, how an item's positive label reads). Both use the harmonised hard label: HS-Brexit's
# 1 is hate speech; ConvAbuse's 1 is abusive (its annotators' severity below 0, by majority).
DATASETS = {
    "HS-Brexit": ("HS-Brexit_train.json", "HS-Brexit_dev.json"),
    "ConvAbuse": ("ConvAbuse_dev.json",),
}


@dataclass(frozen=True)
class Items:
    name: str
    texts: list[str]
    positive: list[bool]


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lewidi"


def load_lewidi(paths: Sequence[Path], name: str) -> Items:
    """Item texts and hard labels; a ConvAbuse item's text is the user turn the annotators judged."""
    texts, positive = [], []
    for path in paths:
        for item in json.loads(Path(path).read_text(encoding="utf-8")).values():
            text = item["text"]
            if text.lstrip().startswith("{"):
                try:
                    text = json.loads(text).get("user", text)
                except ValueError:
                    pass
            texts.append(text)
            positive.append(str(item["hard_label"]).strip() == "1")
    return Items(name, texts, positive)


def labels_to_goal(items: Items, ordering: str, seed: int, goal: float = GOAL) -> int:
    """How many labels this ordering needs before ``goal`` of the positives have been labelled."""
    n = len(items.texts)
    needed = math.ceil(goal * sum(items.positive))
    if needed == 0:
        return 0
    thread = list(range(n))
    random.Random(seed).shuffle(thread)
    rank = {item: r for r, item in enumerate(thread)}  # tie-break: thread order
    open_items = set(range(n))
    labelled: list[int] = []
    scores: dict[int, float] | None = None
    found = 0
    while found < needed:
        if ordering == "random" or scores is None:
            nxt = next(i for i in thread if i in open_items)
        elif ordering == "toxic-first":
            nxt = min(open_items, key=lambda i: (-scores[i], rank[i]))
        elif ordering == "uncertain":
            nxt = min(open_items, key=lambda i: (assist.uncertainty(scores[i]), rank[i]))
        else:
            raise ValueError(f"unknown ordering {ordering!r}")
        open_items.discard(nxt)
        labelled.append(nxt)
        found += items.positive[nxt]
        if ordering != "random" and len(labelled) % assist.RETRAIN_EVERY == 0 and found < needed:
            targets = [items.positive[i] for i in labelled]
            if assist.can_train(targets) and open_items:
                model = assist.fit([items.texts[i] for i in labelled], targets)
                rest = sorted(open_items)
                scores = dict(zip(rest, model.score([items.texts[i] for i in rest])))
    return len(labelled)


def measure(
    items: Items, seeds: Sequence[int] = SEEDS, orderings: Sequence[str] = ORDERINGS, say: Callable[[str], None] | None = None
) -> dict:
    n, positives = len(items.texts), sum(items.positive)
    result = {"items": n, "positives": positives, "positives_to_find": math.ceil(GOAL * positives), "orderings": {}}
    for ordering in orderings:
        runs = [labels_to_goal(items, ordering, seed) for seed in seeds]
        result["orderings"][ordering] = {"labels_mean": round(statistics.mean(runs), 1), "runs": runs}
        if say:
            say(f"{items.name}: {ordering} needs {statistics.mean(runs):.1f} labels (seeds {list(seeds)}: {runs})")
    base = result["orderings"].get("random", {}).get("labels_mean")
    for ordering, figures in result["orderings"].items():
        if base and ordering != "random":
            figures["saving_vs_random"] = round(1 - figures["labels_mean"] / base, 3)
    return result


def run_all(data_dir: str | Path | None = None, seeds: Sequence[int] = SEEDS, say: Callable[[str], None] | None = None) -> dict:
    folder = Path(data_dir) if data_dir else default_data_dir()
    report = {"goal": GOAL, "retrain_every": assist.RETRAIN_EVERY, "seeds": list(seeds), "datasets": {}}
    for name, files in DATASETS.items():
        paths = [folder / f for f in files]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise ValueError(f"LeWiDi file not found: {', '.join(missing)} (pass --data DIR)")
        report["datasets"][name] = measure(load_lewidi(paths, name), seeds, say=say)
    return report


def format_report(report: dict) -> str:
    lines = [
        f"labels needed to find {report['goal']:.0%} of the positives (mean over seeds {report['seeds']}; retrain every {report['retrain_every']})"
    ]
    for name, d in report["datasets"].items():
        lines.append(f"{name}: {d['items']} items, {d['positives']} positive, {d['positives_to_find']} to find")
        for ordering, f in d["orderings"].items():
            saving = ""
            if "saving_vs_random" in f:
                saved = f["saving_vs_random"]
                saving = f"  ({abs(saved):.0%} {'fewer' if saved >= 0 else 'more'} than random)"
            lines.append(f"  {ordering:<12} {f['labels_mean']:>7.1f}{saving}")
    return "\n".join(lines)
