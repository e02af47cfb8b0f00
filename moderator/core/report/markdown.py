"""The data statement as Markdown: figures in tables and sentences, charts as images beside it."""

from __future__ import annotations

from typing import Any

FEW = 5  # the smallest group a figure about people is given for (as the profiles' min_group)
SHARES = {"article_shown": "the article was on screen", "parent_shown": "the comment replied to was on screen",
          "named_parent_shown": "an earlier comment it names was shown as its probable parent",
          "siblings_opened": "the other replies at its level were opened", "hint_shown": "the model's guess was on screen",
          "blurred": "the comment was blurred as likely severe", "revealed": "a blurred comment was revealed before answering"}  # fmt: skip


def _n(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _spread(s: dict[str, Any], unit: str = "", digits: int = 1) -> str:
    if not s["n"]:
        return "none recorded"
    return (f"median {_n(s['median'], digits)}{unit} (quartiles {_n(s['q1'], digits)}–{_n(s['q3'], digits)}{unit}, "
            f"range {_n(s['min'], digits)}–{_n(s['max'], digits)}{unit}; n = {s['n']})")  # fmt: skip


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = lambda row: "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |"  # noqa: E731
    return [cells(header), "|" + "---|" * len(header), *(cells(r) for r in rows)]


def render(f: dict[str, Any], images: dict[str, str], *, hourly_rate: float | None, currency: str) -> str:
    corpus, lab, adj, prov, cond, well = (
        f[k] for k in ("corpus", "labelling", "adjudication", "provenance", "conditions", "wellbeing")
    )
    out = ["# Data statement", "",
           "Written by `moderator report` from the project's database: every figure below is read from the labels in force "
           "(an edit supersedes, an undo takes back). No person is named; annotators appear as counts and spreads.", ""]  # fmt: skip

    out += ["## Curation and sources", "",
            f"{corpus['comments']} comments in {corpus['threads']} thread{'s' if corpus['threads'] != 1 else ''}"
            + (f", posted {' to '.join(corpus['posted'])}" if corpus["posted"] else "") + ".", ""]  # fmt: skip
    if corpus["sources"]:
        out += _table(["source file", "format", "threads", "comments", "imported"],
                      [[s["file"], s["format"], s["threads"], s["comments"], s["imported"] or "–"] for s in corpus["sources"]])  # fmt: skip
        out.append("")
    out += ["Language: not recorded per comment; annotators flag comments that are not in English "
            "(the `flags` question, where the schema has it).", ""]  # fmt: skip

    out += ["## Annotators and guidelines", "",
            f"{lab['annotators']} people gave {lab['labels']} labels ({lab['accounts']} accounts in the project); "
            f"labels per person: {_spread(lab['labels_per_annotator'], digits=0)}."
            + (f" {lab['imported']} of the labels were imported with a source dataset (its annotators, not this app's)."
               if lab["imported"] else ""), ""]  # fmt: skip
    out += ["Guideline (label schema) versions the labels were made under:", ""]
    out += _table(["schema", "version", "sha256", "labels in force"],
                  [[g["name"], g["version"], g["sha256"], g["labels"]] for g in lab["guideline_versions"]])  # fmt: skip
    out += ["", *_profiles(f["profiles"])]

    statuses = lab["statuses"]
    out += ["## Time and cost", "",
            f"Time per item labelled in the app: {_spread(lab['seconds_per_item'], ' s')}. "
            f"Total labelling time {lab['hours']:.2f} h over {lab['days']} day{'s' if lab['days'] != 1 else ''}."]  # fmt: skip
    if hourly_rate is not None and lab["hours"]:
        out.append(
            f"At {currency}{hourly_rate:.2f} an hour that is {currency}{hourly_rate * lab['hours']:.2f} of paid labelling time."
        )
    out += ["", f"Skipped: {statuses.get('skipped', 0)} (of which {lab['wellbeing_skips']} for the annotator's wellbeing); "
            f"flagged as hard to judge: {statuses.get('flagged', 0)}; late answers (after the comment had its k answers): "
            f"{statuses.get('late', 0)}.", "", f"![time per item]({images['time']})", ""]  # fmt: skip

    out += ["## Adjudication", "",
            f"{adj['reviewers']} reviewers made {adj['decisions']} gold decisions on {adj['comments']} comments "
            "(disagreements reviewed side by side; the decision, not a vote, is the gold label).", ""]  # fmt: skip

    out += ["## Agreement", "", "Krippendorff's α per question at the level of its kind (ordinal, nominal; MASI distance for "
            "multi-label questions; character-level for rationale spans), with a bootstrap 95 % interval over comments.", ""]  # fmt: skip
    rows = [[e.get("label", q), e.get("alpha_level", "–"), _n(e.get("alpha")),
             "–" if not e.get("alpha_ci95") else f"{_n(e['alpha_ci95'][0])} – {_n(e['alpha_ci95'][1])}",
             e.get("pairable_items", "–")] for q, e in f["agreement"].items() if "." not in q]  # fmt: skip
    out += (
        _table(["question", "level", "α", "95 % interval", "comments with 2+ answers"], rows)
        if rows
        else ["No agreement figures yet."]
    )
    out += ["", f"![agreement]({images['agreement']})", ""]

    out += ["## Aggregation and annotator competence", "",
            "Besides the majority and soft labels, exports can carry Dawid–Skene and MACE labels (crowd-kit), which weigh each "
            "annotator by an estimated competence. The spread of those competences:", ""]  # fmt: skip
    comp_rows = []
    for q, e in f["agreement"].items():
        for method in ("dawid_skene", "mace"):
            result = e.get(method)
            if result and result.get("competence"):
                values = sorted(result["competence"].values())
                comp_rows.append([e.get("label", q), method.replace("_", "–"), len(values), _n(values[0]), _n(values[len(values) // 2]),
                                  _n(values[-1])])  # fmt: skip
    out += _table(["question", "method", "annotators", "lowest", "median", "highest"], comp_rows) if comp_rows else [
        "Not enough overlapping labels to estimate competences."]  # fmt: skip
    out += ["", *_gold(f["gold"], {q: e.get("label", q) for q, e in f["agreement"].items()})]

    out += ["## How the labels were made", ""]
    if prov["recorded"]:
        out += [f"{prov['recorded']} of {prov['labels']} labels record what was on the annotator's screen:", ""]
        out += [f"- {100 * share:.0f} % — {SHARES[name]}" for name, share in prov["share"].items() if share is not None]
        out += ["", f"Time to the first answer: {_spread(prov['seconds_to_first_key'], ' s')}.", ""]
    else:
        out += ["No label made in the app records what was on screen (made before this was recorded).", ""]
    if cond["experiment"] or cond["labels"]:
        e = cond["experiment"]
        if e:
            out += [f"Experiment in force: the {e['factor']} shown or hidden, randomised per {e['unit']} (seed {e['seed']}).", ""]
        for arm, n in sorted(cond["labels"].items()):
            dist = "; ".join(f"{q}: " + ", ".join(f"{v} × {c}" for v, c in sorted(d.items(), key=lambda kv: str(kv[0])))
                             for q, d in cond["distributions"].get(arm, {}).items())  # fmt: skip
            alphas = ", ".join(f"{q} {_n(a)}" for q, a in cond["alpha"].get(arm, {}).items() if a is not None)
            out.append(f"- **{arm}**: {n} labels — {dist}" + (f"; α within the arm (nominal): {alphas}" if alphas else ""))
        out.append("")

    cfg = well["config"]
    out += ["## Wellbeing", "",
            f"Measures in place: blur of likely severe comments {'on' if cfg['blur'] else 'off'}; greyscale "
            f"{'on' if cfg['greyscale'] else 'off'}; breaks "
            + (f"after {cfg['break_minutes']} min or {cfg['break_severe']} severe comments" if cfg["breaks"] else "off")
            + f"; daily cap {cfg['daily_cap'] or 'none'}; skipping any comment for one's wellbeing, always.", "",
            f"Exposure: {well['severe_comments']} comments labelled in the app are likely severe by the lexicon; severe comments "
            f"per person per day: {_spread(well['severe_per_person_day'], digits=0)}.", "", f"![exposure]({images['exposure']})", ""]  # fmt: skip
    out += _checkins(f["checkins"])

    out += ["## Labels", "", f"![labels per question]({images['labels']})", ""]
    out += ["## Limitations", "", *(f"- {line}" for line in limitations(f)), ""]
    return "\n".join(out)


def _gold(g: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """Gold (attention) items: how many, how handed out, and people's accuracy on them, no one named."""
    if not g["items"]:
        return ["Gold (attention) items: none in this project.", ""]
    how = (f"handed out blind, about one in {g['every']} comments per person, each at most once"
           if g["every"] else "not handed out at present")  # fmt: skip
    out = [f"Gold (attention) items: {g['items']} comments with known answers ({g['from_file']} from a file, "
           f"{g['from_review']} promoted from reviewer decisions), {how}; the reference answer was "
           f"{'shown' if g['feedback'] else 'not shown'} after each. They are left out of the agreement figures above.", ""]  # fmt: skip
    if not g["people"]:
        return out + ["No one has answered a gold item yet.", ""]
    out += [f"{g['people']} people answered {g['answers']} gold items; {g['below']} of them fell below "
            f"{100 * g['threshold']:.0f} % correct. Accuracy per person:", ""]  # fmt: skip
    rows = [[labels.get(q, q), len(v), _n(v[0]), _n(v[len(v) // 2]), _n(v[-1])] for q, v in g["questions"].items()]
    return out + _table(["question", "people", "lowest", "median", "highest"], rows) + [""]


def _profiles(p: dict[str, Any]) -> list[str]:
    """The annotators' survey answers, counted; an answer fewer than ``min_group`` people gave is merged."""
    if not p.get("respondents"):
        return ["Demographics: the project's schema asks no survey, or no one has answered it yet.", ""]
    out = [f"Demographics and experience, from the annotators' own survey: {p['respondents']} answered, "
           f"{p.get('declined', 0)} declined; answers given by fewer than {p['min_group']} people are merged.", ""]  # fmt: skip
    for q in p["questions"]:
        counts = ", ".join(f"{answer}: {n}" for answer, n in q["counts"].items())
        out.append(f"- **{q['label']}** — {counts or 'no answers'}")
    return [*out, ""]


def _checkins(c: dict[str, Any]) -> list[str]:
    """How annotators said they were (1–5), per moment, all together: never per person."""
    moments = {"start": "at the start of a session", "after_break": "after a break", "end": "at the end of a session"}
    # A mean of fewer than FEW people would tell one person's answers to whoever reads the statement.
    rows = [[moments.get(m, m), s["n"], s["people"], _n(s["mean"]) if s["people"] >= FEW else f"– (fewer than {FEW} people)"]
            for m, s in c.items() if s.get("n")]  # fmt: skip
    if not rows:
        return ["Check-ins (how are you, 1–5): not asked, or not answered.", ""]
    return ["How annotators said they were (1 = very bad, 5 = very good):", "",
            *_table(["when", "answers", "people", "mean"], rows), ""]  # fmt: skip


def limitations(f: dict[str, Any]) -> list[str]:
    """What the figures themselves say a reader should be careful about."""
    lab, found = f["labelling"], []
    if lab["annotators"] < 2:
        found.append("One annotator: no agreement can be measured, and every label is one person's judgement.")
    low = [
        e.get("label", q) for q, e in f["agreement"].items() if "." not in q and e.get("alpha") is not None and e["alpha"] < 0.667
    ]
    if low:
        found.append(f"Agreement below 0.667 on {', '.join(low)}: treat these labels as contested, not as ground truth.")
    if not f["adjudication"]["decisions"]:
        found.append("No disagreement was adjudicated by a reviewer.")
    if not f["gold"]["people"]:
        found.append("No gold (attention) items were answered: no one's accuracy was checked against known answers.")
    elif f["gold"]["below"]:
        found.append(f"{f['gold']['below']} people answered fewer gold items correctly than the project's threshold; "
                     "their labels are in the data (weigh them with the competences above).")  # fmt: skip
    if f["provenance"]["recorded"] < f["provenance"]["labels"]:
        found.append("Some labels do not record what was on screen (made before this was recorded, or imported).")
    found.append("The lexicon that judges severity is a small English list: exposure figures undercount other languages.")
    return found
