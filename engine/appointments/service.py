"""Appointment rows (预约, seed 004 篇一 第十五条): the windows' slots, the places left in them, bookings
and what becomes of them (cancelled, arrived, no-show, registered as a case).

Capacity is the database's: a booking locks its slot's row, counts the places taken under that lock
and only then inserts (PostgreSQL row lock; SQLite's writers queue on BEGIN IMMEDIATE). One person per
item and day is a unique constraint. Who may do what is engine/permissions.py's; the transactions,
audit and outbox are engine/appointment_book.py's.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.appointments.models import Appointment, AppointmentSlot
from engine.calendar.workdays import WorkCalendar
from engine.catalogue.models import ServiceItem
from engine.clock import CHINA_TZ, local_datetime
from engine.errors import Conflict, InvalidInput, NotFound
from engine.staff.models import ServiceWindow
from engine.validation import is_id

CHANNELS = {"online": "网上预约", "phone": "电话预约", "in_person": "当面预约"}
# A clerk books by phone or for an applicant standing at the window; the public page books online.
STAFF_CHANNELS = ("phone", "in_person")
BOOKED, ARRIVED, REGISTERED, NO_SHOW, CANCELLED = "booked", "arrived", "registered", "no_show", "cancelled"
STATES = (BOOKED, ARRIVED, REGISTERED, NO_SHOW, CANCELLED)
# Until registered or missed, the applicant may still cancel and the window may still register him.
OPEN_STATES = (BOOKED, ARRIVED)
MAX_CAPACITY = 50
# How a slot's fields are named to a person in a refusal (web.refusals says the rule with the label).
SLOT_LABELS = {"starts_at": "开始时间", "ends_at": "结束时间", "capacity": "可约人数"}
# Booking codes: no 0/O, 1/I/L to misread on the phone; 31^8 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class AppointmentPolicy:
    """How far ahead an applicant may book, in working days (today counts as day 0)."""

    days_ahead: int = 10

    def __post_init__(self):
        if not 1 <= self.days_ahead <= 60:
            raise InvalidInput("可预约天数须为 1 至 60 个工作日 (days_ahead must be 1 to 60 working days)",
                               field="days_ahead")


def takes_appointments(window: ServiceWindow) -> bool:
    """Applications are received at the clerks' windows (综合窗口, 分类综合窗口); a department's window
    approves, it does not receive (前台受理、后台审批)."""
    return window.active and window.kind in ("comprehensive", "category")


def serves(window: ServiceWindow, item: ServiceItem) -> bool:
    """A comprehensive window receives every item, a category window the items of its category."""
    if not takes_appointments(window):
        return False
    return window.kind == "comprehensive" or window.category == item.category


def clock_time(value, field: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{field} 须为时间 HH:MM ({field} must be a time, HH:MM)", field=field,
                       details={"rule": "format", "label": SLOT_LABELS[field]})


def save_slot(session: Session, window_code, starts_at, ends_at, capacity, active=True) -> AppointmentSlot:
    """Define a window's slot or change its end, places or whether it is offered (by its start)."""
    window = session.get(ServiceWindow, window_code) if isinstance(window_code, str) and 0 < len(window_code) <= 16 \
        else None
    if window is None:
        raise NotFound(f"未找到窗口 '{window_code}' (no window '{window_code}')", field="window")
    if not takes_appointments(window):
        raise InvalidInput(f"窗口 {window.code} 不受理申请，不设预约时段 (window {window.code} does not receive "
                           "applications: only comprehensive and category windows take appointments)", field="window")
    first, last = clock_time(starts_at, "starts_at"), clock_time(ends_at, "ends_at")
    if last <= first:
        raise InvalidInput(f"时段结束 {last:%H:%M} 须晚于开始 {first:%H:%M} (the slot must end after it starts)",
                           field="ends_at")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"每时段可约人数须为 0 至 {MAX_CAPACITY} (capacity must be 0 to {MAX_CAPACITY})",
                           field="capacity", details={"rule": "range", "limit": f"0–{MAX_CAPACITY}",
                                                      "label": SLOT_LABELS["capacity"]})
    if not isinstance(active, bool):
        raise InvalidInput("是否开放须为 true 或 false (active must be true or false)", field="active")
    slot = session.scalar(select(AppointmentSlot).where(AppointmentSlot.window_code == window.code,
                                                        AppointmentSlot.starts_at == first).with_for_update())
    others = session.scalars(select(AppointmentSlot).where(AppointmentSlot.window_code == window.code,
                                                           AppointmentSlot.starts_at != first,
                                                           AppointmentSlot.active.is_(True)))
    clash = next((other for other in others if active and other.starts_at < last and first < other.ends_at), None)
    if clash is not None:
        raise Conflict(f"与时段 {clash.starts_at:%H:%M}-{clash.ends_at:%H:%M} 重叠 (overlaps the slot "
                       f"{clash.starts_at:%H:%M}-{clash.ends_at:%H:%M})", field="starts_at")
    if slot is None:
        slot = AppointmentSlot(window_code=window.code, starts_at=first)
        session.add(slot)
    slot.ends_at, slot.capacity, slot.active = last, capacity, active
    session.flush()
    return slot


