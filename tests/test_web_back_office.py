"""The back office on the web (issue 5): stopping the clock and asking for more time from a task
page and the API, countersigned opinions scoped to each department, the case page's records
and notices, 容缺 rows on the intake page; refusals change nothing. SQLite and PostgreSQL."""

from datetime import date

from sqlalchemy import func, select

from engine.audit.models import AuditEntry
from engine.clock import local_datetime
from tests.helpers import approve_in_back_office, intake, only_task, person

FOOD_LICENCE = "SCJG-002"  # 承诺件 of SCJG, 10 working days; M03 and M04 may be committed
JOINT = "ZRGH-001"  # 联办件: lead ZRGH, co ZJJ
AGREE = {"countersign_position": "agree", "countersign_opinion": "同意，符合规划条件"}
OBJECT = {"countersign_position": "object", "countersign_opinion": "施工图未通过审查，不同意"}


def audit_count(engine) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def at_review(engine, staff, code=FOOD_LICENCE):
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    return case, only_task(engine, case.number)


def joint_case(engine, staff, *, co_form=OBJECT):
    """A joint case after both countersigns: ZJJ (co) objects, ZRGH (lead) agrees; lead_decision is open."""
    case = engine.create_case(staff["clerk1"], JOINT, person(), intake(engine, JOINT))
    parts = {task.department_code: task for task in engine.open_tasks(case.number)}
    for department, form in (("ZJJ", co_form), ("ZRGH", AGREE)):
        approver = staff[f"{department.lower()}_approver1"]
        engine.claim_task(approver, parts[department].id)
        engine.complete_task(approver, parts[department].id, form)
    return case, parts


# -- the task page's clock forms ---------------------------------------------------------------

def test_suspending_and_extending_from_the_review_page(app, engine, staff, sign_in, clock):
    case, review = at_review(engine, staff)
    engine.claim_task(staff["scjg_approver1"], review.id)
    approver = sign_in("scjg_approver1")
    page = approver.get(f"/tasks/{review.id}").data.decode()
    assert f'action="/tasks/{review.id}/suspend"' in page and '<option value="检验">检验</option>' in page
    assert f'action="/tasks/{review.id}/extension"' in page and '<option value="上报">' not in page

    before = audit_count(engine)
    bad_kind = approver.post(f"/tasks/{review.id}/suspend", data={"csrf_token": approver.csrf, "kind": "上报",
                                                                   "reason": "送省级检验机构检验"})
    assert bad_kind.status_code == 422
    assert 'class="field-error" role="alert">原因类别须为以下之一' in bad_kind.data.decode()
    no_token = approver.post(f"/tasks/{review.id}/suspend", data={"kind": "检验", "reason": "送省级检验机构检验"})
    assert no_token.status_code == 400
    assert audit_count(engine) == before and engine.get_case(case.number).suspended_since is None

    done = approver.post(f"/tasks/{review.id}/suspend", data={"csrf_token": approver.csrf, "kind": "检验",
                                                               "reason": "送省级检验机构检验"})
    assert done.status_code == 303 and done.location == f"/tasks/{review.id}"
    assert engine.get_case(case.number).suspended_since == date(2026, 11, 23)
    page = approver.get(f"/tasks/{review.id}").data.decode()
    assert "本件已暂停计时" in page and f'action="/tasks/{review.id}/suspend"' not in page
    assert "送省级检验机构检验" in page and "计时暂停中" in page
    again = approver.post(f"/tasks/{review.id}/suspend", data={"csrf_token": approver.csrf, "kind": "检测",
                                                                "reason": "再次暂停"})
    assert again.status_code == 409 and "已在暂停计时中" in again.data.decode()

    resume = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "resume_clock")
    clock.set(local_datetime(date(2026, 11, 26), 10))
    resume_page = approver.get(f"/tasks/{resume.id}").data.decode()
    assert "本环节结束的暂停计时" in resume_page and "送省级检验机构检验" in resume_page
    ended = approver.post(f"/tasks/{resume.id}/complete", data={"csrf_token": approver.csrf,
                                                                 "resume_note": "检验报告已出具"})
    assert ended.status_code == 303
    resumed = engine.get_case(case.number)
    assert resumed.suspended_since is None and resumed.suspended_days == 3

    extended = approver.post(f"/tasks/{review.id}/extension", data={"csrf_token": approver.csrf,
                                                                     "reason": "需要对经营场所补充核查"})
    assert extended.status_code == 303
    twice = approver.post(f"/tasks/{review.id}/extension", data={"csrf_token": approver.csrf, "reason": "再次申请"})
    assert twice.status_code == 409 and "已有待首席代表审批的延期申请" in twice.data.decode()
    decision = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "approve_extension")
    chief = sign_in("scjg_chief")
    decision_page = chief.get(f"/tasks/{decision.id}").data.decode()
    assert "待审批的延期申请" in decision_page and "需要对经营场所补充核查" in decision_page
    assert "批准后办理期限延长 10 个工作日" in decision_page


