"""The closed loop's window-less commands: `report` (综合评价 of a period) and `audit verify`."""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

import msgspec

from cli import audit as audit_command
from cli.atlas_choice import ATLAS_HELP, atlas_argument
from cli.store_choice import MISSING_STORE_EXIT, STORE_HELP, chosen_store
from dispatch.atlas import Atlas, load_atlas

if TYPE_CHECKING:
    # Imported where used: numpy under the metrics would slow every other command's start.
    from dispatch.casework.evaluation import Ratio, Span, Tally
    from dispatch.casework.records.metrics import DepartmentLine, Durations, Report

FORMATS = ("table", "csv", "json")

SPAN_LABELS = {
    "registration": "发现→立案",
    "dispatch": "立案→派遣",
    "sign": "派遣→签收",
    "handled": "派遣→处置",
    "closed": "发现→结案",
}
_OPERATOR_SPANS = ("registration", "dispatch", "closed")  # the spans people at the consoles end
_UNIT_SPANS = ("sign", "handled")
RATES = (
    ("closure_rate", "结案率", "closed"),
    ("on_time_closure_rate", "按期结案率", "closed_on_time"),
    ("rework_rate", "返工率", "reworked"),
    ("on_time_handling_rate", "按时处置率", "handled_on_time"),
    ("extension_rate", "延期率", "extended"),
)


def rate_of(tally: Tally, key: str) -> float | None:
    """The rate a RATES key names ("closure_rate" is `tally.closure.rate`)."""
    ratio: Ratio = getattr(tally, key.removesuffix("_rate"))
    return ratio.rate


def add_report_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    """`report [--db PATH] --from DATE --to DATE [--format table|csv|json] [--exercise]`."""
    report = subparsers.add_parser(
        "report",
        help="综合评价: closure, on-time, rework and extension rates, stage durations, department grades",
        description="Evaluate the cases whose handling deadline falls in [--from, --to) from the audit "
        "table. A date is a whole local day (--to 2026-11-30 includes that day); a date and time is an "
        "instant, local unless it carries an offset. See docs/metrics.md.",
    )
    report.add_argument("--db", type=_store_file, metavar="PATH", help=STORE_HELP)
    report.add_argument("--from", dest="start", type=_when, required=True, metavar="DATE")
    report.add_argument("--to", dest="end", type=_when, required=True, metavar="DATE")
    report.add_argument("--format", choices=FORMATS, default="table")
    report.add_argument("--exercise", action="store_true", help="evaluate exercise (drill) cases instead")
    report.add_argument("--atlas", type=atlas_argument, metavar="DIR", help=ATLAS_HELP)
    report.set_defaults(handler=_report_handler)


def add_audit_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    """`audit verify [--db PATH]`, `audit keygen`, `audit checkpoint [--db PATH]` (cli/audit.py)."""
    audit = subparsers.add_parser(
        "audit", help="check the hash-chained audit table and its signed checkpoints"
    )
    actions = audit.add_subparsers(dest="audit", parser_class=type(audit), metavar="ACTION", required=True)
    audit_command.add_arguments(actions, _store_file, _verify_handler)


def _store_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def _when(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date (2026-11-02) or date and time (2026-11-02T08:30), got {text!r}"
        ) from None


def instant(value: date | datetime, zone: ZoneInfo, *, end: bool = False) -> float:
    """Epoch seconds of a --from/--to value: a date starts its day, or for --to ends it (next midnight)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).timestamp()
    return datetime.combine(value + timedelta(days=1) if end else value, time(), zone).timestamp()


def _report_handler(args: argparse.Namespace) -> int:
    db_path = chosen_store(args.db)
    if db_path is None:
        return MISSING_STORE_EXIT
    return run_report(
        db_path=db_path, start=args.start, end=args.end, fmt=args.format, exercise=args.exercise,
        atlas=args.atlas,
    )  # fmt: skip


def _verify_handler(args: argparse.Namespace) -> int:
    args.db = chosen_store(args.db)
    if args.db is None:
        return MISSING_STORE_EXIT
    return run_audit_verify(db_path=args.db, signatures=audit_command.signatures_of(args))


def _fail(message: str) -> int:
    print(f"tianshu: {message}", file=sys.stderr)
    return 1


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the store (reports and checks never write), also on read-only
    media such as an archive disc or a write-protected copy."""
    from dispatch.store.database import open_read_only

    conn = open_read_only(path)
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").fetchone()
        if found is None:
            raise sqlite3.DatabaseError("it has no audit table (not a store of the closed loop)")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _default_zone() -> ZoneInfo:
    from dispatch.casework.policy_file import default_policy_path, load_policy

    return ZoneInfo(load_policy(default_policy_path()).calendar.timezone)


