"""Plain values for the duty desk widget tests: queue rows, pages, cases and case files."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableWidget

from dispatch.casework.model import Action, AuditRow, Card, Case, CaseState, Role
from dispatch.casework.readouts import CaseFile, LinkedEvent, MergeProposal, Page, QueueQuery, QueueRow
from dispatch.feed.values import StoredEvent

NOW = 1_767_603_600.0
S = CaseState


def row(n: int, **overrides: Any) -> QueueRow:
    fields: dict[str, Any] = {
        "id": n,
        "code": f"20260105-{n}",
        "state": S.DISCOVERED,
        "version": 1,
        "severity": 3,
        "category": "manhole_cover",
        "title": f"人民路井盖缺失{n}",
        "address": f"人民路{n}号",
        "district": "339901",
        "source": "grid",
        "discovered_at": NOW - 600,
        "handle_due": None,
        "register_due": NOW + 1800,
        "card": Card.NONE,
        "parked": False,
        "overdue": False,
        "unit": "",
        "events_count": 1,
        "acknowledged": True,
        "due": NOW + 1800,
    }
    fields.update(overrides)
    return QueueRow(**fields)


def page(rows: list[QueueRow], query: QueueQuery | None = None, *, total: int | None = None,
         exact: bool = True, offset: int = 0, latest: int = 0, newer: int = 0) -> Page:  # fmt: skip
    return Page(tuple(rows), len(rows) if total is None else total, exact, offset, query or QueueQuery(),
                latest, newer)  # fmt: skip


def case(n: int = 7, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "id": n, "code": f"20260105-{n}", "state": S.DISCOVERED, "version": 3, "exercise": False,
        "category": "manhole_cover", "severity": 3, "urgency": "normal", "area": "urban",
        "title": "人民路井盖缺失", "description": "雨水井盖缺失，已临时围挡", "address": "人民路18号",
        "lon": 120.15, "lat": 30.27, "district": "339901", "grid": "339901001001", "source": "grid",
        "camera_id": "CAM-0007", "discovered_at": NOW - 600, "updated_at": NOW - 300, "updated_by": "li",
        "register_due": NOW + 1200,
    }  # fmt: skip
    fields.update(overrides)
    return Case(**fields)


def audit(
    n: int, case_id: int, action: Action, before: CaseState, after: CaseState, **fields: Any
) -> AuditRow:
    values: dict[str, Any] = {"actor": "li", "role": Role.SHIFT_LEAD, "at": NOW - 600 + n, "reason": "",
                              "payload": {}, "exercise": False}  # fmt: skip
    values.update(fields)
    return AuditRow(n, case_id, before, after, action, **values)


def event(event_id: str, title: str, **overrides: Any) -> StoredEvent:
    fields: dict[str, Any] = {
        "source": "grid", "event_id": event_id, "revision": 1, "seq": 1, "received_at": NOW - 600,
        "occurred_at": NOW - 600, "category": "manhole_cover", "severity": 3, "title": title,
    }  # fmt: skip
    fields.update(overrides)
    return StoredEvent(**fields)


def case_file(shown: Case | None = None, *, proposals: tuple[MergeProposal, ...] = ()) -> CaseFile:
    shown = shown or case()
    other = 9
    return CaseFile(
        case=shown,
        events=(
            LinkedEvent(event("e1", "人民路井盖缺失")),
            LinkedEvent(event("e2", "人民路井盖倾斜", source="iot"), other, f"20260105-{other}"),
        ),
        timeline=(
            audit(1, shown.id, Action.DISCOVER, S.DISCOVERED, S.DISCOVERED, actor="system", role=Role.SYSTEM),
            audit(2, other, Action.DISCOVER, S.DISCOVERED, S.DISCOVERED, actor="system", role=Role.SYSTEM),
            audit(3, other, Action.MERGE, S.DISCOVERED, S.MERGED, payload={"master_id": shown.id}),
        ),
        proposals=proposals,
        codes=((shown.id, shown.code), (other, f"20260105-{other}")),
    )


def proposal(absorbed: int = 12, master: int = 7, **overrides: Any) -> MergeProposal:
    fields: dict[str, Any] = {
        "other_id": absorbed, "other_code": f"20260105-{absorbed}", "other_title": "人民路井盖不见了",
        "other_state": S.DISCOVERED, "distance_m": 38.0, "gap_s": 300.0, "absorbed_id": absorbed,
        "absorbed_version": 2, "master_id": master, "master_code": f"20260105-{master}", "possible": True,
    }  # fmt: skip
    fields.update(overrides)
    return MergeProposal(**fields)


def text_at(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, f"no item at {row}, {column}"
    return item.text()
