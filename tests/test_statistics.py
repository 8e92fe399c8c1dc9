"""Statistics reports (月统计, 季通报) on a small known set of cases, ratings, complaints and parcels:
every figure by department, item and person, the Excel sheet, the page, who reads which — on SQLite
and PostgreSQL (GET /api/v1/reports/statistics, /reports/)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.clock import local_datetime
from engine.tasks.models import HumanTask
from tests.helpers import approve_in_back_office, intake, only_task, person, pickup_form

SOLE_TRADER, FOOD_LICENCE, BUILDING_PERMIT = "SCJG-001", "SCJG-002", "ZJJ-001"  # 即办件, 承诺件 10 d, 承诺件 3 d
COMPLAINT = {"channel": "12345热线", "complainant_name": "李女士", "complainant_phone": "13900139000",
             "content": "窗口工作人员态度冷淡"}


def _at(month: int, day: int, hour: int, minute: int = 0):
    return local_datetime(date(2026, month, day), hour, minute)


def _decide_at_window(engine, staff, number, opinion="当场办结"):
    engine.complete_task(staff["clerk1"], only_task(engine, number).id, {"decision": "approve", "opinion": opinion})


def _rate(engine, staff, number, rating):
    engine.complete_task(staff["clerk1"], only_task(engine, number).id, pickup_form())
    engine.complete_task(staff["clerk1"], only_task(engine, number).id, {"rating": rating})


@pytest.fixture
def november(engine, staff, clock):
    """Monday 23 November 2026 at 09:00 (the comments say what each row adds); the report is read on 1 December."""
    clerk1, clerk2, clerk3 = staff["clerk1"], staff["clerk2"], staff["clerk3"]
    quick = engine.create_case(clerk1, SOLE_TRADER, person(), intake(engine, SOLE_TRADER))
    slow = engine.create_case(clerk1, SOLE_TRADER, person(), intake(engine, SOLE_TRADER))
    food = engine.create_case(clerk2, FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, delivery="post"))
    late = engine.create_case(clerk1, BUILDING_PERMIT, person(), intake(engine, BUILDING_PERMIT))  # due Thu 26
    engine.create_case(clerk3, BUILDING_PERMIT, person(), intake(engine, BUILDING_PERMIT))  # never decided
    incomplete = engine.create_case(clerk1, FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, missing=1))
    engine.complete_task(clerk1, only_task(engine, incomplete.number).id, {"notice_remarks": "请补齐"})  # 一次性告知
    engine.create_case(clerk1, FOOD_LICENCE, person(), intake(engine, FOOD_LICENCE, acceptable=False))  # 不予受理
    clock.set(_at(11, 23, 9, 20))
    _decide_at_window(engine, staff, quick.number)  # 20 minutes after registration
    clock.set(_at(11, 23, 10))
    _decide_at_window(engine, staff, slow.number)  # 60 minutes
    _rate(engine, staff, quick.number, "满意")
    _rate(engine, staff, slow.number, "不满意")
    supervisor = staff["supervisor"]
    engine.supervision.verify_rating(supervisor, slow.number, verdict="real", reason="办理超时")
    engine.supervision.close_rectification(supervisor, slow.number, "已批评教育并回访")
    answered = engine.supervision.register_complaint(supervisor, **COMPLAINT, target_staff_id=clerk2.id)
    engine.supervision.register_complaint(supervisor, **COMPLAINT, target_department_code="SCJG")  # never answered
    clock.set(_at(11, 24, 9))
    engine.supervision.reply_complaint(supervisor, answered.complaint.number, "已核查并致歉")  # due 26 Nov
    clock.set(_at(11, 27, 10))
    approve_in_back_office(engine, food.number, staff["scjg_approver1"])  # due 7 Dec: on time
    approve_in_back_office(engine, late.number, staff["zjj_approver1"])  # due 26 Nov: late
    clock.set(_at(11, 27, 15))
    engine.complete_task(clerk2, only_task(engine, food.number).id,
                         {"carrier": "EMS", "waybill_number": "1190012345678", "handed_to": "邮政揽收员赵六"})
    clock.set(_at(11, 30, 16))
    engine.complete_task(clerk2, only_task(engine, food.number).id, {"delivered_on": "2026-11-30", "signed_by": "张三"})
    clock.set(_at(12, 1, 10))


CASE_FIGURES = ("received", "accepted", "not_accepted", "notified", "decided", "decided_on_time", "on_time_rate",
                "overdue", "on_site", "on_site_rate", "immediate_decided", "immediate_average_minutes",
                "immediate_target_rate")
OTHER_FIGURES = ("rated", "rated_bad", "satisfaction_rate", "bad_real", "rectified", "rectification_rate",
                 "complaints", "complaint_reply_rate", "parcels_settled", "parcels_on_time", "postal_on_time_rate")


def _rows(answer) -> dict:
    assert answer.status_code == 200, answer.json
    return {row["key"]: row for row in answer.json["rows"]} | {"total": answer.json["total"]}


def _pick(row: dict, names) -> tuple:
    return tuple(row[name] for name in names)


def test_every_figure_by_department(sign_in, november):
    rows = _rows(sign_in("supervisor").get("/api/v1/reports/statistics?period=2026-11&by=department"))
    assert set(rows) == {"SCJG", "ZJJ", None, "total"}
    assert _pick(rows["SCJG"], CASE_FIGURES) == (5, 3, 1, 1, 3, 3, 100.0, 0, 2, 66.7, 2, 40.0, 50.0)
    assert _pick(rows["ZJJ"], CASE_FIGURES) == (2, 2, 0, 0, 1, 0, 0.0, 2, 0, 0.0, 0, None, None)
    assert _pick(rows["total"], CASE_FIGURES) == (7, 5, 1, 1, 4, 3, 75.0, 2, 2, 40.0, 2, 40.0, 50.0)
    assert _pick(rows["SCJG"], OTHER_FIGURES) == (2, 1, 50.0, 1, 1, 100.0, 1, 0.0, 1, 1, 100.0)
    # The complaint about clerk2 of the 综合窗口 names no department.
    assert _pick(rows[None], OTHER_FIGURES) == (0, 0, None, 0, 0, None, 1, 100.0, 0, 0, None)
    assert _pick(rows["total"], OTHER_FIGURES) == (2, 1, 50.0, 1, 1, 100.0, 2, 50.0, 1, 1, 100.0)
    assert rows["SCJG"]["name"] and rows["total"]["name"] == "合计"


def test_every_figure_by_item_and_by_person(sign_in, november, staff):
    supervisor = sign_in("supervisor")
    items = _rows(supervisor.get("/api/v1/reports/statistics?period=2026-Q4&by=item"))
    assert _pick(items[SOLE_TRADER], ("received", "decided", "on_site", "immediate_decided", "rated")) == (2, 2, 2, 2, 2)
    assert _pick(items[FOOD_LICENCE], ("received", "accepted", "not_accepted", "notified", "parcels_on_time")) == (
        3, 1, 1, 1, 1)
    assert _pick(items[BUILDING_PERMIT], ("received", "decided", "overdue")) == (2, 1, 2)
    assert items[None]["complaints"] == 2  # neither complaint names a case
    people = _rows(supervisor.get("/api/v1/reports/statistics?period=2026&by=staff"))
    clerk1, clerk2, clerk3 = (staff[name].id for name in ("clerk1", "clerk2", "clerk3"))
    assert _pick(people[clerk1], ("name", "received", "decided", "overdue", "rated", "satisfaction_rate")) == (
        "王晓燕", 5, 2, 0, 2, 50.0)
    assert _pick(people[clerk2], ("received", "complaints", "complaint_reply_rate", "parcels_settled")) == (
        1, 1, 100.0, 1)
    assert _pick(people[clerk3], ("received", "overdue")) == (1, 0)


WINDOW_FIGURES = ("received", "accepted", "not_accepted", "notified", "on_site", "immediate_decided",
                  "immediate_average_minutes", "immediate_target_rate")
DECISION_FIGURES = ("decided", "decided_on_time", "on_time_rate", "overdue")


def test_by_person_the_decisions_are_the_deciders_and_the_window_figures_the_clerks(sign_in, november, engine,
                                                                                    staff):
    """Issue 15 point 4: 办结, 按期办结 and 超期 go to who completed the deciding step (the window clerk for
    a 即办件, the approver in the back office), an open overdue case to who holds that step."""
    supervisor = sign_in("supervisor")
    people = _rows(supervisor.get("/api/v1/reports/statistics?period=2026-11&by=staff"))
    clerk1, clerk2, clerk3 = (staff[name].id for name in ("clerk1", "clerk2", "clerk3"))
    scjg, zjj = staff["scjg_approver1"].id, staff["zjj_approver1"].id
    assert set(people) == {clerk1, clerk2, clerk3, scjg, zjj, None, "total"}
    # clerk1 registered 5 (2 即办件 decided at his window in 20 and 60 minutes, 1 refused, 1 notified).
    assert _pick(people[clerk1], WINDOW_FIGURES) == (5, 3, 1, 1, 2, 2, 40.0, 50.0)
    assert _pick(people[clerk1], DECISION_FIGURES) == (2, 2, 100.0, 0)
    assert _pick(people[clerk2], WINDOW_FIGURES + DECISION_FIGURES) == (1, 1, 0, 0, 0, 0, None, None,
                                                                       0, 0, None, 0)
    assert _pick(people[clerk3], WINDOW_FIGURES + DECISION_FIGURES) == (1, 1, 0, 0, 0, 0, None, None,
                                                                       0, 0, None, 0)
    # The approvers received nothing: food (due 7 Dec) on time, the building permit (due 26 Nov) late.
    assert _pick(people[scjg], ("name", "received", "accepted", *DECISION_FIGURES)) == (
        staff["scjg_approver1"].name, 0, 0, 1, 1, 100.0, 0)
    assert _pick(people[zjj], ("received", "accepted", *DECISION_FIGURES)) == (0, 0, 1, 0, 0.0, 1)
    # clerk3's building permit, due 26 Nov, waits unclaimed at review: nobody's yet.
    assert _pick(people[None], ("received", "overdue", "complaints")) == (0, 1, 1)
    assert _pick(people["total"], WINDOW_FIGURES + DECISION_FIGURES) == (7, 5, 1, 1, 2, 2, 40.0, 50.0,
                                                                        4, 3, 75.0, 2)

    # Once an approver claims it, the open overdue case is his.
    with engine.session() as session:
        waiting = session.scalar(select(HumanTask.id).where(HumanTask.state == "open",
                                                            HumanTask.department_code == "ZJJ"))
    engine.claim_task(staff["zjj_approver2"], waiting)
    people = _rows(supervisor.get("/api/v1/reports/statistics?period=2026-11&by=staff"))
    assert _pick(people[staff["zjj_approver2"].id], ("received", "decided", "overdue")) == (0, 0, 1)
    assert people[None]["overdue"] == 0 and people["total"]["overdue"] == 2
    # By department the same cases count as before: the rule moves figures between people only.
    departments = _rows(supervisor.get("/api/v1/reports/statistics?period=2026-11&by=department"))
    assert _pick(departments["ZJJ"], DECISION_FIGURES) == (1, 0, 0.0, 2)


def test_a_period_without_cases_and_bad_queries(sign_in, november):
    supervisor = sign_in("supervisor")
    empty = supervisor.get("/api/v1/reports/statistics?period=2026-10").json
    assert empty["rows"] == [] and empty["total"]["received"] == 0 and empty["total"]["on_time_rate"] is None
    assert (empty["first"], empty["last"]) == ("2026-10-01", "2026-10-31")
    for query, field in (("period=2026-13", "period"), ("period=26-Q5", "period"), ("period=x", "period"),
                         ("by=window", "by"), ("department=NOPE", "department"), ("format=pdf", "format")):
        answer = supervisor.get(f"/api/v1/reports/statistics?{query}")
        assert answer.status_code == 422 and answer.json["field"] == field, (query, answer.json)
    assert "暂无数据" in supervisor.get("/reports/?period=2026-10").data.decode()
    assert supervisor.get("/reports/?period=2026-13").status_code == 422


def test_a_chief_reads_his_departments_report_only(sign_in, november):
    chief = sign_in("scjg_chief")
    rows = _rows(chief.get("/api/v1/reports/statistics?period=2026-11"))
    assert set(rows) == {"SCJG", "total"} and rows["total"]["complaints"] == 1
    refused = chief.get("/api/v1/reports/statistics?period=2026-11&department=ZJJ")
    assert refused.status_code == 403 and refused.json["field"] == "department"
    for username in ("clerk1", "scjg_approver1"):
        assert sign_in(username).get("/api/v1/reports/statistics").status_code == 403
    assert sign_in("director").get("/api/v1/reports/statistics?period=2026-11").status_code == 200


def test_the_excel_sheet_and_the_printable_page(sign_in, november):
    supervisor = sign_in("supervisor")
    answer = supervisor.get("/api/v1/reports/statistics?period=2026-Q4&by=department&format=xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(answer.data)).active
    assert "2026-Q4" in sheet.cell(1, 1).value and "季通报" in sheet.cell(1, 1).value
    header = [cell.value for cell in sheet[2]]
    assert header[:4] == ["部门", "收件", "受理", "不予受理"]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert (rows["合计"]["收件"], rows["合计"]["按期办结率(%)"], rows["合计"]["超期件数"]) == (7, 75, 2)
    assert rows["合计"]["即办件30分钟内办结率(%)"] == 50 and rows["合计"]["投诉按期答复率(%)"] == 50
    page = supervisor.get("/reports/?period=2026-11&by=department")
    text = page.data.decode()
    assert page.status_code == 200 and "月统计" in text and 'id="chart-volume"' in text and "echarts" in text
    assert "<script>" not in text  # drawn by web/static/js/reports.js (CSP)
    chief_page = sign_in("scjg_chief").get("/reports/").data.decode()
    assert "2026-12" in chief_page
