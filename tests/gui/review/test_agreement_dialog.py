"""The agreement dialog shows a report's numbers as plain text, per question on selection."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from moderator.gui.review.agreement import AgreementDialog


def entry(kind: str, options: list, alpha: float | None, **extra) -> dict:
    base = {
        "kind": kind,
        "label": kind.title(),
        "options": options,
        "items": 1200,
        "pairable_items": 1100,
        "annotations": 3456,
        "annotators": 3,
        "krippendorff_alpha_nominal": alpha,
        "krippendorff_alpha_ordinal": None,
        "krippendorff_alpha_interval": None,
        "fleiss_kappa": alpha,
        "cohen_kappa_pairs": [],
        "annotator_majority_agreement": {},
        "annotator_majority_items": {},
    }
    return base | extra


@pytest.fixture
def report() -> dict:
    return {
        "toxicity": entry(
            "ordinal",
            [1, 2, 3, 4],
            0.61234,
            label="Toxicity",
            krippendorff_alpha_ordinal=0.8,
            krippendorff_alpha_interval=0.81,
            cohen_kappa_pairs=[
                {"a": "<b>ana</b>", "b": "ben", "kappa": 0.5, "items": 10},
                {"a": "<b>ana</b>", "b": "cleo", "kappa": None, "items": 2},
                {"a": "ben", "b": "cleo", "kappa": 0.9, "items": 12},
            ],
            annotator_majority_agreement={"<b>ana</b>": 0.75, "ben": 1.0},
            annotator_majority_items={"<b>ana</b>": 8, "ben": 9},
        ),  # fmt: skip
        "categories.insult": entry("multi-option", [0, 1], None, label="Categories: insult"),
    }


def cells(view) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_the_question_table_shows_every_metric(qtbot, report):
    dialog = AgreementDialog(report)
    qtbot.addWidget(dialog)
    rows = cells(dialog.question_view)
    assert rows[0] == ["toxicity", "ordinal", "0.612", "0.800", "0.810", "0.612", "1,200", "3,456", "3"]
    # Undefined (n/a) and not applicable to a yes/no question (—) are told apart.
    assert rows[1][:6] == ["categories.insult", "multi-option", "n/a", "—", "—", "n/a"]
    headers = [dialog.questions.headerData(c, Qt.Orientation.Horizontal) for c in range(dialog.questions.columnCount())]
    assert headers[2:6] == ["α nominal", "α ordinal", "α interval", "Fleiss κ"]


def test_selecting_a_question_shows_its_annotators_and_pairs(qtbot, report):
    dialog = AgreementDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.selected_question() == "toxicity"
    assert dialog.title.text() == "toxicity — Toxicity"
    assert cells(dialog.majority_view) == [["<b>ana</b>", "0.750", "8"], ["ben", "1.000", "9"]]
    assert cells(dialog.pairs_view)[1] == ["<b>ana</b>", "cleo", "n/a", "2"]
    dialog.question_view.selectRow(1)
    assert dialog.selected_question() == "categories.insult"
    assert dialog.title.text() == "categories.insult — Categories: insult"
    assert cells(dialog.majority_view) == [] and cells(dialog.pairs_view) == []


def test_user_text_is_plain_text(qtbot, report):
    dialog = AgreementDialog(report)
    qtbot.addWidget(dialog)
    labels = dialog.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_sorting_by_kappa_puts_undefined_last_when_descending(qtbot, report):
    dialog = AgreementDialog(report)
    qtbot.addWidget(dialog)
    dialog.pairs_view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert [row[2] for row in cells(dialog.pairs_view)] == ["0.900", "0.500", "n/a"]
    dialog.question_view.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert [row[0] for row in cells(dialog.question_view)] == ["categories.insult", "toxicity"]


def test_an_empty_report_says_so(qtbot):
    dialog = AgreementDialog({})
    qtbot.addWidget(dialog)
    assert dialog.selected_question() is None
    assert any("Nothing to report" in label.text() for label in dialog.findChildren(QLabel))


def test_many_annotators_open_at_once(qtbot, report):
    names = [f"annotator{i:03d}" for i in range(300)]
    pairs = [{"a": a, "b": b, "kappa": 0.5, "items": 40} for i, a in enumerate(names) for b in names[i + 1 :]]
    big = {"toxicity": report["toxicity"] | {"cohen_kappa_pairs": pairs, "annotator_majority_agreement": dict.fromkeys(names, 0.5),
                                             "annotator_majority_items": dict.fromkeys(names, 40)}}  # fmt: skip
    dialog = AgreementDialog(big)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.pairs_view.model().rowCount() == len(pairs) == 44850
