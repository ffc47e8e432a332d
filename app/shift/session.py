"""The operator session: sign-in over the window at start, the role in view, and the lock on idle."""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QMainWindow, QWidget

from app.shell.gui_call import GuiCall
from dispatch.casework.model import Actor, Role
from dispatch.casework.records.accounts import (
    DEMO_PASSWORD,
    SignInThrottled,
    authenticate,
    list_operators,
    prepare_sign_in,
    seed_demo_operators,
)
from dispatch.casework.records.attendance import Attendance
from dispatch.service import ClosedLoop, LoopContext
from widgets.common.style import fill
from widgets.shift.lock_overlay import LockOverlay
from widgets.shift.login_dialog import Credentials
from widgets.shift.session_badge import SessionBadge
from widgets.shift.shift_words import ShiftWords

log = logging.getLogger(__name__)

DEFAULT_IDLE_MINUTES = 10.0
CHECK_INTERVAL_MS = 1000
# Input that shows someone is at the console.
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
# Input held back from everything outside the lock overlay while the console is locked.
_INPUT = _ACTIVITY | {
    QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TouchEnd,
    QEvent.Type.ContextMenu,
}

# The answer to a sign-in: who signed in, a login told to wait after too many failures, or a refusal.
SignIn = Actor | SignInThrottled | None
Verify = Callable[[str, str], "concurrent.futures.Future[SignIn]"]


@dataclass(frozen=True, slots=True)
class AccountsOverview:
    """What the sign-in form needs to know about the store's accounts."""

    demo_accounts: tuple[Actor, ...]
    can_sign_in: bool