def run_report(
    *, db_path: Path, start: date | datetime, end: date | datetime, fmt: str, exercise: bool,
    zone: ZoneInfo | None = None, out: TextIO | None = None, atlas: Atlas | None = None,
) -> int:  # fmt: skip
    """Evaluate [start, end) and write it to stdout; 2 for a period that ends before it starts."""
    from dispatch.casework.records.metrics import compute

    stream = out or sys.stdout
    try:
        zone = zone or _default_zone()
    except ValueError as error:
        return _fail(f"cannot read the policy for its time zone: {error}")
    begin, finish = instant(start, zone), instant(end, zone, end=True)
    if not begin < finish:
        print("tianshu report: error: --from must come before --to (see --help)", file=sys.stderr)
        return 2
    try:
        conn = _open_read_only(db_path)
    except sqlite3.Error as error:
        return _fail(f"cannot read the store {db_path}: {error}")
    try:
        report = compute(conn, begin, finish, exercise=exercise)
        operators = _operator_names(conn)
    except sqlite3.Error as error:
        return _fail(f"cannot read the store {db_path}: {error}")
    finally:
        conn.close()
    names = Names(_unit_names(atlas), operators)
    writers: dict[str, Callable[[TextIO, Report, Names, ZoneInfo], None]] = {
        "table": write_table, "csv": write_csv, "json": write_json,
    }  # fmt: skip
    try:
        writers[fmt](stream, report, names, zone)
    except BrokenPipeError:
        return 0
    return 0


def run_audit_verify(
    *, db_path: Path, out: TextIO | None = None, signatures: audit_command.Signatures | None = None
) -> int:
    """Recompute the audit chain, check it against the signed checkpoints (when `signatures` names a key)
    and replay every case and order against it: 0 when intact, 1 at the first fault."""
    try:
        conn = _open_read_only(db_path)
    except sqlite3.Error as error:
        return _fail(f"cannot read the store {db_path}: {error}")
    try:
        return audit_command.verify_store(conn, out or sys.stdout, signatures)
    except sqlite3.Error as error:
        return _fail(f"cannot read the store {db_path}: {error}")
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class Names:
    """Display names: responsible units (the atlas's, else the demo city's) and operator accounts."""

    units: dict[str, str]
    operators: dict[str, str]


def _unit_names(atlas: Atlas | None) -> dict[str, str]:
    from app.desk.jobs import demo_atlas_path

    return {unit.id: unit.name for unit in (atlas or load_atlas(demo_atlas_path())).units}


