"""The PySide6 6.12.0 + CPython 3.11 trap: void Qt calls drop a reference to None until the process aborts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import PySide6

KNOWN_BAD = {("6.12.0", (3, 11))}
CALLS = 20_000
SLACK = 200

# In a child process: on a bad combination the interpreter aborts (none_dealloc), which must fail this
# test rather than take the whole test run down with it.
PROBE = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    widget = QWidget()
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range({CALLS}):
        widget.update()
        timer.start(1000)
        timer.stop()
        QCoreApplication.processEvents()
    print(sys.getrefcount(None) - before)
    """
)


def test_this_pyside_and_python_pair_is_not_the_known_bad_one() -> None:
    pair = (PySide6.__version__, sys.version_info[:2])
    assert pair not in KNOWN_BAD, (
        f"PySide6 {pair[0]} on CPython {pair[1][0]}.{pair[1][1]} drops a reference to None on every "
        "void-returning Qt call and aborts with 'Fatal Python error: none_dealloc'. Pin PySide6 6.11.3 "
        "on Python 3.11, or use Python 3.12+ (where None is immortal)."
    )


def test_none_refcount_does_not_drift_across_many_qt_calls() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert probe.returncode == 0, f"the probe died ({probe.returncode}): {probe.stderr[-2000:]}"
    drift = int(probe.stdout.strip().splitlines()[-1])
    assert abs(drift) <= SLACK, f"None's refcount moved by {drift} over {CALLS} rounds of void Qt calls"
