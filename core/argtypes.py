"""Command-line argument types shared by the cockpit's CLI and the simulator's (one line, exit code 2)."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path


def positive_number(text: str) -> float:
    """argparse type: a positive, finite number (rates, seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a positive number (finite), got {text}")
    return value


def fraction_below_one(text: str) -> float:
    """argparse type: a share, 0 ≤ F < 1 (sim --fuzz)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, got {text}")
    return value


_WEEK_S = 7 * 86_400.0


def warm_up_seconds(text: str) -> float:
    """argparse type: 0 ≤ seconds ≤ a week of the demo city's past life (sim --warm-up)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 <= value <= _WEEK_S:
        raise argparse.ArgumentTypeError(f"must be between 0 and {_WEEK_S:.0f} seconds, got {text}")
    return value


def add_warm_up_argument(parser: argparse.ArgumentParser) -> None:
    """--warm-up of the demo feed server, on both command lines that start it."""
    parser.add_argument(
        "--warm-up", type=warm_up_seconds, default=0.0, metavar="SECONDS",
        help="start with this much of the city's past life, sent at once (default 0)",
    )  # fmt: skip


def add_fuzz_arguments(parser: argparse.ArgumentParser) -> None:
    """--fuzz and --fuzz-log of the demo feed server, on both command lines that start it."""
    parser.add_argument(
        "--fuzz",
        type=fraction_below_one,
        default=0.0,
        metavar="FRACTION",
        help="make this share of all frames hostile (0.2: a fifth), to test a client's intake",
    )
    parser.add_argument(
        "--fuzz-log", type=Path, metavar="PATH", help="with --fuzz: write one JSON line per frame sent"
    )


def picture_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080): a window, screen or stream size on the command line."""
    match = re.fullmatch(r"(\d{2,5})[xX](\d{2,5})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def whole_count(text: str) -> int:
    """A whole number ≥ 1 (units, events a second, series …)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def seconds_up_to(limit: float) -> Callable[[str], float]:
    """A parser of seconds above zero and at most `limit` (a bounded run, a rate)."""

    def seconds(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
        if not 0 < value <= limit:
            raise argparse.ArgumentTypeError(f"expected 0 < seconds ≤ {limit:g}, got {text!r}")
        return value

    return seconds
