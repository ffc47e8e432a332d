"""The cockpit shows the city's time whatever zone the machine is set to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.shell.city_time import zone_setting


def test_a_zone_the_system_lacks_comes_from_the_tzdata_package(tmp_path: Path) -> None:
    setting = zone_setting("Asia/Shanghai", system_zones=tmp_path)
    assert setting.startswith(":")
    assert Path(setting[1:]).is_file()
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        zone_setting("Mars/Olympus", system_zones=tmp_path)


def test_a_console_set_to_utc_shows_the_citys_clock_in_python_and_qt(tmp_path: Path) -> None:
    # A fresh process, as `main.py run` is: the zone must be set before Qt starts.
    script = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from app.shell.gui import prepare_application
from PySide6.QtCore import QDateTime
prepare_application()
print(time.strftime("%H:%M", time.localtime(0)), QDateTime.fromSecsSinceEpoch(0).toString("HH:mm"))
"""
    env = {"TZ": "UTC", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # The demo policy's calendar is Asia/Shanghai: the epoch was 08:00 there.
    assert result.stdout.split() == ["08:00", "08:00"]
