"""The case panel's possible duplicates (并案): each proposal in a line, and a merge button where allowed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from dispatch.casework.model import Action
from dispatch.casework.readouts import CaseFile
from widgets.common.style import fill
from widgets.desk.case_words import ACTION_KEYS


class ProposalList(QWidget):
    """Hidden when the case has no proposals; the first possible merge is the one the M key does."""

    merge_requested = Signal(object)
    """The officer clicked a merge button (carries the MergeProposal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseProposals")
        self.heading = QLabel(self.tr("Possible duplicates"), self)
        self.heading.setObjectName("caseSection")
        self._rows = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(self._rows)

    def show_proposals(self, case_file: CaseFile, merge_allowed: bool) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        proposals = case_file.proposals
        self.setVisible(bool(proposals))
        first = next((p for p in proposals if p.possible), None)
        for proposal in proposals:
            text = fill(
                self.tr("%1 · %2 · %3 m · %4 min apart"), proposal.other_code, proposal.other_title,
                f"{proposal.distance_m:.0f}", f"{proposal.gap_s / 60:.0f}",
            )  # fmt: skip
            label = QLabel(text)
            label.setObjectName("caseProposal")
            label.setWordWrap(True)
            self._rows.addWidget(label)
            # A role that may not merge sees the duplicates, not a button it cannot use.
            if not proposal.possible or not merge_allowed:
                continue
            absorbed = case_file.code_of(proposal.absorbed_id)
            if proposal.absorbed_id == proposal.other_id:
                absorbed = proposal.other_code
            button = QPushButton(fill(self.tr("Merge %1 into %2"), absorbed, proposal.master_code))
            button.setObjectName("caseMergeButton")
            if proposal is first:
                button.setText(button.text() + f" ({ACTION_KEYS[Action.MERGE]})")
            button.clicked.connect(lambda _=False, p=proposal: self.merge_requested.emit(p))
            self._rows.addWidget(button)
