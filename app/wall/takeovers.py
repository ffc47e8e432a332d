"""Which severe cases take the wall, in what order, and how each is told (what, where, when)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from dispatch.casework.readouts import SEVERE_MAX, QueueRow
from widgets.common.vocabulary import Vocabulary
from widgets.wall.takeover import Takeover


def takeovers_of(
    rows: Sequence[QueueRow], words: Vocabulary, districts: Mapping[str, str]
) -> tuple[Takeover, ...]:
    """Open severe (level I/II) cases nobody has acknowledged: the most severe first, then the newest.
    A firing vital-sign alarm of that level is among them: the console turns it into such a case."""
    waiting = [
        row for row in rows if row.severity <= SEVERE_MAX and not row.acknowledged and not row.exercise
    ]
    waiting.sort(key=lambda row: (row.severity, -row.discovered_at, row.id))
    return tuple(
        Takeover(
            key=row.code,
            level_words=words.severity(row.severity),
            what=row.title or words.category(row.category),
            where=" · ".join(
                part for part in (districts.get(row.district, row.district), row.address) if part
            ),
            when=time.strftime("%H:%M", time.localtime(row.discovered_at)),
        )
        for row in waiting
    )
