"""Every refusal said in the person's language, naming the field by its label.

The engine and the libraries refuse in their own words (``'opinion' is a required property``,
``Missing data for required field.``, ``10 per 1 minute``). Here they become one sentence
in the request's language: the rule comes from the refusal's ``details`` (``rule`` from a
form's JSON schema or ``engine.validation``, ``reason`` from marshmallow), the label from
the form's schema title, the marshmallow field's ``label`` metadata, or the table below for
the fields the engine names itself. Any other engine refusal is written "中文 (English)" where
it is raised, and the request's half is shown. The API keeps ``field`` as the key.
"""

import re
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from engine.clock import beijing
from engine.errors import halves


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated when it is shown."""
    return message


# Fields the engine and the pages name themselves (forms name theirs in their schema titles).
FIELD_LABELS = {
    "username": N_("用户名"), "password": N_("密码"), "case_number": N_("办件编号"), "number": N_("办件编号"),
    "phone_tail": N_("手机号后四位"), "reason": N_("事由"), "kind": N_("原因类别"), "task_id": N_("待办事项"),
    "period": N_("期间"), "days": N_("统计天数"), "department": N_("部门"), "staff_id": N_("人员"),
    "state": N_("牌色"), "item_code": N_("办理事项"), "applicant": N_("申请人"), "verdict": N_("核实结论"),
    "channel": N_("投诉渠道"), "complainant_phone": N_("投诉人电话"), "not_real_kind": N_("不实差评类别"),
    "waybill_number": N_("运单号"), "delivered_on": N_("妥投日期"), "a_staff": N_("A岗人员"),
    "b_staff": N_("B岗人员"), "starts_on": N_("开始日期"), "ends_on": N_("结束日期"), "code": N_("编码"),
    "csrf_token": N_("安全令牌"), "form": N_("表单"), "opinion": N_("意见"), "reply": N_("答复"),
    "complaint_number": N_("投诉编号"), "rule_code": N_("考核规则"), "occurred_on": N_("发生日期"),
    "page": N_("页码"), "cover": N_("代岗人"), "leave_id": N_("请假"), "file": N_("文件"), "sign_in": N_("签到"),
    "sign_out": N_("签退"), "from": N_("开始日期"), "to": N_("结束日期"), "staff": N_("人员"), "day": N_("日期"),
    "week": N_("周"), "season": N_("季节"), "delivery_id": N_("通知"),
}

# One sentence per rule; %(label)s is the field's label, %(limit)s the rule's bound.
RULES = {
    "required": N_("请填写%(label)s"),
    "minLength": N_("%(label)s至少需要 %(limit)s 个字"),
    "maxLength": N_("%(label)s最多 %(limit)s 个字"),
    "length": N_("%(label)s的长度须在 %(limit)s 之间"),
    "minimum": N_("%(label)s不能小于 %(limit)s"),
    "maximum": N_("%(label)s不能大于 %(limit)s"),
    "exclusiveMinimum": N_("%(label)s须大于 %(limit)s"),
    "exclusiveMaximum": N_("%(label)s须小于 %(limit)s"),
    "range": N_("%(label)s须在 %(limit)s 之间"),
    "minItems": N_("%(label)s至少选择 %(limit)s 项"),
    "maxItems": N_("%(label)s最多选择 %(limit)s 项"),
    "uniqueItems": N_("%(label)s有重复的项"),
    "enum": N_("%(label)s须为以下之一：%(limit)s"),
    "const": N_("%(label)s的取值不正确"),
    "pattern": N_("%(label)s的格式不正确"),
    "format": N_("%(label)s的格式不正确"),
    "type": N_("%(label)s的类型不正确"),
    "date": N_("%(label)s须为日期（年-月-日）"),
    "phone": N_("%(label)s须为 11 位手机号或固定电话"),
    "unknown": N_("%(label)s不是本表单的内容"),
    "additionalProperties": N_("表单含有不属于本表单的内容"),
    "controlCharacters": N_("%(label)s含有不允许的控制字符"),
    "invalid": N_("%(label)s填写有误"),
    "json": N_("请求内容不是有效的 JSON"),
}

# marshmallow's own sentences (and the engine's applicant checks) mapped to a rule and its bound.
LIBRARY_REASONS = [
    (re.compile(r"Invalid JSON body\."), "json"),
    (re.compile(r"Missing data for required field\.|Field may not be null\.|must not be blank"), "required"),
    (re.compile(r"Unknown field\."), "unknown"),
    (re.compile(r"Not a valid (date|datetime)\."), "date"),
    (re.compile(r"Not a valid .*\.|Invalid (input )?type\."), "type"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), "length"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "minLength"),
    (re.compile(r"Longer than maximum length (\d+)\."), "maxLength"),
    (re.compile(r"Must be one of: (.*)\."), "enum"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."), "range"),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "minimum"),
    (re.compile(r"Must be less than or equal to (\S+)\."), "maximum"),
    (re.compile(r"String does not match expected pattern\.|Invalid input\.|Invalid value\."), "pattern"),
    (re.compile(r"must be a mobile \(11 digits\) or landline number"), "phone"),
    (re.compile(r"must not contain control characters"), "controlCharacters"),
]

def english() -> bool:
    return str(get_locale()) == "en"


def field_label(field: str | None, label: str | None = None) -> str:
    """The field as a person knows it, in the request's language (the key only as a last resort)."""
    if label:
        return _(label)
    if not field:
        return _("该项")
    known = FIELD_LABELS.get(field) or FIELD_LABELS.get(field.rsplit(".", 1)[-1])
    return _(known) if known else field


