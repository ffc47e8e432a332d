"""The sign-in form: login and password, the refusal in words, and the demo city's accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.model import Actor
from widgets.common.style import fill, set_style_property
from widgets.shift.shift_words import ShiftWords


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the operator typed; the password never appears in a repr or a log line."""

    login: str
    password: str = field(repr=False)


class LoginForm(QFrame):
    """Shown over the window at start and when the console locks; the app checks what is entered."""

    credentials_entered = Signal(object)
    """The operator asked to sign in (carries Credentials)."""

    def __init__(self, words: ShiftWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginForm")
        self._words = words
        self._busy = False
        self._action = self.tr("Sign in")
        self.title = QLabel(self)
        self.title.setObjectName("loginTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("loginSubtitle")
        self.subtitle.setWordWrap(True)
        self.login = QLineEdit(self)
        self.login.setObjectName("loginField")
        self.login.setPlaceholderText(self.tr("Login"))
        self.login.setAccessibleName(self.tr("Login"))
        self.password = QLineEdit(self)
        self.password.setObjectName("passwordField")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.setAccessibleName(self.tr("Password"))
        self.message = QLabel(self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.sign_in = QPushButton(self.tr("Sign in"), self)
        self.sign_in.setObjectName("signInButton")
        self.sign_in.setDefault(True)
        self.hint = QLabel(self)
        self.hint.setObjectName("loginHint")
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.hide()
        self.demo_box = QFrame(self)
        self.demo_box.setObjectName("demoAccounts")
        self.demo_title = QLabel(self.demo_box)
        self.demo_title.setObjectName("demoTitle")
        self.demo_title.setWordWrap(True)
        self._demo_grid = QGridLayout()
        self._demo_grid.setSpacing(8)
        demo_layout = QVBoxLayout(self.demo_box)
        demo_layout.setContentsMargins(16, 12, 16, 14)
        demo_layout.addWidget(self.demo_title)
        demo_layout.addLayout(self._demo_grid)
        self.demo_box.hide()
        self.demo_buttons: list[QPushButton] = []

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 32, 36, 32)
        layout.setSpacing(14)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(6)
        layout.addWidget(self.login)
        layout.addWidget(self.password)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        layout.addWidget(self.demo_box)

        self.login.returnPressed.connect(self._on_login_return_pressed)
        self.password.returnPressed.connect(self._submit)
        self.sign_in.clicked.connect(self._submit)
        self.show_sign_in()

    def show_sign_in(self) -> None:
        """Nobody is signed in: an empty form."""
        self._action = self.tr("Sign in")
        self.sign_in.setText(self._action)
        self.title.setText(self.tr("Tianshu · Sign in"))
        self.subtitle.setText(self.tr("Sign in with your duty account."))
        self.login.clear()
        self.password.clear()
        self._say("", "")
        self.login.setFocus()

    def show_locked(self, actor: Actor) -> None:
        """The console locked while `actor` was signed in: their password unlocks it."""
        self._action = self.tr("Unlock")
        self.sign_in.setText(self._action)
        self.title.setText(self.tr("Console locked"))
        self.subtitle.setText(
            fill(
                self.tr("Locked for %1 (%2). Enter the password to continue, or sign in as someone else."),
                actor.name or actor.login,
                self._words.role(actor.role),
            )
        )
        self.login.setText(actor.login)
        self.password.clear()
        self._say("", "")
        self.password.setFocus()

    def show_busy(self, busy: bool) -> None:
        """While the password is being checked, the form takes no second attempt."""
        self._busy = busy
        for widget in (self.login, self.password, self.sign_in, *self.demo_buttons):
            widget.setEnabled(not busy)
        self.sign_in.setText(self.tr("Checking…") if busy else self._action)

    def show_refused(self, text: str) -> None:
        self._say(text, "error")
        self.password.clear()
        self.password.setFocus()

    def show_hint(self, text: str) -> None:
        """A standing note under the form (e.g. how to create the first account); empty hides it."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
        self.updateGeometry()

    def show_demo_accounts(self, accounts: Sequence[Actor], password: str) -> None:
        """The demo city's accounts: one click fills the form with one of them."""
        for button in self.demo_buttons:
            self._demo_grid.removeWidget(button)
            button.deleteLater()
        self.demo_buttons = []
        self.demo_title.setText(fill(self.tr("Demo accounts · password %1"), password))
        for n, actor in enumerate(accounts):
            button = QPushButton(f"{actor.login} · {self._words.role(actor.role)}", self.demo_box)
            button.setObjectName("demoAccountButton")
            button.setToolTip(actor.name)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, a=actor: self._fill(a.login, password))
            self._demo_grid.addWidget(button, n // 2, n % 2)
            self.demo_buttons.append(button)
        self.demo_box.setVisible(bool(accounts))
        # The overlay lays the form out at its size hint; a shrinking hint is not announced by itself.
        self.updateGeometry()

    def _fill(self, login: str, password: str) -> None:
        self.login.setText(login)
        self.password.setText(password)
        self.sign_in.setFocus()

    def _say(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_style_property(self.message, "tone", tone)
        self.message.setVisible(bool(text))
        self.updateGeometry()

    def _on_login_return_pressed(self) -> None:
        if self.password.text():
            self._submit()
        else:
            self.password.setFocus()

    def _submit(self) -> None:
        if self._busy:
            return
        login = self.login.text().strip()
        if not login:
            self._say(self.tr("Enter your login."), "error")
            self.login.setFocus()
            return
        if not self.password.text():
            self._say(self.tr("Enter your password."), "error")
            self.password.setFocus()
            return
        self._say("", "")
        self.credentials_entered.emit(Credentials(login, self.password.text()))
