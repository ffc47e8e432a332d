"""The audible alarm: rings for a new level I/II case, repeats (the repeat timer driven by hand) until the
case is acknowledged at any console sharing the store, respects mute and volume, keeps them in QSettings.

The machine running these tests has no sound card, so where a test needs to hear the alarm, a recording
player stands in for the speaker; the player machinery itself runs for real (a real subprocess, and the
real aplay failing for want of a device, which must fall back to the system beep)."""

from __future__ import annotations

import math
import shutil
import signal
import stat
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from app.desk.alarm import DEFAULT_VOLUME, AlarmController, install_alarm
from app.desk.alarm_sound import SoundPlayer, bundled_sound
from app.desk.controller import DutyController
from app.shell.theme import apply_theme
from core.clock import ManualClock
from dispatch.service import LocalLoop
from dispatch.store.database import open_store
from tests.app.desk.test_duty import HOUR_MS, directory
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY, put_event
from tests.widgets.duty_values import row
from widgets.common.vocabulary import Vocabulary
from widgets.desk.duty_desk import DutyDesk


@dataclass
class RecordingPlayer:
    """Stands in for the speaker (no sound device here): what would have been heard, at which volume."""

    plays: list[int] = field(default_factory=list)
    closed: bool = False

    def play(self, volume: int) -> None:
        self.plays.append(volume)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def store_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@dataclass
class Seat:
    desk: DutyDesk
    controller: DutyController
    worker: LocalLoop


@pytest.fixture
def seats(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[tuple[Seat, Seat]]:
    """Two consoles on one store, each with its own desk thread, beaten by hand."""
    path = tmp_path / "store.sqlite3"
    db = open_store(path)
    put_event(db.conn, "fire", at=MONDAY_9, severity=1, category="fire_alarm", title="居民楼起火")
    db.close()
    palette = apply_theme(qapp)
    made = []
    for _ in range(2):
        worker = LocalLoop(path, POLICY, ManualClock(MONDAY_9))
        desk = DutyDesk(Vocabulary(), palette)
        qtbot.addWidget(desk)
        desk.resize(1400, 800)
        controller = DutyController(
            desk, worker, directory=directory, actor=LEAD, clock=ManualClock(MONDAY_9), interval_ms=HOUR_MS
        )
        desk.show()
        made.append(Seat(desk, controller, worker))
    yield made[0], made[1]
    for seat in made:
        seat.controller.stop()
        seat.worker.close()
    qapp.setStyleSheet("")


def test_a_new_severe_case_rings_until_another_console_acknowledges_it(
    qtbot: QtBot, seats: tuple[Seat, Seat], store_settings: QSettings
) -> None:
    here, there = seats
    player = RecordingPlayer()
    # The repeat timer would ring every 5 s of a slow machine on its own: the test beats it by hand.
    alarm = AlarmController(player, store_settings, interval_ms=HOUR_MS)
    here.controller.alerts_changed.connect(alarm.on_alerts)
    here.controller.start()
    qtbot.waitUntil(lambda: alarm.ringing, timeout=15_000)
    assert player.plays == [DEFAULT_VOLUME]
    assert alarm.timer.isActive()
    # The repeat timer, by hand: each beat rings again while nobody has acknowledged.
    alarm.tick()
    alarm.tick()
    assert player.plays == [DEFAULT_VOLUME] * 3
    # The desk's own beat reads the same alerts again: no extra ring for a case already ringing.
    here.controller.poll()
    qtbot.waitUntil(lambda: here.desk.queue.model.rowCount() == 1)
    assert len(player.plays) == 3

    there.controller.start()
    qtbot.waitUntil(lambda: there.desk.banner.isVisible(), timeout=15_000)
    there.desk.queue.focus_table()
    QTest.keyClick(there.desk.queue.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not there.desk.banner.isVisible(), timeout=15_000)

    with qtbot.waitSignal(alarm.ringing_changed, timeout=15_000) as stopped:
        here.controller.poll()
    assert stopped.args == [False]
    assert not alarm.timer.isActive()
    alarm.tick()
    assert len(player.plays) == 3


ALERTS = st.frozensets(st.integers(1, 6), max_size=4)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("alerts"), ALERTS),
        st.tuples(st.just("tick"), st.none()),
        st.tuples(st.just("mute"), st.booleans()),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(STEPS)
def test_rings_exactly_while_unacknowledged_cases_wait_and_it_is_not_muted(
    qapp: QApplication, tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, object]]
) -> None:
    saved = QSettings(str(tmp_path_factory.mktemp("alarm") / "s.ini"), QSettings.Format.IniFormat)
    player = RecordingPlayer()
    alarm = AlarmController(player, saved, interval_ms=HOUR_MS)
    known: frozenset[int] = frozenset()
    pending: frozenset[int] = frozenset()
    muted = False
    expected = 0
    for kind, value in steps:
        if kind == "alerts":
            assert isinstance(value, frozenset)
            fresh = value - known
            known = pending = value
            expected += bool(fresh and pending and not muted)
            alarm.on_alerts([row(n, severity=1, acknowledged=False) for n in sorted(value)])
        elif kind == "tick":
            expected += bool(pending and not muted)
            alarm.tick()
        else:
            assert isinstance(value, bool)
            expected += bool(muted and not value and pending)
            muted = value
            alarm.set_muted(value)
        assert len(player.plays) == expected
        assert alarm.ringing is bool(pending and not muted)
        assert alarm.timer.isActive() is alarm.ringing
    alarm.close()
    assert player.closed


