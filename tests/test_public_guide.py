"""The public 办事指南 (no sign-in): the items by category and department with search, one item's whole
guide with its forms, as a page and as GET /api/v1/public/items; on SQLite and PostgreSQL."""

import pytest

from engine.catalogue.models import ServiceItem
from engine.errors import CatalogueError
from tests.helpers import signed_in_client
from tests.test_web_public import limited_app  # noqa: F401  (the app with rate limits on)

FOOD_LICENCE = "SCJG-002"
PDF = b"%PDF-1.4\n% a blank form\n"


def test_the_items_are_listed_by_category_and_department_without_sign_in(app):
    client = app.test_client()
    listed = client.get("/api/v1/public/items")
    assert listed.status_code == 200
    codes = [line["code"] for line in listed.json]
    assert len(codes) == 13 and FOOD_LICENCE in codes
    assert [line["category"] for line in listed.json] == sorted(line["category"] for line in listed.json)
    food = next(line for line in listed.json if line["code"] == FOOD_LICENCE)
    assert food == {"code": FOOD_LICENCE, "name": "食品经营许可（新办）", "department_code": "SCJG",
                    "department_name": "示范市市场监督管理局", "category": "市场准入", "case_type": "承诺件",
                    "promised_limit_days": food["promised_limit_days"]}
    assert food["promised_limit_days"] > 0


@pytest.mark.parametrize("query, expected", [
    ({"q": "食品"}, {"SCJG-002", "SCJG-004"}),
    ({"q": "scjg-00"}, {"SCJG-001", "SCJG-002", "SCJG-003", "SCJG-004"}),
    ({"department": "zjj"}, {"ZJJ-001", "ZJJ-002"}),
    ({"category": "交通运输"}, {"JTYS-001", "JTYS-002"}),
    ({"q": "许可", "department": "ZJJ"}, {"ZJJ-001", "ZJJ-002"}),
    ({"q": "100%_"}, set()),
])
def test_the_search_filters_by_name_code_department_and_category(app, query, expected):
    answer = app.test_client().get("/api/v1/public/items", query_string=query)
    assert answer.status_code == 200
    assert {line["code"] for line in answer.json} == expected


def test_one_items_guide_says_everything_ten_publicities_ask(app, engine, staff):
    engine.catalogue_admin.add_attachment(staff["admin"], FOOD_LICENCE, "blank", "申请书.pdf", PDF)
    client = app.test_client()
    guide = client.get(f"/api/v1/public/items/{FOOD_LICENCE.lower()}")
    assert guide.status_code == 200, guide.json
    body = guide.json
    assert body["name"] == "食品经营许可（新办）" and body["department_name"] == "示范市市场监督管理局"
    assert body["fee"] == "不收费" and "第五十八条" in body["fee_basis"]
    assert body["conditions"].startswith("申请人依法具备食品经营许可（新办）")
    assert body["procedure"].startswith("申请人提交申请材料 → 窗口受理")
    assert body["place"] == "示范市政务服务中心二楼 A 区 市场监管窗口（A01—A04）"
    assert "9:00" in body["hours"] and "0571-87001234" in body["contacts"]
    assert body["legal_limit_days"] >= body["promised_limit_days"] > 0 and body["legal_basis"]
    assert [m["code"] for m in body["materials"]] == ["M01", "M02", "M03", "M04", "M05"]
    assert body["materials"][0]["name"] == "食品经营许可申请书"
    (form,) = body["forms"]
    assert (form["kind"], form["filename"], form["size"]) == ("blank", "申请书.pdf", len(PDF))
    download = client.get(form["url"])
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"


def test_the_guide_pages_list_search_and_print_without_sign_in(app, engine, staff):
    client = app.test_client()
    page = client.get("/guide/", query_string={"department": "JTYS"}).data.decode()
    assert "道路货物运输经营许可" in page and "食品经营许可" not in page.split('id="guide-items"')[1]
    assert "暂无数据" in client.get("/guide/", query_string={"q": "不存在的事项"}).data.decode()
    item = client.get(f"/guide/{FOOD_LICENCE}")
    text = item.data.decode()
    assert item.status_code == 200
    for fact in ("受理条件", "食品经营许可申请书", "收费依据", "办事流程", "设定依据", "办理地点", "办理时间",
                 "0571-87001234", "data-print"):
        assert fact in text
    assert "暂无数据" in text.split('id="guide-forms"')[1]  # no sample or blank form uploaded yet
    assert "<script>" not in text and "style=" not in text


def test_an_unknown_or_withdrawn_item_is_404_and_a_bad_filter_422(app, engine, staff):
    client = app.test_client()
    assert client.get("/api/v1/public/items/NOPE-001").status_code == 404
    assert client.get("/guide/NOPE-001").status_code == 404
    assert client.get("/api/v1/public/items", query_string={"q": "长" * 51}).json["field"] == "q"
    # An item a new catalogue file leaves out is deactivated (engine/catalogue/loader.py), not deleted.
    with engine.context.transaction() as session:
        session.get(ServiceItem, FOOD_LICENCE).active = False
    assert client.get(f"/api/v1/public/items/{FOOD_LICENCE}").status_code == 404
    assert FOOD_LICENCE not in {line["code"] for line in client.get("/api/v1/public/items").json}


def test_the_guide_is_rate_limited_page_and_api_together(limited_app):  # noqa: F811
    client = limited_app.test_client()
    answers = [client.get("/api/v1/public/items" if n % 2 else "/guide/").status_code for n in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429


def test_the_guide_text_saved_on_the_setup_page_is_published(app, engine, staff):
    admin = signed_in_client(app, "admin")
    page = admin.get(f"/admin/catalogue/items/{FOOD_LICENCE}").data.decode()
    assert 'name="procedure"' in page and 'name="place"' in page and 'name="hours"' in page
    raw = next(item for item in engine.catalogue_admin.export("示范市政务服务中心")["items"]
               if item["code"] == FOOD_LICENCE)
    engine.catalogue_admin.save_item(staff["admin"], {**raw, "place": "示范市政务服务中心五楼 E01 窗口",
                                                      "hours": "工作日 8:30—17:30", "procedure": "网上申请 → 现场核验"})
    guide = app.test_client().get(f"/api/v1/public/items/{FOOD_LICENCE}").json
    assert (guide["place"], guide["hours"], guide["procedure"]) == (
        "示范市政务服务中心五楼 E01 窗口", "工作日 8:30—17:30", "网上申请 → 现场核验")
    with pytest.raises(CatalogueError) as refused:
        engine.catalogue_admin.save_item(staff["admin"], {**raw, "place": "长" * 201})
    assert refused.value.field == "place"


def test_the_openapi_document_lists_the_public_endpoints_without_sign_in(app):
    spec = app.test_client().get("/api/openapi.json").json
    for path, method, answer in (("/api/v1/public/items", "get", "200"), ("/api/v1/public/items/{code}", "get", "200"),
                                 ("/api/v1/public/ratings", "post", "201")):
        operation = spec["paths"][path][method]
        assert operation["security"] == [] and answer in operation["responses"]
    assert {"q", "department", "category"} <= {p["name"] for p in spec["paths"]["/api/v1/public/items"]["get"]["parameters"]}
