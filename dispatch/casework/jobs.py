"""The closed loop's periodic jobs and the items they set aside, as plain values (no store, no Qt)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Job(enum.StrEnum):
    """The periodic jobs of the closed loop; each names its items its own way (see `FailedItem.item`)."""

    DISCOVERY = "discovery"  # item: the events row id
    REPORTS = "reports"  # item: the report_inbox row id
    SUPERVISION = "supervision"  # item: the case id
    METRICS = "metrics"  # item: the period evaluated, e.g. "month 1764547200-1767225600"


@dataclass(frozen=True, slots=True)
class FailedItem:
    """One item a job set aside: which, why (the exception's type and text), when, and how often."""

    id: int
    job: Job
    item: str
    error: str
    failed_at: float
    first_failed_at: float
    attempts: int
    retry: bool  # an operator asked for another try: the job takes it again on its next beat
