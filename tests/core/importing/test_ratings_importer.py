"""The ratings-table importer: one row per rating (Measuring Hate Speech's shape) as CSV, TSV, JSON lines
and Parquet, hand-made here; one comment per item, one prior label per rating, profiles from attributes."""

from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from moderator.core.agreement.report import agreement_report
from moderator.core.importing.formats import ImportFailure, detect_format, ratings, read_source
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Annotation, Annotator, Comment, Profile, Thread
from moderator.core.team.profiles import profiles_raw, profiles_summary

krippendorff = pytest.importorskip("krippendorff")

TEXTS = {
    "c1": "They should all be sent back where they came from.",
    "c2": "I love this community, thanks everyone!",
    "c3": "Women like her are vermin.",
    "c4": "Meh, the match was boring.",
    "c5": "What a stupid take, honestly.",
}
PLATFORM = {"c1": "twitter", "c2": "reddit", "c3": "youtube", "c4": "reddit", "c5": "twitter"}
SCORE = {"c1": 0.25, "c2": -1.5, "c3": 2.125, "c4": -0.75, "c5": 0.5}
PEOPLE = {"a1": ("female", 34), "a2": ("male", 51), "a3": ("non-binary", 27), "a4": ("female", 42)}
# (item, annotator, hatespeech 0-2, sentiment 1-5, respect 1-5, target_women)
RATINGS = [
    ("c1", "a1", 2, 5, 4, False),
    ("c1", "a2", 1, 4, 4, False),
    ("c1", "a3", 2, 5, 5, True),
    ("c2", "a1", 0, 1, 1, False),
    ("c2", "a2", 0, 2, 1, False),
    ("c2", "a4", 0, 1, 2, False),
    ("c3", "a2", 2, 5, 5, True),
    ("c3", "a3", 2, 4, 5, True),
    ("c3", "a4", 1, 5, 4, True),
    ("c4", "a1", 0, 2, 2, False),
    ("c4", "a3", 0, 3, 2, False),
    ("c5", "a2", 1, 3, 3, False),
    ("c5", "a3", 1, 4, 3, True),
    ("c5", "a4", 0, 3, 4, False),
]
HEADER = [
    "comment_id", "text", "annotator_id", "platform", "hatespeech", "sentiment", "respect", "target_women",
    "hate_speech_score", "timestamp", "annotator_gender", "annotator_age",
]  # fmt: skip


def records() -> list[dict]:
    rows = []
    for n, (item, person, hate, sentiment, respect, women) in enumerate(RATINGS):
        gender, age = PEOPLE[person]
        rows.append({
            "comment_id": item, "text": TEXTS[item], "annotator_id": person, "platform": PLATFORM[item],
            "hatespeech": hate, "sentiment": sentiment, "respect": respect, "target_women": women,
            "hate_speech_score": SCORE[item], "timestamp": f"2024-03-{n + 1:02d}T10:00:00",
            "annotator_gender": gender, "annotator_age": age,
        })  # fmt: skip
    return rows


def write_table(path, rows: list[dict], header: list[str] | None = None):
    """Write rows as the suffix says: .csv, .tsv, .jsonl or .parquet."""
    header = header or list(rows[0])
    suffix = path.suffix
    if suffix in (".csv", ".tsv"):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter="\t" if suffix == ".tsv" else ",")
            writer.writerow(header)
            writer.writerows([["" if r.get(k) is None else r.get(k) for k in header] for r in rows])
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps({k: r.get(k) for k in header}) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in header} for r in rows]), path)
    return path


def parsed(path, options: ImportOptions | None = None):
    return list(ratings.parse(read_source(path), options=options))


