"""A case's history tables: every source report (merged cases' too) and the audit timeline, newest first."""

from __future__ import annotations

import time
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from dispatch.casework.model import Action, AuditRow, Role
from dispatch.casework.readouts import NO_REASON_GIVEN, CaseFile
from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_words import CaseWords
from widgets.desk.unit_reports import UnitWords


def local_time(t: float | None, pattern: str = "%m-%d %H:%M") -> str:
    return "—" if t is None else time.strftime(pattern, time.localtime(t))


# China's four levels are read as Roman numerals (I级 … IV级) on every screen.
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _device_word(audit: AuditRow) -> str:
    """How a machine source's update reads: "cleared", "repeat" (a plain repeated alarm, which folds
    with its neighbours) or "" (a revision, or a repeat that escalated: each worth its own row)."""
    if audit.action is not Action.SOURCE_UPDATE:
        return ""
    payload = audit.payload
    if payload.get("cleared") is True:
        return "cleared"
    severity, before = payload.get("severity"), payload.get("from_severity")
    raised = isinstance(severity, int) and isinstance(before, int) and severity < before
    return "repeat" if payload.get("repeat") is True and not raised else ""


def timeline_runs(rows: tuple[AuditRow, ...]) -> list[tuple[AuditRow, int, float]]:
    """Newest first, a run of plain repeated alarms of one case as one entry: (newest row of the run,
    how many, when the run began). A sensor repeating for an hour is one line, not sixty."""
    runs: list[tuple[AuditRow, int, float]] = []
    for audit in reversed(rows):
        if runs and _device_word(audit) == "repeat":
            newest, count, _ = runs[-1]
            if _device_word(newest) == "repeat" and newest.case_id == audit.case_id:
                runs[-1] = (newest, count + 1, audit.at)
                continue
        runs.append((audit, 1, audit.at))
    return runs


