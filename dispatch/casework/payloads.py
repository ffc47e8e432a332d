"""What a command may carry: ids within SQLite's range, finite numbers, visible text, and a payload the
audit records exactly as it was given; anything else is refused with a code before it is stored."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from dispatch.casework.machine import RULES
from dispatch.casework.model import Action, Actor, Case, Command, Refusal, Refused, Role
from dispatch.casework.policy import TimeUnit

# SQLite stores signed 64-bit integers; a larger Python int fails the write (OverflowError).
INT_MAX = 2**63 - 1
INT_MIN = -(2**63)
MAX_TEXT = 4096  # characters in a reason
MAX_PAYLOAD_TEXT = 65_536  # characters in one text of a payload (a source's title, a unit's note)
MAX_NAME = 128  # characters in a unit id or a login
MAX_DEPTH = 8  # lists and objects nested in a payload
MAX_ITEMS = 1000  # values in a whole payload
# One extension, in the unit of the clock it extends: a year of minutes or hours, and the 999 working days
# the action form offers. More is a typo, and the working calendar walks day by day (unbounded, inf or
# 1e300 working days would hold the desk forever or overflow the date).
MAX_EXTENSION: dict[str, float] = {
    TimeUnit.MINUTES.value: 366 * 24 * 60,
    TimeUnit.WORKING_HOURS.value: 366 * 24,
    TimeUnit.WORKING_DAYS.value: 999,
}
_LINE_BREAKS = frozenset("\t\n\r")
# A centre's name is one token of a NATS subject (dispatch/seats/subjects.py).
_CENTRE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Categories that draw nothing: controls, format characters (zero-width space and joiners, BOM, bidi
# marks), unassigned and private code points, separators (spaces), and combining marks with no base.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that render as blank space (Hangul fillers, the blank Braille pattern).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether `text` shows anything once zero-width, control and space characters are left out."""
    return any(ch not in _BLANK and unicodedata.category(ch) not in _INVISIBLE for ch in text)


def text_problem(value: object, limit: int = MAX_TEXT, *, controls: bool = False) -> str | None:
    """Why `value` cannot be stored as text: not a string, too long, not encodable (a lone surrogate), or
    with control characters other than tab and line breaks (unless `controls`: text a source sent, kept
    as it came, escaped in the audit's JSON)."""
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if len(value) > limit:
        return f"text of {len(value)} characters (at most {limit})"
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            return "text with a lone surrogate (not valid Unicode)"
        if category == "Cc" and not controls and ch not in _LINE_BREAKS:
            return f"text with the control character U+{ord(ch):04X}"
    return None


