"""The demo city's atlas, loaded once for the map's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.atlas import Atlas, load_atlas

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"


@pytest.fixture(scope="session")
def demo_atlas() -> Atlas:
    return load_atlas(DEMO)