def test_mute_and_volume_are_kept_in_the_settings_and_set_from_the_status_bar(
    qtbot: QtBot, seats: tuple[Seat, Seat], store_settings: QSettings
) -> None:
    here, _ = seats
    window = QMainWindow()
    qtbot.addWidget(window)
    player = RecordingPlayer()
    alarm = install_alarm(window, here.controller, store_settings, player)
    alarm.timer.setInterval(HOUR_MS)
    button = alarm.button
    assert button is not None
    assert button.text() == "Alarm"
    button.volume.setValue(35)
    button.test_action.trigger()
    assert player.plays == [35]
    button.mute_action.trigger()
    assert button.text() == "Alarm muted"
    here.controller.start()
    qtbot.waitUntil(lambda: here.desk.banner.isVisible())
    # Muted: the severe case shows on the desk, and nothing sounds.
    alarm.tick()
    assert player.plays == [35]
    assert not alarm.ringing
    # The next start of the cockpit keeps what the officer chose.
    again = AlarmController(
        RecordingPlayer(), QSettings(store_settings.fileName(), QSettings.Format.IniFormat)
    )
    assert (again.muted, again.volume) == (True, 35)
    button.mute_action.trigger()
    assert alarm.ringing
    assert button.text() == "Alarm ringing"
    assert player.plays == [35, 35]


SAVED = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.floats(allow_nan=True),
)


@settings(max_examples=150, deadline=None)
@given(volume=SAVED, muted=SAVED)
def test_whatever_the_settings_file_holds_the_alarm_starts_with_a_volume_it_can_play(
    qapp: QApplication, tmp_path_factory: pytest.TempPathFactory, volume: object, muted: object
) -> None:
    path = tmp_path_factory.mktemp("edited") / "s.ini"
    written = QSettings(str(path), QSettings.Format.IniFormat)
    written.setValue("alarm/volume", volume)
    written.setValue("alarm/muted", muted)
    written.sync()
    player = RecordingPlayer()
    alarm = AlarmController(player, QSettings(str(path), QSettings.Format.IniFormat), interval_ms=HOUR_MS)
    assert 0 <= alarm.volume <= 100
    if isinstance(volume, int) and not isinstance(volume, bool):
        assert alarm.volume == max(0, min(100, volume))
    elif not _number(str(volume)):
        assert alarm.volume == DEFAULT_VOLUME
    assert alarm.muted is (muted is True or str(muted).lower() in ("true", "1"))
    alarm.play_once()
    assert player.plays == [alarm.volume]


def _number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def stand_in_player(folder: Path) -> Path:
    """A player program that keeps what it was asked to play, as a speaker would have played it."""
    script = folder / "player"
    script.write_text(f'#!/bin/sh\ncp "$1" "{folder}/heard.wav"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def pcm(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int64)


def test_the_bundled_sound_plays_through_a_player_program_at_the_chosen_volume(
    qtbot: QtBot, tmp_path: Path
) -> None:
    player = SoundPlayer(command=[str(stand_in_player(tmp_path))])
    with qtbot.waitSignal(player.played) as played:
        player.play(25)
    player.close()
    assert played.args == [True]
    original, heard = pcm(bundled_sound()), pcm(tmp_path / "heard.wav")
    assert len(heard) == len(original)
    assert np.abs(original).max() > 20_000
    assert np.abs(heard - np.round(original * 0.25)).max() <= 1
    # Its scaled copies go with it.
    assert not player._scratch.exists()


def test_closing_cuts_a_hanging_player_short_without_a_beep(qtbot: QtBot, tmp_path: Path) -> None:
    script = tmp_path / "stuck"
    script.write_text("#!/bin/sh\nexec sleep 600\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    player = SoundPlayer(command=[str(script)])
    player.play(50)
    qtbot.waitUntil(lambda: player._process is not None)
    process = player._process
    assert process is not None
    with qtbot.assertNotEmitted(player.played):
        player.close()
        # The worker has been joined: whatever it queued for the GUI thread is delivered now.
        QApplication.processEvents()
    assert process.returncode == -signal.SIGTERM
    # A ring asked for while closing plays nothing.
    with qtbot.assertNotEmitted(player.played):
        player.play(50)


@pytest.mark.skipif(
    shutil.which("aplay") is None, reason="alsa-utils (scripts/system-packages.txt) not installed"
)
def test_aplay_without_a_sound_card_falls_back_to_the_beep(qtbot: QtBot) -> None:
    if Path("/dev/snd").exists():
        pytest.skip("this machine has a sound card: aplay would play for real")
    player = SoundPlayer(command=[shutil.which("aplay") or "aplay", "-q"])
    with qtbot.waitSignal(player.played, timeout=15_000) as played:
        player.play(50)
    player.close()
    assert played.args == [False]


def test_no_player_on_the_path_beeps(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    player = SoundPlayer()
    assert player.command is None
    with qtbot.waitSignal(player.played) as played:
        player.play(50)
    player.close()
    assert played.args == [False]
