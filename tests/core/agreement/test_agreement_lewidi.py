"""The real LeWiDi files: `moderator agreement --json` gives the krippendorff package's α."""

import json

import krippendorff
import numpy as np
import pytest

from moderator.cli.main import main

CASES = [
    ("HS-Brexit_dev.json", "hate_speech", None, "nominal"),
    ("HS-Brexit_train.json", "offensive", "offensive language detection", "nominal"),
    ("ConvAbuse_dev.json", "abuse", None, "ordinal"),
]


def reference_alpha(path, other_key, level):
    """α computed straight from the raw JSON with the reference package."""
    items = json.loads(path.read_text())
    annotators = sorted({a for item in items.values() for a in item["annotators"].split(",")})
    matrix = np.full((len(annotators), len(items)), np.nan)
    for column, item in enumerate(items.values()):
        raw = item["annotations"] if other_key is None else item["other_info"]["other annotations"][other_key]
        for name, value in zip(item["annotators"].split(","), raw.split(",")):
            if value.strip().lstrip("-").isdigit():
                matrix[annotators.index(name), column] = int(value)
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)


@pytest.mark.parametrize(("name", "question", "other_key", "level"), CASES)
def test_alpha_on_lewidi_equals_the_reference(tmp_path, shared_data, capsys, name, question, other_key, level):
    path = shared_data / "lewidi" / name
    db = str(tmp_path / "lewidi.sqlite")
    assert main(["--db", db, "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "agreement", "--json", "--basic"]) == 0  # the plain α, as the package gives it
    report = json.loads(capsys.readouterr().out)
    entry = report[question]
    assert entry[f"krippendorff_alpha_{level}"] == pytest.approx(reference_alpha(path, other_key, level), abs=1e-6)
    assert {"krippendorff_alpha_nominal", "fleiss_kappa", "items", "annotations", "annotators"} <= entry.keys()
