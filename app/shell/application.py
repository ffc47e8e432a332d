"""QApplication set-up: names for QSettings, high-DPI, the UI language and the Chinese font check."""

from __future__ import annotations

import logging
import os
import sys
from importlib import resources

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    Qt,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

ORGANIZATION = "Tianshu"
APPLICATION = "Tianshu"
CHINESE = "zh_CN"
ENGLISH = "en"
# Preferred faces when present; any other font that covers Simplified Chinese also works.
_CJK_FACES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)


def ui_language() -> str:
    """Simplified Chinese unless TIANSHU_LANG asks for English."""
    wanted = os.environ.get("TIANSHU_LANG", "").strip().lower()
    return ENGLISH if wanted.startswith("en") else CHINESE


# Said by the offscreen platform on every window show; it is not something an operator can act on.
_MUTED_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in _MUTED_QT_MESSAGES:
        return
    level = logging.WARNING if kind == QtMsgType.QtWarningMsg else logging.INFO
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        level = logging.ERROR
    logging.getLogger("qt").log(level, "%s", message)


def no_display_reason() -> str | None:
    """Why a window cannot open here (no X or Wayland display and no platform chosen), or None."""
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform != "linux":
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display found (DISPLAY and WAYLAND_DISPLAY are unset); run on a desktop, set "
        "QT_QPA_PLATFORM=offscreen, or use `python main.py screenshot --out cockpit.png`"
    )


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named for QSettings; reuses an existing one (tests, screenshot)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    qInstallMessageHandler(_qt_message)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    return app


def install_translations(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install our catalogue (and Qt's own, for standard dialogs); English needs none."""
    if language == ENGLISH:
        return []
    installed: list[QTranslator] = []
    folder = resources.files("resources") / "i18n"
    # One catalogue per area of the cockpit (tianshu_, duty_, …), all for the same language.
    names = sorted(p.name[: -len(".qm")] for p in folder.iterdir() if p.name.endswith(f"_{language}.qm"))
    for name in names:
        ours = QTranslator(app)
        if ours.load(name, str(folder)):
            app.installTranslator(ours)
            installed.append(ours)
    if not names:
        log.warning("no %s translation found in %s; the UI stays in English", language, folder)
    qt_own = QTranslator(app)
    if qt_own.load(
        QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    return installed


def chinese_font_families() -> list[str]:
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def choose_ui_font(app: QApplication) -> bool:
    """Prefer a known CJK face; returns False (and logs why) when nothing can draw Chinese."""
    families = chinese_font_families()
    if not families:
        log.warning(
            "no installed font covers Simplified Chinese; text will render as boxes. "
            "Install a CJK font, e.g. `apt-get install fonts-noto-cjk`."
        )
        return False
    preferred = next((face for face in _CJK_FACES if face in families), None)
    if preferred is not None:
        font = QFont(app.font())
        font.setFamilies([preferred, *font.families()])
        app.setFont(font)
    return True


def font_warning() -> str:
    """Shown in the window when choose_ui_font() failed; bilingual because Chinese may not render."""
    return QCoreApplication.translate(
        "Application",
        "No Chinese font found (未找到中文字体): install fonts-noto-cjk, then restart Tianshu.",
    )
