"""Reads a wall pages file (YAML, docs/wall.md) into WallPages; every mistake names its file and line."""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from app.wall.pages import Canvas, Page, Panel, PanelKind, Viewing, WallPages
from core.yaml_nodes import YamlNodes, line

_TAG = "tag:yaml.org,2002:"
_SIZE = re.compile(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*")
_SPAN = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(seconds?|s|minutes?|min|hours?|h)\s*")
_SPAN_UNITS = {"s": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}
_MAX_GRID = 12  # cells a side: past this no panel is readable across a room
_MAX_PX = 32768  # Qt's widest window; a bigger canvas is a typo
_MAX_SPAN_S = 7 * 86400.0
_TOP = ("viewing", "canvas", "burn_in", "takeover", "pages")
_PANEL_KEYS: dict[PanelKind, tuple[str, ...]] = {
    PanelKind.MAP: (),
    PanelKind.VITALS: ("metrics",),
    PanelKind.TRENDS: ("metrics", "window"),
    PanelKind.CASES: (),
    PanelKind.VIDEO: ("cameras",),
    PanelKind.ROSTER: (),
    PanelKind.WARNINGS: (),
}


class WallPagesError(ValueError):
    """A pages file that cannot be shown; the message is "<file>:<line>: what is wrong"."""


def demo_pages_path() -> Path:
    """The demo city's pages, shipped in resources/wall/demo.yaml."""
    return Path(str(resources.files("resources") / "wall" / "demo.yaml"))


def load_pages(path: Path) -> WallPages:
    """Read and validate a pages file; WallPagesError("<file>:<line>: …") on anything wrong."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise WallPagesError(f"{path}:1: cannot read the pages file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise WallPagesError(f"{path}:{line}: the pages file is not UTF-8 text") from None
    return parse_pages(text, str(path))


def parse_pages(text: str, name: str) -> WallPages:
    """Validate pages text; `name` is the file name used in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        context = error.context
        if context and error.context_mark is not None and error.context_mark.line + 1 != line:
            context = f"{context} (from line {error.context_mark.line + 1})"
        what = "; ".join(part for part in (context, error.problem) if part)
        raise WallPagesError(f"{name}:{line}: YAML syntax: {what}") from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise WallPagesError(f"{name}:{line}: YAML syntax: {error.reason}") from None
    except RecursionError:
        raise WallPagesError(f"{name}:1: YAML nested too deeply to be a pages file") from None
    if root is None:
        raise WallPagesError(f"{name}:1: the pages file is empty")
    return _Reader(name).wall(root)


def _crosses(start: int, span: int, per_screen: int) -> bool:
    """Whether cells start..start+span-1 lie on more than one screen of `per_screen` cells."""
    return start // per_screen != (start + span - 1) // per_screen


class _Reader(YamlNodes):
    """Walks the composed YAML nodes; each method reads one part of the file and knows its rules."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._constructor = SafeConstructor()

    def error(self, at: int, what: str) -> Exception:
        return WallPagesError(f"{self.name}:{at}: {what}")

    def key(self, node: yaml.Node, what: str) -> str:
        return self.text(node, f"a key in {what}")

    # -- the parts -----------------------------------------------------------------------------------

    def wall(self, root: yaml.Node) -> WallPages:
        spec = self.fields(root, "the pages file", ("pages",), _TOP)
        viewing = self.viewing(spec["viewing"]) if "viewing" in spec else Viewing()
        canvas = self.canvas(spec["canvas"]) if "canvas" in spec else Canvas()
        every, shift = 240.0, 4
        if "burn_in" in spec:
            burn = self.fields(spec["burn_in"], "burn_in", (), ("every", "shift_px"))
            if "every" in burn:
                every = self.span(burn["every"], "burn_in.every", least=10.0)
            if "shift_px" in burn:
                shift = self.whole(burn["shift_px"], "burn_in.shift_px", 0, 64)
        pages_node = spec["pages"]
        if not isinstance(pages_node, yaml.SequenceNode) or not pages_node.value:
            self.fail(pages_node, "pages must be a list of at least one page")
        pages: list[Page] = []
        seen: dict[str, int] = {}
        for node in pages_node.value:
            page = self.page(node)
            self.fits_seams(page, node, canvas)
            if page.name in seen:
                self.fail(node, f"page {page.name!r} appears twice (first on line {seen[page.name]})")
            seen[page.name] = line(node)
            pages.append(page)
        expires = 1800.0
        if "takeover" in spec:
            takeover = self.fields(spec["takeover"], "takeover", ("expires",))
            expires = self.span(takeover["expires"], "takeover.expires", least=60.0)
        return WallPages(
            viewing, canvas, tuple(pages), burn_in_s=every, burn_in_px=shift, takeover_expires_s=expires
        )

    def viewing(self, node: yaml.Node) -> Viewing:
        keys = ("distance_m", "panel_diagonal_in", "panel_resolution", "arc_minutes")
        spec = self.fields(node, "viewing", (), keys)
        default = Viewing()
        return Viewing(
            distance_m=self.number(spec["distance_m"], "viewing.distance_m", 0.3, 200.0)
            if "distance_m" in spec
            else default.distance_m,
            panel_diagonal_in=self.number(spec["panel_diagonal_in"], "viewing.panel_diagonal_in", 5.0, 1000.0)
            if "panel_diagonal_in" in spec
            else default.panel_diagonal_in,
            panel_px=self.size(spec["panel_resolution"], "viewing.panel_resolution")
            if "panel_resolution" in spec
            else default.panel_px,
            # Below 16′ of arc text is not legible (ISO 9241-3); far above it a wall holds no text at all.
            arc_minutes=self.number(spec["arc_minutes"], "viewing.arc_minutes", 16.0, 60.0)
            if "arc_minutes" in spec
            else default.arc_minutes,
        )

    def canvas(self, node: yaml.Node) -> Canvas:
        spec = self.fields(node, "canvas", (), ("size", "seams", "bezel_px"))
        size = self.size(spec["size"], "canvas.size") if "size" in spec else None
        seams = self.size(spec["seams"], "canvas.seams", most=16) if "seams" in spec else (1, 1)
        bezel = self.whole(spec["bezel_px"], "canvas.bezel_px", 0, 200) if "bezel_px" in spec else 0
        return Canvas(size, seams, bezel)

    def page(self, node: yaml.Node) -> Page:
        spec = self.fields(node, "a page", ("name", "grid", "panels"), ("title", "dwell"))
        name = self.text(spec["name"], "page name")
        what = f"page {name!r}"
        columns, rows = self.size(spec["grid"], f"{what} grid", most=_MAX_GRID)
        dwell = self.span(spec["dwell"], f"{what} dwell", least=5.0) if "dwell" in spec else 60.0
        title = self.text(spec["title"], f"{what} title") if "title" in spec else name
        panels_node = spec["panels"]
        if not isinstance(panels_node, yaml.SequenceNode) or not panels_node.value:
            self.fail(panels_node, f"{what} panels must be a list of at least one panel")
        taken: dict[tuple[int, int], Panel] = {}
        panels = []
        for panel_node in panels_node.value:
            panel = self.panel(panel_node, what, columns, rows)
            for cell in sorted(panel.cells()):
                other = taken.get(cell)
                if other is not None:
                    self.fail(
                        panel_node,
                        f"{what}: the {panel.kind.value} panel overlaps the {other.kind.value} panel "
                        f"of line {other.line} at cell {cell[0]},{cell[1]}",
                    )
                taken[cell] = panel
            panels.append(panel)
        return Page(name, title, columns, rows, dwell, tuple(panels))

    def fits_seams(self, page: Page, node: yaml.Node, canvas: Canvas) -> None:
        """On a spliced wall every seam must fall between cells, so no panel is drawn across a bezel."""
        seam_columns, seam_rows = canvas.seams
        if page.columns % seam_columns or page.rows % seam_rows:
            grid = self.mapping(node, "a page")["grid"][1]
            self.fail(
                grid,
                f"page {page.name!r}: a {page.columns}x{page.rows} grid puts panels across the "
                f"{seam_columns}x{seam_rows} panel seams of the canvas; use a multiple of {seam_columns} "
                f"columns and of {seam_rows} rows",
            )
        per_column, per_row = page.columns // seam_columns, page.rows // seam_rows
        panels = self.mapping(node, "a page")["panels"][1]
        for panel, panel_node in zip(page.panels, panels.value, strict=True):
            # The map is one picture across the splice; a panel of text must sit within one screen.
            if panel.kind is PanelKind.MAP:
                continue
            across = _crosses(panel.column, panel.columns, per_column) or _crosses(
                panel.row, panel.rows, per_row
            )
            if across:
                self.fail(
                    panel_node,
                    f"page {page.name!r}: the {panel.kind.value} panel spans a seam of the "
                    f"{seam_columns}x{seam_rows} splice (each screen holds {per_column}x{per_row} cells); "
                    "only a map may",
                )

    def panel(self, node: yaml.Node, page: str, columns: int, rows: int) -> Panel:
        entries = self.mapping(node, f"a panel of {page}")
        if "kind" not in entries:
            self.fail(node, f"a panel of {page} is missing 'kind'")
        kind_node = entries["kind"][1]
        kind_text = self.text(kind_node, f"a panel's kind in {page}")
        try:
            kind = PanelKind(kind_text)
        except ValueError:
            expected = ", ".join(k.value for k in PanelKind)
            self.fail(kind_node, f"unknown panel kind {kind_text!r} in {page} (expected: {expected})")
        what = f"the {kind.value} panel of {page}"
        spec = self.fields(node, what, ("kind", "at"), ("span", "title", *_PANEL_KEYS[kind]))
        column, row = self.pair(spec["at"], f"{what}: at", 0)
        span = self.pair(spec["span"], f"{what}: span", 1) if "span" in spec else (1, 1)
        if column + span[0] > columns or row + span[1] > rows:
            where = spec["span"] if "span" in spec else spec["at"]
            self.fail(
                where,
                f"{what} reaches past the {columns}x{rows} grid (at {column},{row}, "
                f"span {span[0]}x{span[1]}; columns and rows count from 0)",
            )
        return Panel(
            kind=kind,
            column=column,
            row=row,
            columns=span[0],
            rows=span[1],
            title=self.text(spec["title"], f"{what}: title") if "title" in spec else "",
            metrics=self.names(spec["metrics"], f"{what}: metrics") if "metrics" in spec else (),
            window_s=self.span(spec["window"], f"{what}: window", least=60.0) if "window" in spec else 1800.0,
            cameras=self.names(spec["cameras"], f"{what}: cameras") if "cameras" in spec else (),
            line=line(node),
        )

    # -- values --------------------------------------------------------------------------------------

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_TAG + "str", _TAG + "int"):
            self.fail(node, f"{what} must be text")
        value = str(node.value).strip()
        if not value:
            self.fail(node, f"{what} must not be empty")
        if len(value) > 200 or not value.isprintable():
            self.fail(node, f"{what} must be one printable line of at most 200 characters")
        return value

    def names(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list of names")
        names = tuple(self.text(item, what) for item in node.value)
        if len(set(names)) != len(names):
            self.fail(node, f"{what} names one thing twice")
        return names

    def number(self, node: yaml.Node, what: str, least: float, most: float) -> float:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_TAG + "int", _TAG + "float"):
            self.fail(node, f"{what} must be a number")
        try:
            value = float(self._constructor.construct_object(node))
        except (ValueError, OverflowError, yaml.YAMLError):
            self.fail(node, f"{what} must be a number")
        if not (math.isfinite(value) and least <= value <= most):
            self.fail(node, f"{what} must lie between {least:g} and {most:g}")
        return value

    def whole(self, node: yaml.Node, what: str, least: int, most: int) -> int:
        value = self.number(node, what, least, most)
        if value != int(value):
            self.fail(node, f"{what} must be a whole number")
        return int(value)

    def pair(self, node: yaml.Node, what: str, least: int) -> tuple[int, int]:
        """[column, row] as a two-item list of whole numbers."""
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 2:
            self.fail(node, f"{what} must be a list of two whole numbers [column, row]")
        first, second = node.value
        return self.whole(first, what, least, _MAX_GRID), self.whole(second, what, least, _MAX_GRID)

    def size(self, node: yaml.Node, what: str, *, most: int = _MAX_PX) -> tuple[int, int]:
        """ "<width>x<height>" (pixels, or columns x rows)."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "str":
            self.fail(node, f"{what} must be written WIDTHxHEIGHT, e.g. 1920x1080")
        match = _SIZE.fullmatch(str(node.value))
        if match is None:
            self.fail(node, f"{what} must be written WIDTHxHEIGHT, e.g. 1920x1080, not {node.value!r}")
        width, height = int(match.group(1)), int(match.group(2))
        if not (1 <= width <= most and 1 <= height <= most):
            self.fail(node, f"{what}: each side must lie between 1 and {most}")
        return width, height

    def span(self, node: yaml.Node, what: str, *, least: float) -> float:
        """'<amount> seconds|minutes|hours' in seconds."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "str":
            self.fail(node, f"{what} must be a span such as '45 seconds' or '2 minutes'")
        match = _SPAN.fullmatch(str(node.value))
        if match is None:
            self.fail(node, f"{what} must be a span such as '45 seconds' or '2 minutes', not {node.value!r}")
        unit = match.group(2).rstrip("s") or "s"
        seconds = float(match.group(1)) * _SPAN_UNITS[unit]
        if not least <= seconds <= _MAX_SPAN_S:
            self.fail(node, f"{what} must lie between {least:g} seconds and 7 days")
        return seconds
