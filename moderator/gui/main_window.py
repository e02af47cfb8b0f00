"""The main window: queue on the left, the comment in context in the centre, labels on the right.

It lays widgets out and forwards actions; the labelling loop lives in LabellingController and the
work itself in moderator.core, reached through the Project on the database worker: the GUI thread
runs no SQL.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from moderator.core.labelling.browse import FILTERS, QueueItem
from moderator.core.labelling.session import ItemState
from moderator.core.project import Project
from moderator.core.schema.definition import LabelSchema
from moderator.core.store.settings import ORDERINGS
from moderator.core.team.accounts import Account, AuthError
from moderator.gui import settings
from moderator.gui.actions import MENUS, action_table, conflicts, make_actions
from moderator.gui.background.assist_trainer import AssistTrainer
from moderator.gui.background.workers import DbWorker
from moderator.gui.dialogs.cheat_sheet import CheatSheetDialog, GuidelinesDialog
from moderator.gui.dialogs.survey_flow import SurveyFlow
from moderator.gui.importing.flow import ImportController
from moderator.gui.importing.open_address import AddressOpener
from moderator.gui.labelling import drafts_prompt
from moderator.gui.labelling.comment_view import CommentView
from moderator.gui.labelling.controller import LabellingController
from moderator.gui.labelling.field_keys import FieldKeys
from moderator.gui.labelling.label_panel import LabelPanel
from moderator.gui.labelling.queue_model import QueueModel
from moderator.gui.labelling.status_bar import StatusBar
from moderator.gui.preferences_flow import open_preferences
from moderator.gui.review.gold_flow import GoldFlow
from moderator.gui.review.window import ReviewWindow
from moderator.gui.wellbeing.controller import WellbeingController

SEARCH_DELAY_MS = 300
# The keyboard's word steps in the comment (core.labelling.word_steps), by action id.
WORD_STEPS = {"rationale.next_word": "next", "rationale.previous_word": "previous", "rationale.grow": "grow",
              "rationale.shrink": "shrink"}  # fmt: skip


class MainWindow(QMainWindow):
    def __init__(self, project: Project, db_name: str, account: Account, schema: LabelSchema, *, clock=None):
        super().__init__()
        self.project = project
        self.schema = schema
        self.account = account
        annotator, annotator_id = account.name, account.id
        self.setWindowTitle(f"Moderator — {db_name}")
        self.resize(1280, 800)
        self.worker = DbWorker(self)
        self.worker.failed.connect(lambda exc: self.statusBar().showMessage(f"Error: {exc}", 10000))

        self.action_table = action_table(schema)
        self.actions_by_id = make_actions(self, self.action_table, settings.key_overrides())

        self.filter_box = QComboBox()
        self.filter_box.setObjectName("queue_filter")
        self.filter_box.addItems([f.capitalize() for f in FILTERS])
        self.search_box = QLineEdit()
        self.search_box.setObjectName("queue_search")
        self.search_box.setPlaceholderText("Search comments and authors (Ctrl+F)")
        self.filter_box.setToolTip("Which comments the list shows (Ctrl+Shift+F)")
        self.search_box.setClearButtonEnabled(True)
        self.queue_model = QueueModel(self.project, self.worker, annotator_id, settings.queue_filter("unlabelled"), parent=self)
        self.queue_model.failed.connect(lambda exc: self.statusBar().showMessage(f"Could not read the queue: {exc}", 10000))
        self.filter_box.setCurrentIndex(
            FILTERS.index(self.queue_model.filter_name) if self.queue_model.filter_name in FILTERS else 0
        )
        # A one-column table, not a list view: with fixed row heights its layout costs nothing per row,
        # where QListView lays out every loaded row again on each selection (0.2 s at 200k rows).
        self.queue = QTableView()
        self.queue.setObjectName("queue")
        self.queue.setModel(self.queue_model)
        self.queue.horizontalHeader().hide()
        self.queue.verticalHeader().hide()
        self.queue.horizontalHeader().setStretchLastSection(True)
        self.queue.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.queue.setShowGrid(False)
        self.queue.setWordWrap(False)
        self.queue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # previews are elided
        self.queue.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._fit_queue_rows()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.filter_box, self.search_box, self.queue):
            left_layout.addWidget(widget)

        self.comment_view = CommentView()
        self.label_panel = LabelPanel(schema)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (left, self.comment_view, self.label_panel):
            splitter.addWidget(widget)
        splitter.setSizes([300, 680, 320])
        self.setCentralWidget(splitter)
        self.status = StatusBar(annotator)
        self.setStatusBar(self.status)

        self.labelling = LabellingController(self.project, self.worker, annotator_id, self.label_panel, self)
        # Before the first item is asked for: the project's wellbeing options load first on the worker.
        self.wellbeing = WellbeingController(self, clock) if clock else WellbeingController(self)
        self.assist_trainer = AssistTrainer(self.project, self)
        self.charts_dialog = None
        self.importer = ImportController(self, self.project, self.worker)
        self.importer.install_drop_target(self)
        self.gold = GoldFlow(self)  # the note after a check item; Review → Gold accuracy; File → Import gold items
        self.cheat_sheet: CheatSheetDialog | None = None
        self.review: ReviewWindow | None = None
        self.guidelines: GuidelinesDialog | None = None
        self._syncing = False
        self._leaving_confirmed = False
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._build_menus()
        self._connect()
        self._restore_view()
        clashes = conflicts(self.action_table, settings.key_overrides())
        if clashes:
            self.status.showMessage("Keys bound twice: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in clashes.items()), 15000)
        self.labelling.start()
        self.survey = SurveyFlow(self)  # the schema's survey, once, if it has one: asked after the first comment
        if account.trains_assist_model:
            self.assist_trainer.start()

    # layout ---------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        a = self.actions_by_id
        for title, ids in MENUS.items():
            if title == "&Review" and not self.account.sees_all:
                continue  # annotators label blind: no one else's answers, no agreement figures
            menu = self.menuBar().addMenu(title)
            for action_id in ids:
                if action_id == "recent":
                    self.recent_menu = menu.addMenu("Open &recent")
                    self.recent_menu.aboutToShow.connect(lambda: self.projects.fill_recent_menu(self.recent_menu))
                    continue
                menu.addSeparator() if action_id is None else menu.addAction(a[action_id])
            if title == "&View":
                order = menu.addMenu("Queue &order")
                order.addActions([a[f"view.order.{o}"] for o in ORDERINGS])
            if title == "&Label":
                for q in self.schema.questions:
                    own = [a[k] for k in a if k.startswith(f"label.{q.id}.")]
                    if own:
                        submenu = menu.addMenu(q.label)
                        submenu.addActions(own)
                words = menu.addMenu("Rationale &words")
                words.addActions([a[k] for k in a if k.startswith("rationale.")])

    def _connect(self) -> None:
        a, c = self.actions_by_id, self.labelling
        a["label.submit"].triggered.connect(c.submit)
        a["label.skip"].triggered.connect(c.skip)
        a["label.flag"].triggered.connect(c.flag)
        a["label.undo"].triggered.connect(c.undo)
        a["nav.next"].triggered.connect(lambda: c.dispatch(lambda: self.step(1)))
        a["nav.previous"].triggered.connect(lambda: c.dispatch(lambda: self.step(-1)))
        a["nav.siblings"].triggered.connect(self.toggle_siblings)
        a["view.zoom_in"].triggered.connect(lambda: self.zoom(1))
        a["view.zoom_out"].triggered.connect(lambda: self.zoom(-1))
        a["app.quit"].triggered.connect(lambda: c.after_pending(self.close))
        a["app.preferences"].triggered.connect(lambda: open_preferences(self))
        a["help.cheatsheet"].triggered.connect(self.toggle_cheat_sheet)
        a["help.guidelines"].triggered.connect(lambda: self.show_guidelines(None))
        for action_id in ("review.open", "review.agreement"):
            a[action_id].setEnabled(self.account.sees_all)
        a["review.open"].triggered.connect(self.open_review)
        a["review.agreement"].triggered.connect(self.show_agreement)
        self._order_group = QActionGroup(self)
        for ordering in ORDERINGS:
            action = a[f"view.order.{ordering}"]
            action.setCheckable(True)
            action.setEnabled(self.account.sees_all)  # a project setting: reviewers and admins choose
            self._order_group.addAction(action)
            action.triggered.connect(lambda _=False, o=ordering: self.set_ordering(o))
        self.worker.submit(self.project.ordering, on_done=self._show_ordering)
        a["view.charts"].triggered.connect(self.show_charts)
        c.item_changed.connect(self.assist_trainer.note_label)
        self.assist_trainer.trained.connect(
            lambda facts: self.status.showMessage(
                f"Model retrained on {facts.labels_trained_on} labels ({facts.positives} comments positive).", 5000
            )
        )
        a["file.import"].triggered.connect(self.importer.choose_files)
        a["file.export"].triggered.connect(self.export)
        a["file.new_project"].triggered.connect(lambda: self.projects.new_project())
        a["file.open_project"].triggered.connect(lambda: self.projects.open_project())
        a["file.open_server"].triggered.connect(lambda: self.projects.open_server())
        a["nav.search"].triggered.connect(self.find_in_queue)
        a["nav.filter"].triggered.connect(self.choose_queue_list)
        a["nav.queue"].triggered.connect(lambda: self.queue.setFocus(Qt.FocusReason.ShortcutFocusReason))
        for action_id, move in WORD_STEPS.items():
            a[action_id].triggered.connect(lambda _=False, m=move: self.comment_view.step_selection(m))
        self.label_panel.spans_changed.connect(lambda: self.comment_view.show_rationale(self.label_panel.spans()))
        FieldKeys(self.search_box, on_enter=self._open_first_found, on_escape=self._leave_search)
        a["file.paste_thread"].triggered.connect(self.importer.paste_from_clipboard)
        self.address_opener = AddressOpener(self, self.project, self.worker, self._on_imported, a["file.open_address"])
        self.importer.imported.connect(self._on_imported)
        self.label_panel.guideline_requested.connect(self.show_guidelines)
        for q in self.schema.questions:
            for option in q.options:
                a[f"label.{q.id}.{option.value}"].triggered.connect(lambda _=False, qid=q.id, v=option.value: c.choose(qid, v))
            if q.kind == "spans":
                a[f"label.{q.id}.mark"].triggered.connect(lambda _=False, qid=q.id: self.mark_rationale(qid))
        self.label_panel.mark_requested.connect(self.mark_rationale)
        c.shown.connect(self._on_shown)
        c.item_changed.connect(self._on_item_changed)
        c.progress.connect(self.status.set_progress)
        c.notice.connect(lambda text: self.status.showMessage(text, 8000))
        c.sync_state.connect(self.status.sync_label.setText)
        c.refused.connect(self._on_refused)
        self.queue.selectionModel().currentChanged.connect(self._on_queue_current)
        self.filter_box.currentIndexChanged.connect(self._requery)
        self.search_box.textChanged.connect(lambda _: self._search_timer.start())
        self._search_timer.timeout.connect(self._requery)

    def _restore_view(self) -> None:
        geometry = settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        size = settings.font_size(0.0)
        if size > 0:
            font = self.font()
            font.setPointSizeF(size)
            self.setFont(font)
            self._fit_queue_rows()

    # forwarding -----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """The labelling loop or the queue list waits for the database worker."""
        return self.labelling.busy or self.queue_model.busy

    def step(self, delta: int) -> None:
        """Previous/next comment in the queue list.

        Past the rows loaded, the next page comes first (from the worker); keys typed meanwhile wait.
        """
        model = self.queue_model
        row = self.queue.currentIndex().row() + delta
        if row >= model.rowCount() and model.more_to_come:
            self.labelling.hold(lambda done: model.fetch_more(then=done), lambda: self.step(delta))
            return
        comment_id = model.comment_id(min(max(row, 0), model.rowCount() - 1))
        if comment_id is not None and (self.labelling.state is None or comment_id != self.labelling.state.item.id):
            self.labelling.open(comment_id)

    def mark_rationale(self, qid: str) -> None:
        span = self.comment_view.selected_span()
        if span is None:
            self.status.showMessage("Select words in the comment first, then press the rationale key.", 6000)
            return
        self.label_panel.add_span(qid, *span)  # the comment redraws its marks (spans_changed)
        self.comment_view.collapse_selection()

    def find_in_queue(self) -> None:
        """Ctrl+F: type to search the queue; what is typed there never reaches the label keys."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def choose_queue_list(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.showPopup()

    def _open_first_found(self) -> None:
        """Enter in the search box: the results' first comment, and the keys back to labelling."""
        self._search_timer.stop()
        self._requery()
        self.queue.setFocus(Qt.FocusReason.ShortcutFocusReason)

        def first() -> None:
            if self.queue_model.rowCount():
                self.queue.setCurrentIndex(self.queue_model.index(0))

        self.queue_model.fetch_more(then=first)

    def _leave_search(self) -> None:
        self.queue.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def export(self) -> None:
        from moderator.gui.exporting.flow import ExportController

        ExportController(self, self.project, self.account).start()  # a child of the window; says its own result

    @property
    def projects(self):
        """File → New / Open project and the recent ones (made when first used)."""
        if getattr(self, "_projects", None) is None:
            from moderator.gui.projects.switcher import ProjectSwitcher

            self._projects = ProjectSwitcher(self)
        return self._projects

    def toggle_siblings(self) -> None:
        state = self.labelling.state
        if state is None or self.comment_view.siblings.isVisible():
            self.comment_view.show_siblings(None)
            return
        self.labelling.note("siblings_opened")
        self.worker.submit(self.project.siblings, state.item.id, on_done=self.comment_view.show_siblings)

    def zoom(self, steps: int) -> None:
        font = self.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() + steps))
        self.setFont(font)
        settings.set_font_size(font.pointSizeF())
        self._fit_queue_rows()

    def _fit_queue_rows(self) -> None:
        self.queue.verticalHeader().setDefaultSectionSize(self.queue.fontMetrics().height() + 4)

    def toggle_cheat_sheet(self) -> None:
        if self.cheat_sheet is None:
            self.cheat_sheet = CheatSheetDialog(self.action_table, settings.key_overrides(), self.schema, self)
        if self.cheat_sheet.isVisible():
            self.cheat_sheet.close()
        else:
            self.cheat_sheet.show()
            self.cheat_sheet.raise_()
            self.cheat_sheet.activateWindow()

    def show_guidelines(self, qid: str | None) -> None:
        if self.guidelines is None:
            self.guidelines = GuidelinesDialog(self.schema, self)
        if qid:
            self.guidelines.show_question(qid)
        self.guidelines.show()
        self.guidelines.raise_()

    def open_review(self) -> None:
        try:
            if self.review is None:
                self.review = ReviewWindow(self.project, self.worker, self.account, self.schema, self)
                self.review.label_panel.guideline_requested.connect(self.show_guidelines)
            else:
                self.review.refresh()
        except AuthError as exc:
            self.status.showMessage(str(exc), 8000)
            return
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()

    def show_agreement(self) -> None:
        from moderator.gui.review.agreement import AgreementDialog

        if not self.account.sees_all:
            return
        self.status.showMessage("Computing agreement…")

        def show(report: dict) -> None:
            self.status.clearMessage()
            self.agreement_dialog = AgreementDialog(report, self)  # kept: the dialog is not modal
            self.agreement_dialog.show()

        self.worker.submit(self.project.agreement_report, on_done=show)

    def set_ordering(self, ordering: str) -> None:
        """The queue order for everyone on this database, from the next comment on."""
        name = self.actions_by_id[f"view.order.{ordering}"].text().replace("&", "")

        def done(_settings) -> None:
            self.status.showMessage(f"Queue order: {name}.", 5000)

        self.worker.submit(lambda: self.project.configure_claims(ordering=ordering), on_done=done)

    def _show_ordering(self, ordering: str) -> None:
        action = self.actions_by_id.get(f"view.order.{ordering}")
        if action is not None:
            action.setChecked(True)

    def show_charts(self) -> None:
        from moderator.gui.review.charts import ChartsDialog

        if self.charts_dialog is None:  # the core keeps an annotator's charts to their own labels
            self.charts_dialog = ChartsDialog(self.project, self.account, self)
        self.charts_dialog.show()
        self.charts_dialog.raise_()

    def _on_imported(self, summaries: list) -> None:
        added = sum(s.comments_added for s in summaries)
        self.status.showMessage(f"Imported {added} comments.", 8000)
        self._requery()
        if self.labelling.state is None and added:
            self.labelling.start()  # the queue was empty: show the first new comment
        else:
            self.labelling.refresh_progress()

    def _requery(self) -> None:
        name = FILTERS[self.filter_box.currentIndex()]
        settings.set_queue_filter(name)
        self.queue_model.set_query(name, self.search_box.text())
        self.queue_model.fetch_more(then=self._select_on_screen)  # the comment on screen, if in the first page

    def _select_on_screen(self) -> None:
        if self.labelling.state is not None:
            self._select(self.labelling.state.item, load=False)

    # results --------------------------------------------------------------------------------------

    def _on_shown(self, state: ItemState | None) -> None:
        if state is None:
            self.comment_view.caption.setText("Nothing to label yet: File → Import, Open address or Paste thread, or drop files.")
            return
        self.comment_view.show_context(state.context, hide_context=self.labelling.context_hidden)
        self.comment_view.show_rationale(self.label_panel.spans())
        self._select(state.item)

    def _on_item_changed(self, item: QueueItem) -> None:
        self.queue_model.update_item(item)

    def _on_refused(self, missing: list[str]) -> None:
        self.label_panel.show_missing(missing)
        names = ", ".join(self.schema.question(q).label for q in missing)
        self.status.showMessage(f"Not submitted: answer {names} first.", 8000)
        QApplication.beep()

    def _select(self, item: QueueItem, load: bool = True) -> None:
        """Make ``item`` the queue's current row. Below the rows loaded, the list first pages on to it on
        the worker (``load``), then selects it if it is still the comment on screen."""
        model = self.queue_model
        row = model.row_of(item.id, item.key)
        if row is None and load and model.could_hold(item.key):

            def loaded() -> None:
                if self.labelling.state is not None and self.labelling.state.item.id == item.id:
                    self._select(item, load=False)

            model.load_through(item.id, item.key, then=loaded)
            return
        self._syncing = True
        try:
            if row is None:
                self.queue.selectionModel().clearCurrentIndex()
            else:
                index = self.queue_model.index(row)
                self.queue.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.queue.scrollTo(index)
        finally:
            self._syncing = False

    def _on_queue_current(self, current, _previous) -> None:
        if self._syncing or not current.isValid():
            return
        comment_id = self.queue_model.comment_id(current.row())
        if comment_id is not None and (self.labelling.state is None or comment_id != self.labelling.state.item.id):
            self.labelling.open(comment_id)

    def confirm_leaving(self) -> bool:
        """Quit (or open another project) with answers not submitted? Asks; True to go on."""
        unsubmitted = self.labelling.unsubmitted()
        return not unsubmitted or drafts_prompt.ask_quit_with_drafts(self, unsubmitted)

    def close_confirmed(self) -> bool:
        """Close without asking again: the person has just confirmed leaving (confirm_leaving)."""
        self._leaving_confirmed = True
        return self.close()

    def event(self, event) -> bool:
        handled = super().event(event)
        # The theme changed (Preferences, or the system's light or dark): Qt does not pass this to changeEvent.
        if event.type() == QEvent.Type.ApplicationPaletteChange and hasattr(self, "wellbeing"):
            self.wellbeing.restyle()
        return handled

    def closeEvent(self, event) -> None:
        if self.labelling.closed:  # closed before (Qt may ask twice): the worker is gone, nothing to do
            super().closeEvent(event)
            return
        if not self._leaving_confirmed and not self.confirm_leaving():
            event.ignore()
            return
        settings.set_window_geometry(self.saveGeometry())
        self.wellbeing.checkins.at_quit()  # "how are you?" once more, if the project asks (one key, or Esc)
        self.labelling.finish()
        self.assist_trainer.shutdown()
        self.worker.shutdown()  # every queued submission is committed before the window goes
        super().closeEvent(event)
