"""Leave (请销假): the department approves, then the center (双审批), nobody his own; the approved leave is
the A post's AB absence; 销假 ends it; an overrun is flagged; leave without a cover is charged once."""

from datetime import date

import pytest
from sqlalchemy import select

from engine.clock import local_datetime
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.ledger.models import LedgerEntry
from engine.posts.service import covering
from engine.staff.models import PostAbsence

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)


def ask(engine, staff, username="clerk1", cover="clerk2", first=TUESDAY, last=THURSDAY, kind="sick"):
    return engine.leave.request(staff[username], kind=kind, starts_on=first, ends_on=last, reason="发热就医",
                                cover=cover).leave.id


def absences(engine):
    with engine.session() as session:
        return [(row.a_staff_id, row.b_staff_id, row.starts_on, row.ends_on, row.working_days, row.cancelled_at)
                for row in session.scalars(select(PostAbsence))]


def test_the_department_approves_first_then_the_center_and_the_leave_becomes_the_ab_absence(engine, staff):
    leave = ask(engine, staff)
    with pytest.raises(Forbidden) as refused:            # the center's stage comes second
        engine.leave.approve(staff["supervisor"], leave)
    assert refused.value.field == "leave_id"
    assert [line.leave.id for line in engine.leave.to_approve(staff["director"])] == [leave]
    assert engine.leave.to_approve(staff["supervisor"]) == []
    line = engine.leave.approve(staff["director"], leave)  # a clerk has no department: the director
    assert (line.leave.state, line.department_approver, absences(engine)) == ("department_approved", "周主任", [])
    line = engine.leave.approve(staff["supervisor"], leave)
    assert (line.leave.state, line.center_approver) == ("approved", "赵督查")
    assert absences(engine) == [(staff["clerk1"].id, staff["clerk2"].id, TUESDAY, THURSDAY, 3, None)]
    assert line.leave.absence_id is not None
    with pytest.raises(Conflict):
        engine.leave.approve(staff["admin"], leave)


def test_nobody_approves_his_own_leave_nor_another_departments(engine, staff):
    leave = ask(engine, staff, "scjg_approver1", "scjg_approver2")
    for username in ("scjg_approver1", "zrgh_chief", "scjg_approver2", "supervisor"):
        with pytest.raises(Forbidden):
            engine.leave.approve(staff[username], leave)
    engine.leave.approve(staff["scjg_chief"], leave)
    with pytest.raises(NotFound):                          # another department's chief does not read it
        engine.leave.line(staff["zrgh_chief"], leave)
    own = ask(engine, staff, "scjg_chief", "scjg_approver2")
    with pytest.raises(Forbidden) as refused:
        engine.leave.approve(staff["scjg_chief"], own)
    assert "own" in refused.value.message
    engine.leave.approve(staff["director"], own)          # a chief's department approval is the director's


def test_who_approved_for_the_department_does_not_also_approve_for_the_center(engine, staff):
    leave = ask(engine, staff, "scjg_approver1", "scjg_approver2")
    engine.leave.approve(staff["scjg_chief"], leave)
    with pytest.raises(Forbidden):
        engine.leave.approve(staff["director"], leave)    # not a supervisor or administrator
    assert engine.leave.approve(staff["admin"], leave).leave.state == "approved"


def test_the_ab_rules_decide_the_cover_of_an_a_post_again_at_the_centers_approval(engine, staff):
    leave = ask(engine, staff)                             # clerk2, ZH-01's B post, covers clerk1
    engine.leave.approve(staff["director"], leave)
    engine.posts.record_absence(staff["supervisor"], window_code="ZH-02", b_staff="clerk3", starts_on=WEDNESDAY,
                                ends_on=WEDNESDAY, reason="外出培训")   # meanwhile clerk2 is away himself
    with pytest.raises(Conflict) as refused:
        engine.leave.approve(staff["supervisor"], leave)
    assert refused.value.field == "cover"
    assert engine.leave.line(staff["supervisor"], leave).leave.state == "department_approved"


