"""Issue 19: the extension (行政许可法 第42条) is decided inside the limit, a joint item's by the
center's director (第42条第2款), and nobody approves his own request; issue 12: the engine
enforces the model's ``clock: stoppable``. On SQLite and PostgreSQL."""

from datetime import date

import pytest

from engine.clock import local_datetime
from engine.demo import demo_staff
from engine.errors import Conflict, Forbidden
from tests.helpers import intake, only_task, person

PROMISED = "SCJG-002"  # 承诺件 of SCJG, accepted Monday 23 November 2026: due 7 December, extension 10
JOINT = "ZRGH-001"  # 联办件: lead ZRGH, co ZJJ, extension 15
APPROVE = {"extension_decision": "approve", "extension_decision_reason": "情况属实，同意延期"}
REFUSE = {"extension_decision": "refuse", "extension_decision_reason": "核查可在期限内完成"}


def accepted(engine, staff, code: str):
    return engine.create_case(staff["clerk1"], code, person(), intake(engine, code))


def approval(engine, number: str):
    return next(task for task in engine.open_tasks(number) if task.milestone == "extension_decided")


def queued(engine, actor, task) -> bool:
    return any(row.id == task.id for row in engine.task_queue(actor))


# -- 第42条: decided while the limit runs ------------------------------------------------
def test_extension_requested_after_due_date_is_refused(engine, staff, clock):
    case = accepted(engine, staff, PROMISED)
    assert case.due_date == date(2026, 12, 7)
    clock.set(local_datetime(date(2026, 12, 8), 9))
    with pytest.raises(Conflict) as error:
        engine.request_extension(staff["scjg_approver1"], case.number, "需要对经营场所补充核查")
    assert "第四十二条" in error.value.message and "2026-12-07" in error.value.message
    assert error.value.field == "case_number"
    assert [task.milestone for task in engine.open_tasks(case.number)] == [None]


def test_extension_requested_on_the_due_date_is_still_accepted(engine, staff, clock):
    case = accepted(engine, staff, PROMISED)
    clock.set(local_datetime(date(2026, 12, 7), 16))
    engine.request_extension(staff["scjg_approver1"], case.number, "需要对经营场所补充核查")
    assert approval(engine, case.number).role == "chief"


def test_extension_approved_after_due_date_is_refused_but_may_be_refused(engine, staff, clock):
    case = accepted(engine, staff, PROMISED)
    clock.set(local_datetime(date(2026, 12, 7), 9))
    engine.request_extension(staff["scjg_approver1"], case.number, "需要对经营场所补充核查")
    task = approval(engine, case.number)
    clock.set(local_datetime(date(2026, 12, 8), 9))
    with pytest.raises(Conflict) as error:
        engine.complete_task(staff["scjg_chief"], task.id, APPROVE)
    assert "第四十二条" in error.value.message
    assert engine.get_case(case.number).extended_days == 0
    assert approval(engine, case.number).id == task.id  # nothing changed: the request still waits
    case = engine.complete_task(staff["scjg_chief"], task.id, REFUSE)
    assert (case.extended_days, case.due_date) == (0, date(2026, 12, 7))


def test_a_stopped_clock_keeps_the_limit_running_for_an_extension(engine, staff, clock):
    """第45条: the stopped days do not count, so the limit has not passed while the clock stands."""
    case = accepted(engine, staff, PROMISED)
    approver = staff["scjg_approver1"]
    clock.set(local_datetime(date(2026, 12, 4), 9))
    engine.suspend_clock(approver, case.number, "现场勘察", "需现场核查经营场所")
    clock.set(local_datetime(date(2026, 12, 10), 9))
    engine.request_extension(approver, case.number, "勘察发现新问题，需专家论证")
    assert approval(engine, case.number).role == "chief"


