"""The incident queue in SQL: filters, full text, sorting, paging and a capped count over the cases table."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from dispatch.casework.model import OPEN_STATES, Card, CaseState
from dispatch.casework.readouts import (
    CHECK_CLOCK_STATES,
    COUNT_CAP,
    HANDLE_CLOCK_STATES,
    NEWER_CAP,
    REGISTER_CLOCK_STATES,
    SEVERE_MAX,
    Page,
    PageRequest,
    QueueQuery,
    QueueRow,
    SortKey,
    current_due,
)
from dispatch.casework.records.episodes import CLEARABLE_STATES
from dispatch.casework.search import match_expression

# A case code: the registration day, a hyphen, the case number (dispatch.casework.records.cases).
_CODE = re.compile(r"\d{8}-\d{1,12}")
# A column of the cases table named in a WHERE clause (not already made unindexable with a unary plus).
_UNINDEXED = re.compile(r"(?<![+\w.])c\.")

__all__ = [
    "COUNT_CAP",
    "Page",
    "PageRequest",
    "QueueQuery",
    "QueueRow",
    "SortKey",
    "busy_units",
    "fetch_page",
    "fetch_request",
    "query_sql",
    "severe_unacknowledged",
    "watermark",
]


def _in(states: Iterable[CaseState]) -> str:
    return ", ".join(f"'{s.value}'" for s in sorted(states))


# The running stage's deadline, as views.current_due computes it for one row.
DUE_SQL = (
    f"(CASE WHEN c.state IN ({_in(REGISTER_CLOCK_STATES)}) THEN c.register_due "
    f"WHEN c.state IN ({_in(HANDLE_CLOCK_STATES)}) THEN c.handle_due "
    f"WHEN c.state IN ({_in(CHECK_CLOCK_STATES)}) THEN c.check_due END)"
)
_LIFECYCLE = tuple(CaseState)
_STATE_ORDER = (
    "(CASE c.state " + " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(_LIFECYCLE)) + " END)"
)

_ROW_COLUMNS = (
    "c.id, c.code, c.state, c.version, c.severity, c.category, c.title, c.address, c.district, c.source, "
    "c.discovered_at, c.handle_due, c.register_due, c.check_due, c.card, c.parked_since, c.unit, "
    "c.events_count, c.acknowledged, c.exercise, "
    # Only for the rows a page returns: a primary-key look-up each, no plan changes.
    f"c.state IN ({_in(CLEARABLE_STATES)}) AND EXISTS (SELECT 1 FROM clear_proposals AS p "
    "WHERE p.case_id = c.id AND p.dismissed = 0)"
)

# (expression, ascending in the natural order, flips with `descending`). Terms that only push rows
# without a value to the end keep their direction either way.
_Term = tuple[str, bool, bool]
_ORDER: dict[SortKey, tuple[_Term, ...]] = {
    # Matches the cases_queue index (is_open, exercise, severity, discovered_at DESC): no sort step.
    SortKey.SEVERITY: (("c.severity", True, True), ("c.discovered_at", False, True)),
    SortKey.CODE: (("c.id", False, True),),
    SortKey.STATE: ((_STATE_ORDER, True, True),),
    SortKey.CATEGORY: (("c.category", True, True),),
    SortKey.TITLE: (("c.title", True, True),),
    SortKey.PLACE: (("c.district", True, True), ("c.address", True, True)),
    SortKey.SOURCE: (("c.source", True, True),),
    SortKey.DISCOVERED: (("c.discovered_at", False, True),),
    SortKey.DUE: ((f"{DUE_SQL} IS NULL", True, False), (DUE_SQL, True, True)),
    SortKey.CARD: (("c.card", False, True), (f"{DUE_SQL} IS NULL", True, False), (DUE_SQL, True, True)),
    SortKey.UNIT: (("c.unit = ''", True, False), ("c.unit", True, True)),
    SortKey.EVENTS: (("c.events_count", False, True),),
}
# Keys whose order already ends in a unique or near-unique column need no id tie-breaker; the rest get
# one so that paging is stable.
_NO_TIE_BREAK = frozenset({SortKey.SEVERITY, SortKey.CODE})


def _marks(values: Iterable[object], params: list[Any]) -> str:
    listed = sorted(values)  # type: ignore[type-var]
    params.extend(listed)
    return ", ".join("?" * len(listed))


def _where(query: QueueQuery, now: float, *, with_text: bool = True) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    states = query.states
    if states:
        # is_open leads the queue indexes: name it whenever the states allow, so the index is used.
        if states <= OPEN_STATES:
            clauses.append("c.is_open = 1")
        elif not states & OPEN_STATES:
            clauses.append("c.is_open = 0")
        if states != OPEN_STATES:
            clauses.append(f"c.state IN ({_marks((s.value for s in states), params)})")
    clauses.append("c.exercise = ?")
    params.append(int(query.exercise))
    for column, values in (
        ("c.category", query.categories),
        ("c.severity", query.severities),
        ("c.district", query.districts),
        ("c.source", query.sources),
    ):
        if values:
            clauses.append(f"{column} IN ({_marks(values, params)})")
    if query.overdue_only:
        clauses.append(f"{DUE_SQL} < ? AND c.parked_since IS NULL")
        params.append(now)
    if query.carded_only:
        clauses.append("c.card >= ?")
        params.append(int(Card.YELLOW_CARD))
    match = match_expression(query.text) if with_text else None
    if match is not None:
        # Open cases are the young end of the index: starting the doclists at the oldest open case skips
        # decoding years of history (a common word matches a hundred thousand closed cases).
        since = " AND rowid >= (SELECT min(id) FROM cases WHERE is_open = 1)" if _open_only(query) else ""
        clauses.append(f"c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?{since})")
        params.append(match)
    return " AND ".join(clauses), params


def _order_by(query: QueueQuery) -> str:
    terms = list(_ORDER[query.sort])
    if query.sort not in _NO_TIE_BREAK:
        terms.append(("c.id", False, True))
    parts = []
    for expression, ascending, flips in terms:
        up = ascending != (query.descending and flips)
        parts.append(f"{expression} {'ASC' if up else 'DESC'}")
    return ", ".join(parts)


def _newest_matches_first(query: QueueQuery, match: str | None) -> bool:
    """Full text over more than the open cases, newest first: walk the index's doclist backwards and stop
    at the page. Any other plan first collects every match, a hundred thousand for a common word."""
    return match is not None and query.sort is SortKey.CODE and not _open_only(query)


def _open_only(query: QueueQuery) -> bool:
    return bool(query.states) and query.states <= OPEN_STATES


def typed_code(text: str) -> str | None:
    """The case code an officer typed into the search box (read off a phone call or a handover), if the
    text is exactly one: that case must head the results, not sit among the codes it is a prefix of."""
    code = text.strip()
    return code if _CODE.fullmatch(code) else None


def _plan(query: QueueQuery, now: float) -> tuple[str, str, list[Any], str]:
    """The FROM, WHERE (with its params) and ORDER BY that list the query's cases."""
    match = match_expression(query.text)
    code = typed_code(query.text)
    if code is not None:
        # The codes it begins are one range of the code index (a code is digits after the hyphen, and ':'
        # follows '9'): a few hundred rows at most, where the full-text phrase of the day and the number
        # decoded every case of that day (155 ms over a million cases). The code is digits and a hyphen
        # only, so it may stand in the SQL as a literal.
        where, params = _where(query, now, with_text=False)
        # Every other term unindexable (`+c.`): an equality on `exercise` would otherwise win the plan and
        # walk a million rows (2 s) to find the few the code range holds.
        where = f"c.code >= ? AND c.code < ? AND {_UNINDEXED.sub('+c.', where)}"
        params[:0] = [code, code + ":"]
        return "cases AS c", where, params, f"c.code = '{code}' DESC, {_order_by(query)}"
    if _newest_matches_first(query, match):
        where, params = _where(query, now, with_text=False)
        params.insert(0, match)
        source = "cases_fts CROSS JOIN cases AS c ON c.id = cases_fts.rowid"
        order = f"cases_fts.rowid {'ASC' if query.descending else 'DESC'}"
        return source, f"cases_fts MATCH ? AND {where}", params, order
    where, params = _where(query, now)
    if query.sort is SortKey.CODE and not query.states:
        # Walk the primary key backwards: an index on `exercise` would mean sorting every case.
        where = where.replace("c.exercise = ?", "+c.exercise = ?")
    return "cases AS c", where, params, _order_by(query)


