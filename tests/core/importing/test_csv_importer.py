"""The CSV/TSV importer: column detection, grouping into threads, errors by line, the SFU corpus."""

from __future__ import annotations

import csv
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.paths import SHARED_DATA as SHARED_DATA_DIR

from moderator.core.importing.drafts import depths
from moderator.core.importing.formats import ImportFailure, csv_table, importer, parse, read_source
from moderator.core.importing.formats.table_header import ColumnMap, detect_columns
from moderator.core.importing.options import ImportOptions

SHARED_DATA = SHARED_DATA_DIR
SFU = SHARED_DATA / "ctc" / "SFU_constructiveness_toxicity.csv"


def shared_file(path: Path) -> Path:
    if not path.is_file():
        if os.environ.get("MODERATOR_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"shared test data missing: {path}")
        pytest.skip(f"shared test data not available: {path} (see ../shared/data/README.md)")
    return path


def source(tmp_path, text, name="comments.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return read_source(path)


def fails(src, line, *words, **kwargs):
    with pytest.raises(ImportFailure) as info:
        list(csv_table.parse(src, **kwargs))
    message = str(info.value)
    assert message.startswith(f"{src.name}:{line}: "), message
    assert info.value.line == line
    for word in words:
        assert word in message, message
    return message


def test_rows_grouped_into_threads_in_first_appearance_order(tmp_path):
    src = source(
        tmp_path,
        "Thread_ID, Comment_ID ,Parent_ID,User,Comment_Text,Title,URL,toxicity_level\n"
        't2,1,,ann,"Second thread, first comment",Two,https://x/2,1\n'
        "t1,1,,bob,hello,One,https://x/1,2\n"
        't2,2,1,cat,"a reply\nover two lines",Two,https://x/2,3\n'
        "t2,3,2,,deeper,Two,https://x/2,\n",
    )
    two, one = list(csv_table.parse(src))
    assert (two.source, two.external_id, two.title, two.url, two.line) == ("csv", "t2", "Two", "https://x/2", 2)
    assert (one.external_id, one.title, one.line) == ("t1", "One", 3)
    a, b, c = two.comments
    assert (a.text, a.author, a.external_id, a.line) == ("Second thread, first comment", "ann", "1", 2)
    assert (b.text, b.author, b.line) == ("a reply\nover two lines", "cat", 4)
    assert (c.author, c.line) == (None, 6)  # the quoted newline moved it one physical line down
    assert [x.parent_index for x in two.comments] == [None, 0, 1]
    assert depths(two.comments) == [0, 1, 2]
    # prior labels and other unmapped columns stay with the comment, as text
    assert a.metadata == {"toxicity_level": "1"}
    assert c.metadata == {"toxicity_level": ""}
    assert one.comments[0].text == "hello"


def test_no_thread_column_gives_one_thread_named_after_the_file(tmp_path):
    src = source(tmp_path, "body,score\nfirst,1\nsecond,2\n", name="Export 2024.csv")
    (thread,) = csv_table.parse(src)
    assert thread.title == "Export 2024"
    assert thread.external_id is None
    assert [c.text for c in thread.comments] == ["first", "second"]
    assert [c.metadata for c in thread.comments] == [{"score": "1"}, {"score": "2"}]


def test_tsv_and_other_delimiters(tmp_path):
    tsv = source(tmp_path, "thread\ttext\nA\thas, commas; and semicolons\nA\tsecond\n", name="data.tsv")
    (thread,) = csv_table.parse(tsv)
    assert [c.text for c in thread.comments] == ["has, commas; and semicolons", "second"]
    semi = source(tmp_path, "thread;message;author\nA;hi there;ann\nB;bye;bob\n", name="semi.csv")
    assert [(t.external_id, t.comments[0].author) for t in csv_table.parse(semi)] == [("A", "ann"), ("B", "bob")]


def test_detect_columns():
    cols = detect_columns([" ID ", "Text", "Username", "Title", "Article_ID", "globe_url", "Timestamp", "reply_to", "article"])
    assert cols == ColumnMap(
        text="Text",
        author="Username",
        thread="Article_ID",
        comment_id=" ID ",
        parent="reply_to",
        created_at="Timestamp",
        title="Title",
        url="globe_url",
        article="article",
    )
    # stable ids before URLs before titles: titles of one article vary between rows
    assert detect_columns(["comment", "title", "url"]).thread == "url"
    assert detect_columns(["comment", "title", "globe_url", "thread_id"]).thread == "thread_id"
    assert detect_columns(["comment", "article_title"]).thread == "article_title"
    assert detect_columns(["comment_text", "comment"]).text == "comment_text"
    assert detect_columns(["a", "b"]).text is None


def test_explicit_column_map_overrides_detection(tmp_path):
    src = source(tmp_path, "text,notes,topic\nignored,the real text,T\nx,more,T\n")
    (thread,) = csv_table.parse(src, columns=ColumnMap(text="Notes", thread="topic"))
    assert [c.text for c in thread.comments] == ["the real text", "more"]
    assert thread.external_id == "T"
    assert thread.comments[0].metadata == {"text": "ignored"}
    fails(src, 1, "the author column 'who'", "'topic'", columns=ColumnMap(text="notes", author="who"))
    fails(src, 1, "no comment text column", columns=ColumnMap(text=None, thread="topic"))


def test_blank_text_rows_are_skipped_and_counted(tmp_path):
    src = source(tmp_path, 'thread,text\nA,one\nA,"  "\nB,\nA,two\n\nB,three\n')
    a, b = list(csv_table.parse(src))
    assert [c.text for c in a.comments] == ["one", "two"]
    assert a.metadata == {"skipped_empty_rows": 1}
    assert [c.line for c in b.comments] == [7]
    assert b.metadata == {"skipped_empty_rows": 1}


def test_created_at_and_bad_date(tmp_path):
    src = source(tmp_path, "text,created_at\na,2020-05-01T12:00:00Z\nb,2020-05-01 12:00\nc,1588334400\nd,\n")
    (thread,) = csv_table.parse(src)
    assert [c.created_at for c in thread.comments] == [
        datetime(2020, 5, 1, 12, tzinfo=UTC),
        datetime(2020, 5, 1, 12),
        datetime(2020, 5, 1, 12, tzinfo=UTC),
        None,
    ]
    # an unreadable date is a quirk: left out with a warning, or the file refused under --strict
    bad = source(tmp_path, "text,date\na,2020-01-01\nb,last tuesday\n", name="d.csv")
    options = ImportOptions()
    (thread,) = csv_table.parse(bad, options=options)
    assert [c.created_at for c in thread.comments] == [datetime(2020, 1, 1), None]
    assert options.notes.warnings == [f"{bad.name}:3: created_at 'last tuesday' is not an ISO 8601 date or a unix time; left out"]
    fails(bad, 3, "last tuesday", "--strict", options=ImportOptions(strict=True))


def test_replies_orphans_duplicates_and_cycles(tmp_path):
    (thread,) = csv_table.parse(source(tmp_path, "id,parent,text\n2,1,reply first\n1,,root\n3,9,orphan\n"))
    assert [c.parent_index for c in thread.comments] == [1, None, None]
    assert thread.comments[2].metadata["missing_parent_id"] == "9"
    assert thread.metadata["orphans"] == 1
    fails(source(tmp_path, "id,text\n1,a\n2,b\n1,c\n", name="dup.csv"), 4, "duplicate comment id '1'", "first on line 2")
    fails(source(tmp_path, "id,parent,text\n1,2,a\n2,1,b\n", name="cyc.csv"), 2, "reply cycle")
    fails(source(tmp_path, "id,parent,text\n1,,a\n2,2,b\n", name="self.csv"), 3, "its own parent")


def test_missing_text_column(tmp_path):
    message = fails(
        source(tmp_path, "user,score,when\nann,1,today\n"), 1, "no comment text column", "'user'", "'score'", "'when'"
    )
    assert "comment_text" in message  # says what it looked for


def test_ragged_rows(tmp_path):
    src = source(tmp_path, 'thread,text\nA,"multi\nline"\nA,fine\nA,too,many\nA,fine\n')
    fails(src, 5, "3 fields", "more than the 2 columns")
    fails(source(tmp_path, "thread,text,author\nA,x,ann\nA,cut off\n", name="short.csv"), 3, "2 fields", "fewer")


def test_unterminated_quote_names_the_line_where_the_row_started(tmp_path):
    src = source(tmp_path, 'thread,text\nA,ok\nA,"this quote\nnever\ncloses\n')
    fails(src, 3, "never closed")


def test_stray_quote_inside_quoted_field(tmp_path):
    fails(source(tmp_path, 'thread,text\nA,ok\nA,"bad "quote" here"\n'), 3, "malformed CSV row")


def test_header_only(tmp_path):
    fails(source(tmp_path, "thread,text\n"), 1, "no rows")
    fails(source(tmp_path, "thread,text\nA,\nB,  \n", name="blank.csv"), 1, "no rows with comment text")


def test_long_fields_work_but_a_runaway_field_is_refused(tmp_path, monkeypatch):
    long = "word " * 40_000  # 200 kB: over csv's default 128 kB limit
    (thread,) = csv_table.parse(source(tmp_path, f"thread,text\nA,{long}\n", name="long.csv"))
    assert thread.comments[0].text == long
    limit_before = csv.field_size_limit()
    monkeypatch.setattr(csv_table, "FIELD_LIMIT", 1000)
    fails(source(tmp_path, f'thread,text\nA,short\nA,"{"x" * 2000}"\n', name="huge.csv"), 3, "longer than")
    assert csv.field_size_limit() == limit_before  # the process-wide limit is restored


def test_progress(tmp_path):
    rows = "".join(f"T{i % 3},comment {i}\n" for i in range(1000))
    calls = []
    threads = list(csv_table.parse(source(tmp_path, "thread,text\n" + rows), progress=calls.append))
    assert sum(len(t.comments) for t in threads) == 1000
    assert calls[-1] == 1.0 and calls == sorted(calls) and len(calls) <= 102


def test_sniff(tmp_path):
    assert csv_table.sniff(source(tmp_path, "id,Comment Text,comment\n1,x,y\n", name="a.txt")) == 0.9
    assert csv_table.sniff(source(tmp_path, "id\tbody\n1\tx\n", name="b.txt")) == 0.9
    # a pasted thread that happens to start with the word "Comment" is not a table
    assert csv_table.sniff(source(tmp_path, "Comment\n\nI disagree, strongly.\n", name="c.txt")) == 0.0
    assert csv_table.sniff(source(tmp_path, "user,score\nann,1\n", name="d.txt")) == 0.0
    assert csv_table.sniff(source(tmp_path, '{"thread_id": 1, "text": "x"}\n', name="e.txt")) == 0.0
    assert importer("csv") is csv_table and {".csv", ".tsv"} <= set(csv_table.EXTENSIONS)


def test_sfu_corpus():
    src = read_source(shared_file(SFU))
    assert csv_table.sniff(src) == 0.9
    threads = list(parse(src, fmt="csv"))
    # 1,121 comments on 13 Globe and Mail articles: grouping by URL keeps together rows whose title
    # differs only by a " - The Globe and Mail" suffix (by title they would split into 18 threads).
    assert sum(len(t.comments) for t in threads) == 1121
    assert len(threads) == 13
    assert len({t.url for t in threads}) == 13
    by_title = {t.title: t for t in threads}
    hillary = by_title["Thank you, Hillary. Now women know retreat is not an option - The Globe and Mail"]
    assert len(hillary.comments) == 126
    assert hillary.metadata["other_titles"] == ["Thank you, Hillary. Now women know retreat is not an option"]
    assert len(by_title["Yes to Uber. No to taxi cartels"].comments) == 126
    assert len(by_title["President Trump will make chaos the new normal"].comments) == 4
    first = threads[0].comments[0]
    assert first.line == 2
    assert first.text.startswith("While technology does march on")
    assert first.author is None
    toxicity = Counter(c.metadata["is_toxic_popular_answer_1"] for t in threads for c in t.comments)
    assert toxicity == {"1": 902, "2": 177, "3": 35, "4": 7}
    assert {"is_constructive", "globe_url", "_unit_id"} <= first.metadata.keys()
    assert all(t.article == "" and t.comments for t in threads)
    assert all(not t.metadata.get("skipped_empty_rows") for t in threads)


# ---- aggregated prior labels -----------------------------------------------------------------


def test_sfu_aggregated_labels_become_prior_labels(engine):
    from sqlalchemy import select

    from moderator.core.importing.writer import import_paths
    from moderator.core.store.tables import Annotation, Annotator

    [summary] = import_paths(engine, [shared_file(SFU)])
    assert (summary.comments_added, summary.labels_added) == (1121, 1121)
    with engine.connect() as conn:
        rows = conn.execute(select(Annotator.name, Annotation.values, Annotation.action).join(Annotator)).all()
    assert {r.name for r in rows} == {"SFU_constructiveness_toxicity/aggregate"} and {r.action for r in rows} == {"import"}
    assert Counter(r.values["is_toxic_popular_answer_1"] for r in rows) == {1: 902, 2: 177, 3: 35, 4: 7}
    assert Counter(r.values["is_constructive"] for r in rows) == {"yes": 603, "no": 517, "not_sure": 1}
    assert all(0 < float(r.values["is_toxic_confidence_answer1"]) <= 1 for r in rows)
    # the second-most-popular answer and the gold columns of CrowdFlower's test units are not the aggregate
    assert not {"is_toxic_popular_answer_2", "is_constructive_gold"} & {k for r in rows for k in r.values}


def test_generic_label_columns_are_detected_and_form_a_valid_schema(tmp_path):
    from moderator.core.schema.definition import schema_from_dict

    src = source(
        tmp_path,
        "thread_id,id,text,toxicity_mean,label,hate_speech,annotator_notes\n"
        "a,1,first,0.25,non-toxic,0,fine\n"
        "a,2,second,0.8333,toxic,1,\n"
        "b,3,third,,toxic,,n/a\n",
        name="ratings.csv",
    )
    a, b = list(csv_table.parse(src))
    schema = schema_from_dict(a.prior_schema)
    assert b.prior_schema == a.prior_schema
    assert {q.id: q.kind for q in schema.questions} == {"toxicity_mean": "text", "label": "nominal", "hate_speech": "nominal"}
    assert [o.value for o in schema.question("label").options] == ["non-toxic", "toxic"]
    labels = [c.prior_labels for t in (a, b) for c in t.comments]
    assert [[p.annotator for p in ls] for ls in labels] == [["ratings/aggregate"]] * 3
    assert [ls[0].values for ls in labels] == [
        {"toxicity_mean": "0.25", "label": "non-toxic", "hate_speech": 0},
        {"toxicity_mean": "0.8333", "label": "toxic", "hate_speech": 1},
        {"label": "toxic"},  # blank cells are no answer
    ]
    assert a.comments[0].metadata["toxicity_mean"] == "0.25"  # still kept as metadata too


def test_explicit_label_columns(tmp_path):
    src = source(tmp_path, "text,crowd_vote,share,why\nx,2,0.5,rude\ny,3,1,a long explanation of one\n")
    assert csv_table.parse(src).__next__().prior_schema is None  # nothing detected by name
    (thread,) = csv_table.parse(src, columns=ColumnMap(text="text", labels=("Crowd_Vote", "share")))
    assert [c.prior_labels[0].values for c in thread.comments] == [
        {"crowd_vote": 2, "share": "0.5"},
        {"crowd_vote": 3, "share": "1"},
    ]
    assert [q["kind"] for q in thread.prior_schema["questions"]] == ["ordinal", "text"]
    fails(src, 1, "the label column 'votes' is not in the header", columns=ColumnMap(text="text", labels=("votes",)))
    many = source(tmp_path, "text,why\n" + "".join(f"c{i},reason number {i}\n" for i in range(20)), name="free.csv")
    fails(many, 1, "'why' holds free text", columns=ColumnMap(text="text", labels=("why",)))
