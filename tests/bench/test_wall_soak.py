"""`python main.py bench soak` runs the wall end to end and ends with the line the benchmark notes quote."""

from __future__ import annotations

import io
import re

from PySide6.QtWidgets import QApplication

from bench.wall_soak import run_bench_soak
from cli.main import build_parser


def test_bench_soak_reports_memory_growth_after_the_first_hour_on_its_last_line(qapp: QApplication) -> None:
    args = build_parser().parse_args(["bench", "soak", "--hours", "2", "--step", "300"])
    out = io.StringIO()
    assert run_bench_soak(args, out) == 0
    last = out.getvalue().splitlines()[-1]
    assert re.fullmatch(r"soak: 2 h, memory growth -?\d+\.\d% after the first hour", last), last


def test_bench_soak_needs_two_hours_to_measure_growth_after_the_first(qapp: QApplication) -> None:
    args = build_parser().parse_args(["bench", "soak", "--hours", "1"])
    out = io.StringIO()
    assert run_bench_soak(args, out) == 2
    assert "at least 2" in out.getvalue()
