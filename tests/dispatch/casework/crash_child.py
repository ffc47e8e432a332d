"""Run as a process by test_crash: drives cases round the loop forever, printing each committed action."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from dispatch.casework.model import Action, Actor, Command, Role
from tests.dispatch.casework.policies import DISPATCHER, LEAD, LON, SUPERVISOR, open_loop, put_event

UNIT = Actor("U-CITY", Role.UNIT)
# Each case goes this far round the loop; the order is sent at dispatch and at the failed check.
SCRIPT = [
    (Action.REGISTER, LEAD, "", {}),
    (Action.DISPATCH, DISPATCHER, "", {"unit": "U-CITY"}),
    (Action.SIGN, UNIT, "", {}),
    (Action.PARK, LEAD, "等待配件", {}),
    (Action.UNPARK, LEAD, "", {}),
    (Action.HANDLE, UNIT, "", {}),
    (Action.FAIL_CHECK, SUPERVISOR, "未修复", {}),
    (Action.HANDLE, UNIT, "", {}),
    (Action.START_CHECK, SUPERVISOR, "", {}),
    (Action.CLOSE, LEAD, "", {}),
]


def main(path: Path) -> None:
    loop = open_loop(path)
    for n in itertools.count():
        put_event(loop.conn, f"crash-{n}", at=loop.clock.now(), lon=LON + n * 0.01)
        (case,) = loop.discovery.run_once().opened
        print(case.id, case.version, Action.DISCOVER.value, flush=True)
        for action, actor, reason, payload in SCRIPT:
            loop.clock.advance(60)
            version = loop.desk.get(case.id).version
            done = loop.desk.act(Command(case.id, version, action, actor, reason, payload)).case
            print(case.id, done.version, action.value, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
