"""A real nats-server for the app's seat tests (skipped without one, except in CI): the seats' own fixture."""

from tests.dispatch.seats.conftest import hub as hub  # a fixture: pytest finds it by its name here