def test_the_return_ends_the_ab_absence_and_the_excuse(engine, staff):
    leave = ask(engine, staff)
    engine.leave.approve(staff["director"], leave)
    engine.leave.approve(staff["supervisor"], leave)
    engine.clock.set(local_datetime(WEDNESDAY, 9, 0))
    with engine.session() as session:
        assert [cover.staff_id for cover in covering(session, staff["clerk2"].id, WEDNESDAY)] == [staff["clerk1"].id]
    with pytest.raises(Forbidden):
        engine.leave.record_return(staff["clerk3"], leave)
    line = engine.leave.record_return(staff["clerk1"], leave)
    assert (line.leave.state, line.leave.returned_on, line.overrun) == ("returned", WEDNESDAY, False)
    assert absences(engine) == [(staff["clerk1"].id, staff["clerk2"].id, TUESDAY, TUESDAY, 1, None)]
    with engine.session() as session:
        assert covering(session, staff["clerk2"].id, WEDNESDAY) == []
    with pytest.raises(Conflict):
        engine.leave.record_return(staff["clerk1"], leave)
    engine.clock.set(local_datetime(date(2026, 11, 30), 9, 0))
    engine.attendance.compute_day(WEDNESDAY)               # back on Wednesday, and never signed: absent
    with engine.session() as session:
        rules = list(session.scalars(select(LedgerEntry.rule_code).where(LedgerEntry.staff_id == staff["clerk1"].id)))
    assert rules == ["JL-04", "JL-04"]
    engine.attendance.compute_day(TUESDAY)
    with engine.session() as session:
        assert session.scalars(select(LedgerEntry).where(LedgerEntry.staff_id == staff["clerk1"].id,
                                                         LedgerEntry.occurred_on == TUESDAY)).all() == []


def test_a_return_before_the_leave_starts_cancels_the_absence(engine, staff):
    leave = ask(engine, staff)
    engine.leave.approve(staff["director"], leave)
    engine.leave.approve(staff["supervisor"], leave)
    engine.leave.record_return(staff["clerk1"], leave)     # Monday: he never left
    assert absences(engine)[0][5] is not None


def test_leave_not_returned_by_the_day_after_it_is_flagged_overrun(engine, staff):
    leave = ask(engine, staff, "scjg_approver1", "scjg_approver2", first=TUESDAY, last=WEDNESDAY)
    engine.leave.approve(staff["scjg_chief"], leave)
    engine.leave.approve(staff["supervisor"], leave)
    engine.clock.set(local_datetime(THURSDAY, 16, 0))     # due back today: not yet overrun
    assert engine.leave.line(staff["supervisor"], leave).overrun is False
    engine.clock.set(local_datetime(FRIDAY, 9, 0))
    assert engine.leave.line(staff["supervisor"], leave).overrun is True
    assert [line.overrun for line in engine.leave.all(staff["supervisor"])] == [True]
    assert engine.leave.record_return(staff["scjg_approver1"], leave).overrun is True   # returned late


def test_leave_without_a_cover_is_charged_once_when_approved(engine, staff):
    """篇四's JL-08 (请假外出，窗口工作未委托他人处理) holds the trigger."""
    leave = ask(engine, staff, "scjg_approver1", None)
    engine.leave.approve(staff["scjg_chief"], leave)
    engine.leave.approve(staff["supervisor"], leave)
    with engine.session() as session:
        entries = list(session.scalars(select(LedgerEntry)))
    assert [(entry.rule_code, entry.staff_id, entry.occurred_on) for entry in entries] == [
        ("JL-08", staff["scjg_approver1"].id, TUESDAY)]
    assert f"#{leave}" in entries[0].evidence and absences(engine) == []


def test_bad_requests_are_refused_naming_the_field(engine, staff):
    cases = [({"kind": "holiday"}, "kind"), ({"last": date(2026, 11, 20), "first": date(2026, 11, 19)}, "ends_on"),
             ({"first": THURSDAY, "last": TUESDAY}, "ends_on"), ({"cover": "clerk1"}, "cover"),
             ({"cover": "supervisor"}, "cover"), ({"last": date(2027, 3, 1)}, "ends_on")]
    for overrides, field in cases:
        with pytest.raises(InvalidInput) as refused:
            ask(engine, staff, **overrides)
        assert refused.value.field == field, overrides
    ask(engine, staff)
    with pytest.raises(Conflict):
        ask(engine, staff, first=WEDNESDAY, last=FRIDAY)
    with pytest.raises(Forbidden):
        ask(engine, staff, "supervisor", "clerk2")
