"""The one clock the engine, its timers and its due dates read.

Tests and the simulation swap in a :class:`SimulatedClock` to move time. SpiffWorkflow's
timer module calls ``datetime.now(timezone.utc)`` directly and has no hook, so its module
global ``datetime`` is replaced by a subclass that asks the clock active in this context.
"""

import abc
import contextlib
import contextvars
from datetime import UTC, date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

# China Standard Time has had no daylight saving since 1991; a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


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


_active_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("onewindow_clock", default=None)


@contextlib.contextmanager
def clock_in_effect(clock: Clock):
    """Make SpiffWorkflow's timers read ``clock`` inside this block."""
    token = _active_clock.set(clock)
    try:
        yield clock
    finally:
        _active_clock.reset(token)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        clock = _active_clock.get()
        moment = clock.now() if clock is not None else datetime.now(UTC)
        return moment.astimezone(tz) if tz is not None else moment.astimezone(CHINA_TZ).replace(tzinfo=None)


spiff_timer.datetime = _ClockedDatetime
