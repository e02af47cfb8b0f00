"""Colour arithmetic for highlights and the greyscale mode, derived from the palette in use."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def mix(base: QColor, tint: QColor, share: float) -> QColor:
    """``share`` of ``tint`` over ``base``, opaque: a background the palette's text stays readable on."""
    return QColor(
        round(base.red() + (tint.red() - base.red()) * share),
        round(base.green() + (tint.green() - base.green()) * share),
        round(base.blue() + (tint.blue() - base.blue()) * share),
    )


def desaturate(color: QColor) -> QColor:
    """The same lightness and transparency, without colour."""
    grey = round(0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue())
    return QColor(grey, grey, grey, color.alpha())


def greyscale_palette(palette: QPalette) -> QPalette:
    """Every role of every colour group desaturated (selection, links, buttons…)."""
    grey = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
        for role in range(QPalette.ColorRole.NColorRoles.value):
            role = QPalette.ColorRole(role)
            if role == QPalette.ColorRole.NoRole:
                continue
            grey.setColor(group, role, desaturate(palette.color(group, role)))
    return grey
