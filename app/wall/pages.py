"""What a wall shows: the viewing set-up, the canvas and its seams, and pages as grids of panels."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PanelKind(enum.StrEnum):
    """The panels a page may place; the value is the `kind:` written in the pages file."""

    MAP = "map"
    VITALS = "vitals"  # vital-sign tiles
    TRENDS = "trends"  # trend charts with the rules' lines
    CASES = "cases"  # open cases by level and district, overdue, 督办
    VIDEO = "video"  # a block of camera tiles
    ROSTER = "roster"  # duty roster and clock
    WARNINGS = "warnings"  # CAP warnings in force


@dataclass(frozen=True, slots=True)
class Viewing:
    """How the room sees the wall: the farthest viewer, one physical panel's size and pixels, the arc."""

    distance_m: float = 8.0
    panel_diagonal_in: float = 55.0
    panel_px: tuple[int, int] = (1920, 1080)
    arc_minutes: float = 20.0


@dataclass(frozen=True, slots=True)
class Canvas:
    """What one window renders: None for the screen's own size, or a video processor's input canvas;
    `seams` are the panel joins (columns, rows) that text and markers keep clear of."""

    size: tuple[int, int] | None = None
    seams: tuple[int, int] = (1, 1)
    bezel_px: int = 0


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel of a page: its kind, its cell (column, row) and span, its title and what it shows."""

    kind: PanelKind
    column: int
    row: int
    columns: int = 1
    rows: int = 1
    title: str = ""
    metrics: tuple[str, ...] = ()  # VITALS, TRENDS: metric names (empty: the first few seen)
    window_s: float = 1800.0  # TRENDS: how far back
    cameras: tuple[str, ...] = ()  # VIDEO: camera ids (empty: the first few)
    line: int = 0  # where the panel is written, for messages about it

    def cells(self) -> frozenset[tuple[int, int]]:
        return frozenset(
            (c, r)
            for c in range(self.column, self.column + self.columns)
            for r in range(self.row, self.row + self.rows)
        )


@dataclass(frozen=True, slots=True)
class Page:
    """A grid of `columns` × `rows` cells holding panels; shown for `dwell_s` in the carousel."""

    name: str
    title: str
    columns: int
    rows: int
    dwell_s: float
    panels: tuple[Panel, ...]


@dataclass(frozen=True, slots=True)
class WallPages:
    """The whole pages file."""

    viewing: Viewing
    canvas: Canvas
    pages: tuple[Page, ...]
    burn_in_s: float = 240.0  # how often the picture shifts
    burn_in_px: int = 4  # how far at most, each way
    takeover_expires_s: float = 1800.0  # a takeover ends this long after its case was discovered
