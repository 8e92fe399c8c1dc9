"""The back office of issue 5 through CaseEngine: joint review (联审联办), clock suspension
(行政许可法 第45条), extension (第42条) and 上报件, on SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.catalogue.loader import DEMO_CATALOGUE, read_catalogue_file
from engine.clock import local_datetime
from engine.clockstop.models import CaseExtension, ClockSuspension
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.joint import service as joint
from engine.joint.models import JointOpinion
from tests.helpers import intake, only_task, person

PROMISED = "SCJG-002"  # 承诺件 of SCJG: 10 working days, extension 10
JOINT = "ZRGH-001"  # 联办件: lead ZRGH, co ZJJ, 12 working days
REPORTED = "WJW-003"  # 上报件: 15 working days, the clock stops while the province decides
AGREE = {"countersign_position": "agree", "countersign_opinion": "同意，符合规划条件"}
OBJECT = {"countersign_position": "object", "countersign_opinion": "施工图未通过审查（《建筑法》第八条），不同意"}


def at(clock, day: date, hour: int = 9) -> None:
    clock.set(local_datetime(day, hour))


def accepted_case(engine, staff, code: str):
    return engine.create_case(staff["clerk1"], code, person(), intake(engine, code))


def open_by_department(engine, number: str) -> dict:
    return {(task.bpmn_id, task.department_code): task for task in engine.open_tasks(number)}


def countersign(engine, staff, task, form, who: str = "approver1"):
    approver = staff[f"{task.department_code.lower()}_{who}"]
    engine.claim_task(approver, task.id)
    return engine.complete_task(approver, task.id, form)


def decide(engine, approver, number: str, form: dict, bpmn_id: str = "review"):
    task = only_task(engine, number)
    assert task.bpmn_id == bpmn_id
    engine.claim_task(approver, task.id)
    return engine.complete_task(approver, task.id, form)


def suspensions(engine, number: str) -> list[ClockSuspension]:
    with engine.session() as session:
        case_id = engine.get_case(number).id
        return list(session.scalars(select(ClockSuspension).where(ClockSuspension.case_id == case_id)
                                    .order_by(ClockSuspension.id)))


def actions(engine, number: str) -> list[str]:
    return [entry.action for entry in engine.case_history(number)]


# -- joint review ---------------------------------------------------------------------
def test_each_department_countersigns_in_its_own_queue_and_the_lead_decides_after_all(engine, staff):
    case = accepted_case(engine, staff, JOINT)
    parts = open_by_department(engine, case.number)
    assert set(parts) == {("joint_countersign", "ZRGH"), ("joint_countersign", "ZJJ")}
    # The co department's reply limit: 7 working days from Monday 23 November 2026.
    assert parts["joint_countersign", "ZJJ"].due_date == date(2026, 12, 2)
    for username, own in (("zjj_approver1", "ZJJ"), ("zrgh_approver1", "ZRGH")):
        queue = [task for task in engine.task_queue(staff[username]) if task.case_id == case.id]
        assert [(task.bpmn_id, task.department_code) for task in queue] == [("joint_countersign", own)]
    assert not [task for task in engine.task_queue(staff["scjg_approver1"]) if task.case_id == case.id]
    with pytest.raises(Forbidden):
        engine.claim_task(staff["zjj_approver1"], parts["joint_countersign", "ZRGH"].id)

    countersign(engine, staff, parts["joint_countersign", "ZJJ"], OBJECT)
    assert set(open_by_department(engine, case.number)) == {("joint_countersign", "ZRGH")}  # lead waits
    countersign(engine, staff, parts["joint_countersign", "ZRGH"], AGREE)
    lead = only_task(engine, case.number)
    assert (lead.bpmn_id, lead.department_code) == ("lead_decision", "ZRGH")

    with engine.session() as session:
        row = engine.get_case(case.number)
        seen_by_lead = [(o.department_code, o.part, o.position) for o in joint.opinions(session, row, "ZRGH")]
        seen_by_co = [(o.department_code, o.position, o.opinion) for o in joint.opinions(session, row, "ZJJ")]
        signers = dict(session.execute(select(JointOpinion.department_code, JointOpinion.signed_by_id)).all())
    assert seen_by_lead == [("ZJJ", "co", "object"), ("ZRGH", "lead", "agree")]
    assert seen_by_co == [("ZJJ", "object", OBJECT["countersign_opinion"])]
    assert signers == {"ZJJ": staff["zjj_approver1"].id, "ZRGH": staff["zrgh_approver1"].id}
    audited = [entry.detail["form"] for entry in engine.case_history(case.number)
               if entry.action == "complete" and entry.detail["task"] == "joint_countersign"]
    assert [form["countersign_position"] for form in audited] == ["object", "agree"]


def test_a_joint_meeting_sends_the_case_back_to_the_lead_who_then_approves(engine, staff):
    case = accepted_case(engine, staff, JOINT)
    for task in engine.open_tasks(case.number):
        countersign(engine, staff, task, OBJECT if task.department_code == "ZJJ" else AGREE)
    lead = staff["zrgh_approver1"]
    case = decide(engine, lead, case.number, {"decision": "meeting", "opinion": "意见分歧，召开联审会议"},
                  "lead_decision")
    assert case.decision is None and case.decided_at is None
    meeting = only_task(engine, case.number)
    assert (meeting.bpmn_id, meeting.department_code) == ("joint_meeting", "ZRGH")
    with pytest.raises(Forbidden):
        engine.complete_task(staff["zjj_approver1"], meeting.id, {})
    engine.complete_task(lead, meeting.id, {"meeting_date": "2026-11-23", "meeting_place": "联审会议室",
                                            "participants": "自然资源规划、住建", "minutes": "住建部门意见已采纳，补充审查后同意"})
    case = decide(engine, lead, case.number, {"decision": "approve", "opinion": "采纳住建意见后准予许可"},
                  "lead_decision")
    assert (case.status, case.decision) == ("正常办结", "approve")
    assert only_task(engine, case.number).bpmn_id == "window_pickup"
    lead_steps = [e.detail["form"]["decision"] for e in engine.case_history(case.number)
                  if e.action == "complete" and e.detail["task"] == "lead_decision"]
    assert lead_steps == ["meeting", "approve"]


def test_the_lead_may_refuse_a_joint_case_with_reasons(engine, staff):
    case = accepted_case(engine, staff, JOINT)
    for task in engine.open_tasks(case.number):
        countersign(engine, staff, task, OBJECT if task.department_code == "ZJJ" else AGREE)
    with pytest.raises(InvalidInput):  # a refusal needs its reasons
        decide(engine, staff["zrgh_approver1"], case.number, {"decision": "reject", "opinion": "不同意"},
               "lead_decision")
    case = engine.complete_task(staff["zrgh_approver1"], only_task(engine, case.number).id, {
        "decision": "reject", "opinion": "采纳住建部门意见", "refusal_reasons": "施工图未通过审查（《建筑法》第八条）"})
    assert (case.status, case.decision) == ("不予许可", "reject")


# -- suspension (第45条) ---------------------------------------------------------------
def test_suspension_is_refused_outside_back_office_and_to_the_wrong_people(engine, staff):
    at_window = engine.create_case(staff["clerk1"], PROMISED, person(), intake(engine, PROMISED, missing=1))
    with pytest.raises(Conflict) as error:
        engine.suspend_clock(staff["scjg_approver1"], at_window.number, "检验", "送检样品")
    assert error.value.field == "case_number"
    case = accepted_case(engine, staff, PROMISED)
    refusals = [(staff["clerk1"], "检验", Forbidden, "role"), (staff["zjj_approver1"], "检验", Forbidden, "case_number"),
                (staff["scjg_approver1"], "出差", InvalidInput, "kind"),
                (staff["scjg_approver1"], "上报", InvalidInput, "kind")]
    for actor, kind, refusal, field in refusals:
        with pytest.raises(refusal) as error:
            engine.suspend_clock(actor, case.number, kind, "送检样品，等待检验报告")
        assert error.value.field == field
    with pytest.raises(InvalidInput) as error:
        engine.suspend_clock(staff["scjg_approver1"], case.number, "检验", " ")
    assert error.value.field == "reason"
    with pytest.raises(Conflict):
        engine.end_suspension(staff["scjg_approver1"], case.number, "未暂停")
    assert suspensions(engine, case.number) == [] and engine.get_case(case.number).status == "已受理"
    assert actions(engine, case.number) == ["create"]


def test_a_suspension_over_national_day_moves_the_due_date_by_its_working_days(engine, staff, clock):
    at(clock, date(2026, 9, 29))  # Tuesday before 国庆节 (1-7 October), make-up Saturday 10 October
    case = accepted_case(engine, staff, PROMISED)
    assert case.due_date == date(2026, 10, 19)
    approver = staff["scjg_approver1"]
    case = engine.suspend_clock(approver, case.number, "检验", "样品送省级检验机构检验")
    assert (case.status, case.suspended_since, case.due_date) == ("暂停", date(2026, 9, 29), date(2026, 10, 19))
    with pytest.raises(Conflict):
        engine.suspend_clock(approver, case.number, "检测", "再次暂停")
    review, resume = (open_by_department(engine, case.number)[key] for key in (("review", "SCJG"),
                                                                                ("resume_clock", "SCJG")))
    engine.claim_task(approver, review.id)
    with pytest.raises(Conflict) as error:  # the decision waits for the clock to run again
        engine.complete_task(approver, review.id, {"decision": "approve", "opinion": "同意"})
    assert "suspended" in error.value.message
    with pytest.raises(Forbidden):
        engine.complete_task(staff["zjj_approver1"], resume.id, {"resume_note": "检验合格"})

    at(clock, date(2026, 10, 8))  # counted: 30 September and 8 October, not the holiday
    case = engine.end_suspension(approver, case.number, "检验合格，报告编号 JY-2026-0815")
    assert (case.status, case.suspended_since, case.suspended_days) == ("已受理", None, 2)
    assert case.due_date == date(2026, 10, 21) == engine.calendar.get().add_working_days(date(2026, 9, 29), 12).day
    with pytest.raises(Conflict):
        engine.end_suspension(approver, case.number, "再次恢复")
    (row,) = suspensions(engine, case.number)
    assert (row.kind, row.department_code, row.started_on, row.ended_on, row.working_days) == (
        "检验", "SCJG", date(2026, 9, 29), date(2026, 10, 8), 2)
    assert (row.due_before, row.due_after, row.started_by_id, row.ended_by_id) == (
        date(2026, 10, 19), date(2026, 10, 21), approver.id, approver.id)
    assert row.end_note == "检验合格，报告编号 JY-2026-0815"
    history = engine.case_history(case.number)
    suspend = next(entry for entry in history if entry.action == "suspend")
    assert (suspend.before_status, suspend.after_status, suspend.detail) == (
        "已受理", "暂停", {"kind": "检验", "reason": "样品送省级检验机构检验"})
    assert [(e.detail["task"], e.after_status) for e in history if e.action == "complete"] == [("resume_clock", "已受理")]
    case = engine.complete_task(approver, review.id, {"decision": "approve", "opinion": "检验合格，准予许可"})
    assert case.status == "正常办结"


def test_a_suspension_over_a_weekend_counts_only_the_monday(engine, staff, clock):
    case = accepted_case(engine, staff, PROMISED)
    assert case.due_date == date(2026, 12, 7)
    at(clock, date(2026, 11, 27))  # Friday
    engine.suspend_clock(staff["scjg_chief"], case.number, "现场勘察", "约定下周一现场勘察")
    at(clock, date(2026, 11, 30), 16)
    case = engine.end_suspension(staff["scjg_approver2"], case.number, "现场勘察完毕，符合要求")
    assert (case.suspended_days, case.due_date) == (1, date(2026, 12, 8))


def test_the_deadline_state_stands_still_while_suspended_and_is_recomputed_after(engine, staff, clock):
    case = accepted_case(engine, staff, PROMISED)  # due Monday 7 December
    engine.suspend_clock(staff["scjg_approver1"], case.number, "专家评审", "组织专家评审")
    at(clock, date(2026, 12, 10))  # three days past the original due date
    engine.sweep_deadlines()
    case = engine.get_case(case.number)
    assert (case.deadline_state, case.deadline_check_at) == ("normal", None)
    case = engine.end_suspension(staff["scjg_approver1"], case.number, "专家评审通过")
    # 13 working days stopped (24 November – 10 December): due 10 + 13 working days from the 23rd.
    assert (case.suspended_days, case.due_date, case.deadline_state) == (13, date(2026, 12, 24), "normal")
    for day, state in ((date(2026, 12, 17), "normal"), (date(2026, 12, 18), "yellow"), (date(2026, 12, 25), "red")):
        at(clock, day)
        engine.sweep_deadlines()
        assert engine.get_case(case.number).deadline_state == state, day


def test_a_joint_suspension_holds_the_lead_decision(engine, staff):
    case = accepted_case(engine, staff, JOINT)
    for task in engine.open_tasks(case.number):
        countersign(engine, staff, task, AGREE)
    engine.suspend_clock(staff["zrgh_approver2"], case.number, "听证", "利害关系人申请听证")
    lead = open_by_department(engine, case.number)["lead_decision", "ZRGH"]
    engine.claim_task(staff["zrgh_approver1"], lead.id)
    with pytest.raises(Conflict):
        engine.complete_task(staff["zrgh_approver1"], lead.id, {"decision": "approve", "opinion": "同意"})
    engine.end_suspension(staff["zrgh_approver1"], case.number, "听证结束")
    case = engine.complete_task(staff["zrgh_approver1"], lead.id, {"decision": "approve", "opinion": "听证后同意"})
    assert case.decision == "approve"


# -- 上报件 ------------------------------------------------------------------------------
def forward_and_register(engine, staff, clock, number: str, days_at_province: int):
    approver = staff["wjw_approver1"]
    decide(engine, approver, number, {"preliminary_opinion": "初审同意，报省卫健委",
                                             "report_reference": "示卫〔2026〕12号"}, "forward_upward")
    stopped = engine.get_case(number)
    clock.advance(timedelta(days=days_at_province))
    result = decide(engine, approver, number, {"decision": "approve", "higher_reference": "浙卫复〔2026〕88号",
                                               "opinion": "同意设置"}, "register_higher_result")
    return stopped, result


def test_a_reported_case_stops_its_clock_at_the_province(engine, staff, clock):
    case = accepted_case(engine, staff, REPORTED)
    assert case.due_date == date(2026, 12, 14)
    stopped, case = forward_and_register(engine, staff, clock, case.number, 7)  # back Monday 30th
    assert (stopped.status, stopped.suspended_since) == ("暂停", date(2026, 11, 23))
    assert (case.status, case.suspended_since, case.suspended_days) == ("正常办结", None, 5)
    assert case.due_date == date(2026, 12, 21)
    (row,) = suspensions(engine, case.number)
    assert (row.kind, row.reason, row.working_days) == ("上报", "报请省卫生健康委员会审批", 5)
    assert only_task(engine, case.number).bpmn_id == "window_pickup"


def test_a_reported_case_whose_item_keeps_counting_never_stops(engine, staff, clock):
    raw = read_catalogue_file(DEMO_CATALOGUE)
    counting = dict(next(item for item in raw["items"] if item["code"] == REPORTED), code="WJW-903",
                    report_clock="counting")
    raw["items"].append(counting)
    engine.load_catalogue(raw)
    case = accepted_case(engine, staff, "WJW-903")
    stopped, case = forward_and_register(engine, staff, clock, case.number, 7)
    assert (stopped.status, stopped.suspended_since) == ("已受理", None)
    assert (case.status, case.suspended_days, case.due_date) == ("正常办结", 0, date(2026, 12, 14))
    assert suspensions(engine, case.number) == []


# -- extension (第42条) ----------------------------------------------------------------
def extension_rows(engine, number: str) -> list[tuple]:
    with engine.session() as session:
        case_id = engine.get_case(number).id
        return [(r.decision, r.reason, r.decision_reason, r.granted, r.days) for r in session.scalars(
            select(CaseExtension).where(CaseExtension.case_id == case_id).order_by(CaseExtension.id))]


def answer_extension(engine, chief, number: str, decision: str, reason: str):
    task = open_by_department(engine, number)["approve_extension", "SCJG"]
    return engine.complete_task(chief, task.id, {"extension_decision": decision, "extension_decision_reason": reason})


def test_only_the_chief_extends_once_across_a_holiday(engine, staff, clock):
    at(clock, date(2026, 9, 29))
    case = accepted_case(engine, staff, PROMISED)
    approver, chief = staff["scjg_approver1"], staff["scjg_chief"]
    with pytest.raises(Forbidden):
        engine.request_extension(staff["clerk1"], case.number, "需要补充核查")
    engine.request_extension(approver, case.number, "需要对经营场所补充核查")
    with pytest.raises(Conflict):  # one request waits for the chief at a time
        engine.request_extension(staff["scjg_approver2"], case.number, "再次申请")
    for outsider in (approver, staff["zjj_chief"]):
        with pytest.raises(Forbidden):
            answer_extension(engine, outsider, case.number, "approve", "同意")
    case = answer_extension(engine, chief, case.number, "refuse", "核查可在期限内完成")
    assert (case.extended_days, case.due_date) == (0, date(2026, 10, 19))

    engine.request_extension(approver, case.number, "现场核查发现新问题，需专家论证")
    case = answer_extension(engine, chief, case.number, "approve", "情况属实，同意延期")
    # 10 more working days after 19 October: 20-23, 26-30 October, 2 November.
    assert (case.extended_days, case.due_date) == (10, date(2026, 11, 2))
    with pytest.raises(Conflict) as error:
        engine.request_extension(approver, case.number, "第三次申请")
    assert "once" in error.value.message
    assert extension_rows(engine, case.number) == [
        ("refused", "需要对经营场所补充核查", "核查可在期限内完成", False, 10),
        ("approved", "现场核查发现新问题，需专家论证", "情况属实，同意延期", True, 10)]
    review = open_by_department(engine, case.number)["review", "SCJG"]
    assert review.due_date == date(2026, 10, 30)  # the back office returns the result a day before
    assert actions(engine, case.number).count("request_extension") == 2
    with engine.session() as session:
        assert session.scalar(select(func.count()).select_from(CaseExtension)) == 2


def test_a_decision_waits_for_the_chiefs_answer_to_the_departments_extension_request(engine, staff, clock):
    """A pending request must not outlive the case: the department decides once the chief has answered."""
    case = accepted_case(engine, staff, PROMISED)
    approver, chief = staff["scjg_approver1"], staff["scjg_chief"]
    engine.claim_task(approver, only_task(engine, case.number).id)
    engine.request_extension(approver, case.number, "需要对经营场所补充核查")
    review = open_by_department(engine, case.number)["review", "SCJG"]
    with pytest.raises(Conflict) as error:
        engine.complete_task(approver, review.id, {"decision": "approve", "opinion": "同意"})
    assert "extension request waiting for the chief representative" in error.value.message
    assert engine.get_case(case.number).decided_at is None
    answer_extension(engine, chief, case.number, "refuse", "核查可在期限内完成")
    case = engine.complete_task(approver, review.id, {"decision": "approve", "opinion": "同意"})
    assert case.decision == "approve" and case.extended_days == 0
