"""Properties of the case clock on the real 2026 calendar (Hypothesis).

Whatever the acceptance day, promised limit, suspensions (第45条) and extension (第42条),
the due date is the acceptance day plus the limit, the suspended working days and the
extension in working days, and never earlier than without them. Stopped days are counted by
``engine.clockstop.service.stopped_working_days`` as the engine counts them (the engine
tests drive whole suspensions through the database); the due date by
``engine.cases.service.compute_due``.
"""

from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.cases.models import Case
from engine.cases.service import compute_due
from engine.clockstop import service as clockstop

ACCEPTANCE = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 9, 30))
LIMITS = st.integers(min_value=1, max_value=60)
# Each suspension: calendar days after the previous event it starts, and how long it lasts.
SUSPENSIONS = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 30)), max_size=5)
EXTENSIONS = st.one_of(st.none(), st.integers(min_value=1, max_value=15))


def new_case(accepted_on: date, limit: int) -> Case:
    return Case(id=1, number="ZW2026010100001", accepted_on=accepted_on, promised_limit_days=limit,
                suspended_days=0, extended_days=0)


def working_days_after(calendar, first: date, last: date) -> int:
    """Counted one by one: the working days after ``first`` up to and including ``last``."""
    return sum(calendar.is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))


@settings(max_examples=300, deadline=None)
@given(accepted_on=ACCEPTANCE, limit=LIMITS, stops=SUSPENSIONS, extension=EXTENSIONS)
def test_the_due_date_adds_suspended_and_extended_working_days(calendar, accepted_on, limit, stops, extension):
    case = new_case(accepted_on, limit)
    without = compute_due(calendar, case).day
    day, total = accepted_on, 0
    for gap, length in stops:
        started_on = day + timedelta(days=gap)
        ended_on = started_on + timedelta(days=length)
        assume(ended_on <= date(2026, 12, 31))
        stopped = clockstop.stopped_working_days(calendar, started_on, ended_on)
        assert stopped == working_days_after(calendar, started_on, ended_on)
        case.suspended_days += stopped
        total, day = total + stopped, ended_on
    case.extended_days = extension or 0
    due = compute_due(calendar, case).day
    assert due == calendar.add_working_days(accepted_on, limit + total + (extension or 0)).day
    assert due >= without
    assert calendar.working_days_between(without, due) == total + (extension or 0)


@settings(max_examples=200, deadline=None)
@given(accepted_on=ACCEPTANCE, limit=LIMITS, offset=st.integers(0, 60), extension=EXTENSIONS)
def test_a_suspension_ended_the_day_it_started_changes_nothing(calendar, accepted_on, limit, offset, extension):
    case = new_case(accepted_on, limit)
    case.extended_days = extension or 0
    before = compute_due(calendar, case)
    same_day = accepted_on + timedelta(days=offset)
    case.suspended_days += clockstop.stopped_working_days(calendar, same_day, same_day)
    assert case.suspended_days == 0 and compute_due(calendar, case) == before
