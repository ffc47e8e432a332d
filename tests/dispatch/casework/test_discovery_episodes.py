"""Episodes: a sensor's repeated alarms update one case; an alarm that clears proposes 自动消警."""

from __future__ import annotations

import itertools
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.casework.model import Action, CaseState, Refused
from dispatch.casework.policy import PolicyError
from dispatch.casework.policy_file import default_policy_path, parse_policy
from dispatch.casework.records import audit, episodes
from dispatch.casework.records.case_file import load_case_file
from dispatch.feed.protocol import DecodedEvent, Rejected, decode_event
from dispatch.feed.values import QuarantineReason
from tests.dispatch.casework.policies import (
    DISPATCHER,
    LAT,
    LEAD,
    LON,
    MONDAY_9,
    POLICY,
    SUPERVISOR,
    Loop,
    act,
    open_loop,
    put_event,
)

GAP = POLICY.episodes.gap_s
S = CaseState


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def alarm(
    loop: Loop, event_id: str, *, at: float, payload: dict[str, Any] | None = None, **event: Any
) -> int:
    """An event row as intake stores it, with the EVENT payload (device, cleared) discovery reads."""
    camera_id = event.pop("camera_id", "")
    row = put_event(loop.conn, event_id, at=at, **event)
    loop.conn.execute(
        "UPDATE events SET payload = ?, camera_id = ? WHERE id = ?",
        (json.dumps(payload or {}), camera_id, row),
    )
    return row


def sensor(loop: Loop, event_id: str, *, at: float, device: str = "JG-00017", cleared: bool = False,
           **event: Any) -> int:  # fmt: skip
    event.setdefault("source", "iot")
    return alarm(loop, event_id, at=at, payload={"device": device, "cleared": cleared}, **event)


def case_of(loop: Loop, event_id: str) -> int:
    return int(
        loop.conn.execute("SELECT case_id FROM case_events WHERE event_id = ?", (event_id,)).fetchone()[0]
    )


def updates(loop: Loop, case_id: int) -> list[dict[str, Any]]:
    rows = audit.timeline(loop.conn, [case_id])
    return [r.payload for r in rows if r.action is Action.SOURCE_UPDATE and r.actor == "system"]


# -- repeated alarms fold ---------------------------------------------------------------------------------

# Who reports: three devices, a camera, a spot of sensors without device ids, and people at that spot.
_REPORTERS = {
    "dev-a": {"payload": {"device": "JG-1"}, "source": "iot"},
    "dev-b": {"payload": {"device": "JG-2"}, "source": "iot"},
    "dev-c": {"payload": {"device": "JG-1"}, "source": "video_ai"},  # same id, another source: another device
    "cam": {"payload": {}, "source": "video_ai", "camera_id": "cam-7"},
    "spot": {"payload": {}, "source": "iot", "address": "江汉区解放路下穿隧道"},
    "people": {"payload": {}, "source": "grid", "address": "江汉区解放路下穿隧道"},
}
_MACHINES = ("dev-a", "dev-b", "dev-c", "cam", "spot")

