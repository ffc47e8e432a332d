"""The duty desk's reads on the loop's thread (the page, the severe cases, the open case, dispatch
options) and its unit directory. Each takes immutable inputs and returns plain values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dispatch.atlas import Atlas, load_atlas
from dispatch.casework.readouts import CaseFile, DispatchOptions, Page, PageRequest, QueueRow, RosterUnit
from dispatch.casework.recommend import RoadNetwork
from dispatch.casework.records.case_file import dispatch_options, load_case_file
from dispatch.casework.records.live import live_counts
from dispatch.casework.records.queue import fetch_request, severe_unacknowledged
from dispatch.service import LoopContext

SOURCES = ("iot", "video_ai", "hotline", "grid", "cap")


@dataclass(frozen=True, slots=True)
class UnitDirectory:
    """Who the desk can dispatch to and what the filters offer, with names for codes."""

    roster: tuple[RosterUnit, ...]
    network: RoadNetwork | None
    names: Mapping[str, str]  # district codes and unit ids → names
    districts: Mapping[str, str]  # district code → name, in the order the filter lists them
    categories: tuple[str, ...]
    sources: tuple[str, ...] = SOURCES


def demo_atlas_path() -> Path:
    """The demo city as an atlas, shipped in resources/atlas/demo (scripts/make_demo_atlas.py)."""
    return Path(str(resources.files("resources") / "atlas" / "demo"))


def atlas_names(atlas: Atlas) -> dict[str, str]:
    """District codes and unit ids → names, for the desk, the board and the handover."""
    return {**{d.code: d.name for d in atlas.districts}, **{u.id: u.name for u in atlas.units}}


def atlas_directory(atlas: Atlas) -> UnitDirectory:
    """A city's units, districts, categories and road network from its atlas (the road graph takes a
    moment: build it on the desk thread)."""
    roster = tuple(
        RosterUnit(u.id, u.name, u.kind, u.base.lon if u.base else None, u.base.lat if u.base else None)
        for u in atlas.units
    )
    districts = {d.code: d.name for d in atlas.districts}
    categories = tuple(c.code for c in atlas.categories)
    return UnitDirectory(roster, RoadNetwork.from_atlas(atlas), atlas_names(atlas), districts, categories)


def demo_directory() -> UnitDirectory:
    """The demo city's units, districts and road network, read from its atlas."""
    return atlas_directory(load_atlas(demo_atlas_path()))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one read of the store gave the desk: a page, the waiting severe cases, the open cases (在办,
    as the queue and 综合评价 count them) and, when it was read, the open case's file."""

    page: Page
    alerts: tuple[QueueRow, ...]
    open_cases: int
    case_id: int | None
    case_file: CaseFile | None
    file_read: bool


def prepare(directory: Callable[[], UnitDirectory] | None, ctx: LoopContext) -> UnitDirectory | None:
    """The unit directory, built here: the demo city's road graph takes a moment."""
    return directory() if directory is not None else None


def read(
    request: PageRequest, case_id: int | None, read_file: bool, exercise: bool, ctx: LoopContext
) -> Snapshot:
    """Read what the desk shows; the open case's file only when asked (a change touched it)."""
    now = ctx.clock.now()
    conn = ctx.desk.conn
    return Snapshot(
        fetch_request(conn, request, now),
        severe_unacknowledged(conn, now, exercise=exercise),
        live_counts(conn, now, exercise=exercise).open,
        case_id,
        load_case_file(conn, case_id) if read_file and case_id is not None else None,
        read_file,
    )


def page(request: PageRequest, ctx: LoopContext) -> Page:
    return fetch_request(ctx.desk.conn, request, ctx.clock.now())


def case_file(case_id: int, ctx: LoopContext) -> CaseFile | None:
    return load_case_file(ctx.desk.conn, case_id)


def options(case_id: int, version: int, directory: UnitDirectory | None, ctx: LoopContext) -> DispatchOptions:
    case = ctx.desk.get(case_id)
    roster = directory.roster if directory is not None else ()
    network = directory.network if directory is not None else None
    options = dispatch_options(ctx.desk.conn, case, ctx.router, roster, network, ctx.clock.now())
    # The order is made against the version the officer looked at, so a change meanwhile is caught.
    return DispatchOptions(options.case_id, version, options.code, options.title, options.category,
                           options.address, options.routed_unit, options.choices)  # fmt: skip
