"""Light, dark or the platform's own look, applied to the running application (no restart).

Light and dark are the Fusion style with a palette of our own, so they look the same everywhere; "system"
gives the platform its style and palette back. The dark palette is chosen so the comment view's
translucent marks (amber quotes, blue rationale) mixed over its base still leave the text readable.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

Role, Group = QPalette.ColorRole, QPalette.ColorGroup

# Active and inactive colours of each role; the disabled group differs only where listed below.
DARK = {
    Role.Window: "#2d2d2d",
    Role.WindowText: "#f0f0f0",
    # Dark enough that quoted text (amber at 43 % over it) still has 4.5:1 contrast.
    Role.Base: "#181818",
    Role.AlternateBase: "#242424",
    Role.Text: "#f0f0f0",
    Role.PlaceholderText: "#8c8c8c",
    Role.Button: "#363636",
    Role.ButtonText: "#f0f0f0",
    Role.BrightText: "#ff6b6b",
    Role.Highlight: "#2a62bd",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#6cb4ff",
    Role.LinkVisited: "#b48cff",
    Role.ToolTipBase: "#3a3a3a",
    Role.ToolTipText: "#f0f0f0",
    # Fusion draws frames and bevels from these.
    Role.Light: "#4a4a4a",
    Role.Midlight: "#3c3c3c",
    Role.Mid: "#262626",
    Role.Dark: "#1c1c1c",
    Role.Shadow: "#0a0a0a",
}
DARK_DISABLED = {
    # Greyed hints are labels disabled on purpose (widgets.plain_label): still readable, 4.5:1 on the window.
    Role.WindowText: "#969696",
    Role.Text: "#969696",
    Role.ButtonText: "#969696",
    Role.Base: "#202020",
    Role.Button: "#2f2f2f",
    Role.Highlight: "#4a4a4a",
    Role.HighlightedText: "#c8c8c8",
}
LIGHT = {
    Role.Window: "#efefef",
    Role.WindowText: "#000000",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f5f5f5",
    Role.Text: "#000000",
    Role.PlaceholderText: "#6e6e6e",
    Role.Button: "#efefef",
    Role.ButtonText: "#000000",
    Role.BrightText: "#ffffff",
    Role.Highlight: "#266eb4",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#0b57d0",
    Role.LinkVisited: "#6a1b9a",
    Role.ToolTipBase: "#ffffdc",
    Role.ToolTipText: "#000000",
    Role.Light: "#ffffff",
    Role.Midlight: "#f7f7f7",
    Role.Mid: "#b8b8b8",
    Role.Dark: "#9f9f9f",
    Role.Shadow: "#767676",
}
LIGHT_DISABLED = {
    Role.WindowText: "#666666",
    Role.Text: "#666666",
    Role.ButtonText: "#666666",
    Role.Base: "#f5f5f5",
    Role.Highlight: "#c8c8c8",
    Role.HighlightedText: "#333333",
}

_platform_style: str | None = None  # the style Qt chose before we first changed it, for "system"
_current: str | None = None  # None: never applied, the platform's look untouched
_stand_in = False  # "system" on a dark platform whose style stays light: our dark palette stands in
_following = False  # connected to the platform's light/dark changes


def dark_palette() -> QPalette:
    return _palette(DARK, DARK_DISABLED)


def light_palette() -> QPalette:
    return _palette(LIGHT, LIGHT_DISABLED)


def _palette(colours: dict, disabled: dict) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))  # all groups
    palette.setColor(Role.Accent, QColor(colours[Role.Highlight]))  # checked boxes and focus, in some styles
    for role, colour in disabled.items():
        palette.setColor(Group.Disabled, role, QColor(colour))
    return palette


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightness() < 128


def current_theme() -> str:
    """The theme last applied ("system" until one is)."""
    return _current or "system"


def apply_theme(app: QApplication, name: str) -> None:
    """Give the running application the theme ``name`` (one of THEMES; anything else means "system")."""
    global _platform_style, _current, _stand_in
    name = name if name in THEMES else "system"
    if _platform_style is None:
        _platform_style = app.style().name()
    previous, _current = _current, name
    _follow_platform(app)
    if name != "system":
        _stand_in = False
        _set_scheme(app, name)
        app.setStyle("Fusion")  # the style first: setting one resets the palette
        app.setPalette(dark_palette() if name == "dark" else light_palette())
        return
    if previous in ("light", "dark"):  # give back what we replaced; never touched otherwise
        _set_scheme(app, None)
        _platform_look(app)
    _dark_when_platform_is(app)


def change_theme(name: str) -> None:
    """Remember ``name`` as the user's theme and apply it to the running application now."""
    from moderator.gui import settings

    settings.set_theme(name)
    apply_theme(QApplication.instance(), name)


def _set_scheme(app: QApplication, name: str | None) -> None:
    """Qt 6.8+: tell the platform too, so native dialogs and title bars match (before 6.8: nothing to tell)."""
    hints = app.styleHints()
    if name is None:
        if hasattr(hints, "unsetColorScheme"):
            hints.unsetColorScheme()
    elif hasattr(hints, "setColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Dark if name == "dark" else Qt.ColorScheme.Light)


def _platform_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _dark_when_platform_is(app: QApplication) -> None:
    """Some styles have no dark palette of their own: when the platform is dark and they stay light, ours
    stands in (and goes when the platform turns light again)."""
    global _stand_in
    if _platform_is_dark() and not _stand_in and not is_dark(app.palette()):
        _stand_in = True
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif not _platform_is_dark() and _stand_in:
        _stand_in = False
        _platform_look(app)


def _platform_look(app: QApplication) -> None:
    app.setStyle(_platform_style)
    app.setPalette(QPalette())  # no colour set: each comes from the platform


def _follow_platform(app: QApplication) -> None:
    """Once: while the theme is "system", a change of the platform's light/dark is followed at once."""
    global _following
    if not _following:
        _following = True
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _current == "system" and _dark_when_platform_is(app))
