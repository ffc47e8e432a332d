"""Notices when the feed is lost or back, and tells the banner over the main view and the vital signs."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow

from dispatch.feed.values import ConnectionState, FeedStatus
from widgets.common.vocabulary import Vocabulary
from widgets.shell.feed_lost_banner import FeedLostBanner
from widgets.situation.vital_signs import VitalSignsPanel

_DOWN = frozenset({ConnectionState.BACKING_OFF, ConnectionState.STOPPED})


def is_lost(feed: FeedStatus, *, already_lost: bool) -> bool:
    """Waiting to reconnect, stopped, or paused because the store cannot take writes; a new attempt
    (connecting) does not end a loss, and the first one at start does not begin one."""
    if feed.storage is not None or feed.state in _DOWN:
        return True
    return already_lost and feed.state is not ConnectionState.CONNECTED


class FeedWatch(QObject):
    """Fed every feed status the cockpit sees (at least once a second), so a loss shows within 2 s."""

    feed_lost_changed = Signal(object)
    """The feed was lost (carries since when, epoch seconds) or is back (carries None)."""

    def __init__(
        self,
        banner: FeedLostBanner,
        vitals: VitalSignsPanel,
        *,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.banner = banner
        self._vitals = vitals
        self._clock = clock
        self._since: float | None = None

    @property
    def lost_since(self) -> float | None:
        return self._since

    def observe(self, feed: FeedStatus, retry_in: float | None) -> None:
        """The feed's latest status, with the seconds left before the next attempt while backing off."""
        if not is_lost(feed, already_lost=self._since is not None):
            if self._since is not None:
                self._since = None
                self.banner.clear()
                self._vitals.show_no_data(None)
                self.feed_lost_changed.emit(None)
            return
        if self._since is None:
            now = self._clock()
            # The connection's own record of when it went down, unless that is the start of a healthy
            # connection the store has just paused (or a clock that is ahead of ours).
            went_down = feed.since if feed.storage is None and 0 < feed.since <= now else now
            self._since = went_down
            self._vitals.show_no_data(went_down)
            self.feed_lost_changed.emit(went_down)
        self.banner.show_loss(feed, self._since, retry_in)


def install_feed_watch(window: QMainWindow, vocabulary: Vocabulary, vitals: VitalSignsPanel) -> FeedWatch:
    """The banner over `window` and the watch that drives it and the vital-sign tiles."""
    return FeedWatch(FeedLostBanner(vocabulary, window), vitals, parent=window)