def package_alpha(question: int, level: str) -> float:
    """The krippendorff package's α on the fixture: annotators × items, NaN where one did not rate."""
    people, items = sorted(PEOPLE), sorted(TEXTS)
    data = np.full((len(people), len(items)), np.nan)
    for rating in RATINGS:
        value = rating[question]
        data[people.index(rating[1]), items.index(rating[0])] = int(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


# ---- the Measuring Hate Speech shape, through the database --------------------------------------------


def test_a_ratings_csv_becomes_one_comment_per_item_with_a_label_per_rating(engine, tmp_path):
    path = write_table(tmp_path / "mhs.csv", records())
    assert detect_format(read_source(path)) == "ratings"
    (summary,) = import_paths(engine, [path])

    assert summary.format == "ratings"
    assert summary.threads_added == 1 and summary.comments_added == len(TEXTS) and summary.items == len(TEXTS)
    assert summary.labels_added == len(RATINGS) and summary.annotators == len(PEOPLE)
    assert summary.labels_by_question == {"hatespeech": 14, "sentiment": 14, "respect": 14, "target_women": 14}
    assert summary.metadata_columns == ["platform", "hate_speech_score"]
    assert summary.ignored_columns == ["timestamp"]
    assert summary.warnings == []

    with engine.connect() as conn:
        (title,) = conn.execute(select(Thread.title)).one()
        comments = conn.execute(select(Comment.id, Comment.external_id, Comment.text, Comment.meta)).all()
        labels = conn.execute(
            select(Comment.external_id, Annotator.name, Annotation.values, Annotation.action)
            .join(Comment, Comment.id == Annotation.comment_id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
        ).all()
        names = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
        consents = {names[a]: c for a, c in conn.execute(select(Profile.annotator_id, Profile.consent_version))}
    assert title == "mhs"
    assert sorted((c.external_id, c.text) for c in comments) == sorted(TEXTS.items())
    for c in comments:
        assert c.meta["platform"] == PLATFORM[c.external_id]
        assert float(c.meta["hate_speech_score"]) == SCORE[c.external_id]
        assert "timestamp" not in c.meta and "hatespeech" not in c.meta
    expected = {
        (item, f"mhs/{person}"): {"hatespeech": h, "sentiment": s, "respect": r, "target_women": int(w)}
        for item, person, h, s, r, w in RATINGS
    }
    assert {(r.external_id, r.name): r.values for r in labels} == expected
    assert {r.action for r in labels} == {"import"}

    assert consents == {f"mhs/{p}": "imported:mhs" for p in PEOPLE}
    raw = {names[p["annotator_id"]]: p["answers"] for p in profiles_raw(engine)}
    assert raw == {f"mhs/{p}": {"annotator_gender": g, "annotator_age": a} for p, (g, a) in PEOPLE.items()}
    # A dataset's own annotators answered no survey of this project: not counted among its respondents.
    assert profiles_summary(engine, min_group=1)["respondents"] == 0

    report = agreement_report(engine, ["hatespeech", "sentiment", "target_women"])
    assert report["hatespeech"]["krippendorff_alpha_ordinal"] == pytest.approx(package_alpha(2, "ordinal"), abs=1e-6)
    assert report["sentiment"]["krippendorff_alpha_ordinal"] == pytest.approx(package_alpha(3, "ordinal"), abs=1e-6)
    assert report["target_women"]["krippendorff_alpha_nominal"] == pytest.approx(package_alpha(5, "nominal"), abs=1e-6)
    assert report["sentiment"]["items"] == len(TEXTS) and report["sentiment"]["annotators"] == len(PEOPLE)


def test_the_schema_infers_each_label_type(tmp_path):
    rows = records()
    for n, row in enumerate(rows):
        row["stance"] = ["for", "against", "neutral"][n % 3]
        row["toxicity_prob"] = [0.125, 0.5, 0.875, 0.25][n % 4]
    (draft,) = parsed(write_table(tmp_path / "mhs.csv", rows))
    schema = draft.prior_schema
    assert schema["name"] == "ratings-mhs" and schema["version"] == 1
    questions = {q["id"]: q for q in schema["questions"]}
    assert list(questions) == ["hatespeech", "sentiment", "respect", "target_women", "stance", "toxicity_prob"]
    values = {qid: ([o["value"] for o in q.get("options", [])], q["kind"]) for qid, q in questions.items()}
    assert values["hatespeech"] == ([0, 1, 2], "ordinal")
    assert values["sentiment"] == ([1, 2, 3, 4, 5], "ordinal")
    assert values["respect"] == ([1, 2, 3, 4, 5], "ordinal")
    assert values["target_women"] == ([0, 1], "nominal")
    assert values["stance"] == (["against", "for", "neutral"], "nominal")
    assert values["toxicity_prob"] == ([], "text")  # fractions cannot be options: kept as written
    first = draft.comments[0].prior_labels[0].values
    assert first["stance"] == "for" and first["toxicity_prob"] == "0.125" and first["target_women"] == 0


def test_an_ordinal_scale_lists_every_integer_between_its_ends(tmp_path):
    rows = [{"item_id": i, "text": f"t{i}", "rater": r, "respect": v} for i, r, v in [(1, "x", 1), (1, "y", 4), (2, "x", 7)]]
    (draft,) = parsed(write_table(tmp_path / "scale.csv", rows))
    (question,) = draft.prior_schema["questions"]
    assert question["kind"] == "ordinal" and [o["value"] for o in question["options"]] == [1, 2, 3, 4, 5, 6, 7]


def test_many_annotators_are_added_at_once_and_a_second_file_reuses_them(engine, tmp_path):
    def table(folder: str, items: range, people: range, age: int):
        rows = [
            {"item_id": f"i{item}", "text": f"text {item}", "worker_id": f"w{p}", "offensive": (p + item) % 2,
             "annotator_age": age}
            for item in items
            for p in people
        ]  # fmt: skip
        (tmp_path / folder).mkdir()
        return write_table(tmp_path / folder / "pool.csv", rows)

    import_paths(engine, [table("train", range(3), range(60), 30)])
    (summary,) = import_paths(engine, [table("dev", range(3, 5), range(40, 100), 99)])
    assert summary.annotators == 60 and summary.labels_added == 120 and summary.threads_existing == 1
    with engine.connect() as conn:
        names = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
        ages = {names[a]: answers["annotator_age"] for a, answers in conn.execute(select(Profile.annotator_id, Profile.answers))}
        labels = conn.execute(select(Annotation.annotator_id, Annotation.values)).all()
    assert len(names) == 100 and set(names.values()) == {f"pool/w{p}" for p in range(100)}
    assert ages["pool/w0"] == 30 and ages["pool/w59"] == 30 and ages["pool/w60"] == 99  # the first profile stays
    assert len(labels) == 300 and {names[a] for a, _ in labels} == set(names.values())


def test_a_thread_column_and_parent_texts(tmp_path):
    rows = [
        {"thread_id": "t1", "comment_id": "c1", "text": "first", "parent_text": "the post", "rater_id": "a", "insult": 1},
        {"thread_id": "t1", "comment_id": "c1", "text": "first", "parent_text": "the post", "rater_id": "b", "insult": 0},
        {"thread_id": "t1", "comment_id": "c2", "text": "second", "parent_text": "the post", "rater_id": "a", "insult": 0},
        {"thread_id": "t2", "comment_id": "c3", "text": "third", "parent_text": "", "rater_id": "b", "insult": 1},
    ]
    one, two = parsed(write_table(tmp_path / "conv.csv", rows))
    assert (one.title, one.external_id, two.external_id) == ("conv: t1", "t1", "t2")
    assert [(c.external_id, c.text, c.parent_index) for c in one.comments] == [
        (None, "the post", None),
        ("c1", "first", 0),
        ("c2", "second", 0),
    ]
    assert one.comments[0].prior_labels == [] and [len(c.prior_labels) for c in one.comments[1:]] == [2, 1]
    assert [(c.external_id, c.parent_index) for c in two.comments] == [("c3", None)]


# ---- the same table in other files ---------------------------------------------------------------------


def labels_of(drafts) -> list:
    return [
        (c.external_id, c.text, c.metadata.get("platform"), [(p.annotator, p.values) for p in c.prior_labels])
        for d in drafts
        for c in d.comments
    ]


@pytest.mark.parametrize("suffix", [".tsv", ".parquet", ".jsonl"])
def test_tsv_parquet_and_json_lines_give_the_same_labels(tmp_path, suffix):
    expected = parsed(write_table(tmp_path / "mhs.csv", records()))
    (tmp_path / suffix[1:]).mkdir()
    path = write_table(tmp_path / suffix[1:] / f"mhs{suffix}", records())
    source = read_source(path)
    assert detect_format(source) == "ratings"
    got = list(ratings.parse(source))
    assert labels_of(got) == labels_of(expected)
    assert got[0].prior_schema == expected[0].prior_schema
    assert (
        got[0].annotator_profiles
        == expected[0].annotator_profiles
        == {f"mhs/{p}": {"annotator_gender": g, "annotator_age": a} for p, (g, a) in PEOPLE.items()}
    )


def test_parquet_is_read_as_a_table_not_as_text(tmp_path):
    path = write_table(tmp_path / "mhs.parquet", records())
    source = read_source(path)
    assert source.compressed == "parquet" and source.text == "" and len(source.sha256) == 64
    renamed = path.rename(tmp_path / "mhs.bin")  # found by its magic, not its name
    assert detect_format(read_source(renamed)) == "ratings"
    fake = tmp_path / "fake.parquet"
    fake.write_text("comment_id,text\n1,x\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"fake\.parquet:1: not a Parquet file"):
        parsed(fake)


# ---- columns named with --map ----------------------------------------------------------------------------


def odd_rows() -> list[dict]:
    return [
        {"Post #": item, "Words": TEXTS[item], "Who": person, "Q1 hate": h, "Q2 mood": s, "rater-years": PEOPLE[person][1],
         "batch": n % 2}
        for n, (item, person, h, s, _r, _w) in enumerate(RATINGS)
    ]  # fmt: skip


def test_columns_named_with_map(tmp_path):
    path = write_table(tmp_path / "odd.csv", odd_rows())
    mapping = {"item": "post #", "text": "Words", "annotator": "who", "label": "Q1 hate;Q2 mood", "attribute": "rater-years"}
    options = ImportOptions(mapping=mapping)
    (draft,) = parsed(path, options)
    assert [q["id"] for q in draft.prior_schema["questions"]] == ["q1_hate", "q2_mood"]
    assert [(c.external_id, c.text) for c in draft.comments] == list(TEXTS.items())
    first = draft.comments[0].prior_labels
    assert [(p.annotator, p.values) for p in first] == [
        ("odd/a1", {"q1_hate": 2, "q2_mood": 5}),
        ("odd/a2", {"q1_hate": 1, "q2_mood": 4}),
        ("odd/a3", {"q1_hate": 2, "q2_mood": 5}),
    ]
    assert draft.annotator_profiles["odd/a2"] == {"rater-years": 51}
    assert options.notes.ignored_columns == ["batch"]  # only the mapped labels are labels


def test_a_mapped_column_missing_from_the_header_fails_naming_it(tmp_path):
    path = write_table(tmp_path / "odd.csv", odd_rows())
    options = ImportOptions(mapping={"item": "Post #", "text": "Words", "annotator": "Rater"})
    with pytest.raises(ImportFailure) as failure:
        parsed(path, options)
    assert failure.value.line == 1
    assert "the annotator column 'Rater' is not in the header" in failure.value.reason
    assert "'Post #', 'Words', 'Who'" in failure.value.reason
    with pytest.raises(ImportFailure, match="the label column 'Q3' is not in the header"):
        parsed(path, ImportOptions(mapping={"annotator": "Who", "text": "Words", "label": "Q1 hate;Q3"}))
    with pytest.raises(ImportFailure, match="no column role 'colour'"):
        parsed(path, ImportOptions(mapping={"colour": "Words"}))


def test_without_an_annotator_column_the_file_is_refused(tmp_path):
    path = write_table(tmp_path / "odd.csv", odd_rows())
    with pytest.raises(ImportFailure, match=r"odd\.csv:1: no annotator column \(name it with --map annotator=COLUMN\)"):
        parsed(path)


# ---- quirks -------------------------------------------------------------------------------------------------


def test_an_identical_duplicate_rating_is_counted_once(tmp_path):
    rows = records()
    rows.insert(3, dict(rows[1]))  # a2 rates c1 again, the same way, on line 5
    options = ImportOptions()
    (draft,) = parsed(write_table(tmp_path / "mhs.csv", rows), options)
    assert sum(len(c.prior_labels) for c in draft.comments) == len(RATINGS)
    assert options.notes.warnings == [
        f"{tmp_path / 'mhs.csv'}:5: item 'c1': annotator 'a2' gave the same rating on line 3; counted once"
    ]


def test_a_conflicting_duplicate_keeps_the_later_rating(tmp_path):
    rows = records()
    rows.append(dict(rows[1], sentiment=1, hatespeech=0))  # a2 changes their mind about c1 on the last line
    options = ImportOptions()
    (draft,) = parsed(write_table(tmp_path / "mhs.csv", rows), options)
    c1 = draft.comments[0]
    assert [p.annotator for p in c1.prior_labels] == ["mhs/a1", "mhs/a2", "mhs/a3"]
    assert c1.prior_labels[1].values == {"hatespeech": 0, "sentiment": 1, "respect": 4, "target_women": 0}
    (warning,) = options.notes.warnings
    assert warning.endswith(":16: item 'c1': annotator 'a2' rated it differently on line 3; the later rating is kept")


def test_strict_refuses_a_duplicate_and_writes_nothing(engine, tmp_path):
    for duplicate in ("same", "different"):
        rows = records()
        rows.append(dict(rows[1]) if duplicate == "same" else dict(rows[1], respect=1))
        path = write_table(tmp_path / f"{duplicate}.csv", rows)
        with pytest.raises(ImportFailure, match=rf"{duplicate}\.csv:16: item 'c1': annotator 'a2' .*\(refused: --strict\)"):
            import_paths(engine, [path], options=ImportOptions(strict=True))
        with engine.connect() as conn:
            assert conn.scalar(select(Comment.id).limit(1)) is None
            assert conn.scalar(select(Annotator.id).limit(1)) is None
            assert conn.scalar(select(Profile.annotator_id).limit(1)) is None


def test_differing_texts_and_attributes_warn_and_keep_the_first(tmp_path):
    rows = records()
    rows[4]["text"] = "I love this community!"  # c2's second row
    rows[5]["annotator_age"] = 99  # a4's first row
    options = ImportOptions()
    (draft,) = parsed(write_table(tmp_path / "mhs.csv", rows), options)
    assert draft.comments[1].text == TEXTS["c2"]
    assert draft.annotator_profiles["mhs/a4"]["annotator_age"] == 99
    assert [w.split(": ", 1)[1] for w in options.notes.warnings] == [
        "item 'c2' has a different text than on line 5; the first is kept",
        "annotator 'mhs/a4' has other attributes than on line 7; the first are kept",
    ]


# ---- sniffing and errors ------------------------------------------------------------------------------------


def test_sniffing_tells_a_ratings_table_from_a_comment_table(tmp_path):
    comments = write_table(
        tmp_path / "comments.csv",
        [{"id": i, "text": f"comment {i}", "author": "ann", "thread_id": "t"} for i in range(5)],
    )
    assert ratings.sniff(read_source(comments)) == 0.0
    assert detect_format(read_source(comments)) == "csv"
    once = write_table(tmp_path / "once.csv", [{"comment_id": i, "text": "x", "annotator": "a", "toxic": 1} for i in range(3)])
    assert ratings.sniff(read_source(once)) == 0.6  # an annotator column, but no item rated twice: csv decides
    assert detect_format(read_source(once)) == "csv"
    table = read_source(write_table(tmp_path / "mhs.csv", records()))
    assert ratings.sniff(table) == ratings.SURE
    jsonl = read_source(write_table(tmp_path / "mhs.jsonl", records()))
    assert detect_format(jsonl) == "ratings"


def test_errors_name_the_line_or_the_parquet_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("comment_id,text,annotator_id,hatespeech\nc1,x,a1,1\nc1,x,a2\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"bad\.csv:3: this row has 3 fields, fewer than the 4 columns"):
        parsed(path)
    lines = tmp_path / "bad.jsonl"
    lines.write_text('{"comment_id": "c1", "text": "x", "annotator": "a", "hatespeech": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"bad\.jsonl:2: expected a JSON object"):
        parsed(lines)
    rows = records()
    rows[2]["text"] = "nul \x00 inside"
    with pytest.raises(ImportFailure, match=r"mhs\.parquet:3: a NUL character cannot be stored"):
        parsed(write_table(tmp_path / "mhs.parquet", rows))


def test_cells_are_compared_across_spellings():
    from moderator.core.importing.formats.label_types import ident, normal

    assert [normal(c) for c in ["", " NA ", "nan", "null", "2", "2.0", 2.0, " True", "false", "0.25", "none", float("inf")]] == [
        None, None, None, None, 2, 2, 2, True, False, 0.25, "none", None,
    ]  # fmt: skip
    assert [ident(c) for c in [" 007 ", 12, 12.0, None, " "]] == ["007", "12", "12", None, None]
