"""The action form: what it asks for follows the action and, for an evaluation, the case's source."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispatch.casework.model import Action
from widgets.desk.action_form import ActionForm
from widgets.desk.case_words import CaseWords


@pytest.fixture
def form(qtbot: QtBot, qapp: QApplication) -> ActionForm:
    widget = ActionForm(CaseWords())
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize(
    ("source", "ticked", "words"),
    [
        ("hotline", False, "caller"),
        ("iot", True, "no caller"),
        ("video_ai", True, "no caller"),
        ("grid", True, "no caller"),
    ],
)
def test_an_evaluation_asks_the_caller_only_when_there_is_one(
    qtbot: QtBot, form: ActionForm, source: str, ticked: bool, words: str
) -> None:
    form.ask(Action.EVALUATE, 7, 3, "20260105-7", source=source)
    assert form.satisfied.isVisibleTo(form)
    assert form.satisfied.isChecked() is ticked
    assert words in form.satisfied.text()
    with qtbot.waitSignal(form.form_confirmed) as confirmed:
        form.accept()
    assert confirmed.args[0].satisfied is ticked


def test_a_hotline_case_rated_after_a_sensor_case_starts_unticked_again(form: ActionForm) -> None:
    form.ask(Action.EVALUATE, 7, 3, "20260105-7", source="iot")
    form.reject()
    form.ask(Action.EVALUATE, 8, 3, "20260105-8", source="hotline")
    assert not form.satisfied.isChecked()


def test_other_actions_do_not_ask_about_satisfaction(form: ActionForm) -> None:
    form.ask(Action.VOID, 7, 3, "20260105-7", source="hotline")
    assert not form.satisfied.isVisibleTo(form)
