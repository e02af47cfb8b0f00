"""Charts: PNG bytes for every kind, readable when empty, blind for annotators."""

import pytest
from helpers.probes import queue_page

from moderator.core.export.charts import CHARTS, label_counts, render
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.team.accounts import AuthError, add_account

PNG = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.fixture
def team(engine):
    import_drafts(
        engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft(f"c{i}") for i in range(4)])], name="t", fmt="t"
    )
    configure(engine, overlap=2)
    admin = add_account(engine, "root", "admin", "pw")
    ana, bo = (add_account(engine, n, "annotator", "pw", by=admin) for n in ("ana", "bo"))
    ids = [item.id for item in queue_page(engine, ana.id)]
    for i, comment_id in enumerate(ids):
        submit(engine, comment_id, ana.id, {"toxicity": 1 + i % 2, "categories": ["insult"]}, duration_ms=1000 + 500 * i)
        submit(engine, comment_id, bo.id, {"toxicity": 4, "dehumanization": "explicit"}, duration_ms=4000)
    return engine, admin, ana


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_renders_on_an_empty_database(engine, kind):
    png = render(engine, kind)
    assert png.startswith(PNG) and min(size(png)) >= 300


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_renders_with_labels(team, kind):
    engine, admin, _ = team
    png = render(engine, kind, admin)
    assert png.startswith(PNG) and min(size(png)) >= 300


def test_charts_differ_once_there_are_labels(team, second_engine):
    engine, admin, _ = team
    for kind in CHARTS:
        assert render(engine, kind, admin) != render(second_engine, kind)


def test_an_annotator_sees_only_their_own_labels_and_no_agreement(team):
    engine, admin, ana = team
    assert label_counts(engine, ana.id)["toxicity"] == {1: 2, 2: 2, 3: 0, 4: 0}
    assert label_counts(engine)["toxicity"] == {1: 2, 2: 2, 3: 0, 4: 4}
    assert label_counts(engine, ana.id)["categories"]["insult"] == 4
    assert render(engine, "labels", ana) != render(engine, "labels", admin)
    with pytest.raises(AuthError, match="reviewers"):
        render(engine, "agreement", ana)
    with pytest.raises(ValueError, match="unknown chart"):
        render(engine, "pie")


def test_one_question_only(team):
    engine, admin, _ = team
    assert size(render(engine, "labels", admin, question="toxicity"))[0] < size(render(engine, "labels", admin))[0]
