"""Preferences from the window: keys, wellbeing, appearance, the model hint and gold items, each applied
where it lives.

Keys and the theme are this person's (QSettings); wellbeing, the hint and gold items are the project's,
written on the window's worker; the hint mode and gold settings in force were read there before the
dialog opened (``open_preferences``). Annotators have no gold items page.
"""

from __future__ import annotations

from moderator.core.store.settings import GoldSettings
from moderator.gui import settings
from moderator.gui.actions import apply_keys
from moderator.gui.dialogs.appearance_page import AppearancePage
from moderator.gui.dialogs.gold_page import GoldPage, describe
from moderator.gui.dialogs.hint_page import HintPage
from moderator.gui.dialogs.preferences import PreferencesDialog
from moderator.gui.theme import change_theme
from moderator.gui.wellbeing.preferences_page import WellbeingPage


def open_preferences(window) -> None:
    """Preferences, once the project's settings shown there are read (on the worker, never here)."""
    project, lead = window.project, window.account.sees_all
    window.worker.submit(lambda: (project.hint_mode(), project.gold_settings() if lead else None),
                         on_done=lambda read: edit_preferences(window, *read))  # fmt: skip


def edit_preferences(window, hint_mode: str, gold_settings: GoldSettings | None = None) -> None:
    """Show Preferences over ``window`` (the main window) and apply what was changed."""
    dialog = PreferencesDialog(window.action_table, settings.key_overrides(), window)
    wellbeing = WellbeingPage(window.wellbeing.session.config, window.account.sees_all, window.wellbeing.edit_lexicon)
    dialog.add_page(wellbeing, "&Wellbeing")
    appearance = AppearancePage()
    dialog.add_page(appearance, "A&ppearance")  # Alt+A is "Reset all"
    hint = HintPage(hint_mode, editable=window.account.sees_all)
    dialog.add_page(hint, "&Model hint")
    gold = GoldPage(gold_settings) if gold_settings is not None else None
    if gold is not None:
        dialog.add_page(gold, "G&old items")
    if not dialog.exec():
        return
    if wellbeing.changes():
        window.wellbeing.save_config(wellbeing.changes())
    if hint.changes():
        window.worker.submit(window.project.hint_mode, hint.changes(), on_done=lambda mode: window.status.showMessage(
            f"Model hint: {mode}, for everyone on this project.", 6000))  # fmt: skip
    changes = gold.changes() if gold is not None else {}
    if changes:
        window.worker.submit(lambda: window.project.gold_settings(**changes),
                             on_done=lambda saved: window.status.showMessage(describe(saved), 6000))  # fmt: skip
    if appearance.changes():
        change_theme(appearance.changes())  # stored, and applied to every window now (its event() redraws)
    overrides = dialog.overrides()
    settings.set_key_overrides(overrides)
    apply_keys(window.actions_by_id, window.action_table, overrides)
    if window.cheat_sheet is not None:
        window.cheat_sheet.update_keys(overrides)
