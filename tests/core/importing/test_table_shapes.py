"""Real-data table shapes: rater arrays with parent posts, semicolon share tables, Hacker News JSONL, data
forced through --format paste, and label quirks that warn rather than sink a file."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, datetime

import krippendorff
import numpy as np
import pytest
from sqlalchemy import select

from moderator.core.agreement.report import agreement_report
from moderator.core.importing.formats import ImportFailure, csv_table, detect_format, jsonl, read_source
from moderator.core.importing.formats.label_names import is_label_name, snake
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.formats.rater_arrays import parse_array
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Annotation, Annotator, Comment, Thread


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def comments(engine):
    """Every comment as (id, thread id, text, author, parent text, meta), in id order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Comment.id, Comment.thread_id, Comment.text, Comment.author, Comment.parent_id, Comment.meta).order_by(
                Comment.id
            )
        ).all()
    text = {r.id: r.text for r in rows}
    return [(r.id, r.thread_id, r.text, r.author, text.get(r.parent_id), r.meta) for r in rows]


def labels(engine):
    """(annotator, comment text, values) of every imported annotation."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Annotator.name, Comment.text, Annotation.values, Annotation.action)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .join(Comment, Comment.id == Annotation.comment_id)
        ).all()
    assert {r.action for r in rows} <= {"import"}
    return [(r.name, r.text, r.values) for r in rows]


# ---- 1. rater arrays, with the parent post's text ----------------------------------------------------------

CONTEXT = (
    "id,parent,text,tox_codes_oc,toxicity_oc,Unnamed: 0\n"
    '1,"You are all wrong about this.","No, you are.",[0. 1. 0.],0.333,0\n'
    '2,"You are all wrong about this.","Agreed, nonsense.",[1. 1. nan],1.0,1\n'
    '3,"Great article, thanks","Thanks for reading",[0. 0. 0.],0.0,2\n'
    '4,"Thanks for reading","You are welcome",[0 0 1],0.333,3\n'
    '5,"Great article, thanks","Idiots, all of you",[1. 1. 1.],1.0,4\n'
    '6,"Great article, thanks","I learnt something",[0. nan 0.],0.0,5\n'
)


def test_rater_array_cells():
    assert parse_array("[0. 1. 0.]") == ["0", "1", "0"]
    assert parse_array("[0, 1, 0]") == ["0", "1", "0"]
    assert parse_array("[1.0 nan  0.]") == ["1", None, "0"]
    assert parse_array('["yes", null, "no"]') == ["yes", None, "no"]
    assert parse_array("[None, 'a', '']") == [None, "a", None]
    assert parse_array("[0.5 1.]") == ["0.5", "1"]
    assert parse_array("[]") == []
    assert parse_array("0") is None and parse_array("[[1, 2]]") is None and parse_array("no [brackets]") is None


def test_rater_arrays_and_parent_text(engine, tmp_path):
    path = write(tmp_path, "ccc.csv", CONTEXT)
    [summary] = import_paths(engine, [path], options=ImportOptions())
    # six rows and two context comments, one per distinct parent text; "Thanks for reading" is both a
    # row and the post row 4 replies to: one comment, not a context comment as well
    got = [(text, author, parent, meta.get("context")) for _, _, text, author, parent, meta in comments(engine)]
    assert got == [
        ("You are all wrong about this.", None, None, True),
        ("No, you are.", None, "You are all wrong about this.", None),
        ("Agreed, nonsense.", None, "You are all wrong about this.", None),
        ("Great article, thanks", None, None, True),
        ("Thanks for reading", None, "Great article, thanks", None),
        ("You are welcome", None, "Thanks for reading", None),
        ("Idiots, all of you", None, "Great article, thanks", None),
        ("I learnt something", None, "Great article, thanks", None),
    ]
    assert summary.comments_added == 8 and summary.orphans == 0
    assert summary.metadata_columns == ["tox_codes_oc", "toxicity_oc"] and summary.ignored_columns == ["Unnamed: 0"]
    stored = labels(engine)
    assert {name for name, _, _ in stored} == {"ccc/aggregate", "ccc/rater1", "ccc/rater2", "ccc/rater3"}
    raters = [(n, t, v) for n, t, v in stored if n != "ccc/aggregate"]
    assert len(raters) == 16  # 18 positions, two of them nan
    assert ("ccc/rater2", "No, you are.", {"tox_codes_oc": 1}) in raters
    assert ("ccc/aggregate", "No, you are.", {"toxicity_oc": "0.333"}) in stored  # a mean: kept as written
    assert summary.labels_added == len(stored) and summary.annotators == 4

    # α over the pseudo-annotators is Krippendorff's α of the arrays, units the rows
    arrays = [parse_array(line.split(",")[-3]) for line in CONTEXT.splitlines()[1:]]
    data = np.array([[math.nan if a[r] is None else float(a[r]) for a in arrays] for r in range(3)])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    report = agreement_report(engine, ["tox_codes_oc"])["tox_codes_oc"]
    assert report["kind"] == "nominal" and report["options"] == [0, 1]
    assert report["krippendorff_alpha_nominal"] == pytest.approx(expected, abs=1e-6)


def test_several_array_columns_have_raters_of_their_own(tmp_path):
    src = read_source(write(tmp_path, "two.csv", "text,ratings_a,labels_b\nx,[1 2],\"['p', 'q']\"\ny,[3 nan],\"['q', None]\"\n"))
    (thread,) = csv_table.parse(src)
    assert [(p.annotator, p.values) for p in thread.comments[1].prior_labels] == [
        ("two/ratings_a/rater1", {"ratings_a": 3}),
        ("two/labels_b/rater1", {"labels_b": "q"}),
    ]
    kinds = {q["id"]: (q["kind"], [o["value"] for o in q["options"]]) for q in thread.prior_schema["questions"]}
    assert kinds == {"ratings_a": ("ordinal", [1, 2, 3]), "labels_b": ("nominal", ["p", "q"])}
    # a column of lists found by its cells alone must be of whole numbers: tag lists stay metadata
    tags = read_source(write(tmp_path, "tags.csv", 'text,tags\nx,"[""a"", ""b""]"\ny,"[""b""]"\n'))
    assert next(csv_table.parse(tags)).prior_schema is None


def test_parent_ids_still_link_by_id_and_mapping_names_a_parent_text(tmp_path):
    by_id = read_source(write(tmp_path, "ids.csv", "id,parent,text\n1,,root\n2,1,reply\n"))
    (thread,) = csv_table.parse(by_id)
    assert [c.parent_index for c in thread.comments] == [None, 0]
    quoted = write(tmp_path, "mapped.csv", "msg,replying_to,score\nhi there,what is up,1\nyes,what is up,2\n")
    options = ImportOptions(mapping={"text": "msg", "parent_text": "Replying_To", "label": "score"})
    (thread,) = csv_table.parse(read_source(quoted), options=options)
    assert [(c.text, c.parent_index) for c in thread.comments] == [("what is up", None), ("hi there", 0), ("yes", 0)]
    assert [q["id"] for q in thread.prior_schema["questions"]] == ["score"]
    with pytest.raises(ImportFailure, match=r"mapped\.csv:1: --map annotator=…: a table of comments has no such column role"):
        list(csv_table.parse(read_source(quoted), options=ImportOptions(mapping={"annotator": "msg"})))


# ---- 2. semicolon tables of shares; the same text twice ----------------------------------------------------


def test_label_names_ignore_case_and_separators():
    assert snake("isHate") == snake("IsHate") == snake("is-hate") == snake(" is_hate ") == "is_hate"
    assert snake("hateSpeechScore") == "hate_speech_score" and snake("TOXICITY") == "toxicity"
    for name in ("isHate", "is_hate", "IsHate", "hate_share", "violence_mean", "label_with_context", "crowd_label", "Toxicity"):
        assert is_label_name(name), name
    for name in ("user_score", "score", "upvotes", "is_toxic_popular_answer_2", "is_constructive_gold", "votes", ""):
        assert not is_label_name(name), name


BINARY = (
    "comment;isHate\n"
    "You should all go away;0.8333\n"
    "Nice weather today;0.0\n"
    "They are vermin, all of them;1.0\n"
    "Nice weather today;0.0\n"
    "Lovely, thanks;0.1667\n"
)
MULTI = (
    "comment;violence;directed_vs_generalized;gender;race;national_origin;disability;religion;sexual_orientation\n"
    "You should all go away;0.5;0.8333;0.0;0.1667;0.0;0.0;0.0;0.0\n"
    "They are vermin, all of them;0.0;1.0;0.0;0.6667;0.3333;0.0;0.0;0.0\n"
)


def test_semicolon_share_tables(engine, tmp_path):
    binary, multi = write(tmp_path, "Ethos_Binary.csv", BINARY), write(tmp_path, "Ethos_Multi_Label.csv", MULTI)
    first, second = import_paths(engine, [binary, multi], options=ImportOptions())
    # the repeated row of one file is one comment (with a warning); its label agrees, so nothing is refused
    assert (first.comments_added, second.comments_added) == (4, 2)
    assert first.warnings == [
        f"{binary}: 1 row repeats an earlier row of its thread (same text, author and parent) and became one comment with it: line 5"
    ]
    assert first.metadata_columns == ["isHate"] and first.labels_by_question == {"is_hate": 4}
    assert second.labels_by_question == dict.fromkeys(MULTI.split("\n")[0].split(";")[1:], 2)
    stored = labels(engine)
    assert ("Ethos_Binary/aggregate", "You should all go away", {"is_hate": "0.8333"}) in stored
    shares = next(v for n, t, v in stored if n == "Ethos_Multi_Label/aggregate" and t == "They are vermin, all of them")
    # shares are kept as written, whole or not: every category is a text question
    assert shares["race"] == "0.6667" and shares["gender"] == "0.0" and len(shares) == 8
    with engine.connect() as conn:
        nice = conn.execute(select(Comment.meta).where(Comment.text == "Nice weather today")).scalar_one()
        titles = conn.scalars(select(Thread.title).order_by(Thread.id)).all()
    assert nice["merged_lines"] == [5] and nice["source_line"] == 3
    # one thread per file: the two files' shared texts are two comments (the cross-file merge is not the CSV importer's)
    assert titles == ["Ethos_Binary", "Ethos_Multi_Label"]


def test_repeated_rows_are_kept_apart_when_an_id_tells_them_apart(tmp_path):
    src = read_source(write(tmp_path, "units.csv", "_unit_id,comment,label\n10,same,a\n11,same,b\n"))
    (thread,) = csv_table.parse(src)
    assert len(thread.comments) == 2  # CrowdFlower-style unit ids: two units, two comments
    src = read_source(write(tmp_path, "authors.csv", "author,comment\nann,+1\nbob,+1\nann,+1\n"))
    (thread,) = csv_table.parse(src)
    assert [(c.author, c.metadata.get("merged_lines")) for c in thread.comments] == [("ann", [4]), ("bob", None)]


def test_a_repeat_with_another_label_is_a_quirk(tmp_path):
    src = read_source(write(tmp_path, "dup.csv", "text,is_toxic\nsame,1\nother,0\nsame,0\n"))
    options = ImportOptions()
    (thread,) = csv_table.parse(src, options=options)
    assert [c.prior_labels[0].values for c in thread.comments] == [{"is_toxic": 1}, {"is_toxic": 0}]
    assert (
        f"{src.name}:4: this row repeats line 2 with another label (dup/aggregate: is_toxic 0, not 1)"
        in options.notes.warnings[0]
    )
    with pytest.raises(ImportFailure, match=r"dup\.csv:4: this row repeats line 2 .*\(refused: --strict\)"):
        list(csv_table.parse(src, options=ImportOptions(strict=True)))


# ---- 3. Hacker News comments: no thread id ---------------------------------------------------------------

HN = [
    {"id": 100, "type": "story", "by": "pg", "time": 1160418111, "title": "Y Combinator", "url": "http://ycombinator.com",
     "text": "<p>An <i>article</i></p>", "kids": [101]},
    {"id": 101, "type": "comment", "by": "alice", "time": 1160418200, "parent": 100,
     "text": "Looks <i>great</i>.<p>Second &amp; last paragraph", "kids": [102, 103]},
    {"id": 102, "type": "comment", "by": "bob", "time": 1160418300, "parent": 101, "text": "Agreed"},
    {"id": 103, "type": "comment", "deleted": True, "time": 1160418400, "parent": 101},
    {"id": 201, "type": "comment", "by": "carol", "time": 1160419000, "parent": 200, "text": "On a story not in the file"},
    {"id": 202, "type": "comment", "by": "dan", "time": 1160419100, "parent": 201, "text": "a reply", "dead": True},
    {"id": 301, "type": "comment", "by": "erin", "time": 1160419200, "parent": 300, "story_id": 300, "text": "top"},
    {"id": 302, "type": "comment", "by": "fay", "time": 1160419300, "parent": 301, "story_id": 300, "text": "under top"},
]  # fmt: skip


def hn_file(tmp_path, records=HN, name="hn_comments.jsonl"):
    return write(tmp_path, name, "".join(json.dumps(r) + "\n" for r in records))


def test_hacker_news_comments_without_thread_ids(engine, tmp_path):
    path = hn_file(tmp_path)
    assert detect_format(read_source(path)) == "jsonl"
    [summary] = import_paths(engine, [path], options=ImportOptions())
    assert (summary.threads_added, summary.comments_added, summary.orphans) == (3, 7, 1)
    with engine.connect() as conn:
        threads = conn.execute(
            select(Thread.id, Thread.external_id, Thread.title, Thread.url, Thread.article).order_by(Thread.id)
        ).all()
    assert [tuple(t[1:]) for t in threads] == [
        ("100", "Y Combinator", "http://ycombinator.com", "An article"),  # the story: a thread of its own
        (None, "hn_comments", None, ""),  # comments whose story is not in the file: the file's thread
        ("300", None, None, ""),  # by story_id
    ]
    by_thread = Counter(thread for _, thread, *_ in comments(engine))
    assert [by_thread[t.id] for t in threads] == [3, 2, 2]
    got = {text: (author, parent, meta) for _, _, text, author, parent, meta in comments(engine)}
    assert got["Looks great.\n\nSecond & last paragraph"][:2] == ("alice", None)  # replies to the story: top level
    assert got["Agreed"][:2] == ("bob", "Looks great.\n\nSecond & last paragraph")
    assert got["[deleted]"][0] is None and got["[deleted]"][2]["deleted"] is True
    assert got["a reply"][1:] == ("On a story not in the file", {"type": "comment", "dead": True, "source_line": 6})
    assert got["On a story not in the file"][2]["missing_parent_id"] == "200"
    assert got["under top"][1] == "top" and got["top"][1] is None and "missing_parent_id" not in got["top"][2]
    with engine.connect() as conn:
        when = conn.scalar(select(Comment.created_at).where(Comment.text == "Agreed"))
    assert (when if when.tzinfo else when.replace(tzinfo=UTC)) == datetime(2006, 10, 9, 18, 25, tzinfo=UTC)  # HN's unix time


def test_hacker_news_as_bigquery_exports_it_with_ids_and_times_as_text(engine, second_engine, tmp_path):
    """BigQuery's hacker_news tables write integers as JSON strings: the same threads, replies and times."""
    (tmp_path / "api").mkdir(), (tmp_path / "bigquery").mkdir()
    as_text = [{k: str(v) if type(v) is int else v for k, v in r.items()} for r in HN]
    import_paths(engine, [hn_file(tmp_path / "api")])
    import_paths(second_engine, [hn_file(tmp_path / "bigquery", as_text)])

    def seen(engine):
        with engine.connect() as conn:
            times = conn.execute(select(Comment.text, Comment.created_at).order_by(Comment.id)).all()
            threads = conn.execute(select(Thread.external_id, Thread.title, Thread.article).order_by(Thread.id)).all()
        return [tuple(t) for t in times], [tuple(t) for t in threads], [c[2:] for c in comments(engine)]

    assert seen(second_engine) == seen(engine)


