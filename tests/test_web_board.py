"""The supervisor's board (counts, filters, charts) and the ledger page."""

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, literal, select, text

from engine.cases.stats import china_date
from engine.clock import local_datetime
from engine.db import UTCDateTime
from engine.ledger.models import LedgerEntry
from tests.helpers import approve_in_back_office, intake, only_task, person

SOLE_TRADER, FOOD_LICENCE, BUILDING_PERMIT = "SCJG-001", "SCJG-002", "ZJJ-001"  # 即办件, 承诺件 10 d, 承诺件 3 d


def _late_case(engine, staff, clock):
    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    engine.claim_task(staff["scjg_approver1"], only_task(engine, case.number).id)
    clock.set(local_datetime(date(2026, 12, 9), 9))  # two working days late
    engine.sweep_deadlines()
    return case


def test_the_board_shows_late_cases_by_department_and_person(sign_in, engine, staff, clock):
    case = _late_case(engine, staff, clock)
    supervisor = sign_in("supervisor")
    page = supervisor.get("/board/").data.decode()
    assert case.number in page and "李明" in page
    summary = supervisor.get("/api/v1/board/summary").json
    scjg = next(row for row in summary["departments"] if row["code"] == "SCJG")
    assert (scjg["red"], summary["flagged"][0]["working_days_late"]) == (1, 2)
    assert supervisor.get("/api/v1/board/summary?state=yellow").json["flagged"] == []
    bad = supervisor.get("/api/v1/board/summary?state=purple")
    assert bad.status_code == 422 and bad.json["field"] == "state"
    assert supervisor.get("/board/?department=NOPE").status_code == 422
    assert sign_in("clerk1").get("/api/v1/board/summary").status_code == 403


def test_the_ledger_page_for_supervisors_and_staff(sign_in, engine, staff, clock):
    _late_case(engine, staff, clock)
    supervisor = sign_in("supervisor")
    page = supervisor.get("/ledger/?period=2026-12").data.decode()
    assert "XL-02" in page and "李明" in page
    recorded = supervisor.post("/ledger/record?period=2026-12", data={
        "csrf_token": supervisor.csrf, "staff_id": str(staff["clerk1"].id), "rule_code": "JF-01",
        "occurred_on": "2026-12-08", "quantity": "1", "evidence": "申请人赠送锦旗"})
    assert recorded.status_code == 303
    bad = supervisor.post("/ledger/record", data={"csrf_token": supervisor.csrf, "staff_id": str(staff["clerk1"].id),
                                                   "rule_code": "JF-01", "occurred_on": "2026-12-08",
                                                   "quantity": "99", "evidence": "x"})
    assert bad.status_code == 422 and "quantity" in bad.data.decode()
    assert supervisor.get("/ledger/?period=2026-13").status_code == 422
    workbook = load_workbook(BytesIO(supervisor.get("/ledger/export?period=2026-12").data))
    assert "考核结果" in workbook.sheetnames

    approver = sign_in("scjg_approver1")
    own = approver.get("/ledger/?period=2026-12").data.decode()
    assert "XL-02" in own and "申请人赠送锦旗" not in own
    with engine.session() as session:
        entry_id = session.scalar(select(func.min(LedgerEntry.id)))
    clerk = sign_in("clerk2")
    assert clerk.post("/ledger/appeal", data={"csrf_token": clerk.csrf, "entry_id": str(entry_id),
                                              "reason": "不是我的"}).status_code == 403
    assert approver.post("/ledger/appeal?period=2026-12", data={"csrf_token": approver.csrf, "entry_id": str(entry_id),
                                                                "reason": "当日系统故障"}).status_code == 303
    assert approver.get("/ledger/export?period=2026-12").status_code == 403


def _at(day: int, hour: int, minute: int = 0):
    return local_datetime(date(2026, 11, day), hour, minute)


def _decide_at_window(engine, staff, number):
    engine.complete_task(staff["clerk1"], only_task(engine, number).id, {"decision": "approve", "opinion": "当场办结"})


