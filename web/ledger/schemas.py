"""JSON shapes of the ledger API (marshmallow): rules, entries, scores and their queries.

Class names are unique across the API: OpenAPI names its schemas after them.
"""

from marshmallow import Schema, fields, validate

from engine.ledger.models import CATEGORIES, UNITS
from engine.ledger.service import MAX_QUANTITY
from engine.validation import MAX_ID, MAX_TEXT


def amount(description: str = "", **options) -> fields.Decimal:
    """A one-decimal amount sent as text ("-4.0"): exact, unlike a JSON number."""
    return fields.Decimal(places=1, as_string=True, **options,
                          metadata={"type": "string", "format": "decimal", "description": description})


PERIOD = fields.Str(metadata={"description": "2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default this month"})


class LedgerRuleRow(Schema):
    code = fields.Str()
    name = fields.Str()
    category = fields.Str(metadata={"description": " / ".join(CATEGORIES)})
    points = amount("negative deducts, positive adds")
    unit = fields.Str(metadata={"description": " or ".join(UNITS)})
    veto = fields.Bool(metadata={"description": "一票否决: the period's score becomes 0"})
    trigger = fields.Str(allow_none=True, metadata={
        "description": "recorded by the engine itself on these events (space-separated)"})
    source = fields.Str()
    seed = fields.Str(allow_none=True, metadata={"description": "the seed file the rule is written in (004)"})
    part = fields.Str(allow_none=True, metadata={"description": "its part (篇四, 篇七)"})
    item = fields.Str(allow_none=True, metadata={"description": "its item (二(二)3)"})
    scope = fields.Str(metadata={"description": "staff, or department: charges a seconding department"})
    active = fields.Bool()


class LedgerQuery(Schema):
    period = PERIOD
    staff_id = fields.Int(validate=validate.Range(1, MAX_ID), metadata={"description": "supervisors: one staff member"})
    department = fields.Str(validate=validate.Length(1, 20), metadata={"description": "supervisors: one department"})
    rule_code = fields.Str(validate=validate.Length(1, 20))


class PeriodQuery(Schema):
    period = PERIOD


class LedgerEntryRow(Schema):
    """An entry (dumped from engine.ledger.book.EntryLine)."""

    id = fields.Int(attribute="entry.id")
    staff_id = fields.Int(attribute="entry.staff_id")
    staff_name = fields.Str()
    department_code = fields.Str(allow_none=True)
    rule_code = fields.Str(attribute="entry.rule_code")
    rule_name = fields.Str()
    category = fields.Str()
    points = amount(attribute="entry.points")
    occurred_on = fields.Date(attribute="entry.occurred_on")
    case_number = fields.Str(allow_none=True)
    evidence = fields.Str(attribute="entry.evidence")
    recorded_by = fields.Str(allow_none=True, metadata={"description": "null: recorded by the engine"})
    recorded_at = fields.DateTime(attribute="entry.recorded_at")
    state = fields.Str(attribute="entry.state", metadata={"description": "active, appealed or cancelled"})
    appeal_reason = fields.Str(attribute="entry.appeal_reason", allow_none=True)
    appealed_at = fields.DateTime(attribute="entry.appealed_at", allow_none=True)
    decided_by = fields.Str(allow_none=True)
    decided_at = fields.DateTime(attribute="entry.decided_at", allow_none=True)
    decision_reason = fields.Str(attribute="entry.decision_reason", allow_none=True)


class NewLedgerEntry(Schema):
    staff_id = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_ID))
    rule_code = fields.Str(required=True, validate=validate.Length(1, 20))
    occurred_on = fields.Date(required=True)
    evidence = fields.Str(required=True, validate=validate.Length(1, MAX_TEXT))
    quantity = fields.Int(load_default=1, strict=True, validate=validate.Range(1, MAX_QUANTITY))


class LedgerAppeal(Schema):
    reason = fields.Str(required=True, validate=validate.Length(1, MAX_TEXT))


class LedgerDecision(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(("uphold", "cancel")))
    reason = fields.Str(required=True, validate=validate.Length(1, MAX_TEXT))


