"""The demo city's field units: they answer dispatch orders with believable sign / progress / handled /
return-request reports, some prompt, some late, some careless, a few never finishing."""

from __future__ import annotations

import enum
import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

_LOCAL = timezone(timedelta(hours=8))

_RETURN_NOTES = ("非本单位职责范围，请改派", "地址不在本辖区", "需专业设备，建议改派专业队伍")
_PROGRESS_NOTES = ("已到达现场", "正在处置", "已设置警示围挡，正在处理")
_DONE_NOTES = ("已处置完毕，现场恢复正常", "已清理完毕", "已修复，附处置后照片")
_CARELESS_NOTES = ("已初步处理", "已处理（部分完成）")
# A handful of small JPEGs ship with the demo (a few KB each); the feed server hands them out under
# MEDIA_PATH, and the reports reference them there, as a real platform's media server would.
PHOTO_DIR = Path(__file__).resolve().parents[1] / "resources" / "demo" / "unit_photos"
MEDIA_PATH = "/media/unit-photos/"
_PROGRESS_PHOTOS = ("fence.jpg", "site-before.jpg")
_DONE_PHOTOS = ("site-after.jpg",)
# Where the demo's reports point before the server says where it is: a host nobody resolves.
NO_MEDIA = "https://demo.tianshu.invalid"


@cache
def demo_photos() -> dict[str, bytes]:
    """The shipped photos by name (empty if the resources were left out of an install)."""
    try:
        return {path.name: path.read_bytes() for path in sorted(PHOTO_DIR.glob("*.jpg"))}
    except OSError:
        return {}


class Temper(enum.Enum):
    """How a unit treats one order."""

    PROMPT = "prompt"  # signs quickly, handles well before the deadline
    LATE = "late"  # signs, but handles after the deadline
    CARELESS = "careless"  # handles in time, but the result will not pass a check
    RETURNS = "returns"  # asks to return the order instead of signing
    SILENT = "silent"  # signs and then goes quiet: the case runs overdue and collects cards


_TEMPERS = (Temper.PROMPT, Temper.LATE, Temper.CARELESS, Temper.RETURNS, Temper.SILENT)
_WEIGHTS = (0.70, 0.10, 0.10, 0.06, 0.04)


@dataclass(order=True, slots=True)
class _Due:
    at: float
    order: int
    report: dict[str, Any] = field(compare=False)


class FieldUnits:
    """Plans each order's reports when it arrives; `due(now)` hands out the reports whose time has come.

    `pace` compresses the demo: with pace 1 a prompt unit signs within one to five minutes; a trainer
    who wants a lively screen runs the demo at pace 0.2.
    """

    def __init__(self, rng: random.Random, *, pace: float = 1.0, media_base: str = NO_MEDIA) -> None:
        self._rng = rng
        self._pace = pace
        # The http(s) origin the photos are served from (the feed server's, once it is listening).
        self.media_base = media_base
        self._queue: list[_Due] = []
        self._count = 0
        self.tempers: dict[str, Temper] = {}

    def take(self, order: dict[str, Any], now: float, arrive_at: float | None = None) -> Temper:
        """Plan the reports for a new order (the server passes each order_id on once). A crew that drives
        to the scene (`arrive_at`, sim.unit_motion) reports progress only once it is there."""
        rng = self._rng
        rework = not str(order["order_id"]).endswith("-1")
        temper = Temper.PROMPT if rework else rng.choices(_TEMPERS, _WEIGHTS)[0]
        self.tempers[str(order["order_id"])] = temper
        deadline = _parse(order.get("deadline"))
        minutes = 60.0 * self._pace
        if temper is Temper.RETURNS:
            self._plan(order, now + rng.uniform(1, 5) * minutes, "return_request", rng.choice(_RETURN_NOTES))
            return temper
        signed = now + rng.uniform(1, 5) * minutes
        self._plan(order, signed, "sign", "")
        if temper is Temper.SILENT:
            return temper
        started = signed + rng.uniform(2, 8) * minutes
        if arrive_at is not None:
            started = max(started, arrive_at)
        self._plan(order, started, "progress", rng.choice(_PROGRESS_NOTES), photos=_PROGRESS_PHOTOS[:1])
        finish = started + rng.uniform(5, 25) * minutes
        if deadline is not None:
            if temper is Temper.LATE:
                finish = max(finish, deadline + rng.uniform(10, 60) * minutes)
            elif finish >= deadline:
                finish = started + (deadline - started) * rng.uniform(0.5, 0.9)
        note = rng.choice(_CARELESS_NOTES if temper is Temper.CARELESS else _DONE_NOTES)
        self._plan(
            order, max(finish, started + 1), "handled", note, photos=(*_PROGRESS_PHOTOS[1:], *_DONE_PHOTOS)
        )
        return temper

    def due(self, now: float) -> list[dict[str, Any]]:
        """Reports whose time has come, in time order."""
        out: list[dict[str, Any]] = []
        while self._queue and self._queue[0].at <= now:
            out.append(heapq.heappop(self._queue).report)
        return out

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def _plan(
        self, order: dict[str, Any], at: float, action: str, note: str, *, photos: tuple[str, ...] = ()
    ) -> None:
        report: dict[str, Any] = {
            "order_id": order["order_id"],
            "unit": order["unit"],
            "action": action,
            "at": datetime.fromtimestamp(at, _LOCAL).isoformat(timespec="seconds"),
        }
        if note:
            report["note"] = note
        position = self._position(order)
        if position is not None:
            report["position"] = position
        shipped = demo_photos()
        attachments = [
            {
                "uri": f"{self.media_base}{MEDIA_PATH}{name}",
                "content_type": "image/jpeg",
                "size": len(shipped[name]),
            }
            for name in photos
            if name in shipped
        ]
        if attachments:
            report["attachments"] = attachments
        self._count += 1
        heapq.heappush(self._queue, _Due(at, self._count, report))

    def _position(self, order: dict[str, Any]) -> dict[str, float] | None:
        """Somewhere within ~50 m of the scene: the unit reports from its phone on site."""
        location = order.get("location")
        if not isinstance(location, dict):
            return None
        lon, lat = location.get("lon"), location.get("lat")
        if not isinstance(lon, int | float) or not isinstance(lat, int | float):
            return None
        jitter = self._rng.uniform
        return {"lon": round(lon + jitter(-5e-4, 5e-4), 6), "lat": round(lat + jitter(-4e-4, 4e-4), 6)}


def report_time(report: dict[str, Any], fallback: float) -> float:
    """When a planned report says the unit acted (whole seconds), or `fallback`."""
    at = _parse(report.get("at"))
    return fallback if at is None else at


def _parse(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
