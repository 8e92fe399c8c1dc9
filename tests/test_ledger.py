"""The scoring ledger: rules as data, manual entries, appeals, period scores, the Excel export."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.errors import CatalogueError, Conflict, Forbidden, InvalidInput, NotFound
from engine.ledger.models import CANCELLED, LedgerEntry
from engine.ledger.rules import DEMO_RULES, read_rules_file, validate_rules
from engine.ledger.scores import (
    BASIC,
    COMPETENT,
    EXCELLENT,
    INCOMPETENT,
    ScoredEntry,
    ScoringPolicy,
    parse_period,
    score_period,
)

RULE = {"code": "XX-09", "name": "测试规则", "category": "工作形象", "points": -1, "unit": "occurrence",
        "source": "测试"}


def test_the_demo_rules_cover_every_category_and_the_engine_triggers():
    rules = validate_rules(read_rules_file(DEMO_RULES))
    assert {rule["category"] for rule in rules} == {"思想品德", "业务技能", "办事效率", "服务态度", "遵章守纪",
                                                  "工作形象", "奖励"}
    assert {trigger for rule in rules if rule["trigger"] for trigger in rule["trigger"].split()} == {
        "case_overdue", "deemed_acceptance", "verified_complaint", "verified_bad_rating", "co_review_late",
        "immediate_as_promised", "attendance_late_minor", "attendance_late", "attendance_late_major",
        "attendance_absent_half_day", "leave_without_cover", "enquiry_late_reply"}
    overdue = next(rule for rule in rules if rule["trigger"] == "case_overdue")
    assert (overdue["points"], overdue["unit"]) == (Decimal(-2), "working_day")


@pytest.mark.parametrize("change, field", [
    ({"category": "心情"}, "category"),
    ({"points": -50}, "points"),
    ({"points": 3}, "points"),             # a bonus in a deduction category
    ({"points": 0}, "points"),
    ({"veto": True}, "points"),            # a veto carries no points
    ({"unit": "hour"}, "unit"),
    ({"code": "bad"}, "code"),
    ({"trigger": "sneezing"}, "trigger"),
    ({"extra": 1}, "extra"),
])
def test_bad_rules_are_refused_naming_rule_and_field(change, field):
    with pytest.raises(CatalogueError) as error:
        validate_rules({"rules": [{**RULE, **change}]})
    assert error.value.field == field
    assert "rule XX-09" in error.value.message or "rule bad" in error.value.message


def test_a_trigger_bound_to_two_rules_is_refused():
    twice = [{**RULE, "trigger": "case_overdue"}, {**RULE, "code": "XX-08", "trigger": "case_overdue"}]
    with pytest.raises(CatalogueError, match="trigger case_overdue"):
        validate_rules({"rules": twice})


# -- entries and appeals, on both databases ------------------------------------------------------
def _count(engine):
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(LedgerEntry))


def _record(engine, staff, **overrides):
    fields = {"staff_id": staff["clerk1"].id, "rule_code": "JL-05", "occurred_on": date(2026, 11, 23),
              "evidence": "11月23日 9:05 到岗，考勤机记录"}
    actor = overrides.pop("actor", staff["supervisor"])
    fields.update(overrides)
    return engine.ledger.record(actor, **fields)


def test_a_supervisor_records_an_entry_with_its_evidence(engine, staff):
    entry = _record(engine, staff, quantity=2, rule_code="JL-18", evidence="11月23日全天未到岗")
    assert (entry.points, entry.recorded_by_id, entry.state) == (Decimal(-8), staff["supervisor"].id, "active")
    (line,) = engine.ledger.entries(staff["supervisor"], "2026-11")
    assert (line.entry.id, line.staff_name, line.rule_name, line.recorded_by) == (
        entry.id, staff["clerk1"].name, "未按减免程序办理、擅自减免规费（每件）", staff["supervisor"].name)


@pytest.mark.parametrize("overrides, error, field", [
    ({"actor": "clerk2"}, Forbidden, "role"),
    ({"staff_id": 9999}, NotFound, "staff_id"),
    ({"staff_id": "1"}, InvalidInput, "staff_id"),
    ({"rule_code": "ZZ-99"}, NotFound, "rule_code"),
    ({"rule_code": "XL-02"}, InvalidInput, "rule_code"),   # recorded by the engine only
    ({"occurred_on": date(2026, 11, 30)}, InvalidInput, "occurred_on"),  # in the future
    ({"occurred_on": "2026-11-20"}, InvalidInput, "occurred_on"),
    ({"quantity": 0}, InvalidInput, "quantity"),
    ({"quantity": 1000}, InvalidInput, "quantity"),
    ({"evidence": "   "}, InvalidInput, "evidence"),
    ({"evidence": "x" * 5000}, InvalidInput, "evidence"),
])
def test_bad_entries_are_refused_and_nothing_is_written(engine, staff, overrides, error, field):
    overrides = dict(overrides)  # the parameter is shared by both database runs
    if overrides.get("actor"):
        overrides["actor"] = staff[overrides["actor"]]
    with pytest.raises(error) as raised:
        _record(engine, staff, **overrides)
    assert raised.value.field == field
    assert _count(engine) == 0


def test_staff_appeal_their_own_entry_and_the_supervisor_cancels_it(engine, staff):
    entry = _record(engine, staff)
    with pytest.raises(Forbidden):
        engine.ledger.appeal(staff["clerk2"], entry.id, "不是我")
    with pytest.raises(Conflict):
        engine.ledger.decide_appeal(staff["supervisor"], entry.id, "cancel", "无复核申请")
    engine.ledger.appeal(staff["clerk1"], entry.id, "当日因窗口设备故障按中心安排在后台办公，有签到表")
    with pytest.raises(Conflict):
        engine.ledger.appeal(staff["clerk1"], entry.id, "再次申请")
    with pytest.raises(Forbidden):
        engine.ledger.decide_appeal(staff["clerk1"], entry.id, "cancel", "自己撤销")
    with pytest.raises(InvalidInput):
        engine.ledger.decide_appeal(staff["supervisor"], entry.id, "forget", "理由")
    decided = engine.ledger.decide_appeal(staff["supervisor"], entry.id, "cancel", "经核实签到表属实")
    assert decided.state == CANCELLED
    (visible,) = (line.entry for line in engine.ledger.entries(staff["clerk1"], "2026-11"))
    assert visible.state == CANCELLED and visible.decision_reason == "经核实签到表属实"
    row = next(r for r in engine.ledger.scores("2026-11").rows if r.staff_id == staff["clerk1"].id)
    assert row.score == 100 and row.entry_count == 0
    with pytest.raises(Conflict):
        engine.ledger.appeal(staff["clerk1"], entry.id, "又一次")


def test_an_upheld_appeal_keeps_counting(engine, staff):
    entry = _record(engine, staff)
    engine.ledger.appeal(staff["clerk1"], entry.id, "不服")
    assert engine.ledger.decide_appeal(staff["supervisor"], entry.id, "uphold", "考勤记录属实").state == "active"
    row = next(r for r in engine.ledger.scores("2026-11").rows if r.staff_id == staff["clerk1"].id)
    assert row.score == 99


def test_staff_see_only_their_own_ledger(engine, staff):
    _record(engine, staff)
    assert engine.ledger.entries(staff["clerk2"], "2026-11") == []
    with pytest.raises(Forbidden):
        engine.ledger.entries(staff["clerk2"], "2026-11", staff_id=staff["clerk1"].id)


@pytest.mark.parametrize("filters, field", [
    ({"staff_id": 9999}, "staff_id"), ({"department_code": "NOPE"}, "department"), ({"rule_code": "ZZ-99"}, "rule_code"),
])
def test_ledger_filters_must_name_what_exists(engine, staff, filters, field):
    with pytest.raises(InvalidInput) as refused:
        engine.ledger.entries(staff["supervisor"], "2026-11", **filters)
    assert refused.value.field == field


def test_the_supervisor_filters_the_ledger_by_staff_department_and_rule(engine, staff):
    absent = _record(engine, staff, rule_code="JL-18")
    other = _record(engine, staff, staff_id=staff["scjg_approver1"].id, rule_code="JL-05")
    ledger, supervisor = engine.ledger, staff["supervisor"]
    assert [line.entry.id for line in ledger.entries(supervisor, "2026-11", staff_id=staff["clerk1"].id)] == [absent.id]
    assert [line.entry.id for line in ledger.entries(supervisor, "2026-11", rule_code="JL-05")] == [other.id]
    by_department = ledger.entries(supervisor, "2026-11", department_code=staff["scjg_approver1"].department_code)
    assert [(line.entry.id, line.department_code) for line in by_department] == [
        (other.id, staff["scjg_approver1"].department_code)]


def test_excel_export_has_the_notice_board_layout(engine, staff):
    _record(engine, staff)
    _record(engine, staff, staff_id=staff["clerk2"].id, rule_code="JF-01", evidence="申请人赠送锦旗")
    data = engine.ledger.export(staff["supervisor"], "2026-11", center_name="示范市政务服务中心")
    book = load_workbook(BytesIO(data))
    scores, details = book["考核结果"], book["考核台账"]
    assert scores["A1"].value == "示范市政务服务中心 2026-11 窗口工作人员考核结果公示"
    header = [cell.value for cell in scores[3]]
    assert header[:14] == ["排名", "姓名", "部门", "岗位", "思想品德(10)", "业务技能(20)", "办事效率(30)",
                           "服务态度(10)", "遵章守纪(20)", "工作形象(10)", "扣分", "加分", "得分", "等次"]
    by_name = {row[1]: row for row in scores.iter_rows(min_row=4, values_only=True) if row[1]}
    assert by_name["刘建国"][12] == 110 and by_name["王晓燕"][12] == 99 and by_name["王晓燕"][8] == 19
    assert details.max_row == 3 + 2
    with pytest.raises(Forbidden):
        engine.ledger.export(staff["clerk1"], "2026-11", center_name="x")


# -- score arithmetic (pure) -----------------------------------------------------------------------
MONTH = parse_period("2026-11")


def _scores(points_by_staff: dict, policy=None, veto=()):
    entries = [ScoredEntry(staff_id, Decimal(str(points)), False)
               for staff_id, points_list in points_by_staff.items() for points in points_list]
    entries += [ScoredEntry(staff_id, Decimal(0), True) for staff_id in veto]
    return {row.staff_id: row for row in score_period(list(points_by_staff), entries, policy or ScoringPolicy(),
                                                      MONTH)}


def test_scores_are_capped_at_150_and_stop_at_0():
    rows = _scores({1: [10, 10, 10, 10, 10, 10], 2: [-8] * 14, 3: [-2, 5]})
    assert rows[1].score == 150 and rows[2].score == 0 and rows[3].score == 103
    assert rows[2].allowance == 0 and rows[3].allowance == 100 and rows[1].allowance == 100


def test_a_veto_sets_the_score_to_zero_whatever_the_bonuses():
    rows = _scores({1: [10, 10], 2: []}, veto=[1])
    assert rows[1].score == 0 and rows[1].vetoed and rows[1].grade == INCOMPETENT


@pytest.mark.parametrize("deduction, grade", [
    (-10, EXCELLENT), ("-10.5", COMPETENT), (-20, COMPETENT), ("-20.5", BASIC), (-40, BASIC), ("-40.5", INCOMPETENT),
])
def test_grade_boundaries(deduction, grade):
    policy = ScoringPolicy(excellent_share=Decimal(1))
    assert _scores({1: [deduction]}, policy)[1].grade == grade


def test_the_allowance_loses_five_yuan_per_point():
    assert _scores({1: [-3, "-0.5"]})[1].allowance == Decimal("82.5")


def test_excellent_is_capped_at_the_quota_share():
    # 20 staff, 15 %: 3 excellent; the next best with 95 points is 称职 with a note.
    points = {staff_id: [] for staff_id in range(1, 21)}
    points.update({1: [-1], 2: [-2], 3: [-3], 4: [-5]})
    for staff_id in range(5, 21):
        points[staff_id] = [-15]
    rows = _scores(points)
    assert [rows[i].grade for i in (1, 2, 3, 4)] == [EXCELLENT, EXCELLENT, EXCELLENT, COMPETENT]
    assert not rows[4].quota_tie and rows[4].notes


def test_a_tie_at_the_quota_edge_is_left_to_the_assessment_group():
    points = {staff_id: [-15] for staff_id in range(1, 21)}
    points.update({1: [-1], 2: [-2], 3: [-3], 4: [-3]})  # 3 and 4 tie for the last place
    rows = _scores(points)
    assert [rows[i].grade for i in (1, 2)] == [EXCELLENT, EXCELLENT]
    assert rows[3].grade == rows[4].grade == COMPETENT and rows[3].quota_tie and rows[4].quota_tie
    assert rows[3].rank == rows[4].rank == 3


def test_the_quota_share_is_configurable():
    points = {staff_id: [-5] for staff_id in range(1, 11)}
    assert sum(r.grade == EXCELLENT for r in _scores(points, ScoringPolicy(excellent_share=Decimal(1))).values()) == 10
    assert sum(r.grade == EXCELLENT for r in _scores(points, ScoringPolicy(excellent_share=Decimal(0))).values()) == 0


@pytest.mark.parametrize("text, first, last", [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods(text, first, last):
    period = parse_period(text)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize("text", ["2026-13", "0000", "0000-01", "9999-Q1", "2026-Q5", "26-11", "2026/11", "", None, 202611])
def test_bad_periods_are_refused(text):
    with pytest.raises(InvalidInput) as error:
        parse_period(text)
    assert error.value.field == "period"