def _a_week_of_cases(engine, staff, clock) -> dict:
    """Mon 23 Nov to Fri 27 Nov 2026; the comments give what each case adds to the charts."""
    new = {name: engine.create_case(staff["clerk1"], item, person(), intake(engine, item, missing=missing)).number
           for name, item, missing in [("food", FOOD_LICENCE, 0), ("on_site", SOLE_TRADER, 0),
                                       ("next_day", SOLE_TRADER, 0), ("incomplete", FOOD_LICENCE, 1),
                                       ("building", BUILDING_PERMIT, 0)]}
    clock.set(_at(23, 10))
    _decide_at_window(engine, staff, new["on_site"])  # Mon: on site, on time
    # 00:30 on Tuesday in China is still Monday in UTC: counted on Tuesday, late, not on site.
    clock.set(_at(24, 0, 30))
    _decide_at_window(engine, staff, new["next_day"])
    clock.set(_at(24, 9))
    new["tuesday"] = engine.create_case(staff["clerk1"], SOLE_TRADER, person(), intake(engine, SOLE_TRADER)).number
    clock.set(_at(24, 10))
    _decide_at_window(engine, staff, new["tuesday"])  # Tue: on site, on time
    clock.set(_at(27, 10))
    approve_in_back_office(engine, new["food"], staff["scjg_approver1"])  # Fri: due 7 Dec, on time
    approve_in_back_office(engine, new["building"], staff["zjj_approver1"])  # Fri: due Thu 26 Nov, late
    return new


def _figures(response) -> dict:
    assert response.status_code == 200, response.json
    return {day["day"][5:]: (day["received"], day["decided"], day["on_time_rate"], day["accepted"],
                             day["on_site_rate"]) for day in response.json["days"]}


def test_chart_figures_per_china_local_day(sign_in, engine, staff, clock):
    _a_week_of_cases(engine, staff, clock)
    supervisor = sign_in("supervisor")
    charts = supervisor.get("/api/v1/board/charts?days=7")
    assert (charts.json["first"], charts.json["last"]) == ("2026-11-21", "2026-11-27")
    assert _figures(charts) == {
        "11-21": (0, 0, None, 0, None), "11-22": (0, 0, None, 0, None),
        "11-23": (5, 1, 100.0, 4, 25.0),  # the incomplete one is received, not accepted
        "11-24": (1, 2, 50.0, 1, 100.0),
        "11-25": (0, 0, None, 0, None), "11-26": (0, 0, None, 0, None),
        "11-27": (0, 2, 50.0, 0, None),
    }
    total = charts.json["total"]
    assert (total["received"], total["decided"], total["on_time_rate"], total["accepted"], total["on_site_rate"]) \
        == (6, 5, 60.0, 5, 40.0)
    assert (charts.json["on_site_target"], charts.json["on_site_aim"]) == (90.0, 95.0)

    scjg = _figures(supervisor.get("/api/v1/board/charts?days=7&department=SCJG"))
    assert (scjg["11-23"], scjg["11-27"]) == ((4, 1, 100.0, 3, 33.3), (0, 1, 100.0, 0, None))
    assert list(_figures(supervisor.get("/api/v1/board/charts?days=3"))) == ["11-25", "11-26", "11-27"]
    assert len(supervisor.get("/api/v1/board/charts").json["days"]) == 30
    assert len(supervisor.get("/api/v1/board/charts?days=366").json["days"]) == 366


def test_the_board_page_draws_three_charts_with_their_definitions(sign_in, engine, staff, clock):
    _a_week_of_cases(engine, staff, clock)
    supervisor = sign_in("supervisor")
    page = supervisor.get("/board/?days=7").data.decode()
    for chart in ("chart-intake", "chart-on-time", "chart-on-site"):
        assert f'id="{chart}"' in page
    assert "vendor/echarts/echarts.min.js" in page and "js/board.js" in page
    for refresh in ("data-summary-url", "data-charts-url"):  # what board.js asks every 30 s
        url = re.search(rf'{refresh}="([^"]+)"', page).group(1).replace("&amp;", "&")
        assert supervisor.get(url).status_code == 200, url
    assert re.search(r'data-charts-url="/api/v1/board/charts\?days=7"', page)
    assert "受理当日在窗口当场办结的即办件" in page and "目标 ≥ 90%" in page
    assert '<strong data-total="on_site_rate">40.0%</strong>' in page
    script = supervisor.get("/static/vendor/echarts/echarts.min.js")
    assert script.status_code == 200 and b"echarts" in script.data[:2000]
    supervisor.get("/lang/en")
    english = supervisor.get("/board/").data.decode()
    assert "On-site completion rate" in english and "现场办结率" not in english


def _held_late_cases(engine, staff, clock):
    """Two late SCJG cases, one held by each approver; a third waits unclaimed in the queue."""
    held = {}
    for approver in ("scjg_approver1", "scjg_approver2", None):
        case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE))
        if approver:
            engine.claim_task(staff[approver], only_task(engine, case.number).id)
        held[approver] = case.number
    clock.set(local_datetime(date(2026, 12, 9), 9))
    engine.sweep_deadlines()
    return held


