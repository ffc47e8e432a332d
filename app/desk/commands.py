"""The officer's answers in the desk's dialogs as closed-loop commands: what each carries, no more."""

from __future__ import annotations

from dispatch.casework.model import Action, Actor, Command
from dispatch.casework.readouts import DispatchChoice, DispatchOptions
from widgets.desk.action_form import ActionInput


def dispatch_command(options: DispatchOptions, choice: DispatchChoice, actor: Actor) -> Command:
    """An order to the chosen unit, against the version of the case the dialog showed."""
    payload: dict[str, object] = {"unit": choice.unit, "instructions": choice.instructions,
                                  "recommended": choice.recommended}  # fmt: skip
    if choice.travel_s is not None:
        payload["travel_s"] = round(choice.travel_s, 1)
    return Command(options.case_id, options.version, Action.DISPATCH, actor, payload=payload)


def form_command(form: ActionInput, actor: Actor) -> Command:
    """An action with the words or number its form asked for (a reason, an extension, a card, a rating)."""
    payload: dict[str, object] = {}
    if form.amount is not None:
        payload["amount"] = form.amount
    if form.card is not None:
        payload["card"] = int(form.card)
    if form.satisfied is not None:
        payload["satisfied"] = form.satisfied
    return Command(form.case_id, form.version, form.action, actor, form.reason, payload)