def slots_of(session: Session, window_code: str | None = None) -> list[AppointmentSlot]:
    query = select(AppointmentSlot)
    if window_code is not None:
        query = query.where(AppointmentSlot.window_code == window_code)
    return list(session.scalars(query.order_by(AppointmentSlot.window_code, AppointmentSlot.starts_at)))


def check_day(calendar: WorkCalendar, day: date, today: date, days_ahead: int) -> None:
    """A day one may book: known to the calendar, a working day, not past, at most ``days_ahead`` working days on."""
    if not calendar.is_known(day):
        raise InvalidInput(f"工作日历尚无 {day.year} 年的官方安排，暂不能预约 (the working-day calendar does not "
                           f"know {day.year} yet: no appointments can be booked that year)", field="date")
    if day < today:
        raise InvalidInput(f"{day} 已过，不能预约 ({day} is in the past)", field="date")
    if not calendar.is_working_day(day):
        name = calendar.holiday_name(day)
        raise InvalidInput(f"{day} 不是工作日{('（' + name + '）') if name else ''}，不能预约 "
                           f"({day} is not a working day)", field="date")
    # Past the calendar's last known year the count is provisional; those days are refused above.
    last = calendar.add_working_days(today, days_ahead)
    if day > last.day:
        raise InvalidInput(f"最多可预约 {days_ahead} 个工作日以内（至 {last.day}） "
                           f"(appointments are booked at most {days_ahead} working days ahead)", field="date",
                           details={"limit": days_ahead})


def slot_begins(day: date, starts_at: time) -> datetime:
    return local_datetime(day, starts_at.hour, starts_at.minute)


@dataclass(frozen=True)
class Places:
    slot: AppointmentSlot
    window: ServiceWindow
    taken: int

    @property
    def free(self) -> int:
        return max(self.slot.capacity - self.taken, 0)


def _taken(session: Session, slot_ids: list[int], day: date) -> dict[int, int]:
    rows = session.execute(select(Appointment.slot_id, func.count()).where(
        Appointment.slot_id.in_(slot_ids), Appointment.day == day, Appointment.state != CANCELLED)
        .group_by(Appointment.slot_id))
    return dict(rows.all())


def places(session: Session, item: ServiceItem, day: date, now: datetime) -> list[Places]:
    """Every offered slot of the windows serving ``item`` on ``day`` not yet begun, with its places taken."""
    windows = {window.code: window for window in session.scalars(select(ServiceWindow)) if serves(window, item)}
    slots = [slot for slot in session.scalars(select(AppointmentSlot).where(
        AppointmentSlot.window_code.in_(list(windows)), AppointmentSlot.active.is_(True))
        .order_by(AppointmentSlot.starts_at, AppointmentSlot.window_code)) if slot_begins(day, slot.starts_at) > now]
    taken = _taken(session, [slot.id for slot in slots], day)
    return [Places(slot, windows[slot.window_code], taken.get(slot.id, 0)) for slot in slots]


def book(session: Session, *, slot_id, day: date, item: ServiceItem, applicant: dict, channel: str,
         booked_by_id: int | None, now: datetime) -> Appointment:
    """Take a place in the slot on ``day`` (the day checked by the caller), under the slot's row lock."""
    slot = session.get(AppointmentSlot, slot_id, with_for_update=True) if is_id(slot_id) else None
    if slot is None or not slot.active:
        raise NotFound(f"没有可预约的时段 #{slot_id} (no appointment slot {slot_id})", field="slot_id")
    window = session.get(ServiceWindow, slot.window_code)
    if not serves(window, item):
        raise InvalidInput(f"{window.name}不受理「{item.name}」 (window {window.code} does not receive item "
                           f"{item.code})", field="slot_id")
    if slot_begins(day, slot.starts_at) <= now:
        raise InvalidInput(f"时段 {slot.starts_at:%H:%M} 已开始，不能预约 (the slot has begun)", field="slot_id")
    held = session.scalar(select(Appointment.code).where(Appointment.item_code == item.code, Appointment.day == day,
                                                         Appointment.holder == applicant["id_number"]))
    twice = Conflict(f"该申请人 {day} 已预约「{item.name}」，不能重复预约 (this applicant already holds an "
                     f"appointment for this item on {day})", field="applicant.id_number")
    if held is not None:
        raise twice
    if _taken(session, [slot.id], day).get(slot.id, 0) >= slot.capacity:
        raise Conflict(f"{day} {slot.starts_at:%H:%M}-{slot.ends_at:%H:%M} 已约满 (the slot is full)", field="slot_id")
    appointment = Appointment(
        code=new_code(), slot_id=slot.id, window_code=slot.window_code, day=day, starts_at=slot.starts_at,
        ends_at=slot.ends_at, item_code=item.code, channel=channel, applicant_kind=applicant["kind"],
        applicant_name=applicant["name"], id_type=applicant["id_type"], id_number=applicant["id_number"],
        phone=applicant["phone"], email=applicant.get("email", ""), contact_name=applicant.get("contact_name", ""),
        holder=applicant["id_number"], state=BOOKED, booked_at=now, booked_by_id=booked_by_id)
    session.add(appointment)
    try:
        session.flush()
    except IntegrityError:
        # Another booking of the same person, item and day committed between the check and the insert.
        raise twice from None
    return appointment


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def find(session: Session, appointment_id, *, lock: bool = False) -> Appointment:
    appointment = session.get(Appointment, appointment_id, with_for_update=lock) if is_id(appointment_id) else None
    if appointment is None:
        raise NotFound(f"没有预约 #{appointment_id} (no appointment {appointment_id})", field="appointment")
    return appointment


