"""A/B posts (AB岗): the supervisor records A's absence; B covers A's claimed and queued work
while it lasts; one stint ≤ 20 working days, ≤ 40 a year; every refusal changes nothing."""

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.actor import Cover
from engine.audit.models import AuditEntry
from engine.clock import local_datetime
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.permissions import check_may_view_case
from engine.staff.models import PostAbsence
from engine.tasks.models import HumanTask
from tests.helpers import intake, only_task, person

REVIEW = {"decision": "approve", "opinion": "经审查，申请材料齐全，符合法定条件"}


@pytest.fixture
def before_national_day(clock):
    """Monday 21 September 2026: 中秋 (25-27 September) and 国庆 (1-7 October) are ahead."""
    clock.set(local_datetime(date(2026, 9, 21), 9, 0))
    return clock


def record(engine, staff, window="ZH-01", b="clerk2", first=date(2026, 9, 28), last=date(2026, 10, 16),
           actor="supervisor", reason="病假"):
    return engine.posts.record_absence(staff[actor], window_code=window, b_staff=b, starts_on=first, ends_on=last,
                                       reason=reason)


def rows(engine, model, *where) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def refused(engine, staff, error, **kwargs):
    """The refusal raised by recording an absence, after checking nothing was written."""
    absences, entries = rows(engine, PostAbsence), rows(engine, AuditEntry)
    with pytest.raises(error) as raised:
        record(engine, staff, **kwargs)
    assert (rows(engine, PostAbsence), rows(engine, AuditEntry)) == (absences, entries)
    return raised.value


def test_a_stint_over_national_day_counts_working_days_only(engine, staff, before_national_day):
    line = record(engine, staff)
    # 28-30 Sep, 8-9 Oct, Saturday 10 Oct (make-up working day), 12-16 Oct; 1-7 Oct and 11 Oct off.
    assert (line.absence.working_days, line.a_name, line.b_name, line.state) == (11, "王晓燕", "刘建国", "upcoming")
    with engine.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "absence_record")).one()
    assert (entry.actor, entry.detail["window"], entry.detail["working_days"]) == ("supervisor", "ZH-01", 11)


def test_a_stint_of_20_working_days_is_accepted_and_21_refused(engine, staff, before_national_day):
    error = refused(engine, staff, InvalidInput, last=date(2026, 10, 30))
    assert error.field == "ends_on" and "20" in error.message and "21" in error.message
    assert record(engine, staff, last=date(2026, 10, 29)).absence.working_days == 20


def test_a_year_over_40_working_days_is_refused_naming_both_numbers(engine, staff, before_national_day):
    record(engine, staff, last=date(2026, 10, 29))                                  # 20
    record(engine, staff, first=date(2026, 11, 2), last=date(2026, 11, 27))         # 20 (no holiday in November)
    error = refused(engine, staff, InvalidInput, first=date(2026, 12, 1), last=date(2026, 12, 1))
    assert error.field == "ends_on"
    assert "40" in error.message and "41" in error.message and "adds 1" in error.message
    assert engine.posts.windows(staff["supervisor"])[0].a_days_this_year == 40


def test_the_yearly_limit_counts_each_calendar_year_apart(engine, staff, before_national_day):
    engine.import_calendar("date,kind,name\n2027-01-01,holiday,元旦\n", "国办发明电〔2026〕测试")
    record(engine, staff, last=date(2026, 10, 29))
    record(engine, staff, first=date(2026, 11, 2), last=date(2026, 11, 27))
    across = refused(engine, staff, InvalidInput, first=date(2026, 12, 28), last=date(2027, 1, 8))
    assert "2026" in across.message and "adds 4" in across.message and "44" in across.message
    assert record(engine, staff, first=date(2027, 1, 4), last=date(2027, 1, 8)).absence.working_days == 5


def test_a_year_the_calendar_does_not_know_is_refused(engine, staff):
    error = refused(engine, staff, InvalidInput, first=date(2026, 12, 28), last=date(2027, 1, 8))
    assert error.field == "ends_on" and "2027" in error.message and "calendar import" in error.message
    assert refused(engine, staff, InvalidInput, first=date(2027, 1, 4), last=date(2027, 1, 8)).field == "starts_on"


