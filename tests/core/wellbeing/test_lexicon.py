"""The lexicon finds whole words and phrases, whatever their case and inflection, and reports broken files."""

import pytest

from moderator.core.wellbeing import lexicon as lx
from moderator.core.wellbeing.lexicon import LexiconError, Severity, active_lexicon, hint, load_lexicon, parse_lexicon

SMALL = """
version = 1

[categories.vermin]
label = "vermin metaphor"
severity = "severe"
terms = ["rat", "cockroach", "vermin"]

[categories.disease]
label = "disease metaphor"
severity = "mild"
terms = ["disease", "plague"]

[categories.violence]
label = "call for violence"
inflect = "verb"
terms = ["eradicate", "must [all] die", "wipe [them] out", { term = "deport", severity = "mild" }]
"""


@pytest.fixture
def small():
    return parse_lexicon(SMALL, "small.toml")


def found(lexicon, text):
    return [(text[m.start : m.end], m.category.id) for m in lexicon.find(text)]


@pytest.mark.parametrize("word", ["eradicate", "eradicated", "eradicating", "eradicates", "ERADICATE", "Eradicated"])
def test_verbs_match_in_any_inflection_and_case(small, word):
    assert found(small, f"They want to {word} them.") == [(word, "violence")]


@pytest.mark.parametrize("word", ["rat", "rats", "Rats", "rat's", "rat’s", "cockroaches", "VERMIN"])
def test_nouns_match_singular_plural_and_possessive(small, word):
    assert found(small, f"Look at the {word} over there") == [(word, "vermin")]


@pytest.mark.parametrize("text", ["separate", "rates", "rated", "Ratcliffe", "pirate", "berating", "diseaseless", "ratatouille"])
def test_never_a_match_inside_another_word(small, text):
    assert small.find(f"We {text} them") == []


def test_phrases_with_optional_words(small):
    assert found(small, "then must die") == [("must die", "violence")]
    assert found(small, "they must all die!") == [("must all die", "violence")]
    assert found(small, "WIPE THEM OUT, wiped out") == [("WIPE THEM OUT", "violence"), ("wiped out", "violence")]
    assert found(small, "they must go and die") == []  # a phrase is contiguous words
    assert found(small, "must\n  die") == [("must\n  die", "violence")]  # across whitespace and lines


def test_offsets_are_characters_even_after_an_emoji(small):
    text = "😡😡 eradicate a disease"
    assert [(m.start, m.end) for m in small.find(text)] == [(3, 12), (15, 22)]


def test_severity_is_the_worst_match_and_a_term_may_override_its_category(small):
    assert small.severity("a plague on both houses") == Severity.MILD
    assert small.severity("eradicate a disease") == Severity.SEVERE
    assert small.severity("deport") == Severity.MILD
    assert small.severity("a perfectly calm remark") == Severity.NONE


def test_hint_names_each_category_once_in_text_order(small):
    assert hint(small.find("eradicate a disease, a plague, then must die")) == "lexicon: call for violence, disease metaphor"
    assert hint([]) == ""


def test_bundled_lexicon_flags_the_demo_threads_vermin_and_the_design_examples():
    lexicon = parse_lexicon(lx.bundled_path().read_text(encoding="utf-8"), "bundled")
    assert found(lexicon, "Vermin, the lot of them.") == [("Vermin", "vermin")]
    assert lexicon.severity("We must eradicate a disease") == Severity.SEVERE
    assert lexicon.severity("If they will not leave, then must die") == Severity.SEVERE
    assert lexicon.severity("Parking on Quay Lane is already impossible after six.") == Severity.NONE
    assert {m.category.id for m in lexicon.find("subhuman kike")} == {"humanity", "slur"}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('[categories.x]\nterms = ["a"\nlabel = 1\n', 3, "invalid TOML"),
        ('[categories.x]\nlabel = "x"\nseverity = "awful"\nterms = ["a"]\n', 3, "'awful' is not one of mild, severe"),
        ('[categories.x]\nterms = ["a"]\n\n[categories.y]\nterms = [\n  "fine",\n  "[broken",\n]\n', 7, "unbalanced"),
        ("[categories.x]\nterms = []\n", 2, "non-empty list"),
        ('colour = 1\n[categories.x]\nterms = ["a"]\n', 1, "unknown key 'colour'"),
    ],
)
def test_a_broken_file_names_its_line(text, line, reason):
    with pytest.raises(LexiconError) as exc:
        parse_lexicon(text, "/home/ana/lexicon.toml")
    assert str(exc.value).startswith(f"/home/ana/lexicon.toml:{line}: ")
    assert reason in str(exc.value)


def test_users_copy_is_made_from_the_bundled_one_and_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(tmp_path))
    path = lx.ensure_user_lexicon()
    assert path == tmp_path / "lexicon.toml" and path.read_bytes() == lx.bundled_path().read_bytes()
    path.write_text(SMALL.replace('"plague"', '"plague", "locust"'), encoding="utf-8")
    lexicon, error = active_lexicon()
    assert error is None and lexicon.source == str(path) and lexicon.severity("locusts") == Severity.MILD


def test_a_broken_users_copy_falls_back_to_the_bundled_one_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(tmp_path))
    (tmp_path / "lexicon.toml").write_text('[categories.x]\nterms = ["ok"]\nseverity = "extreme"\n', encoding="utf-8")
    lexicon, error = active_lexicon()
    assert lexicon.source == str(lx.bundled_path())
    assert error.startswith(f"{tmp_path / 'lexicon.toml'}:3: ") and "bundled" in error
    assert lexicon.severity("vermin") == Severity.SEVERE


def test_load_lexicon_reports_an_unreadable_file(tmp_path):
    with pytest.raises(LexiconError, match=r"missing\.toml:1: cannot read"):
        load_lexicon(tmp_path / "missing.toml")


def test_command_line_path_check_and_show(tmp_path, monkeypatch, capsys):
    from moderator.cli.main import main

    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(tmp_path / "config"))
    assert main(["lexicon", "path"]) == 0
    user = tmp_path / "config" / "lexicon.toml"
    assert capsys.readouterr().out.strip() == str(user) and user.is_file()
    assert main(["lexicon", "check"]) == 0 and "valid lexicon" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[categories.x]\nterms = ["ok"]\nseverity = "extreme"\n', encoding="utf-8")
    assert main(["lexicon", "check", str(bad)]) == 1
    assert capsys.readouterr().err.startswith(f"moderator: {bad}:3: ")
    assert main(["lexicon", "show"]) == 0 and "[violence] call for violence (severe)" in capsys.readouterr().out
