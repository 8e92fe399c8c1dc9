"""Issuing a decision document, recording its delivery, filing a refusal, reading them back.

A decision document is numbered per department and year (〔2026〕第N号) by a counter row the
issuing transaction holds locked until it commits (PostgreSQL's ON CONFLICT DO UPDATE locks the
row; SQLite has one writer): numbers run on without a gap, and a number rolled back with its
step was never issued. The row keeps what the document says as issued (行政许可法 第38条, 第40条).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.cases.models import Case
from engine.catalogue.heading import item_heading
from engine.catalogue.models import Department, ServiceItem
from engine.decisions.models import DecisionDocument, DocumentCounter, RefusalRecord
from engine.errors import InvalidInput
from engine.staff.models import Staff
from engine.workflow.properties import NOT_ACCEPTED, NOT_PERMITTED, PERMIT_REFUSED, REFUSALS

# Where each refusal's reasons stand in the step's data (the forms' field names).
REASON_FIELDS = {NOT_ACCEPTED: "rejection_reasons", NOT_PERMITTED: "refusal_reasons"}
REFUSAL_TITLES = {NOT_ACCEPTED: "不予受理", NOT_PERMITTED: "不予许可"}
MAX_REGISTER_ROWS = 10000  # one page or sheet; a longer period is asked for in parts


def next_serial(session: Session, department_code: str, year: int) -> int:
    """The department's next document number of ``year``, taken under the counter row's lock."""
    dialect = session.get_bind().dialect.name
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect, insert)
    statement = dialect_insert(DocumentCounter).values(department_code=department_code, year=year, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[DocumentCounter.department_code, DocumentCounter.year],
        set_={"last": DocumentCounter.last + 1}).returning(DocumentCounter.last)
    return session.execute(statement).scalar_one()


def document_number(short_name: str, year: int, serial: int) -> str:
    return f"{short_name}许字〔{year}〕第{serial}号"


def issue(session: Session, case: Case, kind: str, data: dict, actor_id: int | None, now: datetime,
          today: date) -> DecisionDocument:
    """Issue the case's decision document in the deciding step's transaction."""
    item = item_heading(session, case.item_code)
    department = session.get(Department, case.department_code)
    serial = next_serial(session, case.department_code, today.year)
    document = DecisionDocument(
        case_id=case.id, kind=kind, department_code=case.department_code, year=today.year, serial=serial,
        number=document_number(department.short_name, today.year, serial), authority=department.name,
        case_number=case.number, applicant_name=case.applicant_name, item_code=item.code, item_name=item.name,
        item_legal_basis=item.legal_basis, result_name=item.result_name, received_on=case.received_on,
        accepted_on=case.accepted_on, opinion=data.get("opinion") or "",
        reasons=data.get(REASON_FIELDS[NOT_PERMITTED]) if kind == PERMIT_REFUSED else None,
        issued_at=now, issued_on=today, issued_by_id=actor_id)
    session.add(document)
    return document


def file_refusal(session: Session, case: Case, kind: str, data: dict, actor_id: int | None, now: datetime,
                 today: date, document: DecisionDocument | None) -> None:
    """File a refusal in the 否决备案 register (seed 004 篇八 第八条) with the step that refused."""
    item = item_heading(session, case.item_code)
    session.add(RefusalRecord(
        case_id=case.id, kind=kind, case_number=case.number, department_code=case.department_code,
        item_code=item.code, item_name=item.name, applicant_name=case.applicant_name,
        reasons=data.get(REASON_FIELDS[kind]) or "", document_number=document.number if document else None,
        refused_by_id=actor_id, refused_at=now, refused_on=today))


def record_delivery(session: Session, case: Case, *, method: str, delivered_on: date, recipient_name: str,
                    recipient_role: str, note: str | None, actor_id: int | None, now: datetime) -> None:
    """Fill the 送达回证 of the case's decision document (a case decided before documents has none)."""
    document = document_of(session, case.id)
    if document is None:
        return
    document.delivery_method, document.delivered_on, document.delivered_at = method, delivered_on, now
    document.recipient_name, document.recipient_role, document.delivery_note = recipient_name, recipient_role, note
    document.delivery_recorded_by_id = actor_id


def document_of(session: Session, case_id: int) -> DecisionDocument | None:
    return session.scalar(select(DecisionDocument).where(DecisionDocument.case_id == case_id))


# -- the register ----------------------------------------------------------------------

@dataclass(frozen=True)
class RegisterFilters:
    """A period (both days included), and optionally one department, item and kind."""

    first: date
    last: date
    department: str | None = None
    item: str | None = None
    kind: str | None = None

    def check(self, session: Session) -> None:
        if self.department is not None and session.get(Department, self.department) is None:
            raise InvalidInput(f"没有部门 {self.department} (no department {self.department})", field="department")
        if self.item is not None and session.get(ServiceItem, self.item) is None:
            raise InvalidInput(f"没有事项 {self.item} (no service item {self.item})", field="item")
        if self.last < self.first:
            raise InvalidInput("结束日期不能早于开始日期 (to must not be before from)", field="to")
        if self.kind is not None and self.kind not in REFUSALS:
            raise InvalidInput(f"类型须为 {'、'.join(REFUSALS)} 之一 (kind must be one of {', '.join(REFUSALS)})",
                               field="kind")


@dataclass(frozen=True)
class RegisterLine:
    record: RefusalRecord
    refused_by: str | None

    @property
    def title(self) -> str:
        return REFUSAL_TITLES[self.record.kind]


def register(session: Session, filters: RegisterFilters) -> list[RegisterLine]:
    """The refusals of the period, oldest first, with the name of who refused."""
    filters.check(session)
    query = (select(RefusalRecord, Staff.name).outerjoin(Staff, Staff.id == RefusalRecord.refused_by_id)
             .where(RefusalRecord.refused_on >= filters.first, RefusalRecord.refused_on <= filters.last))
    if filters.department:
        query = query.where(RefusalRecord.department_code == filters.department)
    if filters.item:
        query = query.where(RefusalRecord.item_code == filters.item)
    if filters.kind:
        query = query.where(RefusalRecord.kind == filters.kind)
    query = query.order_by(RefusalRecord.refused_at, RefusalRecord.id).limit(MAX_REGISTER_ROWS + 1)
    lines = [RegisterLine(record, name) for record, name in session.execute(query)]
    if len(lines) > MAX_REGISTER_ROWS:
        raise InvalidInput(f"所选期间超过 {MAX_REGISTER_ROWS} 条，请缩短期间 (more than {MAX_REGISTER_ROWS} "
                           "refusals in the period; choose a shorter one)", field="from")
    return lines