def test_hacker_news_fast_path_matches_the_drafts(tmp_path, monkeypatch):
    path = hn_file(tmp_path)
    bulk = jsonl.read_bulk(read_source(path))
    assert bulk is not None  # the fast path takes it, so it must make exactly the drafts' threads
    drafts = list(jsonl.parse(read_source(path)))
    assert [(t.external_id, t.title, len(t.comments)) for t in drafts] == [
        (b.external_id, b.title, len(b.comments)) for b in bulk
    ]
    assert [[c.parent_index for c in t.comments] for t in drafts] == [[None, 0, 0], [None, 0], [None, 0]]
    # no story in the file: one thread for the file; a file that starts with thread ids still needs them
    (alone,) = jsonl.parse(read_source(hn_file(tmp_path, HN[1:6], name="no_story.jsonl")))
    assert alone.external_id is None and alone.title == "no_story" and len(alone.comments) == 5
    mixed = hn_file(tmp_path, [{"thread_id": 1, "text": "a"}, {"text": "b"}], name="mixed.jsonl")
    with pytest.raises(ImportFailure, match=r'mixed\.jsonl:2: missing "thread_id"'):
        jsonl.read_bulk(read_source(mixed))


# ---- 4. data forced through --format paste -------------------------------------------------------------------


def test_paste_never_sniffs_data_and_warns_when_forced(engine, tmp_path):
    data = {
        "lines": '{"id": 1, "body": "hello"}\n{"id": 2, "body": "bye"}\n',
        "object": '{\n  "a": {"x": 1},\n  "b": [1, 2]\n}\n',
        "table": "user;score\nann;1\nbob;2\n",
    }
    for key, text in data.items():
        assert paste.sniff(read_source(write(tmp_path, key, text))) == 0.0, key
    pasted = "Jane Doe\n\nI agree with this, mostly.\n\n\nAnother comment, and a second clause.\n"
    assert paste.sniff(read_source(write(tmp_path, "prose", pasted))) > 0.3
    assert detect_format(read_source(write(tmp_path, "export", "id,text\n1,hi\n2,ho\n"))) == "csv"
    lines, table = write(tmp_path, "lines.txt", data["lines"]), write(tmp_path, "table.txt", data["table"])
    summaries = import_paths(engine, [lines, table], "paste", options=ImportOptions(strict=True))
    assert [s.warnings for s in summaries] == [
        [f"{lines}: looks like JSON; imported as pasted text because --format paste was given"],
        [f"{table}: looks like CSV; imported as pasted text because --format paste was given"],
    ]
    assert all(s.comments_added >= 1 for s in summaries)


