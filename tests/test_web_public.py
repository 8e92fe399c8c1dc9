"""The public progress lookup (no sign-in): the page and POST /api/v1/progress, one function, one rate limit."""

from datetime import date

import pytest

from engine.clock import local_datetime
from tests.helpers import approve_in_back_office, csrf_token_of, intake, only_task, person

FOOD_LICENCE, SOLE_TRADER = "SCJG-002", "SCJG-001"
PHONE = "13912345678"
ANSWER_KEYS = {"number", "item_name", "status", "due_date", "result_ready", "clock_stopped", "suspended_days",
               "extension", "parcel"}


@pytest.fixture
def limited_app(db_url, clock):
    """The app with rate limits on, as in production."""
    from engine.settings import EngineSettings
    from web import create_app

    application = create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": True},
                             settings=EngineSettings(database_url=db_url), clock=clock)
    yield application
    application.extensions["onewindow"].db.dispose()


def _page_token(client) -> str:
    return csrf_token_of(client.get("/progress/").data)


def test_the_lookup_page_shows_status_only_to_the_right_phone(app, engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE), intake(engine, FOOD_LICENCE))
    client = app.test_client()
    token = _page_token(client)
    right = client.post("/progress/", data={"csrf_token": token, "number": case.number, "phone_tail": "5678"},
                        follow_redirects=True)
    assert right.status_code == 200 and right.request.method == "GET" and "已受理" in right.data.decode() and person()["id_number"] not in right.data.decode()
    wrong = client.post("/progress/", data={"csrf_token": token, "number": case.number, "phone_tail": "0000"})
    unknown = client.post("/progress/", data={"csrf_token": token, "number": "ZW2099010100001", "phone_tail": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert client.post("/progress/", data={"csrf_token": token, "number": "x", "phone_tail": "1"}).status_code == 422


def test_the_api_answers_what_the_page_shows_and_nothing_else(app, engine, staff):
    applicant = person(name="赵敏", phone=PHONE, address="示范市解放路88号")
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, applicant, intake(engine, FOOD_LICENCE))
    client = app.test_client()  # no session, no CSRF token
    response = client.post("/api/v1/progress", json={"number": case.number.lower(), "phone_tail": "5678"})
    assert response.status_code == 200, response.json
    assert response.json == {"number": case.number, "item_name": "食品经营许可（新办）", "status": "已受理",
                             "due_date": "2026-12-07", "result_ready": False, "clock_stopped": None,
                             "suspended_days": 0, "extension": None, "parcel": None}
    body = response.data.decode()
    for secret in ("赵敏", applicant["id_number"], PHONE, "解放路", "李明"):
        assert secret not in body
    page = client.post("/progress/", data={"csrf_token": _page_token(client), "number": case.number,
                                           "phone_tail": "5678"}, follow_redirects=True).data.decode()
    assert "食品经营许可（新办）" in page and "2026-12-07" in page and "已受理" in page


def test_the_api_says_when_the_result_is_ready(app, engine, staff):
    case = engine.create_case(staff["clerk1"], SOLE_TRADER, person(phone=PHONE), intake(engine, SOLE_TRADER))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "同意"})
    answer = app.test_client().post("/api/v1/progress", json={"number": case.number, "phone_tail": "5678"}).json
    assert (answer["status"], answer["due_date"], answer["result_ready"]) == ("正常办结", "2026-11-23", True)
    assert set(answer) == ANSWER_KEYS


def test_a_wrong_phone_and_an_unknown_number_get_the_same_answer(app, engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE), intake(engine, FOOD_LICENCE))
    client = app.test_client()
    wrong = client.post("/api/v1/progress", json={"number": case.number, "phone_tail": "0000"})
    unknown = client.post("/api/v1/progress", json={"number": "ZW2099010100001", "phone_tail": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json == unknown.json and wrong.json["field"] == "number"


@pytest.mark.parametrize("body, field", [
    ({"number": "x", "phone_tail": "5678"}, "number"),
    ({"number": "ZW2026112300001", "phone_tail": "12a4"}, "phone_tail"),
    ({"number": "ZW2026112300001", "phone_tail": "123"}, "phone_tail"),
    ({"number": "ZW2026112300001", "phone_tail": "56789"}, "phone_tail"),
    ({"number": "ZW2026112300001"}, "phone_tail"),
    ({"phone_tail": "5678"}, "number"),
    ({"number": 2026112300001, "phone_tail": "5678"}, "number"),
    ({"number": "ZW2026112300001", "phone_tail": "5678", "name": "张三"}, "name"),
])
def test_bad_questions_are_refused_naming_the_field(app, body, field):
    response = app.test_client().post("/api/v1/progress", json=body)
    assert response.status_code == 422 and response.json["field"] == field, response.json


def test_a_signed_in_browser_needs_no_csrf_token_for_the_public_api(app, engine, staff, sign_in):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE), intake(engine, FOOD_LICENCE))
    response = sign_in("clerk1").post("/api/v1/progress", json={"number": case.number, "phone_tail": "5678"})
    assert response.status_code == 200 and response.json["status"] == "已受理"


def test_the_page_and_the_api_share_one_rate_limit(limited_app):
    client = limited_app.test_client()
    token = _page_token(client)
    # A different number each time: the per-case budget (tests/test_rate_limits.py) stays out of it.
    questions = [{"number": f"ZW20990101{n:05d}", "phone_tail": "1234"} for n in range(12)]
    statuses = [client.post("/progress/", data={"csrf_token": token, **question}).status_code
                for question in questions[:5]]
    statuses += [client.post("/api/v1/progress", json=question).status_code for question in questions[5:10]]
    assert statuses == [404] * 10
    question = questions[10]
    refused = client.post("/api/v1/progress", json=question)
    assert refused.status_code == 429 and refused.json["code"] == "too_many_requests"
    assert client.post("/progress/", data={"csrf_token": token, **question}).status_code == 429
    assert client.get("/progress/").status_code == 200  # only asking counts, not opening the page


