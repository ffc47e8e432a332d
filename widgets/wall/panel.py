"""The frame every wall panel sits in: a title across its top and the panel's body below."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QSizePolicy, QVBoxLayout, QWidget

from widgets.common.tight_fit import ElidedLabel


class WallPanel(QFrame):
    """Read-only by design: a wall panel holds text, numbers and pictures, never a control."""

    def __init__(self, title: str, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallPanel")
        self.title = ElidedLabel(title, self)
        self.title.setObjectName("wallPanelTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.body = body
        body.setParent(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(body, 1)
