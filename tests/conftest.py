"""Shared test set-up: Qt renders offscreen before any QApplication exists; generated tests judge what
the code does, not how fast a loaded machine runs it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A 2-core CI machine running the whole suite can take longer than hypothesis's 200 ms per example or its
# data-generation budget; that is not a failure of the code under test (pytest-timeout still ends a hang).
settings.register_profile(
    "tianshu", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
# CI (`.ci/run` sets CI) starts from a fresh clone with no saved examples: there the same generated inputs
# every run (derandomized), so a submission is judged on the code, not on which inputs a draw happened to
# find. Every other run (`make test` at a desk) draws afresh and keeps exploring; what it finds is fixed
# with a pinned @example, as the gate, split and MBTiles tests were.
settings.register_profile("tianshu-ci", parent=settings.get_profile("tianshu"), derandomize=True)
settings.load_profile("tianshu-ci" if os.environ.get("CI") else "tianshu")


@pytest.fixture(autouse=True)
def _no_modal_or_popup_left_open() -> Iterator[None]:
    """A modal dialog or a pop-up left open by one test takes the keyboard and window activation from every
    later test in the process (they then time out waiting for their window to become active). Close it and
    fail the test that left it, so the cause is named where it is."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return  # a test without Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    left = [w for w in (app.activeModalWidget(), app.activePopupWidget()) if w is not None]
    names = [f"{type(w).__name__}({w.objectName()!r})" for w in left]
    for widget in left:
        widget.close()
    assert not names, f"left open after the test: {names}"
