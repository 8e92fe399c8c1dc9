"""Loading a catalogue file (TOML) into the database, refusing bad data with a clear message.

The whole file is validated before anything is written: an error names the item (or
department) and the field, and the database is left as it was.
"""

from datetime import datetime
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue.models import (
    CASE_TYPES,
    DELIVERY_METHODS,
    MATERIAL_FORMS,
    REPORT_CLOCKS,
    Department,
    ItemCoDepartment,
    ItemMaterial,
    ServiceItem,
    ServiceItemVersion,
)
from engine.errors import CatalogueError, english_half, halves
from engine.validation import first_error, read_toml_file

DEMO_CATALOGUE = Path(__file__).with_name("demo_catalogue.toml")
CATEGORIES = ("市场准入", "投资建设", "民生保障", "交通运输", "卫生健康", "社会保障", "公共安全")
MAX_LIMIT_DAYS = 365

def _strict_bool():
    # TOML has real booleans; refuse "yes", 1 and friends.
    return fields.Bool(required=True, truthy={True}, falsy={False})


_code = validate.Regexp(r"^[A-Z][A-Z0-9-]{1,31}$",
                        error="须为大写字母、数字和 '-' (must be upper-case letters, digits and '-')")


class DepartmentSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z]{2,8}$",
                                                                     error="须为 2 至 8 个大写字母 (must be 2-8 upper-case letters)"))
    name = fields.Str(required=True, validate=validate.Length(1, 100))
    short_name = fields.Str(required=True, validate=validate.Length(1, 30))


class MaterialSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z][A-Z0-9]{1,15}$",
                                                                     error="须形如 M01 (must look like M01)"))
    name = fields.Str(required=True, validate=validate.Length(1, 200))
    mandatory = _strict_bool()
    form = fields.Str(required=True, validate=validate.OneOf(MATERIAL_FORMS))
    count = fields.Int(required=True, strict=True, validate=validate.Range(1, 20))
    commitment_allowed = _strict_bool()
    note = fields.Str(load_default="", validate=validate.Length(0, 300))


# 行政许可法 第42条 and 第26条: one agency decides within 20 days, extendable by 10; joint
# handling within 45, extendable by 15.
EXTENSION_DAYS, JOINT_LIMIT_DAYS, JOINT_EXTENSION_DAYS = 10, 45, 15


class ItemSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.Str(required=True, validate=_code)
    name = fields.Str(required=True, validate=validate.Length(1, 200))
    department = fields.Str(required=True)
    co_departments = fields.List(fields.Str(), load_default=list)
    category = fields.Str(required=True, validate=validate.OneOf(CATEGORIES))
    case_type = fields.Str(required=True, validate=validate.OneOf(CASE_TYPES))
    legal_limit_days = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_LIMIT_DAYS))
    promised_limit_days = fields.Int(required=True, strict=True, validate=validate.Range(0, MAX_LIMIT_DAYS))
    correction_window_days = fields.Int(load_default=20, strict=True, validate=validate.Range(1, 60))
    extension_days = fields.Int(load_default=10, strict=True, validate=validate.Range(0, 30))
    co_review_days = fields.Int(load_default=7, strict=True, validate=validate.Range(1, 30))
    higher_authority = fields.Str(load_default="", validate=validate.Length(0, 100))
    report_clock = fields.Str(load_default="suspended", validate=validate.OneOf(REPORT_CLOCKS))
    fee = fields.Str(load_default="不收费", validate=validate.Length(1, 100))
    fee_basis = fields.Str(load_default="", validate=validate.Length(0, 300))
    conditions = fields.Str(load_default="", validate=validate.Length(0, 2000))
    contacts = fields.Str(load_default="", validate=validate.Length(0, 300))
    procedure = fields.Str(load_default="", validate=validate.Length(0, 2000))
    place = fields.Str(load_default="", validate=validate.Length(0, 200))
    hours = fields.Str(load_default="", validate=validate.Length(0, 200))
    delivery_options = fields.List(
        fields.Str(validate=validate.OneOf(DELIVERY_METHODS)), required=True, validate=validate.Length(1, 2)
    )
    process = fields.Str(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,99}$"))
    legal_basis = fields.Str(required=True, validate=validate.Length(1, 2000))
    result_name = fields.Str(required=True, validate=validate.Length(1, 100))
    materials = fields.List(fields.Nested(MaterialSchema), required=True, validate=validate.Length(1, 50))

    @validates_schema
    def _check_consistency(self, data, **_):
        if data["promised_limit_days"] > data["legal_limit_days"]:
            raise ValidationError("不能超过法定时限 (must not exceed the legal limit)", "promised_limit_days")
        immediate = data["case_type"] == "即办件"
        if immediate and data["promised_limit_days"] != 0:
            raise ValidationError("即办件当场办结，承诺时限须为 0 "
                                  "(an immediate case is finished at the window: promised_limit_days must be 0)",
                                  "promised_limit_days")
        if not immediate and data["promised_limit_days"] == 0:
            raise ValidationError(f"{data['case_type']}的承诺时限至少为 1 个工作日 "
                                  "(a case that is not immediate needs promised_limit_days of at least 1)",
                                  "promised_limit_days")
        joint = data["case_type"] == "联办件"
        if joint and not data["co_departments"]:
            raise ValidationError("联办件须至少有一个协办部门 (a joint case needs at least one co-reviewing department)",
                                  "co_departments")
        if not joint and data["co_departments"]:
            raise ValidationError(f"只有联办件才有协办部门，{data['case_type']}没有 "
                                  "(only a joint case has co-reviewing departments)", "co_departments")
        if data["department"] in data["co_departments"]:
            raise ValidationError("主办部门不能同时是协办部门 (the lead department cannot also co-review)",
                                  "co_departments")
        if len(set(data["co_departments"])) != len(data["co_departments"]):
            raise ValidationError("有部门重复列出 (a department is listed twice)", "co_departments")
        if joint and data["legal_limit_days"] > JOINT_LIMIT_DAYS:
            raise ValidationError(f"联办件的合计时限不超过 {JOINT_LIMIT_DAYS} 个工作日（第26条） "
                                  f"(a joint case's combined limit is at most {JOINT_LIMIT_DAYS} working days, "
                                  "Art. 26)", "legal_limit_days")
        most = JOINT_EXTENSION_DAYS if joint else EXTENSION_DAYS
        if data["extension_days"] > most:
            raise ValidationError(f"{data['case_type']}最多可延期 {most} 个工作日（第42条） "
                                  f"(this case type may be extended by at most {most} working days, Art. 42)",
                                  "extension_days")
        if data["case_type"] == "上报件" and not data["higher_authority"].strip():
            raise ValidationError("上报件须写明报送的上级机关 (a forwarded case names the higher authority it goes to)",
                                  "higher_authority")
        if len(set(data["delivery_options"])) != len(data["delivery_options"]):
            raise ValidationError("有送达方式重复列出 (a delivery option is listed twice)", "delivery_options")
        codes = [material["code"] for material in data["materials"]]
        duplicate = next((code for code in codes if codes.count(code) > 1), None)
        if duplicate:
            raise ValidationError(f"材料编码 {duplicate} 重复使用 (material code {duplicate} is used twice)", "materials")
        if not any(material["mandatory"] for material in data["materials"]):
            raise ValidationError("须至少有一项必需材料 (at least one material must be mandatory)", "materials")


class CatalogueSchema(Schema):
    class Meta:
        unknown = RAISE

    center_name = fields.Str(required=True, validate=validate.Length(1, 100))
    departments = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1))
    items = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1))


def about(kind: str, code) -> str:
    """Which entry of the catalogue a refusal is about, "中文 (English)": ``about("item", "SCJG-001")`` is
    "事项 SCJG-001 (item SCJG-001)"; a page leads its refusal with the half of the reader's language."""
    chinese = {"item": "事项", "department": "部门"}[kind]
    return f"{chinese} {code} ({kind} {code})"


CATALOGUE = "事项目录 (catalogue)"


def _refusal(subject: str, field: str, reason: str) -> CatalogueError:
    """A refusal of ``subject``'s ``field``: the message bilingual for the CLI, and ``details`` (the entry
    it is about, the reason "中文 (English)" or a library's words) for the pages to say it in one language."""
    subject_zh, subject_en = halves(subject)
    reason_zh, reason_en = halves(reason)
    return CatalogueError(f"{subject_zh}：{field}：{reason_zh} ({subject_en}: {field}: {english_half(reason_en)})",
                          field=field, details={"about": subject, "reason": reason})


def _load(schema: Schema, raw, subject: str) -> dict:
    try:
        return schema.load(raw)
    except ValidationError as error:
        field, message = first_error(error.messages)
        raise _refusal(subject, field, message) from None


def _code_of(raw, index: int | None = None):
    code = raw.get("code") if isinstance(raw, dict) else None
    return code or (f"#{index + 1}" if index is not None else "?")


def validate_department(raw, subject: str | None = None) -> dict:
    """One department, as a file or the admin page gives it; CatalogueError names it and the field."""
    return _load(DepartmentSchema(), raw, subject or about("department", _code_of(raw)))


