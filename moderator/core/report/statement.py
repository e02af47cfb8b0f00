"""The data statement: gather every section's figures, write REPORT.md and its charts into a folder.

Sections follow what reviewers of dataset papers ask for (data statements, datasheets): curation and
sources, the annotators (aggregated), guidelines and their versions, time and cost, adjudication,
agreement with intervals, aggregation and annotator competence, gold accuracy, how labels were made (provenance and
experiments), wellbeing measures and exposure, and the limitations the figures themselves show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from moderator.core.agreement.extended import Extended
from moderator.core.agreement.report import agreement_report
from moderator.core.export import charts
from moderator.core.gold.accuracy import gold_summary
from moderator.core.labelling.log import active_schema
from moderator.core.report import facts, figures
from moderator.core.report.markdown import render
from moderator.core.team.profiles import profiles_summary
from moderator.core.wellbeing.checkins import checkin_summary
from moderator.core.wellbeing.lexicon import Severity
from moderator.core.wellbeing.session import severity

REPORT = "REPORT.md"
IMAGES = {"labels": "report_labels.png", "agreement": "report_agreement.png", "time": "report_time.png",
          "exposure": "report_exposure.png"}  # fmt: skip


def gather(engine: Engine, *, resamples: int = 1000) -> dict[str, Any]:
    """Every section's figures (JSON-serialisable), for people who can see every label."""
    return {
        "corpus": facts.corpus(engine),
        "labelling": facts.labelling(engine),
        "adjudication": facts.adjudication(engine),
        "gold": gold_summary(engine),
        "agreement": agreement_report(engine, extended=Extended(resamples=resamples)),
        "provenance": facts.provenance(engine),
        "conditions": facts.conditions(engine),
        "wellbeing": facts.wellbeing(engine, lambda text: severity(text) >= Severity.SEVERE),
        "profiles": profiles_summary(engine, survey=active_schema(engine)[1].survey),  # groups under 5 merged
        "checkins": checkin_summary(engine),
    }


def write_report(engine: Engine, folder: Path, *, hourly_rate: float | None = None, currency: str = "€",
                 resamples: int = 1000) -> Path:  # fmt: skip
    """REPORT.md and its PNG charts in ``folder`` (made if missing); the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    figures_of = gather(engine, resamples=resamples)
    pictures = {
        "labels": charts.render(engine, "labels"),
        "agreement": figures.agreement_intervals(figures_of["agreement"]),
        "time": figures.time_per_item(figures_of["labelling"]["seconds_histogram"]),
        "exposure": figures.exposure(
            figures_of["wellbeing"]["severe_per_person_day"], figures_of["wellbeing"]["config"]["daily_cap"]
        ),  # fmt: skip
    }
    for kind, data in pictures.items():
        (folder / IMAGES[kind]).write_bytes(data)
    path = folder / REPORT
    path.write_text(render(figures_of, IMAGES, hourly_rate=hourly_rate, currency=currency), encoding="utf-8")
    return path
