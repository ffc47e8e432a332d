"""City time: every clock and time the cockpit shows is in the city's zone (the policy's working calendar),
whatever zone the console's machine is set to. Case codes, deadlines and the evaluation's days are worked
out in that zone, so the header clock and the case panel must agree with them: a console set to UTC in a
Chinese command room would otherwise show 17:38 beside a case numbered for the next day."""

from __future__ import annotations

import importlib.resources
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

SYSTEM_ZONES = Path("/usr/share/zoneinfo")


def zone_setting(zone: str, system_zones: Path = SYSTEM_ZONES) -> str:
    """The TZ value that selects `zone` (an IANA name): the name itself when the system's time-zone
    database has it, else the file the tzdata package ships (":<path>"), since C's clock functions cannot
    read Python's copy by name."""
    if (system_zones / zone).is_file():
        return zone
    shipped = importlib.resources.files("tzdata.zoneinfo").joinpath(zone)
    if not shipped.is_file():
        raise ValueError(f"unknown time zone {zone!r}")
    return f":{shipped}"


def use_city_time(zone: str) -> None:
    """Make local time in this process (Python's and Qt's clocks alike) the city's `zone`; call before the
    QApplication exists. A zone neither database knows leaves the machine's zone, with a warning."""
    try:
        setting = zone_setting(zone)
    except ValueError as error:
        log.warning("times are shown in the machine's zone: %s", error)
        return
    os.environ["TZ"] = setting
    time.tzset()
