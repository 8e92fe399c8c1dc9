"""Automatic charges the engine sees for itself, each exactly once with the case as evidence: a
co-reviewer past his reply limit (XL-04) and a 即办件 handled as a 承诺件 (JN-05)."""

from datetime import date

from sqlalchemy import select

from engine.clock import local_datetime
from engine.ledger.models import LedgerEntry
from engine.ledger.rules import PIAN7_RULES, read_rules_file
from tests.helpers import intake, only_task, person

JOINT = "ZRGH-001"  # 联办件: lead ZRGH, co ZJJ; the co department replies within 7 working days
IMMEDIATE = "SCJG-001"  # 即办件
AGREE = {"countersign_position": "agree", "countersign_opinion": "同意"}


def _case(engine, staff, code):
    return engine.create_case(staff["clerk1"], code, person(), intake(engine, code))


def _charges(engine, case_id, rule_code):
    with engine.session() as session:
        return list(session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id,
                                                              LedgerEntry.rule_code == rule_code)))


def _countersign_of(engine, number, department):
    return next(task for task in engine.open_tasks(number) if task.department_code == department)


def test_a_co_reviewer_past_his_reply_limit_is_charged_once(engine, staff, clock):
    case = _case(engine, staff, JOINT)
    co = _countersign_of(engine, case.number, "ZJJ")
    assert co.due_date == date(2026, 12, 2)
    engine.claim_task(staff["zjj_approver1"], co.id)
    clock.set(local_datetime(date(2026, 12, 2), 17))  # the last day of the limit: not late yet
    engine.sweep_deadlines()
    assert _charges(engine, case.id, "XL-04") == []
    clock.set(local_datetime(date(2026, 12, 3), 0, 1))
    engine.sweep_deadlines()
    engine.sweep_deadlines()
    (charge,) = _charges(engine, case.id, "XL-04")
    assert (charge.staff_id, charge.points, charge.occurred_on) == (staff["zjj_approver1"].id, -2, date(2026, 12, 3))
    assert case.number in charge.evidence and charge.recorded_by_id is None
    # He replies late, and later sweeps look at the case again: still the one charge.
    clock.set(local_datetime(date(2026, 12, 4), 10))
    engine.complete_task(staff["zjj_approver1"], co.id, AGREE)
    clock.set(local_datetime(date(2026, 12, 8), 10))
    engine.sweep_deadlines()
    assert len(_charges(engine, case.id, "XL-04")) == 1
    # The lead department's own countersign, open as long, answers to the case's limit only.
    assert {entry.staff_id for entry in _charges(engine, case.id, "XL-04")} == {staff["zjj_approver1"].id}


def test_an_unclaimed_late_countersign_is_charged_to_the_co_departments_chief(engine, staff, clock):
    case = _case(engine, staff, JOINT)
    clock.set(local_datetime(date(2026, 12, 3), 9))
    engine.sweep_deadlines()
    (charge,) = _charges(engine, case.id, "XL-04")
    assert charge.staff_id == staff["zjj_chief"].id


def test_a_co_reviewer_replying_in_time_is_not_charged(engine, staff, clock):
    case = _case(engine, staff, JOINT)
    co = _countersign_of(engine, case.number, "ZJJ")
    engine.claim_task(staff["zjj_approver1"], co.id)
    clock.set(local_datetime(date(2026, 12, 2), 16))
    engine.complete_task(staff["zjj_approver1"], co.id, AGREE)
    clock.set(local_datetime(date(2026, 12, 10), 9))
    engine.sweep_deadlines()
    assert _charges(engine, case.id, "XL-04") == []


def test_an_immediate_case_left_to_the_next_day_is_charged_once(engine, staff, clock):
    case = _case(engine, staff, IMMEDIATE)
    clock.set(local_datetime(date(2026, 11, 24), 0, 5))
    engine.sweep_deadlines()
    engine.sweep_deadlines()
    (charge,) = _charges(engine, case.id, "JN-05")
    assert (charge.staff_id, charge.points, charge.occurred_on) == (staff["clerk1"].id, -2, date(2026, 11, 24))
    assert "即办件" in charge.evidence and case.number in charge.evidence
    clock.set(local_datetime(date(2026, 11, 24), 10))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "办结"})
    assert len(_charges(engine, case.id, "JN-05")) == 1


def test_an_immediate_case_decided_days_later_is_charged_by_the_decision_itself(engine, staff, clock):
    case = _case(engine, staff, IMMEDIATE)
    clock.set(local_datetime(date(2026, 11, 25), 10))  # no sweep ran
    engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "办结"})
    (charge,) = _charges(engine, case.id, "JN-05")
    assert charge.occurred_on == date(2026, 11, 24)


def test_the_pian7_scheme_charges_its_own_rule_and_skips_what_it_does_not_score(engine, staff, clock):
    engine.ledger.load_rules(read_rules_file(PIAN7_RULES))
    joint, immediate = _case(engine, staff, JOINT), _case(engine, staff, IMMEDIATE)
    clock.set(local_datetime(date(2026, 12, 3), 9))
    engine.sweep_deadlines()
    assert [entry.points for entry in _charges(engine, joint.id, "QD-15")] == [-5]
    with engine.session() as session:
        rules = set(session.scalars(select(LedgerEntry.rule_code).where(LedgerEntry.case_id == immediate.id)))
    assert rules == set()  # 篇七 has no 即办 rule and does not charge overdue days
