"""Task inboxes and task pages: every role, claim rules, form validation, the diagram, a whole case."""

import json
import re

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engine.audit.models import AuditEntry
from engine.workflow.bundles import PROCESS_DIR
from engine.workflow.forms import resolve_options
from tests.helpers import full_materials, intake, only_task, person, pickup_form
from web.tasks import forms

FOOD_LICENCE = "SCJG-002"  # 食品经营许可（新办）: 承诺件 of 市场监管 (SCJG)
BUILDING_PERMIT = "ZJJ-001"  # 建筑工程施工许可证核发: 承诺件 of 住建 (ZJJ)
SOLE_TRADER = "SCJG-001"  # 个体工商户设立登记: 即办件, decided at the window


def new_case(engine, staff, code=FOOD_LICENCE, **intake_options):
    return engine.create_case(staff["clerk1"], code, person(), intake(engine, code, **intake_options))


def at_review(engine, staff, code=FOOD_LICENCE):
    """A case in the back office: its open task is 审查决定 in the item's department queue."""
    case = new_case(engine, staff, code)
    return case, only_task(engine, case.number)


def audit_count(engine) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def api_token(app, username: str) -> dict:
    response = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": "onewindow-demo"})
    return {"Authorization": f"Bearer {response.json['token']}"}


def flashes(client) -> str:
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.get("_flashes", []))


# -- the inbox ------------------------------------------------------------------------

def test_the_inbox_shows_the_department_queue_and_mine(app, engine, staff, sign_in):
    scjg_case, scjg_task = at_review(engine, staff)
    zjj_case, _ = at_review(engine, staff, BUILDING_PERMIT)
    approver = sign_in("scjg_approver1")
    page = approver.get("/tasks/").data.decode()
    assert scjg_case.number in page and zjj_case.number not in page
    assert "食品经营许可（新办）" in page and "张三" in page and "审查决定" in page and "未认领" in page
    assert 'class="badge normal"' in page and f'action="/tasks/{scjg_task.id}/claim"' in page
    assert scjg_case.number not in approver.get("/tasks/?mine=1").data.decode()
    engine.claim_task(staff["scjg_approver1"], scjg_task.id)
    mine = approver.get("/tasks/?mine=1").data.decode()
    assert scjg_case.number in mine and "李明" in mine and f'action="/tasks/{scjg_task.id}/unclaim"' in mine
    assert zjj_case.number in sign_in("zjj_approver2").get("/tasks/").data.decode()
    assert scjg_case.number not in sign_in("zjj_approver2").get("/tasks/").data.decode()


def test_clerks_see_the_window_queue_not_the_back_office(app, engine, staff, sign_in):
    waiting = new_case(engine, staff, missing=1)  # 出具一次性告知书 waits at the window
    reviewed, _ = at_review(engine, staff)
    page = sign_in("clerk2").get("/tasks/").data.decode()
    assert waiting.number in page and "出具一次性告知书" in page
    assert reviewed.number not in page


def test_the_inbox_needs_an_acting_role(app, sign_in):
    assert app.test_client().get("/tasks/").status_code == 302  # to the sign-in page
    assert sign_in("supervisor").get("/tasks/").status_code == 403
    assert sign_in("admin").get("/tasks/").status_code == 403


# -- claim and release ---------------------------------------------------------------

