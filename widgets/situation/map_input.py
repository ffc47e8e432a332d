"""The map's pointer and keys: pan, zoom, clicks on marks, the drawing tools, bookmarks and search."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent

from core.mercator import fit
from widgets.situation.map_tools import Tool

if TYPE_CHECKING:
    from widgets.situation.map_view import SituationMap

WHEEL_STEP = 0.5  # zoom levels per wheel notch
KEY_PAN = 0.25  # of the window per arrow key
DRAG_PX = 4  # a press that moves less than this is a click
TOOL_KEYS = {Qt.Key.Key_M: Tool.MEASURE, Qt.Key.Key_R: Tool.RECTANGLE, Qt.Key.Key_P: Tool.POLYGON}
DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(10)}
# Keys the map keeps for itself while it has the keyboard, ahead of the window's shortcuts.
_OWN_KEYS = {
    *TOOL_KEYS, *DIGITS, Qt.Key.Key_Slash, Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter,
    Qt.Key.Key_C,
}  # fmt: skip


def takes_shortcut(view: SituationMap, event: QKeyEvent) -> bool:
    """Whether a key pressed on the map is the map's (answering Qt's ShortcutOverride): its tool, bookmark
    and search keys, and Esc while something of the map's is open."""
    key = event.key()
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key == Qt.Key.Key_Escape:
        return view.sketch.active() or view.toolbar.has_list()
    if key in DIGITS and mods == Qt.KeyboardModifier.ControlModifier:
        return True
    return key in _OWN_KEYS and mods == Qt.KeyboardModifier.NoModifier


def key_press(view: SituationMap, event: QKeyEvent) -> bool:
    """Handle a key; False for one the map has no use for."""
    v, key = view.view, event.key()
    ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
    pans = {
        Qt.Key.Key_Left: (-KEY_PAN * v.width, 0.0),
        Qt.Key.Key_Right: (KEY_PAN * v.width, 0.0),
        Qt.Key.Key_Up: (0.0, -KEY_PAN * v.height),
        Qt.Key.Key_Down: (0.0, KEY_PAN * v.height),
    }
    if key in pans:
        view.gesture(v.panned(*pans[Qt.Key(key)]))
    elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
        view.gesture(v.zoomed(v.zoom + 1.0, v.width / 2, v.height / 2))
    elif key == Qt.Key.Key_Minus:
        view.gesture(v.zoomed(v.zoom - 1.0, v.width / 2, v.height / 2))
    elif key == Qt.Key.Key_Home or (key == Qt.Key.Key_0 and not ctrl):
        view.fit_city()
    elif key in DIGITS and ctrl:
        view.work.save_bookmark(DIGITS[Qt.Key(key)])
    elif key in DIGITS:
        view.work.go_to_bookmark(DIGITS[Qt.Key(key)])
    elif key in TOOL_KEYS:
        tool = TOOL_KEYS[Qt.Key(key)]
        view.work.use_tool(Tool.NONE if view.sketch.tool is tool else tool)
    elif key == Qt.Key.Key_C:
        # The case open on the desk, to the middle of the map (it stays where the officer left it else).
        view.highlight_case(view.highlighted, centre=True)
    elif key == Qt.Key.Key_Slash:
        view.toolbar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        view.toolbar.search.selectAll()
    elif key == Qt.Key.Key_Escape:
        if view.sketch.active():
            view.work.use_tool(Tool.NONE)
        else:
            view.toolbar.clear_list()
    elif key == Qt.Key.Key_Backspace and view.sketch.points:
        view.sketch.points.pop()
        view.update()
    elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and view.sketch.tool is Tool.POLYGON:
        view.work.close_polygon()
    elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and view.toolbar.has_list():
        view.toolbar.pick_current()
    else:
        return False
    return True


def wheel(view: SituationMap, event: QWheelEvent) -> None:
    steps = event.angleDelta().y() / 120.0
    if steps:
        at = event.position()
        view.gesture(view.view.zoomed(view.view.zoom + steps * WHEEL_STEP, at.x(), at.y()))
    event.accept()


def press(view: SituationMap, event: QMouseEvent) -> None:
    if event.button() != Qt.MouseButton.LeftButton:
        return
    at = event.position()
    if view.sketch.tool is Tool.RECTANGLE:
        view.sketch.points = []
        view.sketch.drag_from = view.view.to_lonlat(at.x(), at.y())
        return
    view._press = event.position().toPoint()
    view._press_view = view.view
    view._dragged = False


def move(view: SituationMap, event: QMouseEvent) -> None:
    view._pointer = event.position()
    if view._press is not None and view._press_view is not None:
        delta = event.position().toPoint() - view._press
        if view._dragged or delta.manhattanLength() > DRAG_PX:
            view._dragged = True
            view.gesture(view._press_view.panned(-delta.x(), -delta.y()))
    elif view.sketch.drag_from is None:
        view._hover(event)
    view.update()


def release(view: SituationMap, event: QMouseEvent) -> None:
    if event.button() != Qt.MouseButton.LeftButton:
        return
    at = event.position()
    if view.sketch.tool is Tool.RECTANGLE and view.sketch.drag_from is not None:
        corner = view.view.to_lonlat(at.x(), at.y())
        ring = view.sketch.rectangle(corner)
        view.sketch.drag_from = None
        view.sketch.points = ring
        view.work.select_area(ring)
        return
    if view._press is None:
        return
    dragged = view._dragged
    view._press, view._press_view, view._dragged = None, None, False
    if dragged:
        view.update()  # the base is rendered for where the drag ended
        return
    if view.sketch.tool in (Tool.MEASURE, Tool.POLYGON):
        view.sketch.points.append(view.view.to_lonlat(at.x(), at.y()))
        view.update()
        return
    click_mark(view, at.toPoint())


def click_mark(view: SituationMap, at: QPoint) -> None:
    hit = view.mark_at(at.x(), at.y())
    if hit is None:
        return
    if hit[0] == "case":
        view.case_clicked.emit(hit[1])
    elif hit[0] == "camera":
        view.camera_clicked.emit(hit[1])
    else:  # a cluster: look closer
        view._set_view(view.view.zoomed(view.view.zoom + 2.0, at.x(), at.y()))


def double_click(view: SituationMap, event: QMouseEvent) -> None:
    if view.sketch.tool is Tool.POLYGON:
        view.work.close_polygon()
        return
    if view.sketch.active():
        return
    at = event.position()
    view._set_view(view.view.zoomed(view.view.zoom + 1.0, at.x(), at.y()))


def fit_city(view: SituationMap) -> None:
    if view._base is not None:
        v = view.view
        view._set_view(fit(*view._base.extent, v.width, v.height))


def is_shortcut_override(event: QEvent) -> bool:
    return event.type() == QEvent.Type.ShortcutOverride
