"""A seat's feed never loses what the hub did not take: it waits (in order) and goes again once the seat is
joined; a burst never has more than the limit in flight; what the seat refuses as no entry is counted."""

from __future__ import annotations

import concurrent.futures

from hypothesis import given
from hypothesis import strategies as st

from dispatch.seats.apply import Outcome
from dispatch.seats.entries import BadEntry
from dispatch.seats.hub_client import HubUnavailable
from dispatch.seats.outbound import Outbound


class Hub:
    """Publishes as a seat would: each returns a future the test answers by hand."""

    def __init__(self) -> None:
        self.online = True
        self.flying: list[tuple[int, concurrent.futures.Future[Outcome]]] = []
        self.stored: list[int] = []

    def send(self, n: int) -> concurrent.futures.Future[Outcome]:
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        self.flying.append((n, done))
        return done

    def answer(self, how: str) -> None:
        n, done = self.flying.pop(0)
        if how == "stored":
            self.stored.append(n)
            done.set_result(Outcome(n, f"e{n}", "a"))
        elif how == "lost":
            done.set_exception(HubUnavailable("not confirmed"))
        else:
            done.set_exception(BadEntry("not an event"))


def test_what_the_hub_did_not_take_goes_again_in_order_once_joined() -> None:
    hub = Hub()
    out = Outbound(lambda: hub.online, in_flight=2)
    for n in range(5):
        out.add(lambda n=n: hub.send(n))
    out.pump()
    assert [n for n, _ in hub.flying] == [0, 1]  # the limit in flight
    hub.answer("lost")  # 0 not confirmed
    hub.online = False  # and the seat is cut off
    hub.answer("stored")  # 1
    out.pump()
    assert hub.flying == []  # nothing goes while cut off
    assert out.waiting == 4
    hub.online = True
    out.pump()
    assert [n for n, _ in hub.flying] == [0, 2]  # 0 first again: the head of the line
    hub.answer("refused")
    hub.answer("stored")
    out.pump()
    hub.answer("stored")
    hub.answer("stored")
    assert hub.stored == [1, 2, 3, 4]
    assert (out.refused, out.waiting, out.dropped) == (1, 0, 0)


def test_too_many_waiting_gives_up_the_oldest() -> None:
    hub = Hub()
    hub.online = False
    out = Outbound(lambda: hub.online, keep=3)
    for n in range(5):
        out.add(lambda n=n: hub.send(n))
    assert (out.waiting, out.dropped) == (3, 2)
    hub.online = True
    out.pump()
    assert [n for n, _ in hub.flying] == [2, 3, 4]


@given(st.lists(st.sampled_from(["stored", "lost", "cut", "join"]), max_size=60), st.integers(1, 4))
def test_every_entry_is_stored_in_the_end_whatever_the_hub_does(answers: list[str], limit: int) -> None:
    hub = Hub()
    out = Outbound(lambda: hub.online, in_flight=limit)
    for n in range(8):
        out.add(lambda n=n: hub.send(n))
    for how in answers:
        out.pump()
        assert len(hub.flying) <= limit
        if how == "cut":
            hub.online = False
        elif how == "join":
            hub.online = True
        elif hub.flying:
            hub.answer(how)
    hub.online = True
    while out.waiting or hub.flying:
        out.pump()
        hub.answer("stored")
    assert sorted(hub.stored) == list(range(8))  # each once: none lost, none twice


def test_a_seat_that_refuses_at_once_does_not_make_the_pump_spin() -> None:
    """A closing seat refuses every publish at once while its status still says joined: the pump tries
    once a round, not for ever (it runs on the GUI thread)."""
    tries: list[int] = []

    def refused_at_once() -> concurrent.futures.Future[Outcome]:
        tries.append(1)
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        done.set_exception(HubUnavailable("seat a is closed"))
        return done

    out = Outbound(lambda: True)
    out.add(refused_at_once)
    out.pump()
    out.pump()
    assert (len(tries), out.waiting) == (2, 1)


def test_the_limits_count_what_a_publish_carries_and_a_heavy_one_still_goes() -> None:
    """A packed entry weighs its reports: a seat cut off for long keeps at most `keep` reports however
    they were packed, and never more than `in_flight` reports go at once — but one always goes."""
    hub = Hub()
    hub.online = False
    out = Outbound(lambda: hub.online, in_flight=3, keep=5)
    for n, weight in enumerate((2, 2, 2, 10)):
        out.add(lambda n=n: hub.send(n), weight)
    assert (out.waiting, out.dropped) == (1, 6)  # the three light ones gave way to the newest
    out.add(lambda: hub.send(4), 2)
    assert (out.waiting, out.dropped) == (1, 16)  # then the heavy one (the newest always stays)
    out.add(lambda: hub.send(5), 2)
    hub.online = True
    out.pump()
    assert [n for n, _ in hub.flying] == [4]  # 2 + 2 would be 4 in flight, over the limit of 3
    hub.answer("stored")
    out.pump()
    hub.answer("stored")
    out.add(lambda: hub.send(6), 10)  # heavier than the limit: goes alone
    out.pump()
    assert [n for n, _ in hub.flying] == [6]
    hub.answer("stored")
    assert (hub.stored, out.waiting) == ([4, 5, 6], 0)
