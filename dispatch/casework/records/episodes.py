"""Episodes: repeated machine alarms of one device, camera or spot fold into the open case they raised."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import msgspec
import sqlite_utils

from core.geo import distance_m
from dispatch.casework.model import Action, Actor, Case, CaseState, Command
from dispatch.casework.policy import EpisodeRule

# The reason a confirmed clearing proposal voids the case with: stored in the audit like any reason.
CLEARED_REASON = "自动消警"
# A clearing proposal is a void the shift lead confirms: only states a void starts from can take one.
CLEARABLE_STATES = frozenset({CaseState.DISCOVERED, CaseState.VERIFYING, CaseState.REGISTERED})

# One row per (episode, case): the episode's key, its span of report times and whether the device last
# said the condition is over. A report continues the newest open episode of its key whose span, widened by
# the gap, holds its time.
_EPISODES_DDL = """
CREATE TABLE case_episodes (
    key TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    exercise INTEGER NOT NULL,
    lon REAL,
    lat REAL,
    first_at REAL NOT NULL,
    last_at REAL NOT NULL,
    alarming INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (key, case_id)
)
"""
_EPISODES_INDEX = "CREATE INDEX case_episodes_case ON case_episodes (case_id)"
# Cases whose alarms all cleared, waiting for the shift lead's one key (void 自动消警) or dismissal.
_PROPOSALS_DDL = """
CREATE TABLE clear_proposals (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    event_row INTEGER NOT NULL,
    proposed_at REAL NOT NULL,
    dismissed INTEGER NOT NULL DEFAULT 0
)
"""


def migrate_episodes(db: sqlite_utils.Database) -> None:
    """Schema migration: alarm episodes and clearing proposals (runs inside the migration transaction)."""
    for statement in (_EPISODES_DDL, _EPISODES_INDEX, _PROPOSALS_DDL):
        db.execute(statement)


class _Extras(msgspec.Struct):
    """The protocol's optional device fields, read leniently from a stored payload (older stores, other
    writers): a value of the wrong type counts as absent instead of failing the report."""

    device: object = None
    cleared: object = None


_EXTRAS = msgspec.json.Decoder(_Extras)


@dataclass(frozen=True, slots=True)
class Alarm:
    """What a report says about its device: which one (if it names one) and whether its alarm is over."""

    device: str | None = None
    cleared: bool = False


def read_signal(payload: object) -> Alarm:
    """The device and cleared fields of a stored EVENT payload; a payload that is not JSON raises."""
    if not isinstance(payload, (bytes, str)):
        return Alarm()
    extras = _EXTRAS.decode(payload)
    device = extras.device if isinstance(extras.device, str) and 0 < len(extras.device) <= 128 else None
    return Alarm(device, extras.cleared is True)


def episode_key(
    rule: EpisodeRule, source: str, category: str, device: str | None, camera_id: str, address: str
) -> str | None:
    """The episode a report belongs to, most specific first: its device, else its camera, else its
    address; None for people's reports (each one is a case) and machine reports with no place at all."""
    if source not in rule.sources:
        return None
    # JSON keeps the feed's texts apart whatever characters they hold.
    if device:
        return json.dumps(["device", source, device, category], ensure_ascii=False)
    if camera_id:
        return json.dumps(["camera", camera_id, category], ensure_ascii=False)
    place = " ".join(address.split())
    return json.dumps(["place", place, category], ensure_ascii=False) if place else None


def find_open(
    conn: sqlite3.Connection, rule: EpisodeRule, key: str, *, exercise: bool, at: float,
    lon: float | None, lat: float | None,
) -> int | None:  # fmt: skip
    """The open case whose episode `key` a report at `at` continues, or None (newest episode first)."""
    rows = conn.execute(
        "SELECT e.case_id, e.lon, e.lat FROM case_episodes AS e JOIN cases AS c ON c.id = e.case_id "
        "WHERE e.key = ? AND e.exercise = ? AND c.is_open = 1 AND ? BETWEEN e.first_at - ? AND e.last_at + ? "
        "ORDER BY e.last_at DESC, e.case_id DESC",
        (key, int(exercise), at, rule.gap_s, rule.gap_s),
    ).fetchall()
    for case_id, elon, elat in rows:
        # One address can name a long street: a place episode also needs the report near where it began.
        if not key.startswith('["place"') or None in (lon, lat, elon, elat):
            return int(case_id)
        if distance_m(lon, lat, elon, elat) <= rule.radius_m:  # type: ignore[arg-type]
            return int(case_id)
    return None


