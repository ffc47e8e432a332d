"""The case panel: one case's details, deadlines, source reports, timeline, merge proposals and actions."""

from __future__ import annotations

import time
from collections.abc import Mapping

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.model import Action, CaseState, Role
from dispatch.casework.readouts import (
    CHECK_CLOCK_STATES,
    HANDLE_CLOCK_STATES,
    REGISTER_CLOCK_STATES,
    CaseFile,
    MergeProposal,
    OrderDelivery,
)
from dispatch.feed.attachments import Photo
from widgets.common.style import fill, set_style_property
from widgets.common.tight_fit import BreakingRow, ElidedLabel
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_actions import ActionBar, ActionRequest, desk_actions
from widgets.desk.case_history import ReportsTable, TimelineTable, local_time
from widgets.desk.case_proposals import ProposalList
from widgets.desk.case_video import CaseVideo
from widgets.desk.case_words import CaseWords
from widgets.desk.unit_reports import UnitReportList

# Wide enough for a timeline row (time, action, state, who) and three buttons a row, in ideographs.
ROOMY_CHARS = 32
FLOOR_CHARS = 28


class CasePanel(QWidget):
    """Shows a CaseFile for the signed-in role; offers only the actions that role may take."""

    action_requested = Signal(object)
    """The officer asked for an action (carries an ActionRequest)."""
    camera_requested = Signal(str)
    """The officer wants the case's camera on the video wall (carries the camera id)."""
    scene_requested = Signal(object)
    """The officer wants the cameras that see the case's place on the wall (carries the Case)."""

    def __init__(self, words: CaseWords, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("casePanel")
        self._words = words
        self._vocabulary = vocabulary
        self._file: CaseFile | None = None
        self._role: Role | None = None
        self.escalate_to: str | None = None  # the centre above (a seat of a district): 上报 goes there
        self._names: Mapping[str, str] = {}
        self._now = time.time()
        self.empty = QLabel(self.tr("Select a case in the queue (J/K, Enter)."), self)
        self.empty.setObjectName("caseEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body = QWidget()
        self.body.setObjectName("caseBody")
        self._build_header()
        self._build_actions()
        self._build_tabs()
        self._body = body = QVBoxLayout(self.body)
        body.setContentsMargins(12, 10, 12, 10)
        body.addWidget(self.header)
        body.addWidget(self.title)
        body.addWidget(self.action_bar)
        body.addWidget(self.tabs, 1)
        # A short dock scrolls the whole case instead of forcing the window taller.
        self.case_scroll = QScrollArea(self)
        self.case_scroll.setObjectName("caseScroll")
        self.case_scroll.setWidget(self.body)
        self.case_scroll.setWidgetResizable(True)
        self.case_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.case_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.case_scroll, 1)
        self.case_scroll.hide()

    # -- building ----------------------------------------------------------------------------------

    def _build_header(self) -> None:
        self.code = QLabel(self)
        self.code.setObjectName("caseCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level = QLabel(self)
        self.level.setObjectName("caseLevel")
        self.state = QLabel(self)
        self.state.setObjectName("caseState")
        self.card = QLabel(self)
        self.card.setObjectName("caseCard")
        self.title = QLabel(self)
        self.title.setObjectName("caseTitle")
        self.title.setWordWrap(True)
        self.header = BreakingRow((self.code, self.level, self.state, self.card), self)

    def _build_actions(self) -> None:
        self.action_bar = ActionBar(self._words, self, self.request_action)
        self.actions_by_kind = self.action_bar.actions_by_kind
        self.buttons = self.action_bar.buttons
        self.no_actions = self.action_bar.no_actions

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("caseTabs")
        # Tabs that do not fit scroll with arrows instead of holding the panel wide.
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setMinimumHeight(self.fontMetrics().height() * 14)
        overview = QWidget()
        self.details = QFormLayout()
        # On a narrow panel a field too wide beside its label goes below it, never off the right edge.
        self.details.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("category", self.tr("Category")), ("address", self.tr("Address")),
            ("district", self.tr("District / grid")), ("source", self.tr("Source")),
            ("discovered", self.tr("Discovered")), ("unit", self.tr("Unit")), ("order", self.tr("Order")),
            ("counts", self.tr("Returned · reworked · reopened")), ("merged", self.tr("Merged into")),
            ("description", self.tr("Description")),
        ):  # fmt: skip
            # Only long texts wrap: a wrapped label in a form squeezes its row when space is short. The
            # others end in "…" with the whole text as tooltip, so the case never scrolls across.
            wraps = key in ("address", "description")
            value = QLabel(overview) if wraps else ElidedLabel("", overview, tip=True)
            value.setObjectName("caseField")
            value.setWordWrap(wraps)
            self.fields[key] = value
            self.details.addRow(label, value)
        self.video = CaseVideo(overview)
        self.video.camera_requested.connect(self.camera_requested)
        self.video.scene_requested.connect(self.scene_requested)
        self.addActions([self.video.camera_action, self.video.scene_action])
        self.details.addRow(self.tr("Camera"), self.video)
        self.deadlines = QGridLayout()
        self.clock_rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        for row, (key, label) in enumerate(
            (("register", self.tr("Register by")), ("sign", self.tr("Sign for by")),
             ("handle", self.tr("Handle by")), ("check", self.tr("Check by")))
        ):  # fmt: skip
            cells = (QLabel(label, overview), QLabel(overview), QLabel(overview))
            cells[2].setObjectName("caseCountdown")
            for column, cell in enumerate(cells):
                self.deadlines.addWidget(cell, row, column)
            self.clock_rows[key] = cells
        self.proposals = ProposalList(overview)
        self.proposals.merge_requested.connect(self._on_proposals_merge_requested)
        heading = QLabel(self.tr("Deadlines"), overview)
        heading.setObjectName("caseSection")
        details_heading = QLabel(self.tr("Details"), overview)
        details_heading.setObjectName("caseSection")
        self._overview = inner = QVBoxLayout(overview)
        inner.addWidget(heading)
        inner.addLayout(self.deadlines)
        inner.addWidget(self.proposals)
        inner.addWidget(details_heading)
        inner.addLayout(self.details)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("caseOverviewScroll")
        scroll.setWidget(overview)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.reports = ReportsTable(self._vocabulary, self)
        self.timeline = TimelineTable(self._words, self)
        self.unit_reports = UnitReportList(self)
        self.tabs.addTab(scroll, self.tr("Overview"))
        self.tabs.addTab(self.reports, "")
        self.tabs.addTab(self.timeline, "")
        self.tabs.addTab(self.unit_reports, "")

    # -- what the app calls --------------------------------------------------------------------------

    @property
    def case_file(self) -> CaseFile | None:
        return self._file

    def set_names(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)

    def set_role(self, role: Role | None) -> None:
        """The signed-in role (None: nobody, which is as much as a wall viewer may do)."""
        self._role = role
        self._show_actions()

    def show_file(self, case_file: CaseFile | None) -> None:
        # Another case opens at its top (code and title in view); the same case refreshed stays put.
        another = case_file is None or self._file is None or self._file.case.id != case_file.case.id
        self._file = case_file
        self.empty.setVisible(case_file is None)
        self.case_scroll.setVisible(case_file is not None)
        if case_file is None:
            self._show_actions()
            return
        case = case_file.case
        words, vocabulary, names = self._words, self._vocabulary, self._names
        self.code.setText(case.code)
        self.level.setText(vocabulary.severity(case.severity))
        set_style_property(self.level, "level", str(case.severity))
        self.state.setText(words.shift.state(case.state))
        set_style_property(self.state, "state", case.state.value)
        self.card.setText(words.shift.card(case.card))
        self.card.setVisible(bool(self.card.text()))
        set_style_property(self.card, "card", str(int(case.card)))
        self.title.setText(case.title + (f"  [{vocabulary.exercise}]" if case.exercise else ""))
        district = names.get(case.district, case.district)
        values = {
            "category": vocabulary.category(case.category),
            "address": case.address or "—",
            "district": " · ".join(p for p in (district, case.grid) if p) or "—",
            "source": vocabulary.source(case.source),
            "discovered": local_time(case.discovered_at),
            "unit": names.get(case.unit, case.unit) or "—",
            "counts": f"{case.return_count} · {case.rework_count} · {case.reopen_count}",
            "merged": case_file.master_code or "—",
            "description": case.description or "—",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self._show_order(case_file.order)
        self.video.show_file(case_file)
        merge_allowed = Action.MERGE in self._offered()
        self.proposals.show_proposals(case_file, merge_allowed)
        self.reports.show_file(case_file)
        self.tabs.setTabText(1, fill(self.tr("Reports (%1)"), len(case_file.events)))
        self.timeline.show_file(case_file, names)
        self.tabs.setTabText(2, fill(self.tr("Timeline (%1)"), len(case_file.timeline)))
        self.unit_reports.show_words(case_file.unit_words, names)
        self.tabs.setTabText(3, fill(self.tr("Unit reports (%1)"), len(case_file.unit_words)))
        self._show_actions()
        self.tick(self._now)
        self.header.fit()
        self.updateGeometry()
        if another:
            self.case_scroll.verticalScrollBar().setValue(0)
            for index in range(self.tabs.count()):
                page = self.tabs.widget(index)
                if isinstance(page, QScrollArea):
                    page.verticalScrollBar().setValue(0)

    def show_photo(self, photo: Photo) -> None:
        """A unit's photo the app fetched (or why it could not) for the case shown."""
        self.unit_reports.show_photo(photo)

    def _show_order(self, order: OrderDelivery | None) -> None:
        """Whether the platform has the latest order: an unacknowledged one means the unit may not know."""
        field = self.fields["order"]
        waiting = order is not None and order.acked_at is None
        if order is None:
            field.setText("—")
        elif order.acked_at is None:
            field.setText(fill(self.tr("%1 · not yet received by the platform (sent %2)"),
                               order.order_id, local_time(order.created_at)))  # fmt: skip
        else:
            field.setText(fill(self.tr("%1 · received by the platform %2"),
                               order.order_id, local_time(order.acked_at)))  # fmt: skip
        set_style_property(field, "waiting", "true" if waiting else "false")

    def tick(self, now: float) -> None:
        """Move the countdowns to `now`."""
        self._now = now
        if self._file is None:
            return
        case = self._file.case
        parked = case.parked_since is not None
        running = {
            "register": case.state in REGISTER_CLOCK_STATES,
            "sign": case.state is CaseState.DISPATCHED,
            "handle": case.state in HANDLE_CLOCK_STATES,
            "check": case.state in CHECK_CLOCK_STATES,
        }
        dues = {"register": case.register_due, "sign": case.sign_due, "handle": case.handle_due,
                "check": case.check_due}  # fmt: skip
        for key, (_, when, left) in self.clock_rows.items():
            due = dues[key]
            when.setText(local_time(due) if due is not None else "—")
            active = running[key] and due is not None
            text = self._words.countdown(due, now, parked=parked and key == "handle") if active else ""
            left.setText(text)
            over = active and not (parked and key == "handle") and due is not None and due < now
            set_style_property(left, "over", "true" if over else "false")

    def request_action(self, action: Action) -> None:
        """Ask for `action` on the case shown, if the role may take it now (keys and buttons land here)."""
        case_file = self._file
        if case_file is None or action not in self._offered():
            return
        proposal = next((p for p in case_file.proposals if p.possible), None)
        case = case_file.case
        if action is Action.SPLIT:
            offer = case_file.splits[0]
            self.action_requested.emit(
                ActionRequest(action, offer.absorbed_id, offer.absorbed_version, split=offer)
            )
            return
        if action is Action.MERGE and proposal is not None:
            self.action_requested.emit(
                ActionRequest(action, proposal.absorbed_id, proposal.absorbed_version, proposal)
            )
            return
        self.action_requested.emit(ActionRequest(action, case.id, case.version))

    # -- internals --------------------------------------------------------------------------------

    def _offered(self) -> tuple[Action, ...]:
        case_file = self._file
        if case_file is None:
            return ()
        return desk_actions(
            case_file.case, self._role, case_file.proposals, case_file.splits, case_file.clearing_proposed,
            self.escalate_to,
        )  # fmt: skip

    def set_escalate_to(self, centre: str | None) -> None:
        """The centre above this desk's (a seat of a district): 上报 is offered with it, never without."""
        self.escalate_to = centre
        self._show_actions()

    def _show_actions(self) -> None:
        self.action_bar.show_actions(self._offered(), self._role, self._file is not None, self._action_room())

    def _action_room(self) -> int:
        margins = self._body.contentsMargins()
        return self.case_scroll.viewport().width() - margins.left() - margins.right()

    def minimumSizeHint(self) -> QSize:
        # The case scrolls down, never across: as narrow as its header in two lines or its widest
        # button, so the splitter cannot cut it.
        hint = super().minimumSizeHint()
        margins = self._body.contentsMargins()
        bar = self.case_scroll.verticalScrollBar().sizeHint().width()
        # The overview tab scrolls down on its own, inside the tab's frame: its deadlines and details stay
        # whole (a detail too wide beside its label goes below it).
        overview = self._overview.minimumSize().width() + bar + 4
        tabs = self.tabs.minimumSizeHint().width()
        content = max(
            self.header.minimumSizeHint().width(), self.action_bar.widest(self._offered()), overview, tabs
        )
        return QSize(max(hint.width(), content + margins.left() + margins.right() + bar), hint.height())

    def floor_width(self) -> int:
        """The least a roomy desk gives the panel: a timeline row's time, who and a word of the rest."""
        self.ensurePolished()
        return FLOOR_CHARS * self.fontMetrics().horizontalAdvance("中")

    def roomy_width(self) -> int:
        """The width the panel is comfortable at: timeline rows and deadlines whole, buttons three a row."""
        self.ensurePolished()
        return max(self.minimumSizeHint().width(), ROOMY_CHARS * self.fontMetrics().horizontalAdvance("中"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.action_bar.columns_for(self._offered(), self._action_room()) != self.action_bar.columns:
            self._show_actions()

    def _on_proposals_merge_requested(self, proposal: MergeProposal) -> None:
        if self._file is not None and Action.MERGE in desk_actions(self._file.case, self._role, (proposal,)):
            self.action_requested.emit(
                ActionRequest(Action.MERGE, proposal.absorbed_id, proposal.absorbed_version, proposal)
            )
