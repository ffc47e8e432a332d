"""Widget test fixtures: the real theme palette, the vocabulary, and plain event values."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from app.shell.theme import load_palette
from dispatch.feed.values import StoredEvent
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary


@pytest.fixture
def palette() -> Palette:
    return load_palette()


@pytest.fixture
def vocabulary(qapp: QApplication) -> Vocabulary:
    return Vocabulary()


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QTranslator]:
    """The shipped Simplified Chinese catalogue, installed for one test."""
    translator = QTranslator()
    assert translator.load("tianshu_zh_CN", str(resources.files("resources") / "i18n"))
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def stored(n: int, **overrides: Any) -> StoredEvent:
    fields: dict[str, Any] = {
        "source": "iot",
        "event_id": f"e{n}",
        "revision": 1,
        "seq": n,
        "received_at": 1_767_225_600.0 + n,
        "occurred_at": 1_767_225_600.0 + n,
        "category": "waterlogging",
        "severity": 3,
        "title": f"积水 {n}",
        "address": "解放路12号",
        "grid": "DH-03-017",
    }
    fields.update(overrides)
    return StoredEvent(**fields)
