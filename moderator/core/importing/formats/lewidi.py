"""LeWiDi 2023 importer: the harmonised JSON of the Learning-With-Disagreements shared task.

A file is one JSON object keyed by item id. Every item has ``text``, ``"annotation task"``,
``annotators`` ("Ann1,Ann2,...") and ``annotations`` ("0,1,...", aligned with the annotators),
``hard_label``, ``soft_label``, ``split`` and ``other_info``; ``other_info`` may hold more labels by
the same annotators (``"other annotations"`` in HS-Brexit, ``"other_annotations"`` in ConvAbuse).

Two shapes come out:

* Flat items (HS-Brexit and the like): ONE thread per file, titled ``"<dataset> (<split>)"``, with
  every item a top-level comment whose ``external_id`` is the item id.
* Conversations (ConvAbuse, whose ``text`` is itself a JSON string with ``prev_agent``, ``prev_user``,
  ``agent`` and ``user``): one thread per item, the turns as a chain of replies by "agent" and
  "user". Empty context turns ("", or the "_" placeholder ConvAbuse uses) are left out and the chain
  closes over them. Only the user turn, the one the annotators judged, carries prior labels; its
  ``external_id`` is the item id, a context turn's is ``"<id>/<turn>"``.

Naming:

* The dataset is the file name's stem before ``_train``/``_dev``/``_test`` ("HS-Brexit_dev.json" is
  "HS-Brexit"); failing that, the dataset a known annotation task belongs to, then the bare stem.
* Annotators are ``"<dataset>/<name>"`` ("HS-Brexit/Ann1"): LeWiDi numbers the annotators of every
  dataset from Ann1, and they are different people. The same annotator in the train and dev files of
  one dataset gets the same name.
* Question ids are snake_case from the task, without "detection" and "language": "hate speech
  detection" is ``hate_speech``, "aggressive language detection" is ``aggressive``, ConvAbuse's
  (misspelt) "abusivness detection" is ``abuse``; ``other_info`` labels are named the same way
  ("target.system" is ``target_system``).
* Values are ints. A 0/1 question is nominal (options 0 and 1). ConvAbuse's abuse label is the
  per-annotator severity, 1 not abusive, 0 ambiguous, -1 mildly, -2 strongly, -3 very strongly
  abusive (the harmonised file keeps that scale in ``annotations``; only ``hard_label`` is 0/1), an
  ordinal question listed from 1 down to -3, harmless first like the default schema. Any other
  integer scale is ordinal in ascending order.
* ``ThreadDraft.prior_schema`` is the schema ``"lewidi-<dataset>"`` version 1. Known scales always
  list all their options, so the train and dev files of a dataset carry the same schema.

Errors are ``ImportFailure`` naming the line of the item (``"<id>": {``) or of its field. A main
label that is not an integer fails the file; an ``other_info`` label that is not one (HS-Brexit's
train file has an "offensive" label spelled "No", twice) is left out of that annotator's values and
kept, as written, in the comment's ``metadata["unreadable_prior_labels"]`` with a heuristic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import CommentDraft, Heuristic, PriorLabel, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import DECODER, loads, unstorable
from moderator.core.progress import Progress

NAME = "lewidi"
EXTENSIONS = (".json",)

TURNS = (("prev_agent", "agent"), ("prev_user", "user"), ("agent", "agent"), ("user", "user"))
EMPTY_TURNS = frozenset({"", "_"})

_SPLIT_STEM = re.compile(r"^(?P<dataset>.+?)_(?P<split>train|dev|test)(?:_.*)?$", re.IGNORECASE)
_INT = re.compile(r"^\s*[+-]?\d+\s*$")

# Datasets of LeWiDi 2023 by annotation task, for files not named "<dataset>_<split>.json".
_TASK_DATASETS = {
    "hate speech detection": "HS-Brexit",
    "abusivness detection": "ConvAbuse",
    "abusiveness detection": "ConvAbuse",
}
_QUESTION_IDS = {"abusivness detection": "abuse", "abusiveness detection": "abuse"}
_QUESTION_LABELS = {
    "abuse": "Abuse severity",
    "sex_harassment": "Sexual harassment",
    "target_generalised": "Target: generalised",
    "target_individual": "Target: individual",
    "target_system": "Target: system",
}
# ConvAbuse's severity scale, harmless first.
_SEVERITY = (
    (1, "Not abusive"),
    (0, "Ambiguous"),
    (-1, "Mildly abusive"),
    (-2, "Strongly abusive"),
    (-3, "Very strongly abusive"),
)
_OTHER_KEYS = ("other annotations", "other_annotations")
_ITEM_KEYS = frozenset({"text", "annotation task", "number of annotations", "annotations", "annotators", "other_info"})


def sniff(source: SourceText) -> float:
    text = source.text
    head = text[:20000]
    if not text.lstrip().startswith("{") or '"annotators"' not in head or '"annotations"' not in head:
        return 0.0
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return 0.0
    if type(data) is not dict or not data:
        return 0.0
    first = next(iter(data.values()))
    return 0.95 if type(first) is dict and "annotators" in first and "annotations" in first else 0.0


def parse(source: SourceText, progress: Progress | None = None) -> Iterator[ThreadDraft]:
    """Read and check the whole file, then yield its threads (a bad item fails the file)."""
    with paused_gc():
        threads = _Reader(source, progress).read()
    if progress is not None:
        progress(1.0)
    yield from threads


class _Question:
    __slots__ = ("id", "label", "source", "values")

    def __init__(self, qid: str, label: str, source: str):
        self.id = qid
        self.label = label
        self.source = source  # the task or other_info key it comes from
        self.values: set[int] = set()


class _Reader:
    def __init__(self, source: SourceText, progress: Progress | None):
        self.source = source
        self.name = source.name
        self.text = source.text
        self.progress = progress
        self._pos = 0  # where the search for the next item's line starts
        self._line = 1  # line of _pos
        self.item_start = 0  # character offset of the current item, for field lines
        self.item_line = 1
        self.item_end: int | None = None
        self.next_key: str | None = None  # the key after the current item, to bound field searches

    # ---- lines -------------------------------------------------------------------------------

    def _seek_item(self, key: str) -> None:
        """Find ``"<key>": {`` after the previous item; items are in file order, so one pass suffices."""
        pattern = _item_pattern(key)
        match = pattern.search(self.text, self._pos)
        if match is None:  # an item that is not an object (an error to report at its line)
            match = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(self.text, self._pos)
        if match is None:
            match = pattern.search(self.text)  # odd escaping or order: one full search, no advance
            if match is None:
                self.item_start, self.item_line, self.item_end = 0, 1, None
                return
            self.item_start, self.item_line = match.start(), self.text.count("\n", 0, match.start()) + 1
            self.item_end = None
            return
        self._line += self.text.count("\n", self._pos, match.start())
        self._pos = match.start()
        self.item_start, self.item_line = match.start(), self._line
        self.item_end = None

    def field_line(self, field: str) -> int:
        """Line of ``"<field>":`` inside the current item, or the item's own line."""
        if self.item_end is None and self.next_key is not None:
            match = _item_pattern(self.next_key).search(self.text, self.item_start + 1)
            self.item_end = match.start() if match else len(self.text)
        at = self.text.find(json.dumps(field, ensure_ascii=False) + ":", self.item_start, self.item_end)
        if at < 0:
            at = self.text.find(json.dumps(field, ensure_ascii=False), self.item_start, self.item_end)
        if at < 0:
            return self.item_line
        return self.item_line + self.text.count("\n", self.item_start, at)

    def fail(self, reason: str, field: str | None = None) -> ImportFailure:
        return ImportFailure(self.name, self.field_line(field) if field else self.item_line, reason)

    # ---- reading -----------------------------------------------------------------------------

    def read(self) -> list[ThreadDraft]:
        data = loads(self.name, self.text)  # strict: no NaN, no NUL or unpaired surrogate to store
        if type(data) is not dict:
            raise ImportFailure(self.name, 1, f"expected a JSON object keyed by item id (LeWiDi), found {kind_of(data)}")
        if not data:
            raise ImportFailure(self.name, 1, "no items: the JSON object is empty")

        keys = list(data)
        first_key, first = keys[0], data[keys[0]]
        self._seek_item(first_key)
        self.next_key = keys[1] if len(keys) > 1 else None
        if type(first) is not dict:
            raise self.fail(f"item {first_key!r}: expected an object, found {kind_of(first)}")
        task = first.get("annotation task")
        if task is not None and type(task) is not str:
            raise self.fail(f'item {first_key!r}: "annotation task" must be a string, found {kind_of(task)}', "annotation task")
        self.task = task
        stem = PurePath(self.name).stem
        stem_match = _SPLIT_STEM.match(stem)
        task_key = (task or "").strip().lower()
        if stem_match:
            self.dataset = stem_match.group("dataset")
        elif task_key in _TASK_DATASETS:
            self.dataset = _TASK_DATASETS[task_key]
        elif stem and not stem.startswith("<"):
            self.dataset = stem
        else:
            self.dataset = "LeWiDi"
        split = first.get("split")
        self.split = (
            split if type(split) is str and split.strip() else (stem_match.group("split").lower() if stem_match else None)
        )
        self.conversations = (
            self.dataset.lower().startswith("convabuse") or "abusiv" in task_key or _is_conversation(first.get("text"))
        )
        self.main = _Question(_question_id(task_key) if task_key else "label", _task_label(task_key), task or "annotations")
        self.others: dict[str, _Question] = {}  # by other_info key, in first-appearance order
        self.severity = self.main.id == "abuse"

        threads: list[ThreadDraft] = []
        hs_thread: ThreadDraft | None = None
        if not self.conversations:
            title = f"{self.dataset} ({self.split})" if self.split else self.dataset
            ext = f"{self.dataset}/{self.split}" if self.split else self.dataset
            hs_thread = ThreadDraft(source=NAME, title=title, external_id=ext, line=1)
            hs_thread.metadata = {"dataset": self.dataset, "split": self.split, "annotation_task": task, "items": len(data)}
            threads.append(hs_thread)

        total = len(keys)
        step = max(1, total // 100)
        for n, (key, item) in enumerate(data.items()):
            if self.progress is not None and n % step == 0:
                self.progress(n / total)
            if n:
                self._seek_item(key)
            self.next_key = keys[n + 1] if n + 1 < total else None
            comment = self._item(key, item)
            if hs_thread is not None:
                hs_thread.comments.append(comment)
            else:
                threads.append(self._conversation(key, item, comment))

        schema = self._schema()
        for thread in threads:
            thread.prior_schema = schema
        return threads

    def _item(self, key: str, item: Any) -> CommentDraft:
        """The labelled comment of one item (for a conversation, its user turn, text filled in later)."""
        where = f"item {key!r}: "
        if type(item) is not dict:
            raise self.fail(f"{where}expected an object, found {kind_of(item)}")
        text = item.get("text")
        if type(text) is not str:
            what = 'missing "text"' if text is None else f'"text" must be a string, found {kind_of(text)}'
            raise self.fail(where + what, "text" if text is not None else None)
        task = item.get("annotation task")
        if task != self.task:
            raise self.fail(
                f'{where}"annotation task" is {task!r}, but the file\'s first item has {self.task!r}', "annotation task"
            )

        annotators = self._names(where, item.get("annotators"))
        labels = self._values(where, "annotations", item.get("annotations"), len(annotators), strict=True)
        count = item.get("number of annotations")
        if count is not None and (type(count) is not int or count != len(labels)):
            raise self.fail(
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

        comment = CommentDraft(text, external_id=key, metadata=metadata, line=self.item_line)
        info = item.get("other_info")
        if info is not None:
            if type(info) is not dict:
                raise self.fail(f'{where}"other_info" must be an object, found {kind_of(info)}', "other_info")
            self._other_info(where, info, names, values, comment)
        comment.prior_labels = [PriorLabel(name, v) for name, v in zip(names, values)]
        return comment

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
                raise self.fail(f'{where}"{okey}" must be an object, found {kind_of(other)}', okey)
            for label_key, raw in other.items():
                question = self.others.get(label_key)
                if question is None:
                    qid = _unique(_question_id(label_key), {self.main.id} | {q.id for q in self.others.values()})
                    question = self.others[label_key] = _Question(qid, _task_label(label_key), label_key)
                got = self._values(where, label_key, raw, len(names), strict=False)
                for i, value in enumerate(got):
                    if value is None:
                        unreadable = comment.metadata.setdefault("unreadable_prior_labels", {})
                        written = (_split(raw) if type(raw) is str else raw)[i]
                        unreadable.setdefault(names[i], {})[question.id] = written
                        detail = f"{names[i]}: {label_key!r} is {written!r}, not an integer; left out"
                        comment.heuristics.append(Heuristic("prior_label", self.field_line(label_key), 0.0, detail))
                    else:
                        question.values.add(value)
                        values[i][question.id] = value
        groups = info.get("annotators group")
        if groups is not None:
            used.add("annotators group")
            members = _split(groups) if type(groups) is str else groups
            if type(members) is not list or len(members) != len(names):
                listed = f"{len(members)} groups" if type(members) is list else kind_of(members)
                raise self.fail(f'{where}"annotators group" has {listed} for {len(names)} annotators', "annotators group")
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
            names = _split(raw)
        elif type(raw) is list and all(type(n) is str for n in raw):
            names = [n.strip() for n in raw]
        else:
            what = (
                'missing "annotators"' if raw is None else f'"annotators" must be a string "Ann1,Ann2,...", found {kind_of(raw)}'
            )
            raise self.fail(where + what, "annotators" if raw is not None else None)
        if not names or any(not n for n in names):
            raise self.fail(f'{where}"annotators" has an empty name: {raw!r}', "annotators")
        seen = set()
        for n in names:
            if n in seen:
                raise self.fail(f'{where}annotator {n!r} is listed twice in "annotators"', "annotators")
            seen.add(n)
        return names

    def _values(self, where: str, field: str, raw: Any, count: int, strict: bool) -> list[int | None]:
        """Integers aligned with the annotators; ``None`` for an unreadable one when not ``strict``."""
        if type(raw) is str:
            parts: list[Any] = _split(raw)
        elif type(raw) is list:
            parts = raw
        else:
            what = f'missing "{field}"' if raw is None else f'"{field}" must be a string "0,1,...", found {kind_of(raw)}'
            raise self.fail(where + what, field if raw is not None else None)
        if len(parts) != count:
            raise self.fail(f'{where}{count} annotators but {len(parts)} labels in "{field}"', field)
        out: list[int | None] = []
        for i, part in enumerate(parts):
            if type(part) is int:
                out.append(part)
            elif type(part) is str and _INT.match(part):
                out.append(int(part))
            elif strict:
                raise self.fail(f'{where}label {i + 1} of "{field}" is {part!r}, not an integer', field)
            else:
                out.append(None)
        return out

    def _conversation(self, key: str, item: dict[str, Any], labelled: CommentDraft) -> ThreadDraft:
        where = f"item {key!r}: "
        try:
            turns = DECODER.decode(item["text"])
        except (ValueError, RecursionError):
            raise self.fail(
                f'{where}"text" is not the JSON of a conversation (prev_agent, prev_user, agent, user)', "text"
            ) from None
        why = unstorable(turns)  # escapes inside the inner JSON were not seen by the file's check
        if why is not None:
            raise self.fail(f"{where}{why}", "text")
        if type(turns) is not dict or "user" not in turns:
            raise self.fail(f'{where}"text" must hold a JSON object with the turns prev_agent, prev_user, agent and user', "text")
        split = item.get("split") if type(item.get("split")) is str else self.split
        thread = ThreadDraft(
            source=NAME,
            title=f"{self.dataset} ({split}) item {key}" if split else f"{self.dataset} item {key}",
            external_id=f"{self.dataset}/{split}/{key}" if split else f"{self.dataset}/{key}",
            line=self.item_line,
            metadata={"dataset": self.dataset, "split": split, "item": key},
        )
        info = item.get("other_info")
        if type(info) is dict and "bot" in info:
            thread.metadata["bot"] = info["bot"]
        for turn, author in TURNS:
            text = turns.get(turn)
            if text is None and turn != "user":
                continue
            if type(text) is not str:
                raise self.fail(f'{where}the "{turn}" turn must be a string, found {kind_of(text)}', "text")
            parent = len(thread.comments) - 1 if thread.comments else None
            if turn == "user":
                if text.strip() in EMPTY_TURNS:
                    raise self.fail(f'{where}the "user" turn, the one the annotators labelled, is empty', "text")
                labelled.text = text
                labelled.author = author
                labelled.parent_index = parent
                labelled.metadata["turn"] = turn
                thread.comments.append(labelled)
            elif text.strip() not in EMPTY_TURNS:
                thread.comments.append(
                    CommentDraft(text, author, f"{key}/{turn}", parent, metadata={"turn": turn}, line=self.item_line)
                )
        return thread

    # ---- schema ------------------------------------------------------------------------------

    def _schema(self) -> dict[str, Any]:
        origin = f"the LeWiDi 2023 harmonised {self.dataset} data"
        questions = [self._question(self.main, True, origin, 'field "annotations"')]
        for q in self.others.values():
            questions.append(self._question(q, False, origin, f'field other_info "{q.source}"'))
        return {
            "name": f"lewidi-{self.dataset}",
            "version": 1,
            "description": f"Per-annotator labels of {self.dataset} as released for LeWiDi 2023 (SemEval-2023 Task 11)",
            "guidelines": (
                f"Prior labels imported from {origin}: one annotation per original annotator, named "
                f'"{self.dataset}/<annotator>" (e.g. "{self.dataset}/Ann1").'
            ),
            "questions": questions,
        }

    def _question(self, q: _Question, main: bool, origin: str, field: str) -> dict[str, Any]:
        if main and self.severity:
            present = {v for v, _ in _SEVERITY}
            options = [{"value": v, "label": f"{label} ({v})"} for v, label in _SEVERITY]
            options += [{"value": v, "label": str(v)} for v in sorted(q.values - present)]
            kind = "ordinal"
            meaning = (
                "abuse severity of the user turn: 1 not abusive, 0 ambiguous, -1 mildly, -2 strongly, -3 very strongly abusive"
            )
        elif q.values <= {0, 1}:
            options = [{"value": 0, "label": "No (0)"}, {"value": 1, "label": "Yes (1)"}]
            kind = "nominal"
            meaning = "0 no, 1 yes"
        else:
            values = sorted(q.values if len(q.values) > 1 else q.values | {0, 1})
            options = [{"value": v, "label": str(v)} for v in values]
            kind = "ordinal"
            meaning = f"an integer scale from {values[0]} to {values[-1]}"
        source = f'"{q.source}"' if q.source else "the annotation task"
        return {
            "id": q.id,
            "label": q.label,
            "kind": kind,
            "required": main,
            "guideline": f"{source}, as each annotator answered it in {origin} ({field}): {meaning}.",
            "options": options,
        }


def _item_pattern(key: str) -> re.Pattern[str]:
    return re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:\s*\{")


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",")]


def _is_conversation(text: Any) -> bool:
    if type(text) is not str or not text.lstrip().startswith("{"):
        return False
    try:
        turns = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return type(turns) is dict and "user" in turns


def _question_id(task: str) -> str:
    task = task.strip().lower()
    if task in _QUESTION_IDS:
        return _QUESTION_IDS[task]
    words = re.sub(r"\b(detection|classification|identification|language)\b", " ", task)
    return re.sub(r"[^0-9a-z]+", "_", words).strip("_") or re.sub(r"[^0-9a-z]+", "_", task).strip("_") or "label"


def _task_label(task: str) -> str:
    qid = _question_id(task) if task else "label"
    if qid in _QUESTION_LABELS:
        return _QUESTION_LABELS[qid]
    words = re.sub(r"\b(detection|classification|identification)\b", " ", task.strip().lower())
    words = re.sub(r"[^0-9a-z]+", " ", words).strip() or qid
    return words[:1].upper() + words[1:]


def _unique(qid: str, taken: set[str]) -> str:
    if qid not in taken:
        return qid
    n = 2
    while f"{qid}_{n}" in taken:
        n += 1
    return f"{qid}_{n}"
