"""The duty controller: drives the duty desk from the closed loop, and carries out the officer's commands."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, SignalInstance
from PySide6.QtGui import QAction

from app.desk import jobs
from app.desk.commands import dispatch_command, form_command
from app.desk.jobs import Snapshot, UnitDirectory
from app.desk.merge import MergeControl
from app.shell.change_bus import ChangeBus
from app.shell.gui_call import GuiCall
from core.clock import Clock, SystemClock
from dispatch.beat import JobHealth
from dispatch.casework.machine import RULES
from dispatch.casework.model import Action, Actor, Applied, Command, Refusal, Refused, Role
from dispatch.casework.readouts import CaseFile, DispatchChoice, Page, PageRequest, QueueRow
from dispatch.casework.records.episodes import CLEARED_REASON
from dispatch.changes import CasesChanged
from dispatch.service import Beat, ClosedLoop, LoopContext, LoopUnavailable
from widgets.common.style import fill
from widgets.desk.action_form import ActionInput, needs_form
from widgets.desk.case_actions import ActionRequest
from widgets.desk.duty_desk import DutyDesk

log = logging.getLogger(__name__)
T = TypeVar("T")
TICK_MS = 1000


def demo_actor() -> Actor:
    """Who acts before the session helper signs anyone in: a shift lead, who may do nearly everything."""
    return Actor("duty", Role.SHIFT_LEAD, QCoreApplication.translate("DutyController", "Duty lead (demo)"))


class ActorSource(Protocol):
    """What the desk needs from app.shift.session.Session: who is signed in, and word when that changes."""

    @property
    def actor(self) -> Actor | None: ...

    @property
    def actor_changed(self) -> SignalInstance: ...

    def sign_out(self, reason: str = "") -> None: ...


class DutyController(QObject):
    """Beats the loop once a second and reads what the desk shows only when the change bus says cases
    changed; turns the officer's keys into commands for the current actor, and refusals into words."""

    case_shown = Signal(object)
    """The case panel shows a case file, another one or the same read again (carries it, or None)."""
    alerts_changed = Signal(object)
    """The open severe cases nobody has acknowledged, newest first (carries a tuple of QueueRow)."""
    order_queued = Signal(str)
    """A command of this console put an order in the outbox (carries its order_id): send it now."""
    health_changed = Signal(object)
    """The loop's jobs set items aside, retried them, or could (not) run (carries a beat.JobHealth)."""
    open_counted = Signal(int)
    """The store's open cases (在办) were counted again, as the queue and 综合评价 count them (carries it)."""

    def __init__(
        self, desk: DutyDesk, loop: ClosedLoop, *, directory: Callable[[], UnitDirectory] | None = None,
        actor: Actor | None = None, exercise: bool = False, clock: Clock | None = None,
        interval_ms: int = TICK_MS, bus: ChangeBus | None = None,
    ) -> None:  # fmt: skip
        super().__init__(desk)
        self.desk = desk
        self.loop = loop
        self.bus = bus if bus is not None else ChangeBus(loop, self)
        self.clock = clock or SystemClock()
        self.exercise = exercise
        self.directory: UnitDirectory | None = None
        self._directory_factory = directory
        self.actor: Actor | None = None
        self.gui = GuiCall(self)
        self._stopped = True
        self._beating = False
        self._reading = False
        self._read_again = False
        self._file_stale = False
        self._page_busy = False
        self._page_again = False
        self._file_busy = False
        self._file_again = False
        self._case_id: int | None = None
        self._health = JobHealth()
        self.dispatch_dialog = desk.dispatch_dialog
        self.form = desk.form
        self.merges = MergeControl(desk, self._submit, self._send, lambda: self.actor)
        self.merge_dialog = self.merges.dialog
        self._session: ActorSource | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self.bus.changed.connect(self._on_bus_changed)
        desk.queue.page_requested.connect(self._on_queue_page_requested)
        desk.queue.case_selected.connect(self._on_queue_case_selected)
        desk.panel.action_requested.connect(self._on_panel_action_requested)
        desk.banner.acknowledge_requested.connect(self._on_banner_acknowledge_requested)
        desk.refresh_requested.connect(lambda _: self.refresh())
        self.dispatch_dialog.dispatch_confirmed.connect(self._on_dispatch_dialog_dispatch_confirmed)
        self.form.form_confirmed.connect(self._on_form_form_confirmed)
        self.set_actor(actor if actor is not None else demo_actor())

    # -- life ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Prepare the desk connection and the unit directory, then tick once a second."""
        self._stopped = False
        self._submit(partial(jobs.prepare, self._directory_factory), self._on_prepared)

    def stop(self) -> None:
        """Stop ticking; answers still on their way are dropped. The worker's owner closes the worker."""
        self._stopped = True
        self._timer.stop()
        for dialog in (self.dispatch_dialog, self.form, self.merge_dialog):
            if dialog.isVisible():
                dialog.reject()

    def set_actor(self, actor: Actor | None) -> None:
        """The signed-in operator (None after signing out: the desk shows, but offers no actions). Another
        officer starts clean: no open case, selection, search or filter of the one before."""
        previous, self.actor = self.actor, actor
        role = actor.role if actor is not None else None
        self.desk.panel.set_role(role)
        may_acknowledge = role in RULES[Action.ACKNOWLEDGE].roles
        self.desk.banner.set_can_acknowledge(may_acknowledge)
        key = self.desk.findChild(QAction, "dutyAcknowledge")
        if key is not None:
            key.setEnabled(may_acknowledge)
        if actor is None or (previous is not None and previous.login != actor.login):
            self._start_over()
        elif previous is None and self._case_id is not None:
            # The queue picked a row behind the lock; the officer now signed in sees its file.
            self._on_queue_case_selected(self._case_id)
        if actor is None:
            self.desk.show_role(self.tr("Nobody signed in"))
        else:
            self.desk.show_role(
                fill(self.tr("%1 · %2"), actor.name or actor.login, self.desk.words.shift.role(actor.role))
            )

    def follow(self, session: ActorSource) -> None:
        """Act as whoever the session has signed in, now and after every change; a command refused as
        signed out signs the session out."""
        self._session = session
        self.set_actor(session.actor)
        session.actor_changed.connect(self.set_actor)

    def _start_over(self) -> None:
        for dialog in (self.dispatch_dialog, self.form, self.merge_dialog):
            if dialog.isVisible():
                dialog.reject()
        self._case_id = None
        self.desk.notice.hide()
        self.desk.panel.tabs.setCurrentIndex(0)
        self._show_file(None)
        self.desk.queue.start_over()

    def open_case(self, case_id: int) -> None:
        """Open a case on the desk from elsewhere (the map): selected in the queue when it is on the page
        shown, its file in the case panel either way."""
        if not self.desk.queue.select_case(case_id) or self._case_id != case_id:
            self._on_queue_case_selected(case_id)

    def refresh(self) -> None:
        """Read the page, the severe cases and the open case again now (or right after a read under way,
        which may have started before the change that asks for this one)."""
        self._file_stale = True
        self._read()

    # -- the desk thread -----------------------------------------------------------------------------

    def _submit(
        self, job: Callable[[LoopContext], T], on_result: Callable[[T], None],
        settle: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        """Run `job` on the desk thread; `settle` runs first on the GUI thread whatever the outcome."""

        def deliver(result: T) -> None:
            if settle is not None:
                settle()
            if not self._stopped:
                on_result(result)

        def fail(error: BaseException) -> None:
            if settle is not None:
                settle()
            self._on_job_failed(error)

        self.gui.when_done(self.loop.query(job), deliver, fail)

    def _on_job_failed(self, error: BaseException) -> None:
        if self._stopped:
            return
        if isinstance(error, LoopUnavailable):
            # Not a defect: this seat is cut off from its centre and read-only until the hub is back.
            log.warning("a duty desk command was not sent: %s", error)
            self.desk.show_notice(
                self.tr("This seat is offline and read-only: nothing was changed; try again once it is back"),
                "error",
            )
            return
        log.error("a duty desk job failed: %s", error, exc_info=error)
        self.desk.show_notice(self.desk.words.failed(str(error) or type(error).__name__), "error")

    def _settle_beat(self) -> None:
        self._beating = False

    def _settle_read(self) -> None:
        self._reading = False

    def _settle_page(self) -> None:
        self._page_busy = False

    def _settle_file(self) -> None:
        self._file_busy = False

    def _on_prepared(self, directory: UnitDirectory | None) -> None:
        self.directory = directory
        if directory is not None:
            self.desk.queue.set_choices(directory.categories, directory.districts, directory.sources)
            self.desk.queue.set_names(directory.names)
            self.desk.panel.set_names(directory.names)
        self._timer.start()
        self.refresh()
        self.poll()

    def poll(self) -> None:
        """One beat of the loop (the timer's, once a second): countdowns move, new events become cases,
        cards rise; what changed reaches the desk, and every other subscriber, through the change bus."""
        self._move_clocks()
        if self._beating or self._stopped:
            return
        self._beating = True
        self.gui.when_done(self.loop.beat(), self._on_beat, self._on_beat_failed)

    def _on_beat(self, beat: Beat) -> None:
        self._beating = False
        if not self._stopped and beat.health != self._health:
            self._health = beat.health
            self.health_changed.emit(beat.health)

    def _on_beat_failed(self, error: BaseException) -> None:
        self._beating = False
        self._on_job_failed(error)

    def _on_bus_changed(self, changes: CasesChanged) -> None:
        # The open case's file shows other cases too (possible duplicates, merged reports): any change
        # may alter it, and it is one case's rows.
        self._file_stale = self._case_id is not None
        self._read()

    def _read(self) -> None:
        if self._stopped:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        read_file, self._file_stale = self._file_stale, False
        request = self.desk.queue.request()
        job = partial(jobs.read, request, self._case_id, read_file, self.exercise)
        self._submit(job, self._on_snapshot, self._settle_read)

    def _move_clocks(self) -> None:
        now = self.clock.now()
        self.desk.queue.tick(now)
        self.desk.panel.tick(now)

    def retry_failed(self, _: object = None) -> None:
        """Ask the loop's jobs to try every item they set aside again, on the next beat."""
        if not self._stopped:
            asked = self.loop.retry_failed(self.actor.login if self.actor is not None else "")
            self.gui.when_done(asked, lambda _: self.poll(), self._on_job_failed)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self.open_counted.emit(snapshot.open_cases)
        self._move_clocks()
        self.desk.queue.show_page(snapshot.page)
        self._show_alerts(snapshot.alerts)
        if snapshot.file_read and snapshot.case_id == self._case_id:
            self._show_file(snapshot.case_file)
        if self._read_again:
            self._read_again = False
            self._read()

    def _show_alerts(self, alerts: tuple[QueueRow, ...]) -> None:
        # The audible alarm (app/desk/alarm.py) follows alerts_changed: it rings until they are acknowledged.
        self.desk.banner.show_alerts(alerts)
        self.alerts_changed.emit(alerts)

    def _on_queue_page_requested(self, request: PageRequest) -> None:
        # Before start() the store may not exist yet: the first beat reads the page anyway.
        if self._stopped:
            return
        if self._page_busy:
            self._page_again = True
            return
        self._page_busy = True
        self._submit(partial(jobs.page, request), self._on_page_read, self._settle_page)

    def _on_page_read(self, page: Page) -> None:
        self._move_clocks()
        self.desk.queue.show_page(page)
        if self._page_again:
            self._page_again = False
            self._on_queue_page_requested(self.desk.queue.request())

    def _on_queue_case_selected(self, case_id: int | None) -> None:
        self._case_id = case_id
        if self._stopped:
            return
        if case_id is None or (self._session is not None and self.actor is None):
            # A console that signs its officers in opens no case file while nobody is: the queue behind
            # the lock screen may still pick its first row, but nobody reads a case there.
            self._show_file(None)
            return
        if self._file_busy:
            self._file_again = True
            return
        self._file_busy = True
        self._submit(
            partial(jobs.case_file, case_id), partial(self._on_file_read, case_id), self._settle_file
        )

    def _on_file_read(self, case_id: int, case_file: CaseFile | None) -> None:
        if self._file_again:
            self._file_again = False
            self._on_queue_case_selected(self._case_id)
            return
        if case_id == self._case_id:
            self._move_clocks()
            self._show_file(case_file)

    def _show_file(self, case_file: CaseFile | None) -> None:
        self.desk.panel.show_file(case_file)
        self.case_shown.emit(case_file)

    # -- commands -------------------------------------------------------------------------------------

    def _on_panel_action_requested(self, request: ActionRequest) -> None:
        if self.actor is None or self._stopped:
            return
        if request.action is Action.DISPATCH:
            self._submit(
                partial(jobs.options, request.case_id, request.version, self.directory),
                self.dispatch_dialog.ask,
            )
        elif request.action is Action.MERGE and request.proposal is not None:
            self.merges.ask(Action.MERGE, request.case_id, request.proposal.master_id)
        elif request.action is Action.SPLIT and request.split is not None:
            offer = request.split
            self.merges.ask(Action.SPLIT, offer.absorbed_id, offer.master_id, offer.state)
        elif needs_form(request.action):
            shown = self.desk.panel.case_file
            code = shown.case.code if shown is not None else str(request.case_id)
            unit = shown.case.handle_unit if shown is not None else ""
            source = shown.case.source if shown is not None else ""
            word = shown.last_unit_word if shown is not None else None
            names = self.directory.names if self.directory is not None else {}
            self.form.ask(request.action, request.case_id, request.version, code, unit, source, word, names)
            if request.action is Action.VOID and shown is not None and shown.clearing_proposed:
                # The case's alarms cleared by themselves: V, then Enter, confirms the proposal.
                self.form.suggest_reason(CLEARED_REASON)
        else:
            self._send(Command(request.case_id, request.version, request.action, self.actor))

    def _on_banner_acknowledge_requested(self, row: QueueRow) -> None:
        if self.actor is not None and self.actor.role in RULES[Action.ACKNOWLEDGE].roles:
            self._send(Command(row.id, row.version, Action.ACKNOWLEDGE, self.actor))

    def _on_dispatch_dialog_dispatch_confirmed(self, choice: DispatchChoice) -> None:
        options = self.dispatch_dialog.options
        if options is None or self.actor is None:
            return
        command = dispatch_command(options, choice, self.actor)
        names = self.directory.names if self.directory is not None else {}
        self._send(command, names.get(choice.unit, choice.unit))

    def _on_form_form_confirmed(self, form: ActionInput) -> None:
        if self.actor is None:
            return
        self._send(form_command(form, self.actor))

    def _send(self, command: Command, detail: str = "") -> None:
        """Carry out a command; `detail` completes the message that says it was done."""
        self.gui.when_done(
            self.loop.act(command),
            partial(self._on_applied, detail),
            partial(self._on_refused, command),
        )

    def _on_applied(self, detail: str, applied: Applied) -> None:
        if self._stopped:
            return
        if applied.order_id is not None:
            self.order_queued.emit(applied.order_id)
        # What the command changed comes back through the change bus, like every other change.
        self.desk.show_notice(self.desk.words.done(applied.audit.action, applied.case.code, detail))

    def _on_refused(self, command: Command, error: BaseException) -> None:
        if self._stopped:
            return
        if not isinstance(error, Refused):
            self._on_job_failed(error)
            return
        words = self.desk.words
        if error.code is Refusal.SIGNED_OUT:
            self._lock_out(words.refusal(error.code, command.action, "", None, ""))
            return
        current = error.current
        code = current.code if current is not None else str(command.case_id)
        text = words.refusal(
            error.code, command.action, code, current.state if current is not None else None,
            words.shift.role(command.actor.role), error.by,
        )  # fmt: skip
        self.desk.show_notice(text, "error")

    def _lock_out(self, why: str) -> None:
        """The desk no longer takes this officer's commands (signed out or disabled elsewhere): the
        console signs them out and says why, instead of refusing every key from now on."""
        if self._session is not None:
            self._session.sign_out(why)
        else:
            self.set_actor(None)
        self.desk.show_notice(why, "error")
