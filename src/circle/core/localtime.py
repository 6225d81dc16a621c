"""Moments as the room's clocks show them: the local time of that moment, its zone named.

Events are kept as seconds since the epoch. What a person reads (the wall, the
summary, exports, the ledger's months) is the local time *of that moment*: a
summer session read in winter still says what the clock said then. A fixed
offset taken from today (``datetime.now().astimezone()``) would not.
"""

from __future__ import annotations

import os
import time
import warnings
from datetime import UTC, datetime, timedelta, tzinfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SystemLocal(tzinfo):
    """The operating system's local time, for a zone circle cannot name (``TZ=CET-1CEST``, say).

    Each moment's offset is asked of the C library, so daylight saving is right whenever
    it falls; only the zone's name is missing (its abbreviation, CET or CEST, is known).
    """

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._at(dt).utcoffset() or timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        local = self._at(dt)
        return timedelta(seconds=3600) if time.localtime(local.timestamp()).tm_isdst > 0 else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return self._at(dt).tzname() or "local time"

    def fromutc(self, dt: datetime) -> datetime:
        seconds = (dt.replace(tzinfo=UTC) - EPOCH).total_seconds()
        return datetime.fromtimestamp(seconds).replace(tzinfo=self)

    def _at(self, dt: datetime | None) -> datetime:
        """The aware local datetime of a wall-clock reading (the earlier one, in the hour that repeats)."""
        if dt is None:
            return datetime.now().astimezone()
        stamp = time.mktime((*dt.replace(tzinfo=None).timetuple()[:8], -1))
        return datetime.fromtimestamp(stamp).astimezone()

    def __repr__(self) -> str:
        return "SystemLocal()"


_zones: dict[str | None, tzinfo] = {}


def local_zone() -> tzinfo:
    """This machine's time zone, named (Europe/Berlin) when it can be found; else the system's."""
    key = os.environ.get("TZ")
    if key not in _zones:
        try:
            # tzlocal reads TZ, /etc/localtime and the Windows registry alike: a zone with its name.
            import tzlocal

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tzlocal.reload_localzone()
                _zones[key] = tzlocal.get_localzone()
        except Exception:  # noqa: BLE001 - a TZ it cannot read: the system still knows the offsets
            _zones[key] = SystemLocal()
    return _zones[key]


def moment(at: float, tz: tzinfo | None = None) -> datetime:
    """``at`` as an aware datetime in ``tz`` (by default, this machine's zone)."""
    return datetime.fromtimestamp(at, tz or local_zone())


def zone_name(tz: tzinfo | None = None, at: float | None = None) -> str:
    """What a reader needs to know of the zone: "Europe/Berlin (CEST)", "UTC"."""
    zone = tz or local_zone()
    when = moment(at if at is not None else time.time(), zone)
    key = getattr(zone, "key", None) or ("UTC" if zone is UTC else None)
    short = when.tzname() or ""
    if key is None:
        return short or "local time"
    return key if short in ("", key) or key.endswith("UTC") else f"{key} ({short})"


def clock_time(at: float, tz: tzinfo | None = None, day_of: float | None = None) -> str:
    """ "HH:MM" on the day of ``day_of`` (the session's start, say); with its date on another day."""
    when = moment(at, tz)
    if day_of is not None and moment(day_of, tz).date() != when.date():
        return when.strftime("%Y-%m-%d %H:%M")
    return when.strftime("%H:%M")


def date_time(at: float, tz: tzinfo | None = None) -> str:
    return moment(at, tz).strftime("%Y-%m-%d %H:%M")


def month(at: float, tz: tzinfo | None = None) -> str:
    """The calendar month of a moment, "YYYY-MM", in local time."""
    return moment(at, tz).strftime("%Y-%m")
