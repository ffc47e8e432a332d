"""`python main.py bench rules` runs end to end and ends with the line the benchmark notes quote."""

from __future__ import annotations

import io
import re

from bench.rules import run_bench_rules
from cli.main import build_parser


def test_bench_rules_reports_the_cost_per_second_of_data_on_its_last_line() -> None:
    args = build_parser().parse_args(["bench", "rules", "--series", "40", "--seconds", "3"])
    out = io.StringIO()
    assert run_bench_rules(args, out) == 0
    last = out.getvalue().splitlines()[-1]
    assert re.fullmatch(r"rules: 40 series, \d+\.\d ms per second of data", last), last
