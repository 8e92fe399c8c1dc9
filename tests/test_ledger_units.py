"""Windows and seconding departments: a window's score and ranking by its posts' scores and
satisfaction (优秀窗口, 流动红旗), deductions against a department, the feedback report to it."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.ledger.rules import DEMO_RULES, read_rules_file
from engine.unit_feedback import feedback_workbook
from tests.helpers import intake, only_task, person, pickup_form

IMMEDIATE = "SCJG-001"  # 即办件, decided at the window


def _record(engine, staff, username, rule_code, **fields):
    return engine.ledger.record(staff["supervisor"], staff_id=staff[username].id, rule_code=rule_code,
                                occurred_on=fields.pop("occurred_on", date(2026, 11, 20)), evidence="督查记录", **fields)


def _rated_case(engine, staff, rating):
    """A 即办件 clerk1 registers and decides at the window the same day, then the applicant rates it."""
    case = engine.create_case(staff["clerk1"], IMMEDIATE, person(), intake(engine, IMMEDIATE))
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"decision": "approve", "opinion": "办结"})
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, pickup_form())
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {"rating": rating})
    return case


def test_windows_are_scored_by_their_posts_and_their_satisfaction(engine, staff):
    _record(engine, staff, "clerk1", "JL-23")  # −10: clerk1 90, everyone else 100
    _rated_case(engine, staff, "满意")
    _rated_case(engine, staff, "不满意")       # awaits verification: it counts until found not real
    _, rows = engine.units.windows(staff["supervisor"], "2026-11")
    by_code = {row.code: row for row in rows}
    first = by_code["ZH-01"]                   # A clerk1, B clerk2
    assert (first.staff_score, first.ratings, first.satisfied, first.satisfaction) == (
        Decimal(95), 2, 1, Decimal(50))
    assert first.score == Decimal("81.5")      # 0.7 × 95 + 0.3 × 50
    assert (by_code["ZH-02"].score, by_code["ZH-02"].satisfaction) == (Decimal(100), None)
    assert [(row.code, row.rank) for row in rows] == [("SCJG-01", 1), ("ZH-02", 1), ("ZH-01", 3)]
    assert all(row.excellent for row in rows)  # three 优秀窗口 of three
    assert not any(row.red_flag for row in rows)  # nobody has the 5 ratings the 流动红旗 needs


def test_the_red_flag_goes_to_the_most_satisfied_window_with_enough_ratings(engine, staff):
    raw = read_rules_file(DEMO_RULES)
    raw["scheme"]["windows"] = {"satisfaction_weight": 0.5, "excellent_windows": 1, "red_flag_min_ratings": 1}
    engine.ledger.load_rules(raw)
    _rated_case(engine, staff, "满意")
    _, rows = engine.units.windows(staff["supervisor"], "2026-11")
    by_code = {row.code: row for row in rows}
    assert by_code["ZH-01"].red_flag and not by_code["ZH-02"].red_flag
    assert [row.code for row in rows if row.excellent] == ["SCJG-01", "ZH-01", "ZH-02"]  # tied at 100: rank 1
    with pytest.raises(Forbidden):
        engine.units.windows(staff["clerk1"], "2026-11")


def test_deductions_reach_the_seconding_department(engine, staff):
    _record(engine, staff, "scjg_approver1", "JL-18")  # −4
    engine.ledger.record_department(staff["supervisor"], department_code="SCJG", rule_code="BM-01",
                                    occurred_on=date(2026, 11, 18), evidence="未经同意调换进驻人员")
    _, rows = engine.units.departments(staff["supervisor"], "2026-11")
    scjg = next(row for row in rows if row.code == "SCJG")
    # Three people: 96, 100, 100 → 98.7; the department's own −5.
    assert (scjg.staff_score, scjg.staff_deductions, scjg.own_deductions, scjg.score) == (
        Decimal("98.7"), Decimal(-4), Decimal(-5), Decimal("93.7"))
    assert scjg.rank == len(rows)


@pytest.mark.parametrize("fields, error, field", [
    ({"department_code": "NOPE"}, NotFound, "department"),
    ({"rule_code": "JL-18"}, InvalidInput, "rule_code"),   # a person's rule
    ({"occurred_on": date(2026, 12, 1)}, InvalidInput, "occurred_on"),
    ({"evidence": " "}, InvalidInput, "evidence"),
])
def test_bad_department_entries_are_refused(engine, staff, fields, error, field):
    given = {"department_code": "SCJG", "rule_code": "BM-01", "occurred_on": date(2026, 11, 18), "evidence": "x",
             **fields}
    with pytest.raises(error) as raised:
        engine.ledger.record_department(staff["supervisor"], **given)
    assert raised.value.field == field
    with pytest.raises(InvalidInput):  # and a department rule is not a person's
        _record(engine, staff, "clerk1", "BM-01")
    with pytest.raises(Forbidden):
        engine.ledger.record_department(staff["clerk1"], **{**given, "department_code": "SCJG",
                                                            "rule_code": "BM-01", "occurred_on": date(2026, 11, 18),
                                                            "evidence": "x"})


def test_the_feedback_workbook_to_a_department(engine, staff):
    _record(engine, staff, "scjg_approver1", "JL-23", quantity=3)   # −30, the budget stops it at −20
    _record(engine, staff, "clerk1", "JL-05")                         # not SCJG's
    engine.ledger.record_department(staff["supervisor"], department_code="SCJG", rule_code="BM-01",
                                    occurred_on=date(2026, 11, 18), evidence="未经同意调换进驻人员")
    feedback = engine.units.feedback(staff["supervisor"], "2026-11", "SCJG")
    assert [feedback.sheet.staff[row.staff_id].username for row in feedback.rows] == [
        "scjg_approver2", "scjg_chief", "scjg_approver1"]
    assert [line.staff_name for line in feedback.entries] == [staff["scjg_approver1"].name]
    assert feedback.windows[staff["scjg_approver1"].id] == "市场监管审批窗口"
    book = load_workbook(BytesIO(feedback_workbook(feedback, center_name="示范市政务服务中心")))
    assert book.sheetnames == ["考核结果", "考核台账", "部门扣分"]
    people = book["考核结果"]
    assert people["A1"].value == "示范市政务服务中心 2026-11 进驻工作人员考核结果反馈（示范市市场监督管理局）"
    header = [cell.value for cell in people[3]]
    assert header[:5] == ["中心排名", "姓名", "职务", "窗口", "思想品德(10)"] and header[8] == "遵章守纪(20)"
    last = [cell.value for cell in people[6]]
    assert (last[1], last[3], last[8], last[12]) == (staff["scjg_approver1"].name, "市场监管审批窗口", 0, 80)
    assert book["考核台账"]["D4"].value == "不按计算机操作规范操作造成网络系统瘫痪"
    assert (book["部门扣分"]["B4"].value, book["部门扣分"]["D4"].value) == ("BM-01", -5)
    with pytest.raises(Forbidden):
        engine.units.feedback(staff["scjg_chief"], "2026-11", "SCJG")
    with pytest.raises(NotFound):
        engine.units.feedback(staff["supervisor"], "2026-11", "NOPE")
