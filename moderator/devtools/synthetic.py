"""Synthetic corpora for benchmarks: threads of comments with reply trees and realistic lengths."""

from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = (
    "the a to of and in that is for it on with as was at be this have are not but they by from or we "
    "people government council vote policy budget refugees shelter parking school taxes election mayor "
    "never always really think should would could must believe agree wrong right fair unfair problem "
    "families town river flood fund bill meeting decision article comment reply point question answer"
).split()
THREAD_SIZE = 100  # comments per thread


def comment_text(rng: random.Random) -> str:
    # Lengths of real comment sections: mostly a sentence or three, now and then a long one.
    words = max(3, int(rng.lognormvariate(3.3, 0.8)))
    return " ".join(rng.choices(WORDS, k=min(words, 600))).capitalize() + "."


def write_bulk_jsonl(path: str | Path, comments: int, seed: int = 7) -> Path:
    """One comment per line (the bulk shape), 100 per thread, about half of them replies."""
    rng = random.Random(seed)
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        for i in range(comments):
            thread, position = divmod(i, THREAD_SIZE)
            parent = None
            if position and rng.random() < 0.5:
                parent = f"c{thread * THREAD_SIZE + rng.randrange(position)}"
            record = {
                "thread_id": f"t{thread}",
                "id": f"c{i}",
                "parent_id": parent,
                "author": f"user{rng.randrange(max(10, comments // 20))}",
                "text": comment_text(rng),
            }
            if position == 0:
                record["thread_title"] = f"Synthetic article {thread}"
            out.write(json.dumps(record) + "\n")
    return path