# ---- 5. a bad label value warns; --strict refuses ---------------------------------------------------------


def test_a_stray_label_value_is_left_out_with_a_warning(engine, tmp_path):
    rows = "".join(f"comment {i},{i % 2},[{i % 2} 1 0]\n" for i in range(8))
    path = write(tmp_path, "stray.csv", "text,is_offensive,annotations\n" + rows + "comment 8,No,[0 x 1]\n")
    [summary] = import_paths(engine, [path], options=ImportOptions())
    assert summary.warnings == [
        f"{path}:10: column 'is_offensive': 'No' is not a number like the column's other values; left out",
        f"{path}:10: column 'annotations': 'x' is not a number like the other raters' answers; left out",
    ]
    stored = labels(engine)
    last = sorted((n, v) for n, t, v in stored if t == "comment 8")
    assert last == [("stray/rater1", {"annotations": 0}), ("stray/rater3", {"annotations": 1})]  # no aggregate, no rater 2
    assert Counter(n for n, _, _ in stored)["stray/aggregate"] == 8
    assert summary.labels_by_question == {"is_offensive": 8, "annotations": 26}

    strict = write(tmp_path, "strict.csv", "text,is_offensive\n" + "".join(f"c{i},{i % 2}\n" for i in range(8)) + "c8,No\n")
    with pytest.raises(
        ImportFailure, match=r"strict\.csv:10: column 'is_offensive': 'No' is not a number .*\(refused: --strict\)"
    ):
        import_paths(engine, [strict], options=ImportOptions(strict=True))
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id).where(Comment.text == "c0")) is None  # nothing of the refused file


def test_a_cell_that_is_no_array_is_left_out(tmp_path):
    rows = "".join(f"c{i},[0 1]\n" for i in range(6))
    src = read_source(write(tmp_path, "cells.csv", "text,ratings\n" + rows + "c6,unreadable\n"))
    options = ImportOptions()
    (thread,) = csv_table.parse(src, options=options)
    assert options.notes.warnings == [
        f"{src.name}:8: column 'ratings': 'unreadable' is not a rater array like the column's other cells; left out"
    ]
    assert thread.comments[-1].prior_labels == [] and len(thread.comments[0].prior_labels) == 2
