"""A Hugging Face dataset card (README.md) beside an export, with its charts as PNG files.

The YAML header's ``configs`` point at the exported file, so ``datasets.load_dataset(folder)`` loads
it; the body documents the fields, the label schema and guidelines, counts per label, agreement per
question, the annotators, where the comments came from, how authors and annotators were pseudonymised and
what personal data was scrubbed from the texts (and how much: the export's ScrubCounts).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from moderator.core.export import charts
from moderator.core.export.scrub import KIND_NAMES, KINDS, PLACEHOLDERS, ScrubCounts
from moderator.core.labelling.log import active_schema, current_rows_clause
from moderator.core.store.tables import Annotation, Comment, ImportBatch, Thread
from moderator.core.team.accounts import Account

MARKER = "<!-- written by moderator export --card: rewritten on every export -->"
STATEMENT = "REPORT.md"  # the data statement (core.report) a card links when it was written beside it
FIELD_DOCS = {
    "thread_id": "the thread (article and its comment section) in this database",
    "thread_external_id": "the thread's id in its source", "thread_title": "the article's headline", "thread_url": "the article's address",
    "comment_id": "the comment in this database", "external_id": "the comment's id in its source",
    "parent_id": "comment_id of the comment it replies to", "parent_text": "that comment's text",
    "position": "order in its thread, from 0", "depth": "reply depth, 0 for a top-level comment",
    "text": "the comment", "created_at": "when it was posted (UTC), if the source said",
    "source_status": "what the source marked: deleted, removed (by moderators) or spam; empty for an ordinary comment",
    "author": "the author's pseudonym (or the real name, when exported with --keep-authors)",
    "author_key": "the author's pseudonym: a keyed hash, stable across exports of this project",
    "quotes": "character spans [start, end) of the text that quote an earlier comment (comment_id) or the article",
    "annotations": "every annotator's labels in force: values (one field per question), spans, status, skip_reason, time",
    "majority": "per question, the answer of more than half of the annotators (else null)",
    "soft_labels": "per question and option, the share of annotators who chose it",
    "gold": "a reviewer's adjudicated labels, if any",
    "annotator": "who labelled: a pseudonymous id (annotator_ and a keyed hash), stable across exports of this project "
                 "(or the name, when exported with --keep-annotators)",
    "spans": "rationale spans [start, end)",
    "status": "submitted, late (arrived after the comment had all its answers; in no majority), skipped or flagged; "
              "a skip or flag answers nothing, so its questions are empty",
    "skip_reason": "why a skip was skipped: wellbeing (the annotator stepped away from harmful content), else empty",
    "duration_ms": "time spent on the item",
}  # fmt: skip


def write_card(engine: Engine, data_path: Path, fmt: str, viewer: Account | None = None, *, level: str = "comment",
               keep_authors: bool = False, keep_annotators: bool = False, statement: bool = False,
               scrubbed: ScrubCounts | None = None) -> Path:  # fmt: skip
    """Write README.md and the chart PNGs beside ``data_path``; returns the README's path.

    Refuses to replace a README.md it did not write (the export may sit in a folder with one).
    ``statement``: the data statement (REPORT.md) was written beside it, and the card links it.
    ``scrubbed``: what the export scrubbed (None: it scrubbed, the counts were not kept).
    """
    folder = data_path.parent
    card = check_card_folder(data_path)
    sees_all = viewer is None or viewer.sees_all
    images = {"labels": f"{data_path.stem}_labels.png"}
    if sees_all:
        images["agreement"] = f"{data_path.stem}_agreement.png"
    for kind, name in images.items():
        (folder / name).write_bytes(charts.render(engine, kind, viewer))
    text = card_text(
        engine, data_path.name, fmt, viewer, level=level, keep_authors=keep_authors, keep_annotators=keep_annotators,
        images=images, statement=statement and sees_all, scrubbed=scrubbed,
    )  # fmt: skip
    tmp = card.with_name("README.md.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(card)
    return card


def _feature(name: str, arrow_type) -> dict[str, Any]:
    """One field as the card's ``dataset_info.features`` spells it (what ``datasets.Features`` writes)."""
    import pyarrow as pa

    entry: dict[str, Any] = {"name": name}
    if pa.types.is_struct(arrow_type):
        entry["struct"] = [_feature(f.name, f.type) for f in arrow_type]
    elif pa.types.is_list(arrow_type):
        inner = arrow_type.value_type
        entry["list"] = [_feature(f.name, f.type) for f in inner] if pa.types.is_struct(inner) else str(inner)
    else:
        entry["dtype"] = str(arrow_type)
    return entry


def _yaml(value: Any, indent: int) -> list[str]:
    """Block YAML for the features list: lists of {name, dtype | struct | list}; every scalar quoted."""
    pad = " " * indent
    out: list[str] = []
    for entry in value:
        first = True
        for key, item in entry.items():
            lead = f"{pad}- " if first else f"{pad}  "
            first = False
            if isinstance(item, list):
                out.append(f"{lead}{key}:")
                out += _yaml(item, indent + 2)
            else:
                out.append(f"{lead}{key}: {json.dumps(item)}")
    return out


