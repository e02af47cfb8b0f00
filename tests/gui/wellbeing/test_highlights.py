"""Lexicon highlights: on the words found, over plain text, readable in dark mode, grey in greyscale mode."""

import json

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from moderator.core.demo import load_demo
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.core.wellbeing import lexicon as lx
from moderator.core.wellbeing.lexicon import Severity
from moderator.core.wellbeing.session import WellbeingConfig
from moderator.gui.main_window import MainWindow
from moderator.gui.wellbeing.highlight import lexicon_format


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "hl.sqlite")
    load_demo(engine)
    yield engine
    engine.dispose()


def open_window(qtbot, engine):
    _, schema = active_schema(engine)
    window = MainWindow(Project(engine), "hl.sqlite", Account(ensure_annotator(engine, "ana"), "ana", "admin"), schema)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def show(qtbot, window, engine, prefix):
    with engine.connect() as conn:
        cid = conn.scalar(select(Comment.id).where(Comment.text.startswith(prefix)))
    window.labelling.open(cid)
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state.item.id == cid)


def formatted(window):
    """(text, format) of every highlighted range the comment's layout draws."""
    out = []
    block = window.comment_view.text.document().firstBlock()
    while block.isValid():
        units = block.text().encode("utf-16-le")  # Qt counts UTF-16 units (an emoji is two)
        for r in block.layout().formats():
            out.append((units[2 * r.start : 2 * (r.start + r.length)].decode("utf-16-le"), QTextCharFormat(r.format)))
        block = block.next()
    return out


def luminance(c: QColor) -> float:
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_demo_threads_vermin_is_highlighted_and_named_on_the_label_panel(qtbot, engine):
    window = open_window(qtbot, engine)
    assert formatted(window) == [] and not window.label_panel.lexicon_hint.isVisibleTo(window)
    show(qtbot, window, engine, "Vermin")
    assert [text for text, _ in formatted(window)] == ["Vermin"]
    assert window.label_panel.lexicon_hint.text() == "lexicon: vermin metaphor"
    assert window.label_panel.lexicon_hint.isVisibleTo(window)
    show(qtbot, window, engine, "Parking on Quay Lane")
    assert formatted(window) == [] and window.label_panel.lexicon_hint.text() == ""


def test_phrases_and_inflections_are_highlighted_in_text_that_stays_plain(qtbot, engine, tmp_path):
    text = "<b>They</b> must all die 😡 — eradicating a disease; separate the rats.\nWipe them\nout."
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"thread_id": "t", "id": "1", "text": text}), encoding="utf-8")
    import_paths(engine, [path])
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "<b>They")
    assert window.comment_view.text.toPlainText() == text  # the markup is text, never interpreted
    assert [t for t, _ in formatted(window)] == ["must all die", "eradicating", "disease", "rats", "Wipe them", "out"]
    assert window.label_panel.lexicon_hint.text() == "lexicon: call for violence, disease metaphor, vermin metaphor"


@pytest.mark.parametrize("dark", [False, True])
def test_highlights_keep_the_text_readable_in_light_and_dark_palettes(dark):
    palette = QPalette()
    base, text = (QColor("#1e1e1e"), QColor("#e6e6e6")) if dark else (QColor("#ffffff"), QColor("#000000"))
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.Text, text)
    for level in (Severity.MILD, Severity.SEVERE):
        for grey in (False, True):
            fmt = lexicon_format(palette, level, grey)
            assert contrast(fmt.background().color(), text) >= 4.5  # WCAG AA for body text
            assert fmt.fontUnderline() or fmt.underlineStyle() != fmt.underlineStyle().NoUnderline


def test_greyscale_mode_has_no_colour_anywhere_it_draws(qtbot, engine):
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "you will never get them out")  # a quote (amber) in the reply
    window.wellbeing.apply_config(WellbeingConfig(greyscale=True, blur=False))
    window.wellbeing.show_item(window.labelling.state)
    assert window.palette().color(QPalette.ColorRole.Highlight).hsvSaturation() == 0
    assert window.comment_view.QUOTE_COLOR.hsvSaturation() == 0 and window.comment_view.RATIONALE_COLOR.hsvSaturation() == 0
    show(qtbot, window, engine, "Vermin")
    assert all(f.background().color().hsvSaturation() == 0 for _, f in formatted(window))
    window.wellbeing.apply_config(WellbeingConfig(greyscale=False))
    assert window.comment_view.QUOTE_COLOR.hsvSaturation() > 0
    assert all(f.background().color().hsvSaturation() > 0 for _, f in formatted(window))


