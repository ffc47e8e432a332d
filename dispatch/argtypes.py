"""Command-line argument types shared by the cockpit's CLI and the simulator's (one line, exit code 2)."""

from __future__ import annotations

import argparse
import math


def positive_number(text: str) -> float:
    """argparse type: a positive, finite number (rates, seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number (finite), got {text}")
    return value