reports = st.lists(
    st.tuples(
        st.sampled_from(sorted(_REPORTERS)),
        st.sampled_from([1.0, 60.0, 600.0, GAP - 1, GAP + 1, 3 * GAP]),  # time since the previous report
        st.integers(1, 4),  # severity
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports=reports, batch=st.integers(1, 7))
def test_repeated_alarms_fold_into_one_case_per_episode(
    reports: list[tuple[str, float, int]], batch: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        loop = open_loop(Path(folder) / "store.sqlite3")
        try:
            at = MONDAY_9
            sent: list[tuple[str, str, float, int]] = []
            for n, (who, gap, severity) in enumerate(reports):
                at += gap
                spec = dict(_REPORTERS[who])
                alarm(loop, f"r{n}", at=at, severity=severity, payload=spec.pop("payload"), **spec)
                sent.append((f"r{n}", who, at, severity))
            # Discovery in batches of any size: the folding does not depend on how rows are grouped.
            while loop.discovery.run_once(limit=batch).read:
                pass

            cases: dict[str, int] = {event_id: case_of(loop, event_id) for event_id, *_ in sent}
            by_reporter: dict[str, list[tuple[str, float]]] = defaultdict(list)
            for event_id, who, at, _ in sent:
                by_reporter[who].append((event_id, at))
            for who, seen in by_reporter.items():
                for (before, at_before), (after, at_after) in itertools.pairwise(seen):
                    same = cases[before] == cases[after]
                    # A machine's repeat within the gap continues its episode; past it, or from people, no.
                    assert same == (who in _MACHINES and at_after - at_before <= GAP), (who, before, after)
            reporters_of: dict[int, set[str]] = defaultdict(set)
            for event_id, who, *_ in sent:
                reporters_of[cases[event_id]].add(who)
            assert all(len(whos) == 1 for whos in reporters_of.values())

            members: dict[int, list[tuple[str, int]]] = defaultdict(list)
            for event_id, _, _, severity in sent:
                members[cases[event_id]].append((event_id, severity))
            for case_id, its in members.items():
                case = loop.desk.get(case_id)
                assert case.events_count == len(its)
                # Severity only rises with a more severe repeat, never falls by itself.
                assert case.severity == min(severity for _, severity in its)
                folds = [p for p in updates(loop, case_id) if p.get("repeat") is True]
                assert sorted(p["event_id"] for p in folds) == sorted(e for e, _ in its[1:])
            assert audit.verify(loop.conn).ok
        finally:
            loop.close()


def test_a_repeat_after_the_case_was_closed_opens_a_new_case(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9)
    (first,) = loop.discovery.run_once().opened
    act(loop, first.id, Action.VOID, LEAD, reason="误报")
    sensor(loop, "a2", at=MONDAY_9 + 60)
    result = loop.discovery.run_once()
    assert (len(result.opened), result.folded) == (1, 0)
    sensor(loop, "a3", at=MONDAY_9 + 120)
    assert loop.discovery.run_once().folded == 1
    assert case_of(loop, "a3") == result.opened[0].id


def test_a_more_severe_repeat_escalates_and_rings_again(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9, severity=3)
    (case,) = loop.discovery.run_once().opened
    act(loop, case.id, Action.ACKNOWLEDGE, DISPATCHER)
    sensor(loop, "a2", at=MONDAY_9 + 30, severity=2)
    sensor(loop, "a3", at=MONDAY_9 + 60, severity=4)
    assert loop.discovery.run_once().folded == 2
    after = loop.desk.get(case.id)
    assert (after.severity, after.acknowledged, after.events_count) == (2, False, 3)
    assert [(p["event_id"], p["device"], p["from_severity"]) for p in updates(loop, case.id)] == [
        ("a2", "JG-00017", 3),
        ("a3", "JG-00017", 2),
    ]


def test_places_fold_only_when_near_and_people_never(loop: Loop) -> None:
    alarm(loop, "s1", at=MONDAY_9, source="iot")
    alarm(loop, "s2", at=MONDAY_9 + 10, source="iot", lon=LON + 0.0002)  # ~19 m: the same spot
    alarm(loop, "s3", at=MONDAY_9 + 20, source="iot", lon=LON + 0.01)  # ~1 km down the same street
    alarm(loop, "g1", at=MONDAY_9 + 30, source="grid")
    result = loop.discovery.run_once()
    assert (len(result.opened), result.folded) == (3, 1)
    assert case_of(loop, "s2") == case_of(loop, "s1")
    assert len({case_of(loop, e) for e in ("s1", "s3", "g1")}) == 3


# -- alarms that clear by themselves --------------------------------------------------------------------


def test_a_self_clearing_alarm_proposes_closure_and_the_lead_confirms_with_one_command(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9)
    sensor(loop, "a2", at=MONDAY_9 + 30)
    (case,) = loop.discovery.run_once().opened
    assert episodes.pending_clearing(loop.conn) == []
    sensor(loop, "a3", at=MONDAY_9 + 90, cleared=True)
    result = loop.discovery.run_once()
    assert (result.opened, result.folded, result.clearing) == ([], 1, 1)
    assert episodes.pending_clearing(loop.conn) == [case.id]
    assert updates(loop, case.id)[-1]["cleared"] is True
    case_file = load_case_file(loop.conn, case.id)
    assert case_file is not None
    assert case_file.clearing_proposed
    # The system proposes; it never closes a case by itself.
    assert loop.desk.get(case.id).state is S.DISCOVERED
    with pytest.raises(Refused):
        loop.desk.act(episodes.clearing_command(loop.desk.get(case.id), SUPERVISOR))
    voided = loop.desk.act(episodes.clearing_command(loop.desk.get(case.id), LEAD))
    assert voided.case.state is S.VOID
    assert (voided.audit.actor, voided.audit.reason, voided.audit.payload) == (
        "li",
        episodes.CLEARED_REASON,
        {"auto_clear": True},
    )
    assert episodes.pending_clearing(loop.conn) == []
    assert not episodes.clearing_proposed(loop.conn, voided.case)
    assert audit.verify(loop.conn).ok


def test_a_cleared_revision_proposes_and_a_new_alarm_withdraws_the_proposal(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9)
    (case,) = loop.discovery.run_once().opened
    sensor(loop, "a1", at=MONDAY_9, revision=2, cleared=True)
    assert loop.discovery.run_once().clearing == 1
    assert episodes.pending_clearing(loop.conn) == [case.id]
    sensor(loop, "a4", at=MONDAY_9 + 300)
    assert loop.discovery.run_once().folded == 1
    assert episodes.pending_clearing(loop.conn) == []
    sensor(loop, "a5", at=MONDAY_9 + 400, cleared=True)
    assert loop.discovery.run_once().clearing == 1
    episodes.dismiss_clearing(loop.conn, case.id)
    assert episodes.pending_clearing(loop.conn) == []
    assert loop.desk.get(case.id).state is S.DISCOVERED


def test_a_case_waits_until_every_device_in_it_cleared(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9, device="YG-1", camera_id="cam-7", source="video_ai")
    (case,) = loop.discovery.run_once().opened
    alarm(loop, "v2", at=MONDAY_9 + 10, source="video_ai", camera_id="cam-7", payload={})
    assert loop.discovery.run_once().folded == 0  # camera key differs from the device key: its own case
    sensor(loop, "a1", at=MONDAY_9, revision=2, device="YG-1", camera_id="cam-7", source="video_ai",
           cleared=True)  # fmt: skip
    assert loop.discovery.run_once().clearing == 1
    assert episodes.pending_clearing(loop.conn) == [case.id]


def test_a_case_a_unit_works_on_is_not_proposed_and_a_lone_clearing_opens_nothing(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9)
    (case,) = loop.discovery.run_once().opened
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-1")
    sensor(loop, "a2", at=MONDAY_9 + 60, cleared=True)
    result = loop.discovery.run_once()
    assert (result.folded, result.clearing) == (1, 0)
    assert updates(loop, case.id)[-1]["cleared"] is True  # on the timeline for the unit and the checker
    sensor(loop, "b1", at=MONDAY_9 + 60, device="JG-404", cleared=True)
    result = loop.discovery.run_once()
    assert (result.opened, result.cleared_alone) == ([], 1)


def test_odd_payloads_are_read_leniently_and_a_broken_one_is_set_aside(loop: Loop) -> None:
    alarm(loop, "o1", at=MONDAY_9, source="iot", payload={"device": 17, "cleared": "yes"})
    bad = put_event(loop.conn, "o2", at=MONDAY_9, source="iot", lon=LON + 0.1, lat=LAT)
    loop.conn.execute("UPDATE events SET payload = '{not json' WHERE id = ?", (bad,))
    result = loop.discovery.run_once()
    assert len(result.opened) == 1
    assert result.failed == [bad]


# -- the wire and the policy file -------------------------------------------------------------------------

_EVENT = {"id": "e1", "source": "iot", "category": "waterlogging", "title": "积水", "severity": 3,
          "occurred_at": "2026-01-05T09:00:00+08:00"}  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "valid"),
    [({"device": "WL-0412", "cleared": True}, True), ({"device": ""}, False), ({"cleared": "yes"}, False),
     ({"device": "x" * 129}, False)],
)  # fmt: skip
def test_the_wire_checks_device_and_cleared(extra: dict[str, Any], valid: bool) -> None:
    decoded = decode_event(json.dumps({**_EVENT, **extra}).encode(), 7)
    if valid:
        assert isinstance(decoded, DecodedEvent)
        assert (decoded.event.device, decoded.event.cleared) == ("WL-0412", True)
    else:
        assert isinstance(decoded, Rejected)
        assert decoded.reason is QuarantineReason.INVALID_FIELDS


