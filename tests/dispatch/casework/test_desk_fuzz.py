"""Hostile commands at the desk (huge and negative integers, NaN and infinities, True as an id, text of
zero-width, control and unpaired surrogate characters, None, wrong types anywhere): each one is carried
out or refused with a code, never a raw exception, nothing non-finite is stored, and the audit verifies."""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.casework.machine import RULES
from dispatch.casework.model import (
    SYSTEM_ACTOR,
    Action,
    Actor,
    Applied,
    Case,
    Command,
    Refusal,
    Refused,
    Role,
)
from dispatch.casework.records import audit
from dispatch.casework.records.accounts import create_operator
from dispatch.casework.records.attendance import Attendance
from tests.dispatch.casework.policies import (
    DISPATCHER,
    INTAKE,
    LEAD,
    MONDAY_9,
    SUPERVISION,
    SUPERVISOR,
    Loop,
    act,
    new_case,
    open_loop,
)

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
UNIT = Actor("U-CITY", Role.UNIT, "市政养护")
ACTORS = (LEAD, DISPATCHER, INTAKE, SUPERVISOR, SUPERVISION, UNIT, SYSTEM_ACTOR)
OPERATORS = (LEAD, DISPATCHER, INTAKE, SUPERVISOR, SUPERVISION)
# Keys the desk's actions read, so that hostile values land where they are used.
KEYS = ("unit", "instructions", "travel_s", "recommended", "auto", "master_id", "amount", "satisfied",
        "card", "path", "severity", "note", "order_id")  # fmt: skip
ODD = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u3000", "\u3164", "\u2800", "\x00",
       "\x07", "\x1b", "\x7f", "\ud800", "\udfff", " ", "\n", "\t", "a", "派", "\u0301"]  # fmt: skip
SQLITE_EDGES = [0, -1, 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63), -(2**63) - 1, 10**30, -(10**30)]

