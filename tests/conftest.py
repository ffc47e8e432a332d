"""Shared test set-up: Qt renders offscreen before any QApplication exists; generated tests judge what
the code does, not how fast a loaded machine runs it."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# A 2-core CI machine running the whole suite can take longer than hypothesis's 200 ms per example or its
# data-generation budget; that is not a failure of the code under test (pytest-timeout still ends a hang).
settings.register_profile(
    "tianshu", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("tianshu")
