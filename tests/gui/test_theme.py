"""Light, dark or the system's look: palettes that stay readable, applied live, remembered per user."""

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from moderator.gui import settings, theme
from moderator.gui.dialogs.appearance_page import AppearancePage
from moderator.gui.labelling.comment_view import CommentView
from moderator.gui.theme import THEMES, apply_theme, change_theme

Role, Group = QPalette.ColorRole, QPalette.ColorGroup


@pytest.fixture
def app(qapp):
    """The test application, given back its own style and palette afterwards (other tests share it)."""
    style, palette = qapp.style().name(), QPalette(qapp.palette())
    yield qapp
    apply_theme(qapp, "system")
    assert qapp.style().name() == style
    assert qapp.palette().color(Role.Window) == palette.color(Role.Window)


def luminance(colour: QColor) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio: 4.5 is enough for body text."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(base: QColor, mark: QColor) -> QColor:
    """A translucent mark as it is drawn on ``base``."""
    a = mark.alphaF()
    return QColor.fromRgbF(*(b + (m - b) * a for b, m in zip(base.getRgbF()[:3], mark.getRgbF()[:3], strict=True)))


def test_dark_gives_dark_backgrounds_and_light_text(app):
    apply_theme(app, "dark")
    palette = app.palette()
    assert app.style().name().lower() == "fusion"
    for background in (Role.Window, Role.Base, Role.Button, Role.ToolTipBase):
        assert palette.color(background).lightness() < 80
    for text in (Role.WindowText, Role.Text, Role.ButtonText, Role.ToolTipText):
        assert palette.color(text).lightness() > 200


def test_light_is_the_opposite(app):
    apply_theme(app, "dark")
    apply_theme(app, "light")
    palette = app.palette()
    assert palette.color(Role.Window).lightness() > 200 and palette.color(Role.Base).lightness() > 240
    assert palette.color(Role.Text).lightness() < 60 and palette.color(Role.WindowText).lightness() < 60


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_is_readable_on_its_background(app, name):
    apply_theme(app, name)
    p = app.palette()
    for text, background in (
        (Role.Text, Role.Base),
        (Role.WindowText, Role.Window),
        (Role.ButtonText, Role.Button),
        (Role.HighlightedText, Role.Highlight),
        (Role.ToolTipText, Role.ToolTipBase),
        (Role.PlaceholderText, Role.Base),
        (Role.Link, Role.Base),
    ):
        assert contrast(p.color(text), p.color(background)) >= 4.5, (name, text, background)
    # Greyed hints are disabled labels (widgets.plain_label): muted, yet readable.
    disabled = p.color(Group.Disabled, Role.WindowText)
    assert contrast(disabled, p.color(Group.Disabled, Role.Window)) >= 4.4
    assert contrast(disabled, p.color(Role.WindowText)) > 1.5  # and told apart from enabled text


@pytest.mark.parametrize("name", ["light", "dark"])
def test_quoted_and_rationale_text_stays_readable(app, name):
    apply_theme(app, name)
    base, text = app.palette().color(Role.Base), app.palette().color(Role.Text)
    assert contrast(text, over(base, CommentView.QUOTE_COLOR)) >= 4.5
    assert contrast(text, over(base, CommentView.RATIONALE_COLOR)) >= 4.5


def test_a_theme_reaches_open_windows_without_a_restart(app, qtbot):
    box = QPlainTextEdit()
    qtbot.addWidget(box)
    box.show()
    apply_theme(app, "dark")
    qtbot.waitUntil(lambda: box.palette().color(Role.Base).lightness() < 80)
    apply_theme(app, "light")
    qtbot.waitUntil(lambda: box.palette().color(Role.Base).lightness() > 240)


def test_system_gives_the_platform_its_look_back(app):
    style, window = app.style().name(), app.palette().color(Role.Window)
    apply_theme(app, "dark")
    apply_theme(app, "system")
    assert app.style().name() == style and theme.current_theme() == "system"
    assert app.palette().color(Role.Window) == window
    apply_theme(app, "no such theme")  # an old or hand-edited setting: the system's look
    assert theme.current_theme() == "system"


def test_the_setting_round_trips_and_defaults_to_the_system(isolated_settings):
    assert settings.theme() == "system"
    for name in THEMES:
        settings.set_theme(name)
        assert settings.theme() == name


def test_change_theme_stores_and_applies(app, isolated_settings):
    change_theme("dark")
    assert settings.theme() == "dark" and app.palette().color(Role.Window).lightness() < 80


def test_the_page_shows_the_setting_and_reports_a_change(qtbot, isolated_settings):
    settings.set_theme("dark")
    page = AppearancePage()
    qtbot.addWidget(page)
    assert page.buttons["dark"].isChecked() and page.changes() is None
    page.buttons["light"].click()
    assert page.changes() == "light"
    page.buttons["dark"].click()
    assert page.changes() is None
    texts = [b.text() for b in page.buttons.values()]
    assert texts == ["&Light", "&Dark", "Follow the &system"]
    assert all(label.textFormat().name == "PlainText" for label in page.findChildren(QLabel))


def test_the_page_is_one_choice_from_three_in_the_preferences(qtbot, isolated_settings):
    from moderator.gui.actions import ACTIONS
    from moderator.gui.dialogs.preferences import PreferencesDialog

    dialog = PreferencesDialog(ACTIONS, {})
    qtbot.addWidget(dialog)
    page = AppearancePage("system")
    dialog.add_page(page, "&Appearance")
    dialog.pages.setCurrentWidget(page)
    dialog.show()
    page.buttons["system"].setFocus()
    page.buttons["dark"].click()
    assert page.changes() == "dark" and sum(b.isChecked() for b in page.buttons.values()) == 1


def test_system_on_a_dark_platform_whose_style_stays_light_gets_our_dark(app, monkeypatch):
    monkeypatch.setattr(theme, "_platform_is_dark", lambda: True)
    apply_theme(app, "system")
    assert theme.is_dark(app.palette())
    monkeypatch.setattr(theme, "_platform_is_dark", lambda: False)
    theme._dark_when_platform_is(app)  # as when the platform's colorSchemeChanged says it turned light
    assert not theme.is_dark(app.palette())
