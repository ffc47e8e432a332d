"""The incident queue's filter bar: search box, overdue/carded/exercise toggles, scope and code filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QToolButton, QVBoxLayout, QWidget

from dispatch.casework.model import OPEN_STATES, CaseState
from dispatch.casework.readouts import CHECK_CLOCK_STATES, HANDLE_CLOCK_STATES, QueueQuery
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_words import CaseWords

S = CaseState
SCOPES: dict[str, frozenset[CaseState]] = {
    "open": OPEN_STATES,
    "triage": frozenset({S.DISCOVERED, S.VERIFYING}),
    "registered": frozenset({S.REGISTERED}),
    "handling": HANDLE_CLOCK_STATES,
    "checking": CHECK_CLOCK_STATES,
    "finished": frozenset({S.CLOSED, S.EVALUATED, S.ARCHIVED}),
    "ended": frozenset({S.VOID, S.MERGED}),
    "all": frozenset(),
}
SEARCH_DEBOUNCE_MS = 250
# A filter's least width in Latin capitals (under two ideographs).
COMBO_CHARACTERS = 3


class QueueFilters(QWidget):
    """Says what the officer wants to see; the queue turns that into page requests."""

    filters_changed = Signal(object)
    """A scope, code filter or toggle changed (carries None)."""
    search_edited = Signal(str)
    """The search text changed under the officer's fingers (carries it)."""
    search_settled = Signal(str)
    """Typing paused, or Enter was pressed: time to search (carries the text)."""
    search_submitted = Signal(str)
    """Enter in the search box: the officer wants to go to the results (carries the text)."""

    def __init__(self, words: CaseWords, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueFilters")
        self._vocabulary = vocabulary
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.search = QLineEdit(self)
        self.search.setObjectName("queueSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search titles, descriptions, addresses, case codes (Ctrl+F)"))
        self.search.textEdited.connect(self._on_search_text_edited)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.overdue = self._toggle(
            "queueOverdue", self.tr("Overdue"), self.tr("Only cases past their deadline")
        )
        self.carded = self._toggle(
            "queueCarded", self.tr("Carded"), self.tr("Only yellow- or red-carded cases")
        )
        self.exercise = self._toggle(
            "queueExercise", self.tr("Exercise"), self.tr("Show exercise cases instead")
        )
        self.scope = self._combo("queueScope", [(label, key) for label, key in words.scopes])
        self.category = self._combo("queueCategory", [(words.any_category, None)])
        self.level = self._combo(
            "queueLevel",
            [(words.any_level, None), (self.tr("Levels I–II"), (1, 2))]
            + [(vocabulary.severity(n), (n,)) for n in (1, 2, 3, 4)],
        )
        self.district = self._combo("queueDistrict", [(words.any_district, None)])
        self.source = self._combo("queueSource", [(words.any_source, None)])
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        for toggle in (self.overdue, self.carded, self.exercise):
            search_row.addWidget(toggle)
        filter_row = QHBoxLayout()
        for combo in (self.scope, self.category, self.level, self.district, self.source):
            filter_row.addWidget(combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)

    def _toggle(self, name: str, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.toggled.connect(lambda _: self.filters_changed.emit(None))
        return button

    def _combo(self, name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        # Sized by a few characters, not by the longest district or category name: five filters share
        # one row of a laptop's desk, and the open list still shows the names in full.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(COMBO_CHARACTERS)
        for label, data in items:
            combo.addItem(label, data)
        combo.currentIndexChanged.connect(lambda _: self.filters_changed.emit(None))
        return combo

    def set_choices(
        self, categories: Sequence[str], districts: Mapping[str, str], sources: Sequence[str]
    ) -> None:
        """The codes the category, district and source filters offer, shown by name."""
        vocabulary = self._vocabulary
        for combo, items in (
            (self.category, [(vocabulary.category(c), (c,)) for c in categories]),
            (self.district, [(name, (code,)) for code, name in districts.items()]),
            (self.source, [(vocabulary.source(s), (s,)) for s in sources]),
        ):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for label, data in items:
                combo.addItem(label, data)
            combo.blockSignals(False)

    def query(self) -> QueueQuery:
        """What the bar asks for, in the default sort (the table's headers decide the sort)."""

        def picked(combo: QComboBox) -> frozenset[object]:
            data = combo.currentData()
            return frozenset(data) if data else frozenset()

        return QueueQuery(
            states=SCOPES[self.scope.currentData()],
            categories=picked(self.category),  # type: ignore[arg-type]
            severities=picked(self.level),  # type: ignore[arg-type]
            districts=picked(self.district),  # type: ignore[arg-type]
            sources=picked(self.source),  # type: ignore[arg-type]
            overdue_only=self.overdue.isChecked(),
            carded_only=self.carded.isChecked(),
            exercise=self.exercise.isChecked(),
            text=self.search.text().strip(),
        )

    def reset(self) -> None:
        """Back to how the bar starts (no search, no toggle, every filter on its first choice), without a
        signal: the queue asks for its page once afterwards."""
        self._debounce.stop()
        for widget in (self.search, self.overdue, self.carded, self.exercise, self.scope, self.category,
                       self.level, self.district, self.source):  # fmt: skip
            widget.blockSignals(True)
        self.search.clear()
        for toggle in (self.overdue, self.carded, self.exercise):
            toggle.setChecked(False)
        for combo in (self.scope, self.category, self.level, self.district, self.source):
            combo.setCurrentIndex(0)
        for widget in (self.search, self.overdue, self.carded, self.exercise, self.scope, self.category,
                       self.level, self.district, self.source):  # fmt: skip
            widget.blockSignals(False)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_search_text_edited(self, text: str) -> None:
        self.search_edited.emit(text)
        self._debounce.start()

    def _on_debounce_timeout(self) -> None:
        self.search_settled.emit(self.search.text())

    def _on_search_return_pressed(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self._on_debounce_timeout()
        self.search_submitted.emit(self.search.text())