def begin(conn: sqlite3.Connection, key: str, case: Case, at: float) -> None:
    """The first report of an episode opened `case`."""
    conn.execute(
        "INSERT OR IGNORE INTO case_episodes (key, case_id, exercise, lon, lat, first_at, last_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key, case.id, int(case.exercise), case.lon, case.lat, at, at),
    )


def extend(conn: sqlite3.Connection, key: str | None, case_id: int, at: float, *, cleared: bool) -> None:
    """A later report of the episode: its span grows, and it alarms again unless the report cleared it.
    An alarm again withdraws a clearing proposal (dismissed or not: the next clearing asks afresh)."""
    if key is not None:
        conn.execute(
            "INSERT INTO case_episodes (key, case_id, exercise, first_at, last_at, alarming) "
            "SELECT ?, id, exercise, ?, ?, ? FROM cases WHERE id = ? "
            "ON CONFLICT (key, case_id) DO UPDATE SET first_at = min(first_at, excluded.first_at), "
            "last_at = max(last_at, excluded.last_at), alarming = excluded.alarming",
            (key, at, at, int(not cleared), case_id),
        )
    if not cleared:
        conn.execute("DELETE FROM clear_proposals WHERE case_id = ?", (case_id,))


def propose_clearing(conn: sqlite3.Connection, case: Case, event_row: int, now: float) -> bool:
    """After a cleared report: propose the case for 自动消警 when none of its episodes still alarms and a
    void can close it (True: a new proposal). A case a unit already works on is left to the unit."""
    if case.state not in CLEARABLE_STATES:
        return False
    alarming = conn.execute(
        "SELECT 1 FROM case_episodes WHERE case_id = ? AND alarming = 1 LIMIT 1", (case.id,)
    ).fetchone()
    if alarming is not None:
        return False
    written = conn.execute(
        "INSERT OR IGNORE INTO clear_proposals (case_id, event_row, proposed_at) VALUES (?, ?, ?)",
        (case.id, event_row, now),
    )
    return written.rowcount == 1


def pending_clearing(conn: sqlite3.Connection, *, exercise: bool = False) -> list[int]:
    """Cases proposed for 自动消警 that the shift lead has not yet confirmed or dismissed, oldest first."""
    states = ", ".join(f"'{s.value}'" for s in sorted(CLEARABLE_STATES))
    rows = conn.execute(
        "SELECT p.case_id FROM clear_proposals AS p JOIN cases AS c ON c.id = p.case_id "
        f"WHERE p.dismissed = 0 AND c.is_open = 1 AND c.exercise = ? AND c.state IN ({states}) "
        "ORDER BY p.proposed_at, p.case_id",
        (int(exercise),),
    )
    return [int(case_id) for (case_id,) in rows]


def clearing_proposed(conn: sqlite3.Connection, case: Case) -> bool:
    """Whether the case waits for the shift lead's 自动消警 (proposed, not dismissed, still clearable)."""
    if case.state not in CLEARABLE_STATES:
        return False
    row = conn.execute("SELECT 1 FROM clear_proposals WHERE case_id = ? AND dismissed = 0", (case.id,))
    return row.fetchone() is not None


def dismiss_clearing(conn: sqlite3.Connection, case_id: int) -> None:
    """The shift lead keeps the case open: the proposal leaves the list until the device alarms again."""
    conn.execute("UPDATE clear_proposals SET dismissed = 1 WHERE case_id = ?", (case_id,))


def clearing_command(case: Case, actor: Actor) -> Command:
    """The one-key confirmation: void the case with the reason 自动消警 (the desk checks role and state)."""
    return Command(case.id, case.version, Action.VOID, actor, CLEARED_REASON, {"auto_clear": True})