def test_the_clock_forms_refuse_other_departments_and_are_not_on_window_steps(app, engine, staff, sign_in):
    case, review = at_review(engine, staff)
    outsider = sign_in("zjj_approver1")
    refused = outsider.post(f"/tasks/{review.id}/suspend", data={"csrf_token": outsider.csrf, "kind": "检验",
                                                                  "reason": "送检"})
    assert refused.status_code == 403 and engine.get_case(case.number).suspended_since is None
    at_window = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, missing=1))
    notice = only_task(engine, at_window.number)
    assert f'/tasks/{notice.id}/suspend' not in sign_in("clerk1").get(f"/tasks/{notice.id}").data.decode()


# -- joint review: scoped opinions --------------------------------------------------------------

def test_the_lead_sees_every_opinion_and_a_co_department_only_its_own(app, engine, staff, sign_in):
    case, parts = joint_case(engine, staff)
    decision = only_task(engine, case.number)
    assert decision.bpmn_id == "lead_decision"
    lead = sign_in("zrgh_approver1").get(f"/tasks/{decision.id}").data.decode()
    assert "施工图未通过审查，不同意" in lead and "同意，符合规划条件" in lead
    assert '<tr class="objection">' in lead and "1 个部门提出异议" in lead

    co = sign_in("zjj_approver1")
    own = co.get(f"/tasks/{parts['ZJJ'].id}").data.decode()
    assert "施工图未通过审查，不同意" in own and "同意，符合规划条件" not in own
    case_page = co.get(f"/cases/{case.number}").data.decode()
    assert "施工图未通过审查，不同意" in case_page and "同意，符合规划条件" not in case_page
    history = co.get(f"/api/v1/cases/{case.number}/history", headers={"X-CSRFToken": co.csrf}).json
    forms = [entry["detail"].get("form") for entry in history if entry["task"] == "joint_countersign"
             and entry["action"] == "complete"]
    assert forms == [OBJECT, None]  # ZRGH's countersign happened, but its form is not ZJJ's to read
    task_api = co.get(f"/api/v1/tasks/{parts['ZJJ'].id}").json
    signed = [step["form"] for step in task_api["case"]["steps"] if step["task"] == "joint_countersign"
              and step["action"] == "complete"]
    assert signed == [OBJECT, {}]

    api = co.get(f"/api/v1/cases/{case.number}/opinions").json
    assert [(row["department_code"], row["position"]) for row in api] == [("ZJJ", "object")]
    for username in ("zrgh_chief", "clerk1", "supervisor"):
        everyone = sign_in(username).get(f"/api/v1/cases/{case.number}/opinions").json
        assert [(row["department_code"], row["part"]) for row in everyone] == [("ZJJ", "co"), ("ZRGH", "lead")]
    assert sign_in("scjg_approver1").get(f"/api/v1/cases/{case.number}/opinions").status_code == 403


# -- the JSON API ---------------------------------------------------------------------------

