"""Gold items: imported held out, handed out blind about one in N, once per person, outside k and agreement."""

import json

import pytest
from sqlalchemy import func, select

from moderator.core.agreement.report import agreement_report
from moderator.core.agreement.review import decide
from moderator.core.gold.accuracy import gold_accuracy, under_threshold
from moderator.core.gold.items import import_gold, promote
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.browse import answer_counts, queue_keys
from moderator.core.labelling.claims import claim_next_item, configure
from moderator.core.labelling.context import comment_context
from moderator.core.labelling.gold_handout import gold_feedback
from moderator.core.labelling.log import submit
from moderator.core.store.engine import writer
from moderator.core.store.settings import set_gold_settings
from moderator.core.store.tables import Comment, GoldItem, Thread
from moderator.core.team.accounts import Account, ensure_annotator

GOLD = [
    {"text": "They are vermin and should be gone.", "toxicity": 4, "dehumanization": "explicit"},
    {"text": "Thanks, that was helpful.", "toxicity": 1, "dehumanization": "none", "parent": "Here is the council's PDF."},
    {"text": "What a clown this mayor is.", "answers": {"toxicity": 3, "categories": ["insult"]}},
    {"text": "I disagree with the plan.", "toxicity": 1},
    {"text": "Go back where you came from.", "toxicity": 4, "title": "Refugee housing"},
]


def write_gold(tmp_path, items=GOLD, name="gold.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(item) for item in items) + "\n", encoding="utf-8")
    return path


def seed(engine, n):
    drafts = [ThreadDraft(source="test", title="t", comments=[CommentDraft(f"comment {i}") for i in range(n)])]
    import_drafts(engine, drafts, name="seed", fmt="test")


def gold_every(engine, every, feedback=None):
    with writer(engine) as conn, conn.begin():
        set_gold_settings(conn, every=every, feedback=feedback)


def gold_ids(engine):
    with engine.connect() as conn:
        return set(conn.scalars(select(GoldItem.comment_id)))


def work_through(engine, annotator_id, answer=lambda comment_id: {"toxicity": 2}):
    """Claim and answer until nothing is left, as the app does; the comment ids in the order answered."""
    order, after = [], None
    while (item := claim_next_item(engine, annotator_id, after)) is not None:
        submit(engine, item.id, annotator_id, answer(item.id))
        order.append(item.id)
        after = item.key
    return order


def test_gold_items_come_held_out_about_one_in_n_and_once_each(engine, tmp_path):
    seed(engine, 40)
    added = import_gold(engine, write_gold(tmp_path))
    assert (added.items, added.added, added.already) == (5, 5, 0)
    assert import_gold(engine, write_gold(tmp_path)).added == 0  # the same file again adds nothing
    gold = gold_ids(engine)
    ana = ensure_annotator(engine, "ana")
    # Held out: before any is handed out, the queue lists none and the corpus does not count them.
    assert not gold & {row[0] for row in queue_keys(engine, ana, "all", "", None, 500)}
    assert answer_counts(engine, ana).total == 40
    gold_every(engine, 5)
    order = work_through(engine, ana)
    assert len(order) == len(set(order)) == 45  # every comment and every gold item once
    counts = answer_counts(engine, ana)
    assert (counts.answered, counts.total) == (45, 45)  # the gold items she answered count in the whole too
    places = [i for i, c in enumerate(order) if c in gold]
    gaps = [b - a for a, b in zip([-1] + places, places)]
    assert len(places) == 5 and all(1 <= gap <= 2 * 4 for gap in gaps), places
    assert len(set(gaps)) > 1  # not at a countable place


def test_gold_items_take_no_slot_of_k(engine, tmp_path):
    seed(engine, 40)
    import_gold(engine, write_gold(tmp_path))
    gold = gold_ids(engine)
    gold_every(engine, 3)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    answered = {ana: [], bo: []}
    after = {ana: None, bo: None}
    while True:  # k = 1: the two take turns
        items = {who: claim_next_item(engine, who, after[who]) for who in (ana, bo)}
        if not any(items.values()):
            break
        for who, item in items.items():
            if item is not None:
                submit(engine, item.id, who, {"toxicity": 2})
                answered[who].append(item.id)
                after[who] = item.key
    others = [set(ids) - gold for ids in answered.values()]
    assert not others[0] & others[1] and len(others[0] | others[1]) == 40  # each other comment once
    assert set(answered[ana]) & set(answered[bo]) & gold  # gold items answered by both, k = 1 notwithstanding


def test_a_gold_item_arrives_with_its_context_and_its_answer_only_when_the_project_says(engine, tmp_path):
    import_gold(engine, write_gold(tmp_path, [GOLD[1]]))
    (gold,) = gold_ids(engine)
    ana = ensure_annotator(engine, "ana")
    gold_every(engine, 2)
    item = claim_next_item(engine, ana)
    assert item.id == gold  # no other comment to answer first: due at once (offset 0 when every = 2)
    assert comment_context(engine, gold).parents[0].text == "Here is the council's PDF."
    assert gold in {row[0] for row in queue_keys(engine, ana, "all", "", None, 50)}  # now it is the person's
    assert gold_feedback(engine, ana, gold) is None  # not answered yet
    submit(engine, gold, ana, {"toxicity": 2, "dehumanization": "none"})
    assert gold_feedback(engine, ana, gold) is None  # feedback off
    gold_every(engine, 2, feedback=True)
    assert gold_feedback(engine, ana, gold) == {"toxicity": 1, "dehumanization": "none"}
    assert gold_feedback(engine, ensure_annotator(engine, "bo"), gold) is None  # bo has not answered it


@pytest.mark.parametrize(
    "line, reason",
    [
        ({"text": "x", "toxicity": 9}, "toxicity: 9 is not an option"),
        ({"toxicity": 2}, 'no "text"'),
        ({"text": "x", "answers": {"shouting": 2}}, "shouting: not a question with options"),
        ({"text": "x"}, "no reference answer"),
    ],
)
def test_a_bad_gold_item_names_its_line_and_leaves_the_database_as_it_was(sqlite_engine, tmp_path, line, reason):
    path = write_gold(tmp_path, [GOLD[0], line])
    with pytest.raises(ImportFailure) as refused:
        import_gold(sqlite_engine, path)
    assert str(refused.value).startswith(f"{path}:2: ") and reason in str(refused.value)
    with sqlite_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Thread)) == 0


