"""Figures of a benchmark's samples."""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """The sample at quantile `q` (0.99: p99) of `values`, 0.0 for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0