def find_by_code(session: Session, code, phone, *, lock: bool = False) -> Appointment:
    """The booking with this code, if ``phone`` is the one it was booked with; both wrong look the same."""
    missing = NotFound("预约码或手机号不正确 (no appointment with this code and phone number)", field="code")
    if not isinstance(code, str) or not isinstance(phone, str) or len(code) > 20 or len(phone) > 20:
        raise missing
    query = select(Appointment).where(Appointment.code == code.strip().upper())
    appointment = session.scalar(query.with_for_update() if lock else query)
    if appointment is None or not secrets.compare_digest(appointment.phone.encode(), phone.strip().encode()):
        raise missing
    return appointment


def _state_refusal(appointment: Appointment, what_zh: str, what_en: str) -> Conflict:
    return Conflict(f"预约 {appointment.code} 为「{STATE_NAMES[appointment.state]}」，不能{what_zh} "
                    f"(appointment {appointment.code} is {appointment.state}: it cannot be {what_en})",
                    field="appointment")


STATE_NAMES = {BOOKED: "已预约", ARRIVED: "已到场", REGISTERED: "已收件", NO_SHOW: "未到场", CANCELLED: "已取消"}


def mark_cancelled(appointment: Appointment, now: datetime) -> None:
    if appointment.state not in OPEN_STATES:
        raise _state_refusal(appointment, "取消", "cancelled")
    appointment.state, appointment.cancelled_at, appointment.holder = CANCELLED, now, None


def mark_arrived(appointment: Appointment, actor_id: int, now: datetime) -> None:
    if appointment.state != BOOKED:
        raise _state_refusal(appointment, "登记到场", "marked arrived")
    if now.astimezone(CHINA_TZ).date() != appointment.day:
        raise InvalidInput(f"预约日期为 {appointment.day}，只能当天登记到场 (an applicant arrives on the "
                           f"appointment's day, {appointment.day})", field="appointment")
    appointment.state, appointment.arrived_at, appointment.handled_by_id = ARRIVED, now, actor_id


def mark_no_show(appointment: Appointment, actor_id: int, now: datetime) -> None:
    if appointment.state != BOOKED:
        raise _state_refusal(appointment, "记为未到场", "recorded as a no-show")
    begins = slot_begins(appointment.day, appointment.starts_at)
    if now < begins:
        raise Conflict(f"预约时段 {appointment.day} {appointment.starts_at:%H:%M} 尚未开始，不能记为未到场 "
                       "(the appointment's slot has not begun yet)", field="appointment")
    appointment.state, appointment.no_show_at, appointment.handled_by_id = NO_SHOW, now, actor_id


def check_registrable(appointment: Appointment, today: date) -> None:
    if appointment.state not in OPEN_STATES:
        raise _state_refusal(appointment, "收件登记", "registered")
    if appointment.day != today:
        raise InvalidInput(f"预约日期为 {appointment.day}，只能当天凭预约收件 (an appointment is registered on its "
                           f"day, {appointment.day})", field="appointment")


def mark_registered(appointment: Appointment, case_id: int, actor_id: int, now: datetime) -> None:
    appointment.state, appointment.case_id, appointment.registered_at = REGISTERED, case_id, now
    appointment.handled_by_id = actor_id


def of_day(session: Session, day: date, window_code: str | None) -> list[Appointment]:
    query = select(Appointment).where(Appointment.day == day)
    if window_code is not None:
        query = query.where(Appointment.window_code == window_code)
    return list(session.scalars(query.order_by(Appointment.starts_at, Appointment.window_code, Appointment.id)))


def applicant_of(appointment: Appointment) -> dict:
    """The applicant as the intake form takes him (engine/cases/schemas.py ApplicantSchema)."""
    return {"kind": appointment.applicant_kind, "name": appointment.applicant_name, "id_type": appointment.id_type,
            "id_number": appointment.id_number, "phone": appointment.phone, "email": appointment.email,
            "contact_name": appointment.contact_name}