def test_the_clock_api_suspends_ends_and_extends_once(app, engine, staff, sign_in, clock):
    case, review = at_review(engine, staff)
    approver = sign_in("scjg_approver1")
    headers = {"X-CSRFToken": approver.csrf}
    url = f"/api/v1/cases/{case.number}"
    before = audit_count(engine)
    bad = approver.post(f"{url}/suspensions", json={"kind": "午休", "reason": "样品送检"}, headers=headers)
    assert bad.status_code == 422 and bad.json["field"] == "kind"
    short = approver.post(f"{url}/suspensions", json={"kind": "检验"}, headers=headers)
    assert short.status_code == 422 and short.json["field"] == "reason"
    assert approver.post(f"{url}/suspensions", json={"kind": "检验", "reason": "样品送检"}).status_code == 400
    assert approver.post(f"{url}/suspensions/end", json={"note": "未暂停"}, headers=headers).status_code == 409
    assert audit_count(engine) == before

    started = approver.post(f"{url}/suspensions", json={"kind": "检验", "reason": "样品送检"}, headers=headers)
    assert started.status_code == 201 and started.json["suspended_since"] == "2026-11-23"
    assert started.json["suspensions"][0]["kind"] == "检验" and started.json["suspensions"][0]["ended_on"] is None
    due_before = started.json["due_date"]
    clock.set(local_datetime(date(2026, 11, 25), 10))
    ended = approver.post(f"{url}/suspensions/end", json={"note": "检验报告已出具"}, headers=headers)
    assert ended.status_code == 200
    row = ended.json["suspensions"][0]
    assert row["working_days"] == 2 and row["due_before"] == due_before and row["due_after"] == ended.json["due_date"]
    assert ended.json["suspended_days"] == 2 and ended.json["due_date"] > due_before
    twice = approver.post(f"{url}/suspensions/end", json={"note": "再次结束"}, headers=headers)
    assert twice.status_code == 409 and twice.json["field"] == "case_number"

    asked = approver.post(f"{url}/extensions", json={"reason": "需要补充核查经营场所"}, headers=headers)
    assert asked.status_code == 201 and asked.json["extensions"][0]["decision"] is None
    assert asked.json["extensions"][0]["days"] == 10
    again = approver.post(f"{url}/extensions", json={"reason": "再次申请延期"}, headers=headers)
    assert again.status_code == 409 and again.json["field"] == "case_number"
    clock_now = sign_in("supervisor").get(f"{url}/clock").json
    assert clock_now["suspended_days"] == 2 and len(clock_now["extensions"]) == 1 and clock_now["extended_days"] == 0


def test_the_clock_api_refuses_cases_outside_back_office_and_other_departments(app, engine, staff, sign_in):
    at_window = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, missing=1))
    approver = sign_in("scjg_approver1")
    headers = {"X-CSRFToken": approver.csrf}
    refused = approver.post(f"/api/v1/cases/{at_window.number}/suspensions", json={"kind": "检验", "reason": "送检"},
                            headers=headers)
    assert refused.status_code == 409 and refused.json["field"] == "case_number"
    case, _review = at_review(engine, staff)
    outsider = sign_in("zjj_approver1")
    for path, body in (("suspensions", {"kind": "检验", "reason": "送检样品"}), ("suspensions/end", {"note": "结束"}),
                       ("extensions", {"reason": "补充核查"})):
        response = outsider.post(f"/api/v1/cases/{case.number}/{path}", json=body,
                                 headers={"X-CSRFToken": outsider.csrf})
        assert response.status_code == 403 and response.json["field"] == "case_number", path
    clerk = sign_in("clerk1")
    assert clerk.post(f"/api/v1/cases/{case.number}/suspensions", json={"kind": "检验", "reason": "送检"},
                      headers={"X-CSRFToken": clerk.csrf}).status_code == 403
    assert engine.get_case(case.number).suspended_since is None
    assert outsider.get(f"/api/v1/cases/{case.number}/clock").status_code == 403
    assert approver.get("/api/v1/cases/ZW2026112399999/clock").status_code == 404


# -- the case page: commitments, parcel, notices ----------------------------------------------------

