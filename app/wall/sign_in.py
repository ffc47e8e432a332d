"""Who the wall is: the wall role (viewer), unnamed or signed in with a wall token file; never more."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from dispatch.casework.model import Actor
from dispatch.casework.records.accounts import WALL_ROLE, WallTokenRefused, check_wall_token
from dispatch.store.read_only import open_read_only

# The wall without a token: the wall role, under a name the log and reports show.
ANONYMOUS_WALL = Actor("wall", WALL_ROLE, "wall")
# A token file is two short lines; anything much longer is not one.
TOKEN_MAX_BYTES = 4096


class WallTokenError(ValueError):
    """The wall token cannot be used; the message says why and what to do."""


def read_token(path: Path) -> tuple[str, str]:
    """(login, secret) from a token file: the login on the first line, the secret on the second.

    The file must be readable by its owner alone (as ssh asks of a key): the secret lets anyone who
    reads it put the centre's picture on a screen of their own.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise WallTokenError(f"{path}: not a file")
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise WallTokenError(
                f"{path}: others may read it (mode {stat.S_IMODE(info.st_mode):o}); "
                f"make it the owner's alone: chmod 600 {path}"
            )
        if info.st_size > TOKEN_MAX_BYTES:
            raise WallTokenError(f"{path}: too large to be a wall token ({info.st_size} bytes)")
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise WallTokenError(f"{path}: cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise WallTokenError(f"{path}: not UTF-8 text") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 2:
        raise WallTokenError(f"{path}: a wall token is two lines, the account's login and its secret")
    return lines[0], lines[1]


def wall_actor(db_path: Path, token: Path | None) -> Actor:
    """The actor the wall runs as: the anonymous wall, or the token's account (which must have the
    wall role: a token of an account that can act on cases is refused, even with the right secret)."""
    if token is None:
        return ANONYMOUS_WALL
    login, secret = read_token(token)
    if not db_path.is_file():
        raise WallTokenError(f"no store at {db_path} to check the wall token against")
    try:
        conn = open_read_only(db_path, live=True)
    except sqlite3.Error as error:
        raise WallTokenError(f"{db_path}: cannot be read: {error}") from None
    try:
        found = check_wall_token(conn, login, secret)
    except sqlite3.Error as error:
        raise WallTokenError(f"{db_path}: cannot check the wall token: {error}") from None
    finally:
        conn.close()
    if found is WallTokenRefused.WRONG:
        raise WallTokenError(
            f"{token}: not a wall token of this store (unknown or disabled login, or wrong secret)"
        )
    if found is WallTokenRefused.NOT_A_WALL:
        raise WallTokenError(
            f"{token}: {login} can act on cases; a wall signs in only with an account of role "
            f"{WALL_ROLE.value}"
        )
    return found
