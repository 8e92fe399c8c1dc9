"""Deadline states (办件警示) and overdue working days across weekends, holidays and make-up days."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.clock import local_datetime
from engine.deadlines.states import NORMAL, RED, YELLOW, WarningPolicy, deadline, yellow_from
from engine.errors import InvalidInput
from engine.ledger.models import LedgerEntry
from tests.helpers import approve_in_back_office, intake, only_task, person, pickup_form

POLICY = WarningPolicy()


def states(calendar, start, due, days):
    return {day: (result.state, result.working_days_late)
            for day in days for result in [deadline(calendar, start, due, day, POLICY)]}


def test_a_plain_month_turns_yellow_at_80_percent_and_red_after_the_due_day(calendar):
    # 20 working days from Monday 23 November 2026: due Monday 21 December.
    start, due = date(2026, 11, 23), date(2026, 12, 21)
    assert calendar.add_working_days(start, 20).day == due
    assert yellow_from(calendar, start, due, POLICY) == date(2026, 12, 15)  # 16th working day
    assert states(calendar, start, due, [date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 21),
                                         date(2026, 12, 22), date(2026, 12, 25), date(2026, 12, 26),
                                         date(2026, 12, 27), date(2026, 12, 28)]) == {
        date(2026, 12, 14): (NORMAL, 0), date(2026, 12, 15): (YELLOW, 0), date(2026, 12, 21): (YELLOW, 0),
        date(2026, 12, 22): (RED, 1), date(2026, 12, 25): (RED, 4),
        date(2026, 12, 26): (RED, 4), date(2026, 12, 27): (RED, 4),  # the weekend adds nothing
        date(2026, 12, 28): (RED, 5),
    }


def test_two_days_left_rule_wins_for_short_limits(calendar):
    # 3 working days from Monday 7 December: due Thursday 10th; 80 % = day 3 but 2 left = Wednesday.
    start, due = date(2026, 12, 7), date(2026, 12, 10)
    assert yellow_from(calendar, start, due, POLICY) == date(2026, 12, 9)
    assert deadline(calendar, start, due, date(2026, 12, 8), POLICY).state == NORMAL


def test_spring_festival_and_its_make_up_saturdays(calendar):
    # 5 working days from Tuesday 10 February 2026: 11, 12, 13, Saturday 14 (make-up), then
    # the holiday until Monday 23rd, so due Tuesday 24th.
    start = date(2026, 2, 10)
    due = calendar.add_working_days(start, 5).day
    assert due == date(2026, 2, 24)
    assert yellow_from(calendar, start, due, POLICY) == date(2026, 2, 14)
    assert states(calendar, start, due, [date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 20), date(2026, 2, 24),
                                         date(2026, 2, 25), date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1),
                                         date(2026, 3, 2)]) == {
        date(2026, 2, 13): (NORMAL, 0), date(2026, 2, 14): (YELLOW, 0), date(2026, 2, 20): (YELLOW, 0),
        date(2026, 2, 24): (YELLOW, 0), date(2026, 2, 25): (RED, 1), date(2026, 2, 27): (RED, 3),
        date(2026, 2, 28): (RED, 4),  # make-up Saturday counts
        date(2026, 3, 1): (RED, 4), date(2026, 3, 2): (RED, 5),
    }


def test_national_day_red_without_working_days_late_until_the_holiday_ends(calendar):
    start, due = date(2026, 9, 21), date(2026, 9, 30)
    result = deadline(calendar, start, due, date(2026, 10, 1), POLICY)
    assert (result.state, result.working_days_late, result.next_change) == (RED, 0, date(2026, 10, 8))
    assert states(calendar, start, due, [date(2026, 10, 7), date(2026, 10, 8), date(2026, 10, 9),
                                         date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)]) == {
        date(2026, 10, 7): (RED, 0), date(2026, 10, 8): (RED, 1), date(2026, 10, 9): (RED, 2),
        date(2026, 10, 10): (RED, 3),  # make-up Saturday
        date(2026, 10, 11): (RED, 3), date(2026, 10, 12): (RED, 4),
    }


def test_a_same_day_limit_is_never_yellow_and_red_the_next_day(calendar):
    day = date(2026, 11, 25)  # a 即办件 accepted and due on Wednesday
    today = deadline(calendar, day, day, day, POLICY)
    assert (today.state, today.next_change) == (NORMAL, day + timedelta(days=1))
    assert deadline(calendar, day, day, day + timedelta(days=1), POLICY).state == RED
    friday = date(2026, 11, 27)  # red from Saturday, though the next working day is Monday
    assert deadline(calendar, friday, friday, friday, POLICY).next_change == date(2026, 11, 28)


def test_a_limit_inside_the_warning_window_starts_normal_and_is_yellow_from_the_next_working_day(calendar):
    # 确认妥投 T+1: dispatched Friday, due Monday; yellow on Monday only, not the moment it is created.
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    assert states(calendar, friday, monday, [friday, date(2026, 11, 28), monday, date(2026, 12, 1)]) == {
        friday: (NORMAL, 0), date(2026, 11, 28): (NORMAL, 0), monday: (YELLOW, 0), date(2026, 12, 1): (RED, 1)}
    # Two working days: the second is yellow, as the 2-days-left rule has it anyway.
    assert yellow_from(calendar, date(2026, 11, 23), date(2026, 11, 25), POLICY) == date(2026, 11, 24)


def test_thresholds_are_configurable_and_checked(calendar):
    start, due = date(2026, 11, 23), date(2026, 12, 21)
    relaxed = WarningPolicy(days_left=1, used_share=1.0)
    # One working day left from the close of Friday 18th: the weekend before a Monday due day is yellow.
    assert yellow_from(calendar, start, due, relaxed) == date(2026, 12, 19)
    with pytest.raises(InvalidInput):
        WarningPolicy(days_left=-1)
    with pytest.raises(InvalidInput):
        WarningPolicy(used_share=0)


# -- through the engine, on both databases ---------------------------------------------------------
def _accepted_case(engine, staff, code="SCJG-002"):
    return engine.create_case(staff["clerk1"], code, person(), intake(engine, code))


def _overdue_entries(engine, case_id):
    with engine.session() as session:
        return list(session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id)
                                    .order_by(LedgerEntry.occurred_on)))


def test_a_case_turns_yellow_then_red_and_each_working_day_late_is_charged_once(engine, staff, clock):
    case = _accepted_case(engine, staff)  # 10 working days: due Monday 7 December
    assert (case.due_date, case.deadline_state) == (date(2026, 12, 7), NORMAL)
    assert case.deadline_check_at == local_datetime(date(2026, 12, 3))
    review = only_task(engine, case.number)
    engine.claim_task(staff["scjg_approver1"], review.id)

    clock.set(local_datetime(date(2026, 12, 3), 0, 1))
    assert engine.sweep_deadlines() == 1
    assert engine.sweep_deadlines() == 0  # nothing is due again before the next change
    case = engine.get_case(case.number)
    assert (case.deadline_state, case.deadline_state_since) == (YELLOW, local_datetime(date(2026, 12, 3)))
    assert only_task(engine, case.number).deadline_state == YELLOW  # the review is due a day earlier, on 4th

    clock.set(local_datetime(date(2026, 12, 11), 8))  # Friday: 4 working days late
    engine.sweep_deadlines()
    engine.sweep_deadlines()
    case = engine.get_case(case.number)
    assert (case.deadline_state, case.overdue_days_charged) == (RED, 4)
    entries = _overdue_entries(engine, case.id)
    assert [(e.rule_code, e.points, e.occurred_on) for e in entries] == [
        ("XL-02", -2, date(2026, 12, 8)), ("XL-02", -2, date(2026, 12, 9)),
        ("XL-02", -2, date(2026, 12, 10)), ("XL-02", -2, date(2026, 12, 11))]
    assert {e.staff_id for e in entries} == {staff["scjg_approver1"].id}  # 谁办理、谁负责

    clock.set(local_datetime(date(2026, 12, 13), 10))  # Sunday: no new working day late
    engine.sweep_deadlines()
    assert len(_overdue_entries(engine, case.id)) == 4
    actions = [entry.action for entry in engine.case_history(case.number)]
    assert actions.count("deadline") == 2


def test_deciding_late_charges_up_to_the_decision_and_stops_the_sweep(engine, staff, clock):
    case = _accepted_case(engine, staff)
    clock.set(local_datetime(date(2026, 12, 9), 10))  # 2 working days late, no sweep ran
    approve_in_back_office(engine, case.number, staff["scjg_approver2"])
    case = engine.get_case(case.number)
    # Decided (办结): the days late up to the decision are charged, and the warning is over.
    assert case.deadline_state == NORMAL and case.overdue_days_charged == 2 and case.deadline_check_at is None
    assert {e.staff_id for e in _overdue_entries(engine, case.id)} == {staff["scjg_approver2"].id}
    pickup = only_task(engine, case.number)
    engine.complete_task(staff["clerk1"], pickup.id, pickup_form())
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"rating": "满意"})
    case = engine.get_case(case.number)
    assert case.closed_at is not None and case.deadline_check_at is None
    clock.set(local_datetime(date(2026, 12, 20), 10))  # picked up and rated later: no more charges
    assert engine.sweep_deadlines() == 0
    assert len(_overdue_entries(engine, case.id)) == 2


def test_an_unclaimed_late_case_is_charged_to_the_departments_chief(engine, staff, clock):
    case = _accepted_case(engine, staff)
    clock.set(local_datetime(date(2026, 12, 8), 9))
    engine.sweep_deadlines()
    (entry,) = _overdue_entries(engine, case.id)
    assert entry.staff_id == staff["scjg_chief"].id


def test_the_sweep_looks_only_at_cases_whose_time_has_come(engine, staff, clock):
    for _ in range(3):
        _accepted_case(engine, staff)
    clock.advance(timedelta(hours=2))
    assert engine.sweep_deadlines() == 0
    with engine.session() as session:
        from engine.cases.models import Case
        assert session.scalar(select(func.count()).select_from(Case).where(Case.deadline_check_at.is_not(None))) == 3


def test_deemed_acceptance_charges_the_registering_clerk_once(engine, staff, clock):
    case = engine.create_case(staff["clerk2"], "SCJG-002", person(), intake(engine, "SCJG-002", missing=1))
    clock.set(local_datetime(date(2026, 12, 1), 0, 5))
    assert engine.fire_due_timers() == 1
    assert engine.fire_due_timers() == 0
    (entry,) = _overdue_entries(engine, case.id)
    assert (entry.rule_code, entry.staff_id, entry.points) == ("XL-07", staff["clerk2"].id, -5)


def test_the_board_counts_and_lists_late_cases(engine, staff, clock):
    from engine.deadlines import board

    late, other = _accepted_case(engine, staff), _accepted_case(engine, staff, "JTYS-001")
    engine.claim_task(staff["scjg_approver1"], only_task(engine, late.number).id)
    clock.set(local_datetime(date(2026, 12, 9), 9))  # SCJG-002 two working days late
    engine.sweep_deadlines()
    with engine.session() as session:
        by_department = board.counts_by_department(session)
        by_assignee = board.counts_by_assignee(session)
        flagged = board.flagged_cases(session, engine.calendar.get(), clock.today())
    assert by_department["SCJG"] == {"normal": 0, "yellow": 0, "red": 1}
    assert sum(by_department["JTYS"].values()) == 1
    assert by_assignee[staff["scjg_approver1"].id]["red"] == 1
    by_number = {case.number: case for case in flagged}
    assert (by_number[late.number].state, by_number[late.number].working_days_late) == (RED, 2)
    assert other.number in by_number
    # Red before yellow, the longest overdue first.
    order = [(case.state != RED, case.due_date) for case in flagged]
    assert order == sorted(order)


def test_the_board_counts_days_late_as_the_calendar_does_in_one_walk(calendar):
    from engine.deadlines import board

    today = date(2026, 12, 9)
    # Over the National Day week and its make-up days, a weekend, today, the future, one date twice.
    dues = [date(2026, 9, 20), date(2026, 10, 1), date(2026, 10, 10), date(2026, 12, 5), date(2026, 12, 8),
            date(2026, 12, 8), today, date(2026, 12, 20)]
    late = board.working_days_late(calendar, dues, today)
    assert late == {due: max(0, calendar.working_days_between(due, today)) for due in dues}
    assert late[date(2026, 12, 8)] == 1 and late[date(2026, 12, 20)] == 0


def test_an_immediate_item_decided_on_the_day_is_not_late_when_collected_later(engine, staff, clock):
    case = _accepted_case(engine, staff, "SCJG-001")  # 即办件
    decision = only_task(engine, case.number)
    case = engine.complete_task(staff["clerk1"], decision.id, {"decision": "approve", "opinion": "当场办结"})
    assert case.deadline_check_at is None
    clock.set(local_datetime(date(2026, 11, 26), 10))  # the applicant collects three days later
    engine.sweep_deadlines()
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, pickup_form())
    assert _overdue_entries(engine, case.id) == []
    assert engine.get_case(case.number).deadline_state == NORMAL
