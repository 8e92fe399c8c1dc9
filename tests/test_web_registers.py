"""The 否决备案 register (seed 004 篇八 第八条): its API and page, filters, scoping (supervisors
all, a chief his department, a clerk refused) and its Excel sheet, on SQLite and PostgreSQL."""

from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook

from engine.clock import local_datetime
from tests.helpers import approve_in_back_office, intake, person

SCJG_ITEM, ZJJ_ITEM = "SCJG-002", "ZJJ-001"
REGISTER = "/api/v1/registers/refusals"


def _refusals(engine, staff, clock):
    """A 不予受理 of SCJG on 23 Nov, a 不予许可 of SCJG on 24 Nov, a 不予许可 of ZJJ on 25 Nov, one granted."""
    not_accepted = engine.create_case(staff["clerk1"], SCJG_ITEM, person("甲"), intake(engine, SCJG_ITEM, acceptable=False))
    clock.set(local_datetime(date(2026, 11, 24), 10))
    case = engine.create_case(staff["clerk1"], SCJG_ITEM, person("乙"), intake(engine, SCJG_ITEM))
    refused = approve_in_back_office(engine, case.number, staff["scjg_approver1"], "reject")
    clock.set(local_datetime(date(2026, 11, 25), 10))
    case = engine.create_case(staff["clerk1"], ZJJ_ITEM, person("丙"), intake(engine, ZJJ_ITEM))
    other = approve_in_back_office(engine, case.number, staff["zjj_approver1"], "reject")
    case = engine.create_case(staff["clerk1"], SCJG_ITEM, person("丁"), intake(engine, SCJG_ITEM))
    approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    return not_accepted, refused, other


def test_the_supervisor_reads_every_refusal_with_its_reasons_who_and_when(app, engine, staff, sign_in, clock):
    not_accepted, refused, other = _refusals(engine, staff, clock)
    rows = sign_in("supervisor").get(REGISTER).json
    assert [(row["kind"], row["case_number"], row["department_code"]) for row in rows] == [
        ("not_accepted", not_accepted.number, "SCJG"), ("not_permitted", refused.number, "SCJG"),
        ("not_permitted", other.number, "ZJJ")]
    first, second = rows[0], rows[1]
    assert (first["title"], first["refused_by"], first["refused_on"], first["document_number"]) == (
        "不予受理", "王晓燕", "2026-11-23", None)
    assert first["reasons"] == "申请事项不属于本机关职权范围，请向省级主管部门申请"
    assert first["refused_at"] == "2026-11-23T09:00:00+08:00" and first["applicant_name"] == "甲"
    assert (second["refused_by"], second["document_number"], second["item_code"]) == (
        "李明", "市场监管许字〔2026〕第1号", SCJG_ITEM)
    assert "经营场所不符合卫生要求" in second["reasons"]


def test_the_filters_narrow_by_period_department_item_and_kind(app, engine, staff, sign_in, clock):
    not_accepted, refused, other = _refusals(engine, staff, clock)
    supervisor = sign_in("director")

    def numbers(**query):
        response = supervisor.get(REGISTER, query_string=query)
        assert response.status_code == 200, response.json
        return [row["case_number"] for row in response.json]
    assert numbers(**{"from": "2026-11-24", "to": "2026-11-24"}) == [refused.number]
    assert numbers(department="ZJJ") == [other.number]
    assert numbers(item=SCJG_ITEM, kind="not_permitted") == [refused.number]
    assert numbers(kind="not_accepted") == [not_accepted.number]
    assert numbers(**{"from": "2026-10-01", "to": "2026-10-31"}) == []


def test_bad_filters_are_refused_naming_the_field(app, engine, staff, sign_in):
    supervisor = sign_in("supervisor")
    for query, field in [({"from": "2026-11-31"}, "from"), ({"from": "2026-11-24", "to": "2026-11-23"}, "to"),
                         ({"kind": "granted"}, "kind"), ({"department": "NOPE"}, "department"),
                         ({"item": "NOPE-1"}, "item"), ({"format": "pdf"}, "format")]:
        response = supervisor.get(REGISTER, query_string=query)
        assert (response.status_code, response.json["field"]) == (422, field), (query, response.json)
    page = supervisor.get("/registers/refusals?to=2026-11-01&from=2026-11-24")
    assert page.status_code == 422 and 'data-field="to"' in page.data.decode()


def test_a_chief_reads_his_own_department_only_and_a_clerk_none(app, engine, staff, sign_in, clock):
    _not_accepted, _refused, other = _refusals(engine, staff, clock)
    chief = sign_in("zjj_chief")
    assert [row["case_number"] for row in chief.get(REGISTER).json] == [other.number]
    assert [row["case_number"] for row in chief.get(REGISTER, query_string={"department": "ZJJ"}).json] == [
        other.number]
    refused = chief.get(REGISTER, query_string={"department": "SCJG"})
    assert (refused.status_code, refused.json["field"]) == (403, "department")
    assert chief.get("/registers/refusals?department=SCJG").status_code == 403
    page = chief.get("/registers/refusals").data.decode()
    assert other.number in page and 'name="department"' not in page
    for username in ("clerk1", "zjj_approver1"):
        assert sign_in(username).get(REGISTER).status_code == 403
        assert sign_in(username).get("/registers/refusals").status_code == 403


def test_the_sheet_opens_and_holds_the_filtered_rows(app, engine, staff, sign_in, clock):
    not_accepted, refused, _other = _refusals(engine, staff, clock)
    supervisor = sign_in("supervisor")
    for url in (f"{REGISTER}?format=xlsx&department=SCJG", "/registers/refusals.xlsx?department=SCJG"):
        response = supervisor.get(url)
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
        sheet = load_workbook(BytesIO(response.data)).active
        rows = [row for row in sheet.iter_rows(min_row=4, values_only=True)]
        assert [(row[2], row[3], row[4], row[10]) for row in rows] == [
            ("不予受理", not_accepted.number, None, "王晓燕"), ("不予许可", refused.number, "市场监管许字〔2026〕第1号", "李明")]
        assert sheet["A3"].value == "备案日期" and "否决备案登记表" in sheet["A1"].value


def _rows(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0].strip()


def test_the_page_lists_the_refusals(app, engine, staff, sign_in, clock):
    supervisor = sign_in("supervisor")
    assert _rows(supervisor.get("/registers/refusals").data.decode()) == ""  # shell.js then says 暂无数据
    not_accepted, refused, _other = _refusals(engine, staff, clock)
    clock.advance(timedelta(days=1))
    page = supervisor.get("/registers/refusals?kind=not_permitted").data.decode()
    assert refused.number in _rows(page) and "市场监管许字〔2026〕第1号" in page
    assert not_accepted.number not in _rows(page)
    assert 'href="/registers/refusals.xlsx?kind=not_permitted"' in page  # the sheet of what the page shows
    english = supervisor.get("/registers/refusals", headers={"Accept-Language": "en"}).data.decode()
    assert "Refusal register" in english
