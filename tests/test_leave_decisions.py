"""Leave refused at either stage or withdrawn (both end it: it excuses nothing, no AB absence), the AB
rules asked at request time naming ``cover`` or the day, and half-day leave excusing only its half."""

from datetime import date

import pytest
from sqlalchemy import select

from engine.audit.models import AuditEntry
from engine.clock import local_datetime
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.ledger.models import LedgerEntry
from engine.staff.models import PostAbsence
from tests.test_attendance import charges, sign

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)
NEXT_MONDAY = date(2026, 11, 30)


def ask(engine, staff, username="clerk1", cover="clerk2", first=TUESDAY, last=WEDNESDAY, **halves):
    return engine.leave.request(staff[username], kind="personal", starts_on=first, ends_on=last, reason="家中有事",
                                cover=cover, **halves).leave.id


def absences(engine):
    with engine.session() as session:
        return list(session.scalars(select(PostAbsence)))


def audited(engine, action):
    with engine.session() as session:
        return [entry.detail for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def test_the_department_refuses_with_a_reason_and_the_leave_ends(engine, staff):
    leave = ask(engine, staff)
    with pytest.raises(Forbidden):                        # the center's stage has not come
        engine.leave.refuse(staff["supervisor"], leave, "人手不足")
    assert engine.leave.to_approve(staff["director"])[0].may_refuse is True
    line = engine.leave.refuse(staff["director"], leave, "年底人手不足")
    assert (line.leave.state, line.leave.refused_stage, line.refused_by, line.leave.refusal_reason) == (
        "refused", "department", "周主任", "年底人手不足")
    assert engine.leave.to_approve(staff["director"]) == []
    with pytest.raises(Conflict):
        engine.leave.approve(staff["director"], leave)
    with pytest.raises(Conflict):
        engine.leave.withdraw(staff["clerk1"], leave)
    assert [(detail["leave"], detail["stage"], detail["reason"]) for detail in audited(engine, "leave_refuse")] == [
        (leave, "department", "年底人手不足")]
    ask(engine, staff)                                    # the days are free again


def test_the_center_refuses_after_the_department_approved_and_nothing_is_excused(engine, staff):
    leave = ask(engine, staff)
    engine.leave.approve(staff["director"], leave)
    with pytest.raises(Forbidden):                        # the department's approver is not the center
        engine.leave.refuse(staff["director"], leave, "不同意")
    with pytest.raises(InvalidInput) as blank:
        engine.leave.refuse(staff["supervisor"], leave, " ")
    assert blank.value.field == "reason"
    line = engine.leave.refuse(staff["supervisor"], leave, "未附证明材料")
    assert (line.leave.state, line.leave.refused_stage, line.refused_by) == ("refused", "center", "赵督查")
    assert absences(engine) == []
    engine.clock.set(local_datetime(NEXT_MONDAY, 9, 0))
    engine.attendance.compute_day(TUESDAY)               # refused leave: the unsigned day is absence
    assert charges(engine, staff["clerk1"].id, TUESDAY) == ["JL-04", "JL-04"]
    sheet = {line.username: line for line in engine.attendance.sheet(staff["supervisor"], TUESDAY)}
    assert sheet["clerk1"].leave_kind is None


def test_an_approved_leave_is_neither_refused_nor_withdrawn(engine, staff):
    leave = ask(engine, staff)
    engine.leave.approve(staff["director"], leave)
    engine.leave.approve(staff["supervisor"], leave)
    with pytest.raises(Conflict):
        engine.leave.refuse(staff["admin"], leave, "晚了")
    with pytest.raises(Conflict):
        engine.leave.withdraw(staff["clerk1"], leave)
    assert engine.leave.line(staff["clerk1"], leave).leave.state == "approved"


def test_the_requester_withdraws_before_the_centers_approval_and_it_excuses_nothing(engine, staff):
    leave = ask(engine, staff)
    engine.leave.approve(staff["director"], leave)
    with pytest.raises(Forbidden):                        # only the requester
        engine.leave.withdraw(staff["director"], leave)
    assert engine.leave.mine(staff["clerk1"])[0].may_withdraw is True
    line = engine.leave.withdraw(staff["clerk1"], leave)
    assert (line.leave.state, line.may_withdraw, line.may_approve) == ("withdrawn", False, False)
    assert line.leave.withdrawn_at is not None and audited(engine, "leave_withdraw")[0]["state"] == "withdrawn"
    with pytest.raises(Conflict):
        engine.leave.approve(staff["supervisor"], leave)
    assert absences(engine) == []
    engine.clock.set(local_datetime(NEXT_MONDAY, 9, 0))
    engine.attendance.compute_day(WEDNESDAY)
    assert charges(engine, staff["clerk1"].id, WEDNESDAY) == ["JL-04", "JL-04"]


def test_a_cover_who_is_not_the_windows_b_post_is_refused_at_request_time(engine, staff):
    with pytest.raises(InvalidInput) as refused:
        ask(engine, staff, cover="clerk3")               # clerk3 is not ZH-01's B post
    assert refused.value.field == "cover" and "clerk2" in refused.value.message
    assert engine.leave.mine(staff["clerk1"]) == []      # nothing was stored
    engine.posts.record_absence(staff["supervisor"], window_code="ZH-02", b_staff="clerk3", starts_on=WEDNESDAY,
                                ends_on=WEDNESDAY, reason="外出培训")
    with pytest.raises(Conflict) as away:                # the B post is away himself on Wednesday
        ask(engine, staff)
    assert away.value.field == "cover"
    ask(engine, staff, last=TUESDAY)                     # Tuesday alone he covers


def test_the_stint_and_yearly_limits_are_asked_at_request_time_naming_the_day(engine, staff):
    with pytest.raises(InvalidInput) as stint:
        ask(engine, staff, last=date(2026, 12, 31))      # 28 working days: over the stint's 20
    assert stint.value.field == "ends_on" and "20" in stint.value.message
    with pytest.raises(InvalidInput) as calendar:
        ask(engine, staff, first=date(2027, 3, 1), last=date(2027, 3, 2))  # a year the calendar does not know
    assert calendar.value.field == "starts_on"
    # Someone who is no window's A post has no AB absence, so no AB limit: the leave's own rules only.
    assert ask(engine, staff, "scjg_approver2", "scjg_approver1", last=date(2026, 12, 18))


def test_a_half_day_leave_excuses_only_its_half(engine, staff):
    # Tuesday afternoon off: he leaves at noon without signing out, which the morning explains.
    leave = ask(engine, staff, first=TUESDAY, last=TUESDAY, starts_half="pm")
    # Wednesday morning off (a second leave meets the first at no half day): he comes at 14:10.
    morning = ask(engine, staff, first=WEDNESDAY, last=WEDNESDAY, ends_half="am")
    for number in (leave, morning):
        engine.leave.approve(staff["director"], number)
        engine.leave.approve(staff["supervisor"], number)
    sign(engine, staff, "clerk1", TUESDAY, (9, 20), None)
    sign(engine, staff, "clerk1", WEDNESDAY, (14, 10), None)
    engine.clock.set(local_datetime(WEDNESDAY, 18, 0))
    engine.attendance.sign_out(staff["clerk1"])
    engine.clock.set(local_datetime(NEXT_MONDAY, 9, 0))
    engine.attendance.compute_day(TUESDAY)
    engine.attendance.compute_day(WEDNESDAY)
    with engine.session() as session:
        entries = [(entry.occurred_on, entry.rule_code) for entry in session.scalars(
            select(LedgerEntry).where(LedgerEntry.staff_id == staff["clerk1"].id).order_by(LedgerEntry.occurred_on))]
    # Tuesday: late in the morning (JL-02), the afternoon excused; Wednesday: late in the afternoon (JL-01).
    assert entries == [(TUESDAY, "JL-02"), (WEDNESDAY, "JL-01")]
    days = {line.day: line for line in engine.attendance.records(staff["clerk1"], TUESDAY, WEDNESDAY, "clerk1")}
    assert (days[TUESDAY].leave_kind, days[TUESDAY].leave_half) == ("事假", "afternoon")
    assert (days[WEDNESDAY].leave_half, [f.half for f in days[WEDNESDAY].findings]) == ("morning", ["afternoon"])
    bulletin = next(line for line in engine.attendance.bulletin(staff["supervisor"], TUESDAY).lines
                    if line.username == "clerk1")
    # Two half days of leave; Monday, Thursday and Friday unsigned: six half days absent, none on Tue/Wed.
    assert (bulletin.leave_days, bulletin.late, bulletin.minor, bulletin.absent_half_days) == (1, 1, 1, 6)


def test_half_days_are_checked_and_a_whole_day_stays_the_default(engine, staff):
    with pytest.raises(InvalidInput) as reversed_day:
        ask(engine, staff, "scjg_approver1", None, first=TUESDAY, last=TUESDAY, starts_half="pm", ends_half="am")
    assert reversed_day.value.field == "ends_half"
    with pytest.raises(InvalidInput) as bad:
        ask(engine, staff, "scjg_approver1", None, starts_half="evening")
    assert bad.value.field == "starts_half"
    whole = ask(engine, staff, "scjg_approver1", None, first=TUESDAY, last=TUESDAY)
    line = engine.leave.line(staff["scjg_approver1"], whole)
    assert (line.leave.starts_half, line.leave.ends_half) == ("am", "pm")
    with pytest.raises(Conflict):                        # the whole Tuesday is taken
        ask(engine, staff, "scjg_approver1", None, first=TUESDAY, last=TUESDAY, starts_half="pm")


def test_a_morning_and_an_afternoon_leave_share_a_day_and_excuse_it_whole(engine, staff):
    morning = ask(engine, staff, "scjg_approver1", None, first=TUESDAY, last=TUESDAY, ends_half="am")
    afternoon = ask(engine, staff, "scjg_approver1", None, first=TUESDAY, last=TUESDAY, starts_half="pm")
    for number in (morning, afternoon):
        engine.leave.approve(staff["scjg_chief"], number)
        engine.leave.approve(staff["supervisor"], number)
    engine.clock.set(local_datetime(NEXT_MONDAY, 9, 0))
    engine.attendance.compute_day(TUESDAY)              # nothing signed, nothing charged but 请假未委托 twice
    assert charges(engine, staff["scjg_approver1"].id, TUESDAY) == ["JL-08", "JL-08"]
    line = next(line for line in engine.attendance.sheet(staff["supervisor"], TUESDAY) if line.username == "scjg_approver1")
    assert (line.leave_kind, line.leave_half, line.findings) == ("事假", None, [])


def test_back_at_noon_as_due_keeps_the_morning_excused_and_is_no_overrun(engine, staff):
    leave = ask(engine, staff, "scjg_approver1", "scjg_approver2", first=TUESDAY, last=WEDNESDAY, ends_half="am")
    engine.leave.approve(staff["scjg_chief"], leave)
    engine.leave.approve(staff["supervisor"], leave)
    engine.clock.set(local_datetime(WEDNESDAY, 14, 0))
    line = engine.leave.record_return(staff["scjg_approver1"], leave)   # back on Wednesday afternoon
    assert (line.leave.returned_on, line.overrun) == (WEDNESDAY, False)
    engine.attendance.sign_in(staff["scjg_approver1"])
    engine.clock.set(local_datetime(WEDNESDAY, 17, 30))
    engine.attendance.sign_out(staff["scjg_approver1"])
    engine.clock.set(local_datetime(NEXT_MONDAY, 9, 0))
    engine.attendance.compute_day(WEDNESDAY)            # the morning is the leave's, the afternoon on time
    assert charges(engine, staff["scjg_approver1"].id, WEDNESDAY) == []
    late = ask(engine, staff, "scjg_approver2", None, first=NEXT_MONDAY, last=NEXT_MONDAY, ends_half="am")
    engine.leave.approve(staff["scjg_chief"], late)
    engine.leave.approve(staff["supervisor"], late)
    engine.clock.set(local_datetime(date(2026, 12, 1), 9, 0))   # not back on Monday afternoon: overrun
    assert engine.leave.line(staff["supervisor"], late).overrun is True


def test_leave_holding_no_working_day_hands_nothing_over_and_charges_nothing(engine, staff):
    saturday, sunday = date(2026, 11, 28), date(2026, 11, 29)
    covered = ask(engine, staff, first=saturday, last=sunday)          # an A post, his B post named
    bare = ask(engine, staff, "scjg_approver1", None, first=saturday, last=sunday)
    for number, chief in ((covered, "director"), (bare, "scjg_chief")):
        engine.leave.approve(staff[chief], number)
        assert engine.leave.approve(staff["supervisor"], number).leave.state == "approved"
    assert absences(engine) == []
    assert charges(engine, staff["scjg_approver1"].id) == []           # no 请假未委托 for a weekend
