"""What the map shows as plain values: incidents, units and cameras as numpy columns, one row per mark."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int16]


class UnitStatus(enum.IntEnum):
    """What a unit is doing, as the map colours it."""

    AVAILABLE = 0
    EN_ROUTE = 1
    ON_SCENE = 2
    OFF_DUTY = 3


def _floats(values: Sequence[float] | Floats) -> Floats:
    return np.ascontiguousarray(values, dtype=np.float64)


def _ints(values: Sequence[int] | Ints) -> Ints:
    return np.ascontiguousarray(values, dtype=np.int16)


@dataclass(frozen=True, slots=True, eq=False)
class IncidentMarks:
    """Cases on the map. `level` 1–4 (I–IV), times in UTC seconds; `closed_at` NaN while open;
    `seen_at` is the last word about the case (a report, an action), from which it goes stale."""

    ids: tuple[str, ...]
    lon: Floats
    lat: Floats
    level: Ints
    opened_at: Floats
    closed_at: Floats
    seen_at: Floats
    titles: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        rows: Sequence[tuple[str, float, float, int, float, float | None, float]],
        titles: Sequence[str] = (),
    ) -> IncidentMarks:
        """From (case id, lon, lat, level, opened_at, closed_at or None, seen_at) rows."""
        return cls(
            ids=tuple(r[0] for r in rows),
            lon=_floats([r[1] for r in rows]),
            lat=_floats([r[2] for r in rows]),
            level=_ints([min(4, max(1, int(r[3]))) for r in rows]),
            opened_at=_floats([r[4] for r in rows]),
            closed_at=_floats([np.nan if r[5] is None else r[5] for r in rows]),
            seen_at=_floats([r[6] for r in rows]),
            titles=tuple(titles),
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True, eq=False)
class UnitMarks:
    """Units at their last reported position: heading in degrees from north (NaN unknown), kind as an
    index into `kinds`, status, and the time of the fix (UTC seconds)."""

    ids: tuple[str, ...]
    lon: Floats
    lat: Floats
    heading: Floats
    kind: Ints
    status: Ints
    fix_at: Floats
    kinds: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(
        cls,
        rows: Sequence[tuple[str, float, float, float | None, str, UnitStatus, float]],
        names: Sequence[str] = (),
    ) -> UnitMarks:
        """From (unit id, lon, lat, heading or None, kind, status, fix_at) rows."""
        kinds = tuple(sorted({r[4] for r in rows}))
        index = {k: i for i, k in enumerate(kinds)}
        return cls(
            ids=tuple(r[0] for r in rows),
            lon=_floats([r[1] for r in rows]),
            lat=_floats([r[2] for r in rows]),
            heading=_floats([np.nan if r[3] is None else r[3] for r in rows]),
            kind=_ints([index[r[4]] for r in rows]),
            status=_ints([int(r[5]) for r in rows]),
            fix_at=_floats([r[6] for r in rows]),
            kinds=kinds,
            names=tuple(names),
        )


@dataclass(frozen=True, slots=True, eq=False)
class CameraMarks:
    """Cameras where they stand and where they look (heading and field of view in degrees)."""

    ids: tuple[str, ...]
    lon: Floats
    lat: Floats
    heading: Floats
    fov: Floats
    names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(
        cls, rows: Sequence[tuple[str, float, float, float, float]], names: Sequence[str] = ()
    ) -> CameraMarks:
        return cls(
            ids=tuple(r[0] for r in rows),
            lon=_floats([r[1] for r in rows]),
            lat=_floats([r[2] for r in rows]),
            heading=_floats([r[3] for r in rows]),
            fov=_floats([r[4] for r in rows]),
            names=tuple(names),
        )


def no_incidents() -> IncidentMarks:
    return IncidentMarks.of([])


def no_units() -> UnitMarks:
    return UnitMarks.of([])


def no_cameras() -> CameraMarks:
    return CameraMarks.of([])


@dataclass(frozen=True, slots=True)
class GridLoad:
    """Open cases per grid cell code, for shading the grid."""

    open_cases: dict[str, int] = field(default_factory=dict)
