"""`python -m sim.fuzz_check`: a run that ends on hostile frames without a readable seq is judged right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.clock import ManualClock, iso_utc
from dispatch.feed.intake import Intake
from dispatch.store.writer import StoreWriter
from sim.fuzz_check import check, main

CLOCK = ManualClock()


def _event(seq: int) -> str:
    event = {
        "id": f"e-{seq}",
        "source": "iot",
        "category": "waterlogging",
        "title": "积水",
        "severity": 3,
        "occurred_at": iso_utc(CLOCK.now()),
        "location": {"lon": 114.3, "lat": 30.6},
    }
    return json.dumps({"type": "event", "seq": seq, "event": event}, ensure_ascii=False)


# seq → (the log's kind, the frame): binary and `#` text carry no seq the intake can read.
SENT: dict[int, tuple[str, str | bytes]] = {
    1: ("event:new", _event(1)),
    2: ("hostile:binary", b"\x00\x01seq"),
    3: ("event:new", _event(3)),
    4: ("hostile:not_json", "#seq 4"),
    5: ("hostile:binary", b"\xff\xfe"),
    6: ("event:new", _event(6)),
    7: ("hostile:not_json", "#seq 7"),
}


def _run(tmp_path: Path, delivered: list[int]) -> tuple[Path, Path]:
    """Write the sim's log of everything SENT, and a store fed the `delivered` frames by the real intake."""
    log, db = tmp_path / "fuzz.jsonl", tmp_path / "s.sqlite3"
    log.write_text("".join(f'{{"seq":{seq},"kind":"{kind}"}}\n' for seq, (kind, _) in SENT.items()))
    writer = StoreWriter(db, "ws://feed", lambda result: None)
    intake = Intake(writer.submit, CLOCK, writer.initial_cursor)
    for seq in delivered:
        intake.handle_frame(SENT[seq][1])
    writer.close()
    return log, db


@pytest.mark.parametrize("delivered", [[1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4, 5]])
def test_hostile_frames_after_the_cursor_may_each_have_arrived_or_not(
    tmp_path: Path, delivered: list[int]
) -> None:
    result = check(*_run(tmp_path, delivered))
    assert result.lines()[-1] == "fuzz check: ok", "\n".join(result.lines())
    # Seq 4 and 5 cannot move the stored cursor, so the check cannot tell whether they arrived.
    assert (result.cursor, result.hostile, result.unplaced, result.undelivered) == (3, 1, 2, 2)
    assert result.quarantined.total() == len(delivered) - 2
    assert result.valid_stored == result.valid_expected == 2


def test_the_whole_run_ending_on_a_hostile_frame_is_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log, db = _run(tmp_path, list(SENT))
    assert main(["--log", str(log), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "stored cursor 6" in out
    assert "1 hostile frames just after the cursor" in out
    assert "0 after those" in out
    assert out.splitlines()[-1] == "fuzz check: ok"


def test_a_hostile_frame_quarantined_twice_after_the_cursor_fails(tmp_path: Path) -> None:
    # As after a reconnect: the server resumes after the cursor and sends seq 4 and 5 again.
    result = check(*_run(tmp_path, [1, 2, 3, 4, 5, 4, 5]))
    assert result.quarantined.total() == 5
    assert result.lines()[-1] == "fuzz check: FAILED"


def test_a_hostile_frame_before_the_cursor_without_its_row_fails(tmp_path: Path) -> None:
    result = check(*_run(tmp_path, [1, 3]))  # seq 2 never reached the intake
    assert (result.hostile, result.quarantined.total()) == (1, 0)
    assert result.lines()[-1] == "fuzz check: FAILED"
