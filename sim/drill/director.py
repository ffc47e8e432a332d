"""The director's hand on a running drill: pause, resume, send an inject now, skip one, each logged."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dispatch.drill.exercise_clock import ExerciseClock
from dispatch.drill.master_list import Firing, MasterList
from dispatch.drill.scenario import UnitReport
from dispatch.drill.yaml_nodes import MAX_OFFSET_S, parse_duration
from sim.drill.record import DrillRecord
from sim.drill.units import DrillUnits


class Verb(enum.StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    SEND = "send"
    SKIP = "skip"
    STATUS = "status"
    STOP = "stop"
    MOVE = "move"  # move I07 25m: the inject fires at that scenario time instead
    AGAIN = "again"  # again I07 [30m]: a copy of it fires now, or at that scenario time


_WITH_INJECT = frozenset({Verb.SEND, Verb.SKIP})
HELP = (
    "commands: pause | resume | send INJECT | skip INJECT | move INJECT TIME | again INJECT [TIME] | "
    "status | stop  (TIME: scenario time, e.g. 25m, 1h05m or 01:05:00)"
)


@dataclass(frozen=True, slots=True)
class DirectorCommand:
    verb: Verb
    inject: str = ""
    by: str = "导演"
    at_s: float | None = None  # move / again: the scenario time asked for


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
    if verb in (Verb.MOVE, Verb.AGAIN):
        arity = (3,) if verb is Verb.MOVE else (2, 3)
        if len(words) not in arity:
            example = "move I05 25m" if verb is Verb.MOVE else "again I05 or again I05 30m"
            return f"{verb.value} needs an inject id and a scenario time, e.g. {example}"
        at_s = None
        if len(words) == 3:
            at_s = parse_duration(words[2])
            if at_s is None or at_s > MAX_OFFSET_S:
                return f"{words[2]!r} is not a scenario time (25m, 1h05m or 01:05:00)"
        return DirectorCommand(verb, words[1], by, at_s)
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
        detail = ""
        try:
            if verb is Verb.SEND:
                firings = self.master.send_now(inject, now_s)
            elif verb is Verb.SKIP:
                self.master.skip(inject)
                self.units.skipped.add(inject)
            elif verb is Verb.MOVE and command.at_s is not None:
                self.master.move(inject, command.at_s)
                detail = f"→ +{_clock(command.at_s)}"
            elif verb is Verb.AGAIN and isinstance(self.master.inject(inject).body, UnitReport):
                return f"{inject} is a unit's scripted report: move it instead of sending it again", []
            elif verb is Verb.AGAIN:
                at_s = now_s if command.at_s is None else max(now_s, command.at_s)
                added = self.master.add_again(inject, at_s)
                detail = f"{added} at +{_clock(at_s)}"
                if at_s <= now_s:
                    firings = self.master.send_now(added, now_s)
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
        self.record.log(now_s, clock.now(), inject, "director", verb.value, detail, by=command.by)
        return f"+{_clock(now_s)} {verb.value} {inject} {detail}".rstrip(), firings


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
