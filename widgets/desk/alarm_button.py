"""The alarm's place in the status bar: rings or not, and its menu mutes it, sets its volume and tries it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSlider, QToolButton, QWidget, QWidgetAction

from widgets.common.style import fill, set_style_property


class AlarmButton(QToolButton):
    """Shows "Alarm", "Alarm ringing" (red) or "Alarm muted"; the settings are the app's to keep."""

    mute_toggled = Signal(bool)
    """The operator muted (True) or unmuted (False) the alarm."""
    volume_chosen = Signal(int)
    """The operator moved the volume slider (carries 0–100)."""
    test_requested = Signal(object)
    """The operator asked to hear the alarm once (carries None)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmButton")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.mute_action = QAction(self.tr("Mute the alarm"), self)
        self.mute_action.setCheckable(True)
        self.test_action = QAction(self.tr("Play the alarm once"), self)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("alarmVolume")
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume.setAccessibleName(self.tr("Alarm volume"))
        self.volume_value = QLabel("")
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(12, 4, 12, 4)
        line.addWidget(QLabel(self.tr("Volume")))
        line.addWidget(self.volume, 1)
        line.addWidget(self.volume_value)
        slider = QWidgetAction(self)
        slider.setDefaultWidget(row)
        menu.addAction(self.mute_action)
        menu.addAction(slider)
        menu.addAction(self.test_action)
        self.setMenu(menu)
        self.mute_action.toggled.connect(self._on_mute_action_toggled)
        self.volume.valueChanged.connect(self._on_volume_value_changed)
        self.test_action.triggered.connect(lambda: self.test_requested.emit(None))
        self._muted = False
        self._ringing = False
        self._show()

    def show_settings(self, muted: bool, volume: int) -> None:
        """What the settings hold (at start); no signal goes out."""
        for control in (self.mute_action, self.volume):
            control.blockSignals(True)
        self.mute_action.setChecked(muted)
        self.volume.setValue(volume)
        for control in (self.mute_action, self.volume):
            control.blockSignals(False)
        self._muted = muted
        self._show()

    def show_ringing(self, ringing: bool) -> None:
        self._ringing = ringing
        self._show()

    def _on_mute_action_toggled(self, muted: bool) -> None:
        self._muted = muted
        self._show()
        self.mute_toggled.emit(muted)

    def _on_volume_value_changed(self, volume: int) -> None:
        self._show()
        self.volume_chosen.emit(volume)

    def _show(self) -> None:
        self.volume_value.setText(fill(self.tr("%1%"), self.volume.value()))
        if self._muted:
            text = self.tr("Alarm muted")
        elif self._ringing:
            text = self.tr("Alarm ringing")
        else:
            text = self.tr("Alarm")
        self.setText(text)
        self.setToolTip(self.tr("Sounds for new level I/II cases until they are acknowledged"))
        set_style_property(self, "alarm", "muted" if self._muted else "ringing" if self._ringing else "quiet")
