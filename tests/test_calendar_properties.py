"""Properties of working-day arithmetic on the real holiday calendar (Hypothesis).

Whatever the start day and the number of days — across Spring Festival, National Day, make-up
Saturdays and into years without an official schedule — counting forward and back agree.
"""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

DAYS = st.integers(min_value=0, max_value=400)
STARTS = st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=STARTS, days=DAYS)
def test_adding_n_working_days_then_counting_back_gives_n(calendar, start, days):
    due = calendar.add_working_days(start, days)
    assert calendar.working_days_between(start, due.day) == days
    assert calendar.working_days_between(due.day, start) == -days
    if days:
        assert calendar.is_working_day(due.day) and due.day > start
        back = calendar.subtract_working_days(due.day, days).day
        assert back <= start and calendar.working_days_between(back, due.day) == days


@settings(max_examples=300, deadline=None)
@given(start=STARTS, days=DAYS, more=st.integers(min_value=0, max_value=60))
def test_more_days_never_give_an_earlier_due_date(calendar, start, days, more):
    shorter, longer = calendar.add_working_days(start, days).day, calendar.add_working_days(start, days + more).day
    assert longer >= shorter and (more == 0) == (longer == shorter)


@settings(max_examples=200, deadline=None)
@given(start=STARTS, days=DAYS)
def test_a_due_date_is_provisional_exactly_when_it_reaches_a_year_without_a_schedule(calendar, start, days):
    due = calendar.add_working_days(start, days)
    unknown = any(year not in calendar.known_years for year in range(start.year, due.day.year + 1))
    assert due.provisional == unknown


@settings(max_examples=200, deadline=None)
@given(first=STARTS, span=st.integers(min_value=0, max_value=400))
def test_working_days_between_adds_up_over_any_split(calendar, first, span):
    last = first + timedelta(days=span)
    middle = first + timedelta(days=span // 2)
    assert calendar.working_days_between(first, last) == (
        calendar.working_days_between(first, middle) + calendar.working_days_between(middle, last))
