"""`moderator agreement`: inter-annotator agreement per question, from the labels in force.

Only current rows with status "submitted" count (skips and flags are not answers). Each choice
question is reported under its id; each option of a multi question also becomes a 0/1 question
"<qid>.<option>" (1 = selected). A multi question's absence from a submitted row means "nothing
selected" (the store drops empty lists), so it is a 0 for every option; an ordinal or nominal
question that is absent or None is not answered.

Where schema versions disagree, the newest version that has the question gives its kind, label and
option order; options only older versions know are appended. Metrics that do not apply are None
(see ``applies``), and so are undefined ones. A multi question may have at most 62 options.

The extended report (``extended=Extended()``, what `moderator agreement` prints) reads the same rows
and adds intervals, competence (extended.py), whole-set α (masi.py) and span α (spans.py). Dawid–Skene
and MACE run on ordinal and nominal questions only: a multi question's options are not independent
yes/no questions, so a model per option would mislead; its agreement is the MASI α and per-option α.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from sqlalchemy import Engine, Text, cast, func, select

from moderator.core.agreement import metrics as ag
from moderator.core.agreement import scan
from moderator.core.agreement.answers import NOT_ANSWERED, Decoder, Question
from moderator.core.agreement.extended import Extended, alpha_with_interval, competence, set_alpha_with_interval
from moderator.core.agreement.extended_text import ALPHA_HEADS, ALPHA_NOTE, alpha_cells, competence_lines
from moderator.core.agreement.masi import set_reliability
from moderator.core.agreement.spans import span_agreement, span_questions
from moderator.core.store.tables import Annotation, Annotator, GoldItem, LabelSchemaRow
from moderator.core.team.accounts import Account, AuthError

CHUNK = 100_000
ALPHAS = ("krippendorff_alpha_nominal", "krippendorff_alpha_ordinal", "krippendorff_alpha_interval")


def _numeric(options: list[Any]) -> bool:
    return bool(options) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in options)


def _questions(definitions: Iterable[tuple[int, dict[str, Any]]]) -> dict[str, Question]:
    """Choice questions of every stored schema version, newest version first in order and meaning."""
    found: dict[str, Question] = {}
    for schema_id, definition in sorted(definitions, key=lambda d: -d[0]):
        for q in definition.get("questions", []):
            if q.get("kind") not in ("ordinal", "nominal", "multi"):
                continue
            values = [o.get("value") for o in q.get("options", [])]
            entry = found.setdefault(q["id"], Question(q["id"], q["kind"], q.get("label") or q["id"], []))
            entry.options += [v for v in values if v not in entry.options]
            entry.schemas.add(schema_id)
    return found


def _answers(dialect: str, questions: list[Question]) -> list:
    """The answer columns: on SQLite one per question (a scalar comes back as an SQL value, nothing to
    parse); on PostgreSQL one JSON array text, so each document is read once."""
    if dialect == "sqlite":
        return [func.json_extract(Annotation.values, f'$."{q.id}"') for q in questions]
    return [cast(func.json_build_array(*(Annotation.values[q.id] for q in questions)), Text)]


def _raw_rows(conn, stmt) -> Iterator[list[tuple]]:
    """The statement's rows in chunks of plain tuples from the driver's cursor.

    A million SQLAlchemy Row objects cost more than the query itself; PostgreSQL streams through a
    server-side cursor so the rows never sit in memory all at once.
    """
    compiled = stmt.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    if compiled.positiontup:
        params = tuple(params[name] for name in compiled.positiontup)
    driver = conn.connection.driver_connection
    cursor = driver.cursor() if conn.dialect.name == "sqlite" else driver.cursor(name="moderator_agreement")
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(CHUNK):
            yield rows
    finally:
        cursor.close()


def _load(
    engine: Engine, wanted: list[Question], left_out: frozenset[int] = frozenset()
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict[int, str]]:
    """(comment ids, annotator ids, codes per question id, annotator names), sorted by comment and annotator.

    On SQLite in one coded scan (scan.py) where it gives the same codes, else row by row.
    """
    with engine.connect() as conn:
        names = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
        read = scan.read(conn, wanted) if engine.dialect.name == "sqlite" else None
        comment, annotator, codes = _read_rows(conn, wanted) if read is None else read
    if left_out:  # gold items, unless asked for
        keep = ~np.isin(comment, np.fromiter(left_out, dtype=np.int64, count=len(left_out)))
        comment, annotator, codes = comment[keep], annotator[keep], codes[:, keep]
    # Sorted once by (comment, annotator), so each question's reliability data needs no real sort;
    # rows mostly come in that order already.
    if not _sorted(comment, annotator):
        order = np.lexsort((annotator, comment))
        comment, annotator, codes = comment[order], annotator[order], codes[:, order]
    return comment, annotator, {q.id: codes[k] for k, q in enumerate(wanted)}, names


def _sorted(comment: np.ndarray, annotator: np.ndarray) -> bool:
    step = np.diff(comment)
    return bool((step >= 0).all() and ((step > 0) | (annotator[1:] >= annotator[:-1])).all())


def _read_rows(conn, wanted: list[Question]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(comment ids, annotator ids, codes: questions × rows) of the rows in force, decoded row by row.

    The rows in force are the submitted rows no later row supersedes. Rather than a per-row NOT EXISTS
    probe (a third of the time at a million rows), the few superseded ids are read afterwards from
    their unique index and dropped with NumPy; read after the scan, so a row edited meanwhile is at
    worst left out, never counted twice.
    """
    answers = _answers(conn.dialect.name, wanted)
    stmt = select(Annotation.id, Annotation.comment_id, Annotation.annotator_id, Annotation.schema_id, *answers)
    stmt = stmt.where(Annotation.status == "submitted")
    decoder = Decoder(wanted, one_json_array=conn.dialect.name != "sqlite")
    parts: list[list[np.ndarray]] = [[], [], [], [], []]
    for rows in _raw_rows(conn, stmt):
        ids, comment, annotator, schema, *values = zip(*rows)
        for part, column in zip(parts, (ids, comment, annotator, schema)):
            part.append(np.fromiter(column, dtype=np.int64, count=len(rows)))
        keys = zip(*values) if len(values) > 1 else zip(values[0])
        parts[4].append(np.fromiter(map(decoder.__getitem__, keys), dtype=np.int64, count=len(rows)))
    superseded = conn.scalars(select(Annotation.supersedes_id).where(Annotation.supersedes_id.is_not(None))).all()
    ids, comment, annotator, schema, combo = (np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts)
    if superseded:
        keep = ~np.isin(ids, np.fromiter(superseded, dtype=np.int64, count=len(superseded)))
        comment, annotator, schema, combo = comment[keep], annotator[keep], schema[keep], combo[keep]
    table = np.array(decoder.table, dtype=np.int64).reshape(-1, len(wanted))
    # A row whose schema version does not ask the question has no answer to it.
    codes = [np.where(np.isin(schema, list(q.schemas)), table[combo, k], NOT_ANSWERED) for k, q in enumerate(wanted)]
    return comment, annotator, np.array(codes, dtype=np.int64).reshape(len(wanted), len(comment))


