"""Preferences from the window: keys, wellbeing, appearance and the model hint, each applied where it lives.

Keys and the theme are this person's (QSettings); wellbeing and the hint are the project's, written on the
window's worker; the hint mode in force was read there before the dialog opened.
"""

from __future__ import annotations

from moderator.gui import settings
from moderator.gui.actions import apply_keys
from moderator.gui.dialogs.appearance_page import AppearancePage
from moderator.gui.dialogs.hint_page import HintPage
from moderator.gui.dialogs.preferences import PreferencesDialog
from moderator.gui.theme import change_theme
from moderator.gui.wellbeing.preferences_page import WellbeingPage


def edit_preferences(window, hint_mode: str) -> None:
    """Show Preferences over ``window`` (the main window) and apply what was changed."""
    dialog = PreferencesDialog(window.action_table, settings.key_overrides(), window)
    wellbeing = WellbeingPage(window.wellbeing.session.config, window.account.sees_all, window.wellbeing.edit_lexicon)
    dialog.add_page(wellbeing, "&Wellbeing")
    appearance = AppearancePage()
    dialog.add_page(appearance, "A&ppearance")  # Alt+A is "Reset all"
    hint = HintPage(hint_mode, editable=window.account.sees_all)
    dialog.add_page(hint, "&Model hint")
    if not dialog.exec():
        return
    if wellbeing.changes():
        window.wellbeing.save_config(wellbeing.changes())
    if hint.changes():
        window.worker.submit(window.project.hint_mode, hint.changes(), on_done=lambda mode: window.status.showMessage(
            f"Model hint: {mode}, for everyone on this project.", 6000))  # fmt: skip
    if appearance.changes():
        change_theme(appearance.changes())  # stored, and applied to every window now (its event() redraws)
    overrides = dialog.overrides()
    settings.set_key_overrides(overrides)
    apply_keys(window.actions_by_id, window.action_table, overrides)
    if window.cheat_sheet is not None:
        window.cheat_sheet.update_keys(overrides)
