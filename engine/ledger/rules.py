"""The rule catalogue (考核规则) as data: validated as a whole, then written."""

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import CatalogueError
from engine.ledger.models import (
    CATEGORIES,
    DEPARTMENT_SCOPE,
    SCOPES,
    TRIGGERS,
    UNITS,
    LedgerRule,
    LedgerRuleSet,
)
from engine.validation import first_error, read_toml_file

# The active default scheme (seed 004 篇四) and the alternative one (篇七) a center may load instead.
DEMO_RULES = Path(__file__).with_name("rules.toml")
PIAN7_RULES = Path(__file__).with_name("rules_pian7.toml")
BONUS = "奖励"
# No rule in any seed moves a score by more than 20 points at once.
MAX_RULE_POINTS = Decimal(20)


class RuleSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}-\d{2}$", error="须形如 XL-02 (must look like XL-02)"))
    name = fields.Str(required=True, validate=validate.Length(1, 200))
    category = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
    points = fields.Decimal(required=True, places=1, allow_nan=False)
    unit = fields.Str(required=True, validate=validate.OneOf(UNITS))
    veto = fields.Bool(load_default=False, truthy={True}, falsy={False})
    trigger = fields.Raw(load_default=None)
    source = fields.Str(required=True, validate=validate.Length(1, 300))
    seed = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{3}$", error="须为三位数的文件编号，如 004 (must be a seed number like 004)"))
    part = fields.Str(load_default=None, validate=validate.Length(1, 10))
    item = fields.Str(load_default=None, validate=validate.Length(1, 30))
    scope = fields.Str(load_default="staff", validate=validate.OneOf(SCOPES))

    @validates_schema
    def _check_triggers(self, data, **_):
        """``trigger``: one key or a list of keys; stored space-separated."""
        given = data["trigger"]
        keys = [given] if isinstance(given, str) else given
        if keys is None:
            return
        if not isinstance(keys, list) or not keys or any(key not in TRIGGERS for key in keys):
            raise ValidationError(f"须为以下触发事件之一或其列表：{', '.join(TRIGGERS)} "
                                  f"(must be one of {', '.join(TRIGGERS)} or a list of them)", "trigger")
        if data["scope"] == DEPARTMENT_SCOPE:
            raise ValidationError("扣派出部门的规则由督查人员记录，不能自动触发 (a department's rule is recorded "
                                  "by a supervisor, not by a trigger)", "trigger")
        data["trigger"] = " ".join(keys)

    @validates_schema
    def _check_points(self, data, **_):
        points = data["points"]
        if abs(points) > MAX_RULE_POINTS:
            raise ValidationError(f"须在 -{MAX_RULE_POINTS} 至 {MAX_RULE_POINTS} 之间 "
                                  f"(must be between -{MAX_RULE_POINTS} and {MAX_RULE_POINTS})", "points")
        if data["veto"] and points != 0:
            raise ValidationError("一票否决的规则将得分记为 0，其分值须为 0 "
                                  "(a veto rule sets the score to 0: its points must be 0)", "points")
        if not data["veto"] and points == 0:
            raise ValidationError("不能为 0 (must not be 0)", "points")
        if (points > 0) != (data["category"] == "奖励") and not data["veto"]:
            raise ValidationError("加分属于“奖励”类别，扣分属于其他类别 "
                                  "(bonuses, positive points, belong to the reward category, deductions to the others)",
                                  "points")


