"""Complaints (投诉), in the caller's transaction: registered with a number, answered within 3
working days (5 when complex), verified; a verified complaint against a staff member reaches
the scoring ledger exactly once — and not at all when it is about a case whose verified bad
rating already charged the same person (one incident, one charge: ``ratings.incident_key``)."""

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.calendar.workdays import WorkCalendar
from engine.cases import service as cases
from engine.cases.schemas import PHONE
from engine.catalogue.models import Department
from engine.db import per_dialect
from engine.errors import Conflict, InvalidInput, NotFound
from engine.ledger import service as ledger
from engine.permissions import require_supervisor
from engine.roles import CASE_WORKERS
from engine.staff.models import Staff
from engine.supervision.models import CHANNELS, NOT_VERIFIED, VERIFIED, Complaint, ComplaintCounter
from engine.supervision.policy import SupervisionPolicy
from engine.supervision.ratings import incident_key
from engine.validation import is_id, optional_text, text

LEDGER_TRIGGER = "verified_complaint"
NUMBER_PREFIX = "TS"
VERDICTS = (VERIFIED, NOT_VERIFIED)
MAX_NUMBER_LENGTH = 20

_COUNTERS = ComplaintCounter.__table__
_NEXT_SEQUENCE = per_dialect(lambda insert: insert(_COUNTERS).on_conflict_do_update(
    index_elements=[_COUNTERS.c.day], set_={"last": _COUNTERS.c.last + 1}).returning(_COUNTERS.c.last))


def next_number(session: Session, day: date) -> str:
    """A unique, date-sortable number such as TS202611230007, issued atomically (the day's
    counter row is incremented in one statement, so two registrations never share a number)."""
    connection = session.connection()
    sequence = connection.execute(_NEXT_SEQUENCE[connection.dialect.name], {"day": day, "last": 1}).scalar_one()
    return f"{NUMBER_PREFIX}{day:%Y%m%d}{sequence:04d}"


def _target_staff(session: Session, staff_id) -> Staff | None:
    if staff_id is None:
        return None
    staff = session.get(Staff, staff_id) if is_id(staff_id) else None
    if staff is None or not staff.active:
        raise NotFound(f"未找到在岗人员 {staff_id} (no active staff member {staff_id})", field="target_staff_id")
    if staff.role not in CASE_WORKERS:
        raise InvalidInput("投诉对象须为窗口受理人员、后台审批人员或首席代表 "
                           "(a complaint names a window clerk, an approver or a chief representative)",
                           field="target_staff_id")
    return staff


def _target_department(session: Session, code, staff: Staff | None) -> str | None:
    if code is None:
        return staff.department_code if staff is not None else None
    if not isinstance(code, str) or session.get(Department, code) is None:
        raise NotFound(f"未找到部门 '{str(code)[:20]}' (no department '{str(code)[:20]}')", field="target_department_code")
    if staff is not None and staff.department_code not in (None, code):
        raise InvalidInput(f"{staff.name} 属于 {staff.department_code} 部门，不属于 {code} "
                           f"({staff.username} belongs to department {staff.department_code}, not {code})",
                           field="target_department_code")
    return code


def register(session: Session, actor: Actor, *, channel, complainant_name, complainant_phone, content,
             target_staff_id=None, target_window=None, target_department_code=None, case_number=None,
             complex=False, calendar: WorkCalendar, policy: SupervisionPolicy, now: datetime,
             today: date) -> Complaint:
    require_supervisor(actor, "登记投诉", "register complaints")
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel",
                           details={"rule": "enum", "limit": list(CHANNELS)})
    name = text(complainant_name, "complainant_name", max_length=50)
    if not isinstance(complainant_phone, str) or not PHONE.fullmatch(complainant_phone):
        raise InvalidInput("complainant_phone must be a mobile (11 digits) or landline number",
                           field="complainant_phone", details={"rule": "phone"})
    if not isinstance(complex, bool):
        raise InvalidInput("是否复杂须为是或否 (complex must be true or false)", field="complex")
    staff = _target_staff(session, target_staff_id)
    window = optional_text(target_window, "target_window", max_length=30)
    department = _target_department(session, target_department_code, staff)
    if staff is None and window is None and department is None:
        raise InvalidInput("请填写投诉对象：人员、窗口或部门 "
                           "(name whom the complaint is about: a staff member, a window or a department)",
                           field="target_staff_id")
    case = cases.find_case(session, case_number) if case_number is not None else None
    content = text(content, "content")
    days = policy.complex_reply_days if complex else policy.reply_days
    complaint = Complaint(
        number=next_number(session, today), channel=channel, complainant_name=name,
        complainant_phone=complainant_phone, target_staff_id=staff.id if staff else None, target_window=window,
        target_department_code=department, case_id=case.id if case else None, content=content, complex=complex,
        registered_by_id=actor.id, registered_at=now, received_on=today,
        reply_due_on=calendar.add_working_days(today, days).day)
    session.add(complaint)
    session.flush()
    return complaint


