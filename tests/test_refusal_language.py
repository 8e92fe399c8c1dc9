"""Issue 19 point 6: a refusal the engine raises reaches the API in the request's language —
Chinese by default, English with ``Accept-Language: en`` — and ``field`` stays the key. The
engine writes its refusals "中文 (English)" where it raises them; the web shows one half.
On SQLite and PostgreSQL."""

import pytest

from engine.errors import InvalidInput, halves
from tests.helpers import DEMO_PASSWORD, intake, only_task, person, token_client
from tests.test_center_admin import NEW_ITEM

PROMISED = "SCJG-002"  # 承诺件 of SCJG, accepted Monday 23 November 2026: extension 10 working days
APPROVE = {"extension_decision": "approve", "extension_decision_reason": "情况属实，同意延期"}
ENGLISH = {"Accept-Language": "en"}
BAD_ID = "110105194912310021"  # a well-formed 居民身份证 number with a wrong check character


def at_review(engine, staff):
    case = engine.create_case(staff["clerk1"], PROMISED, person(), intake(engine, PROMISED))
    return case, only_task(engine, case.number)


def both_languages(client, method: str, path: str, **kwargs):
    """The same request answered by default and in English: (Chinese answer, English answer)."""
    send = getattr(client, method)
    return send(path, **kwargs), send(path, headers=ENGLISH, **kwargs)


def test_a_stopped_clock_is_refused_in_the_requests_language(app, engine, staff):
    case, review = at_review(engine, staff)
    engine.suspend_clock(staff["scjg_approver1"], case.number, "检验", "样品送检")
    approver = token_client(app, "scjg_approver1")
    chinese, english = both_languages(approver, "post", f"/api/v1/cases/{case.number}/suspensions",
                                      json={"kind": "检验", "reason": "再次送检"})
    assert (chinese.status_code, english.status_code) == (409, 409)
    assert chinese.json["message"] == f"办件 {case.number} 自 2026-11-23 起已在暂停计时中"
    assert english.json["message"] == f"case {case.number} is already suspended since 2026-11-23"
    assert chinese.json["field"] == english.json["field"] == "case_number"

    engine.claim_task(staff["scjg_approver1"], review.id)
    decided, decided_en = both_languages(approver, "post", f"/api/v1/tasks/{review.id}/complete",
                                         json={"decision": "approve", "opinion": "经审查，符合法定条件"})
    assert (decided.status_code, decided.json["field"]) == (409, "task_id")
    assert decided.json["message"].startswith(f"办件 {case.number} 自 2026-11-23 起暂停计时中：请先办理")
    assert decided_en.json["message"] == (f"case {case.number} is suspended since 2026-11-23: "
                                          "end the suspension first")


def test_an_unknown_item_is_refused_in_the_requests_language(app, engine, staff):
    clerk = token_client(app, "clerk1")
    body = {"item_code": "NOPE-1", "applicant": person(), "intake": {}}
    chinese, english = both_languages(clerk, "post", "/api/v1/cases", json=body)
    assert (chinese.status_code, english.status_code) == (404, 404)
    assert chinese.json["message"] == "未找到办理事项 'NOPE-1'"
    assert english.json["message"] == "no service item 'NOPE-1' in the catalogue"
    assert chinese.json["field"] == english.json["field"] == "item_code"


def test_a_task_claimed_by_someone_else_is_refused_in_the_requests_language(app, engine, staff):
    _case, review = at_review(engine, staff)
    engine.claim_task(staff["scjg_approver1"], review.id)
    other = token_client(app, "scjg_approver2")
    chinese, english = both_languages(other, "post", f"/api/v1/tasks/{review.id}/claim")
    assert (chinese.status_code, english.status_code) == (409, 409)
    assert chinese.json["message"] == f"该待办事项「{review.name}」已被他人认领"
    assert english.json["message"] == "the task is already claimed by someone else"
    assert chinese.json["field"] == english.json["field"] == "task_id"


