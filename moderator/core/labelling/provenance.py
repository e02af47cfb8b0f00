"""How a label was made: what was on the annotator's screen when they answered, and under which condition.

Studies show that thread context and a model's suggestion change what annotators answer; a reviewer of
a dataset can only weigh that if every label records it. The app fills these facts as they happen on
screen and sends them with the answer; the core checks their shape and stores them once, with the row.
"""

from __future__ import annotations

from typing import Any

from moderator.core.schema.definition import LabelError

# Each fact: its name → the types it may take (None: the fact does not apply, e.g. no hint was shown).
FACTS: dict[str, tuple[type, ...]] = {
    "article_shown": (bool,),  # the article's text was on screen beside the comment
    "parent_shown": (bool,),  # the comment it replies to (the source's link)
    "named_parent_shown": (bool,),  # an earlier comment it names, shown as its probable parent
    "siblings_opened": (bool,),  # the annotator opened the other replies at its level
    "blurred": (bool,),  # it was blurred as likely severe when it appeared
    "revealed": (bool,),  # the annotator revealed it before answering
    "hint_shown": (bool,),  # the model's guess was on screen before the answer
    "hint_score": (float, int, type(None)),  # the guess shown (0..1)
    "first_key_ms": (int, type(None)),  # from the comment appearing to the first answer given
    "condition": (dict, type(None)),  # the experiment's arm this label was made under (see conditions)
}
MAX_CONDITION_KEYS = 8


def clean_provenance(provenance: dict[str, Any] | None) -> dict[str, Any] | None:
    """The provenance to store, or LabelError naming the first fact of the wrong shape."""
    if provenance is None:
        return None
    if not isinstance(provenance, dict):
        raise LabelError("provenance must be an object of facts")
    clean: dict[str, Any] = {}
    for name, value in provenance.items():
        if name not in FACTS:
            raise LabelError(f"provenance: {name!r} is not a fact the app records ({', '.join(FACTS)})")
        if not isinstance(value, FACTS[name]) or (isinstance(value, bool) and bool not in FACTS[name]):
            raise LabelError(f"provenance: {name} has the wrong type ({type(value).__name__})")
        if name == "condition" and value is not None:
            if len(value) > MAX_CONDITION_KEYS or not all(
                isinstance(k, str) and isinstance(v, str | int) for k, v in value.items()
            ):
                raise LabelError("provenance: condition must be a few names with text or number values")
        if name == "first_key_ms" and value is not None and value < 0:
            raise LabelError("provenance: first_key_ms cannot be negative")
        clean[name] = value
    return clean
