"""Issue 19's page points: every task page shows the case's facts, the 延期告知书 reads as one
sentence, notices print in Chinese whatever the interface language, a stopped clock disables
the decision form, every notice stays printable, the history has no empty transitions, and
forms answer a POST with 303. SQLite and PostgreSQL."""

from datetime import date

from engine.clock import local_datetime
from tests.helpers import full_materials, intake, only_task, person

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


def test_every_notice_stays_printable_as_issued(app, engine, staff, sign_in, clock):
    form = intake(engine, FOOD_LICENCE, missing=2)
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), form)
    clerk = sign_in("clerk1")
    page = clerk.get(f"/cases/{case.number}").data.decode()
    assert "已出具的通知书" in page and "（待确认出具）" in page
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    clock.set(local_datetime(date(2026, 11, 24), 10))
    one_more = form["received_materials"] + full_materials(engine, FOOD_LICENCE)[-2:-1]
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id,
                         {"correction_action": "submit", "received_materials": one_more, "material_defects": []})
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, FOOD_LICENCE),
        "material_defects": []})
    engine.suspend_clock(staff["scjg_approver1"], case.number, "检验", "送省级检验机构检验")
    page = clerk.get(f"/cases/{case.number}").data.decode()
    given = page.split('class="panel notices-given"')[1].split("</section>")[0]
    for path in ("one_time_notice/1", "one_time_notice/2", "acceptance/1", "suspension/1"):
        assert f"/cases/{case.number}/notices/{path}" in given
    assert "一次性告知书 #1" in given and "一次性告知书 #2" in given and "（待确认出具）" not in given
    first = clerk.get(f"/cases/{case.number}/notices/one_time_notice/1").data.decode()
    second = clerk.get(f"/cases/{case.number}/notices/one_time_notice/2").data.decode()
    missing = full_materials(engine, FOOD_LICENCE)[-2:]
    assert first.count('class="missing"') == 2 and second.count('class="missing"') == 1
    assert "2026年11月23日" in first and "2026年11月24日" in second
    api = clerk.get(f"/api/v1/cases/{case.number}/notices/one_time_notice/2").json
    assert [m["code"] for m in api["missing_materials"]] == missing[1:] and api["correction_deadline_final"]
    assert [(n["kind"], n["index"]) for n in clerk.get(f"/api/v1/cases/{case.number}").json["notices"]] == [
        ("one_time_notice", 1), ("one_time_notice", 2), ("acceptance", 1), ("suspension", 1)]
    assert clerk.get(f"/cases/{case.number}/notices/one_time_notice/3").status_code == 404
    assert clerk.get(f"/cases/{case.number}/notices/rejection/1").status_code == 404


def test_the_history_shows_no_empty_transitions_nor_doubled_labels(app, engine, staff, sign_in):
    case, review = suspended_case(engine, staff)
    page = sign_in("clerk1").get(f"/cases/{case.number}").data.decode()
    assert "已受理 → 已受理" not in page and "暂停计时 · 暂停计时" not in page


def test_the_correction_form_shows_only_the_sections_that_apply(app, engine, staff, sign_in):
    clerk = sign_in("clerk1")
    for code, committable in ((FOOD_LICENCE, True), ("SCJG-001", False)):
        case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
        page = clerk.get(f"/tasks/{only_task(engine, case.number).id}").data.decode()
        form = page.split('class="task-form"')[1].split("</form>")[0]
        assert form.count('data-shown-when="correction_action=submit"') == 2 + committable
        assert form.count('data-shown-when="correction_action=withdraw"') == 1
        assert ('name="committed_materials.0.code"' in form) is committable
