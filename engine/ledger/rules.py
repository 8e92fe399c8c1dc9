"""The rule catalogue (考核规则) as data: validated as a whole, then written."""

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import CatalogueError
from engine.ledger.models import CATEGORIES, TRIGGERS, UNITS, LedgerRule, LedgerRuleSet
from engine.validation import first_error, read_toml_file

DEMO_RULES = Path(__file__).with_name("rules.toml")
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
    trigger = fields.Str(load_default=None, validate=validate.OneOf(TRIGGERS))
    source = fields.Str(required=True, validate=validate.Length(1, 300))

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
        values = [rule[key] for rule in rules if rule[key] is not None]
        duplicate = next((value for value in values if values.count(value) > 1), None)
        if duplicate:
            raise CatalogueError(f"考核规则：{key} {duplicate} 被两条规则使用 (rules: {key} {duplicate} is used by two rules)",
                                 field=key)
    return rules


def read_rules_file(path: Path) -> dict:
    return read_toml_file(path, "rules")


def load_rules(session: Session, raw: dict, *, loaded_by: str, now: datetime) -> list[dict]:
    """Write the rules as the next rule set version; rules missing from the file are deactivated
    (old entries keep them). Loading the same rules again adds no version."""
    rules = validate_rules(raw)
    stored = [{key: str(value) if isinstance(value, Decimal) else value for key, value in rule.items()}
              for rule in rules]
    latest = session.scalar(select(LedgerRuleSet).order_by(LedgerRuleSet.version.desc()).limit(1))
    if latest is None or latest.rules != stored:
        number = (session.scalar(select(func.max(LedgerRuleSet.version))) or 0) + 1
        session.add(LedgerRuleSet(version=number, rules=stored, loaded_at=now, loaded_by=loaded_by))
    listed = {rule["code"] for rule in rules}
    # Triggers move between rules: clear the old holders first (the column is unique).
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