def features_yaml(export) -> list[str]:
    """The typed columns of a JSONL or Parquet export, so `load_dataset(folder)` never guesses a type
    from a first block of the file where a column happens to be empty."""
    from moderator.core.export.parquet import arrow_schema

    fields = [_feature(f.name, f.type) for f in arrow_schema(export)]
    return ["dataset_info:", "  features:", *_yaml(fields, 2)]


def check_card_folder(data_path: Path) -> Path:
    """The README.md path beside ``data_path``; FileExistsError if a README this program did not write is there."""
    card = data_path.parent / "README.md"
    if card.exists() and MARKER not in card.read_text(encoding="utf-8", errors="replace"):
        raise FileExistsError(f"{card} exists and is not a card this program wrote; export into another folder")
    return card


def _stats(engine: Engine, viewer: Account | None) -> dict[str, Any]:
    mine = [] if viewer is None or viewer.sees_all else [Annotation.annotator_id == viewer.id]
    with engine.connect() as conn:
        current = select(Annotation.annotator_id).where(current_rows_clause(), Annotation.status == "submitted", *mine)
        return {
            "threads": conn.scalar(select(func.count()).select_from(Thread)) or 0,
            "comments": conn.scalar(select(func.count()).select_from(Comment)) or 0,
            "annotations": conn.scalar(select(func.count()).select_from(current.subquery())) or 0,
            "annotators": conn.scalar(select(func.count(func.distinct(current.subquery().c.annotator_id)))) or 0,
            "batches": conn.execute(select(ImportBatch.__table__).order_by(ImportBatch.id)).all(),
        }


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def personal_data(scrubbed: ScrubCounts | None) -> list[str]:
    """The card's "Personal data" section: what was scrubbed from the texts and how, and where the pseudonym key is."""
    out = ["## Personal data", ""]
    if scrubbed is not None and not scrubbed.scrubbed:
        out += ["Texts are exported **as written** (`--no-scrub`): `text`, `parent_text`, `thread_title` and `thread_url` "
                "may hold e-mail and IP addresses, phone numbers, profile links and user names.", ""]  # fmt: skip
    else:
        out += [
            "Personal data in `text`, `parent_text`, `thread_title` and `thread_url` was replaced by typed placeholders "
            "before export" + (":" if scrubbed is not None else " (the counts were not kept):"),
            "",
            "| what | placeholder | replaced |" if scrubbed is not None else "| what | placeholder |",
            "|---|---|---|" if scrubbed is not None else "|---|---|",
        ]  # fmt: skip
        for kind in KINDS:
            shown = PLACEHOLDERS.get(kind, "`[USER_1]`, `[USER_2]`, …")
            shown = shown if shown.startswith("`") else f"`{shown}`"
            row = f"| {KIND_NAMES[kind]} | {shown} |"
            if scrubbed is not None:
                count = f"{scrubbed.found[kind]:,}"
                if kind == "user":
                    count += f" ({scrubbed.users:,} names, counted per thread)"
                row += f" {count} |"
            out.append(row)
        out += [
            "",
            "Each text is counted once (a parent's text repeated in its replies counts once). User names are numbered "
            "per thread in order of first appearance (the title first): the same name (`@ana`, `@Ana`, `u/ana`) is the "
            "same `[USER_n]` in every text of its thread, parent texts included, and the numbers start again in the next "
            "thread, so `[USER_1]` of two threads need not be one person. Quote and rationale spans are moved with the "
            "texts. Other links are kept, with any e-mail or IP address inside them replaced.",
            "",
            "Not found: names written without `@` or `u/`, spelled-out addresses (\"ana at example dot org\"), numbers "
            "that only look like something else (a four-part version number reads as an IP address, an ISBN as a phone "
            "number), `@` names that start with a digit, and phone numbers of fewer than 9 digits or without "
            "separators (unless they start with `+` or `0`). Review the texts before publishing them.",
            "",
        ]  # fmt: skip
    out += [
        "The key behind the pseudonyms (`author_key`, `annotator`) is not in this release: it is the project's "
        "`author_key_secret`, in the `project_secrets` table of the project database. On a team server only the "
        "project's reviewers and admins can read that table, annotators cannot; whoever holds the key can test a "
        "guessed name against a pseudonym, so keep the database (and its backups) to the people who may see names. "
        "The key is made once and never replaced, so every export of this project gives the same pseudonyms; to keep "
        "them when the project moves to another database, copy that one row into the new database before its first "
        "import or export.",
        "",
    ]  # fmt: skip
    return out