class Session(QObject):
    """Who is signed in. The window stays covered until someone is, and again once they are idle."""

    actor_changed = Signal(object)
    """Someone else is signed in now (carries the Actor, or None after signing out)."""
    lock_changed = Signal(bool)
    """The console locked (True) or unlocked (False); it starts locked, before anyone signs in."""

    def __init__(
        self,
        window: QWidget,
        words: ShiftWords,
        verify: Verify,
        *,
        idle_minutes: float | None = DEFAULT_IDLE_MINUTES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.words = words
        self.overlay = LockOverlay(words, window)
        self._verify = verify
        self._idle_s = None if idle_minutes is None or idle_minutes <= 0 else idle_minutes * 60
        self._monotonic = monotonic
        self._actor: Actor | None = None
        self._locked = True
        self._attempt = 0
        self._last_activity = monotonic()
        self._pointer = QPoint()
        self._hidden_docks: list[QDockWidget] = []
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.gui = GuiCall(self)
        self.overlay.form.credentials_entered.connect(self._on_form_credentials_entered)

    @property
    def actor(self) -> Actor | None:
        return self._actor

    @property
    def locked(self) -> bool:
        return self._locked

    def start(self, app: QApplication) -> None:
        """Cover the window with the sign-in form and start watching for input."""
        app.installEventFilter(self)
        self._cover()
        self.overlay.form.show_sign_in()
        self._timer.start()

    def stop(self, app: QApplication) -> None:
        self._timer.stop()
        app.removeEventFilter(self)

    def show_accounts(self, overview: AccountsOverview, db_hint: str) -> None:
        """Demo accounts on the form, or how to create the first account when nobody can sign in."""
        form = self.overlay.form
        form.show_demo_accounts(overview.demo_accounts, DEMO_PASSWORD)
        if overview.can_sign_in:
            form.show_hint("")
        else:
            form.show_hint(
                fill(
                    self.tr(
                        "No operator account can sign in yet. Create one in a terminal:\n"
                        "python main.py operators add --db %1 --login LOGIN --name NAME --role shift_lead"
                    ),
                    db_hint,
                )
            )

    def lock(self) -> None:
        """Cover the window; the same password (or another operator's) opens it again."""
        if self._actor is None or self._locked:
            return
        self._locked = True
        self._cover()
        self.overlay.form.show_locked(self._actor)
        self.lock_changed.emit(True)

    def sign_out(self, reason: str = "") -> None:
        """Sign the officer out and cover the window; `reason` says why on the sign-in form (the desk
        refused a command: signed out or disabled elsewhere)."""
        if self._actor is None:
            return
        self._actor = None
        was_locked = self._locked
        self._locked = True
        self._cover()
        self.overlay.form.show_sign_in()
        if reason:
            self.overlay.form.show_refused(reason)
        self.actor_changed.emit(None)
        if not was_locked:
            self.lock_changed.emit(True)

    def note_activity(self) -> None:
        self._last_activity = self._monotonic()

    def idle_seconds(self) -> float:
        return self._monotonic() - self._last_activity

    def check_idle(self) -> bool:
        """Lock when nobody has touched the console for the idle time; a wall viewer never locks."""
        if self._locked or self._actor is None or self._idle_s is None:
            return False
        if self._actor.role is Role.VIEWER or self.idle_seconds() < self._idle_s:
            return False
        self.lock()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _INPUT:
            return False
        if kind in _ACTIVITY:
            self._last_activity = self._monotonic()
        if not self._locked or not isinstance(watched, QWidget):
            return False
        return not self._in_overlay(watched)

    def _in_overlay(self, widget: QWidget) -> bool:
        """Whether `widget` belongs to the lock, popups of its fields (a context menu) included."""
        current: QWidget | None = widget
        while current is not None:
            if current is self.overlay:
                return True
            current = current.parentWidget()
        return False

    def _cover(self) -> None:
        self._close_transients()
        self.overlay.cover()

    def _close_transients(self) -> None:
        """Dialogs and popups would sit above the lock and keep what they show; floating docks too."""
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            modal.reject()
        if isinstance(self.window, QMainWindow):
            for dock in self.window.findChildren(QDockWidget):
                if dock.isFloating() and dock.isVisible():
                    dock.hide()
                    self._hidden_docks.append(dock)

    def _uncover(self) -> None:
        self.overlay.uncover()
        for dock in self._hidden_docks:
            dock.show()
        self._hidden_docks = []

    def _on_timer_timeout(self) -> None:
        # Moving the mouse without clicking is activity too; the position is polled, not filtered, so
        # no event is needed for every pixel.
        pointer = QCursor.pos()
        if pointer != self._pointer:
            self._pointer = pointer
            self.note_activity()
        self.check_idle()

    def _on_form_credentials_entered(self, credentials: Credentials) -> None:
        self.sign_in(credentials.login, credentials.password)

    def sign_in(self, login: str, password: str) -> None:
        """Check credentials as the form does (e.g. a screenshot signs in the demo wall viewer)."""
        self._attempt += 1
        attempt = self._attempt
        self.overlay.form.show_busy(True)
        self.gui.when_done(
            self._verify(login, password),
            partial(self._on_verified, attempt),
            partial(self._on_verify_failed, attempt),
        )

    def _on_verify_failed(self, attempt: int, error: BaseException) -> None:
        if attempt != self._attempt:
            return
        log.error("checking a password failed: %s", error)
        self.overlay.form.show_busy(False)
        detail = str(error) or type(error).__name__
        self.overlay.form.show_refused(fill(self.tr("The password could not be checked: %1"), detail))

    def _on_verified(self, attempt: int, actor: SignIn) -> None:
        # A later attempt (or a sign-out) supersedes this answer.
        if attempt != self._attempt:
            return
        form = self.overlay.form
        form.show_busy(False)
        if isinstance(actor, SignInThrottled):
            until = time.strftime("%H:%M:%S", time.localtime(actor.until))
            form.show_refused(
                fill(self.tr("Too many failed attempts for this login. Try again after %1."), until)
            )
            return
        if actor is None:
            form.show_refused(self.tr("Wrong login or password, or the account is disabled."))
            return
        changed = actor != self._actor
        self._actor = actor
        self._locked = False
        self.note_activity()
        self._uncover()
        if changed:
            self.actor_changed.emit(actor)
        self.lock_changed.emit(False)


def _prepare_job(ctx: LoopContext) -> None:
    """Before the first sign-in (jobs run in order): the desk takes console commands only from whoever
    signs in here, and an unknown login costs one verification from the very first attempt."""
    ctx.desk.attendance = Attendance()
    prepare_sign_in()


def _sign_in_job(login: str, password: str, demo: bool, ctx: LoopContext) -> Actor | SignInThrottled | None:
    try:
        actor = authenticate(ctx.desk.conn, login, password, allow_demo=demo, now=ctx.clock.now())
    except SignInThrottled as throttled:
        return throttled
    if actor is not None and ctx.desk.attendance is not None:
        ctx.desk.attendance.sign_in(actor)
    return actor


def _sign_out_job(ctx: LoopContext) -> None:
    if ctx.desk.attendance is not None:
        ctx.desk.attendance.sign_out()


def _accounts_job(demo: bool, ctx: LoopContext) -> AccountsOverview:
    conn = ctx.desk.conn
    demo_accounts = seed_demo_operators(conn, now=ctx.clock.now()) if demo else []
    can_sign_in = any(op.active and (demo or not op.demo) for op in list_operators(conn))
    return AccountsOverview(tuple(op.actor for op in demo_accounts), can_sign_in)


def _log_failure(done: concurrent.futures.Future[None]) -> None:
    error = done.exception()
    if error is not None:
        log.error("the desk could not follow the sign-in: %s", error, exc_info=error)


def install_session(
    app: QApplication,
    window: QMainWindow,
    loop: ClosedLoop,
    *,
    demo: bool,
    idle_minutes: float | None = DEFAULT_IDLE_MINUTES,
    monotonic: Callable[[], float] = time.monotonic,
) -> Session:
    """Cover `window` with the sign-in form, put the role badge in its status bar, lock on idle.

    `demo`: the embedded demo city, whose new store gets the demo accounts (shown on the form).
    """
    words = ShiftWords(window)
    loop.write(_prepare_job).add_done_callback(_log_failure)
    session = Session(
        window,
        words,
        lambda login, password: loop.write(partial(_sign_in_job, login, password, demo)),
        idle_minutes=idle_minutes,
        monotonic=monotonic,
    )
    badge = SessionBadge(words)
    window.statusBar().addPermanentWidget(badge)
    # On the window, so Ctrl+L locks from anywhere in it, not only from the badge's menu.
    window.addAction(badge.lock_action)
    badge.lock_requested.connect(lambda _: session.lock())
    badge.sign_out_requested.connect(lambda _: session.sign_out())
    session.actor_changed.connect(badge.show_actor)

    def on_session_actor_changed(actor: Actor | None) -> None:
        # Signed out here means signed out at the desk: commands in that name are refused from now on.
        if actor is None:
            loop.write(_sign_out_job).add_done_callback(_log_failure)

    session.actor_changed.connect(on_session_actor_changed)
    session.gui.when_done(
        loop.write(partial(_accounts_job, demo)),
        lambda overview: session.show_accounts(overview, str(loop.db_path)),
        lambda error: log.error("cannot read the operator accounts: %s", error),
    )
    session.start(app)
    return session
