"""The incident queue in SQL: filters, full text, every sort both ways and paging agree with plain Python over
a real store of a few thousand cases; a case's file and the dispatch choices read the whole story."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dispatch.casework.model import OPEN_STATES, Action, Actor, Card, Case, CaseState, Role
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.readouts import QueueQuery, RosterUnit, SortKey, current_due
from dispatch.casework.recommend import RoadNetwork
from dispatch.casework.records import queue
from dispatch.casework.records.case_file import dispatch_options, load_case_file
from dispatch.casework.records.cases import insert_case
from dispatch.casework.records.queue import busy_units, fetch_page, severe_unacknowledged, watermark
from dispatch.casework.routing import Router
from dispatch.casework.search import index_text
from dispatch.store.database import open_store
from sim.city import demo_city
from tests.dispatch.casework.policies import DISPATCHER, LEAD, LON, Loop, act, new_case, open_loop

S = CaseState
BASE = 1_767_603_600.0
NOW = BASE + 2600 * 60.0
COUNT = 3000
CATEGORIES = ("waterlogging", "manhole_cover", "garbage_overflow", "illegal_parking")
SOURCES = ("iot", "grid", "hotline")
DISTRICTS = ("339901", "339902")
WORDS = ("积水", "井盖缺失", "垃圾满溢", "违章停车", "人群聚集")
ROADS = ("人民路", "解放路", "中山路")
FINISHED = (S.CLOSED, S.EVALUATED, S.VOID, S.ARCHIVED, S.MERGED)
WORKING = (S.DISCOVERED, S.VERIFYING, S.REGISTERED, S.DISPATCHED, S.SIGNED, S.IN_PROGRESS, S.HANDLED,
           S.CHECKING, S.REWORK, S.RETURN_REQUESTED)  # fmt: skip
CLOCKED = frozenset(WORKING[3:])


def card_of(i: int) -> Card:
    return Card(3 if i % 11 == 0 else 2 if i % 7 == 0 else 1 if i % 5 == 0 else 0)


def make_case(i: int) -> Case:
    state = FINISHED[i % len(FINISHED)] if i <= 2000 else WORKING[i % len(WORKING)]
    discovered = BASE + i * 60 + (i * 7919) % 50
    clocked = state in CLOCKED
    return Case(
        id=i, code=f"20260105-{i}", state=state, version=1, exercise=i % 17 == 0,
        category=CATEGORIES[i % 4], severity=1 + (i // 3) % 4, urgency="normal", area="urban",
        title=f"{ROADS[i % 3]}{WORDS[i % 5]}", description=f"第{i}号报告",
        address=f"{ROADS[(i + 1) % 3]}{i}号", lon=None, lat=None, district=DISTRICTS[i % 2], grid="",
        source=SOURCES[i % 3], camera_id="",
        discovered_at=discovered, updated_at=discovered, updated_by="system",
        unit=f"U-{i % 6}" if clocked else "", register_due=discovered + 1800,
        handle_due=discovered + 3600 * (1 + i % 5) if clocked else None,
        check_due=discovered + 7200 if state in (S.HANDLED, S.CHECKING) else None,
        card=card_of(i) if clocked else Card.NONE,
        parked_since=discovered + 60 if clocked and i % 13 == 0 else None,
        events_count=1 + i % 3, acknowledged=i % 2 == 0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[Case]]]:
    db = open_store(tmp_path_factory.mktemp("queue") / "store.sqlite3")
    cases = [make_case(i) for i in range(1, COUNT + 1)]
    conn = db.conn
    conn.execute("BEGIN")
    for case in cases:
        insert_case(conn, case)
        terms = index_text(case.title, case.description, case.address, case.code)
        conn.execute("INSERT INTO cases_fts (rowid, terms) VALUES (?, ?)", (case.id, terms))
    conn.execute("COMMIT")
    yield conn, cases
    db.close()


def due(case: Case) -> float | None:
    return current_due(case.state, case.register_due, case.handle_due, case.check_due)


def ids(conn: Any, query: QueueQuery, limit: int = COUNT) -> list[int]:
    return [row.id for row in fetch_page(conn, query, 0, limit, NOW).rows]


def text_of(case: Case) -> str:
    return " ".join((case.title, case.description, case.address, case.code))


def real_open(cases: list[Case]) -> list[Case]:
    return [c for c in cases if c.state in OPEN_STATES and not c.exercise]


def test_the_default_page_is_open_real_cases_most_severe_then_newest(store: tuple[Any, list[Case]]) -> None:
    conn, cases = store
    page = fetch_page(conn, QueueQuery(), 0, 100, NOW)
    expected = sorted(real_open(cases), key=lambda c: (c.severity, -c.discovered_at))
    assert [r.id for r in page.rows] == [c.id for c in expected[:100]]
    assert (page.total, page.exact, page.offset) == (len(expected), True, 0)
    first = page.rows[0]
    source = next(c for c in cases if c.id == first.id)
    assert (first.code, first.state, first.title, first.unit) == (source.code, source.state, source.title,
                                                                   source.unit)  # fmt: skip
    assert first.due == due(source)
    assert first.overdue == (first.due is not None and first.due < NOW and not first.parked)


def test_pages_walk_every_match_once_in_order(store: tuple[Any, list[Case]]) -> None:
    conn, cases = store
    query = QueueQuery(states=frozenset(), sort=SortKey.DISCOVERED)
    walked: list[int] = []
    offset = 0
    while True:
        page = fetch_page(conn, query, offset, 250, NOW)
        walked += [r.id for r in page.rows]
        if len(page.rows) < 250:
            assert page.exact
            assert page.total == len(walked)
            break
        offset += 250
    expected = sorted((c for c in cases if not c.exercise), key=lambda c: -c.discovered_at)
    assert walked == [c.id for c in expected]


def _terms(key: SortKey) -> list[tuple[Callable[[Case], Any], bool, bool]]:
    order = list(S)
    no_due = float("-inf")  # SQLite sorts NULL below every value
    terms: dict[SortKey, list[tuple[Callable[[Case], Any], bool, bool]]] = {
        SortKey.SEVERITY: [(lambda c: c.severity, True, True), (lambda c: c.discovered_at, False, True)],
        SortKey.CODE: [(lambda c: c.id, False, True)],
        SortKey.STATE: [(lambda c: order.index(c.state), True, True)],
        SortKey.CATEGORY: [(lambda c: c.category, True, True)],
        SortKey.TITLE: [(lambda c: c.title, True, True)],
        SortKey.PLACE: [(lambda c: c.district, True, True), (lambda c: c.address, True, True)],
        SortKey.SOURCE: [(lambda c: c.source, True, True)],
        SortKey.DISCOVERED: [(lambda c: c.discovered_at, False, True)],
        SortKey.DUE: [(lambda c: due(c) is None, True, False), (lambda c: due(c) or no_due, True, True)],
        SortKey.CARD: [
            (lambda c: int(c.card), False, True),
            (lambda c: due(c) is None, True, False),
            (lambda c: due(c) or no_due, True, True),
        ],
        SortKey.UNIT: [(lambda c: c.unit == "", True, False), (lambda c: c.unit, True, True)],
        SortKey.EVENTS: [(lambda c: c.events_count, False, True)],
    }
    chosen = terms[key]
    if key not in (SortKey.SEVERITY, SortKey.CODE):
        chosen.append((lambda c: c.id, False, True))
    return chosen


def python_order(cases: list[Case], key: SortKey, descending: bool) -> list[int]:
    ordered = list(cases)
    # Stable sorts from the least significant term up give the SQL ORDER BY.
    for value, ascending, flips in reversed(_terms(key)):
        up = ascending != (descending and flips)
        ordered.sort(key=value, reverse=not up)
    return [c.id for c in ordered]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", list(SortKey))
def test_every_sort_both_ways_matches_python(
    store: tuple[Any, list[Case]], key: SortKey, descending: bool
) -> None:
    conn, cases = store
    query = QueueQuery(sort=key, descending=descending)
    assert ids(conn, query) == python_order(real_open(cases), key, descending)


FILTERS: list[tuple[str, dict[str, Any], Callable[[Case], bool]]] = [
    ("category", {"categories": frozenset({"waterlogging"})}, lambda c: c.category == "waterlogging"),
    ("levels", {"severities": frozenset({1, 2})}, lambda c: c.severity <= 2),
    ("district", {"districts": frozenset({"339902"})}, lambda c: c.district == "339902"),
    ("source", {"sources": frozenset({"hotline", "iot"})}, lambda c: c.source in ("hotline", "iot")),
    ("triage", {"states": frozenset({S.DISCOVERED, S.VERIFYING})}, lambda c: c.state in WORKING[:2]),
    ("finished", {"states": frozenset({S.CLOSED, S.VOID})}, lambda c: c.state in (S.CLOSED, S.VOID)),
    ("mixed", {"states": frozenset({S.CLOSED, S.REGISTERED})}, lambda c: c.state in (S.CLOSED, S.REGISTERED)),
    ("overdue", {"overdue_only": True},
     lambda c: (d := due(c)) is not None and d < NOW and c.parked_since is None),
    ("carded", {"carded_only": True}, lambda c: c.card >= Card.YELLOW_CARD),
    ("all states", {"states": frozenset()}, lambda c: True),
]  # fmt: skip


@pytest.mark.parametrize(("name", "fields", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_filters_match_python(store: tuple[Any, list[Case]], name: str, fields: dict[str, Any],
                              keep: Callable[[Case], bool]) -> None:  # fmt: skip
    conn, cases = store
    query = QueueQuery(**fields)
    states = query.states
    expected = {c.id for c in cases if not c.exercise and (not states or c.state in states) and keep(c)}
    assert set(ids(conn, query)) == expected
    assert expected, "the fixture must have cases for every filter"


def test_exercise_cases_only_show_when_asked_for(store: tuple[Any, list[Case]]) -> None:
    conn, cases = store
    shown = set(ids(conn, QueueQuery(exercise=True, states=frozenset())))
    assert shown == {c.id for c in cases if c.exercise}
    assert not shown & set(ids(conn, QueueQuery(states=frozenset())))


@pytest.mark.parametrize("sort", [SortKey.CODE, SortKey.SEVERITY])
@pytest.mark.parametrize("scope", ["open", "all", "finished"])
def test_full_text_finds_words_in_titles_descriptions_addresses_and_codes(
    store: tuple[Any, list[Case]], sort: SortKey, scope: str
) -> None:
    conn, cases = store
    states = {"open": OPEN_STATES, "all": frozenset(), "finished": frozenset(FINISHED)}[scope]

    def found(text: str) -> set[int]:
        return set(ids(conn, QueueQuery(states=states, text=text, sort=sort)))

    def expected(match: Callable[[Case], bool]) -> set[int]:
        return {c.id for c in cases if not c.exercise and (not states or c.state in states) and match(c)}

    assert found("积水") == expected(lambda c: "积水" in c.title)
    assert found("井盖 人民") == expected(lambda c: "井盖" in c.title and "人民" in text_of(c))
    # Each fragment on its own: the phrase 解放路, and a number starting 12 anywhere in the case.
    assert found("解放路12") == expected(
        lambda c: "解放路" in text_of(c) and any(n.startswith("12") for n in re.findall(r"\d+", text_of(c)))
    )
    assert found("第1234号") == expected(lambda c: c.description == "第1234号报告")
    target = next(c for c in cases if not c.exercise and (not states or c.state in states))
    assert target.id in found(target.code)
    assert found("！？") == expected(lambda c: True)  # nothing searchable: no text filter


def test_newest_matches_come_first_and_pages_continue(store: tuple[Any, list[Case]]) -> None:
    conn, cases = store
    query = QueueQuery(states=frozenset(), text="垃圾满溢", sort=SortKey.CODE)
    first = fetch_page(conn, query, 0, 50, NOW)
    second = fetch_page(conn, query, 50, 50, NOW)
    expected = sorted((c.id for c in cases if not c.exercise and "垃圾满溢" in c.title), reverse=True)
    assert [r.id for r in first.rows + second.rows] == expected[:100]
    assert (first.total, first.exact) == (len(expected), True)
    flipped = QueueQuery(states=frozenset(), text="垃圾满溢", sort=SortKey.CODE, descending=True)
    assert ids(conn, flipped, 5) == sorted(expected)[:5]


def test_the_count_stops_at_the_cap(store: tuple[Any, list[Case]], monkeypatch: pytest.MonkeyPatch) -> None:
    conn, _ = store
    monkeypatch.setattr(queue, "COUNT_CAP", 40)
    page = fetch_page(conn, QueueQuery(states=frozenset()), 0, 20, NOW)
    assert (len(page.rows), page.total, page.exact) == (20, 40, False)
    last = fetch_page(conn, QueueQuery(states=frozenset()), 2800, 200, NOW)
    assert last.rows
    assert last.exact
    assert last.total == 2800 + len(last.rows)


def test_a_bad_page_is_refused(store: tuple[Any, list[Case]]) -> None:
    conn, _ = store
    with pytest.raises(ValueError, match="offset"):
        fetch_page(conn, QueueQuery(), -1, 10, NOW)


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def test_severe_cases_wait_until_acknowledged_and_every_change_moves_the_mark(loop: Loop) -> None:
    mild = new_case(loop, "e1", severity=3)
    severe = new_case(loop, "e2", severity=1, lon=LON + 0.5)
    mark = watermark(loop.conn)
    assert [r.id for r in severe_unacknowledged(loop.conn, loop.clock.now())] == [severe.id]
    act(loop, severe.id, Action.ACKNOWLEDGE, LEAD)
    assert severe_unacknowledged(loop.conn, loop.clock.now()) == ()
    assert watermark(loop.conn) == mark + 1
    act(loop, mild.id, Action.REGISTER, LEAD)
    assert watermark(loop.conn) == mark + 2


def test_a_unit_is_busy_from_dispatch_until_it_reports_handled(loop: Loop) -> None:
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    assert busy_units(loop.conn) == {"U-CITY"}
    unit = Actor("U-CITY", Role.UNIT)
    act(loop, case.id, Action.SIGN, unit)
    assert busy_units(loop.conn) == {"U-CITY"}
    act(loop, case.id, Action.HANDLE, unit)
    assert busy_units(loop.conn) == frozenset()


def test_a_case_file_tells_the_whole_story_of_a_merge(loop: Loop) -> None:
    older = new_case(loop, "e1")
    loop.clock.advance(300)
    newer = new_case(loop, "e2", source="iot", lon=LON + 0.0004, title="人民路井盖倾斜")
    before = load_case_file(loop.conn, older.id)
    assert before is not None
    (proposal,) = before.proposals
    assert (proposal.other_id, proposal.absorbed_id, proposal.master_id, proposal.possible) == (
        newer.id, newer.id, older.id, True)  # fmt: skip
    assert proposal.absorbed_version == newer.version
    assert proposal.distance_m == pytest.approx(38, abs=3)

    act(loop, older.id, Action.REGISTER, LEAD)
    act(loop, newer.id, Action.MERGE, LEAD, master_id=older.id)
    after = load_case_file(loop.conn, older.id)
    assert after is not None
    assert [(e.event.event_id, e.via_case, e.via_code) for e in after.events] == [
        ("e1", None, ""), ("e2", newer.id, newer.code)]  # fmt: skip
    assert [(r.case_id, r.action) for r in after.timeline] == [
        (older.id, Action.DISCOVER), (newer.id, Action.DISCOVER), (older.id, Action.REGISTER),
        (older.id, Action.MERGE), (newer.id, Action.MERGE)]  # fmt: skip
    assert after.proposals == ()
    assert after.code_of(newer.id) == newer.code
    absorbed = load_case_file(loop.conn, newer.id)
    assert absorbed is not None
    assert (absorbed.case.state, absorbed.master_code) == (S.MERGED, older.code)
    assert load_case_file(loop.conn, 999) is None


def test_when_only_the_older_case_can_merge_it_goes_into_the_newer(loop: Loop) -> None:
    older = new_case(loop, "e1")
    loop.clock.advance(60)
    newer = new_case(loop, "e2", lon=LON + 0.0004)
    act(loop, newer.id, Action.REGISTER, LEAD)
    act(loop, newer.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    case_file = load_case_file(loop.conn, newer.id)
    assert case_file is not None
    (proposal,) = case_file.proposals
    assert (proposal.absorbed_id, proposal.master_id, proposal.possible) == (older.id, newer.id, True)


def demo_roster() -> tuple[RosterUnit, ...]:
    return tuple(
        RosterUnit(u.id, u.name, u.kind.value, u.base.lon if u.base else None, u.base.lat if u.base else None)
        for u in demo_city().units
    )


def test_dispatch_offers_the_routed_unit_first_then_its_kind_by_travel_time(tmp_path: Path) -> None:
    policy = load_policy(default_policy_path())
    loop = open_loop(tmp_path / "store.sqlite3", policy=policy)
    try:
        city = demo_city()
        district = city.district("339901")
        fire = new_case(loop, "e1", category="fire_alarm", lon=district.centre.lon, lat=district.centre.lat,
                        grid=district.street_codes[0] + "001")  # fmt: skip
        other = new_case(loop, "e2", category="fire_alarm", lon=district.centre.lon + 0.05,
                         lat=district.centre.lat, grid="339902001001")  # fmt: skip
        act(loop, other.id, Action.REGISTER, LEAD)
        act(loop, other.id, Action.DISPATCH, DISPATCHER, unit="U-339902-XF")
        options = dispatch_options(loop.conn, fire, Router(policy.routing), demo_roster(),
                                   RoadNetwork.from_city(city))  # fmt: skip
    finally:
        loop.close()
    assert options.routed_unit == "U-339901-XF"
    first = options.choices[0]
    assert (first.unit_id, first.routed, first.available) == ("U-339901-XF", True, True)
    assert first.name == city.unit("U-339901-XF").name
    fire_units = [c for c in options.choices if c.travel_s is not None]
    assert {c.unit_id for c in fire_units} == {u.id for u in city.units if u.kind.value == "fire"}
    ranked = [c for c in fire_units if not c.routed]
    free = [c.travel_s or 0.0 for c in ranked if c.available]
    assert free == sorted(free)
    assert [c.unit_id for c in ranked if not c.available] == ["U-339902-XF"]
    assert ranked[-1].unit_id == "U-339902-XF", "busy units come after every free one"
    assert {c.unit_id for c in options.choices} == {u.id for u in city.units}
    assert (options.case_id, options.version) == (fire.id, fire.version)


@pytest.mark.parametrize("scope", [OPEN_STATES, frozenset()])
def test_a_typed_case_code_heads_the_cases_whose_codes_it_begins(
    store: tuple[Any, list[Case]], scope: frozenset[CaseState]
) -> None:
    conn, cases = store
    # "20260105-23" also begins 230 … 239 and 2300 … 2399: the case itself must not be lost among them.
    target = next(c for c in cases if c.id == 23)
    shown = {c.id for c in cases if not c.exercise and (not scope or c.state in scope)}
    for text in ("20260105-23", " 20260105-23 "):
        page = fetch_page(conn, QueueQuery(states=scope, text=text, sort=SortKey.CODE), 0, 20, NOW)
        ids_found = [r.id for r in page.rows]
        expected = sorted((i for i in shown if str(i).startswith("23")), reverse=True)
        if target.id in shown:
            assert ids_found[0] == target.id
            expected.remove(target.id)
            assert ids_found[1:] == expected[:19]
        else:
            assert ids_found == expected[:20]
        assert page.total == len([i for i in shown if str(i).startswith("23")])


@pytest.mark.parametrize(
    "query",
    [
        QueueQuery(),
        QueueQuery(states=frozenset(), sort=SortKey.CODE),
        QueueQuery(states=frozenset(), text="积水", sort=SortKey.CODE),
        QueueQuery(text="20260105-29", sort=SortKey.CODE),
        QueueQuery(categories=frozenset({"waterlogging"}), sort=SortKey.DUE, descending=True),
    ],
)
def test_a_page_held_at_a_case_lists_nothing_newer_and_counts_what_came_after(
    store: tuple[Any, list[Case]], query: QueueQuery
) -> None:
    conn, _ = store
    everything = fetch_page(conn, query, 0, COUNT, NOW)
    assert (everything.latest, everything.newer) == (COUNT, 0)
    held = fetch_page(conn, query, 0, COUNT, NOW, up_to=2900)
    assert held.latest == 2900
    assert [r.id for r in held.rows] == [r.id for r in everything.rows if r.id <= 2900], "same order, cut"
    assert held.total == len(held.rows)
    assert held.newer == len([r for r in everything.rows if r.id > 2900])
    # A watermark past the newest case is the newest case.
    assert fetch_page(conn, query, 0, 10, NOW, up_to=COUNT + 50).latest == COUNT


@pytest.mark.parametrize("scope", [OPEN_STATES, frozenset()])
def test_a_typed_case_code_is_read_from_the_code_index(
    store: tuple[Any, list[Case]], scope: frozenset[S]
) -> None:
    # Regression: the state and exercise filters' indexes won the plan and walked every case (2 s over a
    # million); the code's own range must drive the search, whatever the filters.
    conn, _ = store
    query = QueueQuery(states=scope, text="20260105-23", sort=SortKey.CODE, categories=frozenset({"x"}))
    page_sql, _, params = queue.query_sql(query, NOW, COUNT)
    plan = " ".join(str(r[3]) for r in conn.execute(f"EXPLAIN QUERY PLAN {page_sql}", (*params, 10, 0)))
    assert "(code>? AND code<?)" in plan
