"""The replay buffer: bounded, ordered, and honest about what it can still replay."""

from __future__ import annotations

import pytest

from sim.replay import ReplayBuffer


def filled(capacity: int, count: int) -> ReplayBuffer:
    buffer = ReplayBuffer(capacity)
    for seq in range(1, count + 1):
        buffer.append(seq, (f"m{seq}", None))
    return buffer


def test_an_empty_buffer_covers_only_a_fresh_start() -> None:
    buffer = ReplayBuffer(5)
    assert (buffer.head, buffer.oldest, len(buffer)) == (0, None, 0)
    assert buffer.covers(0)
    assert not buffer.covers(1)
    assert buffer.after(0, 10) == []


def test_it_keeps_only_the_newest_capacity_messages() -> None:
    buffer = filled(5, 23)
    assert (buffer.head, buffer.oldest, len(buffer)) == (23, 19, 5)
    assert [seq for seq, _ in buffer.after(0, 100)] == [19, 20, 21, 22, 23]
    assert [frame for _, frame in buffer.after(20, 2)] == [("m21", None), ("m22", None)]


def test_covers_exactly_the_resume_points_it_can_serve() -> None:
    buffer = filled(5, 23)
    assert not buffer.covers(17)
    assert buffer.covers(18)
    assert buffer.covers(23)
    assert not buffer.covers(24)


def test_seqs_may_jump_but_never_go_back() -> None:
    buffer = filled(10, 3)
    buffer.append(7, ("raw", True))
    assert buffer.head == 7
    assert [seq for seq, _ in buffer.after(3, 10)] == [7]
    assert [seq for seq, _ in buffer.after(5, 10)] == [7]
    with pytest.raises(ValueError, match="does not follow"):
        buffer.append(7, ("again", None))


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ReplayBuffer(0)
