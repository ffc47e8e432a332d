"""The wall's store reader on a real store file: readings once each, open cases counted, severe ones until a
console acknowledges them, CAP warnings while in force."""

from __future__ import annotations

import json
from pathlib import Path

from app.wall.source import REREAD_S, StoreReader
from dispatch.casework.model import Action
from dispatch.feed.values import MetricSample
from dispatch.store.rows import insert_others
from tests.dispatch.casework.policies import LEAD, act, new_case, open_loop, put_event


def reading(name: str, value: float, at: float, area: str | None = None) -> MetricSample:
    return MetricSample(0, name, value, at, "m", (("district", area),) if area else ())


def test_a_store_not_made_yet_reads_as_an_empty_wall(tmp_path: Path) -> None:
    reader = StoreReader(tmp_path / "none.sqlite3", history_s=3600)
    seen = reader.read(1_000.0)
    assert seen.metrics == ()
    assert seen.cases.total == 0
    assert not (tmp_path / "none.sqlite3").exists()


def test_readings_come_once_each_and_history_only_as_far_back_as_shown(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    now = loop.clock.now()
    insert_others(loop.conn, "demo", [reading("aqi", 40, now - 7200), reading("aqi", 50, now - 60)], [], [])
    reader = StoreReader(loop.path, history_s=3600)
    try:
        assert [m.value for m in reader.read(now).metrics] == [50]
        assert reader.read(now).metrics == ()
        insert_others(loop.conn, "demo", [reading("water_level_max", 3.2, now, "339901")], [], [])
        (new,) = reader.read(now).metrics
        assert (new.name, new.value, new.labels) == ("water_level_max", 3.2, (("district", "339901"),))
        assert reader.read(now).newest_reading_at == now
    finally:
        reader.close()
        loop.close()


def test_open_cases_by_level_and_severe_ones_until_acknowledged_elsewhere(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    severe = new_case(loop, "e1", severity=1, title="地铁站大客流")
    mild = new_case(loop, "e2", severity=3, lon=121.0)
    reader = StoreReader(loop.path, history_s=3600)
    try:
        seen = reader.read(loop.clock.now())
        assert seen.cases.by_level == (1, 0, 1, 0)
        assert [row.code for row in seen.severe] == [severe.code]
        # The maps get every open case with its position, the most severe first.
        assert [(mark[0], mark[3]) for mark in seen.marks] == [(str(severe.id), 1), (str(mild.id), 3)]
        # The duty console, on its own connection, acknowledges: the wall's next look has no takeover.
        act(loop, severe.id, Action.ACKNOWLEDGE, LEAD)
        assert reader.read(loop.clock.now()).severe == ()
        assert reader.read(loop.clock.now()).cases.by_level == (1, 0, 1, 0)
    finally:
        reader.close()
        loop.close()


def test_cap_warnings_show_while_in_force(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    now = loop.clock.now()

    def warn(event_id: str, title: str, expires: float | None, cancelled: bool = False) -> None:
        row = put_event(loop.conn, event_id, at=now - 600, source="cap", title=title, cancelled=cancelled)
        cap = {"area_desc": "江汉区", **({"expires": _iso(expires)} if expires else {})}
        loop.conn.execute("UPDATE events SET payload = ? WHERE id = ?", (json.dumps({"cap": cap}), row))

    warn("a", "暴雨橙色预警", now + 3600)
    warn("b", "大风蓝色预警", now - 60)
    warn("c", "高温黄色预警", now + 3600, cancelled=True)
    reader = StoreReader(loop.path, history_s=3600)
    try:
        (warning,) = reader.read(now).warnings
        assert (warning.headline, warning.area) == ("暴雨橙色预警", "江汉区")
        assert warning.expires == now + 3600
    finally:
        reader.close()
        loop.close()


def _iso(at: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(at, UTC).isoformat()


def test_an_unchanged_store_is_looked_at_again_only_when_the_clock_matters(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    case = new_case(loop, "e1", severity=3)
    assert case.register_due is not None
    due = case.register_due
    reader = StoreReader(loop.path, history_s=3600)
    try:
        assert reader.read(due - 1).cases.overdue == 0
        # Nothing committed since: the last look stands for a while, even past the deadline...
        assert reader.read(due + 1).cases.overdue == 0
        # ...and is taken again once REREAD_S has passed, when the case is overdue.
        assert reader.read(due - 1 + REREAD_S).cases.overdue == 1
        # A commit by another connection is seen at the next look.
        new_case(loop, "e2", severity=1, lon=121.0)
        assert reader.read(due + REREAD_S).cases.by_level == (1, 0, 1, 0)
    finally:
        reader.close()
        loop.close()
