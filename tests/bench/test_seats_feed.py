"""`bench seats --apply-only` and `--mix demo`: the apply path without a hub; the demo city's feed."""

from __future__ import annotations

import itertools
import re

import pytest

from bench.seats_feed import feed_events
from cli.main import main
from sim.nats_hub import in_ci, missing_reason


def _last_line(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    out = capsys.readouterr().out
    return out, out.splitlines()[-1]


def test_apply_only_applies_every_report_as_a_case_and_then_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench", "seats", "--apply-only", "--actions", "40"]) == 0
    out, last = _last_line(capsys)
    assert "new mix: 40 events (40 revisions) stored" in out
    assert re.search(r"discovery: \d+ runs opened 40 cases", out), out
    assert "40 commands, one a transaction" in out
    assert re.fullmatch(
        r"seats apply-only: feed [\d,]+ events/s, discovery [\d,]+ events/s, commands [\d,]+ entries/s", last
    ), last


def test_the_demo_mix_folds_repeats_so_fewer_reports_open_a_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "seats", "--apply-only", "--mix", "demo", "--actions", "40"]) == 0
    out, _ = _last_line(capsys)
    found = re.search(r"demo mix: 120 events \(([\d,]+) revisions\) stored", out)
    opened = re.search(r"discovery: \d+ runs opened ([\d,]+) cases", out)
    assert found is not None, out
    assert opened is not None, out
    events, cases = int(found.group(1).replace(",", "")), int(opened.group(1).replace(",", ""))
    assert 110 <= events <= 119  # three a command; identical copies are stored once
    assert 20 <= cases < events / 2


def _content(fields: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in fields.items() if name != "revision"}


def test_demo_events_number_changed_content_as_a_new_revision_and_copies_as_the_same() -> None:
    events = feed_events("demo", 3000, seed=5)
    assert len(events) == 3000
    seen: dict[tuple[str, str], list[dict[str, object]]] = {}
    for fields in events:
        seen.setdefault((fields["source"], fields["event_id"]), []).append(fields)
    repeated = [sent for sent in seen.values() if len(sent) > 1]
    assert repeated  # the demo re-sends some reports
    for sent in repeated:
        revisions = [fields["revision"] for fields in sent]
        assert revisions == sorted(revisions)
        assert revisions[0] == 1
        for before, after in itertools.pairwise(sent):
            same = _content(before) == _content(after)
            assert (after["revision"] == before["revision"]) == same
    assert {fields["source"] for fields in events} >= {"iot", "video_ai", "hotline", "grid"}


def test_a_feed_too_small_for_the_commands_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="too few for 400 commands"):
        main(["bench", "seats", "--apply-only", "--mix", "demo", "--actions", "400", "--events", "200"])


@pytest.mark.slow
def test_the_feed_reaches_seats_each_in_a_process_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seats benchmark, but {reason}")
        pytest.skip(reason)
    assert main(["bench", "seats", "--processes", "--seats", "2", "--actions", "30"]) == 0
    out, last = _last_line(capsys)
    each = r"seat1 [\d.]+ s, seat2 [\d.]+ s"
    assert re.search(rf"30 events to 2 seats, each in a process of its own: {each}", out), out
    assert re.fullmatch(r"seats feed in processes: [\d,]+ events/s to 2 seats", last), last
