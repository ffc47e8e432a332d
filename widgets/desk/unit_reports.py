"""The units' word on a case: who reported what and when, their note, position and photos (thumbnails)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.model import Action
from dispatch.casework.readouts import UnitWord
from dispatch.feed.attachments import AttachmentProblem, Photo
from widgets.common.style import fill

THUMB = QSize(96, 72)


class UnitWords(QObject):
    """A unit's report in words: its own (签收, 办结 …) or recorded by an officer from a call (代录 …)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._own = {
            Action.SIGN: self.tr("Signed for"),
            Action.PROGRESS: self.tr("Progress"),
            Action.HANDLE: self.tr("Handling done"),
            Action.REQUEST_RETURN: self.tr("Asks to return"),
        }
        self._by_phone = {
            Action.SIGN: self.tr("Signed for (by phone)"),
            Action.PROGRESS: self.tr("Progress (by phone)"),
            Action.HANDLE: self.tr("Handled (by phone)"),
            Action.REQUEST_RETURN: self.tr("Asks to return (by phone)"),
        }
        self._problems = {
            AttachmentProblem.BAD_REFERENCE: self.tr("unusable reference"),
            AttachmentProblem.NOT_HTTPS: self.tr("not over https"),
            AttachmentProblem.TRAVERSAL: self.tr("unsafe path"),
            AttachmentProblem.WRONG_TYPE: self.tr("not a JPEG or PNG picture"),
            AttachmentProblem.TOO_LARGE: self.tr("too large"),
            AttachmentProblem.UNTRUSTED_HOST: self.tr("from a host this centre does not trust"),
            AttachmentProblem.UNREACHABLE: self.tr("could not be fetched"),
            AttachmentProblem.TOO_MANY: self.tr("too many photos"),
        }

    def own(self, action: Action) -> str | None:
        """The word for a report the unit sent itself, or None for an action units do not report."""
        return self._own.get(action)

    def action(self, word: UnitWord) -> str:
        table = self._by_phone if word.by_phone else self._own
        return table.get(word.action, word.action.value)

    def heading(self, word: UnitWord, names: Mapping[str, str]) -> str:
        unit = names.get(word.unit, word.unit) or self.tr("Unit")
        when = time.strftime("%m-%d %H:%M:%S", time.localtime(word.at))
        text = fill(self.tr("%1 · %2 · %3"), unit, self.action(word), when)
        if word.by_phone:
            text += " · " + fill(self.tr("recorded by %1"), names.get(word.recorded_by, word.recorded_by))
        return text

    def position(self, word: UnitWord) -> str:
        if word.position is None:
            return ""
        lon, lat = word.position
        return fill(self.tr("Reported from %1, %2"), f"{lon:.5f}", f"{lat:.5f}")

    def refused(self, count: int) -> str:
        return fill(self.tr("%1 attachment(s) refused (not shown)"), count) if count else ""

    def problem(self, problem: AttachmentProblem) -> str:
        return fill(self.tr("Photo not shown: %1"), self._problems.get(problem, problem.value))