class BudgetsField(fields.Dict):
    """{category: points} for the deduction categories (not 奖励)."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.Str(validate=validate.OneOf([c for c in CATEGORIES if c != BONUS])),
                         values=fields.Decimal(allow_nan=False, validate=validate.Range(1, 100)), **kwargs)


class DisqualificationSchema(Schema):
    """取消评优资格: ``at_least`` entries of ``rules`` within one month or quarter."""

    class Meta:
        unknown = RAISE

    code = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2}-\d{2}$", error="须形如 QX-01 (must look like QX-01)"))
    name = fields.Str(required=True, validate=validate.Length(1, 200))
    rules = fields.List(fields.Str(), required=True, validate=validate.Length(1, 20))
    at_least = fields.Int(required=True, strict=True, validate=validate.Range(1, 100))
    per = fields.Str(required=True, validate=validate.OneOf(("month", "quarter")))
    source = fields.Str(required=True, validate=validate.Length(1, 300))


class AnnualSchema(Schema):
    class Meta:
        unknown = RAISE

    # 平时考评占年度考核的比例 (seed 004 篇八 第二十二条: 60%).
    routine_weight = fields.Decimal(load_default=Decimal(1), places=2, allow_nan=False, validate=validate.Range(0, 1))
    # 四次评议有三次以上优秀即为年度优秀; 两次以上不合格即列为年度不合格 (篇四 四.4).
    excellent_quarters = fields.Int(load_default=None, strict=True, validate=validate.Range(1, 4))
    failed_quarters = fields.Int(load_default=None, strict=True, validate=validate.Range(1, 4))


class WindowSchema(Schema):
    class Meta:
        unknown = RAISE

    satisfaction_weight = fields.Decimal(load_default=Decimal("0.3"), places=2, allow_nan=False,
                                         validate=validate.Range(0, 1))
    excellent_windows = fields.Int(load_default=3, strict=True, validate=validate.Range(0, 100))
    red_flag_min_ratings = fields.Int(load_default=5, strict=True, validate=validate.Range(0, 10000))


class SchemeSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.Str(load_default="", validate=validate.Length(0, 20))
    title = fields.Str(load_default="", validate=validate.Length(0, 200))
    source = fields.Str(load_default="", validate=validate.Length(0, 300))
    budgets = BudgetsField(load_default=dict)
    disqualifications = fields.List(fields.Nested(DisqualificationSchema), load_default=list)
    annual = fields.Nested(AnnualSchema, load_default=lambda: AnnualSchema().load({}))
    windows = fields.Nested(WindowSchema, load_default=lambda: WindowSchema().load({}))


def validate_scheme(raw: dict) -> tuple[list[dict], dict]:
    """The rules and the scheme's settings of a rule file (a file without ``[scheme]``: no budgets,
    no disqualifications, the year as its own period)."""
    rules = validate_rules(raw)
    given = raw.get("scheme", {})
    if not isinstance(given, dict):
        raise CatalogueError("考核方案须为 [scheme] 表 (scheme: must be a table [scheme])", field="scheme")
    try:
        scheme = SchemeSchema().load(given)
    except ValidationError as error:
        field, message = first_error(error.messages)
        raise CatalogueError(f"scheme: {field}: {message}", field=field, details={"reason": message}) from None
    codes = {rule["code"] for rule in rules}
    for rule in scheme["disqualifications"]:
        unknown = [code for code in rule["rules"] if code not in codes]
        if unknown:
            raise CatalogueError(f"取消评优条件 {rule['code']}：本文件中没有规则 {unknown[0]} "
                                 f"(scheme: disqualification {rule['code']}: no rule {unknown[0]} in this file)",
                                 field="rules")
    return rules, scheme


def stored_scheme(scheme: dict) -> dict:
    """The scheme as JSON (decimals as text)."""
    def plain(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {key: plain(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [plain(inner) for inner in value]
        return value
    return plain(scheme)


def validate_rules(raw: dict) -> list[dict]:
    entries = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("考核规则文件须含至少一条 [[rules]] (rules: a non-empty list [[rules]] is required)",
                             field="rules")
    rules = []
    for index, entry in enumerate(entries):
        label = f"rule {entry.get('code', f'#{index + 1}') if isinstance(entry, dict) else f'#{index + 1}'}"
        try:
            rules.append(RuleSchema().load(entry))
        except ValidationError as error:
            field, message = first_error(error.messages)
            raise CatalogueError(f"{label}: {field}: {message}", field=field,
                                 details={"reason": message}) from None
    for key in ("code", "trigger"):
        values = [value for rule in rules if rule[key] is not None for value in rule[key].split()]
        duplicate = next((value for value in values if values.count(value) > 1), None)
        if duplicate:
            raise CatalogueError(f"考核规则：{key} {duplicate} 被两条规则使用 (rules: {key} {duplicate} is used by two rules)",
                                 field=key)
    return rules


def read_rules_file(path: Path) -> dict:
    return read_toml_file(path, "rules")


def active_scheme(session: Session) -> dict:
    """The settings of the rule set loaded last (an empty scheme before any was loaded)."""
    latest = session.scalar(select(LedgerRuleSet.scheme).order_by(LedgerRuleSet.version.desc()).limit(1))
    return SchemeSchema().load(latest or {})


def load_rules(session: Session, raw: dict, *, loaded_by: str, now: datetime) -> list[dict]:
    """Write the rules and the scheme's settings as the next rule set version; rules missing from the file are deactivated
    (old entries keep them). Loading the same rules again adds no version."""
    rules, scheme = validate_scheme(raw)
    stored = [{key: str(value) if isinstance(value, Decimal) else value for key, value in rule.items()}
              for rule in rules]
    settings = stored_scheme(scheme)
    latest = session.scalar(select(LedgerRuleSet).order_by(LedgerRuleSet.version.desc()).limit(1))
    if latest is None or latest.rules != stored or latest.scheme != settings:
        number = (session.scalar(select(func.max(LedgerRuleSet.version))) or 0) + 1
        session.add(LedgerRuleSet(version=number, rules=stored, scheme=settings, loaded_at=now,
                                  loaded_by=loaded_by))
    listed = {rule["code"] for rule in rules}
    # Triggers move between rules: clear the old holders first, then set each rule's own.
    for row in session.scalars(select(LedgerRule).where(LedgerRule.trigger.is_not(None))):
        row.trigger = None
    session.flush()
    for rule in rules:
        row = session.get(LedgerRule, rule["code"]) or LedgerRule(code=rule["code"])
        for key, value in rule.items():
            setattr(row, key, value)
        row.active = True
        session.add(row)
    for row in session.scalars(select(LedgerRule).where(LedgerRule.code.not_in(listed))):
        row.active = False
    session.flush()
    return rules
