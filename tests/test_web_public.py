"""The public progress lookup (no sign-in): the page and POST /api/v1/progress, one function, one rate limit."""

import pytest

from tests.helpers import csrf_token_of, intake, only_task, person

FOOD_LICENCE, SOLE_TRADER = "SCJG-002", "SCJG-001"
PHONE = "13912345678"
ANSWER_KEYS = {"number", "item_name", "status", "due_date", "result_ready"}


@pytest.fixture
def limited_app(db_url, clock):
    """The app with rate limits on, as in production."""
    from web import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": db_url, "CLOCK": clock, "SECRET_KEY": "testing",
                              "RATELIMIT_ENABLED": True})
    yield application
    application.extensions["onewindow"].db.dispose()


def _page_token(client) -> str:
    return csrf_token_of(client.get("/progress/").data)


def test_the_lookup_page_shows_status_only_to_the_right_phone(app, engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(phone=PHONE), intake(engine, FOOD_LICENCE))
    client = app.test_client()
    token = _page_token(client)
    right = client.post("/progress/", data={"csrf_token": token, "number": case.number, "phone_tail": "5678"})
    assert right.status_code == 200 and "已受理" in right.data.decode() and person()["id_number"] not in right.data.decode()
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
                             "due_date": "2026-12-07", "result_ready": False}
    body = response.data.decode()
    for secret in ("赵敏", applicant["id_number"], PHONE, "解放路", "李明"):
        assert secret not in body
    page = client.post("/progress/", data={"csrf_token": _page_token(client), "number": case.number,
                                           "phone_tail": "5678"}).data.decode()
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
    question = {"number": "ZW2099010100001", "phone_tail": "1234"}
    statuses = [client.post("/progress/", data={"csrf_token": token, **question}).status_code for _ in range(5)]
    statuses += [client.post("/api/v1/progress", json=question).status_code for _ in range(5)]
    assert statuses == [404] * 10
    refused = client.post("/api/v1/progress", json=question)
    assert refused.status_code == 429 and refused.json["code"] == "too_many_requests"
    assert client.post("/progress/", data={"csrf_token": token, **question}).status_code == 429
    assert client.get("/progress/").status_code == 200  # only asking counts, not opening the page


def test_the_openapi_document_lists_the_public_lookup_without_sign_in(app):
    spec = app.test_client().get("/api/openapi.json").json
    operation = spec["paths"]["/api/v1/progress"]["post"]
    assert operation["security"] == [] and "200" in operation["responses"]
