"""The one clock the engine, its timers and its due dates read.

Tests and the simulation swap in a :class:`SimulatedClock` to move time; SpiffWorkflow's
timers read it through ``engine.workflow.spiff_fixes.clock_in_effect``.
"""

import abc
from datetime import UTC, date, datetime, timedelta, timezone

# China Standard Time has had no daylight saving since 1991; a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def beijing(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as a person reads it: Beijing time (Asia/Shanghai), whatever the machine's zone.
    A naive moment is taken as UTC, as the database stores it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TZ).strftime(pattern)


class Clock(abc.ABC):
    @abc.abstractmethod
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""

    def local_now(self) -> datetime:
        return self.now().astimezone(CHINA_TZ)

    def today(self) -> date:
        """Today in the service center's time zone."""
        return self.local_now().date()


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


def local_datetime(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime at the given wall-clock time in China."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ)
