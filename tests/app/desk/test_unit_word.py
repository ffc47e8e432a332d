"""The unit's word on the case: a report with a note, a position and a photo travels the real feed path
(server → pipeline → report inbox → desk), shows on the case as the unit's own with its name, and its
photo is fetched off the GUI thread; 代录 only for what an officer typed in; the check form shows the
unit's last report beside the decision."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.desk.photos import UnitPhotos
from dispatch.casework.model import Action, CaseState
from dispatch.casework.readouts import CaseFile, UnitWord
from dispatch.casework.records.case_file import load_case_file
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.orders import ReportAction, ReportOutcome, UnitReport, apply_report
from dispatch.feed.attachments import AttachmentRef, Photo
from dispatch.feed.pipeline import IntakePipeline
from sim.server import FeedServer
from sim.units import MEDIA_PATH, demo_photos
from tests.dispatch.casework.policies import LEAD, act, dispatched_store, open_loop
from tests.dispatch.feed.test_orders_live import inbox_count
from tests.dispatch.feed.test_pipeline_live import FAST, Watch, with_pipeline
from widgets.common.vocabulary import Vocabulary
from widgets.desk.action_form import ActionForm, needs_form
from widgets.desk.case_panel import CasePanel
from widgets.desk.case_words import CaseWords

NAMES = {"U-1": "钟楼区城管一队", "li": "李值班长"}


def at(minute: int) -> str:
    return datetime(2026, 1, 5, 9, minute, tzinfo=UTC).isoformat()


def load(db: Path, case_id: int) -> CaseFile:
    loop = open_loop(db)
    try:
        case_file = load_case_file(loop.conn, case_id)
    finally:
        loop.close()
    assert case_file is not None
    return case_file


class RunningServer:
    """A feed server on 127.0.0.1 that also serves the demo's photos, on its own event loop thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = FeedServer(heartbeat_s=None)
        self.server.media.update({f"{MEDIA_PATH}{n}": data for n, data in demo_photos().items()})
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)

    def call(self, fn: Any, *args: Any) -> Any:
        async def run() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def panel(qtbot: QtBot, qapp: QApplication) -> CasePanel:
    widget = CasePanel(CaseWords(), Vocabulary())
    qtbot.addWidget(widget)
    widget.set_names(NAMES)
    widget.resize(600, 800)
    widget.show()
    return widget


def test_a_units_note_position_and_photo_arrive_over_the_feed_and_show_as_its_own(
    qtbot: QtBot, tmp_path: Path, panel: CasePanel
) -> None:
    db = tmp_path / "s.sqlite3"
    case_id, order_id = dispatched_store(db)
    photo_url = None

    async def scenario() -> None:
        nonlocal photo_url
        async with FeedServer(heartbeat_s=None) as server:
            photo_url = f"{server.media_url}{MEDIA_PATH}site-after.jpg"
            base = server.media_url
            hostile = [  # traversal, a script-capable type, a size no photo has
                {"uri": f"{base}/../../etc/passwd", "content_type": "image/jpeg", "size": 9},
                {"uri": f"{base}/x.svg", "content_type": "image/svg+xml", "size": 9},
                {"uri": f"{base}/big.jpg", "content_type": "image/jpeg", "size": 10**12},
            ]
            good = {"uri": photo_url, "content_type": "image/jpeg", "size": 5123}
            where = {"lon": 116.40123, "lat": 39.90871}
            sign = {"order_id": order_id, "unit": "U-1", "action": "sign", "at": at(5), "note": "已到场",
                    "position": where, "attachments": [good, *hostile]}  # fmt: skip

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                server.publish_report(sign)
                await watch.until(lambda: pipeline.flush(5) and inbox_count(db) == 1)

            await with_pipeline(db, server, body)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    loop = open_loop(db)
    try:
        assert [r.outcome for r in apply_inbox(loop.desk)] == [ReportOutcome.APPLIED]
        assert loop.desk.get(case_id).state is CaseState.SIGNED
    finally:
        loop.close()
    case_file = load(db, case_id)
    (word,) = case_file.unit_words
    assert (word.unit, word.note, word.by_phone, word.refused) == ("U-1", "已到场", False, 3)
    assert word.position == (116.40123, 39.90871)
    assert [ref.uri for ref in word.attachments] == [photo_url]

    panel.show_file(case_file)
    assert panel.tabs.tabText(3) == "Unit reports (1)"
    (card,) = panel.unit_reports.cards
    assert card.heading.text().startswith("钟楼区城管一队 · Signed for · ")
    assert "by phone" not in card.heading.text()
    assert card.note.text() == "已到场"
    assert "116.40123" in card.where.text()
    assert card.refused.text() == "3 attachment(s) refused (not shown)"
    (thumb,) = card.photos
    assert not thumb.isEnabled()  # waiting for the app to fetch it
    timeline_actions = [panel.timeline.item(row, 1).text() for row in range(panel.timeline.rowCount())]
    assert "Signed for" in timeline_actions
    assert "Signed for (by phone)" not in timeline_actions
    by = [panel.timeline.item(row, 3).text() for row in range(panel.timeline.rowCount())]
    assert any(text.startswith("钟楼区城管一队") for text in by)
    sign_row = timeline_actions.index("Signed for")
    assert panel.timeline.item(sign_row, 4).text() == "已到场 · 1 photo(s)"


