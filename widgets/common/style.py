"""Small helpers for theme-driven widgets: dynamic style properties and translated templates."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QWidget

_PLACEHOLDER = re.compile(r"%(\d)")


def set_style_property(widget: QWidget, name: str, value: str) -> None:
    """Set a property the stylesheet selects on, re-polishing only when it actually changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def fill(template: str, *values: object) -> str:
    """Qt-style `%1`…`%9` placeholders, in one pass so a value containing `%2` stays as it is."""
    return _PLACEHOLDER.sub(
        lambda m: str(values[int(m.group(1)) - 1]) if 0 < int(m.group(1)) <= len(values) else m.group(0),
        template,
    )
