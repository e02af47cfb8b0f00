"""The label schema of HateXplain's prior labels: the class, the target communities and the rationale."""

from __future__ import annotations

from typing import Any

LABELS = (("normal", "Normal"), ("offensive", "Offensive"), ("hatespeech", "Hate speech"))
# A multi question needs two options: a file naming fewer communities gets HateXplain's own catch-alls.
_FILLERS = ("Other", "None")


def hatexplain_schema(targets: set[str]) -> dict[str, Any]:
    """``"hatexplain"`` version 1; ``targets``: the target communities named in the file."""
    options = sorted(targets)
    for filler in _FILLERS:
        if len(options) < 2 and filler not in options:
            options.append(filler)
    origin = "HateXplain (Mathew et al., AAAI 2021)"
    return {
        "name": "hatexplain",
        "version": 1,
        "description": f"Per-annotator labels of {origin}: class, target communities and token rationales",
        "guidelines": (
            f'Prior labels imported from {origin}: one annotation per original annotator, named "hatexplain/<annotator_id>".'
        ),
        "questions": [
            {
                "id": "label",
                "label": "Class",
                "kind": "nominal",
                "required": True,
                "guideline": 'HateXplain\'s "label": is the post normal, offensive or hate speech?',
                "options": [{"value": value, "label": label} for value, label in LABELS],
            },
            {
                "id": "target",
                "label": "Target communities",
                "kind": "multi",
                "guideline": 'HateXplain\'s "target": the communities the post targets (its "None" left out).',
                "options": [{"value": t, "label": t} for t in options],
            },
            {
                "id": "rationale",
                "label": "Rationale",
                "kind": "spans",
                "guideline": 'HateXplain\'s "rationales": the words the annotator based the label on.',
            },
        ],
    }
