"""Which column of a ratings table is what: found by name, or named with ``--map role=column``.

Names are compared without case and separators ("Comment ID", "comment-id" and "commentId" are all
``comment_id``). Roles: ``item`` (the rated text's id; without one, equal texts are one item), ``text``,
``annotator``, ``thread``, ``parent`` (an item id), ``parent_text`` (context the rated text replies
to), ``author`` and ``created_at`` (of the rated text), and two lists, ``label=a;b`` and
``attribute=age;gender``. Columns prefixed ``annotator_`` (or ``rater_``, ``worker_``, …) are the
annotator's attributes. The other columns are judged by their values over the whole file (``survey``,
then ``judge``): labels, metadata (constant within every item) or left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import label_types as types
from moderator.core.importing.options import ImportNotes
from moderator.core.importing.sources.tables import RowTable
from moderator.core.progress import Progress

ROLES = ("item", "text", "annotator", "thread", "parent", "parent_text", "author", "created_at")
LIST_ROLES = ("label", "attribute")
_PLURALS = {"labels": "label", "attributes": "attribute"}

# Candidate names per role, best first, compared squashed (lower case, letters and digits only).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "annotator": ("annotator_id", "annotator", "worker_id", "worker", "rater_id", "rater", "labeller_id", "labeller",
                  "labeler_id", "labeler", "annotator_name", "coder_id", "coder", "judge_id", "participant_id",
                  "respondent_id"),
    "item": ("item_id", "comment_id", "text_id", "post_id", "tweet_id", "message_id", "instance_id", "example_id",
             "sample_id", "unit_id", "document_id", "doc_id", "sentence_id", "item", "id"),
    "text": ("text", "comment_text", "comment", "body", "message", "content", "sentence", "tweet", "tweet_text",
             "post_text", "utterance"),
    "thread": ("thread_id", "conversation_id", "discussion_id"),
    "parent": ("parent_id", "reply_to", "in_reply_to", "parent_comment_id"),
    "parent_text": ("parent_text", "parent_comment_text", "parent_body", "context_text"),
    "author": ("author", "comment_author", "author_name"),
    "created_at": (),  # a rating's timestamp is easily mistaken for the text's: only by --map
}  # fmt: skip
_ATTRIBUTE_PREFIX = re.compile(r"^(?:annotator|rater|worker|labell?er|coder|participant|respondent)[^0-9a-z]+\S", re.I)

# Label-like names (snake_case of the header): Measuring Hate Speech's items, Jigsaw's, and generic ones.
_WORDS = (
    r"toxic|toxicity|severe_toxic|severe_toxicity|obscene|threat|insult|identity_attack|identity_hate|sexual_explicit"
    r"|hate|hateful|hatespeech|hate_speech|offensive|offensiveness|abusive|abuse|aggressive|aggression"
    r"|dehumani[sz]e|dehumani[sz]ing|dehumani[sz]ation|humiliate|humiliation|violence|violent|genocide|attack_defend"
    r"|respect|sentiment|emotion|stance|sarcasm|sarcastic|irony|ironic|misogyny|misogynous|sexism|sexist|racism|racist"
    r"|harassment|profanity|constructive|constructiveness|label|labels|rating|score|answer|annotation|judgement|judgment"
    r"|class|category"
)
_SUFFIX = r"score|rating|level|label|value|class|category|annotation|mean|avg|prob|probability|share|proportion|confidence"
LABEL_NAME = re.compile(rf"^(?:is_)?(?:{_WORDS})(?:_(?:{_SUFFIX}))?$")


def squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def snake(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


@dataclass
class Columns:
    """Header indexes: one per role found, the explicit label columns (None: found by their values) and
    the attribute columns."""

    roles: dict[str, int] = field(default_factory=dict)
    labels: list[int] | None = None
    attributes: list[int] = field(default_factory=list)


def detect(header: list[str]) -> Columns:
    """The roles found by name alone (for sniffing, and for every role --map leaves out)."""
    return _fill(header, Columns())


def _fill(header: list[str], columns: Columns) -> Columns:
    squashed: dict[str, int] = {}
    for i, column in enumerate(header):
        squashed.setdefault(squash(column), i)
    for role, names in CANDIDATES.items():
        if role in columns.roles:
            continue
        taken = set(columns.roles.values()) | set(columns.labels or ()) | set(columns.attributes)
        found = next((squashed[squash(n)] for n in names if squash(n) in squashed and squashed[squash(n)] not in taken), None)
        if found is not None:
            columns.roles[role] = found
    taken = set(columns.roles.values()) | set(columns.labels or ())
    prefixed = [i for i, c in enumerate(header) if i not in taken and _ATTRIBUTE_PREFIX.match(c.strip())]
    columns.attributes = list(dict.fromkeys(columns.attributes + prefixed))
    return columns


def resolve(name: str, line: int | None, header: list[str], mapping: dict[str, str]) -> Columns:
    """The mapped columns (exact name first, then squashed), the rest detected; a missing one fails the file."""
    exact = {c: i for i, c in reversed(list(enumerate(header)))}
    loose = {squash(c): i for i, c in reversed(list(enumerate(header)))}
    shown = ", ".join(repr(c) for c in header[:80]) + (", …" if len(header) > 80 else "")

    def find(role: str, wanted: str) -> int:
        wanted = wanted.strip()
        if wanted in exact:
            return exact[wanted]
        if squash(wanted) in loose and squash(wanted):
            return loose[squash(wanted)]
        raise ImportFailure(name, line, f"the {role} column {wanted!r} is not in the header; the header has: {shown}")

    columns = Columns()
    for given, wanted in mapping.items():
        role = _PLURALS.get(given.strip(), given.strip())
        if role in LIST_ROLES:
            found = [find(role, part) for part in wanted.split(";") if part.strip()]
            if role == "label":
                columns.labels = list(dict.fromkeys((columns.labels or []) + found))
            else:
                columns.attributes = list(dict.fromkeys(columns.attributes + found))
        elif role in ROLES:
            if not wanted.strip():
                raise ImportFailure(name, line, f"the column mapping gives no column for {role}")
            columns.roles[role] = find(role, wanted)
        else:
            known = ", ".join(ROLES + LIST_ROLES)
            raise ImportFailure(name, line, f"a ratings table has no column role {given!r} (known roles: {known})")
    used = list(columns.roles.values())
    if len(set(used)) != len(used):
        raise ImportFailure(name, line, "the column mapping gives one column two roles")
    if columns.labels is not None:
        both = set(columns.labels) & (set(used) | set(columns.attributes))
        if both:
            raise ImportFailure(name, line, f"the column {header[min(both)]!r} is mapped both as a label and as another role")
    return _fill(header, columns)


def looks_like_label(column: str) -> bool:
    return bool(LABEL_NAME.match(snake(column)))


Label = tuple[int, str, dict[str, Any]]  # header index, kind (label_types), schema question


def survey(table: RowTable, columns: Columns, others: list[int], progress: Progress | None) -> dict[int, types.ColumnStats]:
    """What each of the ``others`` columns holds, over every rating with an item and an annotator."""
    labels = columns.labels
    header = table.header
    stats = {i: types.ColumnStats(i in labels if labels is not None else looks_like_label(header[i])) for i in others}
    active = list(stats.items())  # a settled column (ignored, whatever follows) is left out from then on
    items: dict[str, int] = {}
    roles = columns.roles
    key_at, annotator_at = roles.get("item", roles["text"]), roles["annotator"]
    for n, (_where, row) in enumerate(table.rows(progress)):
        key = types.ident(row[key_at])
        if key is None or types.ident(row[annotator_at]) is None:
            continue
        item = items.setdefault(key, len(items))
        for i, column in active:
            column.add(item, row[i])
        if n % 1000 == 999:
            active = [(i, column) for i, column in active if not column.settled]
    if not items:
        raise ImportFailure(table.source.name, table.header_line, "no ratings: no row has both an item and an annotator id")
    return stats


def judge(
    table: RowTable, explicit: list[int] | None, stats: dict[int, types.ColumnStats], dataset: str, notes: ImportNotes
) -> tuple[list[Label], list[int]]:
    """The label columns and the metadata columns; the others are noted as ignored.

    Given labels (``--map label=…``) are the labels, and must hold some. Otherwise a column is a label
    when its values look like labels (binary, a scale, a few words) and either differ between the
    ratings of an item or its name says it is one (``hatespeech``, ``respect``…); numbers beyond a
    scale only when they differ and the name says so. What is constant within every item is metadata.
    """
    name, header = table.source.name, table.header
    origin = f'the ratings of "{dataset}"'
    labels: list[Label] = []
    metadata: list[int] = []
    ids: set[str] = set()
    for i, column in stats.items():
        kind, varies = column.infer(), column.varies
        if explicit is not None:
            is_label = i in explicit
            if is_label and kind in ("free", "empty"):
                why = "holds no values" if kind == "empty" else f"holds free text, not labels (over {types.MAX_OPTIONS} values)"
                raise ImportFailure(name, table.header_line, f"the label column {header[i]!r} {why}")
        else:
            named = looks_like_label(header[i])
            is_label = (kind in ("binary", "ordinal", "categorical") and (varies or named)) or (
                kind == "numeric" and varies and named
            )
        if is_label:
            qid = snake(header[i]) or "label"
            while qid in ids:
                qid += "_2"
            ids.add(qid)
            labels.append((i, kind, types.question(qid, header[i], kind, column, origin)))
        elif kind != "empty" and not varies:
            metadata.append(i)
            notes.metadata_columns.append(header[i])
        else:
            notes.ignored_columns.append(header[i])
    if not labels:
        raise ImportFailure(
            name,
            table.header_line,
            "no label columns: no column holds labels that differ between the ratings of an item "
            "(name them with --map label=COLUMN;COLUMN)",
        )
    return labels, metadata
