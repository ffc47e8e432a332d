"""Plays the bundled alarm sound through the desktop's player on a worker thread; the system beep without."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

# PipeWire's and PulseAudio's own players first (a Debian 12 desktop routes sound through them), then
# ALSA's (alsa-utils, in scripts/system-packages.txt). Qt Multimedia would need PySide6-Addons, ~175 MB.
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play",), ("paplay",), ("aplay", "-q"))
# A play that takes longer has hung on a device; the next ring tries again.
PLAY_TIMEOUT_S = 10.0


def bundled_sound() -> Path:
    """resources/sounds/alarm.wav (scripts/make_alarm_sound.py writes it)."""
    return Path(str(resources.files("resources") / "sounds" / "alarm.wav"))


def find_player() -> tuple[str, ...] | None:
    """The first player command on PATH, with its options; None when there is none."""
    for command in PLAYERS:
        found = shutil.which(command[0])
        if found is not None:
            return (found, *command[1:])
    return None


def scaled(source: Path, target: Path, volume: int) -> Path:
    """`source` with its samples scaled to `volume` percent (16-bit PCM): every player gets the same level."""
    with wave.open(str(source), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    if params.sampwidth != 2:
        raise ValueError(f"{source}: expected 16-bit samples, not {8 * params.sampwidth}-bit")
    level = max(0, min(100, volume)) / 100
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float64) * level
    with wave.open(str(target), "wb") as out:
        out.setparams(params)
        out.writeframes(np.round(pcm).astype("<i2").tobytes())
    return target


class SoundPlayer(QObject):
    """One play at a time on its own thread (a ring while one plays is dropped: the next repeat comes);
    a player that fails, or none on PATH, falls back to QApplication.beep() on the GUI thread."""

    played = Signal(object)
    """A ring ended (carries True: the sound played; False: the beep stood in)."""
    _failed = Signal(str)
    _sounded = Signal()

    def __init__(
        self,
        *,
        sound: Path | None = None,
        command: Sequence[str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sound = sound or bundled_sound()
        self.command = tuple(command) if command is not None else find_player()
        self._scratch = Path(tempfile.mkdtemp(prefix="tianshu-alarm-"))
        self._busy = threading.Lock()
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[str] | None = None
        self._closing = False
        self._told: set[str] = set()
        # Emitted on the worker thread, delivered on the GUI thread (the receiver's), where beeping is safe.
        self._failed.connect(self._on_failed)
        self._sounded.connect(self._on_sounded)

    def play(self, volume: int) -> None:
        """Ring once at `volume` percent; returns at once."""
        if self.command is None:
            self._beep("no sound player on PATH (pw-play, paplay or aplay)")
            return
        if self._closing or not self._busy.acquire(blocking=False):
            return
        self._thread = threading.Thread(
            target=self._run, args=(self.command, volume), name="tianshu-alarm-sound", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Cut a play in progress short (the cockpit closes), join its thread, remove the scaled copies."""
        self._closing = True
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
        thread = self._thread
        if thread is not None:
            thread.join(PLAY_TIMEOUT_S + 1)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _run(self, command: tuple[str, ...], volume: int) -> None:
        try:
            target = self._scratch / f"alarm-{volume}.wav"
            if not target.exists():
                scaled(self.sound, target, volume)
            if self._closing:
                return
            self._process = process = subprocess.Popen(
                [*command, str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            try:
                _, errors = process.communicate(timeout=PLAY_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                raise
            if self._closing:
                return
            if process.returncode != 0:
                last = (errors.strip().splitlines() or [f"exit code {process.returncode}"])[-1]
                self._failed.emit(f"{Path(command[0]).name}: {last}")
            else:
                self._sounded.emit()
        except (OSError, ValueError, wave.Error, subprocess.SubprocessError) as error:
            if not self._closing:
                self._failed.emit(f"{Path(command[0]).name}: {error}")
        finally:
            self._busy.release()

    def _on_sounded(self) -> None:
        self.played.emit(True)

    def _on_failed(self, reason: str) -> None:
        self._beep(reason)

    def _beep(self, reason: str) -> None:
        if reason not in self._told:
            self._told.add(reason)
            log.warning("alarm sound: %s; the system beep stands in", reason)
        QApplication.beep()
        self.played.emit(False)