def find(session: Session, number, *, lock: bool = False) -> Complaint:
    if not isinstance(number, str) or not number or len(number) > MAX_NUMBER_LENGTH:
        raise NotFound(f"未找到投诉 '{str(number)[:MAX_NUMBER_LENGTH]}' (no complaint '{str(number)[:MAX_NUMBER_LENGTH]}')",
                       field="complaint_number")
    query = select(Complaint).where(Complaint.number == number)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    complaint = session.scalar(query)
    if complaint is None:
        raise NotFound(f"未找到投诉 '{number}' (no complaint '{number}')", field="complaint_number")
    return complaint


def reply(session: Session, actor: Actor, number, answer, now: datetime) -> Complaint:
    """The reply given to the complainant, recorded once."""
    require_supervisor(actor, "答复投诉", "reply to complaints")
    complaint = find(session, number, lock=True)
    if complaint.replied_at is not None:
        raise Conflict(f"投诉 {complaint.number} 已答复 (complaint {complaint.number} was replied to already)",
                       field="complaint_number")
    complaint.reply = text(answer, "reply")
    complaint.replied_by_id, complaint.replied_at = actor.id, now
    session.flush()
    return complaint


def violation_key(complaint: Complaint) -> str:
    """A complaint about a case is about its target's conduct in that case: the incident a bad rating may share."""
    if complaint.case_id is not None:
        return incident_key(complaint.case_id, complaint.target_staff_id)
    return f"{LEDGER_TRIGGER}:{complaint.number}"


def verify(session: Session, actor: Actor, number, verdict, reason, now: datetime, today: date) -> Complaint:
    """Verified (查证属实) or not, with the reason; a verified complaint against a staff member is
    charged to them once, under its incident's key."""
    require_supervisor(actor, "核实投诉", "verify complaints")
    complaint = find(session, number, lock=True)
    if complaint.verdict is not None:
        raise Conflict(f"投诉 {complaint.number} 已核实 (complaint {complaint.number} was verified already)",
                       field="complaint_number")
    if verdict not in VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}", field="verdict",
                           details={"rule": "enum", "limit": list(VERDICTS)})
    complaint.verdict_reason = text(reason, "reason")
    complaint.verdict, complaint.verified_by_id, complaint.verified_at = verdict, actor.id, now
    if verdict == VERIFIED and complaint.target_staff_id is not None:
        ledger.record_automatic_rows(session, LEDGER_TRIGGER, [ledger.automatic_row(
            staff_id=complaint.target_staff_id, violation_key=violation_key(complaint),
            occurred_on=today, case_id=complaint.case_id, now=now,
            evidence=f"投诉 {complaint.number}（{complaint.channel}）经核实：{complaint.verdict_reason}")])
    session.flush()
    return complaint


def reply_overdue(complaint: Complaint, today: date) -> bool:
    return complaint.replied_at is None and complaint.reply_due_on < today


def _owed_past(today: date):
    return (Complaint.replied_at.is_(None), Complaint.reply_due_on < today)


def overdue(session: Session, today: date, limit: int) -> list[Complaint]:
    """Replies owed past their due date, the most overdue first."""
    return list(session.scalars(select(Complaint).where(*_owed_past(today))
                                .order_by(Complaint.reply_due_on, Complaint.id).limit(limit)))


def overdue_count(session: Session, today: date) -> int:
    return session.scalar(select(func.count()).select_from(Complaint).where(*_owed_past(today)))
