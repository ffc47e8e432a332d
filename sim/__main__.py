"""`python -m sim`: the demo city feed server, or `blast` for the ingest benchmark."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from core.argtypes import add_fuzz_arguments, add_warm_up_argument, positive_number
from sim.rhythm import DEMO_RATE


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _common(parser: argparse.ArgumentParser, default_port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port, help="0 picks a free port")
    parser.add_argument(
        "--exit-on-stdin-eof", action="store_true", help="stop when stdin closes (parent gone)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["blast"]:
        blast = argparse.ArgumentParser(prog="python -m sim blast", description="benchmark feed server")
        _common(blast, 0)
        blast.add_argument("--count", type=_count, required=True, help="messages per subscriber")
        blast.add_argument("--rate", type=positive_number, help="msgs/s (default: as fast as possible)")
        options = blast.parse_args(args[1:])
        from sim.blast import run_blast

        return run_blast(
            options.host,
            options.port,
            options.count,
            options.rate,
            lambda url: print(f"tianshu-blast listening on {url}", flush=True),
            exit_on_stdin_eof=options.exit_on_stdin_eof,
        )
    sim = argparse.ArgumentParser(
        prog="python -m sim",
        description="The demo city as a protocol v1 feed server.",
        epilog="`python -m sim blast --help`: the ingest benchmark server.",
    )
    _common(sim, 8765)
    sim.add_argument(
        "--rate", type=positive_number, default=DEMO_RATE,
        help=f"new incidents a second, averaged over the day (default {DEMO_RATE}: ~2 a minute at peak)",
    )  # fmt: skip
    add_warm_up_argument(sim)
    sim.add_argument("--seed", type=int, help="random seed (same seed and start time → same city life)")
    sim.add_argument("--token", help="require this bearer token (default: $TIANSHU_SIM_TOKEN if set)")
    add_fuzz_arguments(sim)
    options = sim.parse_args(args)
    from sim.runner import TOKEN_ENV, run_sim

    return run_sim(
        options.host,
        options.port,
        options.rate,
        options.seed,
        options.token or os.environ.get(TOKEN_ENV) or None,
        lambda url: print(f"tianshu-sim listening on {url}", flush=True),
        exit_on_stdin_eof=options.exit_on_stdin_eof,
        fuzz=options.fuzz,
        fuzz_log=options.fuzz_log,
        warm_up_s=options.warm_up,
    )


if __name__ == "__main__":
    sys.exit(main())
