"""`python main.py --wall [--screens all|N,…] [--pages FILE]`: the wall screen (大屏), docs/wall.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.wall.pages import WallPages
from app.wall.pages_file import WallPagesError, demo_pages_path, load_pages


def _screens(text: str) -> tuple[int, ...]:
    """'all' → () (every screen); '0,2' → (0, 2)."""
    if text.strip().lower() == "all":
        return ()
    try:
        numbers = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'all' or screen numbers such as 0,1, not {text!r}") from None
    if any(n < 0 for n in numbers) or len(set(numbers)) != len(numbers):
        raise argparse.ArgumentTypeError(f"distinct screen numbers from 0, not {text!r}")
    return numbers


def _pages(text: str) -> WallPages:
    try:
        return load_pages(Path(text))
    except WallPagesError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_wall_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wall", action="store_true",
        help="the wall screen (大屏): read-only pages full screen on each screen, from a console's store",
    )  # fmt: skip
    parser.add_argument(
        "--screens", type=_screens, metavar="all|N,…",
        help="with --wall: which screens get a window (default: all; numbers from 0)",
    )  # fmt: skip
    parser.add_argument(
        "--pages", type=_pages, metavar="FILE",
        help="with --wall: the pages file (default: the demo city's; docs/wall.md)",
    )  # fmt: skip
    parser.add_argument(
        "--wall-token", type=Path, metavar="FILE",
        help="with --wall: sign the wall in with a wall token (an account of role viewer; docs/wall.md)",
    )  # fmt: skip


def check_wall_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--screens and --pages only mean something with --wall; the wall takes no feed of its own."""
    if not args.wall:
        if args.screens is not None or args.pages is not None:
            parser.error("--screens and --pages go with --wall")
        if args.wall_token is not None:
            parser.error("--wall-token goes with --wall")
        return
    if args.feed is not None:
        parser.error("--wall shows the store a duty console fills: give --feed to that console")


def run_wall_command(args: argparse.Namespace) -> int:
    from app.shell.application import no_display_reason
    from app.shell.gui import prepare_application
    from app.wall.launch import ScreenChoiceError, run_wall
    from app.wall.sign_in import WallTokenError, wall_actor
    from dispatch.store.database import default_db_path

    reason = no_display_reason()
    if reason is not None:
        print(f"tianshu: {reason}", file=sys.stderr)
        return 1
    pages = args.pages
    if pages is None:
        try:
            pages = load_pages(demo_pages_path())
        except WallPagesError as error:
            print(f"tianshu: {error}", file=sys.stderr)
            return 1
    db_path = args.db or default_db_path()
    try:
        actor = wall_actor(db_path, args.wall_token)
    except WallTokenError as error:
        print(f"tianshu: --wall-token: {error}", file=sys.stderr)
        return 2
    seat = None
    if args.hub is not None:  # the wall keeps its own read-only replica of the centre's log in --db
        from app.seats.join import JoinFailed, SeatJoin, open_seat_loop

        join = SeatJoin(args.hub, args.seat, args.centre, args.hub_credentials)
        try:
            seat = open_seat_loop(join, db_path, lead=False)
        except JoinFailed as error:
            print(f"tianshu: cannot join the centre: {error}", file=sys.stderr)
            return 1
    app = prepare_application()
    try:
        return run_wall(app, pages, db_path, args.screens or (), atlas=args.atlas, actor=actor)
    except ScreenChoiceError as error:
        print(f"tianshu: --screens: {error}", file=sys.stderr)
        return 2
    finally:
        if seat is not None:
            seat.close()
