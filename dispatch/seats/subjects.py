"""The names a centre uses on the hub: its stream, the subjects of its log and the headers of an entry."""

from __future__ import annotations

import re
from dataclasses import dataclass

# One token of a NATS subject: no dots, wildcards or spaces. Kept to what every file system and every
# NATS account name accepts too, so a centre's name can also name its stream.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# JetStream's own de-duplication header: the server drops a second publish with the same id inside the
# stream's duplicate window, so a seat may safely publish again after a lost acknowledgement.
MSG_ID = "Nats-Msg-Id"
ROOT = "tianshu"


class BadName(ValueError):
    """A centre or seat name that cannot be a subject token."""


def check_token(kind: str, name: str) -> str:
    if not _TOKEN.fullmatch(name):
        raise BadName(f"a {kind} name is 1 to 64 letters, digits, '-' or '_', not {name!r}")
    return name


@dataclass(frozen=True, slots=True)
class Centre:
    """One centre's log on the hub.

    - `tianshu.<centre>.log.case.<id>`: a command on case <id> (its subject orders the case's history);
    - `tianshu.<centre>.log.event`: a feed event, ingested once for the centre (it may open a case);
    - `tianshu.<centre>.log.report`: a field unit's report on its order (it may move its case);
    - `tianshu.<centre>.log.handover`: a shift's handover written, or signed for;
    - `tianshu.<centre>.log.retry`: an officer's request that the jobs try their set-aside items again;
    - `tianshu.<centre>.log.lead`: the leader's entries (a lease taken, a run of the periodic jobs, a
      transfer to another centre confirmed);
    - `tianshu.<centre>.log.from.<other>`: what centre <other> sent this one (levels: 上报 and 下派).

    Everything under `tianshu.<centre>.log.>` is one stream, so one sequence orders all of it: the order
    every seat applies in. Levels: a district and its city are two centres; see docs/seats.md.
    """

    name: str

    def __post_init__(self) -> None:
        check_token("centre", self.name)

    @property
    def stream(self) -> str:
        return f"TIANSHU_{self.name.upper().replace('-', '_')}"

    @property
    def log(self) -> str:
        """The wildcard the stream holds and a seat follows."""
        return f"{ROOT}.{self.name}.log.>"

    def case_subject(self, case_id: int) -> str:
        return f"{ROOT}.{self.name}.log.case.{case_id}"

    @property
    def event_subject(self) -> str:
        return f"{ROOT}.{self.name}.log.event"

    def inbound_subject(self, sender: str) -> str:
        """Where centre `sender` puts what it sends this centre (an escalation up, a return down): a
        sender may publish only there in another centre's log (docs/seats.md, Security)."""
        return f"{ROOT}.{self.name}.log.from.{check_token('centre', sender)}"

    @property
    def report_subject(self) -> str:
        """A field unit's report on its order, as a seat's feed brought it."""
        return f"{ROOT}.{self.name}.log.report"

    @property
    def reading_subject(self) -> str:
        """A vital-sign reading, as a seat's feed brought it."""
        return f"{ROOT}.{self.name}.log.reading"

    @property
    def handover_subject(self) -> str:
        """A shift lead's handover written or signed for (交接班: every seat holds them)."""
        return f"{ROOT}.{self.name}.log.handover"

    @property
    def retry_subject(self) -> str:
        """An officer asks the jobs to try their set-aside items again (every seat marks them)."""
        return f"{ROOT}.{self.name}.log.retry"

    @property
    def lead_subject(self) -> str:
        """The leader's entries: a lease taken, a run of the periodic jobs."""
        return f"{ROOT}.{self.name}.log.lead"