def test_a_return_request_without_a_reason_reads_as_the_units_and_says_so(
    tmp_path: Path, panel: CasePanel
) -> None:
    db = tmp_path / "s.sqlite3"
    case_id, order_id = dispatched_store(db)
    loop = open_loop(db)
    try:
        back = UnitReport(order_id, "U-1", ReportAction.RETURN_REQUEST, loop.clock.now() + 60)
        assert apply_report(loop.desk, back, feed="f", seq=1).outcome is ReportOutcome.APPLIED
        case_file = load_case_file(loop.conn, case_id)
    finally:
        loop.close()
    assert case_file is not None
    panel.show_file(case_file)
    (card,) = panel.unit_reports.cards
    assert card.heading.text().startswith("钟楼区城管一队 · Asks to return · ")
    assert not card.note.isVisibleTo(panel)
    assert panel.timeline.item(0, 1).text() == "Asks to return"
    assert panel.timeline.item(0, 4).text() == "no reason given"


def test_the_app_fetches_the_photo_off_the_gui_thread_and_the_thumbnail_opens_full_size(
    qtbot: QtBot, tmp_path: Path, panel: CasePanel
) -> None:
    db = tmp_path / "s.sqlite3"
    case_id, order_id = dispatched_store(db)
    running = RunningServer()
    try:
        server = running.server
        url = f"{server.media_url}{MEDIA_PATH}site-after.jpg"
        report = {"order_id": order_id, "unit": "U-1", "action": "sign", "at": at(5), "note": "已到场",
                  "attachments": [{"uri": url, "content_type": "image/jpeg", "size": 5123}]}  # fmt: skip
        deliver_from_running(db, running, report)
        case_file = load(db, case_id)
        photos = UnitPhotos(tmp_path / "photos", [server.url])
        photos.photo_fetched.connect(panel.show_photo)
        panel.show_file(case_file)
        with qtbot.waitSignal(photos.photo_fetched, timeout=10_000) as fetched:
            photos.want(case_file)
        photo: Photo = fetched.args[0]
        assert photo.problem is None
        (thumb,) = panel.unit_reports.cards[0].photos
        assert thumb.isEnabled()
        assert not thumb.icon().isNull()
        thumb.click()
        viewer = panel.unit_reports.viewer
        assert viewer is not None
        assert viewer.isVisible()
        assert (viewer.image.pixmap().width(), viewer.image.pixmap().height()) == (320, 240)
        # Esc closes the full-size picture.
        QTest.keyClick(viewer, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not viewer.isVisible())
        photos.close()
    finally:
        running.close()


