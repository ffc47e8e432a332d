"""`main.py screenshot`: the real cockpit on the embedded demo city, written to a PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_screenshot_shows_a_live_cockpit(qapp: QApplication, tmp_path: Path) -> None:
    out = tmp_path / "cockpit.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TIANSHU_LANG": "zh_CN"}
    run = subprocess.run(
        [sys.executable, "main.py", "screenshot", "--out", str(out), "--after", "1.5", "--size", "1280x720"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-2000:]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixel(x, y) for x in range(0, 1280, 7) for y in range(0, 720, 7)}
    assert len(colours) > 50
