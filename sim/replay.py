"""The server's replay buffer: the last N sent frames by seq, so a reconnecting client can catch up."""

from __future__ import annotations

import bisect

# What a websocket send needs: the payload and whether to force a text (True) or binary (False) frame;
# None lets the type decide (str → text, bytes → binary).
Frame = tuple[str | bytes, bool | None]


class ReplayBuffer:
    """Frames in strictly increasing seq order, keeping at most `capacity` of them.

    Seqs are normally contiguous, but a raw frame may jump ahead, so lookups bisect rather than index.
    Eviction advances a start offset and compacts now and then, keeping appends amortised O(1).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("the replay buffer must hold at least one message")
        self._capacity = capacity
        self._seqs: list[int] = []
        self._frames: list[Frame] = []
        self._start = 0
        self._head = 0

    @property
    def head(self) -> int:
        return self._head

    @property
    def oldest(self) -> int | None:
        return self._seqs[self._start] if self._start < len(self._seqs) else None

    def __len__(self) -> int:
        return len(self._seqs) - self._start

    def append(self, seq: int, frame: Frame) -> None:
        if seq <= self._head:
            raise ValueError(f"seq {seq} does not follow head {self._head}")
        self._seqs.append(seq)
        self._frames.append(frame)
        self._head = seq
        if len(self) > self._capacity:
            self._start += 1
            if self._start >= self._capacity:
                del self._seqs[: self._start]
                del self._frames[: self._start]
                self._start = 0

    def covers(self, resume_after: int) -> bool:
        """Whether everything after this seq is still here (or nothing was ever evicted past it)."""
        oldest = self.oldest
        floor = self._head if oldest is None else oldest - 1
        return floor <= resume_after <= self._head

    def after(self, seq: int, limit: int) -> list[tuple[int, Frame]]:
        """Up to `limit` buffered frames with a seq greater than `seq`, oldest first."""
        i = bisect.bisect_right(self._seqs, seq, lo=self._start)
        return list(zip(self._seqs[i : i + limit], self._frames[i : i + limit], strict=True))