def test_claim_and_release_rules(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    first, second, chief = sign_in("scjg_approver1"), sign_in("scjg_approver2"), sign_in("scjg_chief")
    claimed = first.post(f"/tasks/{task.id}/claim", data={"csrf_token": first.csrf, "next": "/tasks/?mine=1"})
    assert claimed.status_code == 303 and claimed.location == "/tasks/?mine=1"
    assert "已认领" in flashes(first)
    assert only_task(engine, case.number).assignee_id == staff["scjg_approver1"].id

    taken = second.post(f"/tasks/{task.id}/claim", data={"csrf_token": second.csrf})
    assert taken.status_code == 409 and "已被他人认领" in taken.data.decode()
    refused = second.post(f"/tasks/{task.id}/unclaim", data={"csrf_token": second.csrf})
    assert refused.status_code == 403 and "只有认领人或首席代表可以退回" in refused.data.decode()
    assert only_task(engine, case.number).assignee_id == staff["scjg_approver1"].id

    released = chief.post(f"/tasks/{task.id}/unclaim", data={"csrf_token": chief.csrf, "next": "//evil.example/x"})
    assert released.status_code == 303 and released.location == f"/tasks/{task.id}"  # never to another site
    assert only_task(engine, case.number).assignee_id is None
    again = chief.post(f"/tasks/{task.id}/unclaim", data={"csrf_token": chief.csrf})
    assert again.status_code == 409 and "尚未被认领" in again.data.decode()


def test_other_departments_and_other_roles_are_refused(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    for username in ("zjj_approver1", "zjj_chief", "clerk1"):
        client = sign_in(username)
        assert client.get(f"/tasks/{task.id}").status_code == 403, username
        assert client.post(f"/tasks/{task.id}/claim", data={"csrf_token": client.csrf}).status_code == 403
    supervisor = sign_in("supervisor")
    for action in ("claim", "unclaim", "complete"):
        assert supervisor.post(f"/tasks/{task.id}/{action}", data={"csrf_token": supervisor.csrf}).status_code == 403
    assert supervisor.get(f"/tasks/{task.id}").status_code == 403
    assert only_task(engine, case.number).assignee_id is None


def test_a_post_without_the_csrf_token_changes_nothing(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    approver = sign_in("scjg_approver1")
    response = approver.post(f"/tasks/{task.id}/claim")
    assert response.status_code == 400 and "csrf_token" in response.data.decode()
    assert only_task(engine, case.number).assignee_id is None
    engine.claim_task(staff["scjg_approver1"], task.id)
    assert approver.post(f"/tasks/{task.id}/complete", data={"decision": "approve", "opinion": "同意"}).status_code == 400
    assert only_task(engine, case.number).id == task.id


def test_unknown_and_malformed_task_ids(app, sign_in):
    approver = sign_in("scjg_approver1")
    unknown = approver.get("/tasks/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and "task_id" in unknown.data.decode()
    malformed = approver.get("/tasks/not-a-task")
    assert malformed.status_code == 422 and "task_id" in malformed.data.decode()
    assert approver.post("/tasks/not-a-task/claim", data={"csrf_token": approver.csrf}).status_code == 422


# -- the task page ------------------------------------------------------------------

def test_the_review_page_shows_the_case_and_the_decision_form(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    engine.claim_task(staff["scjg_approver1"], task.id)
    page = sign_in("scjg_approver1").get(f"/tasks/{task.id}").data.decode()
    assert case.number in page and "食品经营许可（新办）" in page and "示范市市场监督管理局" in page
    applicant_id = person()["id_number"]
    assert applicant_id not in page and f"{applicant_id[:6]}********{applicant_id[-4:]}" in page
    assert "食品经营许可申请书" in page and "✓" in page  # the materials the window received
    assert 'type="radio" name="decision" value="approve"' in page and "准予许可" in page and "不予许可" in page
    assert re.search(r'<textarea name="opinion"[^>]*maxlength="2000"', page)
    assert "「审批结论」为「不予许可」时必填" in page  # refusal_reasons is required only when rejecting
    assert f'data-diagram-url="/api/v1/tasks/diagram/{case.number}"' in page
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page and "js/diagram.js" in page
    assert "收件登记" in page and "王晓燕" in page  # the intake step in the case's record


def test_an_unclaimed_review_must_be_claimed_before_the_form_works(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    approver = sign_in("scjg_approver2")
    page = approver.get(f"/tasks/{task.id}").data.decode()
    assert "须先认领" in page and f'action="/tasks/{task.id}/claim"' in page
    assert re.search(r'<fieldset disabled>\s*<legend>审批结论', page)
    response = approver.post(f"/tasks/{task.id}/complete",
                             data={"csrf_token": approver.csrf, "decision": "approve", "opinion": "同意许可"})
    assert response.status_code == 403 and "请先认领待办事项" in response.data.decode()
    assert only_task(engine, case.number).id == task.id


def test_bad_fields_are_named_and_nothing_changes(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    engine.claim_task(staff["scjg_approver1"], task.id)
    approver = sign_in("scjg_approver1")
    before = (audit_count(engine), engine.get_case(case.number).version)
    rejected = approver.post(f"/tasks/{task.id}/complete",
                             data={"csrf_token": approver.csrf, "decision": "reject", "opinion": "材料存在问题"})
    page = rejected.data.decode()
    assert rejected.status_code == 422 and "refusal_reasons" in page and "办件未作任何改动" in page
    assert 'value="reject" checked' in page and "材料存在问题" in page  # what was typed is kept
    short = approver.post(f"/tasks/{task.id}/complete",
                          data={"csrf_token": approver.csrf, "decision": "approve", "opinion": "好"})
    assert short.status_code == 422 and re.search(r'class="form-field widget-textarea invalid"', short.data.decode())
    assert 'data-field="opinion"' in short.data.decode()
    forged = approver.post(f"/tasks/{task.id}/complete",
                           data={"csrf_token": approver.csrf, "decision": "maybe", "opinion": "同意许可"})
    assert forged.status_code == 422 and 'data-field="decision"' in forged.data.decode()
    assert (audit_count(engine), engine.get_case(case.number).version) == before
    assert only_task(engine, case.number).id == task.id


def test_a_task_completed_twice_gives_409_the_second_time(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    engine.claim_task(staff["scjg_approver1"], task.id)
    approver = sign_in("scjg_approver1")
    form = {"csrf_token": approver.csrf, "decision": "approve", "opinion": "经审查，符合法定条件"}
    assert approver.post(f"/tasks/{task.id}/complete", data=form).status_code == 303
    second = approver.post(f"/tasks/{task.id}/complete", data=form)
    assert second.status_code == 409 and "已办结，不能再办理" in second.data.decode()
    assert "本环节已结束" in second.data.decode()
    api = approver.post(f"/api/v1/tasks/{task.id}/complete", json={"decision": "approve", "opinion": "同意许可"},
                        headers={"X-CSRFToken": approver.csrf})
    assert api.status_code == 409 and api.json["code"] == "conflict" and api.json["field"] == "task_id"
    assert engine.get_case(case.number).status == "正常办结"


# -- the whole case through the pages -------------------------------------------------

def test_a_case_walked_through_every_page(app, engine, staff, sign_in):
    case = new_case(engine, staff, missing=1)
    clerk = sign_in("clerk1")
    notice = only_task(engine, case.number)
    page = clerk.get(f"/tasks/{notice.id}").data.decode()
    assert "出具一次性告知书" in page and "缺少必要材料 1 项" in page and "补正说明" in page

    # 一次性告知书 issued: the clerk goes straight on to the correction step, which is theirs too.
    issued = clerk.post(f"/tasks/{notice.id}/complete",
                        data={"csrf_token": clerk.csrf, "notice_remarks": "请补齐食品安全管理人员基本情况"})
    correction = only_task(engine, case.number)
    assert correction.bpmn_id == "await_correction"
    assert issued.status_code == 303 and issued.location == f"/tasks/{correction.id}"
    assert engine.get_case(case.number).status == "待补办"
    page = clerk.get(f"/tasks/{correction.id}").data.decode()
    received = intake(engine, FOOD_LICENCE, missing=1)["received_materials"]
    assert all(f'value="{code}" checked' in page for code in received)  # what the window holds stays ticked
    assert 'name="material_defects.0.code"' in page and "请补齐食品安全管理人员基本情况" in page
    # A blank defect row must not stop the browser from sending the form: no `required` inside rows.
    assert not re.search(r'name="material_defects\.0\.(code|problem)"[^>]*required', page)
    assert re.search(r'type="radio" name="correction_action" value="submit" required', page)

    # The applicant comes back with everything: the case goes to the back office.
    corrected = clerk.post(f"/tasks/{correction.id}/complete", data={
        "csrf_token": clerk.csrf, "correction_action": "submit", "received_materials": full_materials(engine, FOOD_LICENCE),
        "material_defects.0.code": "", "material_defects.0.problem": ""})
    assert corrected.status_code == 303 and corrected.location == "/tasks/"
    review = only_task(engine, case.number)
    assert review.bpmn_id == "review" and engine.get_case(case.number).status == "已受理"

    approver = sign_in("scjg_approver1")
    assert case.number in approver.get("/tasks/").data.decode()
    assert approver.post(f"/tasks/{review.id}/claim", data={"csrf_token": approver.csrf}).status_code == 303
    decided = approver.post(f"/tasks/{review.id}/complete", data={
        "csrf_token": approver.csrf, "decision": "approve", "opinion": "经审查，申请材料齐全，符合法定条件，准予许可"})
    assert decided.status_code == 303 and decided.location == "/tasks/"  # the pickup is the window's
    assert "正常办结" in flashes(approver)

    pickup = only_task(engine, case.number)
    assert pickup.bpmn_id == "window_pickup"
    page = clerk.get(f"/tasks/{pickup.id}").data.decode()
    assert "经审查，申请材料齐全，符合法定条件，准予许可" in page and "李明" in page  # the approver's opinion
    without_tick = {key: value for key, value in pickup_form().items() if key != "id_checked"}
    unchecked = clerk.post(f"/tasks/{pickup.id}/complete", data={
        "csrf_token": clerk.csrf, **without_tick})
    assert unchecked.status_code == 422 and 'data-field="id_checked"' in unchecked.data.decode()
    handed = clerk.post(f"/tasks/{pickup.id}/complete", data={
        "csrf_token": clerk.csrf, **without_tick, "id_checked": "true"})
    rating = only_task(engine, case.number)
    assert handed.status_code == 303 and handed.location == f"/tasks/{rating.id}"
    page = clerk.get(f"/tasks/{rating.id}").data.decode()
    assert all(f'value="{choice}"' in page for choice in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"))
    rated = clerk.post(f"/tasks/{rating.id}/complete", data={"csrf_token": clerk.csrf, "rating": "满意"})
    assert rated.status_code == 303 and rated.location == "/tasks/"
    done = engine.get_case(case.number)
    assert done.closed_at is not None and done.rating == "满意" and done.outcome == "completed"
    assert engine.open_tasks(case.number) == []
    record = clerk.get(f"/tasks/{rating.id}").data.decode()
    assert "本环节已结束" in record and "已核验领取人身份证件：是" in record


def test_window_decision_and_postal_dispatch_pages(app, engine, staff, sign_in):
    case = new_case(engine, staff, SOLE_TRADER, delivery="post")
    clerk = sign_in("clerk2")
    decision = only_task(engine, case.number)
    assert decision.bpmn_id == "window_decision"
    decided = clerk.post(f"/tasks/{decision.id}/complete",
                         data={"csrf_token": clerk.csrf, "decision": "approve", "opinion": "材料齐全，当场办结"})
    dispatch = only_task(engine, case.number)
    assert decided.location == f"/tasks/{dispatch.id}" and dispatch.bpmn_id == "postal_dispatch"
    page = clerk.get(f"/tasks/{dispatch.id}").data.decode()
    assert 'value="EMS"' in page and 'pattern="^[A-Z0-9]{10,30}$"' in page and "示范市人民路1号3幢201室" in page
    assert 'name="handed_to"' in page
    bad = clerk.post(f"/tasks/{dispatch.id}/complete", data={"csrf_token": clerk.csrf, "carrier": "EMS",
                                                             "waybill_number": "no-such-waybill", "handed_to": "赵六"})
    assert bad.status_code == 422 and 'data-field="waybill_number"' in bad.data.decode()
    no_courier = clerk.post(f"/tasks/{dispatch.id}/complete",
                            data={"csrf_token": clerk.csrf, "carrier": "EMS", "waybill_number": "1190012345678"})
    assert no_courier.status_code == 422 and "handed_to" in no_courier.data.decode()
    assert only_task(engine, case.number).id == dispatch.id
    posted = clerk.post(f"/tasks/{dispatch.id}/complete", data={"csrf_token": clerk.csrf, "carrier": "EMS",
                                                                "waybill_number": "1190012345678",
                                                                "handed_to": "邮政揽收员赵六"})
    confirm = only_task(engine, case.number)
    assert posted.status_code == 303 and posted.location == f"/tasks/{confirm.id}"
    assert confirm.bpmn_id == "confirm_delivery"
    confirm_page = clerk.get(f"/tasks/{confirm.id}").data.decode()
    assert 'type="date" name="delivered_on"' in confirm_page and "1190012345678" in confirm_page
    delivered = clerk.post(f"/tasks/{confirm.id}/complete", data={"csrf_token": clerk.csrf,
                                                                  "delivered_on": "2026-11-23", "signed_by": "张三"})
    assert delivered.status_code == 303 and only_task(engine, case.number).bpmn_id == "rating"
    assert engine.get_case(case.number).delivery_method == "post"


def test_a_correction_can_withdraw_the_application(app, engine, staff, sign_in):
    case = new_case(engine, staff, missing=1)
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    correction = only_task(engine, case.number)
    clerk = sign_in("clerk3")
    half_filled = clerk.post(f"/tasks/{correction.id}/complete", data={
        "csrf_token": clerk.csrf, "correction_action": "submit", "received_materials": ["M01"],
        "material_defects.0.code": "M01", "material_defects.0.problem": ""})
    assert half_filled.status_code == 422 and 'data-field="material_defects.0.problem"' in half_filled.data.decode()
    assert "材料问题（不符合法定形式） › 第1行 › 问题" in half_filled.data.decode()
    assert 'value="M01" selected' in half_filled.data.decode()  # the half-filled row is shown again
    withdrawn = clerk.post(f"/tasks/{correction.id}/complete", data={
        "csrf_token": clerk.csrf, "correction_action": "withdraw", "withdraw_reason": "申请人决定暂不办理"})
    assert withdrawn.status_code == 303 and withdrawn.location == "/tasks/"
    closed = engine.get_case(case.number)
    assert closed.status == "撤销申请" and closed.outcome == "withdrawn"


# -- the JSON API ---------------------------------------------------------------------

def test_api_queue_and_task(app, engine, staff):
    case, task = at_review(engine, staff)
    zjj_case, zjj_task = at_review(engine, staff, BUILDING_PERMIT)
    client, headers = app.test_client(), api_token(app, "scjg_approver1")
    queue = client.get("/api/v1/tasks", headers=headers).json
    assert [row["case_number"] for row in queue] == [case.number]
    assert queue[0]["id"] == task.id and queue[0]["name"] == "审查决定" and queue[0]["assignee_id"] is None
    assert queue[0]["item_name"] == "食品经营许可（新办）" and queue[0]["deadline_state"] == "normal"
    assert client.get("/api/v1/tasks?mine=true", headers=headers).json == []
    assert client.get("/api/v1/tasks?mine=perhaps", headers=headers).json["field"] == "mine"

    detail = client.get(f"/api/v1/tasks/{task.id}", headers=headers).json
    assert detail["task"]["case_number"] == case.number and detail["form"]["title"] == "审批决定"
    assert detail["form"]["properties"]["decision"]["enum"] == ["approve", "reject"]
    assert detail["case"]["applicant"]["name"] == "张三" and "*" in detail["case"]["applicant"]["id_number"]
    assert {m["code"] for m in detail["case"]["materials"] if m["received"]} >= set(full_materials(engine, FOOD_LICENCE))
    assert detail["case"]["steps"][0]["action"] == "create" and detail["case"]["steps"][0]["actor"] == "王晓燕"
    assert detail["may"] == {"claim": True, "unclaim": False, "complete": False}

    other = client.get(f"/api/v1/tasks/{zjj_task.id}", headers=headers)
    assert other.status_code == 403 and other.json["field"] == "task_id"
    assert zjj_case.number not in str(queue)
    assert client.get("/api/v1/tasks/00000000-0000-4000-8000-000000000000", headers=headers).json["field"] == "task_id"
    malformed = client.get("/api/v1/tasks/12345", headers=headers)
    assert malformed.status_code == 422 and malformed.json["field"] == "task_id"
    assert client.get("/api/v1/tasks", headers=api_token(app, "supervisor")).status_code == 403
    assert client.get("/api/v1/tasks").status_code == 401


def test_api_options_come_from_the_task_data(app, engine, staff):
    case = new_case(engine, staff, missing=1)
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    correction = only_task(engine, case.number)
    detail = app.test_client().get(f"/api/v1/tasks/{correction.id}", headers=api_token(app, "clerk1")).json
    materials = detail["form"]["properties"]["received_materials"]["items"]["enum"]
    assert materials == [m["code"] for m in detail["case"]["materials"]] and "M01" in materials
    assert detail["case"]["missing_materials"] and detail["may"]["complete"] is True


def test_api_claim_unclaim_complete(app, engine, staff, sign_in):
    case, task = at_review(engine, staff)
    client = app.test_client()
    first, second, chief = (api_token(app, name) for name in ("scjg_approver1", "scjg_approver2", "scjg_chief"))
    claimed = client.post(f"/api/v1/tasks/{task.id}/claim", headers=first)
    assert claimed.status_code == 200 and claimed.json["assignee_name"] == "李明"
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=second).status_code == 409
    assert client.post(f"/api/v1/tasks/{task.id}/unclaim", headers=second).status_code == 403
    assert client.post(f"/api/v1/tasks/{task.id}/unclaim", headers=chief).json["assignee_id"] is None
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=api_token(app, "zjj_approver1")).status_code == 403
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=api_token(app, "clerk1")).status_code == 403
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=api_token(app, "supervisor")).status_code == 403

    session_client = sign_in("scjg_approver2")
    assert session_client.post(f"/api/v1/tasks/{task.id}/claim").status_code == 400  # a session needs X-CSRFToken
    assert only_task(engine, case.number).assignee_id is None
    assert session_client.post(f"/api/v1/tasks/{task.id}/claim",
                               headers={"X-CSRFToken": session_client.csrf}).status_code == 200

    before = (audit_count(engine), engine.get_case(case.number).version)
    for body, field in (({"decision": "approve"}, "opinion"), ({"decision": "reject", "opinion": "不符合条件"},
                                                               "refusal_reasons"),
                        ({"decision": "approve", "opinion": "同意", "stamp": "x"}, "stamp"), ([1, 2], None)):
        refused = session_client.post(f"/api/v1/tasks/{task.id}/complete", json=body,
                                      headers={"X-CSRFToken": session_client.csrf})
        assert refused.status_code == 422, body
        if field:
            assert refused.json["field"] == field
    assert (audit_count(engine), engine.get_case(case.number).version) == before

    done = session_client.post(f"/api/v1/tasks/{task.id}/complete",
                               json={"decision": "reject", "opinion": "经现场核查不符合条件",
                                     "refusal_reasons": "经营场所不符合卫生要求（《食品经营许可和备案管理办法》第十二条）"},
                               headers={"X-CSRFToken": session_client.csrf})
    assert done.status_code == 200
    assert done.json == {"case_number": case.number, "case_status": "不予许可", "task_name": "审查决定",
                         "next_task_id": None}
    next_for_clerk = client.post(f"/api/v1/tasks/{only_task(engine, case.number).id}/claim",
                                 headers=api_token(app, "clerk1"))
    assert next_for_clerk.status_code == 200 and next_for_clerk.json["name"] == "窗口出件"


def test_the_task_api_is_documented(app):
    spec = app.test_client().get("/api/openapi.json").json
    for path in ("/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/tasks/{task_id}/claim",
                 "/api/v1/tasks/{task_id}/unclaim", "/api/v1/tasks/{task_id}/complete",
                 "/api/v1/tasks/diagram/{case_number}"):
        assert path in spec["paths"], path
    assert {"TaskRow", "TaskDetail", "TaskCompletion", "TaskCaseDiagram"} <= set(spec["components"]["schemas"])


# -- the diagram ------------------------------------------------------------------------

def test_the_diagram_marks_the_done_path_and_the_current_step(app, engine, staff, sign_in):
    case = new_case(engine, staff, missing=1)
    headers = api_token(app, "clerk1")
    client = app.test_client()
    diagram = client.get(f"/api/v1/tasks/diagram/{case.number}", headers=headers).json
    assert diagram["process_id"] == "one_window" and "<bpmn:definitions" in diagram["bpmn"]
    assert diagram["current"] == ["issue_notice", "notice_overdue"]  # the notice and its 5-day timer
    assert {"start", "intake", "check_materials", "decide_intake"} <= set(diagram["completed"])
    assert "accept" not in diagram["completed"] and "review" not in diagram["completed"]

    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, FOOD_LICENCE),
        "material_defects": []})
    diagram = client.get(f"/api/v1/tasks/diagram/{case.number}", headers=api_token(app, "scjg_chief")).json
    assert diagram["current"] == ["review"]
    assert "notice_overdue" not in diagram["completed"] + diagram["current"]  # the notice came in time
    assert {"issue_notice", "await_correction", "accept"} <= set(diagram["completed"])

    assert client.get(f"/api/v1/tasks/diagram/{case.number}", headers=api_token(app, "supervisor")).status_code == 200
    other = client.get(f"/api/v1/tasks/diagram/{case.number}", headers=api_token(app, "zjj_approver1"))
    assert other.status_code == 403 and other.json["field"] == "case_number"
    unknown = client.get("/api/v1/tasks/diagram/ZW2026112399999", headers=headers)
    assert unknown.status_code == 404 and unknown.json["field"] == "case_number"
    assert client.get(f"/api/v1/tasks/diagram/{case.number}").status_code == 401


def test_the_diagram_partial_and_its_assets(app):
    with app.test_request_context():
        from flask import render_template_string
        html = render_template_string('{% with case_number = "ZW2026112300001" %}'
                                      '{% include "tasks/_diagram.html" %}{% endwith %}')
    assert 'data-diagram-url="/api/v1/tasks/diagram/ZW2026112300001"' in html
    client = app.test_client()
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()
    script = client.get("/static/js/diagram.js").data.decode()
    assert "addMarker(id, marker)" in script and "'completed'" in script and "'current'" in script
    assert "Camunda" in client.get("/static/vendor/bpmn-js/LICENSE").data.decode()


# -- reading posted forms ---------------------------------------------------------------

def test_posted_forms_become_the_json_the_engine_checks(app):
    schema = json.loads((PROCESS_DIR / "forms" / "intake.schema.json").read_text(encoding="utf-8"))
    data = {"material_codes": ["M01", "M02"], "materials": [{"code": "M01", "name": "申请书"}],
            "delivery_options": ["pickup", "post"]}
    with app.test_request_context():
        fields = forms.fields_of(resolve_options(schema, data), data)
        widgets = {field.key: field.widget for field in fields}
        assert widgets == {"received_materials": "checkboxes", "material_defects": "rows", "acceptable": "checkbox",
                           "rejection_reasons": "textarea", "delivery_method": "radio", "postal_address": "group"}
        # neither M01 nor M02 may be committed: no 容缺 section
        committable = [{**data["materials"][0], "commitment_allowed": True}]
        committed = next(field for field in forms.fields_of(resolve_options(schema, data), {**data, "materials": committable})
                         if field.key == "committed_materials")
        assert [child.widget for child in committed.children] == ["select", "date"]
        assert [code for code, _label in committed.children[0].options] == ["M01"]
        assert fields[0].options == [("M01", "M01 申请书"), ("M02", "M02")]
        by_key = {field.key: field for field in fields}
        assert by_key["postal_address"].required_when == [("结果送达方式", "邮寄送达")]
        assert by_key["rejection_reasons"].required_when == [("属于本事项受理范围、申请人适格", "否")]

        blank = forms.submission(fields, MultiDict([("delivery_method", "pickup"), ("postal_address.recipient", " "),
                                                    ("material_defects.0.code", ""), ("rejection_reasons", "")]))
        assert blank == {"received_materials": [], "material_defects": [], "acceptable": False,
                         "delivery_method": "pickup"}
        filled = forms.submission(fields, MultiDict([
            ("received_materials", "M01"), ("received_materials", "M02"), ("acceptable", "true"),
            ("material_defects.3.code", "M02"), ("material_defects.3.problem", "复印件不清晰"),
            ("material_defects.0.code", "M01"), ("material_defects.0.problem", "未签字"),
            ("delivery_method", "post"), ("postal_address.recipient", "张三"), ("postal_address.region", "same_city")]))
        assert filled == {"received_materials": ["M01", "M02"], "acceptable": True, "delivery_method": "post",
                          "material_defects": [{"code": "M01", "problem": "未签字"}, {"code": "M02", "problem": "复印件不清晰"}],
                          "postal_address": {"recipient": "张三", "region": "same_city"}}
        assert forms.field_title(fields, "postal_address.region") == "邮寄地址 › 寄达范围"
        shown = dict(forms.display(schema, filled, data))
        assert shown["已收材料"] == "M01 申请书；M02" and shown["结果送达方式"] == "邮寄送达"
        assert shown["邮寄地址"] == "收件人：张三，寄达范围：同城"

        numbers = forms.fields_of({"type": "object", "properties": {"copies": {"type": "integer"}}}, {})
        assert forms.submission(numbers, MultiDict([("copies", "3")])) == {"copies": 3}
        assert forms.submission(numbers, MultiDict([("copies", "three")])) == {"copies": "three"}


# -- English ----------------------------------------------------------------------------

def test_the_task_pages_in_english(app, engine, staff, sign_in):
    _case, task = at_review(engine, staff)
    approver = sign_in("scjg_approver1")
    approver.get("/lang/en")
    assert "Department queue" in approver.get("/tasks/").data.decode()
    page = approver.get(f"/tasks/{task.id}").data.decode()
    assert "Review and decision" in page and "Approve" in page and "Case diagram" in page
