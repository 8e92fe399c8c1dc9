"""Enquiry rows (咨询, docs/rules.md "Enquiries"), in the caller's transaction: registered with a
receipt number, answered once, referred (转办) to a department with a due day, found late.

An online enquiry is answered within 2 working days of its receipt (seed 004 篇四 二(三)6); a
referral's due day is the referrer's. Who may do what is engine/permissions.py's; the action group
in engine/enquiry_book.py adds the audit entry, the outbox event and the ledger charge.
"""

import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.schemas import PHONE
from engine.catalogue.models import Department, ServiceItem
from engine.db import per_dialect
from engine.enquiries.models import (
    ANSWERED,
    CHANNELS,
    ONLINE,
    OPEN,
    REFERRED,
    STATES,
    Enquiry,
    EnquiryCounter,
    EnquiryReferral,
)
from engine.errors import Conflict, InvalidInput, NotFound
from engine.permissions import EnquiryScope
from engine.validation import is_id, optional_text, text

NUMBER_PREFIX = "ZX"
NUMBER = re.compile(rf"^{NUMBER_PREFIX}\d{{12}}$")
# 回复网上咨询超过2个工作日 (XL-06): an online enquiry is answered within this many working days.
ONLINE_REPLY_DAYS = 2
# A referral gives the department at most this many working days (a matter beyond it is a case, not a question).
MAX_REFERRAL_DAYS = 20
MAX_QUESTION, MAX_ANSWER = 2000, 2000
NOT_FOUND = "未查到该咨询，请核对咨询编号和手机号 (no enquiry matches this number and phone)"

_COUNTERS = EnquiryCounter.__table__
_NEXT_SEQUENCE = per_dialect(lambda insert: insert(_COUNTERS).on_conflict_do_update(
    index_elements=[_COUNTERS.c.day], set_={"last": _COUNTERS.c.last + 1}).returning(_COUNTERS.c.last))


def next_number(session: Session, day: date) -> str:
    """ZX202611230007: unique and date-sortable, issued by one atomic increment of the day's counter."""
    connection = session.connection()
    sequence = connection.execute(_NEXT_SEQUENCE[connection.dialect.name], {"day": day, "last": 1}).scalar_one()
    return f"{NUMBER_PREFIX}{day:%Y%m%d}{sequence:04d}"


def _phone(value, *, required: bool) -> str | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not PHONE.fullmatch(value.strip()):
        raise InvalidInput("asker_phone must be a mobile (11 digits) or landline number", field="asker_phone",
                           details={"rule": "required" if value in (None, "") else "phone"})
    return value.strip()


def _item(session: Session, code) -> ServiceItem | None:
    if code in (None, ""):
        return None
    item = session.get(ServiceItem, code) if isinstance(code, str) and len(code) <= 32 else None
    if item is None or not item.active:
        shown = str(code)[:32]
        raise NotFound(f"未找到办理事项 '{shown}' (no active item '{shown}')", field="item_code")
    return item


def department(session: Session, code, field: str = "department") -> Department:
    found = session.get(Department, code) if isinstance(code, str) and len(code) <= 16 else None
    if found is None:
        if code in (None, ""):
            raise InvalidInput("department is required", field=field, details={"rule": "required"})
        shown = str(code)[:16]
        raise NotFound(f"未找到部门 '{shown}' (no department '{shown}')", field=field)
    return found


def register(session: Session, *, channel, asker_name, asker_phone, item_code, question, first_staff_id: int | None,
             department_code, calendar: WorkCalendar, now: datetime, today: date) -> Enquiry:
    """A new enquiry. One asked online carries the asker's phone (his key to the answer) and is due in
    2 working days; one asked online of nobody in particular names the department it is for."""
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel",
                           details={"rule": "enum", "limit": list(CHANNELS)})
    name = text(asker_name, "asker_name", max_length=50)
    phone = _phone(asker_phone, required=channel == ONLINE)
    item = _item(session, item_code)
    question = text(question, "question", max_length=MAX_QUESTION)
    held_by = None
    if first_staff_id is None:
        held_by = item.department_code if item is not None and department_code in (None, "") else \
            department(session, department_code).code
        if item is not None and item.department_code != held_by:
            raise InvalidInput(f"事项 {item.code} 属于 {item.department_code} 部门，不属于 {held_by} "
                               f"(item {item.code} belongs to department {item.department_code})", field="department")
    enquiry = Enquiry(number=next_number(session, today), channel=channel, asker_name=name, asker_phone=phone,
                      item_code=item.code if item else None, question=question, received_at=now, received_on=today,
                      first_staff_id=first_staff_id, department_code=held_by, state=REFERRED if held_by else OPEN)
    if channel == ONLINE:
        due = calendar.add_working_days(today, ONLINE_REPLY_DAYS)
        enquiry.reply_due_on, enquiry.reply_due_provisional = due.day, due.provisional
    session.add(enquiry)
    session.flush()
    return enquiry


