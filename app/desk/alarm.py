"""The audible alarm: rings for new level I/II cases and repeats until every one is acknowledged."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

from app.desk.alarm_sound import SoundPlayer
from app.desk.controller import DutyController
from dispatch.casework.readouts import QueueRow
from widgets.desk.alarm_button import AlarmButton

# Long enough to speak on the phone between two rings, short enough that nobody forgets the case.
REPEAT_MS = 5000
DEFAULT_VOLUME = 80
MUTED_KEY = "alarm/muted"
VOLUME_KEY = "alarm/volume"


class Player(Protocol):
    """What the alarm needs from app.desk.alarm_sound.SoundPlayer."""

    def play(self, volume: int) -> None: ...

    def close(self) -> None: ...


def read_volume(settings: QSettings) -> int:
    """The saved volume, 0–100; anything unreadable is the default."""
    value = settings.value(VOLUME_KEY, DEFAULT_VOLUME)
    try:
        volume = float(str(value))
    except ValueError:
        return DEFAULT_VOLUME
    if not math.isfinite(volume):
        return DEFAULT_VOLUME
    return round(max(0.0, min(100.0, volume)))


def read_muted(settings: QSettings) -> bool:
    # QSettings' INI format reads a saved bool back as the text "true".
    return str(settings.value(MUTED_KEY, False)).lower() in ("true", "1")


class AlarmController(QObject):
    """Fed the desk's open severe cases nobody has acknowledged (DutyController.alerts_changed, read from
    the shared store, so an acknowledgement at any console silences every console)."""

    ringing_changed = Signal(bool)
    """The alarm started (True) or stopped (False) repeating."""

    def __init__(
        self,
        player: Player,
        settings: QSettings,
        *,
        interval_ms: int = REPEAT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.player = player
        self._settings = settings
        self.muted = read_muted(settings)
        self.volume = read_volume(settings)
        self._pending: frozenset[int] = frozenset()
        self._known: frozenset[int] | None = None
        self._ringing = False
        # The status bar's control, once install_alarm has put one there.
        self.button: AlarmButton | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    @property
    def ringing(self) -> bool:
        return self._ringing

    def on_alerts(self, alerts: Sequence[QueueRow]) -> None:
        """The current unacknowledged severe cases; a case not seen before starts the alarm."""
        ids = frozenset(row.id for row in alerts)
        fresh = ids - (self._known or frozenset())
        self._known = ids
        self._pending = ids
        if not ids:
            self._set_ringing(False)
        elif fresh and not self.muted:
            self.player.play(self.volume)
            self._set_ringing(True)

    def tick(self) -> None:
        """One repeat (the timer's, or a test's by hand)."""
        if self._pending and not self.muted:
            self.player.play(self.volume)
        else:
            self._set_ringing(False)

    def set_muted(self, muted: bool) -> None:
        """Muting stops the ringing; unmuting resumes it while cases still wait for acknowledgement."""
        if muted == self.muted:
            return
        self.muted = muted
        self._settings.setValue(MUTED_KEY, muted)
        if muted:
            self._set_ringing(False)
        elif self._pending:
            self.player.play(self.volume)
            self._set_ringing(True)

    def set_volume(self, volume: int) -> None:
        self.volume = max(0, min(100, volume))
        self._settings.setValue(VOLUME_KEY, self.volume)

    def play_once(self) -> None:
        """The operator tries the sound (also when muted: they asked)."""
        self.player.play(self.volume)

    def close(self) -> None:
        self._set_ringing(False)
        self.player.close()

    def _set_ringing(self, ringing: bool) -> None:
        if ringing:
            self.timer.start()
        else:
            self.timer.stop()
        if ringing != self._ringing:
            self._ringing = ringing
            self.ringing_changed.emit(ringing)


def install_alarm(
    window: QMainWindow, duty: DutyController, settings: QSettings, player: Player | None = None
) -> AlarmController:
    """The alarm for `duty`'s severe cases, and its button (mute, volume, try) in `window`'s status bar."""
    alarm = AlarmController(player or SoundPlayer(parent=window), settings, parent=window)
    button = AlarmButton(window)
    button.show_settings(alarm.muted, alarm.volume)
    window.statusBar().addPermanentWidget(button)
    duty.alerts_changed.connect(alarm.on_alerts)
    alarm.ringing_changed.connect(button.show_ringing)
    button.mute_toggled.connect(alarm.set_muted)
    button.volume_chosen.connect(alarm.set_volume)
    button.test_requested.connect(lambda _: alarm.play_once())
    alarm.button = button
    return alarm