class _HistoryTable(QTableWidget):
    """Times, states and names whole; the free-text columns (`elastic`, and the last) share what is left,
    elided with the whole text in the cell's tooltip, so the table never scrolls across."""

    def __init__(
        self, name: str, headers: tuple[str, ...], parent: QWidget | None, elastic: tuple[int, ...] = ()
    ) -> None:
        super().__init__(0, len(headers), parent)
        self._elastic = elastic
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in elastic:
            self.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        if elastic:
            self.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # The stretched last column never gets narrower than this (Qt's default is 100 px).
        self.horizontalHeader().setDefaultSectionSize(4 * self.fontMetrics().horizontalAdvance("中"))

    def fit_columns(self) -> None:
        """Call after the rows changed; the table does it on resize."""
        if not self._elastic:
            return
        header = self.horizontalHeader()
        last = self.columnCount() - 1
        least = header.minimumSectionSize()
        others = sum(header.sectionSize(c) for c in range(last) if c not in self._elastic)
        # The stretched last column keeps at least its heading.
        tail = max(header.defaultSectionSize(), header.sectionSizeHint(last)) + 2 * self.frameWidth()
        room = max(0, self.viewport().width() - others - tail) // len(self._elastic)
        for column in self._elastic:
            want = max(self.sizeHintForColumn(column), header.sectionSizeHint(column))
            header.resizeSection(column, max(least, min(want, room)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()


class ReportsTable(_HistoryTable):
    """Every source event of the case; one that came with a merged case names that case."""

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(
            "caseReports",
            (self.tr("Time"), self.tr("Source"), self.tr("Report"), self.tr("Via")),
            parent,
            (2,),
        )
        self._vocabulary = vocabulary

    def show_file(self, case_file: CaseFile) -> None:
        self.setRowCount(len(case_file.events))
        for row, linked in enumerate(case_file.events):
            event = linked.event
            title = event.title + (f" (r{event.revision})" if event.revision > 1 else "")
            cells = (
                local_time(event.occurred_at),
                self._vocabulary.source(event.source),
                title,
                linked.via_code,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(event.description or event.title)
                self.setItem(row, column, item)
        self.fit_columns()


class TimelineTable(_HistoryTable):
    """The audit rows of the case and every case merged into it, newest first."""

    def __init__(self, words: CaseWords, parent: QWidget | None = None) -> None:
        headers = (self.tr("Time"), self.tr("Action"), self.tr("State"), self.tr("By"), self.tr("Note"))
        super().__init__("caseTimeline", headers, parent, (1, 2))
        self._words = words
        self._unit_words = UnitWords(self)

    def show_file(self, case_file: CaseFile, names: Mapping[str, str]) -> None:
        words = self._words
        runs = timeline_runs(case_file.timeline)
        self.setRowCount(len(runs))
        for index, (audit, count, began) in enumerate(runs):
            change = words.shift.state(audit.to_state)
            if audit.from_state != audit.to_state:
                change = f"{words.shift.state(audit.from_state)} → {change}"
            # A unit's own report reads as the unit's (签收 by its name); 代录 only for an officer's entry.
            own = self._unit_words.own(audit.action) if audit.role is Role.UNIT else None
            action = own or self._device_action(audit, count) or words.action(audit.action)
            if audit.case_id != case_file.case.id:
                action = f"{action} [{case_file.code_of(audit.case_id)}]"
            by = self._by(audit, names)
            note = self._note(audit, case_file, names)
            if count > 1:
                note = " · ".join(
                    p for p in (fill(self.tr("since %1"), local_time(began, "%H:%M:%S")), note) if p
                )
            cells = (local_time(audit.at, "%m-%d %H:%M:%S"), action, change, by, note)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.setItem(index, column, item)
        self.fit_columns()

    def _device_action(self, audit: AuditRow, count: int) -> str:
        """A device's own word: its alarm again (how many times in a row) or its report that it cleared."""
        word = _device_word(audit)
        if word == "cleared":
            return self.tr("Sensor reports the alarm cleared")
        if audit.action is Action.SOURCE_UPDATE and audit.payload.get("repeat") is True:
            return fill(self.tr("Repeated alarm ×%1"), count)
        return ""

    def _by(self, audit: AuditRow, names: Mapping[str, str]) -> str:
        """Who did it, in words: the system is 系统, a unit goes by its name, an officer by login and role."""
        role = self._words.shift.role(audit.role)
        if audit.role is Role.SYSTEM:
            return role
        return f"{names.get(audit.actor, audit.actor)} · {role}"

    def _source_update(self, payload: Mapping[str, object]) -> list[str]:
        """Revision, withdrawal and escalation, as the officer needs to judge the case again."""
        # A repeat is another event of the device: its revision number says nothing.
        repeat = payload.get("repeat") is True
        parts = [] if repeat else [fill(self.tr("revision %1"), payload.get("revision", "?"))]
        if payload.get("cancelled") is True:
            parts.append(self.tr("withdrawn by the source"))
        severity, before = payload.get("severity"), payload.get("from_severity")
        if isinstance(severity, int) and isinstance(before, int) and severity < before:
            roman = _ROMAN
            parts.append(fill(self.tr("raised from level %1 to %2"), roman[before], roman[severity]))
        if isinstance(payload.get("title"), str):
            parts.append(str(payload["title"]))
        return parts

    def _note(self, audit: AuditRow, case_file: CaseFile, names: Mapping[str, str]) -> str:
        """The reason, and what the payload says in an officer's words (unit, merge, card, note)."""
        payload = audit.payload
        reason = self.tr("no reason given") if audit.reason == NO_REASON_GIVEN else audit.reason
        parts = [reason] if reason else []
        if isinstance(payload.get("unit"), str) and audit.action is Action.DISPATCH:
            parts.append(names.get(payload["unit"], payload["unit"]))
        if isinstance(payload.get("master_id"), int) and audit.action is Action.SPLIT:
            parts.append(fill(self.tr("split off %1"), case_file.code_of(payload["master_id"])))
        elif isinstance(payload.get("master_id"), int):
            parts.append(fill(self.tr("into %1"), case_file.code_of(payload["master_id"])))
        if isinstance(payload.get("released"), int):
            parts.append(fill(self.tr("gave back %1"), case_file.code_of(payload["released"])))
        if isinstance(payload.get("absorbed"), int):
            parts.append(fill(self.tr("absorbed %1"), case_file.code_of(payload["absorbed"])))
        if isinstance(payload.get("card"), int) and audit.action in (Action.CARD, Action.SUPERVISE):
            parts.append(self._words.shift.card(payload["card"]))
        # A unit's note is also its report's reason: said once.
        if isinstance(payload.get("note"), str) and payload["note"] != audit.reason:
            parts.append(payload["note"])
        if audit.action is Action.SOURCE_UPDATE:
            parts.extend(self._source_update(payload))
        photos = payload.get("attachments")
        if isinstance(photos, list) and photos:
            parts.append(fill(self.tr("%1 photo(s)"), len(photos)))
        return " · ".join(p for p in parts if p)
