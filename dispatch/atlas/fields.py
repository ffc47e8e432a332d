"""Checked reads of one value from an atlas file, each failure an AtlasError naming file, place and field."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass

from dispatch.atlas.errors import AtlasError

_SLUG = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class At:
    """Where a value was read: the file and the feature, line or entry in it."""

    file: str
    where: str = ""

    def error(self, field: str, message: str) -> AtlasError:
        return AtlasError(self.file, self.where, field, message)

    def text(self, value: object, field: str, *, required: bool = True) -> str:
        """Text (a JSON/YAML number is taken as its digits); empty only when not required."""
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(field, f"expected text, got {_shown(value)}")
        text = str(value).strip()
        if required and not text:
            raise self.error(field, "must not be empty")
        return text

    def code(self, value: object, field: str, digits: Collection[int]) -> str:
        """An administrative or grid code: only digits, of one of the given lengths."""
        text = self.text(value, field)
        if not (text.isascii() and text.isdigit() and len(text) in digits):
            lengths = " or ".join(str(n) for n in sorted(digits))
            raise self.error(field, f"expected a code of {lengths} digits, got {text!r}")
        return text

    def slug(self, value: object, field: str) -> str:
        text = self.text(value, field)
        if not _SLUG.fullmatch(text):
            raise self.error(field, f"expected lower-case letters, digits and _, got {text!r}")
        return text

    def choice(self, value: object, field: str, known: Collection[str]) -> str:
        text = self.text(value, field)
        if text not in known:
            raise self.error(field, f"unknown value {text!r} (known: {', '.join(sorted(known))})")
        return text

    def number(self, value: object, field: str, low: float, high: float) -> float:
        """A finite number within [low, high]; CSV cells are text and parsed here."""
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise self.error(field, f"expected a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(field, f"expected a number, got {_shown(value)}")
        try:
            number = float(value)
        except OverflowError:
            raise self.error(field, "number too large") from None
        if not math.isfinite(number) or not low <= number <= high:
            raise self.error(field, f"{number:g} is outside {low:g}..{high:g}")
        return number

    def mapping(self, value: object, field: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(field, f"expected a mapping, got {_shown(value)}")
        return {str(k): v for k, v in value.items()}

    def sequence(self, value: object, field: str) -> list[object]:
        if not isinstance(value, list):
            raise self.error(field, f"expected a list, got {_shown(value)}")
        return value

    def only(self, fields: Collection[str], known: Collection[str]) -> None:
        """Refuse settings the format does not know: a misspelt key would otherwise be ignored."""
        unknown = sorted(set(fields) - set(known))
        if unknown:
            raise self.error(unknown[0], f"unknown field (known: {', '.join(sorted(known))})")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{type(value).__name__} {text[:37]}…"