def _limit(limit) -> str:
    if isinstance(limit, (list, tuple)):
        return ("、" if not english() else ", ").join(_(str(item)) for item in limit)
    return str(limit)


def say_rule(rule: str, field: str | None, label: str | None = None, limit=None) -> str:
    label_text = field_label(field, label)
    if rule == "required" and field in (None, "form"):
        return _("请填写必填项")
    return _(RULES.get(rule, RULES["invalid"]), label=label_text, limit=_limit(limit) if limit is not None else "")


def say_library_reason(reason: str, field: str | None, label: str | None = None) -> str:
    """A marshmallow message (``Missing data for required field.``) in the person's words."""
    for pattern, rule in LIBRARY_REASONS:
        match = pattern.search(reason)
        if match:
            bounds = [group for group in match.groups() if group is not None]
            if rule == "enum" and bounds:
                bounds = [choice.strip() for choice in bounds[0].split(",")]
            elif rule in ("length", "range"):
                bounds = "–".join(bounds)
            elif bounds:
                bounds = bounds[0]
            return say_rule(rule, field, label, bounds or None)
    # The engine's own reason (a check digit, a document's form) is kept, in the person's half.
    return f"{field_label(field, label)}{_('：')}{one_language(reason)}"


def schema_label(schema, path: str) -> str | None:
    """The ``label`` metadata of the marshmallow field at the dotted ``path`` of ``schema``."""
    declared = None
    for part in path.split("."):
        fields = getattr(schema, "fields", None) or {}
        if part.isdigit() and declared is not None:
            continue
        declared = fields.get(part)
        if declared is None:
            return None
        inner = getattr(declared, "inner", None)
        schema = getattr(inner or declared, "schema", None)
    return declared.metadata.get("label") if declared is not None else None


def shown_moment(value: str | datetime) -> str:
    """A moment in Beijing time, as the pages show times."""
    return beijing(datetime.fromisoformat(value) if isinstance(value, str) else value, "%H:%M")


def explain(error) -> str:
    """The refusal (an engine OneWindowError) in the request's language, naming the field by its label."""
    details = getattr(error, "details", None) or {}
    field, label = error.field, details.get("label")
    rule = details.get("rule")
    if rule == "throttled":
        return _("登录失败次数过多，请于 %(time)s（北京时间）后再试", time=shown_moment(details["until"]))
    if rule:
        return say_rule(rule, field, label, details.get("limit"))
    if details.get("reason"):
        return say_library_reason(details["reason"], field, label)
    return one_language(error.message)


def one_language(message: str) -> str:
    """The half of a bilingual "中文 (English)" message in the person's language."""
    chinese, english_words = halves(message)
    return english_words if english() else chinese