def test_the_board_narrows_to_one_person_on_the_page_and_in_the_api(sign_in, engine, staff, clock):
    held = _held_late_cases(engine, staff, clock)
    supervisor = sign_in("supervisor")
    everyone = supervisor.get("/api/v1/board/summary").json
    assert {case["number"] for case in everyone["flagged"]} == set(held.values())
    mine = supervisor.get(f"/api/v1/board/summary?staff_id={staff['scjg_approver1'].id}").json
    assert [case["number"] for case in mine["flagged"]] == [held["scjg_approver1"]]
    assert mine["departments"] == [{"code": "SCJG", "name": "示范市市场监督管理局", "normal": 0, "yellow": 0, "red": 1,
                                    "commitment_yellow": 0, "commitment_red": 0}]
    assert [(row["staff_id"], row["red"]) for row in mine["people"]] == [(staff["scjg_approver1"].id, 1)]
    page = supervisor.get(f"/board/?staff_id={staff['scjg_approver1'].id}&state=red").data.decode()
    assert f'href="/cases/{held["scjg_approver1"]}"' in page
    assert held["scjg_approver2"] not in page and held[None] not in page
    refresh_url = re.search(r'data-summary-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert supervisor.get(refresh_url).json == supervisor.get(
        f"/api/v1/board/summary?state=red&staff_id={staff['scjg_approver1'].id}").json
    # Everyone's page links each person's row to their own view.
    assert f'href="/board/?staff_id={staff["scjg_approver2"].id}"' in supervisor.get("/board/").data.decode()
    nobody = supervisor.get(f"/api/v1/board/summary?staff_id={staff['zjj_approver1'].id}").json
    assert nobody == {"departments": [], "people": [], "flagged": []}
    assert supervisor.get("/api/v1/board/summary?department=ZJJ").json == nobody
    scjg = supervisor.get("/api/v1/board/summary?department=SCJG").json["people"]
    assert {row["staff_id"]: row["red"] for row in scjg} == {
        staff["scjg_approver1"].id: 1, staff["scjg_approver2"].id: 1, None: 1}


@pytest.mark.parametrize("query, field", [
    ("staff_id=99999", "staff_id"), ("staff_id=abc", "staff_id"), ("staff_id=0", "staff_id"),
    (f"staff_id={2**63}", "staff_id"),
    ("department=NOPE", "department"), ("state=purple", "state"), ("state=normal", "state"),
])
def test_bad_summary_filters_are_refused_naming_the_field(sign_in, query, field):
    supervisor = sign_in("supervisor")
    response = supervisor.get(f"/api/v1/board/summary?{query}")
    assert response.status_code == 422 and response.json["field"] == field, response.json
    page = supervisor.get(f"/board/?{query}")
    assert page.status_code == 422 and f'data-field="{field}"' in page.data.decode()


@pytest.mark.parametrize("query, field", [
    ("days=0", "days"), ("days=367", "days"), ("days=abc", "days"), ("days=-3", "days"), ("department=NOPE", "department"),
])
def test_bad_chart_queries_are_refused_naming_the_field(sign_in, query, field):
    supervisor = sign_in("supervisor")
    response = supervisor.get(f"/api/v1/board/charts?{query}")
    assert response.status_code == 422 and response.json["field"] == field, response.json
    page = supervisor.get(f"/board/?{query}")
    assert page.status_code == 422 and f'data-field="{field}"' in page.data.decode()


@pytest.mark.parametrize("username", ["clerk1", "scjg_approver1"])
def test_only_supervisors_admins_and_chiefs_see_the_board(sign_in, username):
    client = sign_in(username)
    for url in ("/api/v1/board/charts", "/api/v1/board/summary", "/api/v1/board/suspended",
                "/api/v1/board/deliveries", "/board/"):
        assert client.get(url).status_code == 403, url
    admin = sign_in("admin")
    for url in ("/api/v1/board/charts?days=1", "/api/v1/board/suspended", "/api/v1/board/deliveries?days=1"):
        assert admin.get(url).status_code == 200, url


def test_china_local_dates_in_sql_around_midnight(engine):
    """The SQL conversion agrees with Python on both databases, whatever the session's time zone."""
    with engine.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'America/New_York'"))
        for day, hour, minute in [(23, 23, 59), (24, 0, 0), (24, 0, 30), (24, 7, 59), (24, 8, 0)]:
            moment = local_datetime(date(2026, 11, day), hour, minute)
            assert session.scalar(select(china_date(literal(moment, UTCDateTime())))) == date(2026, 11, day)


def test_a_chief_representative_sees_only_his_departments_board(sign_in):
    chief = sign_in("scjg_chief")
    for url in ("/api/v1/board/charts", "/api/v1/board/summary", "/api/v1/board/suspended",
                "/api/v1/board/deliveries", "/board/"):
        assert chief.get(url).status_code == 200, url
        assert chief.get(f"{url}?department=ZRGH").status_code == 403, url
    refused = chief.get("/board/?department=ZRGH").data.decode()
    assert "市场监督管理局" in refused and "自然资源和规划局" not in refused
