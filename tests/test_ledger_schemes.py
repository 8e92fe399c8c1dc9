"""The scoring schemes as the seeds write them (seed 004 篇四 active, 篇七 the alternative): every
rule, category budgets, disqualification and the year from its quarters."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.errors import CatalogueError
from engine.ledger.models import LedgerRuleSet
from engine.ledger.rules import DEMO_RULES, PIAN7_RULES, read_rules_file, validate_scheme
from engine.ledger.scores import (
    COMPETENT,
    EXCELLENT,
    INCOMPETENT,
    Disqualification,
    ScoredEntry,
    ScoreScheme,
    ScoringPolicy,
    parse_period,
    score_period,
    score_year,
)


def _scheme(path):
    rules, scheme = validate_scheme(read_rules_file(path))
    return {rule["code"]: rule for rule in rules}, scheme


def _points(rules, *codes):
    return [float(rules[code]["points"]) for code in codes]


def test_pian4_holds_all_47_point_rules_with_their_source():
    rules, scheme = _scheme(DEMO_RULES)
    pian4 = [rule for rule in rules.values() if rule["part"] == "篇四"]
    assert len(pian4) == 47
    assert all(rule["seed"] == "004" and rule["item"].startswith("二(") for rule in pian4)
    by_category = {}
    for rule in pian4:
        by_category[rule["category"]] = by_category.get(rule["category"], 0) + 1
    assert by_category == {"思想品德": 2, "业务技能": 7, "办事效率": 6, "服务态度": 4, "遵章守纪": 23, "工作形象": 5}
    # 印章票证档案 −0.5 / −4; 资料未放规定位置 −0.1; 领导视察 −2; 聊天串岗 −1; 外出1小时以上 −2; 请假未委托 −1.
    assert _points(rules, "JN-03", "JN-07", "TD-02", "TD-04", "JL-06", "JL-07", "JL-08") == [
        -0.5, -4, -0.1, -2, -1, -2, -1]
    # 学习会议迟到 −1 / 缺席 −2; 弄虚作假 −2; 六件制 −1.5; fees −3 / −4 / −4; 联审会 −1 / −2; 网络 −3 / −10.
    assert _points(rules, "JL-09", "JL-11", "JL-12", "JL-15", "JL-16", "JL-17", "JL-18", "JL-19", "JL-20",
                   "JL-22", "JL-23") == [-1, -2, -2, -1.5, -3, -4, -4, -1, -2, -3, -10]
    assert rules["JN-03"]["item"] == "二(二)3" and rules["JL-23"]["item"] == "二(五)2(7)"
    assert scheme["name"] == "篇四" and scheme["budgets"] == {
        "思想品德": 10, "业务技能": 20, "办事效率": 30, "服务态度": 10, "遵章守纪": 20, "工作形象": 10}
    assert scheme["annual"]["routine_weight"] == Decimal("0.6")


def test_pian7_holds_its_25_deductions_and_every_bonus_level():
    rules, scheme = _scheme(PIAN7_RULES)
    assert all(rule["part"] == "篇七" for rule in rules.values() if rule["scope"] == "staff")
    deductions = [rule for rule in rules.values() if rule["category"] != "奖励" and rule["scope"] == "staff"]
    bonuses = [rule for rule in rules.values() if rule["category"] == "奖励"]
    assert len(deductions) == 25 and len(bonuses) == 19
    assert len({rule["item"] for rule in deductions}) == 20 and len({rule["item"] for rule in bonuses}) == 8
    # 吸烟 −10, 中午饮酒 −10 (篇四: −7), 推诿 −5, 中介 −10, 吃拿卡要 −20 (篇四: −8).
    assert _points(rules, "QD-04", "QD-03", "QD-16", "QD-21", "QD-19") == [-10, -10, -5, -10, -20]
    assert _points(rules, "QJ-08", "QJ-09", "QJ-10", "QJ-11") == [5, 10, 15, 20]  # 媒体表扬
    assert _points(rules, "QJ-02", "QJ-03", "QJ-04", "QJ-05", "QJ-06") == [10, 8, 6, 4, 2]  # 排名
    assert (float(rules["QJ-16"]["points"]), rules["QJ-16"]["trigger"]) == (6, "quarter_excellent")  # 季度优秀
    assert [rule["code"] for rule in scheme["disqualifications"]] == ["QX-01", "QX-02", "QX-03", "QX-04", "QX-05"]
    assert scheme["budgets"] == {}


def test_each_scheme_binds_the_attendance_triggers_to_its_own_rules():
    pian4, _ = _scheme(DEMO_RULES)
    pian7, _ = _scheme(PIAN7_RULES)

    def holder(rules, trigger):
        return next((code for code, rule in rules.items() if trigger in (rule["trigger"] or "").split()), None)
    assert [holder(pian4, trigger) for trigger in ("attendance_late_minor", "attendance_late", "attendance_late_major",
                                                   "attendance_absent_half_day", "leave_without_cover")] == [
        "JL-01", "JL-02", "JL-03", "JL-04", "JL-08"]
    # 篇七 has one lateness rule (−2 whatever the minutes) and no 请假未委托 rule.
    assert [holder(pian7, trigger) for trigger in ("attendance_late_minor", "attendance_late", "attendance_late_major",
                                                   "attendance_absent_half_day", "leave_without_cover")] == [
        "QD-09", "QD-09", "QD-09", "QD-10", None]


@pytest.mark.parametrize("scheme, field", [
    ({"budgets": {"奖励": 10}}, "budgets"),
    ({"budgets": {"思想品德": 0}}, "budgets"),
    ({"annual": {"routine_weight": 1.5}}, "annual"),
    ({"disqualifications": [{"code": "QX-01", "name": "x", "rules": ["ZZ-01"], "at_least": 2, "per": "quarter",
                             "source": "x"}]}, "rules"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_scheme_is_refused_naming_its_field(scheme, field):
    raw = read_rules_file(DEMO_RULES)
    with pytest.raises(CatalogueError) as error:
        validate_scheme({**raw, "scheme": scheme})
    assert error.value.field.split(".")[0] == field


def test_the_alternative_scheme_loads_and_becomes_the_centers(engine, staff):
    engine.ledger.load_rules(read_rules_file(PIAN7_RULES))
    with engine.session() as session:
        latest = session.scalar(select(LedgerRuleSet).order_by(LedgerRuleSet.version.desc()).limit(1))
        assert latest.scheme["name"] == "篇七" and len(latest.rules) == 45
    active = {rule.code for rule in engine.ledger.rules() if rule.active}
    assert "QD-04" in active and "XX-04" not in active
    assert engine.ledger.scores("2026-11").scheme.name == "篇七"
    engine.ledger.load_rules(read_rules_file(DEMO_RULES))
    assert engine.ledger.scores("2026-11").scheme.budgets["遵章守纪"] == 20


# -- category budgets -------------------------------------------------------------------------------
def _record(engine, staff, rule_code, occurred_on=date(2026, 11, 20), quantity=1, username="clerk1"):
    return engine.ledger.record(staff["supervisor"], staff_id=staff[username].id, rule_code=rule_code,
                                occurred_on=occurred_on, evidence="督查记录", quantity=quantity)


def _row(sheet, staff, username="clerk1"):
    return next(row for row in sheet.rows if row.staff_id == staff[username].id)


def test_a_category_budget_stops_its_deductions_each_month(engine, staff):
    _record(engine, staff, "JL-23", quantity=3)      # 网络系统瘫痪 3 × −10 in 遵章守纪 (20)
    _record(engine, staff, "XX-02")                    # −0.5 in 工作形象
    _record(engine, staff, "JL-23", occurred_on=date(2026, 10, 12))
    november = _row(engine.ledger.scores("2026-11"), staff)
    rules = november.categories["遵章守纪"]
    assert (rules.budget, rules.raw, rules.counted, rules.remaining) == (20, -30, -20, 0)
    assert november.categories["工作形象"].remaining == Decimal("9.5")
    assert (november.deductions, november.score) == (Decimal("-20.5"), Decimal("79.5"))
    # The quarter: each month stops at its own budget (October −10, November −20 of −30).
    quarter = _row(engine.ledger.scores("2026-Q4"), staff)
    assert (quarter.categories["遵章守纪"].budget, quarter.categories["遵章守纪"].counted) == (60, -30)
    assert quarter.score == Decimal("69.5")


def test_the_scores_api_carries_each_rows_categories(sign_in, engine, staff):
    _record(engine, staff, "JL-23", quantity=3)
    supervisor = sign_in("supervisor")
    sheet = supervisor.get("/api/v1/ledger/scores?period=2026-11").json
    assert sheet["scheme"] == "篇四"
    row = next(row for row in sheet["rows"] if row["staff_id"] == staff["clerk1"].id)
    by_name = {figure["category"]: figure for figure in row["categories"]}
    assert [figure["category"] for figure in row["categories"]] == [
        "思想品德", "业务技能", "办事效率", "服务态度", "遵章守纪", "工作形象"]
    assert by_name["遵章守纪"] == {"category": "遵章守纪", "budget": "20.0", "deductions": "-30.0",
                                 "counted": "-20.0", "remaining": "0.0"}
    assert (row["score"], row["deductions"]) == ("80.0", "-20.0")
    page = supervisor.get("/ledger/?period=2026-11").data.decode()
    assert "遵章守纪（20）" in page and "扣完为止（-30.0）" in page


# -- disqualification and the 优秀 share -----------------------------------------------------------
NOVEMBER = parse_period("2026-11")
EVERYONE_EXCELLENT = ScoringPolicy(excellent_share=Decimal(1))
TWO_COMPLAINTS = Disqualification("QX-01", "季度内被群众两次投诉且经查证属实", ("TD-05", "TD-06"), 2, "quarter")


def _entry(staff_id, points, code="XX-01", day=date(2026, 11, 20), category="工作形象", occurrences=1):
    return ScoredEntry(staff_id, Decimal(str(points)), False, category, day, code, occurrences)


def test_two_verified_complaints_in_a_quarter_remove_excellent():
    scheme = ScoreScheme(disqualifications=(TWO_COMPLAINTS,))
    entries = [_entry(1, -3, "TD-05", date(2026, 10, 9), "服务态度"), _entry(1, -3, "TD-05", date(2026, 12, 1), "服务态度"),
               _entry(2, -3, "TD-05", date(2026, 10, 9), "服务态度"),
               _entry(3, -3, "TD-05", date(2026, 9, 30), "服务态度"), _entry(3, -3, "TD-05", date(2026, 10, 1), "服务态度")]
    rows = {row.staff_id: row for row in score_period([1, 2, 3], entries, EVERYONE_EXCELLENT,
                                                      parse_period("2026-Q4"), scheme)}
    assert (rows[1].score, rows[1].grade, rows[1].disqualified) == (94, COMPETENT, ["QX-01 季度内被群众两次投诉且经查证属实"])
    assert "取消评优资格" in rows[1].notes[0]
    assert (rows[2].score, rows[2].grade) == (97, EXCELLENT)
    # Two quarters, one complaint each: not disqualified (the Q3 one is outside Q4 anyway).
    assert (rows[3].grade, rows[3].disqualified) == (EXCELLENT, [])


def test_a_disqualified_person_leaves_the_quota_to_the_next():
    scheme = ScoreScheme(disqualifications=(Disqualification("QX-02", "迟到早退每月3次以上", ("QD-09",), 3, "month"),))
    entries = [_entry(1, 20, "JF-01", category="奖励"), _entry(1, -6, "QD-09", category="遵章守纪", occurrences=3),
               _entry(2, 5, "JF-02", category="奖励")]
    rows = {row.staff_id: row for row in score_period(list(range(1, 8)), entries, ScoringPolicy(), NOVEMBER, scheme)}
    # Seven scored, 15 %: one 优秀. The best (114) is disqualified, so the next (105) has it.
    assert (rows[1].score, rows[1].grade, rows[2].score, rows[2].grade) == (114, COMPETENT, 105, EXCELLENT)


def test_disqualification_in_the_pian7_scheme_on_the_database(engine, staff):
    engine.ledger.load_rules(read_rules_file(PIAN7_RULES))
    for username in ("clerk1", "clerk2"):
        _record(engine, staff, "JF-01", username=username, quantity=2)       # +20: the best two
    _record(engine, staff, "TD-06", quantity=2)                              # two verified complaints, −10
    _record(engine, staff, "TD-06", username="clerk2")                       # one, −5
    sheet = engine.ledger.scores("2026-Q4")
    first, second = _row(sheet, staff), _row(sheet, staff, "clerk2")
    assert (first.score, first.grade, first.disqualified) == (110, COMPETENT, ["QX-01 季度内被群众两次投诉且经查证属实"])
    assert (second.score, second.grade) == (115, EXCELLENT)


# -- the year from its quarters ---------------------------------------------------------------------
YEAR = parse_period("2026")


def test_the_year_weighs_routine_assessment_as_the_scheme_says():
    entries = [_entry(1, -10, day=date(2026, 2, 3)), _entry(2, -1, day=date(2026, 5, 3))]
    weighted = {row.staff_id: row for row in score_year([1, 2], entries, EVERYONE_EXCELLENT, YEAR,
                                                        ScoreScheme(routine_weight=Decimal("0.6")))}
    # Quarters 90, 100, 100, 100: routine 97.5; the year as one period 90 → 0.6 × 97.5 + 0.4 × 90.
    assert (weighted[1].routine, weighted[1].score) == (Decimal("97.5"), Decimal("94.5"))
    assert weighted[1].quarter_grades == [EXCELLENT] * 4
    routine_only = {row.staff_id: row for row in score_year([1, 2], entries, EVERYONE_EXCELLENT, YEAR,
                                                            ScoreScheme(routine_weight=Decimal(1)))}
    assert routine_only[1].score == Decimal("97.5")


def test_excellent_quarters_add_the_pian7_bonus_to_the_year():
    entries = [_entry(1, -10, day=date(2026, 2, 3))]
    (row,) = score_year([1], entries, EVERYONE_EXCELLENT, YEAR,
                        ScoreScheme(routine_weight=Decimal(1), quarter_bonus=Decimal(6)))
    assert row.score == Decimal("121.5")  # 97.5 + 4 优秀 quarters × 6


def test_failed_quarters_make_the_year_failed_and_three_excellent_make_it_excellent():
    scheme = ScoreScheme(routine_weight=Decimal(1), excellent_quarters=3, failed_quarters=2)
    entries = [_entry(1, -41, day=date(2026, 2, 3), category="x"), _entry(1, -41, day=date(2026, 5, 3), category="x"),
               _entry(2, -15, day=date(2026, 8, 3), category="x")]
    rows = {row.staff_id: row for row in score_year(list(range(1, 11)), entries, ScoringPolicy(), YEAR, scheme)}
    # 1: quarters 59, 59, 100, 100 → 79.5 would be 基本称职; two 不称职 quarters make the year 不称职.
    assert (rows[1].score, rows[1].grade) == (Decimal("79.5"), INCOMPETENT)
    assert rows[1].disqualified == ["2 个季度不称职"]
    # The others tie at 100 in every quarter (the quota of 1 leaves them to the assessment group), so
    # nobody has three 优秀 quarters and the year's quota holds as in any period.
    assert rows[2].grade == COMPETENT and rows[3].quota_tie


def test_three_excellent_quarters_make_the_year_excellent_outside_the_quota():
    scheme = ScoreScheme(routine_weight=Decimal(1), excellent_quarters=3, failed_quarters=2)
    (row,) = score_year([1], [_entry(1, -45, day=date(2026, 11, 3), category="x")], EVERYONE_EXCELLENT, YEAR,
                        scheme)
    # Quarters 100, 100, 100, 55: 88.8 is 称职 by score, three 优秀 quarters make the year 优秀.
    assert (row.score, row.quarter_grades[3], row.grade) == (Decimal("88.8"), INCOMPETENT, EXCELLENT)


def test_the_year_on_the_database_uses_the_active_weighting(engine, staff):
    _record(engine, staff, "JL-18")                       # −4 in November
    row = _row(engine.ledger.scores("2026"), staff)
    # Quarters 100, 100, 100, 96 → 99; the year as one period 96 → 0.6 × 99 + 0.4 × 96.
    assert (row.routine, row.score) == (Decimal(99), Decimal("97.8"))
