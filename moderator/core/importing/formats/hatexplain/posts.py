"""One HateXplain post into a comment whose prior labels are its annotators' class, targets and rationale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderator.core.importing.drafts import CommentDraft, Heuristic, PriorLabel
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.hatexplain import rationales
from moderator.core.importing.formats.hatexplain.schema import LABELS
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import kind_of

_LABELS = frozenset(value for value, _ in LABELS)
_PLATFORMS = ("twitter", "gab")
_KNOWN = frozenset({"post_id", "annotators", "rationales", "post_tokens"})


class PostReader:
    def __init__(self, name: str, options: ImportOptions):
        self.name = name
        self.options = options
        self.targets: set[str] = set()  # every community named, for the schema
        self.guessed: list[int] = []  # lines of posts whose rationales' owners were guessed

    def post(self, key: str | None, post: Any, line: int) -> CommentDraft:
        """``key``: the post's key in a file keyed by post id (None in a list of posts)."""
        where = f"post {key!r}: " if key is not None else ""

        def fail(reason: str) -> ImportFailure:
            return ImportFailure(self.name, line, where + reason)

        if type(post) is not dict:
            raise fail(f"expected an object, found {kind_of(post)}")
        post_id = post.get("post_id", key)
        if type(post_id) is int:
            post_id = str(post_id)
        if type(post_id) is not str or not post_id.strip():
            raise fail('missing "post_id"' if post_id is None else f'"post_id" must be a string, found {kind_of(post_id)}')
        if key is not None and post_id != key:
            raise fail(f'"post_id" is {post_id!r}, but the post is keyed {key!r}')
        where = f"post {post_id!r}: "
        tokens = post.get("post_tokens")
        if type(tokens) is not list or not tokens or set(map(type, tokens)) != {str}:
            found = "missing" if tokens is None else "an empty list" if tokens == [] else kind_of(tokens)
            raise fail(f'"post_tokens" must be a non-empty list of strings, found {found}')

        annotators = post.get("annotators")
        if type(annotators) is not list or not annotators:
            raise fail(f'"annotators" must be a non-empty list of objects, found {kind_of(annotators)}')
        names, values = [], []
        for n, annotator in enumerate(annotators, 1):
            name, labels = self._annotator(annotator, lambda reason, n=n: fail(f"annotator {n}: {reason}"))
            names.append(name)
            values.append(labels)

        marks = post.get("rationales", [])
        if type(marks) is not list:
            raise fail(f'"rationales" must be a list of 0/1 lists, found {kind_of(marks)}')
        found = rationales.owners(len(marks), [v["label"] for v in values])
        if found is None:
            raise fail(f"{len(annotators)} annotators but {len(marks)} rationales")
        owners, guessed = found
        spans: list[list[dict[str, Any]]] = [[] for _ in names]
        ends = rationales.token_ends(tokens) if marks else []
        for n, (owner, mark) in enumerate(zip(owners, marks), 1):
            if rationales.bad_marks(mark):
                raise fail(f"rationale {n} must be a list of 0s and 1s, one per token")
            if len(mark) != len(tokens):
                message = f"{where}the rationale of {names[owner]} has {len(mark)} marks for {len(tokens)} tokens; left out"
                self.options.quirk(self.name, line, message)
                continue
            spans[owner] = rationales.spans(mark, tokens, ends)

        comment = CommentDraft(" ".join(tokens), external_id=post_id, line=line, metadata=_metadata(post_id, post))
        if guessed:
            self.guessed.append(line)
            detail = f"{len(marks)} rationales for {len(names)} annotators: given to the first {len(marks)}"
            comment.heuristics.append(Heuristic("rationale_owner", line, 0.5, detail))
        comment.prior_labels = self._once_each(where, line, names, values, spans)
        return comment

    def _annotator(self, raw: Any, fail: Callable[[str], ImportFailure]) -> tuple[str, dict[str, Any]]:
        if type(raw) is not dict:
            raise fail(f"expected an object, found {kind_of(raw)}")
        aid = raw.get("annotator_id")
        if type(aid) not in (int, str) or (type(aid) is str and not aid.strip()):
            raise fail(f'"annotator_id" must be a number or a name, found {kind_of(aid)}')
        label = raw.get("label")
        if type(label) is not str or label.strip().lower() not in _LABELS:
            raise fail(f'"label" is {label!r}, not one of normal, offensive, hatespeech')
        targets = raw.get("target")
        targets = [] if targets is None else targets
        if type(targets) is not list or any(type(t) is not str for t in targets):
            raise fail(f'"target" must be a list of communities, found {kind_of(targets)}')
        kept = sorted({t.strip() for t in targets} - {"None", ""})
        self.targets.update(kept)
        return f"hatexplain/{str(aid).strip()}", {"label": label.strip().lower(), "target": kept}

    def _once_each(
        self, where: str, line: int, names: list[str], values: list[dict[str, Any]], spans: list[list[dict[str, Any]]]
    ) -> list[PriorLabel]:
        """One label per annotator: one listed twice counts once, with a warning (refused under --strict)."""
        kept: dict[str, PriorLabel] = {}
        for name, labels, marked in zip(names, values, spans):
            label = PriorLabel(name, labels, marked)
            if name in kept:
                same = kept[name] == label
                outcome = "the same labels; counted once" if same else "different labels; the later ones kept"
                self.options.quirk(self.name, line, f"{where}annotator {name!r} is listed twice with {outcome}")
            kept[name] = label
        return list(kept.values())


def _metadata(post_id: str, post: dict[str, Any]) -> dict[str, Any]:
    platform = post_id.rsplit("_", 1)[-1].lower() if "_" in post_id else None
    metadata: dict[str, Any] = {"platform": platform} if platform in _PLATFORMS else {}
    metadata.update((field, value) for field, value in post.items() if field not in _KNOWN)
    return metadata
