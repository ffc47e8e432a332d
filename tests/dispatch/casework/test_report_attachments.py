"""Hostile attachment references on a unit report, through the wire decoder and the report inbox into a
real store: the frame is quarantined when its structure is wrong, otherwise the report applies and only
references that pass the screen reach the case; the rest are on the record as refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.casework.model import CaseState
from dispatch.casework.records.case_file import load_case_file
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.orders import ReportOutcome
from dispatch.feed.attachments import MAX_ATTACHMENTS, screen
from dispatch.feed.orders_wire import UnitReportMsg, decode_order_frame, report_body
from dispatch.feed.protocol import Rejected
from tests.dispatch.casework.policies import MONDAY_9, dispatched_store, open_loop

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

hostile_uris = st.one_of(
    st.sampled_from(
        [
            "https://p.example/ok.jpg",
            "http://127.0.0.1:8765/media/unit-photos/site-after.jpg",
            "file:///etc/passwd",
            "https://p.example/../../etc/passwd",
            "https://p.example/a/%252e%252e/b.jpg",
            "https://user:pw@p.example/a.jpg",
            "javascript:alert(1)",
            "data:image/jpeg;base64,/9j/4AAQ",
            "https://p.example/a b.jpg",
            "https://p.example/" + "x" * 2040,
        ]
    ),
    st.text(max_size=40),
)
attachments = st.fixed_dictionaries(
    {
        "uri": hostile_uris,
        "content_type": st.one_of(
            st.sampled_from(["image/jpeg", "image/png", "image/svg+xml", "text/html", "IMAGE/JPEG"]),
            st.text(min_size=1, max_size=20),
        ),
        "size": st.one_of(st.integers(1, 5 * 1024 * 1024), st.integers(1, 2**53)),
    }
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    path = tmp_path_factory.mktemp("attach") / "template.sqlite3"
    case_id, order_id = dispatched_store(path)
    loop = open_loop(path)
    loop.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    loop.close()
    return path, case_id, order_id


@SETTINGS
@given(listed=st.lists(attachments, max_size=40), photos=st.lists(hostile_uris, max_size=4))
def test_hostile_references_never_cost_the_unit_its_report(
    tmp_path_factory: pytest.TempPathFactory,
    template: tuple[Path, int, str],
    listed: list[dict[str, Any]],
    photos: list[str],
) -> None:
    source, case_id, order_id = template
    at = datetime.fromtimestamp(MONDAY_9 + 60, UTC).isoformat()
    report = {"order_id": order_id, "unit": "U-1", "action": "sign", "at": at, "note": "已到场",
              "attachments": listed, "photos": photos}  # fmt: skip
    frame = msgspec.json.encode({"type": "unit_report", "seq": 5, "report": report})
    decoded = decode_order_frame(frame, 5)
    wrong_structure = any(
        not a["uri"] or len(a["uri"]) > 2048 or len(a["content_type"]) > 64 for a in listed
    ) or any(len(uri) > 2048 for uri in photos)
    if len(listed) > 32 or wrong_structure:
        assert isinstance(decoded, Rejected)  # the frame is quarantined whole, like any malformed frame
        return
    assert isinstance(decoded, UnitReportMsg)
    path = tmp_path_factory.mktemp("attach") / "store.sqlite3"
    path.write_bytes(source.read_bytes())
    loop = open_loop(path)
    try:
        loop.conn.execute(
            "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('t', 5, ?, ?)",
            (report_body(decoded), MONDAY_9),
        )
        assert [r.outcome for r in apply_inbox(loop.desk)] == [ReportOutcome.APPLIED]
        assert loop.desk.get(case_id).state is CaseState.SIGNED
        case_file = load_case_file(loop.conn, case_id)
    finally:
        loop.close()
    assert case_file is not None
    (word,) = case_file.unit_words
    assert word.note == "已到场"
    assert len(word.attachments) <= MAX_ATTACHMENTS
    assert all(screen(ref.uri, ref.content_type, ref.size) is None for ref in word.attachments)
    # Every distinct reference is either shown or counted as refused: none vanishes unnoticed.
    assert len(word.attachments) + word.refused == len(dict.fromkeys([a["uri"] for a in listed] + photos))