def _operator_names(conn: sqlite3.Connection) -> dict[str, str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'operators'").fetchone() is None:
        return {}
    return dict(conn.execute("SELECT login, name FROM operators"))


# -- formats --------------------------------------------------------------------------------------------


def _local(t: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(t, zone).strftime("%Y-%m-%d %H:%M")


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def span_text(seconds: float) -> str:
    """A duration as an officer reads it: 45s, 12m, 3h 05m, 2d 04h."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m" if s % 60 == 0 or s >= 600 else f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Sequence[str]], right: frozenset[int]) -> list[str]:
    """Columns padded by display width (a Chinese character takes two), numbers right-aligned."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _durations(durations: Durations) -> str:
    return f"{span_text(durations.p50)} / {span_text(durations.p90)}"


def write_table(stream: TextIO, report: Report, names: Names, zone: ZoneInfo) -> None:
    """The readable report: totals, stage durations, departments by score, operators."""
    kind = "演练案件 exercise cases" if report.exercise else "真实案件 real cases"
    total = report.total
    lines = [
        f"综合评价 {_local(report.start, zone)} → {_local(report.end, zone)} ({zone.key}), {kind}",
        f"应结案数 N = {total.due}" + (f" (另有挂账 {total.parked} 件，不计入)" if total.parked else ""),
    ]
    lines += _table(
        [(label, _percent(rate_of(total, rate)), str(getattr(total, count))) for rate, label, count in RATES],
        frozenset({1, 2}),
    )
    lines += ["", "环节时长 (p50 / p90)"]
    span_rows = [("环节", "样本", "p50 / p90")]
    span_rows += [(SPAN_LABELS[s], str(d.count), _durations(d)) for s, d in report.spans.items()]
    lines += _table(span_rows, frozenset({1}))
    lines += ["", "责任单位 (得分 = 量分 + 30·结案率 + 30·按时处置率 + 30·(1 − 返工率))"]
    lines += _department_rows(report, names)
    lines += ["", "操作员"]
    lines += _operator_rows(report, names)
    stream.write("\n".join(lines) + "\n")


def _department_rows(report: Report, names: Names) -> list[str]:
    if not report.departments:
        return ["  —"]
    rates = [label for _, label, _ in RATES]
    rows = [["等级", "得分", "单位", "名称", "应结案", *rates, "量分", "签收 p50", "处置 p50"]]
    for line in report.departments:
        rows.append(
            [
                line.grade.value,
                f"{line.score:.1f}",
                line.unit,
                names.units.get(line.unit, ""),
                str(line.tally.due),
                *(_percent(rate_of(line.tally, rate)) for rate, _, _ in RATES),
                f"{line.volume_score:.1f}",
                *(_p50(line.spans, span) for span in _UNIT_SPANS),
            ]
        )
    return _table(rows, frozenset({1, *range(4, 13)}))


def _operator_rows(report: Report, names: Names) -> list[str]:
    if not report.operators:
        return ["  —"]
    rows = [["账号", "姓名", "角色", "操作", *(SPAN_LABELS[s] + " p50" for s in _OPERATOR_SPANS)]]
    for op in report.operators:
        spans = [_p50(op.spans, span) for span in _OPERATOR_SPANS]
        roles = ",".join(op.roles)
        rows.append(
            [op.actor, names.operators.get(op.actor, ""), roles, str(sum(op.actions.values())), *spans]
        )
    return _table(rows, frozenset(range(3, 7)))


def _p50(spans: Mapping[Span, Durations], name: str) -> str:
    return next((span_text(d.p50) for span, d in spans.items() if span == name), "—")


CSV_COLUMNS = (
    "unit", "name", "due", "parked", "closed", "closed_on_time", "reworked", "handled_on_time", "extended",
    "closure_rate", "on_time_closure_rate", "rework_rate", "on_time_handling_rate", "extension_rate",
    "volume_score", "score", "grade", "sign_p50_s", "handled_p50_s",
)  # fmt: skip


def write_csv(stream: TextIO, report: Report, names: Names, zone: ZoneInfo) -> None:
    """One row per department, best first, after a total row (unit `*`); rates as fractions."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(["*", "合计", *_csv_tally(report.total), "", "", "", *_csv_p50(report.spans)])
    for line in report.departments:
        writer.writerow([line.unit, names.units.get(line.unit, ""), *_csv_tally(line.tally),
                         line.volume_score, line.score, line.grade.value, *_csv_p50(line.spans)])  # fmt: skip


def _csv_tally(tally: Tally) -> list[object]:
    counts = [tally.due, tally.parked, tally.closed, tally.closed_on_time, tally.reworked,
              tally.handled_on_time, tally.extended]  # fmt: skip
    rates = [rate_of(tally, rate) for rate, _, _ in RATES]
    return [*counts, *("" if rate is None else f"{rate:.4f}" for rate in rates)]


def _csv_p50(spans: Mapping[Span, Durations]) -> list[object]:
    return [next((f"{d.p50:.0f}" for span, d in spans.items() if span == name), "") for name in _UNIT_SPANS]


def write_json(stream: TextIO, report: Report, names: Names, zone: ZoneInfo) -> None:
    """The whole report as one JSON object (durations in seconds, rates as fractions or null)."""
    document = {
        "from": datetime.fromtimestamp(report.start, zone).isoformat(),
        "to": datetime.fromtimestamp(report.end, zone).isoformat(),
        "exercise": report.exercise,
        "total": _tally_json(report.total),
        "stages": _spans_json(report.spans),
        "departments": [_department_json(line, names) for line in report.departments],
        "operators": [
            {
                "login": op.actor,
                "name": names.operators.get(op.actor, ""),
                "roles": list(op.roles),
                "actions": dict(sorted(op.actions.items())),
                "stages": _spans_json(op.spans),
            }
            for op in report.operators
        ],
    }
    stream.write(msgspec.json.format(msgspec.json.encode(document), indent=2).decode() + "\n")


def _tally_json(tally: Tally) -> dict[str, object]:
    counts = {
        "due": tally.due,
        "parked": tally.parked,
        **{count: getattr(tally, count) for _, _, count in RATES},
    }
    return {**counts, **{rate: rate_of(tally, rate) for rate, _, _ in RATES}}


def _spans_json(spans: Mapping[Span, Durations]) -> dict[str, object]:
    return {span.value: {"count": d.count, "p50_s": d.p50, "p90_s": d.p90} for span, d in spans.items()}


def _department_json(line: DepartmentLine, names: Names) -> dict[str, object]:
    return {
        "unit": line.unit,
        "name": names.units.get(line.unit, ""),
        **_tally_json(line.tally),
        "volume_score": line.volume_score,
        "score": line.score,
        "grade": line.grade.value,
        "stages": _spans_json(line.spans),
    }
