"""The atlas's one error type: which file, where in it (feature, line, entry) and which field."""

from __future__ import annotations


class AtlasError(ValueError):
    """A problem in an atlas directory, precise enough to fix without a debugger.

    `where` is "feature 3", "line 12" or "cameras[4]" (empty for the whole file); `field` names the
    property or column (empty when the problem is the file or the entry as a whole).
    """

    def __init__(self, file: str, where: str, field: str, message: str) -> None:
        self.file, self.where, self.field, self.message = file, where, field, message
        place = ": ".join(part for part in (file, where, field) if part)
        super().__init__(f"{place}: {message}")
