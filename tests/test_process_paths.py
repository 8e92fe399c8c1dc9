"""Every path of processes/one_window.bpmn, on SQLite and PostgreSQL."""

from datetime import date, timedelta

from engine.clock import local_datetime
from tests.helpers import (
    approve_in_back_office,
    full_materials,
    intake,
    item_code,
    only_task,
    person,
    pickup_form,
)


def test_promised_item_complete_at_intake_is_accepted_and_forwarded(engine, staff, clock):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    assert case.status == "已受理" and case.accepted_on == date(2026, 11, 23)
    task = only_task(engine, case.number)
    assert (task.bpmn_id, task.role, task.department_code, task.claim_required) == ("review", "approver", "SCJG", True)
    # The back office returns the result the working day before the due date.
    assert case.due_date == engine.calendar.get().add_working_days(date(2026, 11, 23), case.promised_limit_days).day
    assert task.due_date == engine.calendar.get().subtract_working_days(case.due_date, 1).day
    case = approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    assert (case.status, case.decision, case.stage) == ("正常办结", "approve", "窗口出件")
    pickup = only_task(engine, case.number)
    case = engine.complete_task(staff["clerk2"], pickup.id, pickup_form())
    assert case.delivered_at is not None and case.delivery_method == "pickup"
    rating = only_task(engine, case.number)
    case = engine.complete_task(staff["clerk2"], rating.id, {"rating": "非常满意"})
    assert (case.outcome, case.rating, case.stage) == ("completed", "非常满意", "已结束")
    assert case.closed_at is not None and case.next_timer_at is None
    actions = [(entry.action, entry.actor) for entry in engine.case_history(case.number)]
    assert actions == [("create", "clerk1"), ("claim", "scjg_approver1"), ("complete", "scjg_approver1"),
                       ("complete", "clerk2"), ("complete", "clerk2")]


def test_immediate_item_is_finished_at_the_window_the_same_day(engine, staff):
    code = item_code(engine, case_type="即办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    task = only_task(engine, case.number)
    assert (task.bpmn_id, task.role, task.department_code) == ("window_decision", "clerk", None)
    assert case.due_date == case.received_on == task.due_date
    case = engine.complete_task(staff["clerk1"], task.id, {"decision": "approve", "opinion": "当场办结"})
    assert case.status == "正常办结" and case.decided_at.date() == date(2026, 11, 23)
    assert only_task(engine, case.number).bpmn_id == "window_pickup"


def test_immediate_item_refused_at_the_window(engine, staff):
    code = item_code(engine, case_type="即办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    task = only_task(engine, case.number)
    case = engine.complete_task(staff["clerk1"], task.id, {
        "decision": "reject", "opinion": "不符合条件", "refusal_reasons": "经营场所属于禁止经营区域，不予登记"})
    assert (case.status, case.decision) == ("不予许可", "reject")


def test_incomplete_application_gets_one_notice_listing_every_missing_material(engine, staff, clock):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=2))
    notice = only_task(engine, case.number)
    assert notice.bpmn_id == "issue_notice" and case.status == "已接件"
    assert notice.due_date == date(2026, 11, 30)   # within 5 working days of receipt
    case = engine.complete_task(staff["clerk1"], notice.id, {"notice_remarks": "请补齐"})
    assert (case.status, case.notice_count) == ("待补办", 1)
    waiting = only_task(engine, case.number)
    assert waiting.bpmn_id == "await_correction" and case.next_timer_at is not None
    data = engine.case_data(case.number)
    assert data["missing_materials"] == full_materials(engine, code)[-2:]
    assert data["incomplete_count"] == 2 and data["correction_deadline"].startswith("2026-12-")


def test_correction_restarts_the_limit_from_the_day_materials_are_complete(engine, staff, clock):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    clock.set(local_datetime(date(2026, 11, 26), 10))  # the applicant returns on Thursday
    waiting = only_task(engine, case.number)
    case = engine.complete_task(staff["clerk2"], waiting.id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code), "material_defects": []})
    assert case.status == "已受理" and case.accepted_on == date(2026, 11, 26)
    assert case.due_date == engine.calendar.get().add_working_days(date(2026, 11, 26), case.promised_limit_days).day
    assert only_task(engine, case.number).bpmn_id == "review"