# -- 第42条第2款: a joint item's extension is the director's -------------------------------
def test_a_joint_items_extension_is_approved_by_the_director(engine, staff):
    case = accepted(engine, staff, JOINT)
    countersign = next(task for task in engine.open_tasks(case.number) if task.department_code == "ZRGH")
    engine.claim_task(staff["zrgh_approver1"], countersign.id)
    engine.request_extension(staff["zrgh_approver1"], case.number, "规划条件需补充论证")
    task = approval(engine, case.number)
    assert (task.role, task.department_code) == ("director", None)
    chief = staff["zrgh_chief"]
    assert not queued(engine, chief, task)
    for step in (lambda: engine.claim_task(chief, task.id), lambda: engine.complete_task(chief, task.id, APPROVE)):
        with pytest.raises(Forbidden):
            step()
    director = staff["director"]
    assert queued(engine, director, task)
    case = engine.complete_task(director, task.id, APPROVE)
    assert case.extended_days == 15


def test_other_extensions_stay_with_the_departments_chief(engine, staff):
    case = accepted(engine, staff, PROMISED)
    engine.request_extension(staff["scjg_approver1"], case.number, "需要对经营场所补充核查")
    task = approval(engine, case.number)
    assert (task.role, task.department_code) == ("chief", "SCJG")
    assert queued(engine, staff["scjg_chief"], task)
    assert not queued(engine, staff["zjj_chief"], task)
    case = engine.complete_task(staff["scjg_chief"], task.id, APPROVE)
    assert case.extended_days == 10


def test_the_demo_center_has_a_director_account():
    assert ("director", "周主任", "director", None) in demo_staff()


# -- nobody approves his own request ----------------------------------------------------
def test_a_chief_who_asked_for_an_extension_cannot_approve_it(engine, staff):
    case = accepted(engine, staff, PROMISED)
    chief, director = staff["scjg_chief"], staff["director"]
    engine.claim_task(chief, only_task(engine, case.number).id)
    engine.request_extension(chief, case.number, "需要对经营场所补充核查")
    task = approval(engine, case.number)
    assert not queued(engine, chief, task)
    with pytest.raises(Forbidden) as claim:
        engine.claim_task(chief, task.id)
    with pytest.raises(Forbidden) as complete:
        engine.complete_task(chief, task.id, APPROVE)
    for error in (claim, complete):
        assert "不能审批自己提出的申请" in error.value.message and error.value.field == "task_id"
    assert queued(engine, director, task)
    assert engine.complete_task(director, task.id, APPROVE).extended_days == 10


def test_a_chief_who_holds_the_case_cannot_approve_its_extension(engine, staff):
    case = accepted(engine, staff, PROMISED)
    chief = staff["scjg_chief"]
    engine.claim_task(chief, only_task(engine, case.number).id)
    engine.request_extension(staff["scjg_approver2"], case.number, "需要对经营场所补充核查")
    task = approval(engine, case.number)
    with pytest.raises(Forbidden):
        engine.complete_task(chief, task.id, APPROVE)
    assert engine.complete_task(staff["director"], task.id, REFUSE).extended_days == 0


def test_the_director_does_not_take_other_approvals_or_department_work(engine, staff):
    case = accepted(engine, staff, PROMISED)
    review = only_task(engine, case.number)
    with pytest.raises(Forbidden):
        engine.claim_task(staff["director"], review.id)
    assert not queued(engine, staff["director"], review)


def test_an_approval_refused_to_its_requester_through_the_api(app, engine, staff, sign_in):
    from tests.helpers import token_client

    case = accepted(engine, staff, PROMISED)
    engine.claim_task(staff["scjg_chief"], only_task(engine, case.number).id)
    engine.request_extension(staff["scjg_chief"], case.number, "需要对经营场所补充核查")
    task = approval(engine, case.number)
    client = token_client(app, "scjg_chief")
    response = client.post(f"/api/v1/tasks/{task.id}/complete", json=APPROVE)
    assert response.status_code == 403
    assert response.json["field"] == "task_id" and "不能审批自己提出的申请" in response.json["message"]
    assert client.post(f"/api/v1/tasks/{task.id}/claim").status_code == 403


