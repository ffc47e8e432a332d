"""Every demo page rendered at 1920x1080 and at a 5760x2160 processor canvas, in Chinese, with a rising
river and a few cases: saved for a person to look at (WALL_SHOTS=<dir> keeps them) and checked not blank."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.theme import apply_theme
from app.wall.launch import add_takeover_maps, demo_camera_names, demo_cameras, show_demo_atlas
from app.wall.pages_file import demo_pages_path
from app.wall.source import WallReading
from dispatch.casework.model import Card, CaseState
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.readouts import QueueRow
from dispatch.feed.values import MetricSample
from tests.app.wall.walls import T0, wall_on
from widgets.common.tight_fit import ElidedLabel
from widgets.wall.case_board import CaseFigures
from widgets.wall.warnings_panel import WarningInForce

DEMO = demo_pages_path().read_text(encoding="utf-8")
CITY = (
    ("congestion_index", 1.84, None),
    ("aqi", 63.0, None),
    ("power_load", 5480.0, "MW"),
    ("hotline_calls_per_hour", 420.0, "calls/h"),
)


def city_at(minute: int) -> tuple[MetricSample, ...]:
    at = T0 + 60 * minute
    river = MetricSample(0, "water_level_max", 3.6 + 0.008 * minute, at, "m", (("district", "339901"),))
    return (
        river,
        *(MetricSample(0, name, value + minute * 0.01, at, unit, ()) for name, value, unit in CITY),
    )


def is_blank(image: QImage) -> bool:
    corner = image.pixel(0, 0)
    xs = range(0, image.width(), max(1, image.width() // 64))
    ys = range(0, image.height(), max(1, image.height() // 32))
    return all(image.pixel(x, y) == corner for x in xs for y in ys)


@pytest.mark.parametrize("size", [(1920, 1080), (5760, 2160)])
def test_every_demo_page_renders(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, size: tuple[int, int]
) -> None:
    out = Path(os.environ.get("WALL_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    rules = load_policy(default_policy_path()).alert_rules
    cameras = demo_camera_names()
    registry = demo_cameras()
    assert registry is not None
    with wall_on(
        qtbot, qapp, DEMO, size=size, rules=rules, language="zh_CN", cameras=cameras, registry=registry,
        districts={"339901": "钟楼区"},
    ) as wall:  # fmt: skip
        takeover_maps = add_takeover_maps([(wall.window, wall.parts)], apply_theme(qapp), wall.pages)
        show_demo_atlas(wall.parts.maps + takeover_maps)
        # Open cases at the demo cameras' crossings, every level.
        marks = tuple(
            (str(n), camera.lon, camera.lat, 1 + n % 4, T0 - 600 * n, None, T0)
            for n, camera in enumerate(list(registry)[::7][:24])
        )
        for minute in range(12):
            wall.controller.apply(
                WallReading(
                    city_at(minute),
                    CaseFigures((0, 2, 17, 41), (("钟楼区", 23), ("东港区", 19), ("明湖区", 12)), 6, 3),
                    (),
                    (WarningInForce("暴雨橙色预警", "钟楼区、东港区", 2, T0 + 6 * 3600),),
                    ("王敏",),
                    T0 + 60 * minute,
                    (),
                    marks,
                )
            )
            wall.advance(60)
        assert len(wall.parts.maps[0].incidents.ids) == len(marks)
        for index, page in enumerate(wall.pages.pages):
            wall.window.show_page(index)
            qapp.processEvents()
            image = wall.window.grab().toImage()
            assert (image.width(), image.height()) == size
            assert not is_blank(image)
            # Read from metres away, a word cut short is a word lost ("预计 38 分钟后…" hides 超警).
            labels = wall.window.findChildren(ElidedLabel)
            cut = [w.text() for w in labels if w.isVisible() and w.shows_fragment()]
            assert cut == [], f"page {page.name}: cut short on the wall: {cut}"
            if page.name == "cases-and-video":
                assert [t.name.text() for t in wall.parts.videos[0].tiles.values()] == list(cameras.values())[
                    :4
                ]
            image.save(str(out / f"wall-{page.name}-{size[0]}x{size[1]}.png"))
        camera = next(iter(registry))
        wall.controller.apply(
            WallReading(
                (),
                CaseFigures((1, 2, 17, 41), (), 6, 3),
                (severe_case(),),
                (),
                (),
                wall.clock.now(),
                ((7, camera.lon, camera.lat),),
            )
        )
        qapp.processEvents()
        assert wall.window.takeover.isVisible()
        image = wall.window.grab().toImage()
        assert not is_blank(image)
        image.save(str(out / f"wall-takeover-{size[0]}x{size[1]}.png"))


def severe_case() -> QueueRow:
    return QueueRow(
        id=7, code="TS-0007", state=CaseState.DISCOVERED, version=1, severity=1, category="waterlogging",
        title="人民路隧道积水，车辆被困", address="人民路隧道南口", district="339901", source="iot",
        discovered_at=T0 + 600, handle_due=None, register_due=None, card=Card.NONE, parked=False,
        overdue=False, unit="", events_count=1, acknowledged=False,
    )  # fmt: skip
