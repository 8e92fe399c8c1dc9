"""The enquiry pages and API: the window registers and answers, refers to a department whose people
answer it, another department is refused; the public asks online and reads the answer with the number
and phone, within its rate limits; junk input gets a 4xx naming the field, never a 500."""

import pytest
from sqlalchemy import func, select

from engine.enquiries.models import Enquiry
from engine.settings import EngineSettings
from tests.helpers import csrf_token_of, token_client

PHONE = "13800138000"


def count(app):
    with app.extensions["onewindow"].session() as session:
        return session.scalar(select(func.count()).select_from(Enquiry))


def test_the_window_registers_refers_and_the_department_answers_on_the_pages(app, sign_in):
    clerk = sign_in("clerk1")
    page = clerk.get("/enquiries/")
    assert page.status_code == 200 and "登记咨询" in page.data.decode()
    registered = clerk.post("/enquiries/", data={"channel": "phone", "asker_name": "李四", "asker_phone": PHONE,
                                                "item_code": "", "question": "建房要哪些材料？",
                                                "csrf_token": clerk.csrf})
    assert registered.status_code == 303
    one = registered.headers["Location"]
    shown = clerk.get(one).data.decode()
    assert "ZX202611230001" in shown and PHONE in shown and "王晓燕" in shown   # the window reads the whole phone
    assert "138****8000" in clerk.get("/enquiries/").data.decode()              # a list masks it
    referred = clerk.post(f"{one}/referral", data={"department": "ZRGH", "days": "2", "note": "规划业务",
                                                   "csrf_token": clerk.csrf})
    assert referred.status_code == 303
    other = sign_in("scjg_chief")
    assert other.get(one).status_code == 404
    assert other.post(f"{one}/answer", data={"answer": "不归我们", "csrf_token": other.csrf}).status_code == 404
    approver = sign_in("zrgh_approver1")
    page = approver.get(one).data.decode()
    assert "138****8000" in page and "答复内容" in page
    assert approver.post(f"{one}/answer", data={"answer": "到规划窗口办理。", "csrf_token": approver.csrf}).status_code == 303
    assert "到规划窗口办理。" in clerk.get(one).data.decode()
    refused = clerk.post(f"{one}/answer", data={"answer": "再答", "csrf_token": clerk.csrf})
    assert refused.status_code == 409 and "已答复" in refused.data.decode()
    supervisor = sign_in("supervisor")
    assert "ZX202611230001" in supervisor.get("/enquiries/?state=answered&channel=phone&department=ZRGH").data.decode()
    assert "ZX202611230001" not in supervisor.get("/enquiries/?overdue=1").data.decode()


def test_a_form_without_its_csrf_token_is_refused(app, sign_in):
    clerk = sign_in("clerk1")
    response = clerk.post("/enquiries/", data={"channel": "window", "asker_name": "李四", "question": "问"})
    assert response.status_code == 400 and count(app) == 0


def test_the_api_registers_answers_and_refers_naming_the_field_of_a_refusal(app):
    clerk = token_client(app, "clerk2")
    created = clerk.post("/api/v1/enquiries", json={"channel": "window", "asker_name": "王五", "asker_phone": PHONE,
                                                    "question": "营业执照怎么办？", "item_code": "SCJG-002"})
    assert created.status_code == 201, created.json
    enquiry = created.json
    assert (enquiry["state"], enquiry["first_staff"], enquiry["asker_phone"]) == ("open", "刘建国", PHONE)
    listed = clerk.get("/api/v1/enquiries?state=open").json
    assert [row["asker_phone"] for row in listed] == ["138****8000"]
    for body, field in (({"department": "NOPE", "days": 2}, "department"), ({"department": "SCJG", "days": 0}, "days"),
                        ({"department": "SCJG", "days": "x"}, "days"), ({"department": "SCJG"}, "days")):
        refused = clerk.post(f"/api/v1/enquiries/{enquiry['id']}/referral", json=body)
        assert refused.status_code in (404, 422) and refused.json["field"] == field, (body, refused.json)
    referred = clerk.post(f"/api/v1/enquiries/{enquiry['id']}/referral", json={"department": "SCJG", "days": 2})
    assert (referred.status_code, referred.json["department_code"], referred.json["due_on"]) == (200, "SCJG", "2026-11-25")
    assert token_client(app, "zrgh_chief").get(f"/api/v1/enquiries/{enquiry['id']}").status_code == 404
    chief = token_client(app, "scjg_chief")
    answered = chief.post(f"/api/v1/enquiries/{enquiry['id']}/answer", json={"answer": "请带身份证。"})
    assert (answered.status_code, answered.json["answered_by"]) == (200, "孙首席")
    english = clerk.post("/api/v1/enquiries", json={"channel": "window", "asker_name": "", "question": "问"},
                         headers={"Accept-Language": "en"})
    assert english.status_code == 422 and english.json["field"] == "asker_name"
    chinese = clerk.post("/api/v1/enquiries", json={"channel": "online", "asker_name": "甲", "question": "问"})
    assert chinese.status_code == 422 and chinese.json["field"] == "asker_phone" and "联系电话" in chinese.json["message"]
    assert token_client(app, "admin").post("/api/v1/enquiries", json={}).status_code == 403


