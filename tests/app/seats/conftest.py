"""A real nats-server for the app's seat tests (skipped without one, except in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.nats_hub import in_ci, missing_reason, nats_server


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[str]:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)
    with nats_server(tmp_path / "hub") as url:
        yield url
