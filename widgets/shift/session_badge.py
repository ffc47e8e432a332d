"""Who is signed in and in which role, always in view; its menu locks the console or signs out."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from dispatch.casework.model import Actor
from widgets.common.style import set_style_property
from widgets.shift.shift_words import ShiftWords

LOCK_SHORTCUT = QKeySequence("Ctrl+L")


class SessionBadge(QToolButton):
    """Sits in the status bar (or header): '李明 · 值班长'."""

    lock_requested = Signal(object)
    """The operator asked to lock the console now (carries None)."""
    sign_out_requested = Signal(object)
    """The operator asked to sign out (carries None)."""

    def __init__(self, words: ShiftWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionBadge")
        self._words = words
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.lock_action = QAction(self.tr("Lock now"), self)
        self.lock_action.setShortcut(LOCK_SHORTCUT)
        self.sign_out_action = QAction(self.tr("Sign out"), self)
        menu.addAction(self.lock_action)
        menu.addAction(self.sign_out_action)
        self.setMenu(menu)
        self.lock_action.triggered.connect(lambda: self.lock_requested.emit(None))
        self.sign_out_action.triggered.connect(lambda: self.sign_out_requested.emit(None))
        self.show_actor(None)

    def show_actor(self, actor: Actor | None) -> None:
        if actor is None:
            self.setText(self.tr("Not signed in"))
            set_style_property(self, "role", "")
        else:
            self.setText(f"{actor.name or actor.login} · {self._words.role(actor.role)}")
            set_style_property(self, "role", actor.role.value)
        self.setToolTip("" if actor is None else actor.login)
        self.lock_action.setEnabled(actor is not None)
        self.sign_out_action.setEnabled(actor is not None)
