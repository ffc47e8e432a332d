"""Tianshu (天枢) entry point: hands over to the command line in app/."""

from __future__ import annotations

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