def test_the_openapi_document_lists_the_public_lookup_without_sign_in(app):
    spec = app.test_client().get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/progress"]["post"]
    assert operation["security"] == [] and "200" in operation["responses"]


def _ask(client, number: str) -> dict:
    response = client.post("/api/v1/progress", json={"number": number, "phone_tail": "5678"})
    assert response.status_code == 200, response.json
    return response.json


def _page(client, number: str) -> str:
    return client.post("/progress/", data={"csrf_token": _page_token(client), "number": number,
                                           "phone_tail": "5678"}, follow_redirects=True).data.decode()


def _staff_names(staff) -> list[str]:
    return [actor.name for actor in staff.values()]


def _assert_nothing_internal(body: str, staff, *internal: str):
    for secret in (*_staff_names(staff), *internal):
        assert secret not in body, secret


def test_a_stopped_clock_shows_its_kind_and_day_then_the_moved_due_date(app, engine, staff, clock):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE), intake(engine, FOOD_LICENCE))
    engine.claim_task(staff["scjg_approver1"], only_task(engine, case.number).id)
    engine.suspend_clock(staff["scjg_approver1"], case.number, "检测", "委托第三方检测设备设施，内部编号JC-77")
    client = app.test_client()
    answer = _ask(client, case.number)
    assert (answer["status"], answer["clock_stopped"], answer["due_date"], answer["suspended_days"]) \
        == ("暂停", {"kind": "检测", "since": "2026-11-23"}, "2026-12-07", 0)
    page = _page(client, case.number)
    assert "暂停计时" in page and "因检测自 2026-11-23 起暂停计时" in page
    _assert_nothing_internal(page + str(answer), staff, "JC-77", "委托第三方")
    client.get("/lang/en")
    assert "Stopped on 2026-11-23 for testing" in _page(client, case.number)
    client.get("/lang/zh_Hans_CN")

    clock.set(local_datetime(date(2026, 11, 26), 10))  # three working days later
    engine.end_suspension(staff["scjg_approver1"], case.number, "检测报告合格，审查员意见：同意")
    answer = _ask(client, case.number)
    assert (answer["status"], answer["clock_stopped"], answer["due_date"], answer["suspended_days"]) \
        == ("已受理", None, "2026-12-10", 3)
    page = _page(client, case.number)
    assert "2026-12-10" in page and "已因暂停计时顺延 3 个工作日" in page and 'id="clock-stopped"' not in page
    _assert_nothing_internal(page + str(answer), staff, "检测报告合格", "审查员意见")


def test_an_extension_shows_its_days_and_the_moved_due_date_but_no_staff_text(app, engine, staff, clock):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE), intake(engine, FOOD_LICENCE))
    engine.claim_task(staff["scjg_approver1"], only_task(engine, case.number).id)
    clock.set(local_datetime(date(2026, 11, 24), 10))
    engine.request_extension(staff["scjg_approver1"], case.number, "需补充调查 <b>经营场所</b> 周边情况")
    client = app.test_client()
    assert _ask(client, case.number)["extension"] is None  # asked, not yet granted
    decision = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "approve_extension")
    engine.claim_task(staff["scjg_chief"], decision.id)
    engine.complete_task(staff["scjg_chief"], decision.id, {"extension_decision": "approve",
                                                            "extension_decision_reason": "首席代表内部意见：同意延期"})
    answer = _ask(client, case.number)
    assert answer["extension"] == {"days": 10, "granted_on": "2026-11-24"}
    assert answer["due_date"] == "2026-12-21"  # 7 December plus 10 working days
    page = _page(client, case.number)
    assert "2026-11-24 批准延长 10 个工作日" in page and "2026-12-21" in page
    _assert_nothing_internal(page + str(answer), staff, "首席代表内部意见", "经营场所")


def test_a_posted_result_shows_the_waybill_and_whether_it_arrived(app, engine, staff, clock):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE),
                              intake(engine, FOOD_LICENCE, delivery="post"))
    approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    engine.complete_task(staff["clerk3"], only_task(engine, case.number).id,
                         {"carrier": "顺丰速运", "waybill_number": "SF1234567890", "handed_to": "揽收员孙七"})
    client = app.test_client()
    answer = _ask(client, case.number)
    assert answer["parcel"] == {"carrier": "顺丰速运", "waybill_number": "SF1234567890", "dispatched_on": "2026-11-23",
                                "expected_by": "2026-11-24", "delivered": False, "delivered_on": None}
    assert "尚未确认送达" in _page(client, case.number)
    clock.set(local_datetime(date(2026, 11, 26), 10))
    engine.complete_task(staff["clerk3"], only_task(engine, case.number).id,
                         {"delivered_on": "2026-11-25", "signed_by": "代收人周八"})
    answer = _ask(client, case.number)
    assert (answer["parcel"]["delivered"], answer["parcel"]["delivered_on"]) == (True, "2026-11-25")
    page = _page(client, case.number)
    assert "顺丰速运 SF1234567890" in page and "已于 2026-11-25 送达" in page
    _assert_nothing_internal(page + str(answer), staff, "揽收员孙七", "代收人周八", "经审查")
    client.get("/lang/en")
    english = _page(client, case.number)
    assert "delivered on 2026-11-25" in english and "已于" not in english