integers = st.one_of(
    st.integers(), st.sampled_from(SQLITE_EDGES), st.integers(min_value=2**62, max_value=2**80)
)
numbers = st.one_of(
    integers,
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, 0.5, 2.0, 999.0]),
)
texts = st.one_of(
    st.text(st.sampled_from(ODD), max_size=12),
    st.text(max_size=12),
    st.sampled_from(["", "U-CITY", "U-SAN", "photo.jpg", "重复上报", "\u200b\u200b\u200b"]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
actors = st.one_of(
    st.builds(Actor, texts, st.sampled_from(Role), texts),
    st.builds(Actor, scalars, scalars, scalars),
    scalars,
)


SANE: dict[str, st.SearchStrategy[Any]] = {
    "unit": st.sampled_from(["U-CITY", "U-SAN", "U-派‍"]),
    "instructions": st.sampled_from(["", "尽快处理", "第一行\n第二行"]),
    "travel_s": st.floats(0, 1e5),
    "recommended": st.booleans(),
    "auto": st.booleans(),
    "master_id": st.integers(1, 6),
    "master_version": st.integers(1, 9),
    "amount": st.one_of(st.integers(1, 999), st.floats(0.5, 999)),
    "satisfied": st.booleans(),
    "card": st.integers(0, 3),
    "path": st.sampled_from(["photo.jpg", "现场/照片 1.jpg"]),
    "severity": st.integers(1, 4),
    "note": st.sampled_from(["", "现场已处置"]),
}
# The fields each action reads; other actions get a note, which the audit keeps as it is.
READS: dict[Action, tuple[str, ...]] = {
    Action.DISPATCH: ("unit", "instructions", "travel_s", "recommended"),
    Action.MERGE: ("master_id",),
    Action.SPLIT: ("master_id", "master_version"),
    Action.REQUEST_EXTENSION: ("amount",),
    Action.APPROVE_EXTENSION: ("amount",),
    Action.EVALUATE: ("satisfied",),
    Action.SUPERVISE: ("card",),
    Action.CARD: ("card",),
    Action.ATTACH: ("path",),
    Action.SOURCE_UPDATE: ("severity",),
}


def payloads(action: object) -> st.SearchStrategy[Any]:
    """Sane fields for the action, the same fields with hostile values among them, or anything at all."""
    keys = READS.get(action, ("note",)) if isinstance(action, Action) else ("note",)
    sane = st.fixed_dictionaries({key: SANE[key] for key in keys})
    extra = {key: values for key in EXTRA if key not in keys}
    mixed = st.fixed_dictionaries({key: st.one_of(SANE[key], values) for key in keys}, optional=extra)
    anything = st.one_of(st.dictionaries(st.one_of(texts, integers, st.none()), values, max_size=2), values)
    return st.one_of(sane, sane.map(dict), sane.map(dict), mixed, anything)


EXTRA = ("note", "order_id", "unit", "amount", "master_id")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with operators and cases in many states: new, registered, handled on a running clock with
    an extension waiting, closed, merged."""
    path = tmp_path_factory.mktemp("fuzz") / "store.sqlite3"
    loop = open_loop(path)
    for actor in OPERATORS:
        create_operator(loop.conn, actor.login, actor.name, actor.role, "password-1", now=0, hasher=FAST)
    new_case(loop, "new")
    registered = new_case(loop, "registered", lon=114.40)
    act(loop, registered.id, Action.REGISTER, LEAD)
    for name, lon in (("waiting", 114.50), ("closed", 114.60)):
        case = new_case(loop, name, lon=lon)
        act(loop, case.id, Action.REGISTER, LEAD)
        act(loop, case.id, Action.DISPATCH, DISPATCHER, unit=UNIT.login)
        act(loop, case.id, Action.SIGN, UNIT)
        if name == "waiting":
            act(loop, case.id, Action.REQUEST_EXTENSION, UNIT, "需要调配设备", amount=2)
        else:
            act(loop, case.id, Action.HANDLE, UNIT)
            act(loop, case.id, Action.START_CHECK, SUPERVISOR)
            act(loop, case.id, Action.CLOSE, LEAD)
    # A duplicate merged into the registered case, for splits (and further merges) to try.
    duplicate = new_case(loop, "duplicate", lon=114.70)
    act(loop, duplicate.id, Action.MERGE, LEAD, master_id=registered.id)
    loop.close()
    return path


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def fresh_loop(template: Path, workdir: Path, n: int) -> Loop:
    path = workdir / f"store-{n}.sqlite3"
    shutil.copyfile(template, path)
    return open_loop(path, ManualClock(MONDAY_9 + 3600))


def assert_sound(loop: Loop) -> None:
    """The audit verifies, and no number stored in a case is NaN or infinite."""
    report = audit.verify(loop.conn)
    assert report.ok, report
    for row in loop.conn.execute("SELECT * FROM cases"):
        assert all(math.isfinite(v) for v in row if isinstance(v, float)), row


_examples = iter(range(10**9))
# Which part of a command is hostile: most commands have one (or none), so some get carried out.
PARTS = [None] * 5 + ["case_id", "version", "action", "actor", "reason"]


def draw_command(data: st.DataObject, loop: Loop, ids: list[int]) -> tuple[Command, Case | None]:
    """A command against one of the cases (or not), with the case as it was before (None: no such id)."""
    odd = data.draw(st.sampled_from(PARTS), label="hostile part")

    def part(name: str, sane: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
        return data.draw(hostile if odd == name else sane, label=name)

    case_id = part("case_id", st.sampled_from(ids), st.one_of(integers, scalars))
    before = loop.desk.get(case_id) if type(case_id) is int and case_id in ids else None
    version = part("version", st.just(before.version if before else 1), st.one_of(integers, scalars))
    legal = [a for a, rule in RULES.items() if before is not None and before.state in rule.sources]
    action = part("action", st.sampled_from(legal or list(Action)), scalars)
    allowed = [a for a in ACTORS if action in RULES and a.role in RULES[action].roles]
    actor = part("actor", st.sampled_from(allowed or ACTORS), actors)
    reason = part("reason", st.sampled_from(["", "现场核实", "\u200b\u200b"]), st.one_of(texts, scalars))
    payload = data.draw(payloads(action), label="payload")
    return Command(case_id, version, action, actor, reason, payload), before


def attempt(loop: Loop, command: Command) -> Applied | Refused:
    try:
        return loop.desk.act(command)
    except Refused as refusal:
        return refusal


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_command_is_applied_or_refused_with_a_code(
    template: Path, workdir: Path, data: st.DataObject
) -> None:
    loop = fresh_loop(template, workdir, next(_examples))
    try:
        if data.draw(st.booleans(), label="console"):
            attendance = Attendance()
            attendance.sign_in(data.draw(st.sampled_from(OPERATORS), label="signed in"))
            loop.desk.attendance = attendance
        ids = [r[0] for r in loop.conn.execute("SELECT id FROM cases")]
        for _ in range(data.draw(st.integers(1, 8), label="commands")):
            command, before = draw_command(data, loop, ids)
            outcome = attempt(loop, command)
            assert not loop.conn.in_transaction
            if isinstance(outcome, Refused):
                assert isinstance(outcome.code, Refusal)
                if before is not None:
                    assert loop.desk.get(before.id) == before
            else:
                assert before is not None
                assert outcome.case.version == before.version + 1
                assert loop.desk.get(before.id) == outcome.case
        assert_sound(loop)
    finally:
        loop.close()


HOSTILE: list[tuple[str, str, Any, Any, Action, Actor, str, Any, Refusal]] = [
    ("an id beyond 64 bits", "new", 2**63, None, Action.REGISTER, LEAD, "", {}, Refusal.UNKNOWN_CASE),
    ("a negative id", "new", -(2**70), None, Action.REGISTER, LEAD, "", {}, Refusal.UNKNOWN_CASE),
    ("True as the id", "new", True, None, Action.REGISTER, LEAD, "", {}, Refusal.BAD_PAYLOAD),
    ("NaN as the id", "new", math.nan, None, Action.REGISTER, LEAD, "", {}, Refusal.BAD_PAYLOAD),
    ("True as the version", "new", None, True, Action.REGISTER, LEAD, "", {}, Refusal.BAD_PAYLOAD),
    ("a version beyond 64 bits", "new", None, 2**64, Action.REGISTER, LEAD, "", {}, Refusal.STALE),
    ("True as the master", "new", None, None, Action.MERGE, LEAD, "", {"master_id": True},
     Refusal.BAD_PAYLOAD),
    ("a master beyond 64 bits", "new", None, None, Action.MERGE, LEAD, "", {"master_id": 2**64},
     Refusal.BAD_PAYLOAD),
    ("a reason of zero-width spaces", "new", None, None, Action.VOID, LEAD, "\u200b\u200d\ufeff", {},
     Refusal.REASON_REQUIRED),
    ("a reason of control characters", "new", None, None, Action.VOID, LEAD, "\x00\x07", {},
     Refusal.BAD_PAYLOAD),
    ("a reason that is not valid Unicode", "new", None, None, Action.VOID, LEAD, "重复\ud800", {},
     Refusal.BAD_PAYLOAD),
    ("None as the reason", "new", None, None, Action.VOID, LEAD, None, {}, Refusal.BAD_PAYLOAD),
    ("NaN in the payload", "new", None, None, Action.REGISTER, LEAD, "", {"note": math.nan},
     Refusal.BAD_PAYLOAD),
    ("a huge number in the payload", "new", None, None, Action.REGISTER, LEAD, "", {"n": [2**64]},
     Refusal.BAD_PAYLOAD),
    ("None as the payload", "new", None, None, Action.REGISTER, LEAD, "", None, Refusal.BAD_PAYLOAD),
    ("a unit of zero-width spaces", "registered", None, None, Action.DISPATCH, DISPATCHER, "",
     {"unit": "\u200b"}, Refusal.BAD_PAYLOAD),
    ("an infinite extension", "waiting", None, None, Action.APPROVE_EXTENSION, LEAD, "",
     {"amount": math.inf}, Refusal.BAD_PAYLOAD),
    ("a NaN extension", "waiting", None, None, Action.APPROVE_EXTENSION, LEAD, "", {"amount": math.nan},
     Refusal.BAD_PAYLOAD),
    ("an extension of centuries", "waiting", None, None, Action.APPROVE_EXTENSION, LEAD, "",
     {"amount": 1e300}, Refusal.BAD_PAYLOAD),
    ("True as the card", "new", None, None, Action.SUPERVISE, SUPERVISION, "快办", {"card": True},
     Refusal.BAD_PAYLOAD),
    ("an actor with no login", "new", None, None, Action.REGISTER, Actor("", Role.SHIFT_LEAD), "", {},
     Refusal.FORBIDDEN),
    ("an action that is a string", "new", None, None, "register", LEAD, "", {}, Refusal.BAD_PAYLOAD),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "case_id", "version", "action", "actor", "reason", "payload", "code"),
    [h[1:] for h in HOSTILE],
    ids=[h[0] for h in HOSTILE],
)
def test_each_hostile_value_of_the_issue_is_refused_with_its_code(
    template: Path, workdir: Path, case: str, case_id: Any, version: Any, action: Action, actor: Actor,
    reason: str, payload: Any, code: Refusal,
) -> None:  # fmt: skip
    loop = fresh_loop(template, workdir, next(_examples))
    try:
        (target,) = [
            r[0] for r in loop.conn.execute("SELECT case_id FROM case_events WHERE event_id = ?", (case,))
        ]
        before = loop.desk.get(target)
        rows = loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        command = Command(
            target if case_id is None else case_id, before.version if version is None else version,
            action, actor, reason, payload,
        )  # fmt: skip
        with pytest.raises(Refused) as refused:
            loop.desk.act(command)
        assert refused.value.code is code
        assert loop.desk.get(target) == before
        assert loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == rows
        assert_sound(loop)
    finally:
        loop.close()


def test_a_sources_text_is_kept_as_it_came_control_characters_and_all(template: Path, workdir: Path) -> None:
    loop = fresh_loop(template, workdir, next(_examples))
    try:
        (case_id,) = [
            r[0] for r in loop.conn.execute("SELECT case_id FROM case_events WHERE event_id = 'new'")
        ]
        title = "解放路积水\x07\x1b[2J"
        current = loop.desk.get(case_id)
        update = {"severity": 2, "title": title, "revision": 2}
        applied = loop.desk.act(
            Command(case_id, current.version, Action.SOURCE_UPDATE, SYSTEM_ACTOR, "", update)
        )
        assert applied.audit.payload["title"] == title
        assert audit.timeline(loop.conn, [case_id])[-1].payload["title"] == title
        assert_sound(loop)
    finally:
        loop.close()
