"""CAP 1.2 alerts as frozen values, with the statuses and message types that become feed events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

# Which alerts become feed events: Actual, Exercise and Test statuses (exercise flag by status), and
# only the message types that state or revise a warning.
EXERCISE_FLAG = {"Actual": False, "Exercise": True, "Test": True}
EVENT_MSG_TYPES = ("Alert", "Update", "Cancel")

Point = tuple[float, float]


class CapError(ValueError):
    """A CAP document that cannot be accepted; `code` is stable, the message names the field and value."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class CapReference(NamedTuple):
    """One "sender,identifier,sent" entry of alert/references."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True, slots=True)
class CapArea:
    """An affected area; points are (lat, lon) in WGS84 as CAP writes them, radii in km."""

    area_desc: str
    polygons: tuple[tuple[Point, ...], ...] = ()
    circles: tuple[tuple[Point, float], ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CapInfo:
    """One info block: the warning itself, usually one per language."""

    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    areas: tuple[CapArea, ...] = ()


@dataclass(frozen=True, slots=True)
class CapAlert:
    """A validated CAP 1.2 alert; build it with parse_cap."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: tuple[CapReference, ...] = ()
    note: str | None = None
    infos: tuple[CapInfo, ...] = ()


def own_references(alert: CapAlert) -> list[CapReference]:
    """The references to alerts of the alert's own sender: the only ones it may revise."""
    return [ref for ref in alert.references if ref.sender == alert.sender]