def find(session: Session, enquiry_id, *, lock: bool = False) -> Enquiry:
    if not is_id(enquiry_id):
        raise NotFound(f"没有咨询 #{str(enquiry_id)[:12]} (no enquiry {str(enquiry_id)[:12]})", field="enquiry_id")
    query = select(Enquiry).where(Enquiry.id == enquiry_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    enquiry = session.scalar(query)
    if enquiry is None:
        raise NotFound(f"没有咨询 #{enquiry_id} (no enquiry {enquiry_id})", field="enquiry_id")
    return enquiry


def answer(enquiry: Enquiry, staff_id: int, answer_text, now: datetime) -> None:
    """The answer, once (the permission and the state checked by the caller under the row's lock)."""
    if enquiry.state == ANSWERED:
        raise Conflict(f"咨询 {enquiry.number} 已答复 (enquiry {enquiry.number} is answered already)", field="enquiry_id")
    enquiry.answer = text(answer_text, "answer", max_length=MAX_ANSWER)
    enquiry.state, enquiry.answered_by_id, enquiry.answered_at = ANSWERED, staff_id, now


def refer(session: Session, enquiry: Enquiry, staff_id: int, department_code, days, note, *,
          calendar: WorkCalendar, now: datetime, today: date) -> EnquiryReferral:
    """转办 to a department, due ``days`` working days from today; the 首问 person keeps following it up."""
    target = department(session, department_code)
    if target.code == enquiry.department_code:
        raise Conflict(f"咨询 {enquiry.number} 已转办至该部门 (the enquiry is with department {target.code} already)",
                       field="department")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_REFERRAL_DAYS:
        raise InvalidInput(f"days must be a whole number from 1 to {MAX_REFERRAL_DAYS}", field="days",
                           details={"rule": "range", "limit": f"1–{MAX_REFERRAL_DAYS}"})
    due = calendar.add_working_days(today, days)
    referral = EnquiryReferral(enquiry_id=enquiry.id, department_code=target.code, due_on=due.day,
                               due_provisional=due.provisional, note=optional_text(note, "note", max_length=300),
                               referred_by_id=staff_id, referred_at=now)
    session.add(referral)
    enquiry.department_code, enquiry.referral_due_on, enquiry.state = target.code, due.day, REFERRED
    session.flush()
    return referral


def referrals(session: Session, enquiry_ids: list[int]) -> dict[int, list[EnquiryReferral]]:
    found: dict[int, list[EnquiryReferral]] = {enquiry_id: [] for enquiry_id in enquiry_ids}
    for row in session.scalars(select(EnquiryReferral).where(EnquiryReferral.enquiry_id.in_(enquiry_ids))
                               .order_by(EnquiryReferral.id)):
        found[row.enquiry_id].append(row)
    return found


def due_on(enquiry: Enquiry) -> date | None:
    """The day the enquiry's answer is owed by: the earlier of the online reply's and the referral's."""
    days = [day for day in (enquiry.reply_due_on, enquiry.referral_due_on) if day is not None]
    return min(days) if days else None


def overdue(enquiry: Enquiry, today: date) -> bool:
    due = due_on(enquiry)
    return enquiry.state != ANSWERED and due is not None and today > due


@dataclass(frozen=True)
class Filters:
    state: str | None = None
    channel: str | None = None
    department_code: str | None = None
    overdue: bool = False


def checked_filters(state=None, channel=None, department_code=None, overdue_only=False) -> Filters:
    if state not in (None, "", *STATES):
        raise InvalidInput(f"state must be one of {', '.join(STATES)}", field="state",
                           details={"rule": "enum", "limit": list(STATES)})
    if channel not in (None, "", *CHANNELS):
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}", field="channel",
                           details={"rule": "enum", "limit": list(CHANNELS)})
    if department_code not in (None, "") and (not isinstance(department_code, str) or len(department_code) > 16):
        raise InvalidInput("department must be a department code", field="department", details={"rule": "invalid"})
    return Filters(state or None, channel or None, department_code or None, bool(overdue_only))


def listing(session: Session, scope: EnquiryScope, filters: Filters, today: date, limit: int = 200) -> list[Enquiry]:
    """The enquiries of ``scope`` matching ``filters``, newest first."""
    query = select(Enquiry)
    if scope.department_code is not None or scope.staff_id is not None:
        mine = [Enquiry.first_staff_id == scope.staff_id] if scope.staff_id is not None else []
        if scope.department_code is not None:
            mine += [Enquiry.department_code == scope.department_code, exists().where(
                EnquiryReferral.enquiry_id == Enquiry.id, EnquiryReferral.department_code == scope.department_code)]
        query = query.where(or_(*mine))
    if filters.state:
        query = query.where(Enquiry.state == filters.state)
    if filters.channel:
        query = query.where(Enquiry.channel == filters.channel)
    if filters.department_code:
        query = query.where(Enquiry.department_code == filters.department_code)
    if filters.overdue:
        query = query.where(Enquiry.state != ANSWERED, or_(Enquiry.reply_due_on < today, Enquiry.referral_due_on < today))
    return list(session.scalars(query.order_by(Enquiry.received_at.desc(), Enquiry.id.desc()).limit(limit)))


def late_online(session: Session, today: date, limit: int) -> list[int]:
    """Unanswered online enquiries past their 2 working days that the late-reply job has not yet dealt with."""
    return list(session.scalars(select(Enquiry.id).where(
        Enquiry.state != ANSWERED, Enquiry.channel == ONLINE, Enquiry.reply_due_on < today,
        Enquiry.lapsed_on.is_(None)).order_by(Enquiry.id).limit(limit)))


def by_number_and_phone(session: Session, number, phone) -> Enquiry:
    """The asker's own enquiry: a wrong number and a wrong phone give the same refusal."""
    number = number.strip().upper() if isinstance(number, str) else ""
    if not NUMBER.match(number):
        raise InvalidInput("咨询编号格式不正确 (an enquiry number looks like ZX202611230001)", field="receipt_number")
    if not isinstance(phone, str) or not PHONE.fullmatch(phone.strip()):
        raise InvalidInput("asker_phone must be a mobile (11 digits) or landline number", field="asker_phone",
                           details={"rule": "phone"})
    enquiry = session.scalar(select(Enquiry).where(Enquiry.number == number))
    if enquiry is None or not hmac.compare_digest(enquiry.asker_phone or "", phone.strip()):
        raise NotFound(NOT_FOUND, field="receipt_number")
    return enquiry