def test_a_correction_that_is_still_incomplete_gets_a_second_notice(engine, staff):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=2))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
        "material_defects": []})
    assert only_task(engine, case.number).bpmn_id == "issue_notice"
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    assert case.notice_count == 2 and case.status == "待补办"


def test_applicant_may_withdraw_while_correcting(engine, staff):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "withdraw", "withdraw_reason": "暂不办理"})
    assert (case.status, case.outcome) == ("撤销申请", "withdrawn")
    assert case.closed_at is not None and engine.open_tasks(case.number) == []


def test_no_correction_within_the_window_closes_the_case_as_withdrawn(engine, staff, clock):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    deadline = case.next_timer_at
    clock.set(deadline - timedelta(minutes=1))
    assert engine.fire_due_timers() == 0
    clock.set(deadline + timedelta(seconds=1))
    assert engine.fire_due_timers() == 1
    case = engine.get_case(case.number)
    assert (case.status, case.outcome, case.next_timer_at) == ("撤销申请", "withdrawn", None)
    assert engine.open_tasks(case.number) == []
    history = engine.case_history(case.number)
    assert (history[-1].action, history[-1].actor, history[-1].after_status) == ("timer", "system", "撤销申请")
    with engine.session() as session:
        from sqlalchemy import select

        from engine.tasks.models import HumanTask
        states = dict(session.execute(select(HumanTask.bpmn_id, HumanTask.state).where(HumanTask.case_id == case.id)).all())
    assert states["await_correction"] == "cancelled"


def test_a_notice_not_issued_within_five_working_days_counts_as_accepted_from_receipt(engine, staff, clock):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    assert case.next_timer_at is not None
    clock.set(local_datetime(date(2026, 12, 1), 0, 5))  # after the close of Monday 30 November
    assert engine.fire_due_timers() == 1
    case = engine.get_case(case.number)
    assert case.status == "已受理" and case.deemed_accepted and case.accepted_on == date(2026, 11, 23)
    assert case.due_date == engine.calendar.get().add_working_days(date(2026, 11, 23), case.promised_limit_days).day
    assert only_task(engine, case.number).bpmn_id == "review"


def test_an_application_outside_the_scope_is_not_accepted_with_reasons(engine, staff):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, acceptable=False))
    assert (case.status, case.outcome) == ("不予受理", "not_accepted")
    assert case.closed_at is not None and case.accepted_at is None
    (entry,) = engine.case_history(case.number)
    assert "职权范围" in entry.detail["form"]["rejection_reasons"]


def test_refused_in_back_office_then_posted_with_a_waybill(engine, staff):
    code = item_code(engine, case_type="承诺件", post=True)
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, delivery="post"))
    department = only_task(engine, case.number).department_code
    approver = staff[f"{department.lower()}_approver1"]
    case = approve_in_back_office(engine, case.number, approver, decision="reject")
    assert (case.status, case.decision) == ("不予许可", "reject")
    dispatch = only_task(engine, case.number)
    assert dispatch.bpmn_id == "postal_dispatch"
    case = engine.complete_task(staff["clerk3"], dispatch.id, {"carrier": "EMS", "waybill_number": "1190012345678",
                                                                "handed_to": "邮政揽收员"})
    confirm = only_task(engine, case.number)
    assert confirm.bpmn_id == "confirm_delivery" and case.delivered_at is None
    case = engine.complete_task(staff["clerk3"], confirm.id, {"delivered_on": "2026-11-23", "signed_by": "张三"})
    assert case.delivery_method == "post" and case.delivered_at is not None
    case = engine.complete_task(staff["clerk3"], only_task(engine, case.number).id, {"rating": "未评价"})
    assert case.outcome == "completed"
    forms = [entry.detail.get("form", {}) for entry in engine.case_history(case.number)]
    assert any(form.get("waybill_number") == "1190012345678" for form in forms)


