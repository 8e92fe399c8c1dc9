"""Deadline states (办件警示), pure: a start day, a due day, today and a calendar in; a state out.

yellow: at most ``days_left`` working days remain (today counted), or at least
``used_share`` of the limit's working days are used — but never on the start day: a limit
shorter than the warning window starts normal (a same-day 即办件 is never yellow, a T+1
delivery is yellow on its due day), so the board's yellow means time the holder let pass;
red: the due day has closed.
Every state holds from the start of a day (00:00 China time), so the answer also says on
which day it next changes: the sweep looks at a case again only then.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from engine.calendar.workdays import WorkCalendar
from engine.errors import InvalidInput

NORMAL, YELLOW, RED = "normal", "yellow", "red"
STATES = (NORMAL, YELLOW, RED)


@dataclass(frozen=True)
class WarningPolicy:
    days_left: int = 2
    used_share: float = 0.8

    def __post_init__(self):
        if not isinstance(self.days_left, int) or not 0 <= self.days_left <= 30:
            raise InvalidInput("剩余天数须为 0 至 30 的整数 (days_left must be a whole number from 0 to 30)",
                               field="days_left")
        if not 0 < self.used_share <= 1:
            raise InvalidInput("已用时限比例须大于 0 且不超过 1 (used_share must be above 0 and at most 1)",
                               field="used_share")


@dataclass(frozen=True)
class Deadline:
    state: str
    since: date  # the day the current state began
    next_change: date | None  # the next day the state (or, when red, the days late) changes
    working_days_late: int


def yellow_from(calendar: WorkCalendar, start: date, due: date, policy: WarningPolicy) -> date:
    """The first yellow day; the day after ``due`` (red) when the limit leaves no day to warn on."""
    limit = calendar.working_days_between(start, due)
    by_days_left = calendar.subtract_working_days(due, policy.days_left).day + timedelta(days=1)
    by_share = calendar.add_working_days(start, math.ceil(policy.used_share * limit)).day if limit > 0 else start
    first_after_start = calendar.next_working_day(start + timedelta(days=1))
    return min(due + timedelta(days=1), max(first_after_start, min(by_days_left, by_share)))


def deadline(calendar: WorkCalendar, start: date, due: date, today: date, policy: WarningPolicy) -> Deadline:
    red_from = due + timedelta(days=1)
    if today >= red_from:
        late = calendar.working_days_between(due, today)
        following = today + timedelta(days=1)
        return Deadline(RED, red_from, calendar.next_working_day(following), late)
    warn_from = yellow_from(calendar, start, due, policy)
    if today >= warn_from:
        return Deadline(YELLOW, warn_from, red_from, 0)
    return Deadline(NORMAL, start, warn_from, 0)
