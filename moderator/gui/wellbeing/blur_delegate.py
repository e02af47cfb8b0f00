"""The queue list with the previews of likely severe comments hidden while the project blurs them.

Blurring the comment is little use if the list beside it prints its first words; a hidden preview
shows its author and a marker instead, until the comment is revealed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QStyledItemDelegate

from moderator.core.wellbeing.lexicon import Severity

HIDDEN = "▒▒▒▒ likely severe, hidden"
CACHE_SIZE = 20_000


class BlurredPreviewDelegate(QStyledItemDelegate):
    def __init__(self, level_of: Callable[[str], Severity], parent=None):
        super().__init__(parent)
        self.level_of = level_of
        self.active = False  # the project blurs severe comments
        self.revealed: set[int] = set()
        self._levels: dict[int, Severity] = {}  # comment id → severity of its preview

    def forget(self) -> None:
        """The lexicon changed: judge the previews again."""
        self._levels.clear()

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if not self.active:
            return
        item = index.model().item(index.row())
        if item is None or item.id in self.revealed:
            return
        level = self._levels.get(item.id)
        if level is None:
            if len(self._levels) >= CACHE_SIZE:
                self._levels.clear()
            level = self._levels[item.id] = self.level_of(item.preview)
        if level >= Severity.SEVERE:
            mark = option.text.split(" ", 1)[0]  # the status mark the model put first
            option.text = f"{mark} {item.author or 'anonymous'}: {HIDDEN}"
