"""A simulated campaign: five careful annotators and one who answers at random, each working through the
queue as the app does, with gold items handed out among the comments. Gold accuracy and the annotator
models' competence must both put the random one last."""

import random

from sqlalchemy import select

from moderator.core.agreement.extended import Extended
from moderator.core.agreement.report import agreement_report
from moderator.core.gold.accuracy import gold_accuracy, under_threshold
from moderator.core.gold.items import import_gold
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import claim_next_item, configure
from moderator.core.labelling.log import submit
from moderator.core.store.engine import writer
from moderator.core.store.settings import set_gold_settings
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import ensure_annotator

PEOPLE = ("ada", "ben", "cai", "dee", "eli", "rnd")  # rnd answers at random


def truth(text: str) -> int:
    return int(text.rsplit(" ", 1)[1]) % 4 + 1


def answer(rng: random.Random, who: str, true: int) -> int:
    if who == "rnd":
        return rng.randint(1, 4)
    return true if rng.random() < 0.85 else max(1, min(4, true + rng.choice((-1, 1))))


def test_gold_accuracy_and_competence_both_single_out_the_random_annotator(sqlite_engine, tmp_path):
    engine = sqlite_engine
    comments = [CommentDraft(f"comment {i}") for i in range(48)]
    import_drafts(engine, [ThreadDraft(source="test", title="t", comments=comments)], name="seed", fmt="test")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(f'{{"text": "check {i}", "toxicity": {truth(f"check {i}")}}}\n' for i in range(12)), encoding="utf-8")
    import_gold(engine, gold)
    configure(engine, overlap=len(PEOPLE))
    with writer(engine) as conn, conn.begin():
        set_gold_settings(conn, every=4)
    with engine.connect() as conn:
        texts = dict(conn.execute(select(Comment.id, Comment.text)).all())
    rng = random.Random(7)
    for who in PEOPLE:
        person, after = ensure_annotator(engine, who), None
        while (item := claim_next_item(engine, person, after)) is not None:
            submit(engine, item.id, person, {"toxicity": answer(rng, who, truth(texts[item.id]))})
            after = item.key
    people = gold_accuracy(engine)
    assert [p.name for p in people][0] == "rnd" and all(p.items >= 10 for p in people)
    assert [p.name for p in under_threshold(people, 0.5)] == ["rnd"]  # 0.25 expected by chance, 0.85 for the others
    report = agreement_report(engine, ["toxicity"], extended=Extended(resamples=0))["toxicity"]
    assert report["items"] == 48  # gold items are not part of agreement
    for method in ("dawid_skene", "mace"):
        competence = report[method]["competence"]
        assert min(competence, key=competence.get) == "rnd"
