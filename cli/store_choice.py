"""Which store a window-less command works on: the one named with --db, else the cockpit's own."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

# As for any other mistake on the command line (cli/main.py): one line on stderr and exit code 2.
MISSING_STORE_EXIT = 2
STORE_HELP = "store file (default: the cockpit's, in the per-user data dir)"


def chosen_store(named: Path | None, *, must_exist: bool = True, err: TextIO | None = None) -> Path | None:
    """`named`, or the cockpit's default store, said on stderr so nobody reads the wrong file unknowingly.

    None (after one line on stderr) when the default is wanted but does not exist and `must_exist`."""
    if named is not None:
        return named
    # Imported here: dispatch.store.database pulls in sqlite_utils, which `--help` should not wait for.
    from dispatch.store import database as store

    path = store.default_db_path()
    stream = err or sys.stderr
    if must_exist and not path.is_file():
        print(
            f"tianshu: no --db given and the cockpit's store {path} does not exist "
            "(run the cockpit or `ingest` once, or name a store with --db PATH)",
            file=stream,
        )
        return None
    print(f"tianshu: using the cockpit's store {path}", file=stream)
    return path
