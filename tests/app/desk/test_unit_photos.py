"""The app's unit-photo loader: fetches on its worker thread, says why a photo is missing, keeps refused
ones refused, and asks again for one whose host did not answer."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.desk.photos import UnitPhotos
from dispatch.casework.model import Action
from dispatch.casework.readouts import CaseFile, UnitWord
from dispatch.feed.attachments import AttachmentProblem, AttachmentRef, Photo
from tests.widgets.duty_values import case, case_file


def file_with(*uris: str) -> CaseFile:
    word = UnitWord(
        7, Action.HANDLE, "U-1", 1.0, "done", attachments=tuple(AttachmentRef(u, "image/jpeg") for u in uris)
    )
    return dataclasses.replace(case_file(case()), unit_words=(word,))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_host_that_does_not_answer_is_asked_again_a_refused_photo_is_not(
    qtbot: QtBot, tmp_path: Path
) -> None:
    port = closed_port()
    origin = f"http://127.0.0.1:{port}"
    photos = UnitPhotos(tmp_path / "photos", [origin])
    try:
        down, foreign = f"{origin}/media/a.jpg", "https://elsewhere.example/b.jpg"
        arrived: list[Photo] = []
        photos.photo_fetched.connect(arrived.append)
        photos.want(file_with(down, foreign))
        qtbot.waitUntil(lambda: len(arrived) == 2, timeout=10_000)
        assert {p.uri: p.problem for p in arrived} == {
            down: AttachmentProblem.UNREACHABLE,
            foreign: AttachmentProblem.UNTRUSTED_HOST,
        }
        photos.want(file_with(down, foreign))
        # The refused one answers at once from memory; the unreachable one is fetched again.
        qtbot.waitUntil(lambda: len(arrived) == 4, timeout=10_000)
        assert arrived[2].uri == foreign
        assert arrived[3].uri == down
    finally:
        photos.close()