def test_the_director_sees_the_board_supervision_and_his_inbox(app, engine, staff, sign_in):
    director = sign_in("director")
    for page in ("/board/", "/supervision/ratings", "/supervision/complaints", "/supervision/posts/", "/ledger/",
                 "/tasks/"):
        assert director.get(page).status_code == 200, page
    assert director.get("/api/v1/board/summary").status_code == 200


# -- issue 12: the engine enforces the model's clock: stoppable ---------------------------
def test_clock_actions_are_refused_at_a_step_not_declared_stoppable(engine, staff):
    """The joint meeting (联审会议) is a back-office step whose model declares no clock."""
    case = accepted(engine, staff, JOINT)
    for task in engine.open_tasks(case.number):
        approver = staff[f"{task.department_code.lower()}_approver1"]
        engine.claim_task(approver, task.id)
        engine.complete_task(approver, task.id, {"countersign_position": "agree", "countersign_opinion": "同意"})
    lead = only_task(engine, case.number)
    engine.claim_task(staff["zrgh_approver1"], lead.id)
    engine.complete_task(staff["zrgh_approver1"], lead.id, {"decision": "meeting", "opinion": "意见分歧，召开联审会议"})
    meeting = only_task(engine, case.number)
    assert (meeting.role, meeting.clock) == ("approver", None)
    with pytest.raises(Conflict):
        engine.suspend_clock(staff["zrgh_approver1"], case.number, "现场勘察", "需现场核查")
    with pytest.raises(Conflict):
        engine.request_extension(staff["zrgh_approver1"], case.number, "需补充论证")


def test_the_director_answers_a_joint_extension_on_its_page_and_the_requester_cannot(app, engine, staff, sign_in):
    case = accepted(engine, staff, JOINT)
    countersign = next(task for task in engine.open_tasks(case.number) if task.department_code == "ZRGH")
    engine.claim_task(staff["zrgh_chief"], countersign.id)
    engine.request_extension(staff["zrgh_chief"], case.number, "规划条件需补充论证")
    task = approval(engine, case.number)
    chief = sign_in("zrgh_chief")
    refused = chief.post(f"/tasks/{task.id}/complete", data={"csrf_token": chief.csrf, **APPROVE})
    assert refused.status_code == 403
    director = sign_in("director")
    page = director.get(f"/tasks/{task.id}").data.decode()
    assert "中心主任审批延期" in page and f'action="/tasks/{task.id}/complete"' in page
    done = director.post(f"/tasks/{task.id}/complete", data={"csrf_token": director.csrf, **APPROVE})
    assert done.status_code == 303
    assert engine.get_case(case.number).extended_days == 15


def test_a_joint_case_waits_for_the_directors_answer_before_its_departments_go_on(engine, staff):
    case = accepted(engine, staff, JOINT)
    parts = {task.department_code: task for task in engine.open_tasks(case.number)}
    for code, task in parts.items():
        engine.claim_task(staff[f"{code.lower()}_approver1"], task.id)
    engine.request_extension(staff["zjj_approver1"], case.number, "消防审查需补充论证")
    opinion = {"countersign_position": "agree", "countersign_opinion": "同意"}
    for code, task in parts.items():
        with pytest.raises(Conflict):
            engine.complete_task(staff[f"{code.lower()}_approver1"], task.id, opinion)
    engine.complete_task(staff["director"], approval(engine, case.number).id, REFUSE)
    engine.complete_task(staff["zrgh_approver1"], parts["ZRGH"].id, opinion)


def test_a_director_step_with_a_department_is_refused_at_deploy(engine, tmp_path):
    import shutil

    from engine.errors import ProcessDefinitionError
    from engine.workflow.bundles import PROCESS_DIR

    directory = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, directory)
    model = directory / "one_window.bpmn"
    text = model.read_text("utf-8")
    role = '<spiffworkflow:property name="role" value="director" />'
    model.write_text(text.replace(role, role + '<spiffworkflow:property name="department" value="department_code" />'),
                     encoding="utf-8")
    with pytest.raises(ProcessDefinitionError) as error:
        engine.deploy_processes(directory)
    assert "director" in error.value.message