class CategoryFigureOut(Schema):
    """One category of a score row (篇四 二: each category's points, 扣完为止)."""

    category = fields.Str(metadata={"description": " / ".join(CATEGORIES)})
    budget = amount("the category's points for the period (budget per month × months); null: no budget",
                    allow_none=True)
    deductions = amount("what the category's entries deducted (bonuses: added)")
    counted = amount("what of it counts: deductions stop at the budget each month")
    remaining = amount("budget + counted: the category's points left; null: no budget", allow_none=True)


class ScoreRowOut(Schema):
    rank = fields.Int()
    staff_id = fields.Int()
    name = fields.Str()
    department_code = fields.Str(allow_none=True)
    deductions = amount()
    bonuses = amount()
    vetoed = fields.Bool()
    score = amount()
    grade = fields.Str(metadata={"description": "优秀, 称职, 基本称职 or 不称职"})
    quota_tie = fields.Bool(metadata={"description": "tied at the edge of the 优秀 quota: the assessment group decides"})
    allowance = amount("岗位补贴, yuan")
    entry_count = fields.Int()
    notes = fields.List(fields.Str())
    categories = fields.List(fields.Nested(CategoryFigureOut))
    disqualified = fields.List(fields.Str(), metadata={"description": "取消评优资格: the rules met (code and name)"})
    routine = amount("a year: the mean of its four quarter scores (平时考评)", allow_none=True)
    quarter_grades = fields.List(fields.Str(), metadata={"description": "a year: each quarter's grade"})


class ScoreSheetOut(Schema):
    period = fields.Str()
    scheme = fields.Str(metadata={"description": "the active scoring scheme (篇四, 篇七)"})
    first = fields.Date()
    last = fields.Date()
    rows = fields.List(fields.Nested(ScoreRowOut))


class WindowRowOut(Schema):
    """A window's period (优秀窗口, 流动红旗: seed 003 5)."""

    rank = fields.Int()
    code = fields.Str()
    name = fields.Str()
    department_code = fields.Str(allow_none=True, metadata={"description": "null: a comprehensive window"})
    staff_ids = fields.List(fields.Int(), metadata={"description": "its A and B posts"})
    staff_score = amount("the mean score of its posts", allow_none=True)
    ratings = fields.Int(metadata={"description": "ratings that count (bad ones found not real excluded)"})
    satisfied = fields.Int()
    satisfaction = amount("percent of good ratings; null: no rating", allow_none=True)
    score = amount("staff score and satisfaction weighed by the scheme", allow_none=True)
    excellent = fields.Bool(metadata={"description": "优秀窗口"})
    red_flag = fields.Bool(metadata={"description": "流动红旗: the most satisfied window with enough ratings"})


class WindowSheetOut(Schema):
    period = fields.Str()
    rows = fields.List(fields.Nested(WindowRowOut))


class DepartmentRowOut(Schema):
    rank = fields.Int()
    code = fields.Str()
    name = fields.Str()
    staff_ids = fields.List(fields.Int())
    staff_score = amount("the mean score of its seconded staff", allow_none=True)
    staff_deductions = amount("what its staff's entries counted")
    own_deductions = amount("deductions against the department itself (seed 001 第十三条(二))")
    excellent = fields.Int(metadata={"description": "its staff graded 优秀"})
    score = amount("staff mean plus the department's own deductions", allow_none=True)


class DepartmentSheetOut(Schema):
    period = fields.Str()
    rows = fields.List(fields.Nested(DepartmentRowOut))


class NewDepartmentEntry(Schema):
    rule_code = fields.Str(required=True, validate=validate.Length(1, 20))
    occurred_on = fields.Date(required=True)
    evidence = fields.Str(required=True, validate=validate.Length(1, MAX_TEXT))


class DepartmentEntryOut(Schema):
    id = fields.Int(attribute="entry.id")
    department_code = fields.Str(attribute="entry.department_code")
    rule_code = fields.Str(attribute="entry.rule_code")
    rule_name = fields.Str()
    points = amount(attribute="entry.points")
    occurred_on = fields.Date(attribute="entry.occurred_on")
    evidence = fields.Str(attribute="entry.evidence")
    recorded_by = fields.Str()


class FeedbackOut(Schema):
    """The assessment results fed back to a seconding department (考核结果向派出部门反馈)."""

    period = fields.Str()
    department = fields.Nested(DepartmentRowOut)
    rows = fields.List(fields.Nested(ScoreRowOut))
    entries = fields.List(fields.Nested(LedgerEntryRow))
    department_entries = fields.List(fields.Nested(DepartmentEntryOut))
