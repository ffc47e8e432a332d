"""Application set-up: a Chinese font is used when present, and its absence is said, not shown as boxes."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell import application
from app.shell.gui import build_window


def test_a_chinese_capable_font_is_chosen_when_installed(qapp: QApplication) -> None:
    families = application.chinese_font_families()
    if not families:
        pytest.skip("no CJK font on this machine (install fonts-noto-cjk)")
    before = qapp.font()
    try:
        assert application.choose_ui_font(qapp)
        chosen = qapp.font().families()[0]
        assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(chosen)
    finally:
        qapp.setFont(before)


def test_without_a_chinese_font_the_window_says_so(
    qtbot: QtBot,
    qapp: QApplication,
    settings: QSettings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(application, "chinese_font_families", list)
    with caplog.at_level(logging.WARNING, logger="app.shell.application"):
        window = build_window(qapp, settings)
    qtbot.addWidget(window)
    window.show()
    try:
        assert "fonts-noto-cjk" in caplog.text
        assert window.header.banner.isVisible()
        assert "fonts-noto-cjk" in window.header.banner.text()
        assert "未找到中文字体" in window.header.banner.text()
    finally:
        qapp.setStyleSheet("")


def test_with_a_chinese_font_there_is_no_banner(
    qtbot: QtBot, qapp: QApplication, settings: QSettings
) -> None:
    if not application.chinese_font_families():
        pytest.skip("no CJK font on this machine (install fonts-noto-cjk)")
    before = qapp.font()
    window = build_window(qapp, settings)
    qtbot.addWidget(window)
    window.show()
    try:
        assert not window.header.banner.isVisible()
    finally:
        qapp.setStyleSheet("")
        qapp.setFont(before)
