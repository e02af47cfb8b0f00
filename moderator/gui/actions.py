"""Every user action in one table: id → (menu text, default keys). Each QAction's objectName is its id.

Fixed actions are listed here; the label schema adds one action per option (``label.<question>.<value>``)
and one for marking a rationale span, with the keys the schema gives them. Users remap any of them in
Preferences; their keys override the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from moderator.core.schema.definition import LabelSchema


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...] = ()
    group: str = "General"


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("label.submit", "&Submit and next", ("Return", "Enter"), "Labelling"),
    ActionSpec("label.skip", "S&kip", ("S",), "Labelling"),
    ActionSpec("label.flag", "&Flag", ("F",), "Labelling"),
    ActionSpec("label.undo", "&Undo last submission", ("Ctrl+Z",), "Labelling"),
    ActionSpec("nav.next", "&Next comment", ("Right", "J"), "Navigation"),
    ActionSpec("nav.previous", "&Previous comment", ("Left", "K"), "Navigation"),
    ActionSpec("nav.siblings", "Show &siblings", ("Ctrl+B",), "Navigation"),
    ActionSpec("nav.search", "&Find in the queue", ("Ctrl+F",), "Navigation"),
    ActionSpec("nav.filter", "&Choose the queue's list", ("Ctrl+Shift+F",), "Navigation"),
    ActionSpec("nav.queue", "Go to the &queue list", ("Ctrl+1",), "Navigation"),
    # Rationale by keyboard: a word cursor in the comment, then the spans question's key marks it.
    ActionSpec("rationale.next_word", "Select the &next word", ("Ctrl+Right",), "Rationale"),
    ActionSpec("rationale.previous_word", "Select the &previous word", ("Ctrl+Left",), "Rationale"),
    ActionSpec("rationale.grow", "&Add the next word to the selection", ("Shift+Right",), "Rationale"),
    ActionSpec("rationale.shrink", "&Take the last word off the selection", ("Shift+Left",), "Rationale"),
    ActionSpec("review.open", "&Review disagreements…", ("Ctrl+Shift+R",), "Review"),
    ActionSpec("review.agreement", "&Agreement…", ("Ctrl+Shift+A",), "Review"),
    ActionSpec("review.gold_accuracy", "&Gold accuracy…", ("Ctrl+Shift+G",), "Review"),
    ActionSpec("help.cheatsheet", "&Keyboard cheat sheet", ("?",), "Help"),
    ActionSpec("help.guidelines", "&Guidelines", ("F1",), "Help"),
    ActionSpec("file.new_project", "&New project…", ("Ctrl+N",), "File"),
    ActionSpec("file.open_project", "&Open project…", ("Ctrl+Shift+O",), "File"),
    ActionSpec("file.open_server", "Open team &server…", (), "File"),
    ActionSpec("file.import", "&Import…", ("Ctrl+O",), "File"),
    ActionSpec("file.import_gold", "Import &gold items…", (), "File"),
    ActionSpec("file.export", "&Export…", ("Ctrl+E",), "File"),
    ActionSpec("file.paste_thread", "&Paste thread", ("Ctrl+Shift+V",), "File"),
    ActionSpec("file.open_address", "Open &address…", ("Ctrl+L",), "File"),
    ActionSpec("app.preferences", "P&references…", ("Ctrl+,",), "File"),
    ActionSpec("app.quit", "&Quit", ("Ctrl+Q",), "File"),
    ActionSpec("view.zoom_in", "&Larger text", ("Ctrl++", "Ctrl+="), "View"),
    ActionSpec("view.zoom_out", "&Smaller text", ("Ctrl+-",), "View"),
    ActionSpec("wellbeing.reveal", "&Reveal blurred comment", ("Space",), "Wellbeing"),
    ActionSpec("wellbeing.skip", "Skip for my &wellbeing", ("W",), "Wellbeing"),
    ActionSpec("wellbeing.take_break", "Take a &break", ("B",), "Wellbeing"),
    ActionSpec("wellbeing.dismiss_break", "&Not now (break prompt)", ("Escape",), "Wellbeing"),
    ActionSpec("app.edit_lexicon", "Edit &lexicon…", (), "File"),
    # Queue order (a project setting: reviewers and admins change it); the last two use the assist model.
    ActionSpec("view.order.thread", "&Thread order", (), "View"),
    ActionSpec("view.order.random", "&Random order", (), "View"),
    ActionSpec("view.order.least", "&Fewest answers first", (), "View"),
    ActionSpec("view.order.toxic-first", "Likely t&oxic first (model)", (), "View"),
    ActionSpec("view.order.uncertain", "Most &uncertain first (model)", (), "View"),
    ActionSpec("view.charts", "&Charts…", (), "View"),
)


# The menu bar: titles and their action ids in order (None: a separator; "recent": the recent projects'
# submenu). The window adds the queue orders to View and the schema's questions to Label.
MENUS: dict[str, list[str | None]] = {
    "&File": ["file.new_project", "file.open_project", "file.open_server", "recent", None, "file.import",
              "file.import_gold", "file.paste_thread", "file.open_address", "file.export", None, "app.preferences",
              "app.edit_lexicon", None, "app.quit"],
    "&Label": ["label.submit", "label.skip", "label.flag", "label.undo"],
    "&View": ["nav.previous", "nav.next", "nav.siblings", None, "nav.search", "nav.filter", "nav.queue", None,
              "view.zoom_in", "view.zoom_out", None, "view.charts"],
    "&Review": ["review.open", "review.agreement", "review.gold_accuracy"],
    "Well&being": ["wellbeing.reveal", "wellbeing.skip", "wellbeing.take_break"],
    "&Help": ["help.cheatsheet", "help.guidelines"],
}  # fmt: skip


def schema_actions(schema: LabelSchema) -> tuple[ActionSpec, ...]:
    """One action per option of every choice question, and one per spans question, keyed as the schema says."""
    specs = []
    for q in schema.questions:
        if q.kind == "spans":
            specs.append(
                ActionSpec(f"label.{q.id}.mark", f"Mark selection as {q.label.lower()}", (q.key,) if q.key else (), q.label)
            )
        for option in q.options:
            specs.append(
                ActionSpec(
                    f"label.{q.id}.{option.value}", f"{q.label}: {option.label}", (option.key,) if option.key else (), q.label
                )
            )
    return tuple(specs)


def action_table(schema: LabelSchema) -> tuple[ActionSpec, ...]:
    return ACTIONS + schema_actions(schema)


def effective_keys(spec: ActionSpec, overrides: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(overrides[spec.id]) if spec.id in overrides else spec.keys


def conflicts(table: tuple[ActionSpec, ...], overrides: dict[str, list[str]]) -> dict[str, list[str]]:
    """Key → the action ids bound to it, for every key bound more than once."""
    owners: dict[str, list[str]] = {}
    for spec in table:
        for key in effective_keys(spec, overrides):
            normal = QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)
            owners.setdefault(normal, []).append(spec.id)
    return {key: ids for key, ids in owners.items() if len(ids) > 1}


def make_actions(parent: QWidget, table: tuple[ActionSpec, ...], overrides: dict[str, list[str]]) -> dict[str, QAction]:
    actions = {}
    for spec in table:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.id)
        action.setShortcuts([QKeySequence(k) for k in effective_keys(spec, overrides)])
        parent.addAction(action)
        actions[spec.id] = action
    return actions


def apply_keys(actions: dict[str, QAction], table: tuple[ActionSpec, ...], overrides: dict[str, list[str]]) -> None:
    for spec in table:
        if spec.id in actions:
            actions[spec.id].setShortcuts([QKeySequence(k) for k in effective_keys(spec, overrides)])