def test_a_second_extension_is_refused_in_the_requests_language(app, engine, staff):
    case, _review = at_review(engine, staff)
    approver = token_client(app, "scjg_approver1")
    path = f"/api/v1/cases/{case.number}/extensions"
    assert approver.post(path, json={"reason": "需要补充核查经营场所"}).status_code == 201
    waiting, waiting_en = both_languages(approver, "post", path, json={"reason": "再次申请延期"})
    assert (waiting.status_code, waiting.json["field"]) == (409, "case_number")
    assert waiting.json["message"] == f"办件 {case.number} 已有待首席代表审批的延期申请"
    assert waiting_en.json["message"] == (f"case {case.number} already has an extension request waiting for the "
                                          "chief representative")

    decision = next(task for task in engine.open_tasks(case.number) if task.milestone == "extension_decided")
    engine.claim_task(staff["scjg_chief"], decision.id)
    engine.complete_task(staff["scjg_chief"], decision.id, APPROVE)
    again, again_en = both_languages(approver, "post", path, json={"reason": "第三次申请延期"})
    assert (again.status_code, again_en.status_code) == (409, 409)
    assert again.json["message"] == f"办件 {case.number} 已延期过一次，依法只能延期一次"
    assert again_en.json["message"] == f"case {case.number} was already extended once; the law allows one extension"
    assert again.json["field"] == again_en.json["field"] == "case_number"


def test_a_required_field_the_engine_names_is_said_with_its_label(app, engine, staff):
    approver = token_client(app, "scjg_approver1")
    case, _review = at_review(engine, staff)
    chinese, english = both_languages(approver, "post", f"/api/v1/cases/{case.number}/suspensions",
                                      json={"kind": "午休", "reason": "样品送检"})
    assert (chinese.status_code, chinese.json["field"]) == (422, "kind")
    assert chinese.json["message"].startswith("原因类别须为以下之一：") and "检验" in chinese.json["message"]
    assert english.json["message"].startswith("Kind of reason must be one of: ")


@pytest.mark.parametrize("message, chinese, english", [
    ("办件 ZW1 未在暂停计时 (case ZW1 is not suspended)", "办件 ZW1 未在暂停计时", "case ZW1 is not suspended"),
    ("陈美玲(clerk3) 不是 综合窗口1 的B岗 (clerk3 is not the B post)", "陈美玲(clerk3) 不是 综合窗口1 的B岗",
     "clerk3 is not the B post"),
    ("请填写申请人手机号", "请填写申请人手机号", "请填写申请人手机号"),
    ("wrong username or password", "wrong username or password", "wrong username or password"),
])
def test_a_bilingual_message_splits_at_its_last_parentheses(message, chinese, english):
    assert halves(message) == (chinese, english)
    assert halves(InvalidInput(message).message) == (chinese, english)


def test_a_page_shows_the_refusal_in_the_persons_language(app, sign_in):
    admin = sign_in("admin")
    mixed = {"csrf_token": admin.csrf, "username": "mix1", "name": "某", "roles": ["clerk", "approver"],
             "department": "SCJG"}
    page = admin.post("/admin/staff", data=mixed)
    assert page.status_code == 422
    shown = page.data.decode().split('class="flash error"')[1].split("</div>")[0]
    assert "角色 approver+clerk 不能兼任" in shown and "may not be held together" not in shown
    admin.get("/lang/en")
    shown = admin.post("/admin/staff", data=mixed).data.decode().split('class="flash error"')[1].split("</div>")[0]
    assert "roles approver+clerk may not be held together" in shown and "不能兼任" not in shown


def flashed(page) -> str:
    return page.get_data(as_text=True).split('class="flash error"')[1].split(">", 1)[1].split("</div>")[0]


def test_a_bad_id_checksum_at_intake_is_refused_in_the_requests_language(app, engine, staff):
    clerk = token_client(app, "clerk1")
    body = {"item_code": PROMISED, "applicant": person(id_number=BAD_ID), "intake": intake(engine, PROMISED)}
    chinese, english = both_languages(clerk, "post", "/api/v1/cases", json=body)
    assert (chinese.status_code, english.status_code) == (422, 422)
    assert chinese.json["message"] == "证件号码：居民身份证号码校验位不正确，请核对"
    assert english.json["message"] == "ID number: the resident ID number's check digit is wrong: please check the number"
    assert chinese.json["field"] == english.json["field"] == "applicant.id_number"


