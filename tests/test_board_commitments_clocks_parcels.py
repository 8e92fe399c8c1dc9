"""The board's 容缺 commitment flags, stopped clocks and late postal deliveries, driven through the engine.

The simulated clock starts on Monday 23 November 2026, 09:00 China time; dates in the comments are 2026.
"""

from datetime import date

import pytest

from engine.clock import local_datetime
from tests.helpers import approve_in_back_office, intake, only_task, person

FOOD_LICENCE, BUILDING_PERMIT = "SCJG-002", "ZJJ-001"  # 承诺件 10 working days, 承诺件 3 working days


def _at(day: int, month: int = 11):
    return local_datetime(date(2026, month, day), 9)


def committed_case(engine, staff, due_on: str = "2026-11-26"):
    """A food licence accepted on the applicant's promise to bring M03 by ``due_on``; approver1 holds the review."""
    form = intake(engine, FOOD_LICENCE)
    form["received_materials"].remove("M03")
    form["committed_materials"] = [{"code": "M03", "due_on": due_on}]
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), form)
    review = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "review")
    engine.claim_task(staff["scjg_approver1"], review.id)
    return case


def posted_case(engine, staff, waybill: str, region: str = "same_city"):
    """A food licence approved and posted today (dispatch T, due T+1, or T+2 across provinces)."""
    form = intake(engine, FOOD_LICENCE, delivery="post")
    form["postal_address"]["region"] = region
    case = engine.create_case(staff["clerk1"], FOOD_LICENCE, person(), form)
    approve_in_back_office(engine, case.number, staff["scjg_approver1"])
    engine.complete_task(staff["clerk3"], only_task(engine, case.number).id,
                         {"carrier": "EMS", "waybill_number": waybill, "handed_to": "邮政揽收员"})
    return case


def confirm(engine, staff, number: str, delivered_on: str):
    task = only_task(engine, number)
    assert task.bpmn_id == "confirm_delivery"
    engine.complete_task(staff["clerk3"], task.id, {"delivered_on": delivered_on, "signed_by": "张三"})


def _department(summary: dict, code: str) -> dict:
    return next(row for row in summary["departments"] if row["code"] == code)


def held_case(engine, staff, item: str, approver: str):
    case = engine.create_case(staff["clerk1"], item, person(), intake(engine, item))
    engine.claim_task(staff[approver], only_task(engine, case.number).id)
    return case


def test_a_commitment_turns_yellow_then_red_on_the_board_apart_from_the_time_limit(sign_in, engine, staff, clock):
    case = committed_case(engine, staff)
    late_building = engine.create_case(staff["clerk1"], BUILDING_PERMIT, person(), intake(engine, BUILDING_PERMIT))
    supervisor = sign_in("supervisor")
    assert supervisor.get("/api/v1/board/summary").json["flagged"] == []

    clock.set(_at(25))  # two working days before the supply date: yellow
    engine.sweep_deadlines()
    summary = supervisor.get("/api/v1/board/summary?department=SCJG").json
    scjg = _department(summary, "SCJG")
    assert (scjg["normal"], scjg["yellow"], scjg["red"], scjg["commitment_yellow"], scjg["commitment_red"]) \
        == (1, 0, 0, 1, 0)
    assert summary["flagged"] == [{"number": case.number, "department_code": "SCJG", "flag": "commitment",
                                   "state": "yellow", "due_date": "2026-11-26", "working_days_late": 0,
                                   "stage": "审查决定、收取承诺材料"}]

    # Monday: the supply date and the building permit's due date (both Thursday) missed by Friday and Monday.
    clock.set(_at(30))
    engine.sweep_deadlines()
    summary = supervisor.get("/api/v1/board/summary?state=red").json
    assert [(row["number"], row["flag"], row["due_date"], row["working_days_late"]) for row in summary["flagged"]] \
        == [(case.number, "commitment", "2026-11-26", 2), (late_building.number, "deadline", "2026-11-26", 2)]
    assert (_department(summary, "SCJG")["commitment_red"], _department(summary, "SCJG")["red"]) == (1, 0)
    assert (_department(summary, "ZJJ")["commitment_red"], _department(summary, "ZJJ")["red"]) == (0, 1)
    assert supervisor.get("/api/v1/board/summary?state=yellow").json["flagged"] == []

    # The filters narrow commitment flags like the others.
    mine = supervisor.get(f"/api/v1/board/summary?staff_id={staff['scjg_approver1'].id}").json
    assert [row["number"] for row in mine["flagged"]] == [case.number]
    others = supervisor.get(f"/api/v1/board/summary?staff_id={staff['scjg_approver2'].id}").json
    assert others["flagged"] == [] and others["departments"] == []
    assert [row["flag"] for row in supervisor.get("/api/v1/board/summary?department=ZJJ").json["flagged"]] \
        == ["deadline"]

    page = supervisor.get("/board/?department=SCJG").data.decode()
    assert f'<tr data-flag="commitment"><td><a href="/cases/{case.number}">' in page and "容缺承诺补交" in page

    # Once the material is supplied the flag is gone.
    collect = next(task for task in engine.open_tasks(case.number) if task.bpmn_id == "collect_commitment")
    engine.complete_task(staff["clerk1"], collect.id, {"commitment_outcome": "supplied",
                                                       "commitment_note": "申请人已补交经营场所平面图"})
    summary = supervisor.get("/api/v1/board/summary").json
    assert [row["number"] for row in summary["flagged"]] == [late_building.number]
    assert _department(summary, "SCJG")["commitment_red"] == 0