def _reliability(item, annotator, code, domain: list[Any]) -> ag.Reliability:
    answered = code != NOT_ANSWERED
    if not answered.all():
        item, annotator, code = item[answered], annotator[answered], code[answered]
    # dtype=object: a list mixing numbers and text must not become all text.
    return ag.reliability(item, annotator, code, np.array(domain, dtype=object))


def _counts(data: ag.Reliability) -> dict[str, int]:
    counts = data.counts.sum(axis=1)
    return {
        "items": int((counts >= 1).sum()),
        "pairable_items": int((counts >= 2).sum()),
        "annotations": len(data.item),
        "annotators": data.n_annotators,
    }


def _metrics(data: ag.Reliability, names, *, ordinal: bool, interval: bool) -> dict[str, Any]:
    pairs = ag.cohen_kappa_pairs(data)
    majority = ag.majority_agreement(data)
    name = _namer(names)
    return _counts(data) | {
        "krippendorff_alpha_nominal": ag.krippendorff_alpha(data, "nominal"),
        "krippendorff_alpha_ordinal": ag.krippendorff_alpha(data, "ordinal") if ordinal else None,
        "krippendorff_alpha_interval": ag.krippendorff_alpha(data, "interval") if interval else None,
        "fleiss_kappa": ag.fleiss_kappa(data),
        "cohen_kappa_pairs": [{"a": name(a), "b": name(b), "kappa": k, "items": n} for (a, b), (k, n) in pairs.items()],
        "annotator_majority_agreement": {name(a): share for a, (share, _) in majority.items()},
        "annotator_majority_items": {name(a): n for a, (_, n) in majority.items()},
    }


