"""Properties of the case clock on the real 2026 calendar (Hypothesis).

Whatever the acceptance day, promised limit, suspensions (第45条) and extension (第42条),
the due date is the acceptance day plus the limit, the suspended working days and the
extension in working days, and never earlier than without them. Suspensions go through
``engine.clockstop.service`` as the engine records them; the due date through
``engine.cases.bookkeeping.compute_due``.
"""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.cases.bookkeeping import compute_due
from engine.cases.models import Case
from engine.clock import SimulatedClock, local_datetime
from engine.clockstop import service as clockstop
from engine.clockstop.models import ClockSuspension
from engine.runtime import CaseEngine
from tests.conftest import START

ACCEPTANCE = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 9, 30))
LIMITS = st.integers(min_value=1, max_value=60)
# Each suspension: calendar days after the previous event it starts, and how long it lasts.
SUSPENSIONS = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 30)), max_size=5)
EXTENSIONS = st.one_of(st.none(), st.integers(min_value=1, max_value=15))


class OneCaseSession:
    """Just enough of a Session for the clockstop service on one case: the rows it adds."""

    def __init__(self):
        self.rows: list[ClockSuspension] = []

    def add(self, row) -> None:
        self.rows.append(row)

    def scalar(self, _query):
        return next((row for row in self.rows if row.ended_at is None), None)


@pytest.fixture(scope="module")
def calendar(sqlite_template):
    engine = CaseEngine(f"sqlite:///{sqlite_template}", clock=SimulatedClock(START))
    try:
        yield engine.calendar.get()
    finally:
        engine.db.dispose()


def new_case(accepted_on: date, limit: int) -> Case:
    return Case(id=1, number="ZW2026010100001", accepted_on=accepted_on, promised_limit_days=limit,
                suspended_days=0, extended_days=0)


def suspend(session, case: Case, calendar, started_on: date, ended_on: date) -> ClockSuspension:
    request = {"kind": "检验", "reason": "送检", "department_code": "SCJG"}
    clockstop.start_suspension(session, case, request, None, local_datetime(started_on, 9), started_on)
    return clockstop.end_suspension(session, case, "检验完毕", None, local_datetime(ended_on, 17), ended_on, calendar)


def working_days_after(calendar, first: date, last: date) -> int:
    """Counted one by one: the working days after ``first`` up to and including ``last``."""
    return sum(calendar.is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))


@settings(max_examples=300, deadline=None)
@given(accepted_on=ACCEPTANCE, limit=LIMITS, stops=SUSPENSIONS, extension=EXTENSIONS)
def test_the_due_date_adds_suspended_and_extended_working_days(calendar, accepted_on, limit, stops, extension):
    case, session = new_case(accepted_on, limit), OneCaseSession()
    without = compute_due(calendar, case).day
    day, total = accepted_on, 0
    for gap, length in stops:
        started_on = day + timedelta(days=gap)
        ended_on = started_on + timedelta(days=length)
        assume(ended_on <= date(2026, 12, 31))
        row = suspend(session, case, calendar, started_on, ended_on)
        assert row.working_days == working_days_after(calendar, started_on, ended_on)
        total, day = total + row.working_days, ended_on
    case.extended_days = extension or 0
    due = compute_due(calendar, case).day
    assert case.suspended_days == total and case.suspended_since is None
    assert due == calendar.add_working_days(accepted_on, limit + total + (extension or 0)).day
    assert due >= without
    assert calendar.working_days_between(without, due) == total + (extension or 0)


@settings(max_examples=200, deadline=None)
@given(accepted_on=ACCEPTANCE, limit=LIMITS, offset=st.integers(0, 60), extension=EXTENSIONS)
def test_a_suspension_ended_the_day_it_started_changes_nothing(calendar, accepted_on, limit, offset, extension):
    case, session = new_case(accepted_on, limit), OneCaseSession()
    case.extended_days = extension or 0
    before = compute_due(calendar, case)
    row = suspend(session, case, calendar, accepted_on + timedelta(days=offset), accepted_on + timedelta(days=offset))
    assert row.working_days == 0 and case.suspended_days == 0
    assert compute_due(calendar, case) == before