def test_a_gold_table_names_options_by_value_or_label(sqlite_engine, tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text('text,toxicity,categories\n"Clown.",Toxic,insult;threat\n"Fine.",1,\n', encoding="utf-8")
    assert import_gold(sqlite_engine, path).added == 2
    with sqlite_engine.connect() as conn:
        assert sorted(conn.scalars(select(GoldItem.values)), key=str) == [
            {"toxicity": 1}, {"toxicity": 3, "categories": ["insult", "threat"]}]  # fmt: skip


def test_reviewer_gold_is_promoted_in_place_and_leaves_agreement_unless_asked(engine):
    seed(engine, 3)
    with engine.connect() as conn:
        first, second, third = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    configure(engine, overlap=2)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    for comment, (a, b) in zip((first, second, third), ((1, 4), (2, 2), (3, 3))):
        submit(engine, comment, ana, {"toxicity": a})
        submit(engine, comment, bo, {"toxicity": b})
    lead = Account(ensure_annotator(engine, "lea", "reviewer"), "lea", "reviewer")
    decide(engine, first, lead, {"toxicity": 4, "target_name": "the mayor"})
    with pytest.raises(ValueError, match="no reviewer gold label"):
        promote(engine, [second], lead)
    assert promote(engine, None, lead).added == 1
    with engine.connect() as conn:
        ((values, source),) = conn.execute(select(GoldItem.values, GoldItem.source)).all()
    assert source == "review" and values["toxicity"] == 4 and "target_name" not in values  # text cannot be checked
    assert agreement_report(engine, ["toxicity"])["toxicity"]["items"] == 2
    assert agreement_report(engine, ["toxicity"], include_gold=True)["toxicity"]["items"] == 3
    people = {p.name: p for p in gold_accuracy(engine, lead)}
    assert (people["ana"].questions["toxicity"].share, people["bo"].questions["toxicity"].share) == (0.0, 1.0)
    assert people["ana"].overall.share < people["bo"].overall.share == 1.0
    assert [p.name for p in under_threshold(list(people.values()), 0.7)] == ["ana"]
    with pytest.raises(PermissionError):
        gold_accuracy(engine, Account(ana, "ana", "annotator"))
