"""Where a metric's alert rules stand, as plain values, and the words its tile says for it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class VitalAlert:
    """Where a metric's alert rules stand, in plain values: `state` is ok, pending, predicted (a breach
    predicted within a rule's horizon), firing or nodata (also the tile's style property); the predicted
    breach and the silence in seconds; a firing rule's level."""

    state: str = "ok"
    breach_in_s: float | None = None
    silent_s: float | None = None
    level: int | None = None


@dataclass(frozen=True, slots=True)
class VitalLine:
    """A level a trend chart draws across a metric's plot (a rule's threshold), in the rule's state."""

    value: float
    state: str


def _tr(text: str) -> str:
    return QCoreApplication.translate("VitalAlerts", text)


def alert_words(alert: VitalAlert, vocabulary: Vocabulary) -> str:
    """The tile's line for `alert` ("预计 35 分钟后超警", "无数据 · 12 分钟"); empty while all is well."""
    if alert.state == "nodata" and alert.silent_s is not None:
        return fill(_tr("No data · %1 min"), max(1, int(alert.silent_s // 60)))
    # A prediction first: the line is not crossed yet (once it is, no breach is predicted any more).
    if alert.breach_in_s is not None and math.isfinite(alert.breach_in_s):
        return fill(_tr("Breach expected in %1 min"), max(1, math.ceil(alert.breach_in_s / 60)))
    if alert.state == "firing":
        words = vocabulary.severity(alert.level) if alert.level is not None else ""
        return fill(_tr("Alarm %1"), words).strip()
    if alert.state == "pending":
        return _tr("Watch: over the line")
    return ""
