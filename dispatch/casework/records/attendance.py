"""Who is signed in at a console's desk, and whether their account still lets them act."""

from __future__ import annotations

import sqlite3

from dispatch.casework.model import Actor, Role

# Tianshu itself (discovery, timers) and field units (through their reports) never sign in at a console.
_NOT_AT_THE_CONSOLE = frozenset({Role.SYSTEM, Role.UNIT})


class Attendance:
    """The operator signed in at one console. A desk that has one refuses commands from any other console
    actor, and from this one once their account is disabled or given another role (read at every
    command, so `operators disable` in a terminal takes effect at the next key the officer presses)."""

    def __init__(self) -> None:
        self._present: Actor | None = None

    @property
    def present(self) -> Actor | None:
        return self._present

    def sign_in(self, actor: Actor) -> None:
        """`actor` passed the password check at this console (whoever was signed in before is not now)."""
        self._present = actor

    def sign_out(self) -> None:
        self._present = None

    def problem(self, conn: sqlite3.Connection, actor: Actor) -> str | None:
        """Why `actor` may not act at this console now, or None when they may."""
        if actor.role in _NOT_AT_THE_CONSOLE:
            return None
        present = self._present
        if present is None or (present.login, present.role) != (actor.login, actor.role):
            return f"{actor.login} is not signed in at this console"
        row = conn.execute("SELECT role, active FROM operators WHERE login = ?", (actor.login,)).fetchone()
        if row is None or not row[1]:
            return f"the account {actor.login} is disabled"
        if row[0] != actor.role.value:
            return f"the account {actor.login} no longer has the role {actor.role.value}"
        return None
