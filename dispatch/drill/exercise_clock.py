"""The exercise clock: scenario time = (wall time − start − pauses) × speed, one clock for the whole drill."""

from __future__ import annotations

import threading

from core.clock import Clock


class ExerciseClock:
    """A Clock (core.clock) whose time is the drill's: the desk's SLA timers, the simulated units and
    the injects all read it, so pausing the drill pauses all of them together and 10× is 10× for all.

    `monotonic()` is the scenario time in seconds since the start; `now()` is that time as an instant,
    counted from `origin` (the wall's time at the start unless given), so stored rows carry dates.

    A pause stops scenario time, so what was due 2 minutes after the pause is still due 2 minutes after
    the resume: nothing fires in a burst. With `hold_after_s`, a wall-time jump longer than that between
    two readings while running (a laptop asleep, a stopped debugger) is held like a pause too.
    """

    def __init__(
        self,
        wall: Clock,
        *,
        speed: float = 1.0,
        origin: float | None = None,
        hold_after_s: float | None = None,
    ) -> None:
        _check_speed(speed)
        if hold_after_s is not None and hold_after_s <= 0:
            raise ValueError("hold_after_s must be positive")
        self._wall = wall
        self._speed = speed
        self._origin = origin
        self._hold_after_s = hold_after_s
        self._lock = threading.Lock()
        self._started = False
        self._running = False
        self._base_scenario = 0.0  # scenario seconds at the last re-basing
        self._base_wall = 0.0  # the wall's monotonic reading at the last re-basing
        self._last_seen = 0.0
        self._pause_began = 0.0
        self._paused_s = 0.0
        self._held_s = 0.0

    # -- the Clock protocol ------------------------------------------------------------------------

    def now(self) -> float:
        return self.origin + self.monotonic()

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed()

    # -- control -----------------------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError("the exercise clock has already started")
            self._started = self._running = True
            self._base_wall = self._last_seen = self._wall.monotonic()
            if self._origin is None:
                self._origin = self._wall.now()

    def pause(self) -> None:
        with self._lock:
            if not self._running:
                return
            self._base_scenario = self._elapsed()
            self._running = False
            self._pause_began = self._wall.monotonic()

    def resume(self) -> None:
        with self._lock:
            if not self._started or self._running:
                return
            wall = self._wall.monotonic()
            self._paused_s += wall - self._pause_began
            self._base_wall = self._last_seen = wall
            self._running = True

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on; scenario time already passed stays as it was."""
        _check_speed(speed)
        with self._lock:
            self._base_scenario = self._elapsed()
            self._base_wall = self._last_seen = self._wall.monotonic()
            self._speed = speed

    # -- observation -------------------------------------------------------------------------------

    @property
    def origin(self) -> float:
        """The instant scenario time 0 stands for."""
        return self._origin if self._origin is not None else self._wall.now()

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def running(self) -> bool:
        return self._running

    @property
    def paused_s(self) -> float:
        """Wall seconds spent paused (a pause under way counts up to now)."""
        with self._lock:
            ongoing = (
                self._wall.monotonic() - self._pause_began if self._started and not self._running else 0.0
            )
            return self._paused_s + ongoing

    @property
    def held_s(self) -> float:
        """Wall seconds held because the wall jumped (see hold_after_s)."""
        return self._held_s

    def _elapsed(self) -> float:
        if not self._running:
            return self._base_scenario
        wall = self._wall.monotonic()
        gap = wall - self._last_seen
        if self._hold_after_s is not None and gap > self._hold_after_s:
            # Scenario time stops where it was last read; the jump counts as a pause.
            self._base_scenario += (self._last_seen - self._base_wall) * self._speed
            self._base_wall = wall
            self._held_s += gap
        self._last_seen = wall
        return self._base_scenario + (wall - self._base_wall) * self._speed


def _check_speed(speed: float) -> None:
    if not 0 < speed <= 1000:
        raise ValueError(f"speed must be above 0 and at most 1000, got {speed}")
