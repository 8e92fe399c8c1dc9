"""The case register (办件台账): filters, search by each kind, pages and totals, who sees which cases,
the Excel sheet — on SQLite and PostgreSQL (GET /api/v1/cases and /register/)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from engine.clock import local_datetime
from tests.helpers import approve_in_back_office, intake, person, resident_id

SOLE_TRADER, FOOD_LICENCE, BUILDING_PERMIT = "SCJG-001", "SCJG-002", "ZJJ-001"


@pytest.fixture
def cases(engine, staff, clock):
    """Four cases: clerk1 registers two of SCJG on 23 Nov, clerk3 one of ZJJ on 24 Nov, clerk1 one more
    of SCJG on 25 Nov which the back office decides (clerk1 and clerk2 share 综合窗口1, clerk2 and
    clerk3 综合窗口2)."""
    made = {}
    made["ouyang"] = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(
        "欧阳明华", phone="13912345678", id_number=resident_id("19900101", "456")), intake(engine, FOOD_LICENCE))
    made["zhang"] = engine.create_case(staff["clerk1"], SOLE_TRADER, person("张三"), intake(engine, SOLE_TRADER))
    clock.set(local_datetime(date(2026, 11, 24), 10))
    made["li"] = engine.create_case(staff["clerk3"], BUILDING_PERMIT, person("李四", phone="13700001111"),
                                    intake(engine, BUILDING_PERMIT))
    clock.set(local_datetime(date(2026, 11, 25), 10))
    made["wang"] = engine.create_case(staff["clerk1"], FOOD_LICENCE, person("王五"), intake(engine, FOOD_LICENCE))
    approve_in_back_office(engine, made["wang"].number, staff["scjg_approver1"])
    return made


def _numbers(client, query: str = "") -> tuple[int, list[str]]:
    answer = client.get(f"/api/v1/cases?{query}")
    assert answer.status_code == 200, answer.json
    return answer.json["total"], [case["number"] for case in answer.json["cases"]]


def test_search_by_name_phone_id_and_case_number_parts(sign_in, cases):
    supervisor = sign_in("supervisor")
    ouyang = cases["ouyang"].number
    assert _numbers(supervisor, "q=阳明华") == (1, [ouyang])  # a part of a name
    assert _numbers(supervisor, "q=欧阳") == (1, [ouyang])  # two characters: a name beginning with them
    assert _numbers(supervisor, "q=明华")[0] == 0  # … not a name's middle (too short for a trigram)
    assert _numbers(supervisor, "q=2345678") == (1, [ouyang])  # a part of the phone
    assert _numbers(supervisor, "q=19900101") == (1, [ouyang])  # a part of the ID number
    assert _numbers(supervisor, f"q={ouyang[-7:]}") == (1, [ouyang])  # a part of the case number
    assert _numbers(supervisor, "q=13700001111") == (1, [cases["li"].number])
    assert _numbers(supervisor, "q=100%25")[0] == 0  # a LIKE wildcard is searched as itself


def test_filters_sorting_and_pages_with_the_total(sign_in, cases):
    supervisor = sign_in("supervisor")
    every = [cases[key].number for key in ("wang", "li", "zhang", "ouyang")]  # newest first
    assert _numbers(supervisor) == (4, every)
    assert _numbers(supervisor, "sort=received") == (4, every[::-1])
    assert _numbers(supervisor, "per_page=3&page=2") == (4, [every[3]])
    assert _numbers(supervisor, "department=SCJG")[0] == 3
    assert _numbers(supervisor, f"item={FOOD_LICENCE}") == (2, [cases["wang"].number, cases["ouyang"].number])
    assert _numbers(supervisor, "case_type=即办件")[0] == len(
        [c for c in cases.values() if c.case_type == "即办件"])
    assert _numbers(supervisor, "received_from=2026-11-24&received_to=2026-11-24") == (1, [cases["li"].number])
    assert _numbers(supervisor, "decided_from=2026-11-25&decided_to=2026-11-25") == (1, [cases["wang"].number])
    assert _numbers(supervisor, "decided_to=2026-11-24")[0] == 0
    accepted = [c.number for c in cases.values() if c.accepted_on == date(2026, 11, 23)]
    assert _numbers(supervisor, "accepted_from=2026-11-23&accepted_to=2026-11-23")[0] == len(accepted) >= 1
    assert _numbers(supervisor, "overdue=true")[0] == 0 and _numbers(supervisor, "overdue=false")[0] == 4
    status = cases["li"].status
    assert cases["li"].number in _numbers(supervisor, f"status={status}")[1]


def test_clerk_and_approver_filters(sign_in, cases, staff):
    supervisor = sign_in("supervisor")
    assert _numbers(supervisor, f"clerk={staff['clerk3'].id}") == (1, [cases["li"].number])
    assert _numbers(supervisor, f"approver={staff['scjg_approver1'].id}") == (1, [cases["wang"].number])
    assert _numbers(supervisor, f"approver={staff['scjg_approver2'].id}")[0] == 0


def test_each_role_sees_its_own_scope(sign_in, cases):
    scjg = {cases[key].number for key in ("ouyang", "zhang", "wang")}
    assert set(_numbers(sign_in("scjg_approver1"))[1]) == scjg
    assert set(_numbers(sign_in("scjg_chief"))[1]) == scjg
    assert _numbers(sign_in("zjj_chief")) == (1, [cases["li"].number])
    assert set(_numbers(sign_in("clerk1"))[1]) == scjg  # his window: clerk1 and clerk2 registered these
    assert _numbers(sign_in("clerk3")) == (1, [cases["li"].number])  # 综合窗口2: clerk2 and clerk3
    assert _numbers(sign_in("clerk2"))[0] == 4  # A of 综合窗口2 and B of 综合窗口1
    assert _numbers(sign_in("director"))[0] == 4
    other = sign_in("zjj_chief").get("/api/v1/cases?department=SCJG")
    assert other.status_code == 403 and other.json["field"] == "department"
    assert _numbers(sign_in("clerk3"), "q=阳明华")[0] == 0  # search keeps the scope


def test_the_clerks_own_cases_still_answer_as_before(sign_in, cases):
    mine = sign_in("clerk3").get("/api/v1/cases?mine=true").json
    assert (mine["total"], mine["page_size"], [c["number"] for c in mine["cases"]]) == (1, 50, [cases["li"].number])
    assert sign_in("supervisor").get("/api/v1/cases?mine=true").status_code == 403


@pytest.mark.parametrize("query, field", [
    ("per_page=0", "per_page"), ("per_page=201", "per_page"), ("page=0", "page"), ("q=a", "q"),
    ("sort=name", "sort"), ("received_from=2026-11-30&received_to=2026-11-01", "received_from"),
    ("received_from=yesterday", "received_from"), ("department=NOPE", "department"), ("item=NOPE", "item"),
    ("format=pdf", "format"), ("overdue=maybe", "overdue"), ("clerk=-1", "clerk"),
])
def test_bad_queries_are_refused_naming_the_field(sign_in, query, field):
    answer = sign_in("supervisor").get(f"/api/v1/cases?{query}")
    assert answer.status_code == 422 and answer.json["field"] == field, answer.json


def test_the_excel_sheet_of_the_filtered_list_masks_numbers_but_for_the_window(sign_in, cases):
    answer = sign_in("supervisor").get("/api/v1/cases?format=xlsx&department=SCJG&sort=number")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(answer.data)).active
    assert sheet.cell(2, 1).value == "办件编号" and sheet.max_row == 2 + 3
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    ouyang = rows[cases["ouyang"].number]
    full_id = cases["ouyang"].applicant_id_number
    assert ouyang[5] == "欧阳明华" and ouyang[6] == full_id[:6] + "*" * 8 + full_id[-4:]
    assert ouyang[7] == "139****5678" and ouyang[1] == FOOD_LICENCE
    assert rows[cases["wang"].number][13] == "准予许可"
    window = load_workbook(BytesIO(sign_in("clerk1").get("/register/export.xlsx?q=阳明华").data)).active
    assert window.max_row == 3 and window.cell(3, 7).value == cases["ouyang"].applicant_id_number
    assert window.cell(3, 8).value == "13912345678"


def test_the_register_page_lists_filters_and_pages(sign_in, cases):
    page = sign_in("scjg_chief").get("/register/?q=阳明华")
    text = page.data.decode()
    assert page.status_code == 200 and cases["ouyang"].number in text and cases["zhang"].number not in text
    assert "139****5678" in text and "共 1 件" in text
    empty = sign_in("supervisor").get("/register/?q=没有这个人").data.decode()
    assert "暂无数据" in empty and "共 0 件" in empty
    bad = sign_in("supervisor").get("/register/?per_page=0")
    assert bad.status_code == 422 and 'data-field="per_page"' in bad.data.decode()
    assert sign_in("admin").get("/register/").status_code == 200
