"""`review --db PATH --out report.pdf|report.html [--run TAG]`: the after-action review of a drill store."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

USAGE_EXIT = 2


def add_review_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    review = subparsers.add_parser(
        "review",
        help="after-action review (演练评估报告) of a drill store, as PDF or HTML",
        description="Judge a drill again from its store's audit table and drill log: the inject and action "
        "timeline, targets met or missed, stage durations, results per role and per objective, strengths, "
        "areas for improvement and an improvement plan to fill in. See docs/scenarios.md.",
    )
    review.add_argument("--db", type=Path, required=True, metavar="PATH", help="the drill store")
    review.add_argument("--out", type=Path, required=True, metavar="FILE", help="report.pdf or report.html")
    review.add_argument("--run", metavar="TAG", help="which drill in the store (default: the latest)")
    review.set_defaults(handler=run_review_command)


def run_review_command(args: argparse.Namespace) -> int:
    from dispatch.drill.review import ReviewError, read_review
    from dispatch.store.read_only import open_read_only

    out: Path = args.out
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        print(f"tianshu: error: --out {out}: the review is written as .pdf or .html", file=sys.stderr)
        return USAGE_EXIT
    if not args.db.is_file():
        print(f"tianshu: error: --db {args.db}: no such store", file=sys.stderr)
        return USAGE_EXIT
    try:
        conn = open_read_only(args.db)
        try:
            review = read_review(conn, args.run)
        finally:
            conn.close()
    except (ReviewError, sqlite3.Error) as error:
        print(f"tianshu: error: --db {args.db}: {error}", file=sys.stderr)
        return USAGE_EXIT
    # Text layout needs a Qt application; without a screen it renders offscreen all the same.
    from app.shell.application import no_display_reason

    if no_display_reason() is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.drill.review_writer import write_review
    from app.shell.application import choose_ui_font, create_application, install_translations, ui_language

    app = create_application()
    install_translations(app, ui_language())
    choose_ui_font(app)
    try:
        write_review(review, out)
    except OSError as error:
        print(f"tianshu: error: --out {out}: {error}", file=sys.stderr)
        return 1
    print(f"review written: {out}", flush=True)
    return 0