def test_the_intake_page_takes_commitments_and_shows_refusals_beside_the_field(app, engine, staff, sign_in):
    clerk = sign_in("clerk1")
    page = clerk.get(f"/cases/new/{FOOD_LICENCE}").data.decode()
    assert 'name="committed_materials.0.code"' in page and 'name="committed_materials.0.due_on"' in page
    assert '<option value="M03">' in page and '<option value="M04">' in page and '<option value="M01">' not in page
    form = {"csrf_token": clerk.csrf, "received_materials": ["M01", "M02", "M03"], "acceptable": "yes",
            "delivery_method": "pickup", "applicant.kind": "person", "applicant.name": "张三",
            "applicant.id_type": "居民身份证", "applicant.id_number": person()["id_number"],
            "applicant.phone": "13800138000", "committed_materials.0.code": "", "committed_materials.0.due_on": "",
            "committed_materials.1.code": "M04", "committed_materials.1.due_on": "2026-11-23"}
    refused = clerk.post(f"/cases/new/{FOOD_LICENCE}", data=form)
    text = refused.data.decode()
    assert refused.status_code == 422 and 'data-field="committed_materials.0.due_on"' in text
    assert '<td class=" invalid"><input type="date" name="committed_materials.0.due_on" value="2026-11-23"' in text
    form["committed_materials.1.due_on"] = "2026-12-01"
    created = clerk.post(f"/cases/new/{FOOD_LICENCE}", data=form)
    assert created.status_code == 303
    number = created.location.rsplit("/", 1)[1]
    case_page = clerk.get(f"/cases/{number}").data.decode()
    assert "容缺承诺" in case_page and "2026-12-01" in case_page and "待补交" in case_page
    api = clerk.get(f"/api/v1/cases/{number}/commitments").json
    assert [(row["material_code"], row["due_on"], row["state"]) for row in api] == [("M04", "2026-12-01", "open")]


def test_the_correction_form_offers_only_commitment_materials(app, engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, missing=1))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    correction = only_task(engine, case.number)
    page = sign_in("clerk1").get(f"/tasks/{correction.id}").data.decode()
    rows = page.split('data-rows="committed_materials"')[1].split("</fieldset>")[0]
    assert 'value="M03"' in rows and 'value="M04"' in rows and 'value="M01"' not in rows
    assert 'type="date" name="committed_materials.0.due_on"' in rows


def test_the_parcel_and_the_clock_notices(app, engine, staff, sign_in, clock):
    form = intake(engine, FOOD_LICENCE, delivery="post")
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), form)
    approver = staff["scjg_approver1"]
    engine.suspend_clock(approver, case.number, "现场勘察", "约定现场勘察经营场所")
    clock.set(local_datetime(date(2026, 11, 25), 10))
    engine.end_suspension(approver, case.number, "现场勘察完毕")
    engine.request_extension(approver, case.number, "现场发现新问题需要核查")
    decision = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "approve_extension")
    engine.complete_task(staff["scjg_chief"], decision.id, {"extension_decision": "approve",
                                                            "extension_decision_reason": "同意延期"})
    clerk = sign_in("clerk1")
    assert clerk.get(f"/api/v1/cases/{case.number}/parcel").status_code == 404
    approve_in_back_office(engine, case.number, approver)
    dispatch = only_task(engine, case.number)
    engine.complete_task(staff["clerk2"], dispatch.id, {"carrier": "EMS", "waybill_number": "1190012345678",
                                                        "handed_to": "邮政揽收员赵六"})
    parcel = clerk.get(f"/api/v1/cases/{case.number}/parcel").json
    assert parcel["waybill_number"] == "1190012345678" and parcel["handed_to"] == "邮政揽收员赵六"
    assert parcel["due_on"] == "2026-11-26" and parcel["delivered_on"] is None and parcel["late"] is None

    page = clerk.get(f"/cases/{case.number}").data.decode()
    assert "邮政揽收员赵六" in page and "待确认送达" in page and "约定现场勘察经营场所" in page
    assert f"/cases/{case.number}/clock-notice/suspension/1" in page
    assert f"/cases/{case.number}/clock-notice/extension/1" in page
    suspension = clerk.get(f"/cases/{case.number}/clock-notice/suspension/1").data.decode()
    assert "暂停计时告知书" in suspension and "现场勘察" in suspension and "共 2 个工作日不计入办理期限" in suspension
    extension = clerk.get(f"/cases/{case.number}/clock-notice/extension/1").data.decode()
    assert "延期告知书" in extension and "办理期限延长 10 个工作日" in extension
    assert clerk.get(f"/cases/{case.number}/clock-notice/suspension/2").status_code == 404
    assert clerk.get(f"/cases/{case.number}/clock-notice/other/1").status_code == 404
    assert sign_in("zjj_approver1").get(f"/cases/{case.number}/clock-notice/suspension/1").status_code == 403
