"""The lock overlay: covers the whole window, hides what is on it, and holds the sign-in form."""

from __future__ import annotations

from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets.shift.login_dialog import LoginForm
from widgets.shift.shift_words import ShiftWords


class LockOverlay(QWidget):
    """A child of the window raised over everything in it, following its size.

    Input to the rest of the window is held back by the session's event filter; this widget keeps Tab
    inside the form and claims every key, so neither focus nor a shortcut reaches the panels underneath.
    """

    def __init__(self, words: ShiftWords, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.brand = QLabel(self.tr("Tianshu 天枢"), self)
        self.brand.setObjectName("lockBrand")
        self.brand.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.form = LoginForm(words, self)
        self.form.setFixedWidth(600)
        # As tall as its content: the demo accounts come and go, and the form must not keep their space.
        self.form.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.form)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.brand)
        layout.addSpacing(18)
        layout.addLayout(row)
        layout.addStretch(3)
        window.installEventFilter(self)
        for sibling in window.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if sibling is not self:
                sibling.installEventFilter(self)
        self.hide()

    def cover(self) -> None:
        """Cover the window now (and on every later resize) and put the keyboard in the form."""
        parent = self.parentWidget()
        assert parent is not None
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.activateWindow()

    def uncover(self) -> None:
        self.hide()

    def event(self, event: QEvent) -> bool:
        # A key the form does not use ends here: no shortcut of the window underneath may fire.
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Docks, their tab bars and panels added later stack above the lock whenever they are added or
        # raised (selecting a dock's tab raises it), so the lock watches its siblings and rises again.
        parent = self.parentWidget()
        kind = event.type()
        if watched is parent and isinstance(event, QChildEvent) and kind == QEvent.Type.ChildAdded:
            child = event.child()
            if isinstance(child, QWidget) and child is not self:
                child.installEventFilter(self)
        # Not isVisible(): the lock may be put up before the window is first shown.
        if self.isHidden():
            return False
        if watched is parent and kind == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        elif kind in (QEvent.Type.ChildAdded, QEvent.Type.ZOrderChange):
            # After the event: the newcomer is put on top only once its own handling is done.
            # With the lock as context: a lock deleted meanwhile (its window closed) is not called.
            QTimer.singleShot(0, self, self._stay_on_top)
        return False

    def _stay_on_top(self) -> None:
        if not self.isHidden():
            self.raise_()

    def focusNextPrevChild(self, next: bool) -> bool:
        chain = [
            w
            for w in self.findChildren(QWidget)
            if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        ]
        if not chain:
            return True
        focused = self.focusWidget()
        position = chain.index(focused) if focused in chain else -1
        chain[(position + (1 if next else -1)) % len(chain)].setFocus(Qt.FocusReason.TabFocusReason)
        return True
