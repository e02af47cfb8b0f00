"""One LeWiDi item into its labelled comment: the text, the annotators' labels and ``other_info``."""

from __future__ import annotations

import re
from typing import Any

from moderator.core.importing.drafts import CommentDraft, Heuristic, PriorLabel
from moderator.core.importing.formats.lewidi.lines import Lines
from moderator.core.importing.formats.lewidi.naming import question_id, split_list, task_label, unique
from moderator.core.importing.formats.lewidi.schema import Question
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import kind_of

_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_OTHER_KEYS = ("other annotations", "other_annotations")
_ITEM_KEYS = frozenset({"text", "annotation task", "number of annotations", "annotations", "annotators", "other_info"})


class ItemReader:
    """Reads the items of one file; ``others`` collects the ``other_info`` questions met on the way."""

    def __init__(self, lines: Lines, options: ImportOptions, dataset: str, task: str | None, main: Question):
        self.lines = lines
        self.options = options
        self.dataset = dataset
        self.task = task
        self.main = main
        self.others: dict[str, Question] = {}  # by other_info key, in first-appearance order

    def item(self, key: str, item: Any) -> CommentDraft:
        """The labelled comment of one item (for a conversation, its user turn, text filled in later)."""
        where = f"item {key!r}: "
        fail = self.lines.fail
        if type(item) is not dict:
            raise fail(f"{where}expected an object, found {kind_of(item)}")
        text = item.get("text")
        if type(text) is not str:
            what = 'missing "text"' if text is None else f'"text" must be a string, found {kind_of(text)}'
            raise fail(where + what, "text" if text is not None else None)
        task = item.get("annotation task")
        if task != self.task:
            raise fail(f'{where}"annotation task" is {task!r}, but the file\'s first item has {self.task!r}', "annotation task")

        annotators = self._names(where, item.get("annotators"))
        labels = self._values(where, "annotations", item.get("annotations"), len(annotators), strict=True)
        count = item.get("number of annotations")
        if count is not None and (type(count) is not int or count != len(labels)):
            raise fail(
                f'{where}"number of annotations" is {count!r} but {len(labels)} annotations are listed', "number of annotations"
            )
        names = [f"{self.dataset}/{a}" for a in annotators]
        self.main.values.update(v for v in labels if v is not None)
        values: list[dict[str, Any]] = [{self.main.id: v} for v in labels]

        metadata: dict[str, Any] = {}
        for field in ("lang", "split"):
            if field in item:
                metadata[field] = item[field]
        if "hard_label" in item:
            hard = item["hard_label"]
            metadata["hard_label"] = int(hard) if type(hard) is str and _INT.match(hard) else hard
        if "soft_label" in item:
            metadata["soft_label"] = item["soft_label"]
        for field, value in item.items():
            if field not in _ITEM_KEYS and field not in metadata:
                metadata[field] = value

        comment = CommentDraft(text, external_id=key, metadata=metadata, line=self.lines.item_line)
        info = item.get("other_info")
        if info is not None:
            if type(info) is not dict:
                raise fail(f'{where}"other_info" must be an object, found {kind_of(info)}', "other_info")
            self._other_info(where, info, names, values, comment)
        comment.prior_labels = self._once_each(where, annotators, names, values)
        return comment

    def _once_each(self, where: str, annotators: list[str], names: list[str], values: list[dict[str, Any]]) -> list[PriorLabel]:
        """One label per annotator: one listed twice counts once, with a warning (refused under --strict):
        with the same labels, once; with different ones, the later labels (at the first place)."""
        kept: dict[str, dict[str, Any]] = {}
        for annotator, name, labels in zip(annotators, names, values):
            if name in kept:
                if kept[name] == labels:
                    message = f"{where}annotator {annotator!r} is listed twice with the same labels; counted once"
                else:
                    message = (
                        f"{where}annotator {annotator!r} is listed twice with different labels "
                        f"({_shown(kept[name])}, then {_shown(labels)}); the later ones kept"
                    )
                self.options.quirk(self.lines.name, self.lines.item_line, message)
            kept[name] = labels
        return [PriorLabel(name, labels) for name, labels in kept.items()]

    def _other_info(
        self, where: str, info: dict[str, Any], names: list[str], values: list[dict[str, Any]], comment: CommentDraft
    ) -> None:
        used = set()
        for okey in _OTHER_KEYS:
            other = info.get(okey)
            if other is None:
                continue
            used.add(okey)
            if type(other) is not dict:
                raise self.lines.fail(f'{where}"{okey}" must be an object, found {kind_of(other)}', okey)
            for label_key, raw in other.items():
                question = self.others.get(label_key)
                if question is None:
                    qid = unique(question_id(label_key), {self.main.id} | {q.id for q in self.others.values()})
                    question = self.others[label_key] = Question(qid, task_label(label_key), label_key)
                got = self._values(where, label_key, raw, len(names), strict=False)
                for i, value in enumerate(got):
                    if value is None:
                        unreadable = comment.metadata.setdefault("unreadable_prior_labels", {})
                        written = (split_list(raw) if type(raw) is str else raw)[i]
                        unreadable.setdefault(names[i], {})[question.id] = written
                        detail = f"{names[i]}: {label_key!r} is {written!r}, not an integer; left out"
                        comment.heuristics.append(Heuristic("prior_label", self.lines.field_line(label_key), 0.0, detail))
                    else:
                        question.values.add(value)
                        values[i][question.id] = value
        groups = info.get("annotators group")
        if groups is not None:
            used.add("annotators group")
            members = split_list(groups) if type(groups) is str else groups
            if type(members) is not list or len(members) != len(names):
                listed = f"{len(members)} groups" if type(members) is list else kind_of(members)
                raise self.lines.fail(f'{where}"annotators group" has {listed} for {len(names)} annotators', "annotators group")
            resolved = {}
            for name, group in zip(names, members):
                group = str(group).strip()
                label = info.get(group)
                if type(label) is str:
                    used.add(group)
                    resolved[name] = label
                else:
                    resolved[name] = group
            comment.metadata["annotator_groups"] = resolved
        for okey, value in info.items():
            if okey not in used:
                comment.metadata["conversation_ids" if okey == "conversation_id(s)" else okey] = value

    def _names(self, where: str, raw: Any) -> list[str]:
        if type(raw) is str:
            names = split_list(raw)
        elif type(raw) is list and all(type(n) is str for n in raw):
            names = [n.strip() for n in raw]
        else:
            what = (
                'missing "annotators"' if raw is None else f'"annotators" must be a string "Ann1,Ann2,...", found {kind_of(raw)}'
            )
            raise self.lines.fail(where + what, "annotators" if raw is not None else None)
        if not names or any(not n for n in names):
            raise self.lines.fail(f'{where}"annotators" has an empty name: {raw!r}', "annotators")
        return names

    def _values(self, where: str, field: str, raw: Any, count: int, strict: bool) -> list[int | None]:
        """Integers aligned with the annotators; ``None`` for an unreadable one when not ``strict``."""
        if type(raw) is str:
            parts: list[Any] = split_list(raw)
        elif type(raw) is list:
            parts = raw
        else:
            what = f'missing "{field}"' if raw is None else f'"{field}" must be a string "0,1,...", found {kind_of(raw)}'
            raise self.lines.fail(where + what, field if raw is not None else None)
        if len(parts) != count:
            raise self.lines.fail(f'{where}{count} annotators but {len(parts)} labels in "{field}"', field)
        out: list[int | None] = []
        for i, part in enumerate(parts):
            if type(part) is int:
                out.append(part)
            elif type(part) is str and _INT.match(part):
                out.append(int(part))
            elif strict:
                raise self.lines.fail(f'{where}label {i + 1} of "{field}" is {part!r}, not an integer', field)
            else:
                out.append(None)
        return out


def _shown(labels: dict[str, Any]) -> str:
    return ", ".join(f"{qid} {value}" for qid, value in labels.items())
