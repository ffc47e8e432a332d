"""One wall page: its title, then a grid of panels; on a spliced wall the gaps sit on the panel seams."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QSizePolicy, QWidget

from widgets.common.tight_fit import ElidedLabel

SPACING = 12  # between panels away from a seam
TITLE_GAP = 8


class WallPageView(QFrame):
    """A `columns` × `rows` grid; `place` puts a panel in its cells. Built once and kept: rotating the
    carousel shows another page, it never rebuilds one (no reload flash, no growing memory).

    Behind a video processor the picture is cut by the bezels of the panels it spans. `set_seams` names
    where they run (in the window's pixels): cell edges are put on them and the gap there is wide enough
    that no text or marker is drawn across a seam, even with the burn-in shift.
    """

    def __init__(self, name: str, title: str, columns: int, rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallPage")
        self.name = name
        self.columns, self.rows = columns, rows
        self.title = ElidedLabel(title, self)
        self.title.setObjectName("wallPageTitle")
        self._placed: list[tuple[QWidget, int, int, int, int]] = []
        self._seams: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
        self._seam_gap = SPACING

    def place(self, panel: QWidget, column: int, row: int, columns: int = 1, rows: int = 1) -> None:
        # Panels take the size they are given: a long text elides instead of pushing a neighbour aside.
        panel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        panel.setParent(self)
        self._placed.append((panel, column, row, columns, rows))
        self.arrange()

    def set_seams(self, xs: Sequence[int], ys: Sequence[int], gap: int) -> None:
        """Vertical seams at window x `xs`, horizontal ones at window y `ys`; `gap` px kept clear on each."""
        self._seams = (tuple(xs), tuple(ys))
        self._seam_gap = max(SPACING, gap)
        self.arrange()

    def panel_rects(self) -> list[QRect]:
        return [panel.geometry() for panel, *_ in self._placed]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def arrange(self) -> None:
        """Place the title and every panel for the page's size and where the seams cross it now (call
        again when the picture moves)."""
        width, height = self.width(), self.height()
        origin = self.mapTo(self.window(), QPoint(0, 0)) if self.window() is not self else QPoint(0, 0)
        xs = sorted(x - origin.x() for x in self._seams[0] if 0 < x - origin.x() < width)
        ys = sorted(y - origin.y() for y in self._seams[1] if 0 < y - origin.y() < height)
        title_height = self.title.sizeHint().height()
        # The title stays within the first panel of the splice: no word across a seam.
        title_right = xs[0] - self._seam_gap // 2 if xs else width
        self.title.setGeometry(0, 0, max(0, title_right), title_height)
        top = title_height + TITLE_GAP
        column_edges, column_seams = _edges(0, width, self.columns, xs)
        row_edges, row_seams = _edges(top, height, self.rows, [y for y in ys if y > top])
        for panel, column, row, columns, rows in self._placed:
            left = column_edges[column] + self._half_gap(column, self.columns, column_seams)
            right = column_edges[column + columns] - self._half_gap(
                column + columns, self.columns, column_seams
            )
            upper = row_edges[row] + self._half_gap(row, self.rows, row_seams)
            lower = row_edges[row + rows] - self._half_gap(row + rows, self.rows, row_seams)
            panel.setGeometry(left, upper, max(0, right - left), max(0, lower - upper))

    def _half_gap(self, edge: int, count: int, seams: frozenset[int]) -> int:
        if edge in (0, count):
            return 0
        return (self._seam_gap if edge in seams else SPACING) // 2


def _edges(start: int, end: int, cells: int, seams: Sequence[int]) -> tuple[list[int], frozenset[int]]:
    """Cell edges from `start` to `end` for `cells` cells, and which edges lie on a seam: the seams cut the
    span into segments, each holding an equal share of the cells (the pages file makes the count fit)."""
    bounds = [start, *seams, end]
    segments = len(bounds) - 1
    if not seams or cells % segments:
        step = (end - start) / cells
        return [round(start + step * n) for n in range(cells + 1)], frozenset()
    per = cells // segments
    edges: list[int] = []
    on_seams: set[int] = set()
    for n in range(segments):
        low, high = bounds[n], bounds[n + 1]
        if n:
            on_seams.add(len(edges))
        edges.extend(round(low + (high - low) * k / per) for k in range(per))
    edges.append(end)
    return edges, frozenset(on_seams)