def _select(found: dict[str, Question], questions: list[str] | None) -> list[tuple[str, str | None]]:
    """(question id, None) or (multi question id, option) to report, in schema order.

    A name in ``questions`` is a question id (a multi question brings all its options) or "qid.option".
    """
    entries: list[tuple[str, str | None]] = []
    for q in found.values():
        entries += [(q.id, str(v)) for v in q.options] if q.kind == "multi" else [(q.id, None)]
    if questions is None:
        return entries
    chosen: list[tuple[str, str | None]] = []
    for name in questions:
        hits = [e for e in entries if name in (e[0], f"{e[0]}.{e[1]}")]
        if not hits:
            known = ", ".join(found)
            raise ValueError(f"{name}: no such choice question (known: {known}; a multi option as question.option)")
        chosen += hits
    return list(dict.fromkeys(chosen))


def _namer(names: dict[int, str]):
    return lambda a: names.get(a, str(a))


def agreement_report(
    engine: Engine,
    questions: list[str] | None = None,
    viewer: Account | None = None,
    *,
    extended: Extended | None = None,
    include_gold: bool = False,
) -> dict[str, dict]:
    """Agreement per question id (and per "<qid>.<option>" of multi questions); JSON-serialisable.

    ``viewer``: an annotator is refused (the figures name every annotator and pair); None is a solo project.
    ``extended``: every entry also gets its own α ("alpha", at its kind's level) with a bootstrap 95 %
    interval, ordinal and nominal questions Dawid–Skene and MACE competence per annotator, and the
    report gains a MASI-α entry per multi question and a character-level α entry per spans question
    (named in ``questions`` like the others).
    ``include_gold``: gold items (checks with known answers, answered by everyone) count too; left out
    by default, as they are not a sample of the corpus.
    """
    if viewer is not None and not viewer.sees_all:
        raise AuthError("agreement figures are for reviewers and admins (annotators label blind)")
    with engine.connect() as conn:
        definitions = conn.execute(select(LabelSchemaRow.id, LabelSchemaRow.definition)).all()
        left_out = frozenset() if include_gold else frozenset(conn.scalars(select(GoldItem.comment_id)))
    found = _questions(definitions)
    span_found = span_questions(definitions) if extended else {}
    asked_spans = [span_found[q] for q in dict.fromkeys(span_found if questions is None else questions) if q in span_found]
    chosen = _select(found, None if questions is None else [q for q in questions if q not in span_found])
    report: dict[str, dict] = {}
    if chosen:
        report = _choice_entries(engine, found, chosen, questions, extended, left_out)
    if extended:
        report |= span_agreement(engine, asked_spans, extended, left_out)
    return report


def _choice_entries(
    engine: Engine, found: dict[str, Question], chosen: list[tuple[str, str | None]], questions: list[str] | None,
    extended: Extended | None, left_out: frozenset[int],
) -> dict[str, dict]:  # fmt: skip
    wanted = [found[qid] for qid in dict.fromkeys(qid for qid, _ in chosen)]
    comment, annotator, codes, names = _load(engine, wanted, left_out)
    # A multi question named whole (or every question) gets its whole-set entry, ahead of its options.
    whole_sets = {q.id for q in wanted if extended and q.kind == "multi" and (questions is None or q.id in questions)}
    report: dict[str, dict] = {}
    for qid, option in chosen:
        q = found[qid]
        if option is not None:
            if qid in whole_sets and qid not in report:
                report[qid] = _set_entry(q, _reliability_of_sets(comment, annotator, codes[qid]), extended)
            bit = [str(v) for v in q.options].index(option)
            code = np.where(codes[qid] >= 0, (codes[qid] >> bit) & 1, NOT_ANSWERED)
            entry = {"kind": "multi-option", "label": f"{q.label}: {option}", "options": [0, 1]}
            data = _reliability(comment, annotator, code, [0, 1])
            report[f"{qid}.{option}"] = entry | _metrics(data, names, ordinal=False, interval=False)
            if extended:
                report[f"{qid}.{option}"] |= alpha_with_interval(data, "nominal", extended)
            continue
        numeric, domain, code = _numeric(q.options), list(q.options), codes[qid]
        if q.kind == "nominal" and numeric:  # numbers still have an order, for ordinal α
            domain = sorted(q.options)
            remap = np.array([domain.index(v) for v in q.options], dtype=np.int64)
            code = np.where(code >= 0, remap[np.maximum(code, 0)], NOT_ANSWERED)
        entry = {"kind": q.kind, "label": q.label, "options": domain}
        ordinal = q.kind == "ordinal" or numeric
        data = _reliability(comment, annotator, code, domain)
        report[qid] = entry | _metrics(data, names, ordinal=ordinal, interval=numeric)
        if extended:
            report[qid] |= alpha_with_interval(data, "ordinal" if q.kind == "ordinal" else "nominal", extended)
            report[qid] |= competence(data, domain, _namer(names), extended)
    return report


