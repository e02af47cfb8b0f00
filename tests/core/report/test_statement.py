"""The data statement: every section's figures from a small campaign, aggregated, with its charts."""

import pytest
from sqlalchemy import select

from moderator.core.agreement.review import decide
from moderator.core.demo import load_demo
from moderator.core.gold.items import promote
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import SKIP_REASON_KEY, submit
from moderator.core.report.statement import IMAGES, REPORT, gather, write_report
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account, ensure_annotator

# The statement's reading is tested on both backends by the first test; the others need only one.
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
PEOPLE = ("Zebulon", "Quintessa", "Ysolde")  # names no sentence of the report could contain


@pytest.fixture
def campaign(engine):
    """Three annotators on the demo thread: two agree, the third differs on two comments; one sees the hint."""
    load_demo(engine)
    configure(engine, overlap=3)
    with engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    people = {name: ensure_annotator(engine, name) for name in PEOPLE}
    for n, comment in enumerate(ids[:8]):
        for name, who in people.items():
            toxicity = 1 + n % 4 if name != "Ysolde" or n >= 2 else 4 - n % 4
            arm = "shown" if name == "Zebulon" else "hidden"
            facts = {"article_shown": True, "parent_shown": n % 2 == 0, "hint_shown": arm == "shown", "first_key_ms": 800 + n,
                     "condition": {"factor": "hint", "arm": arm, "unit": "person", "seed": 1}}  # fmt: skip
            submit(engine, comment, who, {"toxicity": toxicity}, duration_ms=4000 + 100 * n, provenance=facts)
    submit(engine, ids[8], people["Quintessa"], {SKIP_REASON_KEY: "wellbeing"}, status="skipped")
    decide(engine, ids[0], Account(people["Zebulon"], "Zebulon", "admin"), {"toxicity": 1}, "clear")
    return engine


def test_the_statement_has_every_section_and_names_no_one(campaign, tmp_path):
    promote(campaign)  # the reviewer's decision on the first comment becomes a gold item
    path = write_report(campaign, tmp_path / "statement", hourly_rate=20.0, resamples=200)
    text = path.read_text(encoding="utf-8")
    assert path.name == REPORT and all((path.parent / image).stat().st_size > 1000 for image in IMAGES.values())
    for heading in ("Curation and sources", "Annotators and guidelines", "Time and cost", "Adjudication", "Agreement",
                    "Aggregation and annotator competence", "How the labels were made", "Wellbeing", "Limitations"):  # fmt: skip
        assert f"## {heading}" in text, heading
    assert "3 people gave 24 labels" in text and "of which 1 for the annotator's wellbeing" in text
    assert "1 reviewers made 1 gold decisions on 1 comments" in text
    assert "Gold (attention) items: 1 comments with known answers (0 from a file, 1 promoted" in text
    assert "3 people answered 3 gold items; 1 of them fell below 70 % correct" in text  # Ysolde's 4 against the gold 1
    assert "- **hint shown**: 8 labels" in text and "- **hint hidden**: 16 labels" in text
    assert "α within the arm (nominal): toxicity" in text  # two people in the hidden arm: their agreement
    assert "33 % — the model's guess was on screen" in text and "50 % — the comment replied to was on screen" in text
    hours = sum(4000 + 100 * n for n in range(8)) * 3 / 1000 / 3600
    assert f"At €20.00 an hour that is €{20 * hours:.2f}" in text
    assert not any(name in text for name in PEOPLE)  # aggregated: no annotator appears by name


@ONE_BACKEND
def test_agreement_is_given_with_its_interval_and_each_time_the_same(campaign):
    first, again = gather(campaign, resamples=200), gather(campaign, resamples=200)
    toxicity = first["agreement"]["toxicity"]
    low, high = toxicity["alpha_ci95"]
    assert low <= toxicity["alpha"] <= high and toxicity == again["agreement"]["toxicity"]
    assert first["labelling"]["seconds_per_item"]["median"] == pytest.approx(4.35)
    assert first["conditions"]["labels"] == {"hint shown": 8, "hint hidden": 16}


@ONE_BACKEND
def test_an_export_with_its_card_writes_the_statement_beside_it_and_the_card_links_it(campaign, tmp_path):
    from moderator.core.project import Project

    out = tmp_path / "release" / "data.jsonl"
    Project(campaign).export(None, out, "jsonl", card=True)
    card = (out.parent / "README.md").read_text(encoding="utf-8")
    assert "[REPORT.md](REPORT.md)" in card and (out.parent / "REPORT.md").is_file()
    plain = tmp_path / "plain" / "data.jsonl"
    Project(campaign).export(None, plain, "jsonl")
    assert not (plain.parent / "REPORT.md").exists()  # no card, no statement


@ONE_BACKEND
def test_profiles_and_check_ins_appear_only_as_groups_of_five_or_more(campaign, tmp_path):
    from moderator.core.labelling.log import activate_schema
    from moderator.core.paths import asset_path
    from moderator.core.project import Project
    from moderator.core.schema.definition import load_schema

    activate_schema(campaign, load_schema(asset_path("example-survey-schema.toml")))
    project = Project(campaign)
    question = project.active_schema()[1].survey.questions[0]
    people = [ensure_annotator(campaign, f"Person{n}") for n in range(6)]
    for n, who in enumerate(people):  # five give one answer, one another: that one is merged
        answers = {q.id: q.options[0 if n < 5 else 1] for q in project.active_schema()[1].survey.questions if q.kind == "choice"}
        project.save_profile(who, answers, project.active_schema()[1].survey.consent_version)
        project.record_checkin(who, "start", 4)
    project.record_checkin(people[0], "end", 1)  # one person's end-of-session mood
    text = write_report(campaign, tmp_path / "s", resamples=0).read_text(encoding="utf-8")
    assert "6 answered, 0 declined" in text
    assert f"**{question.label}** — {question.options[0]}: 5, other (fewer than 5): 1" in text
    assert "| at the start of a session | 6 | 6 | 4.00 |" in text
    assert "| at the end of a session | 1 | 1 | – (fewer than 5 people) |" in text  # never one person's mood
