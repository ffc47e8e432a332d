"""What the demo generator hands out: events, metrics and CAP messages, each due at a simulated time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.machines import EventRole


@dataclass(frozen=True, slots=True)
class EventItem:
    """An EVENT payload (the protocol's `event` object) due at simulated time `at`."""

    at: float
    event: dict[str, Any]
    role: EventRole = EventRole.NEW


@dataclass(frozen=True, slots=True)
class MetricItem:
    """A METRIC payload due at `at`."""

    at: float
    metric: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CapItem:
    """A CAP 1.2 XML message due at `at`, with the fields a test or log wants without parsing it."""

    at: float
    xml: str
    identifier: str
    status: str
    msg_type: str


FeedItem = EventItem | MetricItem | CapItem