def _reliability_of_sets(comment: np.ndarray, annotator: np.ndarray, masks: np.ndarray) -> ag.Reliability:
    answered = masks != NOT_ANSWERED
    return set_reliability(comment[answered], annotator[answered], masks[answered])


def _set_entry(q: Question, data: ag.Reliability, extended: Extended) -> dict[str, Any]:
    """A multi question as a whole: each answer is the set of options chosen (empty: none)."""
    entry = {"kind": "multi", "label": q.label, "options": list(q.options)}
    return entry | _counts(data) | set_alpha_with_interval(data, extended)


def applies(entry: dict[str, Any], metric: str) -> bool:
    """Whether a metric means anything for a report entry's kind: its None then means "undefined"."""
    kind, numeric = entry.get("kind"), _numeric(entry.get("options", []))
    if metric == "krippendorff_alpha_ordinal":
        return kind == "ordinal" or (kind == "nominal" and numeric)
    if metric == "krippendorff_alpha_interval":
        return kind in ("ordinal", "nominal") and numeric
    return True


def _number(value: float | None, applicable: bool = True) -> str:
    return ("n/a" if applicable else "-") if value is None else f"{value:.3f}"


def _cells(qid: str, r: dict[str, Any], extended: bool) -> tuple[str, ...]:
    """One row of the table; a whole-set or spans entry (extended report) has only its own α."""
    if "fleiss_kappa" in r:
        classic = (*(_number(r[m], applies(r, m)) for m in ALPHAS), _number(r["fleiss_kappa"]))
    else:
        classic = ("-",) * (len(ALPHAS) + 1)
    counts = (str(r["items"]), str(r["annotations"]), str(r["annotators"]))
    return (qid, r["kind"], *classic, *counts, *(alpha_cells(r) if extended else ()))


def format_report(report: dict[str, dict]) -> str:
    """A plain-text table of every question, then each question's annotators (and their competence)."""
    if not report:
        return "No choice questions to report."
    extended = any("alpha" in r for r in report.values())
    heads = ("question", "kind", "α nominal", "α ordinal", "α interval", "Fleiss κ", "items", "answers", "annotators")
    heads += ALPHA_HEADS if extended else ()
    rows = [_cells(qid, r, extended) for qid, r in report.items()]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]

    def line(cells) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(heads), line("-" * w for w in widths)] + [line(row) for row in rows]
    out += ["", "n/a: undefined (no comment with two answers, or every answer the same); -: does not apply"]
    if extended:
        out += [ALPHA_NOTE]
    for qid, r in report.items():
        shares = r.get("annotator_majority_agreement", {})
        kappas: dict[str, list[float]] = {}
        for p in r.get("cohen_kappa_pairs", []):
            if p["kappa"] is not None:
                kappas.setdefault(p["a"], []).append(p["kappa"])
                kappas.setdefault(p["b"], []).append(p["kappa"])
        people = sorted(set(shares) | set(kappas))
        if not people:
            continue
        out += ["", f"{qid}: agreement with the other annotators' majority; mean Cohen's κ with each other annotator"]
        width = max(len(p) for p in people)
        for p in people:
            share = f"{_number(shares.get(p))} of {r['annotator_majority_items'][p]} items" if p in shares else "n/a"
            mean = kappas.get(p)
            kappa = f"mean κ {_number(sum(mean) / len(mean))} over {len(mean)} partners" if mean else "mean κ n/a"
            out.append(f"  {p.ljust(width)}  majority {share:<22}  {kappa}")
    return "\n".join(out + competence_lines(report))
