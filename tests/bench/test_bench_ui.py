"""`python main.py bench ui` runs end to end on a small feed and ends with the line the notes quote."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAST = re.compile(
    r"ui: frame p99 \d+\.\d ms, cpu \d+%, wall 5760x2160 frame p99 \d+\.\d ms, rules \d+\.\d ms"
)


@pytest.mark.slow
def test_bench_ui_measures_the_cockpit_the_wall_and_the_rules(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TIANSHU_LANG": "en", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "main.py", "bench", "ui", "--seconds", "1.5", "--warmup", "1", "--events", "100",
         "--metrics", "20", "--markers", "200", "--series", "40", "--rule-seconds", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert LAST.fullmatch(lines[-1]), lines[-1]
    # It says what was on screen while it measured: the feed reached the live stream, the units the map.
    shown = next(line for line in lines if "cockpit showed:" in line)
    assert re.search(r"[1-9]\d* events in the live stream, 200 units", shown), shown
    assert "4 trend charts" in shown
    wall = next(line for line in lines if "wall showed:" in line)
    assert "5000 cases on the map" in wall