def query_sql(query: QueueQuery, now: float, up_to: int = -1) -> tuple[str, str, list[Any]]:
    """The page SELECT (with LIMIT ? OFFSET ? still to bind), the capped COUNT, and their shared params.

    With `up_to` ≥ 0 only cases up to that id are listed; the bound is written so that no index is chosen
    for it (`+c.id`): it cuts off the few newest cases, the filters' indexes still lead.
    """
    source, where, params, order = _plan(query, now)
    if up_to >= 0:
        where = f"{where} AND +c.id <= ?"
        params.append(up_to)
    page = f"SELECT {_ROW_COLUMNS} FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
    count = f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT ?)"
    return page, count, params


def _count_newer(conn: sqlite3.Connection, query: QueueQuery, now: float, after: int) -> int:
    """How many cases matching the query came after `after` (capped at NEWER_CAP)."""
    source, where, params, _ = _plan(query, now)
    # On the rowid of the table the plan walks first, so only the newest rows are visited.
    newest = "cases_fts.rowid" if source.startswith("cases_fts") else "c.id"
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {newest} > ? AND {where} LIMIT ?)"
    return int(conn.execute(sql, (after, *params, NEWER_CAP)).fetchone()[0])


def _row(values: tuple[Any, ...], now: float) -> QueueRow:
    (case_id, code, state_text, version, severity, category, title, address, district, source, discovered_at,
     handle_due, register_due, check_due, card, parked_since, unit, events_count, acknowledged,
     exercise, clearing) = values  # fmt: skip
    state = CaseState(state_text)
    due = current_due(state, register_due, handle_due, check_due)
    parked = parked_since is not None
    return QueueRow(
        id=case_id, code=code, state=state, version=version, severity=severity, category=category,
        title=title, address=address, district=district, source=source, discovered_at=discovered_at,
        handle_due=handle_due, register_due=register_due, card=Card(card), parked=parked,
        overdue=due is not None and due < now and not parked, unit=unit, events_count=events_count,
        acknowledged=bool(acknowledged), due=due, exercise=bool(exercise), clearing=bool(clearing),
    )  # fmt: skip


