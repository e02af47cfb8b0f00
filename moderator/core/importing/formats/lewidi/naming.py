"""What LeWiDi things are called here: the dataset, its split, and question ids and labels from task names."""

from __future__ import annotations

import re
from pathlib import PurePath

_SPLIT_STEM = re.compile(r"^(?P<dataset>.+?)_(?P<split>train|dev|test)(?:_.*)?$", re.IGNORECASE)

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


def dataset_and_split(file_name: str, task: str | None) -> tuple[str, str | None]:
    """The dataset ("HS-Brexit_dev.json" is "HS-Brexit"; else a known task's; else the stem) and the split
    the file name gives, if any."""
    stem = PurePath(file_name).stem
    match = _SPLIT_STEM.match(stem)
    task_key = (task or "").strip().lower()
    if match:
        return match.group("dataset"), match.group("split").lower()
    if task_key in _TASK_DATASETS:
        return _TASK_DATASETS[task_key], None
    return (stem if stem and not stem.startswith("<") else "LeWiDi"), None


def question_id(task: str) -> str:
    task = task.strip().lower()
    if task in _QUESTION_IDS:
        return _QUESTION_IDS[task]
    words = re.sub(r"\b(detection|classification|identification|language)\b", " ", task)
    return re.sub(r"[^0-9a-z]+", "_", words).strip("_") or re.sub(r"[^0-9a-z]+", "_", task).strip("_") or "label"


def task_label(task: str) -> str:
    qid = question_id(task) if task else "label"
    if qid in _QUESTION_LABELS:
        return _QUESTION_LABELS[qid]
    words = re.sub(r"\b(detection|classification|identification)\b", " ", task.strip().lower())
    words = re.sub(r"[^0-9a-z]+", " ", words).strip() or qid
    return words[:1].upper() + words[1:]


def unique(qid: str, taken: set[str]) -> str:
    if qid not in taken:
        return qid
    n = 2
    while f"{qid}_{n}" in taken:
        n += 1
    return f"{qid}_{n}"


def split_list(raw: str) -> list[str]:
    """LeWiDi's comma-separated lists ("Ann1,Ann2", "0,1")."""
    return [part.strip() for part in raw.split(",")]