class PhotoButton(QToolButton):
    """One attachment as a thumbnail; until its photo arrives it says so, and a refused one says why."""

    photo_opened = Signal(object)
    """The officer wants the photo full size (carries the Photo)."""

    def __init__(self, uri: str, words: UnitWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unitPhoto")
        self.uri = uri
        self.photo: Photo | None = None
        self._words = words
        self.setIconSize(THUMB)
        self.setFixedSize(THUMB + QSize(8, 8))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setText(self.tr("Loading…"))
        self.setToolTip(uri)
        self.setEnabled(False)
        self.clicked.connect(self._on_clicked)

    def show_photo(self, photo: Photo) -> None:
        if photo is self.photo:
            return
        image = _thumbnail(photo) if photo.problem is None else QImage()
        if not image.isNull():
            self.photo = photo
            self.setIcon(QIcon(QPixmap.fromImage(image)))
            self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            self.setToolTip(fill(self.tr("%1 × %2 — click to open"), photo.width, photo.height))
            self.setEnabled(True)
            return
        self.photo = None
        problem = photo.problem or AttachmentProblem.WRONG_TYPE
        self.setText(self.tr("No photo"))
        self.setToolTip(self._words.problem(problem))
        self.setProperty("refused", "true")
        self.setEnabled(False)

    def _on_clicked(self) -> None:
        if self.photo is not None:
            self.photo_opened.emit(self.photo)


def _thumbnail(photo: Photo) -> QImage:
    """The photo decoded straight to thumbnail size (JPEG scales while decoding: a big photo stays cheap)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(photo.data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    if photo.width > 0 and photo.height > 0:
        reader.setScaledSize(
            QSize(photo.width, photo.height).scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio)
        )
    return reader.read()


class PhotoViewer(QDialog):
    """A photo at full size (scrolls when larger than the screen)."""

    def __init__(self, photo: Photo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.setWindowTitle(self.tr("Photo from the unit"))
        self.image = QLabel(self)
        self.image.setObjectName("photoViewerImage")
        pixmap = QPixmap()
        pixmap.loadFromData(photo.data)
        self.image.setPixmap(pixmap)
        scroll = QScrollArea(self)
        scroll.setWidget(self.image)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        self.resize(min(pixmap.width() + 40, 1400), min(pixmap.height() + 40, 1000))


class UnitWordCard(QFrame):
    """One report: heading (unit · what · when), note, position, photos."""

    photo_opened = Signal(object)
    """A thumbnail was clicked (carries the Photo)."""

    def __init__(
        self, word: UnitWord, names: Mapping[str, str], words: UnitWords, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unitWord")
        self.word = word
        self.setProperty("byPhone", "true" if word.by_phone else "false")
        self.heading = QLabel(words.heading(word, names), self)
        self.heading.setObjectName("unitWordHeading")
        self.heading.setWordWrap(True)
        self.note = QLabel(word.note, self)
        self.note.setObjectName("unitWordNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.setVisible(bool(word.note))
        self.where = QLabel(words.position(word), self)
        self.where.setObjectName("unitWordPosition")
        self.where.setVisible(word.position is not None)
        self.refused = QLabel(words.refused(word.refused), self)
        self.refused.setObjectName("unitWordRefused")
        self.refused.setVisible(word.refused > 0)
        self.photos: list[PhotoButton] = []
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for ref in word.attachments:
            button = PhotoButton(ref.uri, words, self)
            button.photo_opened.connect(self.photo_opened)
            self.photos.append(button)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        for widget in (self.heading, self.note, self.where, self.refused):
            layout.addWidget(widget)
        layout.addLayout(row)

    def show_photo(self, photo: Photo) -> None:
        for button in self.photos:
            if button.uri == photo.uri:
                button.show_photo(photo)


class UnitReportList(QScrollArea):
    """Every unit report on the case, newest first; photos fill in as the app delivers them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unitReports")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.words = UnitWords(self)
        self.cards: list[UnitWordCard] = []
        self._photos: dict[str, Photo] = {}
        self._shown: tuple[tuple[UnitWord, ...], dict[str, str]] | None = None
        self.viewer: PhotoViewer | None = None
        self.empty = QLabel(self.tr("No report from a unit yet."))
        self.empty.setObjectName("unitReportsEmpty")
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        self.setWidget(self._body)

    def show_words(self, words: tuple[UnitWord, ...], names: Mapping[str, str]) -> None:
        # The same case refreshed (once a second while anything changes) keeps its cards and thumbnails.
        if (words, dict(names)) == self._shown:
            return
        self._shown = (words, dict(names))
        for card in self.cards:
            self._layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        wanted = {ref.uri for word in words for ref in word.attachments}
        self._photos = {uri: photo for uri, photo in self._photos.items() if uri in wanted}
        for index, word in enumerate(reversed(words)):
            card = UnitWordCard(word, names, self.words, self._body)
            card.photo_opened.connect(self.open_photo)
            for photo in self._photos.values():
                card.show_photo(photo)
            self.cards.append(card)
            self._layout.insertWidget(index, card)
        self.empty.setVisible(not words)

    def show_photo(self, photo: Photo) -> None:
        """A photo (or why there is none) arrived for one of the attachments shown."""
        self._photos[photo.uri] = photo
        for card in self.cards:
            card.show_photo(photo)

    def open_photo(self, photo: Photo) -> None:
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = PhotoViewer(photo, self)
        self.viewer.open()