def is_row_id(value: object) -> bool:
    """A positive integer SQLite can store (True is not 1 here: a flag is never an id)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT_MAX


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _flag(value: object) -> bool:
    return isinstance(value, bool)


def _name(value: object) -> bool:
    return isinstance(value, str) and text_problem(value, MAX_NAME) is None and visible(value)


def _words(value: object) -> bool:
    return isinstance(value, str)


def _some_text(value: object) -> bool:
    return isinstance(value, str) and visible(value)


def _centre(value: object) -> bool:
    return isinstance(value, str) and _CENTRE.fullmatch(value) is not None


def _positive(value: object) -> bool:
    return _number(value) and value > 0  # type: ignore[operator]


def _not_negative(value: object) -> bool:
    return _number(value) and value >= 0  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class Field:
    """A payload field an action reads: the check its value must pass, whether it must be there, and
    what the refusal says otherwise."""

    check: Callable[[object], bool]
    required: bool
    says: str


_FIELDS: dict[Action, dict[str, Field]] = {
    Action.DISPATCH: {
        "unit": Field(_name, True, "dispatch needs the responsible unit"),
        "instructions": Field(_words, False, "instructions are text"),
        "travel_s": Field(_not_negative, False, "a travel time is a number of seconds"),
        "recommended": Field(_flag, False, "recommended is true or false"),
        "auto": Field(_flag, False, "auto is true or false"),
    },
    Action.MERGE: {"master_id": Field(is_row_id, True, "a merge names another case as the master")},
    Action.SPLIT: {
        "master_id": Field(is_row_id, True, "a split names the master the case was merged into"),
        "master_version": Field(_integer, False, "the master's version is a whole number"),
    },
    Action.REQUEST_EXTENSION: {"amount": Field(_positive, True, "an extension needs a positive amount")},
    Action.APPROVE_EXTENSION: {"amount": Field(_positive, False, "an extension needs a positive amount")},
    Action.EVALUATE: {"satisfied": Field(_flag, True, "an evaluation says whether the caller was satisfied")},
    Action.SUPERVISE: {"card": Field(_integer, False, "督办 raises a yellow (2) or red (3) card")},
    Action.CARD: {"card": Field(_integer, True, "a card level is 0 to 3")},
    Action.ATTACH: {"path": Field(_some_text, True, "an attachment needs a file path")},
    Action.SOURCE_UPDATE: {
        "severity": Field(_integer, True, "a source update carries the event's severity, 1 to 4")
    },
    Action.ESCALATE: {"to": Field(_centre, True, "上报 names the centre above (letters, digits, - or _)")},
}


def check_command(command: Command) -> None:
    """Refuse a command whose parts have the wrong type or range, before the desk reads anything."""
    if not isinstance(command.action, Action):
        raise Refused(Refusal.BAD_PAYLOAD, f"{command.action!r} is not an action")
    actor = command.actor
    if (
        not isinstance(actor, Actor)
        or not isinstance(actor.role, Role)
        or not isinstance(actor.login, str)
        or not _name(actor.login)
    ):
        raise Refused(Refusal.FORBIDDEN, f"{actor!r} is not an actor the desk knows")
    case_id = command.case_id
    if not _integer(case_id):
        raise Refused(Refusal.BAD_PAYLOAD, f"a case id is a whole number, not {type(case_id).__name__}")
    if not is_row_id(case_id):
        raise Refused(Refusal.UNKNOWN_CASE, f"there is no case {case_id}")
    if not _integer(command.version):
        raise Refused(
            Refusal.BAD_PAYLOAD, f"a version is a whole number, not {type(command.version).__name__}"
        )
    problem = text_problem(command.reason)
    if problem is not None:
        raise Refused(Refusal.BAD_PAYLOAD, f"the reason: {problem}")
    problem = payload_problem(command.payload)
    if problem is not None:
        raise Refused(Refusal.BAD_PAYLOAD, f"the payload: {problem}")


def payload_problem(payload: object) -> str | None:
    """Why `payload` cannot go into the audit exactly as given (JSON with 64-bit integers, finite
    numbers, text keys and valid Unicode text, bounded in depth and size), or None."""
    if not isinstance(payload, dict):
        return f"expected an object, got {type(payload).__name__}"
    budget = [MAX_ITEMS]
    return _value_problem(payload, MAX_DEPTH, budget)


def _value_problem(value: object, depth: int, budget: list[int]) -> str | None:
    budget[0] -= 1
    if budget[0] < 0:
        return f"more than {MAX_ITEMS} values"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else "an integer beyond 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"the number {value} (only finite numbers are kept)"
    if isinstance(value, str):
        # A revised event's title reaches the audit through the payload as the source wrote it.
        return text_problem(value, MAX_PAYLOAD_TEXT, controls=True)
    if depth == 0 and isinstance(value, list | tuple | dict):
        return f"nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, list | tuple):
        for item in value:
            problem = _value_problem(item, depth - 1, budget)
            if problem is not None:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"a key that is {type(key).__name__}, not text"
            problem = text_problem(key, MAX_NAME) or _value_problem(item, depth - 1, budget)
            if problem is not None:
                return problem
        return None
    return f"a value of type {type(value).__name__}"


def check_payload(case: Case, command: Command) -> None:
    """Refuse a payload the action cannot use on `case`, and a required reason that shows nothing."""
    if RULES[command.action].reason_required and not visible(command.reason):
        raise Refused(
            Refusal.REASON_REQUIRED, f"{command.action.value} needs a reason that can be read", current=case
        )
    for key, field in _FIELDS.get(command.action, {}).items():
        if key not in command.payload:
            if field.required:
                raise Refused(Refusal.BAD_PAYLOAD, field.says, current=case)
            continue
        if not field.check(command.payload[key]):
            raise Refused(Refusal.BAD_PAYLOAD, field.says, current=case)
    if command.action in (Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION) and "amount" in command.payload:
        limit = MAX_EXTENSION.get(case.handle_unit, min(MAX_EXTENSION.values()))
        if command.payload["amount"] > limit:
            raise Refused(
                Refusal.BAD_PAYLOAD,
                f"an extension of at most {limit:g} {case.handle_unit or 'units'} at a time",
                current=case,
            )
