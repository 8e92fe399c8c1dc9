"""What the setup pages and API both do (through ``CaseEngine.catalogue_admin`` and ``center_admin``),
and the refusal worded for the reader: the field named by its label, in their language."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from engine.errors import InvalidInput, OneWindowError
from engine.validation import read_toml_text
from web.access import case_engine
from web.refusals import explain, one_language

LABELS = {
    "code": lazy_gettext("编码"), "name": lazy_gettext("名称"), "short_name": lazy_gettext("简称"),
    "department": lazy_gettext("主办部门"), "co_departments": lazy_gettext("协办部门"),
    "category": lazy_gettext("事项类别"), "case_type": lazy_gettext("办件类型"),
    "legal_limit_days": lazy_gettext("法定时限"), "promised_limit_days": lazy_gettext("承诺时限"),
    "correction_window_days": lazy_gettext("补正期限"), "extension_days": lazy_gettext("可延期工作日"),
    "co_review_days": lazy_gettext("协办答复时限"), "higher_authority": lazy_gettext("上报机关"),
    "report_clock": lazy_gettext("上报期间计时"), "fee": lazy_gettext("收费标准"), "fee_basis": lazy_gettext("收费依据"),
    "conditions": lazy_gettext("受理条件"), "contacts": lazy_gettext("咨询方式"),
    "procedure": lazy_gettext("办事流程"), "place": lazy_gettext("办理地点"), "hours": lazy_gettext("办理时间"),
    "delivery_options": lazy_gettext("送达方式"), "process": lazy_gettext("办理流程"),
    "legal_basis": lazy_gettext("设定依据"), "result_name": lazy_gettext("办理结果"),
    "materials": lazy_gettext("申请材料"), "mandatory": lazy_gettext("必需"), "form": lazy_gettext("材料形式"),
    "count": lazy_gettext("份数"), "commitment_allowed": lazy_gettext("可容缺"), "note": lazy_gettext("备注"),
    "file": lazy_gettext("文件"), "files": lazy_gettext("文件"), "kind": lazy_gettext("类型"),
    "source": lazy_gettext("来源（官方通知）"), "day": lazy_gettext("日期"), "date": lazy_gettext("日期"),
    "header": lazy_gettext("表头"), "rules": lazy_gettext("规则"), "points": lazy_gettext("分值"),
    "unit": lazy_gettext("计分单位"), "veto": lazy_gettext("一票否决"), "trigger": lazy_gettext("自动记分"),
    "toml": lazy_gettext("TOML 文件"), "year": lazy_gettext("年份"), "role": lazy_gettext("角色"),
}
MATERIAL_KEYS = ("code", "name", "mandatory", "form", "count", "commitment_allowed", "note")
ITEM_TEXT = ("code", "name", "department", "category", "case_type", "higher_authority", "report_clock", "fee",
             "fee_basis", "conditions", "contacts", "procedure", "place", "hours", "process", "legal_basis",
             "result_name")
ITEM_NUMBERS = ("legal_limit_days", "promised_limit_days", "correction_window_days", "extension_days",
                "co_review_days")


def field_label(field: str | None) -> str:
    """``materials.0.count`` → 申请材料 第1项 份数."""
    parts = (field or "").split(".")
    words = []
    for part in parts:
        words.append(_("第%(n)s项", n=int(part) + 1) if part.isdigit() else str(LABELS.get(part, part)))
    return " ".join(words)


def labelled(error: OneWindowError) -> OneWindowError:
    """The same refusal naming the field by its label on these pages (``materials.0.count`` → 申请材料
    第1项 份数): a rule or a library's reason is said with the label, any other refusal is led by it,
    in the request's language; a catalogue entry's refusal is led by the entry it is about (事项 SCJG-001)."""
    if not error.field:
        return error
    label = str(field_label(error.field))
    if error.details.get("rule") or error.details.get("reason"):
        with_label = type(error)(error.message, field=error.field, details={**error.details, "label": label})
        if not error.details.get("about"):
            return with_label
        subject = one_language(error.details["about"])
        return type(error)(f"{subject}{_('：')}{explain(with_label)}", field=error.field)
    return type(error)(f"{label}：{one_language(error.message)}", field=error.field, details=error.details)


def _number(value: str):
    # A typed number goes to the schema as a number; anything else as typed, so the schema names it.
    value = value.strip()
    return int(value) if value.isdigit() else value


def item_from_form(form) -> dict:
    """The item page's form as the loader's raw item (blank fields left out: the schema's defaults apply)."""
    raw = {key: form.get(key, "").strip() for key in ITEM_TEXT if form.get(key, "").strip()}
    raw.update({key: _number(form[key]) for key in ITEM_NUMBERS if form.get(key, "").strip()})
    raw["co_departments"] = [code for code in form.getlist("co_departments") if code]
    raw["delivery_options"] = form.getlist("delivery_options")
    materials = []
    for index in range(int(form.get("material_rows", "0") or 0) if form.get("material_rows", "").isdigit() else 0):
        prefix = f"materials-{index}-"
        if not form.get(prefix + "code", "").strip() and not form.get(prefix + "name", "").strip():
            continue  # a blank row of the form
        materials.append({"code": form.get(prefix + "code", "").strip(), "name": form.get(prefix + "name", "").strip(),
                          "mandatory": form.get(prefix + "mandatory") == "on", "form": form.get(prefix + "form", ""),
                          "count": _number(form.get(prefix + "count", "")),
                          "commitment_allowed": form.get(prefix + "commitment_allowed") == "on",
                          "note": form.get(prefix + "note", "").strip()})
    raw["materials"] = materials
    return raw


def department_from_form(form) -> dict:
    return {key: form.get(key, "").strip() for key in ("code", "name", "short_name")}


def uploaded_text(storage, field: str) -> str:
    """An uploaded text file (CSV, TOML) as text, refused naming ``field`` unless it is UTF-8."""
    if storage is None or not storage.filename:
        raise InvalidInput("请选择要上传的文件 (choose a file to upload)", field=field)
    try:
        return storage.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("文件不是 UTF-8 文本 (the file is not UTF-8 text)", field=field) from None


def parse_day(value: str, field: str = "day") -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date (YYYY-MM-DD)", field=field, details={"rule": "date"}) from None


def rules_from_text(text: str) -> dict:
    return read_toml_text(text, "rules")


def catalogue_admin():
    return case_engine().catalogue_admin


def center_admin():
    return case_engine().center_admin