@pytest.mark.parametrize("kwargs, error, field, words", [
    ({"b": "clerk3"}, InvalidInput, "b_staff", "陈美玲(clerk3) 不是 综合窗口1 的B岗"),
    ({"window": "SCJG-01", "b": "clerk2"}, InvalidInput, "b_staff", "该窗口B岗为 周红(scjg_approver2)"),
    ({"b": "nobody"}, NotFound, "b_staff", "nobody"),
    ({"window": "ZH-99"}, NotFound, "window_code", "ZH-99"),
    ({"first": date(2026, 10, 16), "last": date(2026, 10, 12)}, InvalidInput, "ends_on", "before it starts"),
    ({"first": date(2026, 9, 1), "last": date(2026, 9, 18)}, InvalidInput, "ends_on", "in the past"),
    ({"first": date(2026, 10, 3), "last": date(2026, 10, 4)}, InvalidInput, "ends_on", "no working day"),
    ({"reason": " "}, InvalidInput, "reason", "required"),
    ({"actor": "clerk1"}, Forbidden, "role", "only supervisors"),
    ({"actor": "scjg_chief"}, Forbidden, "role", "only supervisors"),
])
def test_bad_absences_are_refused_naming_the_field(engine, staff, before_national_day, kwargs, error, field, words):
    refusal = refused(engine, staff, error, **kwargs)
    assert refusal.field == field and words in refusal.message


def test_overlapping_absences_and_an_absent_b_are_refused(engine, staff, before_national_day):
    record(engine, staff)
    overlap = refused(engine, staff, Conflict, first=date(2026, 10, 16), last=date(2026, 10, 20))
    assert overlap.field == "starts_on" and "2026-09-28..2026-10-16" in overlap.message
    # clerk2 is the A post of 综合窗口2 and the B post of 综合窗口1: away, they cover no one.
    record(engine, staff, window="ZH-02", b="clerk3", first=date(2026, 10, 19), last=date(2026, 10, 23))
    absent_b = refused(engine, staff, Conflict, first=date(2026, 10, 22), last=date(2026, 10, 26))
    assert absent_b.field == "b_staff" and "刘建国" in absent_b.message


def test_a_cancelled_absence_frees_its_days_and_ends_the_cover(engine, staff, before_national_day):
    line = record(engine, staff, first=date(2026, 9, 21), last=date(2026, 9, 22))
    assert [cover.staff_id for cover in engine.posts.with_cover(staff["clerk2"]).covering] == [staff["clerk1"].id]
    with pytest.raises(Forbidden):
        engine.posts.cancel_absence(staff["clerk1"], line.absence.id)
    cancelled = engine.posts.cancel_absence(staff["supervisor"], line.absence.id)
    assert (cancelled.state, cancelled.cancelled_by) == ("cancelled", "赵督查")
    assert engine.posts.with_cover(staff["clerk2"]).covering == ()
    with pytest.raises(Conflict):
        engine.posts.cancel_absence(staff["supervisor"], line.absence.id)
    with pytest.raises(NotFound) as unknown:
        engine.posts.cancel_absence(staff["supervisor"], 2**40)
    assert unknown.value.field == "absence_id"
    assert record(engine, staff, first=date(2026, 9, 21), last=date(2026, 9, 22)).absence.working_days == 2
    assert rows(engine, AuditEntry, AuditEntry.action == "absence_cancel") == 1


def test_an_absence_that_is_over_cannot_be_cancelled(engine, staff, clock, before_national_day):
    line = record(engine, staff, first=date(2026, 9, 21), last=date(2026, 9, 22))
    clock.advance(timedelta(days=2))
    with pytest.raises(Conflict) as over:
        engine.posts.cancel_absence(staff["supervisor"], line.absence.id)
    assert "stays on the record" in over.value.message


def _claimed_review(engine, staff, approver="scjg_approver1"):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    task = only_task(engine, case.number)
    engine.claim_task(staff[approver], task.id)
    return case, task


