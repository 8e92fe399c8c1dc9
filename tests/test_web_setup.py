"""Center setup pages and API (/admin/…, /api/v1/admin/…): the administrator's catalogue, calendar,
process versions and scoring rules; refusals are 4xx naming the field by its label, nothing written;
nobody else gets in."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.catalogue.models import ServiceItem, ServiceItemVersion
from engine.clock import local_datetime
from engine.workflow.bundles import PROCESS_DIR
from tests.helpers import intake, person, token_client
from tests.test_center_admin import NEW_ITEM, SCHEDULE_2027


@pytest.fixture
def api(app):
    return lambda username: token_client(app, username)


def item_versions(engine, code: str) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(ServiceItemVersion)
                              .where(ServiceItemVersion.item_code == code))


def test_the_api_saves_an_item_as_versions(api, engine):
    admin = api("admin")
    saved = admin.post("/api/v1/admin/catalogue/items", json=NEW_ITEM)
    assert saved.status_code == 200, saved.json
    assert (saved.json["version"], saved.json["conditions"], saved.json["process"]) == (1, "经营场所符合卫生规范",
                                                                                        "one_window")
    again = admin.post("/api/v1/admin/catalogue/items", json={**NEW_ITEM, "fee_basis": "《条例》第十条"})
    assert again.json["version"] == 2
    page = admin.get("/api/v1/admin/catalogue/items/WJW-009").json
    assert [v["version"] for v in page["versions"]] == [2, 1] and page["item"]["materials"][0]["code"] == "M01"
    assert any(item["code"] == "WJW-009" for item in admin.get("/api/v1/admin/catalogue/items").json)


def test_the_api_refuses_a_bad_item_naming_the_field_by_its_label(api, engine):
    refused = api("admin").post("/api/v1/admin/catalogue/items", json={**NEW_ITEM, "promised_limit_days": 99},
                                headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 400
    assert refused.json["field"] == "promised_limit_days"
    assert refused.json["message"].startswith("事项 WJW-009：承诺时限：")  # the item it is about, then the field
    refused = api("admin").post("/api/v1/admin/catalogue/items", json={**NEW_ITEM, "materials": [
        {**NEW_ITEM["materials"][0], "count": "two"}]})
    assert refused.json["field"] == "materials.0.count" and "份数" in refused.json["message"]
    refused = api("admin").post("/api/v1/admin/catalogue/items", json=[1, 2])
    assert 400 <= refused.status_code < 500
    assert item_versions(engine, "WJW-009") == 0


@pytest.mark.parametrize("username", ["supervisor", "clerk1", "scjg_chief"])
def test_nobody_but_the_administrator_gets_in(api, sign_in, username):
    assert api(username).get("/api/v1/admin/catalogue/items").status_code == 403
    assert api(username).post("/api/v1/admin/catalogue/items", json=NEW_ITEM).status_code == 403
    assert sign_in(username).get("/admin/catalogue").status_code == 403


def test_the_api_uploads_a_form_checked_by_content(api, engine):
    admin = api("admin")
    admin.post("/api/v1/admin/catalogue/items", json=NEW_ITEM)
    uploaded = admin.post("/api/v1/admin/catalogue/items/WJW-009/attachments",
                          data={"kind": "sample", "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n..."), "示例.png")})
    assert uploaded.status_code == 201 and uploaded.json["content_type"] == "image/png"
    refused = admin.post("/api/v1/admin/catalogue/items/WJW-009/attachments",
                         data={"kind": "sample", "file": (io.BytesIO(b"not a png"), "fake.png")})
    assert refused.status_code == 422 and refused.json["field"] == "file"


def test_the_catalogue_pages_create_a_department_and_an_item(sign_in, engine):
    client = sign_in("admin")
    assert "办事指南" in client.get("/admin/catalogue").get_data(as_text=True)
    saved = client.post("/admin/catalogue/departments", data={"csrf_token": client.csrf, "code": "WGJ",
                                                              "name": "示范市文化广电旅游局", "short_name": "文广旅"})
    assert saved.status_code == 303
    form = {"csrf_token": client.csrf, "code": "WGJ-001", "name": "营业性演出许可", "department": "WGJ",
            "category": "市场准入", "case_type": "承诺件", "process": "one_window", "legal_limit_days": "20",
            "promised_limit_days": "abc", "delivery_options": "pickup", "legal_basis": "《营业性演出管理条例》",
            "result_name": "营业性演出许可证", "material_rows": "2", "materials-0-code": "M01",
            "materials-0-name": "申请书", "materials-0-mandatory": "on", "materials-0-form": "原件",
            "materials-0-count": "1"}
    refused = client.post("/admin/catalogue/items", data=form)
    assert refused.status_code == 400 and "承诺时限" in refused.get_data(as_text=True)
    assert 'value="营业性演出许可"' in refused.get_data(as_text=True)  # the form as typed
    with engine.session() as session:
        assert session.get(ServiceItem, "WGJ-001") is None
    saved = client.post("/admin/catalogue/items", data={**form, "promised_limit_days": "10"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/admin/catalogue/items/WGJ-001")
    page = client.get("/admin/catalogue/items/WGJ-001").get_data(as_text=True)
    assert "营业性演出许可 · v1" in page and "版本记录" in page
    export = client.get("/admin/catalogue/export.toml").get_data(as_text=True)
    assert 'code = "WGJ-001"' in export


def test_the_case_page_names_the_item_version(sign_in, engine, staff):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    page = sign_in("clerk1").get(f"/cases/{case.number}").get_data(as_text=True)
    assert f"办事指南第 {case.item_version} 版" in page


def test_the_calendar_page_previews_then_imports_and_corrects_a_day(sign_in, engine, staff, clock):
    clock.set(local_datetime(date(2026, 12, 21), 9, 0))
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    client = sign_in("admin")
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert "2027 年的法定节假日安排尚未导入" in page and case.number in page
    assert "2027 年的法定节假日安排尚未导入" in sign_in("supervisor").get("/board/").get_data(as_text=True)

    preview = client.post("/admin/calendar/preview", data={
        "csrf_token": client.csrf, "source": "国办发明电〔2026〕7号",
        "schedule": (io.BytesIO(SCHEDULE_2027.encode()), "2027.csv")}, content_type="multipart/form-data")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2027-02-06" in text and "变化 3 天" in text
    assert not engine.center_admin.calendar_year(2027).known
    imported = client.post("/admin/calendar/import", data={"csrf_token": client.csrf, "schedule": SCHEDULE_2027,
                                                           "source": "国办发明电〔2026〕7号"})
    assert imported.status_code == 303 and engine.center_admin.calendar_year(2027).known
    assert not engine.get_case(case.number).due_provisional

    refused = client.post("/admin/calendar/days", data={"csrf_token": client.csrf, "day": "2027-02-08",
                                                        "kind": "workday", "name": "x"})
    assert refused.status_code == 422 and "类型" in refused.get_data(as_text=True)
    corrected = client.post("/admin/calendar/days", data={"csrf_token": client.csrf, "day": "2027-02-08",
                                                          "kind": "holiday", "name": "春节"})
    assert corrected.status_code == 303 and not engine.calendar.get(max_age=0).is_working_day(date(2027, 2, 8))


def test_the_calendar_api_previews_imports_and_refuses_a_bad_line(api, engine):
    admin = api("admin")
    preview = admin.post("/api/v1/admin/calendar/preview", json={"schedule": SCHEDULE_2027})
    assert preview.status_code == 200 and [c["after"] for c in preview.json["changes"]] == ["holiday", "workday",
                                                                                             "holiday"]
    bad = admin.post("/api/v1/admin/calendar/preview", json={"schedule": "date,kind,name\n2027-13-01,holiday,x\n"})
    assert bad.status_code == 422 and bad.json["field"] == "date"
    imported = admin.post("/api/v1/admin/calendar/import", json={"schedule": SCHEDULE_2027, "source": "通知"})
    assert imported.json == {"year": 2027, "days": 3, "firmed_up": 0}
    assert len(admin.get("/api/v1/admin/calendar/2027").json["days"]) == 3
    assert admin.get("/api/v1/admin/calendar/outlook").json["next_year_known"] is True


def test_the_process_pages_list_versions_with_open_cases_and_refuse_a_bad_upload(sign_in, api, engine, staff):
    engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    client = sign_in("admin")
    page = client.get("/admin/processes").get_data(as_text=True)
    assert "one_window" in page and '<td class="open-cases">1</td>' in page
    lines = api("admin").get("/api/v1/admin/processes").json
    assert lines[0]["open_cases"] == 1 and "one_window.bpmn" in lines[0]["files"]
    diagram = api("admin").get(f"/api/v1/admin/processes/{lines[0]['id']}/diagram").json
    assert diagram["bpmn"].startswith("<?xml")
    assert "data-diagram-url" in client.get(f"/admin/processes/{lines[0]['id']}").get_data(as_text=True)

    bpmn = (PROCESS_DIR / "one_window.bpmn").read_text(encoding="utf-8").replace(
        "</bpmn:script>", "__import__('os')</bpmn:script>", 1)
    refused = client.post("/admin/processes", data={"csrf_token": client.csrf,
                                                    "files": [(io.BytesIO(bpmn.encode()), "one_window.bpmn")]},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "one_window.bpmn" in refused.get_data(as_text=True)
    refused = api("admin").post("/api/v1/admin/processes", data={"files": [(io.BytesIO(b"x"), "x.sh")]},
                                content_type="multipart/form-data")
    assert refused.status_code == 422 and refused.json["field"] == "files"
    assert len(api("admin").get("/api/v1/admin/processes").json) == 1


RULES = """[[rules]]
code = "XL-01"
name = "迟到早退"
category = "遵章守纪"
points = -1.0
unit = "occurrence"
source = "考勤制度"
"""


def test_the_scoring_page_and_api_load_rules_as_a_new_version(sign_in, api):
    client = sign_in("admin")
    assert "考核规则 · v1" in client.get("/admin/scoring").get_data(as_text=True)
    refused = client.post("/admin/scoring", data={"csrf_token": client.csrf, "toml": (
        io.BytesIO(RULES.replace("-1.0", "1.0").encode()), "rules.toml")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and "分值" in refused.get_data(as_text=True)
    refused = api("admin").post("/api/v1/admin/scoring/rules", json={"toml": "[[rules]\n"})
    assert refused.status_code == 400 and refused.json["field"] == "toml"
    loaded = api("admin").post("/api/v1/admin/scoring/rules", json={"toml": RULES})
    assert loaded.status_code == 200 and [v["version"] for v in loaded.json["versions"]] == [2, 1]
    assert [r["code"] for r in loaded.json["rules"] if r["active"]] == ["XL-01"]
