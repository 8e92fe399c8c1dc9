"""Working-day arithmetic on a loaded calendar (pure: no database, no clock).

Counting follows domain.md: the start day is not counted, and a limit of N working days
ends at the close of the Nth working day after it. Weekends and statutory holidays do
not count; make-up working days (e.g. a Saturday declared a working day) do. A year whose
official schedule is unknown falls back to "weekends only" and the result says it is
provisional.
"""

from dataclasses import dataclass
from datetime import date, timedelta

# Far beyond any statutory limit; stops a runaway loop on absurd input.
MAX_WORKING_DAYS = 3660


@dataclass(frozen=True)
class DueDate:
    day: date
    provisional: bool


class WorkCalendar:
    def __init__(self, known_years: set[int], exceptions: dict[date, tuple[bool, str]]):
        self.known_years = frozenset(known_years)
        self.exceptions = dict(exceptions)

    def is_known(self, day: date) -> bool:
        return day.year in self.known_years

    def covers(self, first: date, last: date) -> bool:
        """True when every year from ``first`` to ``last`` has an official schedule."""
        low, high = min(first, last), max(first, last)
        return all(year in self.known_years for year in range(low.year, high.year + 1))

    def is_working_day(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception[0]
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        exception = self.exceptions.get(day)
        return exception[1] if exception else None

    def add_working_days(self, start: date, days: int) -> DueDate:
        """The close of the ``days``-th working day after ``start`` (``start`` itself for 0)."""
        _check_days(days)
        current, counted = start, 0
        while counted < days:
            current += timedelta(days=1)
            if self.is_working_day(current):
                counted += 1
        return DueDate(current, not self.covers(start, current))

    def subtract_working_days(self, end: date, days: int) -> DueDate:
        """The working day ``days`` working days before ``end``."""
        _check_days(days)
        current, counted = end, 0
        while counted < days:
            current -= timedelta(days=1)
            if self.is_working_day(current):
                counted += 1
        return DueDate(current, not self.covers(current, end))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > MAX_WORKING_DAYS * 2:
            raise ValueError(f"range {start}..{end} is too long to count")
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def _check_days(days: int) -> None:
    if not isinstance(days, int) or isinstance(days, bool):
        raise ValueError(f"working days must be a whole number, not {days!r}")
    if days < 0 or days > MAX_WORKING_DAYS:
        raise ValueError(f"working days must be between 0 and {MAX_WORKING_DAYS}, not {days}")