def fetch_page(
    conn: sqlite3.Connection, query: QueueQuery, offset: int, limit: int, now: float, up_to: int | None = None
) -> Page:
    """One page of the queue and the number of matching cases (stopping at COUNT_CAP).

    The page lists cases up to `up_to` (None: up to the newest case now, which the page then names as its
    `latest`) and counts the matching cases after it as `newer`.
    """
    if offset < 0 or limit < 1:
        raise ValueError(f"need offset >= 0 and limit >= 1, got {offset} and {limit}")
    newest = int(conn.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0])
    bound = newest if up_to is None else min(up_to, newest)
    newer = _count_newer(conn, query, now, bound) if bound < newest else 0
    page_sql, count_sql, params = query_sql(query, now, bound)
    rows = tuple(_row(r, now) for r in conn.execute(page_sql, (*params, limit, offset)))
    if len(rows) < limit and (rows or offset == 0):
        # The last page: the total is known without counting.
        return Page(rows, offset + len(rows), True, offset, query, bound, newer)
    counted = conn.execute(count_sql, (*params, COUNT_CAP + 1)).fetchone()[0]
    return Page(rows, min(counted, COUNT_CAP), counted <= COUNT_CAP, offset, query, bound, newer)


def fetch_request(conn: sqlite3.Connection, request: PageRequest, now: float) -> Page:
    return fetch_page(conn, request.query, request.offset, request.limit, now, request.up_to)


def severe_unacknowledged(
    conn: sqlite3.Connection, now: float, *, exercise: bool = False, limit: int = 20
) -> tuple[QueueRow, ...]:
    """Open severe cases nobody has acknowledged yet, newest first (they announce themselves)."""
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM cases AS c WHERE c.is_open = 1 AND c.exercise = ? AND c.severity <= ? "
        "AND c.acknowledged = 0 ORDER BY c.discovered_at DESC LIMIT ?",
        (int(exercise), SEVERE_MAX, limit),
    )
    return tuple(_row(r, now) for r in rows)


def watermark(conn: sqlite3.Connection) -> int:
    """The newest audit row id: every change to any case moves it, so an unchanged mark means nothing to
    refetch."""
    row = conn.execute("SELECT max(id) FROM audit").fetchone()
    return int(row[0] or 0)


def busy_units(conn: sqlite3.Connection) -> frozenset[str]:
    """Units holding an order that is not finished: dispatched to them and not yet reported handled."""
    rows = conn.execute(
        "SELECT DISTINCT c.unit FROM cases AS c WHERE c.is_open = 1 "
        f"AND c.state IN ({_in(HANDLE_CLOCK_STATES)}) AND c.unit != ''"
    )
    return frozenset(r[0] for r in rows)