def test_a_document_reason_passed_in_details_keeps_the_persons_half(app):
    # The pickup's recipient check passes the engine's own wording on in details["reason"].
    from engine.cases.documents import PASSPORT, document_problem
    from web.refusals import explain

    error = InvalidInput("x", field="recipient_id_number",
                         details={"label": "领取人证件号码", "reason": document_problem(PASSPORT, "AB")})
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert explain(error) == "领取人证件号码：应为 5 至 20 位大写字母或数字，含数字"
    with app.test_request_context(headers=ENGLISH):
        assert explain(error) == "Recipient's ID number: 5 to 20 capital letters or digits, at least one digit"


def test_a_weak_password_is_refused_in_the_requests_language(app, sign_in):
    clerk = token_client(app, "clerk1")
    body = {"old_password": DEMO_PASSWORD, "new_password": "aaaaaaaaaaaa"}
    chinese, english = both_languages(clerk, "post", "/api/v1/auth/password", json=body)
    assert (chinese.status_code, english.status_code) == (422, 422)
    assert chinese.json["message"] == "密码太容易猜到：请用更长的、不常见的词组"
    assert english.json["message"] == "the password is too easy to guess: use a longer, uncommon phrase"
    assert chinese.json["field"] == english.json["field"] == "new_password"

    page = sign_in("clerk1")
    form = {"csrf_token": page.csrf, "old_password": DEMO_PASSWORD, "new_password": "1234567890",
            "new_password_confirm": "1234567890"}
    refused = page.post("/password", data=form)
    assert refused.status_code == 422 and flashed(refused) == "该密码是常见密码，请另选"
    page.get("/lang/en")
    assert flashed(page.post("/password", data=form)) == "this is a common password; choose another"


def test_a_bad_catalogue_item_names_the_item_in_the_requests_language(app, sign_in):
    admin = token_client(app, "admin")
    chinese, english = both_languages(admin, "post", "/api/v1/admin/catalogue/items",
                                      json={**NEW_ITEM, "promised_limit_days": 99})
    assert (chinese.status_code, english.status_code) == (400, 400)
    assert chinese.json["message"] == "事项 WJW-009：承诺时限：不能超过法定时限"
    assert english.json["message"] == "item WJW-009: Promised limit: must not exceed the legal limit"
    assert chinese.json["field"] == english.json["field"] == "promised_limit_days"
    unknown, unknown_en = both_languages(admin, "post", "/api/v1/admin/catalogue/items",
                                         json={**NEW_ITEM, "department": "NOPE"})
    assert unknown.json["message"] == "事项 WJW-009：主办部门：未知的部门 NOPE"
    assert unknown_en.json["message"] == "item WJW-009: Lead department: unknown department NOPE"
    library, library_en = both_languages(admin, "post", "/api/v1/admin/catalogue/items", json={
        **NEW_ITEM, "materials": [{**NEW_ITEM["materials"][0], "count": "two"}]})
    assert library.json["message"] == "事项 WJW-009：申请材料 第1项 份数的类型不正确"
    assert library_en.json["message"].startswith("item WJW-009: ")

    page = sign_in("admin")
    form = {"csrf_token": page.csrf, "code": "WGJ-001", "name": "营业性演出许可", "department": "SCJG",
            "category": "市场准入", "case_type": "承诺件", "process": "one_window", "legal_limit_days": "20",
            "promised_limit_days": "30", "delivery_options": "pickup", "legal_basis": "《营业性演出管理条例》",
            "result_name": "营业性演出许可证", "material_rows": "1", "materials-0-code": "M01",
            "materials-0-name": "申请书", "materials-0-mandatory": "on", "materials-0-form": "原件",
            "materials-0-count": "1"}
    refused = page.post("/admin/catalogue/items", data=form)
    assert refused.status_code == 400 and flashed(refused) == "事项 WGJ-001：承诺时限：不能超过法定时限"
    page.get("/lang/en")
    refused = page.post("/admin/catalogue/items", data=form)
    assert flashed(refused) == "item WGJ-001: Promised limit: must not exceed the legal limit"
