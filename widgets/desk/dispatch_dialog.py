"""The dispatch dialog: the routed unit first, units ranked by road travel time (from a live position or
the base, as each row says), instruction templates."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.readouts import DispatchChoice, DispatchOptions, PositionSource, UnitChoice
from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary

UNIT_ROLE = Qt.ItemDataRole.UserRole + 1


class DispatchDialog(QDialog):
    """Up/Down picks a unit, Enter dispatches, Esc cancels; the instructions start from a template."""

    dispatch_confirmed = Signal(object)
    """The dispatcher sent the order (carries a DispatchChoice, plus the options it was chosen from)."""

    unit_highlighted = Signal(object)
    """The unit id of the row the dispatcher is on (its route goes on the map); None once it closes."""

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispatchDialog")
        self.setWindowTitle(self.tr("Dispatch"))
        self._vocabulary = vocabulary
        self._options: DispatchOptions | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("dispatchHeading")
        self.heading.setWordWrap(True)
        self.units = QTableWidget(0, 5, self)
        self.units.setObjectName("dispatchUnits")
        self.units.setHorizontalHeaderLabels(
            [self.tr("Unit"), self.tr("Travel time"), self.tr("Distance"), self.tr("Status"), self.tr("From")]
        )
        self.units.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.units.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.units.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.units.verticalHeader().hide()
        self.units.setShowGrid(False)
        header = self.units.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.template = QComboBox(self)
        self.template.setObjectName("dispatchTemplate")
        self.template.activated.connect(self._on_template_activated)
        self.instructions = QLineEdit(self)
        self.instructions.setObjectName("dispatchInstructions")
        self.buttons = QDialogButtonBox(self)
        self.send = self.buttons.addButton(
            self.tr("Dispatch (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send.setObjectName("dispatchSend")
        self.send.setDefault(True)
        cancel = self.buttons.addButton(self.tr("Cancel (Esc)"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("dispatchCancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Template"), self.template)
        form.addRow(self.tr("Instructions"), self.instructions)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.units, 1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._build_templates()
        self.resize(760, 560)
        self.units.currentCellChanged.connect(self._on_units_current_cell_changed)
        self.finished.connect(self._on_self_finished)

    def _on_units_current_cell_changed(self, row: int, *_: int) -> None:
        item = self.units.item(row, 0) if row >= 0 else None
        unit = item.data(UNIT_ROLE) if item is not None else None
        if unit and self.isVisible():
            self.unit_highlighted.emit(str(unit))

    def _on_self_finished(self, _: int) -> None:
        self.unit_highlighted.emit(None)

    @property
    def options(self) -> DispatchOptions | None:
        return self._options

    def ask(self, options: DispatchOptions) -> None:
        """Fill the dialog for one case and open it (window-modal, not blocking)."""
        self._options = options
        words = self._vocabulary
        self.heading.setText(
            fill(
                self.tr("%1 · %2\n%3 · %4"),
                options.code,
                options.title,
                words.category(options.category),
                options.address,
            )
        )
        self.units.setRowCount(len(options.choices))
        for row, choice in enumerate(options.choices):
            self._fill_row(row, choice)
        self.units.selectRow(0)
        templates = self.templates(options.category)
        self.template.clear()
        for text in templates:
            self.template.addItem(text)
        self.instructions.setText(templates[0])
        self.open()
        self.units.setFocus()
        self._on_units_current_cell_changed(self.units.currentRow())

    def _fill_row(self, row: int, choice: UnitChoice) -> None:
        name = choice.name
        if choice.routed:
            name = fill(self.tr("%1 (routing rule)"), name)
        travel = "—" if choice.travel_s is None else fill(self.tr("%1 min"), f"{choice.travel_s / 60:.0f}")
        distance = (
            "—" if choice.straight_m is None else fill(self.tr("%1 km"), f"{choice.straight_m / 1000:.1f}")
        )
        status = self.tr("Free") if choice.available else self.tr("Busy")
        for column, text in enumerate((name, travel, distance, status, self._position_text(choice))):
            item = QTableWidgetItem(text)
            item.setData(UNIT_ROLE, choice.unit_id)
            if column == 0:
                item.setToolTip(choice.unit_id)
            self.units.setItem(row, column, item)

    def _position_text(self, choice: UnitChoice) -> str:
        """Where the travel time was measured from, so nobody mistakes a base for where the crew is."""
        age = choice.position_age_s
        if choice.position is PositionSource.LIVE:
            if age is None or age < 60:
                return self.tr("Live position · just now")
            return fill(self.tr("Live position · %1 min ago"), f"{age // 60:.0f}")
        if choice.position is PositionSource.BASE:
            if age is None:
                return self.tr("Base (no live position)")
            return fill(self.tr("Base (live position %1 min old)"), f"{age // 60:.0f}")
        return "—"

    def choice(self) -> DispatchChoice | None:
        """The unit and instructions as the dialog stands now."""
        if self._options is None:
            return None
        row = self.units.currentRow()
        if row < 0:
            return None
        picked = self._options.choices[row]
        return DispatchChoice(
            unit=picked.unit_id,
            instructions=self.instructions.text().strip(),
            recommended=picked.travel_s is not None and not picked.routed,
            travel_s=picked.travel_s,
        )

    def accept(self) -> None:
        choice = self.choice()
        if choice is None:
            return
        super().accept()
        self.dispatch_confirmed.emit(choice)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter dispatches from anywhere in the dialog, the unit list included.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.template.view().isVisible():
            self.accept()
            return
        super().keyPressEvent(event)

    def _on_template_activated(self, index: int) -> None:
        self.instructions.setText(self.template.itemText(index))

    def templates(self, category: str) -> tuple[str, ...]:
        """Instruction texts for a category: its own first, then the general ones."""
        return (*self._templates.get(category, ()), *self._general)

    def _build_templates(self) -> None:
        self._general = (
            self.tr("Go to the scene at once, handle it and report back with photos."),
            self.tr("Check the site, handle it within the deadline and report the result."),
        )
        self._templates = {
            "fire_alarm": (
                self.tr("Fire alarm: send a crew at once, confirm the fire and report within 10 minutes."),
            ),
            "hazardous_chemicals": (
                self.tr("Hazardous chemicals: cordon off the area, keep people away, report the substance."),
            ),
            "traffic_accident": (
                self.tr("Traffic accident: secure the scene, clear the lane, report injuries and the queue."),
            ),
            "crowding": (self.tr("Crowding: disperse and guide the crowd; report every 15 minutes."),),
            "waterlogging": (
                self.tr("Waterlogging: pump the water, put up warning signs, close the road above 15 cm."),
            ),
            "water_level": (
                self.tr("Water level: patrol the embankment and report the level every 30 minutes."),
            ),
            "manhole_cover": (
                self.tr("Manhole cover: fence it off at once, replace it and report with photos."),
            ),
            "illegal_parking": (
                self.tr("Illegal parking: reach the owner or tow the vehicle; report with photos."),
            ),
            "garbage_overflow": (
                self.tr("Garbage overflow: empty the bins, clean the site, send before/after photos."),
            ),
            "construction_violation": (
                self.tr("Construction site: stop the violation on site and report what was done."),
            ),
            "air_quality": (
                self.tr("Air quality: inspect the sources nearby and report the measures taken."),
            ),
        }