def test_the_policy_file_sets_the_episode_gap() -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    policy = parse_policy(text.replace("gap_s: 1800", "gap_s: 600"), "p.yaml")
    assert policy.episodes.gap_s == 600
    assert policy.episodes.sources == frozenset({"iot", "video_ai", "vitals"})
    with pytest.raises(PolicyError, match=r"p\.yaml:\d+: episodes\.gap_s"):
        parse_policy(text.replace("gap_s: 1800", "gap_s: soon"), "p.yaml")


_reports = st.tuples(
    st.sampled_from(["iot", "video_ai"]),
    st.text(max_size=6),  # category
    st.one_of(st.none(), st.text(min_size=1, max_size=6)),  # device
    st.text(max_size=6),  # camera
    st.text(max_size=6),  # address
)


@given(first=_reports, second=_reports)
def test_episode_keys_never_mix_two_devices_cameras_or_places(
    first: tuple[str, str, str | None, str, str], second: tuple[str, str, str | None, str, str]
) -> None:
    def what(source: str, category: str, device: str | None, camera: str, address: str) -> tuple[str, ...]:
        if device:
            return ("device", source, device, category)
        if camera:
            return ("camera", camera, category)
        return ("place", " ".join(address.split()), category)

    rule = POLICY.episodes
    a, b = episodes.episode_key(rule, *first), episodes.episode_key(rule, *second)
    if a is not None and a == b:
        assert what(*first) == what(*second)