def test_edit_lexicon_opens_the_users_copy_and_a_saved_change_applies(qtbot, engine, config_dir, monkeypatch):
    opened = []
    monkeypatch.setattr(
        "moderator.gui.wellbeing.controller.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile())
    )
    window = open_window(qtbot, engine)
    window.actions_by_id["app.edit_lexicon"].trigger()
    user = config_dir / "lexicon.toml"
    assert opened == [str(user)] and user.read_bytes() == lx.bundled_path().read_bytes()
    show(qtbot, window, engine, "Parking on Quay Lane")
    user.write_text('[categories.local]\nlabel = "parking rant"\nseverity = "mild"\nterms = ["parking"]\n', encoding="utf-8")
    qtbot.waitUntil(lambda: window.label_panel.lexicon_hint.text() == "lexicon: parking rant")  # the file is watched
    assert [t for t, _ in formatted(window)] == ["Parking"]


def test_a_broken_users_lexicon_is_named_and_the_bundled_one_used(qtbot, engine, config_dir):
    config_dir.mkdir()
    (config_dir / "lexicon.toml").write_text('[categories.x]\nterms = ["ok"\n', encoding="utf-8")
    window = open_window(qtbot, engine)
    assert window.statusBar().currentMessage().startswith(f"{config_dir / 'lexicon.toml'}:")
    assert "using the bundled lexicon" in window.statusBar().currentMessage()
    show(qtbot, window, engine, "Vermin")
    window.wellbeing.reveal()
    assert [t for t, _ in formatted(window)] == ["Vermin"]
    assert window.comment_view.text.document().toPlainText().startswith("Vermin, the lot")
    assert window.label_panel.lexicon_hint.textFormat() == Qt.TextFormat.PlainText


@pytest.mark.parametrize("dark", [False, True])
def test_greyscale_quote_and_rationale_marks_stand_out_from_the_page(qtbot, dark):
    """In greyscale a quote is still seen: a grey clearly darker (or lighter, on a dark page) than the page."""
    from PySide6.QtGui import QColor, QPalette

    from moderator.gui.labelling.comment_view import CommentView

    view = CommentView()
    qtbot.addWidget(view)
    palette = view.text.palette()
    page, ink = (QColor(30, 30, 30), QColor(230, 230, 230)) if dark else (QColor(255, 255, 255), QColor(0, 0, 0))
    palette.setColor(QPalette.ColorRole.Base, page)
    palette.setColor(QPalette.ColorRole.Text, ink)
    view.text.setPalette(palette)
    view.set_greyscale(True)
    quote, rationale = view.QUOTE_COLOR, view.RATIONALE_COLOR
    for mark in (quote, rationale):
        assert mark.red() == mark.green() == mark.blue() and mark.alpha() == 255  # grey, opaque
        assert abs(mark.lightness() - page.lightness()) >= 40  # stands out from the page
    assert abs(quote.lightness() - rationale.lightness()) >= 30  # and the two are told apart
    view.set_greyscale(False)
    assert view.QUOTE_COLOR == CommentView.QUOTE_COLOR


def test_a_theme_changed_while_the_window_is_open_redraws_the_highlights_in_it(qtbot, engine):
    from moderator.gui.theme import apply_theme

    app = QApplication.instance()
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "Vermin")
    try:
        for theme in ("dark", "light"):
            apply_theme(app, theme)
            qtbot.waitUntil(
                lambda: (
                    window.comment_view.text.palette().color(QPalette.ColorRole.Base)
                    == app.palette().color(QPalette.ColorRole.Base)
                )
            )
            page = window.comment_view.text.palette()
            ((_, fmt),) = formatted(window)
            assert contrast(fmt.background().color(), page.color(QPalette.ColorRole.Text)) >= 4.5, theme
    finally:
        apply_theme(app, "system")
