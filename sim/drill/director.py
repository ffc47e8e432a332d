"""The director's hand on a running drill: pause, resume, send an inject now, skip one, each logged."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dispatch.drill.exercise_clock import ExerciseClock
from dispatch.drill.master_list import Firing, MasterList
from sim.drill.record import DrillRecord
from sim.drill.units import DrillUnits


class Verb(enum.StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    SEND = "send"
    SKIP = "skip"
    STATUS = "status"
    STOP = "stop"


_WITH_INJECT = frozenset({Verb.SEND, Verb.SKIP})
HELP = "commands: pause | resume | send INJECT | skip INJECT | status | stop"


@dataclass(frozen=True, slots=True)
class DirectorCommand:
    verb: Verb
    inject: str = ""
    by: str = "导演"


def parse_command(line: str, by: str = "导演") -> DirectorCommand | str:
    """A command typed at the director's console, or why it is not one (never an exception)."""
    words = line.split()
    if not words:
        return HELP
    try:
        verb = Verb(words[0].lower())
    except ValueError:
        return f"unknown command {words[0]!r}; {HELP}"
    if verb in _WITH_INJECT:
        if len(words) != 2:
            return f"{verb.value} needs one inject id, e.g. {verb.value} I05"
        return DirectorCommand(verb, words[1], by)
    if len(words) != 1:
        return f"{verb.value} takes nothing after it"
    return DirectorCommand(verb, "", by)


class Director:
    """Carries out commands between beats; `stopped` tells the runner to end the drill early."""

    def __init__(
        self, clock: ExerciseClock, master: MasterList, units: DrillUnits, record: DrillRecord
    ) -> None:
        self.clock = clock
        self.master = master
        self.units = units
        self.record = record
        self.stopped = False

    def apply(self, command: DirectorCommand) -> tuple[str, list[Firing]]:
        """A reply for the console, and the firings to deliver now (what `send` sent)."""
        clock, now_s = self.clock, self.clock.monotonic()
        verb, inject = command.verb, command.inject
        if verb is Verb.STATUS:
            state = "paused" if not clock.running else f"running at {clock.speed:g}x"
            return f"+{_clock(now_s)} {state}; {len(self.master.fired_at)} injects sent", []
        firings: list[Firing] = []
        try:
            if verb is Verb.SEND:
                firings = self.master.send_now(inject, now_s)
            elif verb is Verb.SKIP:
                self.master.skip(inject)
                self.units.skipped.add(inject)
        except KeyError:
            return f"no inject {inject!r} in this scenario", []
        except ValueError as error:
            return str(error), []
        if verb is Verb.PAUSE:
            clock.pause()
        elif verb is Verb.RESUME:
            clock.resume()
        elif verb is Verb.STOP:
            self.stopped = True
        self.record.log(now_s, clock.now(), inject, "director", verb.value, by=command.by)
        return f"+{_clock(now_s)} {verb.value} {inject}".rstrip(), firings


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
