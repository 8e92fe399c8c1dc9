"""The window's pages and the cases API: the workspace, the intake form, the case page,
the three printable notices, the clerk's own cases, and who may see what."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.cases.models import Case
from engine.catalogue.models import ServiceItem
from engine.clock import local_datetime
from tests.helpers import intake, only_task, organization, person, resident_id

FOOD = "SCJG-002"  # 食品经营许可（新办）: 承诺件, 10 working days, pickup or post
JOINT = "ZRGH-001"  # 建设工程规划许可证核发: 联办件 led by ZRGH, co-reviewed by ZJJ
BAD_ID = "110105194912310021"  # a well-formed 居民身份证 number with a wrong check character


@pytest.fixture
def app(app):
    """The cases API on the app even while web/__init__.py does not register it."""
    from web.api import api
    from web.window.api import blp

    if "cases_api" not in app.blueprints:
        api.register_blueprint(blp)  # the Api was initialised on this app last
    return app


def _count(engine) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(Case))


def _materials(engine, code: str = FOOD) -> list:
    with engine.session() as session:
        return [(m.code, m.name, m.mandatory) for m in session.get(ServiceItem, code).materials]


def _form(client, received, *, applicant=None, acceptable="yes", **extra) -> dict:
    applicant = applicant or person()
    form = {"csrf_token": client.csrf, "received_materials": received, "acceptable": acceptable,
            "delivery_method": "pickup"}
    form.update({f"applicant.{key}": value for key, value in applicant.items()})
    form.update(extra)
    return form


def _register(client, engine, *, missing=0, **extra) -> str:
    received = intake(engine, FOOD, missing=missing)["received_materials"]
    response = client.post(f"/cases/new/{FOOD}", data=_form(client, received, **extra))
    assert response.status_code == 303, response.data.decode()[:800]
    return response.location.rsplit("/", 1)[1]


def _text(response) -> str:
    return response.data.decode()


# -- the workspace -----------------------------------------------------------------------

def test_the_workspace_offers_every_item_by_department_and_the_window_queue(sign_in, engine, staff):
    clerk = sign_in("clerk1")
    page = _text(clerk.get("/cases/"))
    assert "示范市市场监督管理局" in page and "示范市自然资源和规划局" in page
    assert "食品经营许可（新办）" in page and "联办件" in page and "承诺件" in page and "当场办结" in page
    assert f'href="/cases/new/{FOOD}"' in page and "暂无窗口待办" in page
    case = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD, missing=1))
    task = only_task(engine, case.number)
    page = _text(clerk.get("/cases/"))
    assert f'href="/tasks/{task.id}"' in page and case.number in page and "出具一次性告知书" in page


def test_a_case_is_found_by_its_number_or_the_applicants_id_number(sign_in, engine, staff):
    clerk = sign_in("clerk1")
    first = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD))
    assert clerk.get(f"/cases/?q={first.number.lower()}").location == f"/cases/{first.number}"
    second = engine.create_case(staff["clerk2"], FOOD, person(), intake(engine, FOOD, missing=1))
    page = _text(clerk.get(f"/cases/?q={person()['id_number']}"))
    assert first.number in page and second.number in page and "找到 2 件" in page
    assert "没有找到办件" in _text(clerk.get(f"/cases/?q={resident_id(serial='999')}"))
    refused = clerk.get("/cases/?q=x")
    assert refused.status_code == 422 and "5 至 32 个字符" in _text(refused)


# -- the intake form ---------------------------------------------------------------------

def test_the_intake_form_lists_the_items_materials_to_check(sign_in, engine):
    page = _text(sign_in("clerk1").get(f"/cases/new/{FOOD}"))
    for code, name, _mandatory in _materials(engine):
        assert name in page and f'name="received_materials" value="{code}"' in page
        assert f'name="defect.{code}"' in page
    mandatory = sum(1 for *_rest, is_mandatory in _materials(engine) if is_mandatory)
    assert page.count('class="mandatory"') == mandatory
    assert "原件" in page and "复印件" in page and "承诺 10 个工作日" in page
    assert 'name="acceptable" value="no"' in page and 'name="rejection_reasons"' in page
    assert 'name="delivery_method" value="post"' in page and 'name="postal_address.region"' in page
    assert 'name="csrf_token"' in page and 'name="applicant.contact_name"' in page


def test_a_complete_application_is_accepted_with_an_acceptance_notice(sign_in, engine):
    clerk = sign_in("clerk1")
    number = _register(clerk, engine)
    page = _text(clerk.get(f"/cases/{number}"))
    assert "已受理" in page and "审查决定" in page and "2026-12-07" in page
    assert f'href="/cases/{number}/notice"' in page and "打印受理通知书" in page
    assert "王晓燕" in page and "收件登记" in page and "2026-11-23 09:00" in page  # China time, not UTC
    notice = _text(clerk.get(f"/cases/{number}/notice"))
    assert 'class="notice' in notice and "data-print" in notice and 'class="primary no-print"' in notice
    assert "受理通知书" in notice and "一次性告知书" not in notice and number in notice
    assert "示范市政务服务中心" in notice and "食品经营许可（新办）" in notice and "张三" in notice
    assert "2026年11月23日" in notice and "2026年12月7日" in notice and "10 个工作日" in notice
    assert "《中华人民共和国食品安全法》第三十五条" in notice and "第三十二条" in notice and "暂定" not in notice
    mine = _text(clerk.get("/cases/mine"))
    assert number in mine and "食品经营许可（新办）" in mine and "共 1 件" in mine


def test_an_organization_applies_through_its_contact_person(sign_in, engine):
    clerk = sign_in("clerk1")
    applicant = organization()
    received = intake(engine, FOOD)["received_materials"]
    refused = clerk.post(f"/cases/new/{FOOD}", data=_form(clerk, received, applicant={**applicant, "contact_name": ""}))
    assert refused.status_code == 422 and "applicant.contact_name" in _text(refused) and _count(engine) == 0
    number = _register(clerk, engine, applicant=applicant)
    page = _text(clerk.get(f"/cases/{number}"))
    assert "示范市好味餐饮有限公司" in page and "李四" in page and applicant["id_number"] in page


def test_an_incomplete_application_gets_a_one_time_notice_listing_everything_to_correct(sign_in, engine, staff,
                                                                                        clock):
    clerk = sign_in("clerk1")
    materials = _materials(engine)
    number = _register(clerk, engine, missing=2, **{f"defect.{materials[0][0]}": "申请书未签字"})
    missing_names = [name for code, name, mandatory in materials if mandatory][-2:]
    page = _text(clerk.get(f"/cases/{number}"))
    assert "打印一次性告知书" in page and "出具一次性告知书" in page and page.count("✗") == 2
    notice = _text(clerk.get(f"/cases/{number}/notice"))
    assert "一次性告知书" in notice and "《中华人民共和国行政许可法》第三十二条" in notice
    assert notice.count('<tr class="missing">') == 2 and notice.count('<tr class="defect">') == 1
    assert all(name in notice for name in missing_names) and "申请书未签字" in notice and materials[0][1] in notice
    # Printed before the step is confirmed: 20 working days from today (Mon 23 Nov 2026).
    assert "2026年12月21日" in notice and "20 个工作日" in notice

    clock.set(local_datetime(date(2026, 11, 25), 10))  # the notice is confirmed two days later
    engine.complete_task(staff["clerk2"], only_task(engine, number).id, {"notice_remarks": "请携带原件"})
    recorded = date.fromisoformat(engine.case_data(number)["correction_deadline"][:10])
    assert recorded == date(2026, 12, 23)
    notice = _text(clerk.get(f"/cases/{number}/notice"))
    assert "2026年12月23日" in notice and "2026年11月25日" in notice and "请携带原件" in notice
    assert notice.count('<tr class="missing">') == 2
    data = clerk.get(f"/api/v1/cases/{number}/notice").get_json()
    assert data["kind"] == "one_time_notice" and data["correction_deadline"] == "2026-12-23"
    assert data["correction_deadline_final"] is True
    assert [m["name"] for m in data["missing_materials"]] == missing_names
    assert data["defective_materials"] == [{"code": materials[0][0], "name": materials[0][1], "form": "原件",
                                            "count": 1, "problem": "申请书未签字"}]


def test_an_application_outside_the_remit_gets_the_written_reasons(sign_in, engine):
    clerk = sign_in("clerk1")
    received = intake(engine, FOOD)["received_materials"]
    unreasoned = clerk.post(f"/cases/new/{FOOD}", data=_form(clerk, received, acceptable="no"))
    assert unreasoned.status_code == 422 and "rejection_reasons" in _text(unreasoned) and _count(engine) == 0
    number = _register(clerk, engine, acceptable="no", rejection_reasons="申请事项属于省级权限，请向省市场监督管理局申请")
    assert "打印不予受理通知书" in _text(clerk.get(f"/cases/{number}"))
    notice = _text(clerk.get(f"/cases/{number}/notice"))
    assert "不予受理通知书" in notice and "申请事项属于省级权限，请向省市场监督管理局申请" in notice
    assert "60 日内依法申请行政复议" in notice and "6 个月内依法向人民法院提起行政诉讼" in notice
    assert "2026年11月23日" in notice and "示范市政务服务中心" in notice and "第三十五条" in notice


def test_a_due_date_in_a_year_without_a_holiday_schedule_is_marked_provisional(sign_in, engine, clock):
    clock.set(local_datetime(date(2026, 12, 28), 9))
    clerk = sign_in("clerk1")
    number = _register(clerk, engine)
    assert "暂定" in _text(clerk.get(f"/cases/{number}"))
    notice = _text(clerk.get(f"/cases/{number}/notice"))
    assert "2027年1月11日" in notice and "暂定" in notice


def test_the_notice_escapes_what_the_applicant_typed(sign_in, engine):
    clerk = sign_in("clerk1")
    number = _register(clerk, engine, applicant=person(name="<script>alert(1)</script>"))
    notice = _text(clerk.get(f"/cases/{number}/notice"))
    assert "<script>alert(1)</script>" not in notice and "&lt;script&gt;" in notice


# -- bad input: 4xx naming the field, nothing created, the input kept ---------------------

def test_a_bad_id_number_is_refused_naming_the_field_and_the_input_is_kept(sign_in, engine):
    clerk = sign_in("clerk1")
    received = intake(engine, FOOD, missing=1)["received_materials"]
    response = clerk.post(f"/cases/new/{FOOD}", data=_form(
        clerk, received, applicant=person(name="钱多多", id_number=BAD_ID), **{"defect.M01": "复印不清"}))
    page = _text(response)
    assert response.status_code == 422 and 'data-field="applicant.id_number"' in page and "校验位" in page
    assert 'value="钱多多"' in page and f'value="{BAD_ID}"' in page and 'value="复印不清"' in page
    for code in received:
        assert f'value="{code}" checked' in page
    assert _count(engine) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"applicant.phone": ""}, "applicant.phone"),
    ({"applicant.name": ""}, "applicant.name"),
    ({"applicant.id_type": "统一社会信用代码"}, "applicant.id_type"),
    ({"acceptable": ""}, "acceptable"),
    ({"acceptable": "maybe"}, "acceptable"),
    ({"delivery_method": "drone"}, "delivery_method"),
    ({"delivery_method": "post"}, "postal_address"),
    ({"delivery_method": "post", "postal_address.recipient": "张三", "postal_address.phone": "12",
      "postal_address.address": "示范市人民路1号", "postal_address.region": "same_city"}, "postal_address.phone"),
    ({"received_materials": ["M01", "NOPE"]}, "received_materials"),
])
def test_a_missing_or_wrong_field_is_named_and_nothing_is_created(sign_in, engine, change, field):
    clerk = sign_in("clerk1")
    form = _form(clerk, intake(engine, FOOD)["received_materials"])
    form.update(change)
    response = clerk.post(f"/cases/new/{FOOD}", data=form)
    assert response.status_code == 422, _text(response)[:500]
    assert f'data-field="{field}' in _text(response)
    assert _count(engine) == 0


def test_an_unknown_item_is_404_and_a_post_without_csrf_token_is_400(sign_in, engine):
    clerk = sign_in("clerk1")
    assert clerk.get("/cases/new/NOPE-1").status_code == 404
    form = _form(clerk, intake(engine, FOOD)["received_materials"])
    assert clerk.post("/cases/new/NOPE-1", data=form).status_code == 404
    del form["csrf_token"]
    response = clerk.post(f"/cases/new/{FOOD}", data=form)
    assert response.status_code == 400 and "csrf_token" in _text(response)
    assert _count(engine) == 0


# -- who may see what --------------------------------------------------------------------

def test_the_back_office_sees_only_its_own_and_co_reviewed_departments_cases(sign_in, engine, staff):
    food = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD))
    joint = engine.create_case(staff["clerk1"], JOINT, person(), intake(engine, JOINT))
    for username, number, status in [
        ("scjg_approver1", food.number, 200), ("scjg_chief", food.number, 200), ("zjj_approver1", food.number, 403),
        ("zrgh_chief", food.number, 403), ("zrgh_approver1", joint.number, 200), ("zjj_approver1", joint.number, 200),
        ("scjg_approver1", joint.number, 403), ("supervisor", food.number, 200), ("admin", joint.number, 200),
    ]:
        client = sign_in(username)
        for path in (f"/cases/{number}", f"/cases/{number}/notice", f"/api/v1/cases/{number}",
                     f"/api/v1/cases/{number}/history", f"/api/v1/cases/{number}/notice"):
            assert client.get(path).status_code == status, (username, path)
    masked = sign_in("supervisor").get(f"/api/v1/cases/{food.number}").get_json()["applicant"]
    assert masked["id_number"] == person()["id_number"][:6] + "********" + person()["id_number"][-4:]
    assert masked["phone"] == "138****8000"


def test_only_clerks_use_the_workspace_and_the_intake(sign_in, engine):
    for username in ("scjg_approver1", "scjg_chief", "supervisor", "admin"):
        client = sign_in(username)
        for path in ("/cases/", f"/cases/new/{FOOD}", "/cases/mine", "/api/v1/cases?mine=true"):
            assert client.get(path).status_code == 403, (username, path)
        refused = client.post(f"/cases/new/{FOOD}", data=_form(client, ["M01"]))
        assert refused.status_code == 403
        api = client.post("/api/v1/cases", json={"item_code": FOOD, "applicant": person(), "intake": intake(engine, FOOD)},
                          headers={"X-CSRFToken": client.csrf})
        assert api.status_code == 403 and api.get_json()["code"] == "forbidden"
    assert _count(engine) == 0


def test_signed_out_pages_redirect_to_sign_in_and_the_api_answers_401(app, engine, staff):
    case = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD))
    client = app.test_client()
    for path in ("/cases/", f"/cases/new/{FOOD}", "/cases/mine", f"/cases/{case.number}", f"/cases/{case.number}/notice"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login"), path
    for path in ("/api/v1/cases/items", f"/api/v1/cases/items/{FOOD}", "/api/v1/cases?mine=true",
                 f"/api/v1/cases/{case.number}", f"/api/v1/cases/{case.number}/history",
                 f"/api/v1/cases/{case.number}/notice"):
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["code"] == "unauthorized", path
    assert client.post("/api/v1/cases", json={}).status_code == 401


def test_an_unknown_case_is_404(sign_in):
    clerk = sign_in("clerk1")
    assert clerk.get("/cases/ZW2099010100001").status_code == 404
    assert clerk.get("/cases/ZW2099010100001/notice").status_code == 404
    response = clerk.get("/api/v1/cases/ZW2099010100001/history")
    assert response.status_code == 404 and response.get_json()["field"] == "case_number"


# -- my cases ----------------------------------------------------------------------------

def test_my_cases_are_mine_only_newest_first_fifty_a_page(sign_in, engine, staff):
    numbers = [engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD)).number for _ in range(51)]
    other = engine.create_case(staff["clerk2"], FOOD, person(), intake(engine, FOOD)).number
    clerk = sign_in("clerk1")
    first = _text(clerk.get("/cases/mine"))
    assert "共 51 件" in first and other not in first and numbers[0] not in first
    assert first.index(numbers[50]) < first.index(numbers[49]) and "page=2" in first
    second = _text(clerk.get("/cases/mine?page=2"))
    assert numbers[0] in second and numbers[1] not in second and "page=3" not in second
    for bad in ("0", "abc", "10001"):
        response = clerk.get(f"/cases/mine?page={bad}")
        assert response.status_code == 422 and 'data-field="page' in _text(response)
    api = clerk.get("/api/v1/cases?mine=true&page=2").get_json()
    assert api["total"] == 51 and api["page_size"] == 50 and [c["number"] for c in api["cases"]] == [numbers[0]]
    assert clerk.get("/api/v1/cases?mine=true&page=0").get_json()["field"] == "page"


# -- the API -----------------------------------------------------------------------------

def test_the_catalogue_api_lists_items_and_an_items_materials_and_intake_form(sign_in, engine):
    client = sign_in("scjg_approver1")  # the catalogue is reference data for every member of staff
    items = client.get("/api/v1/cases/items").get_json()
    food = next(item for item in items if item["code"] == FOOD)
    assert food["department_name"] == "示范市市场监督管理局" and food["case_type"] == "承诺件"
    assert food["promised_limit_days"] == 10 and food["delivery_options"] == ["pickup", "post"]
    with engine.session() as session:
        assert len(items) == session.scalar(select(func.count()).select_from(ServiceItem)
                                            .where(ServiceItem.active.is_(True)))
    detail = client.get(f"/api/v1/cases/items/{FOOD}").get_json()
    assert [m["code"] for m in detail["item"]["materials"]] == [code for code, *_ in _materials(engine)]
    assert detail["intake_form"]["properties"]["received_materials"]["items"]["enum"] == \
        [code for code, *_ in _materials(engine)]
    missing = client.get("/api/v1/cases/items/NOPE-1")
    assert missing.status_code == 404 and missing.get_json()["field"] == "item_code"


def test_registering_through_the_api(sign_in, app, engine):
    clerk = sign_in("clerk1")
    body = {"item_code": FOOD, "applicant": person(), "intake": intake(engine, FOOD, missing=1)}
    assert clerk.post("/api/v1/cases", json=body).status_code == 400  # a session needs the CSRF header
    created = clerk.post("/api/v1/cases", json=body, headers={"X-CSRFToken": clerk.csrf})
    assert created.status_code == 201
    case = created.get_json()
    assert case["status"] == "已接件" and case["notice"] == "one_time_notice" and case["item_name"] == "食品经营许可（新办）"
    assert case["received_at"] == "2026-11-23T09:00:00+08:00" and case["applicant"]["id_number"] == person()["id_number"]
    last_mandatory = [code for code, _name, mandatory in _materials(engine) if mandatory][-1]
    assert [line["code"] for line in case["materials"] if line["missing"]] == [last_mandatory]
    assert case["open_tasks"][0]["name"] == "出具一次性告知书"
    history = clerk.get(f"/api/v1/cases/{case['number']}/history").get_json()
    assert history == [{"at": "2026-11-23T09:00:00+08:00", "actor": "clerk1", "actor_name": "王晓燕", "action": "create",
                        "task_id": history[0]["task_id"], "task": "intake", "task_name": "收件登记",
                        "before_status": None, "after_status": "已接件",
                        "detail": {"item_code": FOOD, "task": "intake", "form": body["intake"]}}]
    found = clerk.get(f"/api/v1/cases?q={case['number']}").get_json()
    assert found["total"] == 1 and found["cases"][0]["number"] == case["number"]
    # A token client needs no CSRF header.
    token = app.test_client().post("/api/v1/auth/token", json={"username": "clerk2", "password": "onewindow-demo"})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    accepted = app.test_client().post("/api/v1/cases", json={**body, "intake": intake(engine, FOOD)}, headers=bearer)
    assert accepted.status_code == 201 and accepted.get_json()["notice"] == "acceptance"
    notice = app.test_client().get(f"/api/v1/cases/{accepted.get_json()['number']}/notice", headers=bearer).get_json()
    assert notice["kind"] == "acceptance" and notice["due_date"] == "2026-12-07" and notice["due_provisional"] is False
    assert notice["center_name"] == "示范市政务服务中心" and notice["law"] == "《中华人民共和国行政许可法》第三十二条"
    assert _count(engine) == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"applicant": person(id_number=BAD_ID)}, "applicant.id_number"),
    ({"applicant": {**person(), "nickname": "小张"}}, "applicant.nickname"),
    ({"applicant": None}, "applicant"),
    ({"intake": None}, "intake"),
    ({"item_code": ""}, "item_code"),
    ({"intake": {"received_materials": [], "material_defects": [], "delivery_method": "pickup"}}, "acceptable"),
    ({"intake": {"received_materials": [], "material_defects": [], "acceptable": False, "delivery_method": "pickup"}},
     "rejection_reasons"),
])
def test_the_api_refuses_bad_applications_naming_the_field(sign_in, engine, change, field):
    clerk = sign_in("clerk1")
    body = {"item_code": FOOD, "applicant": person(), "intake": intake(engine, FOOD)}
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}
    response = clerk.post("/api/v1/cases", json=body, headers={"X-CSRFToken": clerk.csrf})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field
    assert _count(engine) == 0


def test_the_api_case_list_is_the_register_and_an_unknown_item_is_404(sign_in, engine):
    clerk = sign_in("clerk1")
    response = clerk.get("/api/v1/cases")  # no question: the register of his window (tests/test_case_register.py)
    assert response.status_code == 200 and response.get_json()["total"] == 0
    assert clerk.get("/api/v1/cases?q=x").get_json()["field"] == "q"
    unknown = clerk.post("/api/v1/cases", json={"item_code": "NOPE-1", "applicant": person(), "intake": {}},
                         headers={"X-CSRFToken": clerk.csrf})
    assert unknown.status_code == 404 and unknown.get_json()["field"] == "item_code"
    assert _count(engine) == 0


def test_the_rejection_notice_and_a_case_through_the_api(sign_in, engine, staff, clock):
    case = engine.create_case(staff["clerk1"], FOOD, person(), intake(engine, FOOD, acceptable=False))
    clock.advance(timedelta(days=1))
    client = sign_in("scjg_approver2")
    record = client.get(f"/api/v1/cases/{case.number}").get_json()
    assert record["status"] == "不予受理" and record["outcome"] == "not_accepted" and record["open_tasks"] == []
    assert record["notice"] == "rejection" and record["registered_by"] == "王晓燕"
    notice = client.get(f"/api/v1/cases/{case.number}/notice").get_json()
    assert notice["rejection_reasons"] == "申请事项不属于本机关职权范围，请向省级主管部门申请"
    assert notice["issued_on"] == "2026-11-23" and notice["reconsideration_days"] == 60
    assert notice["litigation_months"] == 6 and notice["missing_materials"] == []


def test_the_openapi_document_describes_the_cases_api(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    for path in ("/api/v1/cases", "/api/v1/cases/items", "/api/v1/cases/items/{item_code}", "/api/v1/cases/{number}",
                 "/api/v1/cases/{number}/history", "/api/v1/cases/{number}/notice"):
        assert path in spec["paths"], path
    assert "201" in spec["paths"]["/api/v1/cases"]["post"]["responses"]
    schemas = spec["components"]["schemas"]
    assert {"CaseRecord", "CaseNotice", "CaseHistoryEntry", "CatalogueItemDetail", "NewCase"} <= set(schemas)
    assert re.search(r"notice", schemas["CaseRecord"]["properties"]["notice"]["description"])
