"""Hostile frames for the demo feed (`sim --fuzz F`): what a broken or malicious upstream platform sends."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sim.feed_items import CapItem, EventItem, FeedItem
from sim.server import FeedServer

# (class, weight): oversized frames are rare, as each is over a mebibyte on the wire.
CLASSES: tuple[tuple[str, int], ...] = (
    ("binary", 10),
    ("not_json", 10),
    ("not_object", 10),
    ("not_utf8", 12),
    ("deep", 12),
    ("bad_number", 14),
    ("wrong_type", 14),
    ("bad_time", 14),
    ("oversized", 1),
)
_BAD_NUMBERS: dict[str, tuple[int | float, ...]] = {
    "seq": (2**63, 2**64, 10**40, -1, -(2**63) - 1),
    "severity": (2**63, 10**30, -1, 0, 5, 1e308),
    "lon": (1e308, -1e308, 180.5, -181.0, 2**64),
}
_WRONG_TYPES: dict[str, tuple[Any, ...]] = {
    "seq": ("5", 5.5, True, None, [5]),
    "severity": ("2", 2.5, True, [2]),
    "title": (5, True, ["t"], {}),
    "occurred_at": (1_700_000_000, True, ["2026"]),
    "event": ([], "event", 5),
    "type": (5, None, []),
}
_EXTREME_TIMES = (
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+08:00",
    "9999-12-31T23:59:59-14:00",
    "1926-01-05T08:00:00+08:00",
    "2126-01-05T08:00:00+08:00",
)


class HostileFrames:
    """Builds one hostile frame of a given class at a given seq (its own seq, unless the class breaks it)."""

    def __init__(self, rng: random.Random, now: Callable[[], float]) -> None:
        self._rng = rng
        self._now = now
        self._names = [name for name, _ in CLASSES]
        self._weights = [weight for _, weight in CLASSES]

    def pick(self) -> str:
        return self._rng.choices(self._names, self._weights)[0]

    def build(self, kind: str, seq: int) -> tuple[str | bytes, bool]:
        """(frame, sent as text)."""
        rng = self._rng
        body = self._event(seq)
        if kind == "binary":
            return rng.randbytes(rng.randrange(1, 200)), False
        if kind == "not_json":
            return "#" + "".join(chr(rng.randrange(32, 0x9FFF)) for _ in range(rng.randrange(60))), True
        if kind == "not_object":
            return json.dumps(rng.choice([[seq, "event"], "event", seq, None, 3.5, [[{"seq": seq}]]])), True
        if kind == "not_utf8":
            bad = rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])
            return _dumps(_envelope(seq, body)).replace(b"fuzz", b"fu" + bad + b"zz", 1), True
        if kind == "deep":
            depth = rng.randrange(65, 5000)
            where = rng.choice(["description", "location", "attachments", "extra"])
            broken = _envelope("seven" if rng.random() < 0.5 else seq, {**body, where: "@@"})
            return json.dumps(broken).replace('"@@"', "[" * depth + "1" + "]" * depth), True
        if kind == "bad_number":
            path = rng.choice(list(_BAD_NUMBERS))
            return _mutated(seq, body, path, rng.choice(_BAD_NUMBERS[path])), True
        if kind == "wrong_type":
            path = rng.choice(list(_WRONG_TYPES))
            return _mutated(seq, body, path, rng.choice(_WRONG_TYPES[path])), True
        if kind == "bad_time":
            future = datetime.fromtimestamp(self._now(), UTC) + timedelta(days=rng.randrange(3, 400))
            body["occurred_at"] = rng.choice([*_EXTREME_TIMES, future.isoformat(timespec="seconds")])
            return json.dumps(_envelope(seq, body)), True
        if kind == "oversized":
            body["description"] = "洪" * rng.randrange(350_000, 500_000)
            return json.dumps(_envelope(seq, body), ensure_ascii=False), True
        raise ValueError(f"unknown hostile class {kind!r}")

    def _event(self, seq: int) -> dict[str, Any]:
        occurred = datetime.fromtimestamp(self._now(), UTC).isoformat(timespec="seconds")
        return {
            "id": f"fuzz-{seq}",
            "source": "iot",
            "category": "waterlogging",
            "title": "fuzz 积水",
            "severity": 3,
            "occurred_at": occurred,
            "location": {"lon": 114.3, "lat": 30.6},
        }


def _envelope(seq: object, event: object) -> dict[str, Any]:
    return {"type": "event", "seq": seq, "event": event}


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _mutated(seq: int, body: dict[str, Any], path: str, value: object) -> str:
    if path == "seq":
        return json.dumps(_envelope(value, body))
    if path == "event":
        return json.dumps(_envelope(seq, value))
    if path == "type":
        return json.dumps({"type": value, "seq": seq, "event": body})
    if path == "lon":
        body["location"]["lon"] = value
    else:
        body[path] = value
    return json.dumps(_envelope(seq, body))


class FuzzingPublisher:
    """Publishes the demo's items with hostile frames mixed in, `fraction` of all frames on average.

    Every frame gets the server's next seq (so a reconnect replays hostile frames too); the tally says what
    went out, and `log` (if given) gets one JSON line per frame for checking a run against the store.
    """

    def __init__(
        self,
        server: FeedServer,
        fraction: float,
        rng: random.Random,
        now: Callable[[], float],
        log: IO[str] | None = None,
    ) -> None:
        self._server = server
        self._per_valid = fraction / (1 - fraction)
        self._credit = 0.0
        self._hostile = HostileFrames(rng, now)
        self._log = log
        self.tally: Counter[str] = Counter()

    def publish_items(self, items: Iterable[FeedItem]) -> None:
        server = self._server
        for item in items:
            if isinstance(item, EventItem):
                seq, kind = server.publish_event(item.event), f"event:{item.role.value}"
            elif isinstance(item, CapItem):
                seq, kind = server.publish_cap(item.xml), f"cap:{item.status}:{item.msg_type}"
            else:
                seq, kind = server.publish_metric(item.metric), "metric"
            self._note(seq, kind)
            self._credit += self._per_valid
            while self._credit >= 1:
                self._credit -= 1
                self._publish_hostile()

    def _publish_hostile(self) -> None:
        seq = self._server.next_seq()
        kind = self._hostile.pick()
        frame, text = self._hostile.build(kind, seq)
        self._server.publish_raw(frame, seq=seq, text=text)
        self._note(seq, f"hostile:{kind}")

    def _note(self, seq: int, kind: str) -> None:
        self.tally[kind] += 1
        if self._log is not None:
            self._log.write(f'{{"seq":{seq},"kind":"{kind}"}}\n')

    def summary(self) -> str:
        """One line per kind of frame sent, for stderr at the end of a run."""
        valid = sum(n for kind, n in self.tally.items() if not kind.startswith("hostile:"))
        hostile = sum(self.tally.values()) - valid
        lines = [f"fuzz: {valid} valid frames, {hostile} hostile frames"]
        lines += [f"fuzz:   {kind} {n}" for kind, n in sorted(self.tally.items())]
        return "\n".join(lines)


def open_log(path: Path | None) -> IO[str] | None:
    return None if path is None else path.open("w", encoding="utf-8", buffering=1 << 16)
