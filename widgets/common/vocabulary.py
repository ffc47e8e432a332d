"""Operator words for the codes dispatch/ speaks: severities, sources, categories, states, reasons."""

from __future__ import annotations

from PySide6.QtCore import QObject

from dispatch.feed.values import ConnectionState, FeedFailure, FeedStatus, QuarantineReason, StorageTrouble
from widgets.common.style import fill

SEVERE_LEVELS = frozenset({1, 2})


class Vocabulary(QObject):
    """Built once after the translator is installed, so each lookup is a dict hit, not a translate call."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._severities = {
            1: self.tr("Level I"),
            2: self.tr("Level II"),
            3: self.tr("Level III"),
            4: self.tr("Level IV"),
        }
        self._sources = {
            "iot": self.tr("IoT sensing"),
            "video_ai": self.tr("Video AI"),
            "hotline": self.tr("12345 hotline"),
            "grid": self.tr("Grid report"),
            "cap": self.tr("Weather warning"),
        }
        self._categories = {
            "waterlogging": self.tr("Waterlogging"),
            "water_level": self.tr("Water level over limit"),
            "manhole_cover": self.tr("Manhole cover fault"),
            "illegal_parking": self.tr("Illegal parking"),
            "garbage_overflow": self.tr("Garbage overflow"),
            "construction_violation": self.tr("Construction site violation"),
            "air_quality": self.tr("Air quality over limit"),
            "fire_alarm": self.tr("Fire alarm"),
            "traffic_accident": self.tr("Traffic accident"),
            "crowding": self.tr("Crowding"),
            "hazardous_chemicals": self.tr("Hazardous chemicals"),
            # Raised on this console by the wall's motion analytics (app/videowall/motion_intake.py).
            "video_motion": self.tr("Motion in a watched area"),
            # CAP 1.2 info categories, as dispatch/feed/cap.py names them ("cap_" + category, lower case).
            "cap_geo": self.tr("Geological warning"),
            "cap_met": self.tr("Weather warning"),
            "cap_safety": self.tr("Public safety warning"),
            "cap_security": self.tr("Security warning"),
            "cap_rescue": self.tr("Rescue warning"),
            "cap_fire": self.tr("Fire warning"),
            "cap_health": self.tr("Health warning"),
            "cap_env": self.tr("Environmental warning"),
            "cap_transport": self.tr("Transport warning"),
            "cap_infra": self.tr("Infrastructure warning"),
            "cap_cbrne": self.tr("CBRNE warning"),
            "cap_other": self.tr("Other warning"),
        }
        self._warning = self.tr("Warning")
        # A case that came up from a district centre (levels): its source names that centre.
        self._escalated_by = self.tr("Escalated by %1")
        # The demo city's vital signs (sim/vitals.py); other feeds' names are shown as sent.
        self._metrics = {
            "open_incidents": self.tr("Open incidents"),
            "hotline_calls_per_hour": self.tr("Hotline calls"),
            "congestion_index": self.tr("Congestion index"),
            "aqi": self.tr("Air quality index"),
            "water_level_max": self.tr("Highest water level"),
            "power_load": self.tr("Power load"),
            "metro_passenger_flow": self.tr("Metro passenger flow"),
        }
        self._units = {
            "calls/h": self.tr("calls/h"),
            "passengers/h": self.tr("passengers/h"),
        }
        self._reasons = {
            QuarantineReason.NOT_JSON: self.tr("Not JSON"),
            QuarantineReason.NOT_OBJECT: self.tr("Not a JSON object"),
            QuarantineReason.BINARY_FRAME: self.tr("Binary frame"),
            QuarantineReason.NOT_UTF8: self.tr("Not UTF-8"),
            QuarantineReason.OVERSIZED: self.tr("Oversized frame"),
            QuarantineReason.TOO_DEEP: self.tr("Nested too deep"),
            QuarantineReason.MISSING_TYPE: self.tr("Missing type"),
            QuarantineReason.INVALID_FIELDS: self.tr("Invalid fields"),
            QuarantineReason.BAD_CAP: self.tr("Malformed CAP alert"),
            QuarantineReason.BAD_TIME: self.tr("Time out of range"),
        }
        self._states = {
            ConnectionState.IDLE: self.tr("Not started"),
            ConnectionState.CONNECTING: self.tr("Connecting"),
            ConnectionState.CONNECTED: self.tr("Connected"),
            ConnectionState.BACKING_OFF: self.tr("Waiting to reconnect"),
            ConnectionState.STOPPED: self.tr("Stopped"),
        }
        # While the store cannot take writes the feed is paused: that, not the connection, is the news.
        self._storage = {
            StorageTrouble.FULL: self.tr("Storage full"),
            StorageTrouble.IO_ERROR: self.tr("Storage write error"),
            StorageTrouble.BUSY: self.tr("Store busy"),
        }
        self._retry_in = self.tr("Reconnecting in %1 s")
        self._revision = self.tr("Update r%1")
        self.exercise = self.tr("Exercise")
        self.cancelled = self.tr("Cancelled")

    def severity_words(self) -> tuple[str, ...]:
        return tuple(self._severities.values())

    def source_words(self) -> tuple[str, ...]:
        return tuple(self._sources.values())

    def category_words(self) -> tuple[str, ...]:
        return tuple(self._categories.values())

    def severity(self, level: int) -> str:
        return self._severities.get(level, str(level))

    def source(self, code: str) -> str:
        if code.startswith("centre:"):
            return self._escalated_by.replace("%1", code.removeprefix("centre:"))
        return self._sources.get(code, code)

    def category(self, code: str) -> str:
        name = self._categories.get(code)
        if name is not None:
            return name
        # CAP categories carry the alert's own wording after the prefix; keep it, but say it is a warning.
        if code.startswith("cap_"):
            rest = code.removeprefix("cap_")
            return f"{self._warning} · {rest}" if rest else self._warning
        return code

    def metric(self, name: str) -> str:
        return self._metrics.get(name, name)

    def unit(self, unit: str | None) -> str | None:
        return None if unit is None else self._units.get(unit, unit)

    def reason(self, reason: QuarantineReason) -> str:
        return self._reasons.get(reason, reason.value)

    def revision(self, revision: int) -> str:
        return fill(self._revision, revision)

    def failure(self, failure: FeedFailure, argument: str = "") -> str:
        """Why the feed's latest connection ended, in the operator's language."""
        words = {
            FeedFailure.TOKEN_REFUSED: self.tr("The feed refused the token (HTTP %1)"),
            FeedFailure.HTTP_STATUS: self.tr("The feed answered HTTP %1 instead of a websocket"),
            FeedFailure.BAD_URL: self.tr("Not a websocket address: %1"),
            FeedFailure.TLS_UNTRUSTED: self.tr("The feed's TLS certificate is not trusted: %1"),
            FeedFailure.SILENT: self.tr("The feed sent nothing, not even a heartbeat, for too long"),
            FeedFailure.OPEN_TIMEOUT: self.tr("The feed did not answer the connection in time"),
            FeedFailure.REFUSED: self.tr("Connection refused: the feed server is not listening"),
            FeedFailure.CLOSED: self.tr("The connection was closed (%1)"),
            FeedFailure.SERVER_CLOSED: self.tr("The feed closed the connection"),
            FeedFailure.NETWORK: self.tr("Network error: %1"),
            FeedFailure.FAULT: self.tr("Feed client fault (recovered): %1"),
            FeedFailure.OTHER: self.tr("Connection failed: %1"),
        }
        text = words[failure]
        if failure is FeedFailure.CLOSED and not argument:
            argument = self.tr("no close frame")
        return fill(text, argument) if "%1" in text else text

    def feed_detail(self, feed: FeedStatus) -> str:
        """The feed status's detail line in words (its English detail only where no code says why)."""
        if feed.failure is not None:
            return self.failure(feed.failure, feed.failure_arg)
        return feed.detail

    def state_name(self, state: ConnectionState) -> str:
        return self._states[state]

    def connection(self, feed: FeedStatus, retry_in: float | None = None) -> str:
        """The state in words; while backing off, with the whole seconds left until the next attempt."""
        if feed.storage is not None:
            return self._storage[feed.storage]
        if feed.state is ConnectionState.BACKING_OFF and retry_in is not None:
            return fill(self._retry_in, max(0, round(retry_in)))
        return self._states[feed.state]
