"""Seat tests run against a real nats-server; without one they skip, except in CI (.ci/run installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.nats_hub import in_ci, missing_reason, nats_server


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh JetStream server whose store lives in tmp_path."""
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)
    with nats_server(tmp_path / "hub") as url:
        yield url
