"""Tianshu (天枢) entry point: hands over to the command line in cli/."""

from __future__ import annotations

from cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
