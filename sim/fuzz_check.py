"""Checks a fuzzed demo run against the store it fed: `python -m sim.fuzz_check --log L --db D`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dispatch.store.read_only import open_read_only

# Valid frames that leave no row by design: an identical re-send is counted as a duplicate, and CAP
# messages that announce nothing (System, Draft; Ack, Error) are counted as dropped.
_NO_ROW = ("event:duplicate", ":System:", ":Draft:", ":Ack", ":Error")


@dataclass
class FuzzCheck:
    """What the server sent (from --fuzz-log) against what the store holds."""

    sent: Counter[str] = field(default_factory=Counter)
    cursor: int | None = None
    in_gaps: int = 0  # frames the server announced it could no longer replay (`reset`, stored as gaps)
    # Hostile frames right after the stored cursor (no valid frame between): one whose seq cannot be read
    # (binary, not JSON, not UTF-8 …) is quarantined without moving the cursor, so these may have arrived.
    unplaced: int = 0
    undelivered: int = 0  # the frames after those: still unsent when the server stopped
    valid_expected: int = 0
    valid_stored: int = 0
    lost: list[tuple[int, str]] = field(default_factory=list)
    stored_twice: int = 0
    hostile: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    valid_quarantined: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.lost
            and not self.stored_twice
            and not self.valid_quarantined
            and self.hostile <= self.quarantined.total() <= self.hostile + self.unplaced
        )

    @property
    def checked(self) -> int:
        return sum(self.sent.values()) - self.in_gaps - self.unplaced - self.undelivered

    def lines(self) -> list[str]:
        valid = sum(n for kind, n in self.sent.items() if not kind.startswith("hostile:"))
        out = [
            f"sent: {valid} valid frames, {sum(self.sent.values()) - valid} hostile frames; "
            f"stored cursor {self.cursor}",
            f"not checked: {self.in_gaps} frames inside gaps the server announced (reset), "
            f"{self.unplaced} hostile frames just after the cursor (arrived or not: one without a "
            f"readable seq does not move it), "
            f"{self.undelivered} after those (unsent when the server stopped)",
            f"checked: {self.checked} frames up to the cursor, {self.hostile} of them hostile",
            f"valid frames that must leave a row: {self.valid_expected}, stored: {self.valid_stored}, "
            f"lost: {len(self.lost)}, stored twice: {self.stored_twice}",
            f"quarantine rows: {self.quarantined.total()} for {self.hostile} hostile frames "
            f"(+ up to {self.unplaced} after the cursor); "
            f"valid frames quarantined: {len(self.valid_quarantined)}",
            "quarantine by reason: " + ", ".join(f"{r} {n}" for r, n in sorted(self.quarantined.items())),
        ]
        out += [f"lost: seq {seq} ({kind})" for seq, kind in self.lost[:10]]
        out += [
            f"quarantined although valid: seq {seq} ({kind})" for seq, kind in self.valid_quarantined[:10]
        ]
        out.append("fuzz check: " + ("ok" if self.ok else "FAILED"))
        return out


def check(log: Path, db: Path) -> FuzzCheck:
    """Every frame up to the store's cursor and outside the gaps the server announced is checked: a valid
    one must have left its row (once), a hostile one exactly one quarantine row. Hostile frames right after
    the cursor may each have left one row or none (a frame whose seq cannot be read does not move it)."""
    result = FuzzCheck()
    kinds: dict[int, str] = {}
    with log.open(encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            kinds[entry["seq"]] = entry["kind"]
            result.sent[entry["kind"]] += 1
    conn = open_read_only(db)
    try:
        rows = Counter(seq for (seq,) in conn.execute("SELECT seq FROM events WHERE seq IS NOT NULL"))
        rows.update(seq for (seq,) in conn.execute("SELECT seq FROM metrics"))
        quarantine = conn.execute("SELECT seq, reason FROM quarantine").fetchall()
        gaps = conn.execute("SELECT after_seq, head FROM gaps").fetchall()
        cursor = conn.execute("SELECT max(last_seq) FROM feed_state").fetchone()[0]
    finally:
        conn.close()
    result.cursor = cursor
    past_unplaced = False  # a valid frame after the cursor: it and all after it were not delivered
    for seq, kind in sorted(kinds.items()):
        if any((after or 0) < seq <= head for after, head in gaps):
            result.in_gaps += 1
            continue
        if cursor is None or seq > cursor:
            past_unplaced = past_unplaced or not kind.startswith("hostile:")
            if past_unplaced:
                result.undelivered += 1
            else:
                result.unplaced += 1
            continue
        if kind.startswith("hostile:"):
            result.hostile += 1
        elif not any(marker in kind for marker in _NO_ROW):
            result.valid_expected += 1
            if rows[seq]:
                result.valid_stored += 1
                result.stored_twice += rows[seq] > 1
            else:
                result.lost.append((seq, kind))
    for seq, reason in quarantine:
        result.quarantined[reason] += 1
        kind = kinds.get(seq, "hostile:") if seq is not None else "hostile:"
        if not kind.startswith("hostile:"):
            result.valid_quarantined.append((seq, kind))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.fuzz_check", description=__doc__)
    parser.add_argument("--log", type=Path, required=True, help="the sim's --fuzz-log")
    parser.add_argument("--db", type=Path, required=True, help="the store `ingest` wrote")
    options = parser.parse_args(argv)
    result = check(options.log, options.db)
    print("\n".join(result.lines()))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