def test_stopped_clocks_are_listed_with_kind_and_since_until_they_restart(sign_in, engine, staff, clock):
    case = held_case(engine, staff, FOOD_LICENCE, "scjg_approver1")
    other = held_case(engine, staff, BUILDING_PERMIT, "zjj_approver1")
    engine.suspend_clock(staff["scjg_approver1"], case.number, "检测", "委托第三方检测设备设施")
    clock.set(_at(24))
    engine.suspend_clock(staff["zjj_approver1"], other.number, "现场勘察", "需现场勘察施工场地")
    clock.set(_at(26))
    supervisor = sign_in("supervisor")
    listed = supervisor.get("/api/v1/board/suspended").json["cases"]
    assert [(row["number"], row["department_code"], row["kind"], row["since"], row["working_days_stopped"],
             row["due_date"]) for row in listed] == [
        (case.number, "SCJG", "检测", "2026-11-23", 3, "2026-12-07"),
        (other.number, "ZJJ", "现场勘察", "2026-11-24", 2, "2026-11-26")]
    assert [row["number"] for row in supervisor.get("/api/v1/board/suspended?department=ZJJ").json["cases"]] \
        == [other.number]
    held = supervisor.get(f"/api/v1/board/suspended?staff_id={staff['scjg_approver1'].id}").json["cases"]
    assert [row["number"] for row in held] == [case.number]
    assert supervisor.get(f"/api/v1/board/suspended?staff_id={staff['scjg_approver2'].id}").json == {"cases": []}
    page = supervisor.get("/board/").data.decode()
    assert "暂停计时办件" in page and "<td>检测</td><td>2026-11-23</td>" in page

    engine.end_suspension(staff["scjg_approver1"], case.number, "检测报告已出具")
    assert [row["number"] for row in supervisor.get("/api/v1/board/suspended").json["cases"]] == [other.number]
    assert engine.get_case(case.number).due_date == date(2026, 12, 10)  # moved by the 3 working days