@pytest.mark.parametrize("body", [None, [], "x", {"channel": 5}, {"channel": "window", "asker_name": ["a"], "question": "q"},
                                  {"channel": "window", "asker_name": "a", "question": "q", "item_code": "NOPE"},
                                  {"channel": "window", "asker_name": "a", "question": "q" * 3000},
                                  {"channel": "window", "asker_name": "a\x07", "question": "q"}])
def test_junk_gets_a_4xx_and_changes_nothing(app, body):
    clerk = token_client(app, "clerk1")
    response = clerk.post("/api/v1/enquiries", json=body)
    assert 400 <= response.status_code < 500, response.data
    assert set(response.json) >= {"code", "message"}
    for path in ("/api/v1/enquiries/99999", "/api/v1/enquiries?state=lost", "/api/v1/enquiries?overdue=perhaps"):
        assert 400 <= clerk.get(path).status_code < 500
    assert clerk.post("/api/v1/enquiries/99999/answer", json={"answer": "a"}).status_code == 404
    assert count(app) == 0


def test_the_public_asks_online_and_reads_the_answer_with_number_and_phone(app, sign_in):
    visitor = app.test_client()
    page = visitor.get("/enquiries/ask")
    token = csrf_token_of(page.data)
    asked = visitor.post("/enquiries/ask", data={"department": "", "item_code": "SCJG-002", "asker_name": "张三",
                                                 "asker_phone": PHONE, "question": "要带什么？", "csrf_token": token})
    assert asked.status_code == 303
    receipt = visitor.get("/enquiries/ask").data.decode()
    assert "ZX202611230001" in receipt and "2026-11-25" in receipt
    refused = visitor.post("/enquiries/ask", data={"asker_name": "张三", "asker_phone": "12", "question": "问",
                                                   "department": "SCJG", "csrf_token": token})
    assert refused.status_code == 422 and "联系电话" in refused.data.decode()
    api = visitor.post("/api/v1/public/enquiries", json={"asker_name": "甲", "asker_phone": PHONE, "question": "问",
                                                         "department": "ZRGH"})
    assert (api.status_code, api.json["number"], api.json["answered"]) == (201, "ZX202611230002", False)
    chief = sign_in("scjg_chief")
    enquiry_id = chief.get("/api/v1/enquiries").json[0]["id"]
    assert chief.post(f"/enquiries/{enquiry_id}/answer", data={"answer": "带身份证。", "csrf_token": chief.csrf}).status_code == 303
    wrong = visitor.post("/enquiries/answer", data={"number": "ZX202611230001", "asker_phone": "13900139000",
                                                    "csrf_token": token})
    assert wrong.status_code == 404 and "带身份证" not in wrong.data.decode()
    right = visitor.post("/enquiries/answer", data={"number": "ZX202611230001", "asker_phone": PHONE, "csrf_token": token})
    assert right.status_code == 200 and "带身份证。" in right.data.decode()
    looked = visitor.post("/api/v1/public/enquiries/answer", json={"number": "ZX202611230001", "asker_phone": PHONE})
    assert (looked.status_code, looked.json["answer"]) == (200, "带身份证。")
    assert visitor.post("/enquiries/ask", data={"asker_name": "a"}).status_code == 400   # no CSRF token


def test_the_public_ask_is_rate_limited(db_url, clock):
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "testing", "RATELIMIT_ENABLED": True},
                     settings=EngineSettings(database_url=db_url), clock=clock)
    try:
        client = app.test_client()
        body = {"asker_name": "甲", "asker_phone": PHONE, "question": "问", "department": "SCJG"}
        statuses = [client.post("/api/v1/public/enquiries", json=body).status_code for _ in range(11)]
        assert statuses == [201] * 10 + [429]
        assert count(app) == 10
    finally:
        app.extensions["onewindow"].db.dispose()


def test_the_menu_shows_enquiries_to_case_workers_and_supervisors(sign_in):
    for username in ("clerk1", "scjg_approver1", "scjg_chief", "supervisor"):
        assert 'href="/enquiries/"' in sign_in(username).get("/enquiries/").data.decode(), username


def test_the_pages_and_their_refusals_in_english(sign_in):
    clerk = sign_in("clerk1")
    clerk.get("/lang/en")
    page = clerk.get("/enquiries/").data.decode()
    assert "Register an enquiry" in page and "登记咨询" not in page
    refused = clerk.post("/enquiries/", data={"channel": "window", "asker_name": "", "question": "q",
                                              "csrf_token": clerk.csrf})
    assert refused.status_code == 422 and "Name of the person asking" in refused.data.decode()
