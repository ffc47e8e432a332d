"""`python main.py bench seats` runs seats on a real hub end to end and ends with the issue's summary line."""

from __future__ import annotations

import re

import pytest

from cli.main import main
from sim.nats_hub import in_ci, missing_reason

pytestmark = pytest.mark.slow


def test_bench_seats_reports_round_trip_feed_and_catch_up_on_its_last_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seats benchmark, but {reason}")
        pytest.skip(reason)
    assert main(["bench", "seats", "--seats", "2", "--actions", "20", "--events", "10"]) == 0
    out = capsys.readouterr().out
    # Two seats; three restarted (by row deltas and by replay, each in a process of its own, and by row
    # deltas in the bench's); two new ones (replaying, by row deltas); one joining from a snapshot.
    assert "8 replicas agree" in out
    assert re.search(
        r"catch-up: a seat stopped at entry \d+ restarted \d+ entries later in a process of its own; it took "
        r"\d+ row deltas .* by deltas in this process, beside the 2 seats: \d+\.\d+ s",
        out,
    ), out
    assert "10 events (10 revisions stored, in 1 entries) on every seat" in out
    assert re.search(r"discovery: the leader's \d+ runs took them into 10 cases on every seat", out), out
    last = out.splitlines()[-1]
    assert re.fullmatch(
        r"seats: round trip p99 \d+\.\d ms, feed [\d,]+ events/s, catch-up [\d,]+ entries/s", last
    ), last
