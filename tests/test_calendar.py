"""Working-day arithmetic against the official schedule, and the calendar as extendable data."""

from datetime import date

import pytest

from engine.calendar.service import load_calendar, parse_schedule
from engine.calendar.workdays import WorkCalendar
from engine.errors import InvalidInput


@pytest.fixture
def calendar(engine):
    with engine.session() as session:
        return load_calendar(session)


def test_package_years_are_seeded_and_2027_is_not(calendar):
    assert 2004 in calendar.known_years and 2026 in calendar.known_years
    assert 2027 not in calendar.known_years


@pytest.mark.parametrize("day, working", [
    (date(2026, 2, 14), True),    # Saturday, make-up working day before Spring Festival
    (date(2026, 2, 16), False),   # Monday inside Spring Festival
    (date(2026, 2, 23), False),   # last day of the 2026 Spring Festival holiday (a Monday)
    (date(2026, 2, 28), True),    # Saturday, make-up working day after Spring Festival
    (date(2026, 3, 1), False),    # plain Sunday
    (date(2026, 9, 20), True),    # Sunday, make-up working day
    (date(2026, 10, 5), False),   # National Day holiday
    (date(2026, 10, 10), True),   # Saturday, make-up working day
    (date(2026, 11, 23), True),   # plain Monday
])
def test_working_days_follow_the_official_schedule(calendar, day, working):
    assert calendar.is_working_day(day) is working


def test_start_day_is_not_counted_and_limit_ends_on_nth_working_day(calendar):
    due = calendar.add_working_days(date(2026, 11, 23), 10)  # Monday
    assert due.day == date(2026, 12, 7) and not due.provisional
    assert calendar.add_working_days(date(2026, 11, 27), 1).day == date(2026, 11, 30)  # Friday -> Monday
    assert calendar.add_working_days(date(2026, 11, 23), 0).day == date(2026, 11, 23)


def test_spring_festival_skips_the_holiday_and_counts_make_up_saturdays(calendar):
    # Friday 13 Feb: Saturday 14 is a make-up working day, then nine days off.
    assert calendar.add_working_days(date(2026, 2, 13), 1).day == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 13), 3).day == date(2026, 2, 25)
    # Through the holiday to the make-up Saturday of 28 Feb: 24,25,26,27 then 28.
    assert calendar.add_working_days(date(2026, 2, 13), 6).day == date(2026, 2, 28)


def test_national_day_skips_the_week_off_and_counts_saturday_10_october(calendar):
    due = calendar.add_working_days(date(2026, 9, 29), 5)
    assert due.day == date(2026, 10, 12)   # 30 Sep, 8, 9, 10 (Sat), 12 Oct
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4


def test_subtracting_and_counting_are_the_inverse_of_adding(calendar):
    start = date(2026, 9, 28)
    for days in range(0, 40):
        due = calendar.add_working_days(start, days).day
        assert calendar.working_days_between(start, due) == days
        back = calendar.subtract_working_days(due, days).day
        assert calendar.working_days_between(back, due) == days


def test_a_year_without_schedule_is_provisional_not_a_crash(calendar):
    due = calendar.add_working_days(date(2026, 12, 24), 10)
    # Weekends only in 2027: 1 January counts as a working day until the schedule is known.
    assert due.day == date(2027, 1, 7)
    assert due.provisional
    assert not calendar.add_working_days(date(2026, 12, 1), 10).provisional


def test_importing_next_year_makes_due_dates_firm(engine):
    year, rows, _ = engine.import_calendar("date,kind,name\n2027-01-01,holiday,元旦\n", "国办发明电〔2026〕测试")
    assert (year, rows) == (2027, 1)
    cal = engine.calendar.get()
    due = cal.add_working_days(date(2026, 12, 24), 10)
    assert due.day == date(2027, 1, 8) and not due.provisional


@pytest.mark.parametrize("text, field, fragment", [
    ("day,kind,name\n2027-01-01,holiday,元旦\n", "header", "header"),
    ("date,kind,name\n2027-13-01,holiday,元旦\n", "date", "line 2"),
    ("date,kind,name\n2027-01-01,vacation,元旦\n", "kind", "holiday' or 'workday"),
    ("date,kind,name\n2027-01-04,workday,调休\n", "kind", "weekday"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", "date", "one year"),
    ("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n", "date", "twice"),
    ("date,kind,name\n2027-01-01,holiday,\n", "name", "name"),
    ("date,kind,name\n", "date", "no days"),
])
def test_bad_schedules_are_refused_naming_the_problem(text, field, fragment):
    with pytest.raises(InvalidInput) as error:
        parse_schedule(text)
    assert error.value.field == field
    assert fragment in error.value.message


def test_a_refused_import_changes_nothing(engine):
    before = engine.calendar.get().known_years
    with pytest.raises(InvalidInput):
        engine.import_calendar("date,kind,name\n2027-01-04,workday,调休\n", "bad")
    engine.calendar.invalidate()
    assert engine.calendar.get().known_years == before


def test_absurd_limits_are_refused():
    calendar = WorkCalendar(set(), {})
    for days in (-1, 10**6, 1.5, True):
        with pytest.raises(ValueError):
            calendar.add_working_days(date(2026, 1, 1), days)
