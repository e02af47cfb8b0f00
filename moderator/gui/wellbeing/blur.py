"""Things laid over the window: a blur over a likely severe text until revealed, and full covers.

A blurred text keeps its shape (length, paragraphs) so the annotator can judge how much there is and
choose to reveal it (a key or a click) or skip it, without reading it first.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QWidget

BLUR_SCALE = 8  # the text is drawn at 1/8 size and scaled back up: a blur that keeps the shape


class BlurCover(QObject):
    """Covers ``target`` with a blurred picture of it and a reveal button; ``revealed`` fires on a click.

    A picture over the widget, not a QGraphicsEffect on it: an effect on a scroll area draws stale
    parts of other widgets, and a cover is opaque from the first frame, so the text never flashes.
    """

    revealed = Signal()

    def __init__(self, target: QWidget, object_name: str):
        super().__init__(target)
        self.target = target
        host = target.parentWidget()  # siblings of the target, drawn over it
        self.picture = QLabel(host)
        self.picture.setObjectName(object_name + "_blur")
        self.picture.setTextFormat(Qt.TextFormat.PlainText)  # it shows a picture; never text as HTML
        self.picture.setAutoFillBackground(True)
        self.picture.setBackgroundRole(QPalette.ColorRole.Base)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.picture.hide()
        self.button = QPushButton(host)
        self.button.setObjectName(object_name)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.revealed.emit)
        self.button.hide()
        self._on = False
        target.installEventFilter(self)

    @property
    def blurred(self) -> bool:
        return self._on

    def set_blurred(self, on: bool, caption: str = "") -> None:
        self._on = on
        if on:
            self.button.setText(caption)
            self.picture.clear()  # plain until the picture is drawn, once the layout has settled
            self._sync()
            QTimer.singleShot(0, self._draw)
        else:
            self.picture.hide()
            self.button.hide()

    def _sync(self) -> None:
        visible = self._on and self.target.isVisible()
        geometry = self.target.geometry()
        self.picture.setGeometry(geometry)
        hint = self.button.sizeHint()
        width = min(hint.width(), max(geometry.width() - 16, 80))
        self.button.setGeometry(geometry.x() + (geometry.width() - width) // 2, geometry.y() + 12, width, hint.height())
        for widget in (self.picture, self.button):
            widget.setVisible(visible)
            widget.raise_()

    def _draw(self) -> None:
        if not self._on or not self.target.isVisible():
            return
        shot = self.target.grab()
        size = shot.size()
        small = shot.scaled(max(1, size.width() // BLUR_SCALE), max(1, size.height() // BLUR_SCALE),
                            Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)  # fmt: skip
        self.picture.setPixmap(
            small.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
        )
        self._sync()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.target and event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show, QEvent.Type.Hide):
            if self._on:
                self._sync()
                if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
                    QTimer.singleShot(0, self._draw)
        return False


class Cover(QFrame):
    """A panel over ``anchor`` (the window's central area): all of it, or a strip along its bottom.

    A child of the window itself, so no layout (e.g. a splitter) adopts it; it follows the anchor's
    geometry as the window is resized.
    """

    def __init__(self, window: QWidget, anchor: QWidget, object_name: str, full: bool):
        super().__init__(window)
        self.setObjectName(object_name)
        self.anchor = anchor
        self.full = full
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)  # opaque: a full cover hides what is under it
        self.setBackgroundRole(QPalette.ColorRole.Window)
        anchor.installEventFilter(self)
        self.hide()

    def open(self) -> None:
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        area = self.anchor.geometry()
        if self.full:
            self.setGeometry(area)
        else:
            height = min(self.sizeHint().height(), area.height())
            self.setGeometry(area.x() + 8, area.bottom() - height - 8, area.width() - 16, height)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.anchor and event.type() in (QEvent.Type.Resize, QEvent.Type.Move) and self.isVisible():
            self.place()
        return False
