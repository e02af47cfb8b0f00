"""A scripted annotator: claims and answers until nothing is left. Used to test and measure teams.

Runs in its own process (one engine each), as a real annotator's app would.
"""

from __future__ import annotations

import random
import time

from moderator.core.labelling.claims import claim_next_item
from moderator.core.labelling.log import submit
from moderator.core.store.engine import make_engine
from moderator.core.team.accounts import ensure_annotator


def label_until_done(db_url: str, name: str, seed: int = 0, limit: int | None = None) -> dict:
    """Claim, answer, repeat. Returns the comment ids answered and the claim latencies (ms)."""
    engine = make_engine(db_url)
    rng = random.Random(seed)
    annotator_id = ensure_annotator(engine, name)
    answered: list[int] = []
    claims_ms: list[float] = []
    after = None
    try:
        while limit is None or len(answered) < limit:
            start = time.perf_counter()
            item = claim_next_item(engine, annotator_id, after)
            claims_ms.append((time.perf_counter() - start) * 1000)
            if item is None:
                break
            submit(engine, item.id, annotator_id, {"toxicity": rng.randint(1, 4)})
            answered.append(item.id)
            after = item.key  # go on from here, as the app does
    finally:
        engine.dispose()
    return {"name": name, "answered": answered, "claims_ms": claims_ms}