def deliver_from_running(db: Path, running: RunningServer, report: dict[str, Any]) -> None:
    """The report through a real pipeline from the server running on its own thread, then applied."""

    async def scenario() -> None:
        pipeline = IntakePipeline(db_path=db, feed_url=running.server.url, policy=FAST)
        task = asyncio.create_task(pipeline.run())
        try:
            watch = Watch(pipeline)
            subscribed = running.server.wait_subscribed(1)
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(subscribed, running.loop))
            running.call(running.server.publish_report, report)
            await watch.until(lambda: pipeline.flush(5) and inbox_count(db) == 1)
        finally:
            await pipeline.close()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    loop = open_loop(db)
    try:
        assert [r.outcome for r in apply_inbox(loop.desk)] == [ReportOutcome.APPLIED]
    finally:
        loop.close()


def test_by_phone_only_for_what_an_officer_typed_in(tmp_path: Path, panel: CasePanel) -> None:
    db = tmp_path / "s.sqlite3"
    case_id, order_id = dispatched_store(db)
    loop = open_loop(db)
    try:
        act(loop, case_id, Action.SIGN, LEAD, note="电话告知已签收")
        handled = UnitReport(order_id, "U-1", ReportAction.HANDLED, loop.clock.now() + 60, note="已更换井盖")
        assert apply_report(loop.desk, handled, feed="f", seq=1).outcome is ReportOutcome.APPLIED
        case_file = load_case_file(loop.conn, case_id)
    finally:
        loop.close()
    assert case_file is not None
    signed, done = case_file.unit_words
    assert (signed.by_phone, signed.recorded_by, signed.unit) == (True, "li", "U-1")
    assert (done.by_phone, done.unit, done.note) == (False, "U-1", "已更换井盖")
    assert case_file.last_unit_word == done
    panel.show_file(case_file)
    newest, oldest = panel.unit_reports.cards
    assert newest.heading.text().startswith("钟楼区城管一队 · Handling done · ")
    assert oldest.heading.text().startswith("钟楼区城管一队 · Signed for (by phone) · ")
    assert oldest.heading.text().endswith("recorded by 李值班长")
    actions = [panel.timeline.item(row, 1).text() for row in range(panel.timeline.rowCount())]
    assert actions.count("Signed for (by phone)") == 1
    assert actions.count("Handling done") == 1
    assert "Handled (by phone)" not in actions


@pytest.mark.parametrize("action", [Action.START_CHECK, Action.FAIL_CHECK, Action.CLOSE])
def test_the_check_form_shows_the_units_last_report_beside_the_decision(
    qtbot: QtBot, qapp: QApplication, action: Action
) -> None:
    form = ActionForm(CaseWords())
    qtbot.addWidget(form)
    url = "http://127.0.0.1:9/media/unit-photos/site-after.jpg"
    word = UnitWord(7, Action.HANDLE, "U-1", 1_767_600_000.0, "已更换井盖，附照片",
                    attachments=(AttachmentRef(url, "image/jpeg", 5123),))  # fmt: skip
    assert needs_form(action)
    form.ask(action, 7, 3, "20260105-7", unit_word=word, names=NAMES)
    assert form.unit_word.isVisible()
    assert form.unit_heading.text().startswith("钟楼区城管一队 · Handling done · ")
    assert form.unit_note.text() == "已更换井盖，附照片"
    (thumb,) = form.unit_photos
    data = demo_photos()["site-after.jpg"]
    form.show_photo(Photo(url, data, "image/jpeg", 320, 240))
    assert thumb.isEnabled()
    assert not thumb.icon().isNull()
    # Another action on the same form does not show the report.
    form.reject()
    form.ask(Action.SUPERVISE, 7, 3, "20260105-7")
    assert not form.unit_word.isVisible()


def test_the_check_form_says_when_the_unit_sent_nothing(qtbot: QtBot, qapp: QApplication) -> None:
    form = ActionForm(CaseWords())
    qtbot.addWidget(form)
    form.ask(Action.START_CHECK, 7, 3, "20260105-7", unit_word=None, names=NAMES)
    assert form.unit_word.isVisible()
    assert form.unit_heading.text() == "No report from the unit on this case."
    assert form.unit_photos == []