def test_joint_item_is_countersigned_by_every_department_then_decided_by_the_lead(engine, staff):
    code = item_code(engine, case_type="联办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    parts = engine.open_tasks(case.number)
    departments = sorted(task.department_code for task in parts)
    assert {task.bpmn_id for task in parts} == {"joint_countersign"}
    assert case.department_code in departments and len(departments) == len(set(departments)) >= 2
    for task in parts:
        approver = staff[f"{task.department_code.lower()}_approver1"]
        engine.claim_task(approver, task.id)
        engine.complete_task(approver, task.id, {"countersign_position": "agree", "countersign_opinion": "同意"})
    lead = only_task(engine, case.number)
    assert (lead.bpmn_id, lead.department_code) == ("lead_decision", case.department_code)


def test_organization_applicant_is_accepted(engine, staff):
    from tests.helpers import organization

    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, organization(), intake(engine, code))
    assert case.applicant_kind == "organization" and case.applicant_contact == "李四"


def _incomplete_correction_after_a_first_notice(engine, staff, clock, code):
    """Received Monday 2 November with two materials missing, the notice given the same day; the
    correction of Monday 16 November still lacks one: a second notice is due (行政许可法 第32条)."""
    clock.set(local_datetime(date(2026, 11, 2), 9))
    case = engine.create_case(staff["clerk2"], code, person(), intake(engine, code, missing=2))
    first_notice = only_task(engine, case.number)
    assert first_notice.due_date == date(2026, 11, 9)
    engine.complete_task(staff["clerk2"], first_notice.id, {})
    clock.set(local_datetime(date(2026, 11, 16), 10))
    case = engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
        "material_defects": []})
    return case


def test_the_five_days_for_a_second_notice_run_from_the_incomplete_correction(engine, staff, clock):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = _incomplete_correction_after_a_first_notice(engine, staff, clock, code)
    second_notice = only_task(engine, case.number)
    assert second_notice.bpmn_id == "issue_notice" and second_notice.due_date == date(2026, 11, 23)
    assert engine.fire_due_timers() == 0 and not engine.get_case(case.number).deemed_accepted
    case = engine.complete_task(staff["clerk2"], second_notice.id, {})
    assert (case.notice_count, case.status) == (2, "待补办")
    clock.set(local_datetime(date(2026, 11, 18), 10))
    case = engine.complete_task(staff["clerk2"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code), "material_defects": []})
    assert (case.status, case.deemed_accepted, case.accepted_on) == ("已受理", False, date(2026, 11, 18))
    assert case.due_date == engine.calendar.get().add_working_days(date(2026, 11, 18), case.promised_limit_days).day
    assert _ledger_rules_charged(engine, case.id) == []


def test_a_second_notice_not_given_within_five_days_of_the_correction_counts_as_accepted_from_it(engine, staff,
                                                                                                  clock):
    code = item_code(engine, case_type="承诺件", name="食品经营许可")
    case = _incomplete_correction_after_a_first_notice(engine, staff, clock, code)
    clock.set(local_datetime(date(2026, 11, 23), 23, 0))
    assert engine.fire_due_timers() == 0
    clock.set(local_datetime(date(2026, 11, 24), 0, 5))  # after the close of the fifth working day
    assert engine.fire_due_timers() == 1
    assert engine.fire_due_timers() == 0
    case = engine.get_case(case.number)
    assert (case.status, case.deemed_accepted, case.accepted_on) == ("已受理", True, date(2026, 11, 16))
    assert case.due_date == engine.calendar.get().add_working_days(date(2026, 11, 16), case.promised_limit_days).day
    assert _ledger_rules_charged(engine, case.id) == [("XL-07", staff["clerk2"].id)]


def _ledger_rules_charged(engine, case_id):
    from sqlalchemy import select

    from engine.ledger.models import LedgerEntry

    with engine.session() as session:
        return [(entry.rule_code, entry.staff_id)
                for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id))]