@pytest.mark.parametrize("days", [7, 30])
def test_late_parcels_and_the_on_time_delivery_rate(sign_in, engine, staff, clock, days):
    late = posted_case(engine, staff, "1190000000001")  # due Tuesday 24, delivered Thursday 26
    on_time = posted_case(engine, staff, "1190000000002", region="out_of_province")  # due Wednesday 25
    lost = posted_case(engine, staff, "1190000000003")  # due Tuesday 24, never confirmed
    clock.set(_at(25))
    confirm(engine, staff, on_time.number, "2026-11-25")
    clock.set(_at(27))
    confirm(engine, staff, late.number, "2026-11-26")
    today_due = posted_case(engine, staff, "1190000000004")  # due Monday 30: not yet counted
    supervisor = sign_in("supervisor")
    answer = supervisor.get(f"/api/v1/board/deliveries?days={days}").json
    assert (answer["settled"], answer["on_time"], answer["late"], answer["pending"], answer["on_time_rate"],
            answer["target"]) == (3, 1, 2, 0, 33.3, 95.0)
    assert [(row["number"], row["carrier"], row["waybill_number"], row["scope"], row["dispatched_on"], row["due_on"],
             row["delivered_on"], row["working_days_late"]) for row in answer["parcels"]] == [
        (late.number, "EMS", "1190000000001", "same_city", "2026-11-23", "2026-11-24", "2026-11-26", 2),
        (lost.number, "EMS", "1190000000003", "same_city", "2026-11-23", "2026-11-24", None, 3)]
    assert today_due.number not in {row["number"] for row in answer["parcels"]}
    assert (answer["first"], answer["last"]) == (("2026-11-21" if days == 7 else "2026-10-29"), "2026-11-27")

    # Another department posted nothing; one day back only the unconfirmed parcel is still a problem.
    zjj = supervisor.get(f"/api/v1/board/deliveries?days={days}&department=ZJJ").json
    assert (zjj["settled"], zjj["on_time_rate"], zjj["parcels"]) == (0, None, [])
    today = supervisor.get("/api/v1/board/deliveries?days=1").json
    assert (today["settled"], [row["number"] for row in today["parcels"]]) == (0, [lost.number])

    page = supervisor.get(f"/board/?days={days}").data.decode()
    assert '<strong data-delivery="on_time_rate">33.3%</strong>' in page and "1190000000003" in page
    assert "未确认送达" in page


def test_a_parcel_due_today_is_pending_not_late(sign_in, engine, staff, clock):
    parcel = posted_case(engine, staff, "1190000000009")
    clock.set(_at(24))
    answer = sign_in("admin").get("/api/v1/board/deliveries").json
    assert (answer["settled"], answer["pending"], answer["on_time_rate"], answer["parcels"]) == (0, 1, None, [])
    confirm(engine, staff, parcel.number, "2026-11-24")
    answer = sign_in("admin").get("/api/v1/board/deliveries").json
    assert (answer["settled"], answer["on_time"], answer["pending"], answer["on_time_rate"]) == (1, 1, 0, 100.0)


@pytest.mark.parametrize("url, field", [
    ("/api/v1/board/suspended?department=NOPE", "department"),
    ("/api/v1/board/suspended?staff_id=abc", "staff_id"),
    ("/api/v1/board/suspended?staff_id=99999", "staff_id"),
    ("/api/v1/board/deliveries?days=0", "days"),
    ("/api/v1/board/deliveries?days=367", "days"),
    ("/api/v1/board/deliveries?department=NOPE", "department"),
])
def test_bad_queries_are_refused_naming_the_field(sign_in, url, field):
    response = sign_in("supervisor").get(url)
    assert response.status_code == 422 and response.json["field"] == field, response.json


# A chief representative reads his own department's board (issue 18): tests/test_web_board.py.
@pytest.mark.parametrize("username", ["clerk1", "scjg_approver1"])
def test_clerks_and_approvers_do_not_see_stopped_clocks_and_parcels(app, sign_in, engine, staff, username):
    posted_case(engine, staff, "1190000000005")
    client = sign_in(username)
    for url in ("/api/v1/board/suspended", "/api/v1/board/deliveries"):
        assert client.get(url).status_code == 403, url
        assert app.test_client().get(url).status_code == 401, url
        assert sign_in("admin").get(url).status_code == 200, url


def test_the_new_board_endpoints_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/board/suspended", "/api/v1/board/deliveries"):
        operation = paths[path]["get"]
        assert "200" in operation["responses"] and "security" not in operation, path
    parameters = {parameter["name"] for parameter in paths["/api/v1/board/deliveries"]["get"]["parameters"]}
    assert parameters == {"days", "department"}


def test_the_board_sections_in_english(sign_in, engine, staff, clock):
    case = committed_case(engine, staff)
    engine.suspend_clock(staff["scjg_approver1"], case.number, "专家评审", "组织专家评审")
    supervisor = sign_in("supervisor")
    supervisor.get("/lang/en")
    page = supervisor.get("/board/").data.decode()
    assert "Cases with the clock stopped" in page and "expert review" in page and "On-time delivery rate" in page
    assert "暂停计时办件" not in page and "专家评审" not in page
