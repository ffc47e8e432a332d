"""Bounds on received values that reach the store or the clock: SQLite's integers, a window around now."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch.casework.policy import TimeWindow

# SQLite stores INTEGER as signed 64 bits; a larger Python int makes the whole write fail.
SQL_INT_MAX = 2**63 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sql_seq(value: object) -> int | None:
    """A feed position that can be stored (0 … 2^63-1), or None; bools are not positions."""
    return value if type(value) is int and 0 <= value <= SQL_INT_MAX else None


def epoch_seconds(moment: datetime) -> float:
    """Seconds since the Unix epoch for any datetime (naive means UTC).

    Subtraction never leaves the year range, where `astimezone` and `timestamp` can: 0001-01-01 at +08:00
    is in year 0 in UTC and raises OverflowError.
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware - _EPOCH).total_seconds()


def time_refusal(
    moment: datetime, where: str, now: float, window: TimeWindow, *, scheduled: bool = False
) -> str | None:
    """Why `moment` may not reach the store, or None when it lies in the window around `now`.

    `scheduled` times (CAP effective, onset, expires) may lie further ahead: warnings announce the future.
    """
    ahead = window.cap_ahead_s if scheduled else window.ahead_s
    earliest, latest = now - window.back_s, now + ahead
    try:
        at = epoch_seconds(moment)
    except (OverflowError, ValueError, TypeError):
        at = None
    if at is not None and earliest <= at <= latest:
        return None
    return (
        f"{where} {moment.isoformat()} is outside the accepted window {_shown(earliest)} … {_shown(latest)}"
    )


def _shown(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError):
        return f"{seconds:.0f} s after the epoch"
