"""The clerk's pages: find, register a new application, the case page and its printable notice."""

from sqlalchemy import func, select

from engine.cases.models import Case
from tests.helpers import intake, only_task, person


def _count(engine):
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(Case))


def _application_form(client, materials, *, id_number=None, acceptable=True):
    applicant = person()
    form = {"csrf_token": client.csrf, "applicant.kind": "person", "applicant.name": applicant["name"],
            "applicant.id_type": "居民身份证", "applicant.id_number": id_number or applicant["id_number"],
            "applicant.phone": applicant["phone"], "received_materials": materials,
            "acceptable": "true" if acceptable else "", "delivery_method": "pickup"}
    return form


def test_workspace_lists_items_and_finds_cases(sign_in, engine, staff):
    clerk = sign_in("clerk1")
    page = clerk.get("/cases/").data.decode()
    assert "食品经营许可" in page and "窗口待办" in page
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    assert clerk.get(f"/cases/?q={case.number}").location == f"/cases/{case.number}"
    assert clerk.get("/cases/?q=x").status_code == 422


def test_a_complete_application_is_accepted_and_gets_its_notice(sign_in, engine):
    clerk = sign_in("clerk1")
    assert "申请材料清单" in clerk.get("/cases/new/SCJG-002").data.decode()
    materials = [m for m in intake(engine, "SCJG-002")["received_materials"]]
    response = clerk.post("/cases/new/SCJG-002", data=_application_form(clerk, materials))
    assert response.status_code == 302
    number = response.location.rsplit("/", 1)[1]
    notice = clerk.get(f"/cases/{number}/notice").data.decode()
    assert "受理通知书" in notice and number in notice and "示范市政务服务中心" in notice
    assert number in clerk.get("/cases/mine").data.decode()


def test_an_incomplete_application_gets_a_one_time_notice_listing_every_missing_material(sign_in, engine, staff):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002", missing=2))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    notice = sign_in("clerk2").get(f"/cases/{case.number}/notice").data.decode()
    assert "一次性告知书" in notice and "第三十二条" in notice
    assert notice.count("<li>缺少") == 2


def test_a_rejected_application_gets_the_reasons(sign_in, engine, staff):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002", acceptable=False))
    notice = sign_in("clerk1").get(f"/cases/{case.number}/notice").data.decode()
    assert "不予受理通知书" in notice and "不属于本机关职权范围" in notice


def test_bad_applications_are_refused_naming_the_field_and_nothing_is_created(sign_in, engine):
    clerk = sign_in("clerk1")
    materials = intake(engine, "SCJG-002")["received_materials"]
    bad = clerk.post("/cases/new/SCJG-002", data=_application_form(clerk, materials, id_number="110105194912310021"))
    assert bad.status_code == 422 and "applicant.id_number" in bad.data.decode()
    assert clerk.get("/cases/new/NOPE-1").status_code == 404
    no_csrf = _application_form(clerk, materials)
    del no_csrf["csrf_token"]
    assert clerk.post("/cases/new/SCJG-002", data=no_csrf, headers={}).status_code == 400
    assert _count(engine) == 0


def test_back_office_sees_only_its_own_departments_cases(sign_in, engine, staff):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    assert sign_in("scjg_approver1").get(f"/cases/{case.number}").status_code == 200
    assert sign_in("zjj_approver1").get(f"/cases/{case.number}").status_code == 403
    assert sign_in("supervisor").get(f"/cases/{case.number}").status_code == 200
    assert sign_in("clerk1").get("/cases/ZW2099010100001").status_code == 404
