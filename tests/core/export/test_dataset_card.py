"""`moderator export --card`: a Hugging Face dataset card beside the data, with its charts."""

import pytest

from moderator.cli.main import main
from moderator.core.export.card import write_card

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def brexit_db(tmp_path, shared_data):
    path = shared_data / "lewidi" / "HS-Brexit_dev.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    db = str(tmp_path / "brexit.sqlite")
    assert main(["--db", db, "import", "--format", "lewidi", str(path)]) == 0
    return db


@pytest.mark.parametrize("fmt, builder", [("parquet", "parquet"), ("jsonl", "json")])
def test_card_loads_with_datasets_and_documents_the_data(brexit_db, tmp_path, monkeypatch, fmt, builder):
    folder = tmp_path / "release"
    folder.mkdir()
    assert main(["--db", brexit_db, "export", "--format", fmt, "--out", str(folder / f"brexit.{fmt}"), "--card"]) == 0
    card = (folder / "README.md").read_text(encoding="utf-8")
    header = card.split("---")[1]
    assert f"path: brexit.{fmt}" in header and "config_name: default" in header
    for chart in ("brexit_labels.png", "brexit_agreement.png"):
        assert (folder / chart).read_bytes().startswith(PNG) and f"]({chart})" in card
    assert "## Label schema: toxicity-dehumanization" in card and "SFU" in card  # the active schema's guidelines
    assert "`hate_speech`: 0 876, 1 132" in card  # counts per label
    assert "| `hate_speech` | nominal | 0.352 |" in card  # agreement per question
    assert "from 6 annotators" in card and "168 comments" in card
    assert "HS-Brexit_dev.json | lewidi" in card and "/work/" not in card  # the source by name, not by local path
    assert "pseudonymised" in card

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "hf-cache"))
    assert loaded.num_rows == 168 and len(loaded[0]["annotations"]) == 6


def test_card_needs_a_file_and_never_replaces_a_foreign_readme(brexit_db, tmp_path, capsys):
    assert main(["--db", brexit_db, "export", "--format", "jsonl", "--card"]) != 0
    assert "--out" in capsys.readouterr().err
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "README.md").write_text("# my project\n")
    assert main(["--db", brexit_db, "export", "--format", "jsonl", "--out", str(folder / "data.jsonl"), "--card"]) != 0
    assert "not a card" in capsys.readouterr().err and not (folder / "data.jsonl").exists()
    from moderator.core.store.engine import open_database

    engine = open_database(brexit_db)
    with pytest.raises(FileExistsError):
        write_card(engine, folder / "data.jsonl", "jsonl")
    assert (folder / "README.md").read_text() == "# my project\n"
    engine.dispose()


def test_the_cards_types_let_datasets_read_jsonl_whose_first_rows_leave_columns_empty(engine, tmp_path, monkeypatch):
    """`datasets` guesses JSON types block by block; a column empty in the first block (no url, no labels
    yet) would clash with a later one. The card's features make the types explicit."""
    from helpers.probes import queue_page

    from moderator.core.importing.drafts import CommentDraft, ThreadDraft
    from moderator.core.importing.writer import import_drafts
    from moderator.core.labelling.claims import configure
    from moderator.core.labelling.log import submit
    from moderator.core.team.accounts import ensure_annotator

    quiet = ThreadDraft(source="t", title="no url", comments=[CommentDraft(f"quiet {i} " + "x" * 200) for i in range(40)])
    late = ThreadDraft(
        source="t", title="late", url="https://example.org/late", comments=[CommentDraft("the labelled one", author="Ana")]
    )
    import_drafts(engine, [quiet, late], name="t", fmt="t")
    configure(engine, overlap=1)
    ana = ensure_annotator(engine, "ana")
    last = queue_page(engine, ana)[-1].id
    submit(
        engine, last, ana, {"toxicity": 2, "dehumanization": "none", "categories": ["insult"]}, spans=[{"start": 4, "end": 12}]
    )
    folder = tmp_path / "release"
    folder.mkdir()
    from moderator.core.export.writer import export_file

    export_file(engine, folder / "data.jsonl", "jsonl")
    write_card(engine, folder / "data.jsonl", "jsonl")

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    small = {"chunksize": 2048, "cache_dir": str(tmp_path / "hf-cache"), "split": "train"}  # many blocks
    with pytest.raises(Exception):  # noqa: B017 - what the card prevents: a type guessed from empty rows
        datasets.load_dataset("json", data_files=str(folder / "data.jsonl"), **small)
    loaded = datasets.load_dataset(str(folder), **small)
    assert loaded.num_rows == 41 and loaded[40]["thread_url"] == "https://example.org/late"
    assert loaded[40]["annotations"][0]["values"]["categories"] == ["insult"]
