"""Case rows: numbering, the data a case's workflow starts with, lookups."""

from datetime import date, datetime

from marshmallow import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case, CaseCounter
from engine.cases.schemas import ApplicantSchema
from engine.catalogue.models import ServiceItem
from engine.clock import CHINA_TZ
from engine.errors import InvalidInput, NotFound
from engine.validation import first_error

# Keys the engine puts into a workflow's data; forms may not overwrite them.
INITIAL_DATA_KEYS = frozenset({
    "item_code", "item_name", "case_type", "department_code", "co_department_codes", "promised_limit_days",
    "legal_limit_days", "correction_window_days", "materials", "material_codes", "delivery_options",
    "received_on", "joint_departments", "co_review_days", "extension_days", "higher_authority", "report_clock",
})


def validate_applicant(raw) -> dict:
    if not isinstance(raw, dict):
        raise InvalidInput("申请人信息须为对象 (applicant must be an object)", field="applicant")
    try:
        return ApplicantSchema().load(raw)
    except ValidationError as error:
        field, message = first_error(error.messages, "applicant.")
        declared = ApplicantSchema().fields.get(field.removeprefix("applicant."))
        # The web says the refusal in the person's language from the field's label and marshmallow's reason.
        raise InvalidInput(f"{field}: {message}", field=field, details={
            "label": declared.metadata.get("label") if declared else None, "reason": message}) from None


def next_case_number(session: Session, day: date, prefix: str) -> str:
    """A unique, date-sortable number such as ZW2026112200042, issued atomically."""
    dialect = session.get_bind().dialect.name
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect, insert)
    statement = dialect_insert(CaseCounter).values(day=day, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[CaseCounter.day], set_={"last": CaseCounter.last + 1}
    ).returning(CaseCounter.last)
    sequence = session.execute(statement).scalar_one()
    return f"{prefix}{day:%Y%m%d}{sequence:05d}"


def initial_data(item: ServiceItem, received_on: date) -> dict:
    materials = [
        {"code": m.code, "name": m.name, "mandatory": m.mandatory, "form": m.form, "count": m.count,
         "commitment_allowed": m.commitment_allowed}
        for m in item.materials
    ]
    return {
        "item_code": item.code,
        "item_name": item.name,
        "case_type": item.case_type,
        "department_code": item.department_code,
        "co_department_codes": item.co_department_codes,
        "promised_limit_days": item.promised_limit_days,
        "legal_limit_days": item.legal_limit_days,
        "correction_window_days": item.correction_window_days,
        "materials": materials,
        "material_codes": [m["code"] for m in materials],
        "delivery_options": list(item.delivery_options),
        "received_on": received_on.isoformat(),
        # 联办件: one countersign per department, keyed by code (a dict keeps the opinions keyed too).
        "joint_departments": {
            code: {"code": code, "part": part}
            for code, part in ([(item.department_code, "lead")] + [(c, "co") for c in item.co_department_codes])
        } if item.case_type == "联办件" else {},
        "co_review_days": item.co_review_days,
        "extension_days": item.extension_days,
        "higher_authority": item.higher_authority,
        "report_clock": item.report_clock,
        # A form field (intake, correction) with a default: no material accepted on commitment.
        "committed_materials": [],
        # The correction form's field, none before a correction: the first completeness check dates the
        # materials from the receipt (received_on), a re-check from the correction's day.
        "correction_action": None,
    }


def check_received_at(received_at: datetime | None, now: datetime) -> datetime:
    """When an application was received: now, or an earlier aware moment (an online application's receipt)."""
    if received_at is None:
        return now
    if not isinstance(received_at, datetime) or received_at.tzinfo is None or received_at > now:
        raise InvalidInput("收件时间须为不晚于当前的带时区时间 (received_at must be an aware time not after now)",
                           field="received_at")
    return received_at


def received_day(received_at: datetime | None, now: datetime, today: date) -> date:
    """The day in China an application was received at ``received_at`` (default now: today)."""
    return today if received_at is None or received_at == now else received_at.astimezone(CHINA_TZ).date()


def new_case(item: ServiceItem, applicant: dict, number: str | None, version_id: int, created_by: int | None,
             now: datetime, today: date, *, received_at: datetime | None = None) -> Case:
    """A new case row; ``received_at`` (default now) is its receipt, ``received_on`` that day in China.
    ``number`` None: given before the row is written (the day's counter is taken as late as it can be)."""
    received_on = received_day(received_at, now, today)
    return Case(
        number=number, item_code=item.code, item_version=item.version, process_version_id=version_id,
        department_code=item.department_code,
        case_type=item.case_type, promised_limit_days=item.promised_limit_days,
        applicant_kind=applicant["kind"], applicant_name=applicant["name"].strip(),
        applicant_id_type=applicant["id_type"], applicant_id_number=applicant["id_number"],
        applicant_phone=applicant["phone"], applicant_address=applicant["address"],
        applicant_contact=applicant["contact_name"], applicant_email=applicant.get("email") or "",
        status="待接件", stage="", received_at=received_at or now, received_on=received_on, notice_count=0,
        created_by_id=created_by, created_at=now, updated_at=now,
    )


def get_item(session: Session, item_code) -> ServiceItem:
    if not isinstance(item_code, str) or not item_code:
        raise InvalidInput("item_code is required", field="item_code", details={"rule": "required"})
    item = session.get(ServiceItem, item_code)
    if item is None or not item.active:
        raise NotFound(f"未找到办理事项 '{item_code}' (no service item '{item_code}' in the catalogue)", field="item_code")
    return item


def find_case(session: Session, number: str, *, lock: bool = False) -> Case:
    if not isinstance(number, str) or not number:
        raise InvalidInput("a case number is required", field="case_number", details={"rule": "required"})
    statement = select(Case).where(Case.number == number)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    case = session.scalar(statement)
    if case is None:
        raise NotFound(f"未找到编号为 '{number}' 的办件 (no case with number '{number}')", field="case_number")
    return case


def lock_case(session: Session, case_id: int) -> Case:
    """Take the case's row lock: every action on one case runs one at a time."""
    case = session.scalar(
        select(Case).where(Case.id == case_id).with_for_update().execution_options(populate_existing=True)
    )
    if case is None:
        raise NotFound(f"办件 {case_id} 不存在 (case {case_id} does not exist)")
    return case


def compute_due(calendar: WorkCalendar, case: Case):
    """The promised limit counts from acceptance (after a correction: from that day), plus the
    working days the clock stood still and the days an extension added."""
    return calendar.add_working_days(case.accepted_on, case.promised_limit_days + (case.suspended_days or 0)
                                     + (case.extended_days or 0))
