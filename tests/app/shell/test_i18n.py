"""Translations: the shipped catalogue covers every tr() string, is complete, and loads."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from app.shell.application import CHINESE, ENGLISH, install_translations, ui_language

ROOT = Path(__file__).resolve().parents[3]
# Every area of the cockpit may ship its own catalogue; together they must cover the code.
CATALOGUES = sorted((ROOT / "resources" / "i18n").glob("*_zh_CN.ts"))
LUPDATE = Path(sys.executable).with_name("pyside6-lupdate")


def messages(ts: Path) -> Iterator[tuple[str, str, ET.Element]]:
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            yield name, message.findtext("source", ""), translation


def test_the_catalogue_is_complete() -> None:
    found = [m for ts in CATALOGUES for m in messages(ts)]
    assert len(found) > 50
    unfinished = [(c, s) for c, s, t in found if t.get("type") in {"unfinished", "vanished", "obsolete"}]
    empty = [(c, s) for c, s, t in found if not (t.text or "").strip()]
    assert unfinished == []
    assert empty == []


@pytest.mark.skipif(not LUPDATE.exists(), reason="pyside6-lupdate is not installed next to this Python")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    extracted = tmp_path / "fresh.ts"
    subprocess.run(
        [str(LUPDATE), "-extensions", "py", "app", "widgets", "-ts", str(extracted), "-locations", "none"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    in_code = {(c, s) for c, s, _ in messages(extracted)}
    shipped = {(c, s) for ts in CATALOGUES for c, s, _ in messages(ts)}
    assert len(in_code) > 50
    assert in_code - shipped == set()


def test_the_compiled_catalogue_translates(qapp: QApplication) -> None:
    translator = QTranslator()
    assert translator.load("tianshu_zh_CN", str(resources.files("resources") / "i18n"))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("Vocabulary", "Connected") == "已连接"
        assert QCoreApplication.translate("MainWindow", "Live events") == "实时事件"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert QCoreApplication.translate("Vocabulary", "Connected") == "Connected"


def test_chinese_is_the_default_and_english_on_request(
    monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    monkeypatch.delenv("TIANSHU_LANG", raising=False)
    assert ui_language() == CHINESE
    monkeypatch.setenv("TIANSHU_LANG", "en")
    assert ui_language() == ENGLISH
    assert install_translations(qapp, ENGLISH) == []

    installed = install_translations(qapp, CHINESE)
    try:
        assert installed
        assert QCoreApplication.translate("Vocabulary", "Exercise") == "演练"
    finally:
        for translator in installed:
            QCoreApplication.removeTranslator(translator)