def test_b_completes_as_claimed_task_while_a_is_away_and_not_after(engine, staff, clock):
    _first_case, first = _claimed_review(engine, staff)
    _second_case, second = _claimed_review(engine, staff)
    b_alone = staff["scjg_approver2"]
    assert engine.task_queue(b_alone, mine=True) == []
    with pytest.raises(Conflict):
        engine.complete_task(b_alone, first.id, REVIEW)
    record(engine, staff, window="SCJG-01", b="scjg_approver2", first=date(2026, 11, 23), last=date(2026, 11, 24))

    b = engine.posts.with_cover(b_alone)
    assert b.covering == (Cover(staff["scjg_approver1"].id, "李明", "approver", "SCJG"),)
    assert {row.id for row in engine.task_queue(b, mine=True)} == {first.id, second.id}
    engine.complete_task(b, first.id, REVIEW)
    with engine.session() as session:
        assert (session.get(HumanTask, first.id).state, session.get(HumanTask, first.id).completed_by_id) == (
            "completed", b.id)
    with engine.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "complete",
                                                         AuditEntry.task_id == first.id)).one()
    assert entry.actor == "scjg_approver2"

    clock.advance(timedelta(days=2))  # Wednesday 25 November: A is back
    b = engine.posts.with_cover(b_alone)
    assert b.covering == () and engine.task_queue(b, mine=True) == []
    with pytest.raises(Conflict):
        engine.complete_task(b, second.id, REVIEW)
    with pytest.raises(Forbidden):
        engine.unclaim_task(b, second.id)
    assert only_task(engine, _second_case.number).assignee_id == staff["scjg_approver1"].id


def test_b_releases_or_takes_over_as_claimed_task(engine, staff):
    _case, first = _claimed_review(engine, staff)
    _case, second = _claimed_review(engine, staff)
    record(engine, staff, window="SCJG-01", b="scjg_approver2", first=date(2026, 11, 23), last=date(2026, 11, 23))
    b = engine.posts.with_cover(staff["scjg_approver2"])
    assert engine.unclaim_task(b, first.id).assignee_id is None
    assert engine.claim_task(b, second.id).assignee_id == b.id
    # Someone B does not cover keeps their claim.
    _case, third = _claimed_review(engine, staff, approver="scjg_chief")
    with pytest.raises(Conflict):
        engine.claim_task(b, third.id)


def test_cover_opens_the_absent_persons_department_queue_and_cases(engine, staff):
    """Windows pair people of one department; cover itself follows A's department wherever it is."""
    case, task = _claimed_review(engine, staff)
    outsider = staff["zrgh_approver1"]
    with engine.session() as session, pytest.raises(Forbidden):
        check_may_view_case(session, outsider, engine.get_case(case.number))
    assert task.id not in {row.id for row in engine.task_queue(outsider)}
    covering = dataclasses.replace(outsider, covering=(Cover(staff["scjg_approver1"].id, "李明", "approver", "SCJG"),))
    with engine.session() as session:
        check_may_view_case(session, covering, engine.get_case(case.number))
    assert task.id in {row.id for row in engine.task_queue(covering)}
    assert {row.department_code for row in engine.task_queue(covering)} == {"SCJG"}


@pytest.mark.parametrize("a, b, field", [
    ("scjg_approver1", "zrgh_approver1", "b_staff"),
    ("scjg_approver1", "scjg_chief", "b_staff"),
    ("clerk1", "clerk1", "b_staff"),
    ("supervisor", "admin", "a_staff"),
])
def test_a_window_pairs_two_people_of_one_role_and_department(engine, staff, a, b, field):
    department = "SCJG" if a.startswith("scjg") else None
    with pytest.raises(InvalidInput) as refusal:
        engine.posts.save_window(staff["supervisor"], code="T-01", name="测试窗口", department_code=department,
                                 a_staff=a, b_staff=b)
    assert refusal.value.field == field
    with pytest.raises(Conflict):  # clerk1 is the A post of 综合窗口1 already
        engine.posts.save_window(staff["supervisor"], code="T-01", name="测试窗口", department_code=None,
                                 a_staff="clerk1", b_staff="clerk3")
    assert [line.window.code for line in engine.posts.windows(staff["clerk1"])] == ["ZH-01", "ZH-02", "SCJG-01"]
