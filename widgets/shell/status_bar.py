"""The cockpit status bar: connection, local clock, store file and today's event count."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from dispatch.feed.values import ConnectionState
from widgets.common.style import fill, set_style_property


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class CockpitStatusBar(QStatusBar):
    """Permanent fields only: an operator glances here, nothing flashes and goes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cockpitStatusBar")
        self.setSizeGripEnabled(False)
        self.connection = QLabel("—", self)
        self.connection.setObjectName("statusConnection")
        set_style_property(self.connection, "state", ConnectionState.IDLE.value)
        self.store = QLabel("—", self)
        self.store.setObjectName("statusStore")
        self.events_today = QLabel("—", self)
        self.events_today.setObjectName("statusEventsToday")
        self.clock = QLabel("—", self)
        self.clock.setObjectName("statusClock")
        self.jobs = QLabel("", self)
        self.jobs.setObjectName("statusJobs")
        set_style_property(self.jobs, "alert", "true")
        self.jobs.hide()
        # A seat of a centre (--hub): joined, or cut off and read-only. Hidden on a console of its own.
        self.seat = QLabel("", self)
        self.seat.setObjectName("statusSeat")
        self.seat.hide()
        self.addWidget(self.connection)
        self.addWidget(self.seat)
        self.addWidget(self.store, 1)
        self.addPermanentWidget(self.jobs)
        self.addPermanentWidget(self.events_today)
        self.addPermanentWidget(self.clock)

    def show_connection(self, state: ConnectionState, words: str) -> None:
        text = f"● {words}"
        if self.connection.text() != text:
            self.connection.setText(text)
        set_style_property(self.connection, "state", state.value)

    def show_seat(self, name: str, online: bool, leading: bool, *, stopped: str | None = None) -> None:
        """This console as a seat of a centre: its name, and 离线 · 只读 while cut off from the hub; a seat
        that stopped applying the centre's log says so, and that it needs a restart (the reason in its
        tooltip: the store failed to write, or the log no longer holds what it needs)."""
        self.seat.setToolTip(stopped or "")
        if stopped is not None:
            text = fill(self.tr("Seat %1 · stopped · restart it"), name)
        elif not online:
            text = fill(self.tr("Seat %1 · offline · read-only"), name)
        elif leading:
            text = fill(self.tr("Seat %1 · runs the periodic jobs"), name)
        else:
            text = fill(self.tr("Seat %1 · joined"), name)
        self.seat.setText(text)
        set_style_property(self.seat, "state", "online" if online and stopped is None else "offline")
        self.seat.show()

    def show_store(self, path: Path, size: int | None) -> None:
        where = str(path)
        text = where if size is None else f"{where} · {human_size(size)}"
        self.store.setText(fill(self.tr("Store: %1"), text))

    def show_job_health(self, failed: int, errors: Sequence[str]) -> None:
        """Items the loop's jobs set aside, and jobs that could not run this beat; hidden when all is well."""
        parts = [fill(self.tr("%1 failed items (see Feed health)"), f"{failed:,}")] if failed else []
        parts += [fill(self.tr("Job failed: %1"), error) for error in errors]
        text = " · ".join(parts)
        if self.jobs.text() != text:
            self.jobs.setText(text)
            self.jobs.setToolTip("\n".join(parts))
        self.jobs.setVisible(bool(parts))

    def show_events_today(self, count: int) -> None:
        self.events_today.setText(fill(self.tr("Events today: %1"), f"{count:,}"))

    def show_time(self, now: float) -> None:
        self.clock.setText(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)))
