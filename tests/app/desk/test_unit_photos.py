"""The app's unit-photo loader: fetches on its worker thread, says why a photo is missing, keeps refused
ones refused, and asks again for one whose host did not answer."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytestqt.qtbot import QtBot

from app.desk.photos import UnitPhotos
from dispatch.casework.model import Action
from dispatch.casework.readouts import CaseFile, UnitWord
from dispatch.feed.attachments import AttachmentProblem, AttachmentRef, Photo
from tests.widgets.duty_values import case, case_file

T = TypeVar("T")


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


class AtOnce(concurrent.futures.Executor):
    """A worker that has finished each fetch before the GUI thread gets back to wait for it (what a loaded
    machine does now and then between the submit and GuiCall.when_done)."""

    def __init__(self, *_: Any, **__: Any) -> None:
        super().__init__()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as error:
            done.set_exception(error)
        return done


def test_a_cached_photo_answers_before_a_fetch_that_finishes_at_once(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.desk.photos.ThreadPoolExecutor", AtOnce)
    origin = f"http://127.0.0.1:{closed_port()}"
    photos = UnitPhotos(tmp_path / "photos", [origin])
    try:
        down, foreign = f"{origin}/media/a.jpg", "https://elsewhere.example/b.jpg"
        arrived: list[Photo] = []
        photos.photo_fetched.connect(arrived.append)
        photos.want(file_with(down, foreign))
        qtbot.waitUntil(lambda: len(arrived) == 2)
        photos.want(file_with(down, foreign))
        qtbot.waitUntil(lambda: len(arrived) == 4)
        assert [p.uri for p in arrived[2:]] == [foreign, down]
        assert arrived[3].problem is AttachmentProblem.UNREACHABLE
    finally:
        photos.close()
