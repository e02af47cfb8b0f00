"""Wellbeing in the window: blur, lexicon highlights, breaks, the daily stop, greyscale and check-ins.

It lays the covers out and forwards to moderator.core.wellbeing.session, which decides everything: what is
severe, when a break is due, when the day's cap is reached. Project options load on the worker before
the first comment arrives (the worker runs jobs in order), so a severe first comment is never shown
unblurred.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QPalette

from moderator.core.labelling.session import ItemState
from moderator.core.wellbeing import session as wellbeing
from moderator.core.wellbeing.lexicon import (
    Lexicon,
    Match,
    Severity,
    active_lexicon,
    ensure_user_lexicon,
    hint,
    user_lexicon_path,
)
from moderator.core.wellbeing.session import Session, WellbeingConfig
from moderator.gui.colours import greyscale_palette
from moderator.gui.wellbeing.blur import BlurCover
from moderator.gui.wellbeing.blur_delegate import BlurredPreviewDelegate
from moderator.gui.wellbeing.break_prompt import BreakPrompt, BreakScreen
from moderator.gui.wellbeing.checkins import CheckinAsker
from moderator.gui.wellbeing.highlight import LexiconHighlighter
from moderator.gui.wellbeing.stop_screen import StopScreen

# Actions that go quiet while a cover (break, stop screen) is up; the skip stays on the stop screen.
PAUSED_PREFIXES = ("label.", "nav.", "wellbeing.reveal", "wellbeing.take_break", "wellbeing.dismiss_break")


class WellbeingController(QObject):
    def __init__(self, window, clock: Callable[[], datetime] = wellbeing.utc_now, tz: tzinfo | None = None):
        super().__init__(window)
        self.window = window
        self.session = Session(WellbeingConfig(), clock, tz)
        self.lexicon, error = active_lexicon()
        self.state: ItemState | None = None
        self.level = Severity.NONE
        self.revealed: set[int] = set()
        self._paused: list = []
        view = window.comment_view
        self.highlighter = LexiconHighlighter(view.text.document())
        self.text_blur = BlurCover(view.text, "reveal_comment")
        self.parent_blur = BlurCover(view.parents, "reveal_parent")
        self.delegate = BlurredPreviewDelegate(self.level_of, window.queue)
        window.queue.setItemDelegate(self.delegate)
        anchor = window.centralWidget()
        self.prompt = BreakPrompt(window, anchor)
        self.break_screen = BreakScreen(window, anchor)
        self.stop_screen = StopScreen(window, anchor)
        self.checkins = CheckinAsker(window, anchor, lambda: self.session.config.checkins)
        self._palette = window.palette()
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(lambda _: self.reload_lexicon())
        self._watch()
        window.status.elapsed = self.session.active_seconds
        self._connect()
        self.apply_config(self.session.config)
        if error:
            window.status.showMessage(error, 20000)
        window.worker.submit(window.project.wellbeing_config, on_done=lambda c: (self.apply_config(c), self.checkins.at_start()))
        day = self.session.today()
        window.worker.submit(
            window.project.severe_answered_on, window.account.id, day, tz, self.level_of,
            on_done=lambda ids: (self.session.add_stored(day, ids), self._show_counts()),
        )  # fmt: skip

    def _connect(self) -> None:
        a = self.window.actions_by_id
        a["wellbeing.reveal"].triggered.connect(self.reveal)
        a["wellbeing.skip"].triggered.connect(self.skip)
        a["wellbeing.take_break"].triggered.connect(self.take_break)
        a["wellbeing.dismiss_break"].triggered.connect(self.dismiss_break)
        a["wellbeing.dismiss_break"].setEnabled(False)
        a["app.edit_lexicon"].triggered.connect(self.edit_lexicon)
        self.text_blur.revealed.connect(self.reveal)
        self.parent_blur.revealed.connect(self.reveal)
        self.prompt.take.connect(self.take_break)
        self.prompt.dismissed.connect(self.dismiss_break)
        self.break_screen.back.connect(self.end_break)
        self.stop_screen.skip.connect(self.skip)
        self.stop_screen.close_app.connect(self.window.close)
        self.stop_screen.go_on.connect(self.override_cap)
        self.window.labelling.shown.connect(self.show_item)

    # the comment on screen ------------------------------------------------------------------------

    def level_of(self, text: str) -> Severity:
        return wellbeing.severity(text, lexicon=self.lexicon)

    def show_item(self, state: ItemState | None) -> None:
        self.state = state
        if state is None:
            self.highlighter.set_matches("", [])
            self.window.label_panel.show_lexicon_hint("")
            self.text_blur.set_blurred(False)
            self.parent_blur.set_blurred(False)
            return
        text = state.context.comment.text
        matches = self.lexicon.find(text)
        self.level = max((m.severity for m in matches), default=Severity.NONE)
        self.highlighter.set_matches(text, matches)
        self.window.label_panel.show_lexicon_hint(hint(matches))
        self._apply_blur(matches)
        if self.session.over_cap(state.item.id, self.level):
            self._cover(self.stop_screen, keep_skip=True)
            self.stop_screen.stop(self.session.severe_today(), self.session.config.daily_cap)
            return
        self.session.saw(state.item.id, self.level)
        self._show_counts()
        reason = self.session.break_due()
        if reason and not self.prompt.isVisible():
            self.prompt.ask(reason, self.session.config.break_length_minutes)
            self.window.actions_by_id["wellbeing.dismiss_break"].setEnabled(True)

    def _apply_blur(self, matches: list[Match]) -> None:
        state = self.state
        hidden = state is not None and state.item.id not in self.revealed
        blur_text = hidden and wellbeing.should_blur(self.session.config, self.level)
        found = ", ".join(dict.fromkeys(m.category.label for m in matches))
        self.text_blur.set_blurred(
            blur_text, f"Likely severe: {found}\nSpace or a click reveals it · W skips it for your wellbeing"
        )
        if blur_text:
            self.window.labelling.note("blurred")
        parent = state.context.parents[0] if state is not None and state.context.parents else None
        blur_parent = hidden and parent is not None and wellbeing.should_blur(self.session.config, self.level_of(parent.text))
        self.parent_blur.set_blurred(blur_parent, "The comment replied to is likely severe\nSpace or a click reveals it")

    def reveal(self) -> None:
        if self.state is None:
            return
        if self.text_blur.blurred:
            self.window.labelling.note("revealed")
        self.revealed.add(self.state.item.id)
        self.delegate.revealed.add(self.state.item.id)
        self.window.queue.viewport().update()
        self.text_blur.set_blurred(False)
        self.parent_blur.set_blurred(False)

    def skip(self) -> None:
        if self.stop_screen.isVisible():
            self._uncover(self.stop_screen)
        self.window.labelling.skip_for_wellbeing()

    def _show_counts(self) -> None:
        self.window.status.set_severe(len(self.session.seen), self.session.severe_today())

    # breaks and the daily cap ---------------------------------------------------------------------

    def take_break(self) -> None:
        self.dismiss_break()
        self.session.start_break()
        self._cover(self.break_screen)
        self.break_screen.show_left(self.session.break_left())

    def dismiss_break(self) -> None:
        if self.prompt.isVisible():
            self.session.dismiss_break()
            self.prompt.hide()
        self.window.actions_by_id["wellbeing.dismiss_break"].setEnabled(False)

    def end_break(self) -> None:
        self.session.end_break()
        self._uncover(self.break_screen)
        self.checkins.after_break()

    def override_cap(self) -> None:
        self.session.override_cap()
        self._uncover(self.stop_screen)
        self.show_item(self.state)

    def tick(self) -> None:
        """Once a second: the break's countdown (the status bar reads the clock itself)."""
        if self.break_screen.isVisible():
            self.break_screen.show_left(self.session.break_left())

    def _cover(self, cover, keep_skip: bool = False) -> None:
        if not self._paused:
            self._paused = [
                action for action_id, action in self.window.actions_by_id.items()
                if action_id.startswith(PAUSED_PREFIXES) and action.isEnabled()
            ]  # fmt: skip
            for action in self._paused:
                action.setEnabled(False)
        self.window.actions_by_id["wellbeing.skip"].setEnabled(keep_skip)
        cover.open()

    def _uncover(self, cover) -> None:
        cover.hide()
        for action in self._paused:
            action.setEnabled(True)
        self._paused = []
        self.window.actions_by_id["wellbeing.skip"].setEnabled(True)
        self.window.activateWindow()

    @property
    def covered(self) -> bool:
        return self.break_screen.isVisible() or self.stop_screen.isVisible()

    # options and the lexicon ------------------------------------------------------------------------

    def apply_config(self, config: WellbeingConfig) -> None:
        self.session.config = config
        window = self.window
        palette = greyscale_palette(self._palette) if config.greyscale else self._palette
        window.setPalette(palette)
        window.comment_view.set_greyscale(config.greyscale)
        self.highlighter.set_style(palette, config.greyscale)
        self.delegate.active = config.blur
        window.queue.viewport().update()
        if self.state is not None:
            self._apply_blur(self.lexicon.find(self.state.context.comment.text))

    def restyle(self) -> None:
        """The theme changed: highlights and greyscale are drawn again from the new palette."""
        self.window.setPalette(QPalette())  # the application's palette again, as the new theme set it
        self._palette = self.window.palette()
        self.apply_config(self.session.config)

    def save_config(self, changes: dict) -> None:
        project = self.window.project
        self.window.worker.submit(lambda: project.configure_wellbeing(**changes), on_done=self.apply_config)

    def edit_lexicon(self) -> None:
        path = ensure_user_lexicon()
        self._watch()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _watch(self) -> None:
        path = str(user_lexicon_path())
        if user_lexicon_path().is_file() and path not in self._watcher.files():
            self._watcher.addPath(path)

    def reload_lexicon(self) -> None:
        self.lexicon, error = active_lexicon()
        self._watch()  # editors that save by replacing the file end the watch
        self.window.status.showMessage(error or f"Lexicon reloaded: {self.lexicon.terms} terms.", 20000 if error else 5000)
        self.delegate.forget()
        self.window.queue.viewport().update()
        if self.state is not None:
            self.show_item(self.state)

    def set_lexicon(self, lexicon: Lexicon) -> None:
        """Use another lexicon (tests; a project lexicon later)."""
        self.lexicon = lexicon
        self.delegate.forget()
        if self.state is not None:
            self.show_item(self.state)
