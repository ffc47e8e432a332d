"""The master scenario events list at play: what is due at a scenario time, send now, skip, contingencies."""

from __future__ import annotations

import dataclasses
import enum
import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from dispatch.drill.expectations import Observed, called_off, due_contingencies
from dispatch.drill.scenario import Inject, MetricCurve, Scenario


class How(enum.StrEnum):
    SCHEDULED = "scheduled"
    SENT_NOW = "sent_now"  # the director sent it ahead of its time
    CONTINGENCY = "contingency"  # an expected action was missing


@dataclass(frozen=True, slots=True)
class Firing:
    """One thing to deliver now: an inject, or one reading of a metric curve (`sample` ≥ 0)."""

    inject: Inject
    due_s: float
    how: How
    sample: int = -1
    value: float = 0.0


class MasterList:
    """Hands out what is due in order; the clock alone decides time, so a pause only shifts it all."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._order = itertools.count()
        self._pending: list[tuple[float, int, str]] = [
            (inject.at_s or 0.0, next(self._order), inject.id) for inject in scenario.scheduled
        ]
        heapq.heapify(self._pending)
        # When each scheduled inject is due now: the director may move one (a heap entry for its old time
        # is then passed over) or add one (a copy of a scenario inject, under an id of its own).
        self._due_at = {inject_id: due_s for due_s, _, inject_id in self._pending}
        self.added: dict[str, Inject] = {}
        self._samples: list[tuple[float, int, str, int, float]] = []
        self.fired_at: dict[str, float] = {}
        self.skipped: set[str] = set()
        self._settled: set[str] = set()

    def due(self, now_s: float, observed: Iterable[Observed] = ()) -> list[Firing]:
        """Everything due by scenario time `now_s`, oldest first; each inject fires once."""
        seen = tuple(observed)
        out: list[Firing] = []
        while self._pending and self._pending[0][0] <= now_s:
            due_s, _, inject_id = heapq.heappop(self._pending)
            if (
                inject_id in self.fired_at
                or inject_id in self.skipped
                or self._due_at.get(inject_id) != due_s
            ):
                continue
            out.extend(self._fire(self.inject(inject_id), due_s, How.SCHEDULED))
        # Contingencies can hang off injects fired a moment ago, so look until nothing new falls due.
        while True:
            self._settled.update(called_off(self.scenario, self.fired_at, seen, now_s))
            extra = due_contingencies(self.scenario, self.fired_at, seen, now_s, self._settled | self.skipped)
            if not extra:
                break
            for inject, due_s in extra:
                self._settled.add(inject.id)
                out.extend(self._fire(inject, due_s, How.CONTINGENCY))
        while self._samples and self._samples[0][0] <= now_s:
            due_s, _, inject_id, sample, value = heapq.heappop(self._samples)
            out.append(Firing(self.inject(inject_id), due_s, How.SCHEDULED, sample, value))
        return sorted(out, key=lambda firing: firing.due_s)

    def send_now(self, inject_id: str, now_s: float) -> list[Firing]:
        """Fire an inject at once, ahead of its time or while paused; KeyError for an unknown id,
        ValueError if it already fired."""
        inject = self.inject(inject_id)
        if inject_id in self.fired_at:
            raise ValueError(f"inject {inject_id} already fired")
        self.skipped.discard(inject_id)
        self._settled.add(inject_id)
        firings = self._fire(inject, now_s, How.SENT_NOW)
        # A curve's first reading goes with the inject; the rest follow at their spacing from now.
        while self._samples and self._samples[0][0] <= now_s:
            due_s, _, sample_of, sample, value = heapq.heappop(self._samples)
            how = How.SENT_NOW if sample_of == inject_id else How.SCHEDULED
            firings.append(Firing(self.inject(sample_of), due_s, how, sample, value))
        return firings

    def skip(self, inject_id: str) -> None:
        """Never fire this inject (the director's call); KeyError for an unknown id."""
        self.inject(inject_id)
        if inject_id not in self.fired_at:
            self.skipped.add(inject_id)

    def inject(self, inject_id: str) -> Inject:
        """A scenario inject or one the director added; KeyError for neither."""
        added = self.added.get(inject_id)
        return added if added is not None else self.scenario.inject(inject_id)

    def move(self, inject_id: str, at_s: float) -> None:
        """Fire a scheduled inject at scenario time `at_s` instead (the director edits the list live);
        KeyError for an unknown id, ValueError if it fired already or only fires as a contingency."""
        self.inject(inject_id)
        if inject_id in self.fired_at:
            raise ValueError(f"inject {inject_id} already fired")
        if inject_id not in self._due_at:
            raise ValueError(f"inject {inject_id} fires only when its expected action is missing")
        self.skipped.discard(inject_id)
        self._due_at[inject_id] = at_s
        heapq.heappush(self._pending, (at_s, next(self._order), inject_id))

    def add_again(self, inject_id: str, at_s: float) -> str:
        """A copy of an inject that fires at scenario time `at_s` (the caller rings again, the gauge
        reports once more), under a new id `<id>-2`, `<id>-3` …; returns that id. KeyError if unknown."""
        original = self.inject(inject_id)
        base = inject_id.rsplit("-", 1)[0] if inject_id in self.added else inject_id
        taken = {inject.id for inject in self.scenario.injects} | set(self.added)
        new_id = next(f"{base}-{n}" for n in itertools.count(2) if f"{base}-{n}" not in taken)
        self.added[new_id] = dataclasses.replace(original, id=new_id, at_s=at_s, if_missing="", delay_s=0.0)
        self._due_at[new_id] = at_s
        heapq.heappush(self._pending, (at_s, next(self._order), new_id))
        return new_id

    @property
    def finished(self) -> bool:
        """Nothing scheduled is left (contingencies may still hang on open expectations)."""
        return not self._pending and not self._samples

    def _fire(self, inject: Inject, due_s: float, how: How) -> list[Firing]:
        self.fired_at[inject.id] = due_s
        if isinstance(inject.body, MetricCurve):
            for n, (offset, value) in enumerate(inject.body.samples()):
                heapq.heappush(self._samples, (due_s + offset, next(self._order), inject.id, n, value))
            return []
        return [Firing(inject, due_s, how)]