def validate_item(raw, dept_codes, known_processes: set[str], subject: str | None = None) -> dict:
    """One item checked against the departments and deployed processes: the rule for files and pages alike."""
    subject = subject or about("item", _code_of(raw))
    item = _load(ItemSchema(), raw, subject)
    for field, codes in (("department", [item["department"]]), ("co_departments", item["co_departments"])):
        unknown = [code for code in codes if code not in dept_codes]
        if unknown:
            raise _refusal(subject, field, f"未知的部门 {unknown[0]} (unknown department {unknown[0]})")
    if item["process"] not in known_processes:
        known = ", ".join(sorted(known_processes)) or "none"
        raise _refusal(subject, "process", f"流程 '{item['process']}' 尚未部署，已部署的有 {known} "
                                           f"(no deployed process '{item['process']}'; known: {known})")
    return item


def validate_catalogue(raw: dict, known_processes: set[str]) -> dict:
    """Return the validated catalogue or raise CatalogueError naming the item and field."""
    top = _load(CatalogueSchema(), raw, CATALOGUE)
    departments = [validate_department(dept_raw, about("department", _code_of(dept_raw, index)))
                   for index, dept_raw in enumerate(top["departments"])]
    dept_codes = [dept["code"] for dept in departments]
    if len(set(dept_codes)) != len(dept_codes):
        raise _refusal(CATALOGUE, "departments", "有部门编码重复使用 (a department code is used twice)")
    items = [validate_item(item_raw, dept_codes, known_processes, about("item", _code_of(item_raw, index)))
             for index, item_raw in enumerate(top["items"])]
    item_codes = [item["code"] for item in items]
    duplicate = next((code for code in item_codes if item_codes.count(code) > 1), None)
    if duplicate:
        raise _refusal(about("item", duplicate), "code", "被两个事项使用 (used by two items)")
    return {"center_name": top["center_name"], "departments": departments, "items": items}


def read_catalogue_file(path: Path) -> dict:
    return read_toml_file(path, "catalogue")


def write_department(session: Session, dept: dict) -> Department:
    row = session.get(Department, dept["code"]) or Department(code=dept["code"])
    row.name, row.short_name = dept["name"], dept["short_name"]
    session.add(row)
    session.flush()
    return row


def write_item(session: Session, item: dict, *, saved_by: str, now: datetime) -> ServiceItem:
    """Write a validated item; a change makes its next version (running cases keep theirs)."""
    row = session.get(ServiceItem, item["code"])
    latest = session.scalar(select(ServiceItemVersion).where(ServiceItemVersion.item_code == item["code"])
                            .order_by(ServiceItemVersion.version.desc()).limit(1)) if row else None
    if row is not None and row.active and latest is not None and latest.snapshot == item:
        return row  # unchanged: no new version
    row = row or ServiceItem(code=item["code"])
    row.name, row.department_code = item["name"], item["department"]
    row.category, row.case_type = item["category"], item["case_type"]
    row.legal_limit_days, row.promised_limit_days = item["legal_limit_days"], item["promised_limit_days"]
    row.correction_window_days, row.extension_days = item["correction_window_days"], item["extension_days"]
    row.co_review_days, row.higher_authority = item["co_review_days"], item["higher_authority"].strip()
    row.report_clock = item["report_clock"]
    row.fee, row.delivery_options, row.process_id = item["fee"], item["delivery_options"], item["process"]
    row.fee_basis, row.conditions, row.contacts = item["fee_basis"], item["conditions"], item["contacts"]
    row.procedure, row.place, row.hours = item["procedure"], item["place"], item["hours"]
    row.legal_basis, row.result_name, row.active = item["legal_basis"], item["result_name"], True
    row.version = (latest.version + 1) if latest is not None else 1
    # Old rows go first: the new ones reuse their unique keys.
    row.materials.clear()
    row.co_departments.clear()
    session.add(row)
    session.flush()
    row.materials = [ItemMaterial(position=index, **material) for index, material in enumerate(item["materials"])]
    row.co_departments = [ItemCoDepartment(department_code=code) for code in item["co_departments"]]
    session.add(ServiceItemVersion(item_code=row.code, version=row.version, snapshot=item, saved_at=now,
                                   saved_by=saved_by))
    session.flush()
    return row


def load_catalogue(session: Session, raw: dict, known_processes: set[str], *, saved_by: str,
                   now: datetime) -> dict:
    """Validate and write the catalogue; items missing from it are deactivated, not deleted."""
    catalogue = validate_catalogue(raw, known_processes)
    for dept in catalogue["departments"]:
        write_department(session, dept)
    for item in catalogue["items"]:
        write_item(session, item, saved_by=saved_by, now=now)
    listed = {item["code"] for item in catalogue["items"]}
    for row in session.scalars(select(ServiceItem).where(ServiceItem.code.not_in(listed))):
        row.active = False
    return catalogue