def card_text(engine: Engine, data_file: str, fmt: str, viewer: Account | None, *, level: str, keep_authors: bool,
              images: dict[str, str], keep_annotators: bool = False, statement: bool = False,
              scrubbed: ScrubCounts | None = None) -> str:  # fmt: skip
    from moderator.core.agreement.report import agreement_report
    from moderator.core.export.writer import Export

    _, schema = active_schema(engine)
    stats = _stats(engine, viewer)
    sees_all = viewer is None or viewer.sees_all
    export = Export(engine, viewer, level=level, keep_authors=keep_authors, keep_annotators=keep_annotators,
                    scrub=scrubbed is None or scrubbed.scrubbed)  # fmt: skip
    fields = export.fields
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "---",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: {data_file}",
        *(features_yaml(export) if fmt in ("jsonl", "parquet") else []),  # CSV cells hold nested values as text
        f"pretty_name: {json.dumps(schema.name)}",
        "task_categories:",
        "- text-classification",
        "tags:",
        "- toxicity",
        "- hate-speech",
        "- dehumanization",
        "- annotator-disagreement",
        "---",
        MARKER,
        "",
        f"# {schema.name}",
        "",
        schema.description or "Comments from discussion threads, labelled for toxicity and dehumanizing speech.",
        "",
        f"Exported {now} with moderator: `{data_file}` ({fmt}, one record per {level}). "
        f"{stats['comments']:,} comments in {stats['threads']:,} threads; {stats['annotations']:,} labels in force "
        f"from {stats['annotators']:,} annotators.",
        "",
    ]
    if not sees_all:
        whose = export.builder.annotators[viewer.name]  # the card names no one the data does not
        out += [f"This export is **{whose}'s own labels only** (labelling is blind).", ""]
    out += [
        "Authors are " + ("**named** (exported with `--keep-authors`)." if keep_authors else
                          "**pseudonymised**: `author` and `author_key` are a keyed hash (HMAC-SHA256) of the name "
                          "with a secret kept in the project's database, stable across exports of this project; "
                          "the names are not in this file. Comment texts may still mention people by name."),
        "",
        "Annotators are " + ("**named** (exported with `--keep-annotators`)." if keep_annotators else
                             "**pseudonymised**: `annotator` is `annotator_` and a keyed hash (HMAC-SHA256) of the "
                             "name with the same secret, apart from the authors' so the two never match; the same "
                             "person has the same id in every export of this project."),
        "",
        *([f"How the labels were made, agreement with intervals and the annotators in aggregate: the data statement "
           f"[{STATEMENT}]({STATEMENT}), written with this export.", ""] if statement else []),
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder")',
        "```",
        "",
        *personal_data(scrubbed),
        "## Fields",
        "",
        "Spans are character offsets `[start, end)` into `text` (Python string indices). Times are UTC.",
        "",
    ]  # fmt: skip
    out += [f"- `{f}`: {FIELD_DOCS.get(f, 'the answer to the question of that id (see the schema)')}" for f in fields]
    out += ["", f"## Label schema: {schema.name}, version {schema.version}", ""]
    if schema.guidelines.strip():
        out += [schema.guidelines.strip(), ""]
    for q in schema.questions:
        options = ", ".join(f"`{o.value}` {o.label}" for o in q.options)
        out += [f"### {q.label} (`{q.id}`, {q.kind}{', required' if q.required else ''})", ""]
        if options:
            out += [f"Options: {options}", ""]
        if q.guideline.strip():
            out += [q.guideline.strip(), ""]
    from moderator.core.export.layout import label_columns

    with engine.connect() as conn:
        others = [c for c in label_columns(conn) if c.id not in {q.id for q in schema.questions}]
    if others:
        out += ["### Questions from other schema versions in the data (e.g. imported labels)", ""]
        for c in others:
            options = ", ".join(f"`{v}`" for v in c.options)
            out.append(f"- {c.label} (`{c.id}`, {c.kind}){': ' + options if options else ''}. {c.guideline}".rstrip())
        out.append("")
    out += ["## Labels", "", f"![Labels per question]({images['labels']})", ""]
    for qid, counter in charts.label_counts(engine, None if sees_all else viewer.id).items():
        if sum(counter.values()):
            out.append(f"- `{qid}`: " + ", ".join(f"{_cell(v)} {n:,}" for v, n in counter.items()))
    out.append("")
    if sees_all:
        out += ["## Agreement", "", f"![Agreement per question]({images['agreement']})", ""]
        report = agreement_report(engine)
        out += ["| question | kind | α nominal | α ordinal | Fleiss κ | items with ≥2 answers | answers | annotators |",
                "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        num = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
        for qid, r in report.items():
            if not r["annotations"]:  # a question nobody was asked in this data
                continue
            out.append(
                f"| `{qid}` | {r['kind']} | {num(r['krippendorff_alpha_nominal'])} | {num(r['krippendorff_alpha_ordinal'])} "
                f"| {num(r['fleiss_kappa'])} | {r['pairable_items']:,} | {r['annotations']:,} | {r['annotators']} |"
            )
        out.append("")
    out += ["## Sources", "", "| imported | file | format | sha256 | threads | comments added | already present |",
            "|---|---|---|---|---|---|---|"]  # fmt: skip
    for b in stats["batches"]:
        out.append(
            f"| {b.imported_at:%Y-%m-%d} | {_cell(Path(b.path).name)} | {b.format} | `{b.sha256[:12]}` | {b.threads_added:,} "
            f"| {b.comments_added:,} | {b.comments_skipped:,} |"
        )
    return "\n".join(out) + "\n"
