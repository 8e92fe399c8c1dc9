"""Appointments (预约, seed 004 篇一 第十五条) as ``CaseEngine.appointments``: the windows' slots, the free
places of a day, booking online or by a clerk (by phone, in person), the applicant's cancellation with
his code and phone, the window's list of the day, arrivals and no-shows, and registering an arriving
applicant's case from his appointment. Each change is one transaction with its audit entry; booking and
cancelling write the applicant's notification to the outbox in it.

Registering runs ``create_case`` with a ``source`` that links the appointment to the new case in the
case's own transaction: the case and the link commit together or not at all.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import masking, step_events
from engine.actions import CaseActions
from engine.actor import SYSTEM, Actor
from engine.appointments import service as rows
from engine.appointments.models import Appointment, AppointmentSlot
from engine.appointments.service import AppointmentPolicy
from engine.audit import service as audit
from engine.cases.models import Case
from engine.cases.service import get_item, validate_applicant
from engine.catalogue.models import ServiceItem
from engine.context import EngineContext
from engine.errors import Conflict, InvalidInput
from engine.outbox import service as outbox
from engine.outbox.channels import NotifyPolicy
from engine.permissions import (
    may_book_for_applicant,
    may_configure_appointments,
    may_handle_appointment,
    may_read_appointments,
    may_register,
    sees_full_numbers,
)
from engine.staff.models import ServiceWindow
from engine.supervision.service import APPLICANT_ACTOR
from engine.validation import as_date


@dataclass(frozen=True)
class SlotLine:
    slot: AppointmentSlot
    window_name: str


@dataclass(frozen=True)
class FreePlace:
    slot_id: int
    window_code: str
    window_name: str
    starts_at: str
    ends_at: str
    capacity: int
    free: int


@dataclass(frozen=True)
class AppointmentLine:
    appointment: Appointment
    item_name: str
    window_name: str
    # As the reader may see them: whole for the window, masked for everyone else.
    id_number: str
    phone: str
    case_number: str | None
    may_arrive: bool
    may_record_no_show: bool
    may_register: bool


class AppointmentBook:
    def __init__(self, context: EngineContext, notify: NotifyPolicy, actions: CaseActions,
                 policy: AppointmentPolicy | None = None):
        self.context = context
        self.notify = notify
        self.actions = actions
        self.policy = policy or AppointmentPolicy()

    # -- the windows' slots (the administrator's) -----------------------------------------
    def windows(self) -> list[ServiceWindow]:
        """The windows that take appointments (the clerks' receiving windows)."""
        with self.context.session() as session:
            return [window for window in session.scalars(select(ServiceWindow).order_by(ServiceWindow.code))
                    if rows.takes_appointments(window)]

    def slots(self, actor: Actor) -> list[SlotLine]:
        if not may_configure_appointments(actor).allowed:
            may_read_appointments(actor).check()
        with self.context.session() as session:
            return self._slot_lines(session, rows.slots_of(session))

    def save_slot(self, actor: Actor, *, window, starts_at, ends_at, capacity, active=True) -> SlotLine:
        if actor != SYSTEM:  # the demo center's seed
            may_configure_appointments(actor).check()
        with self.context.transaction() as session:
            slot = rows.save_slot(session, window, starts_at, ends_at, capacity, active)
            audit.record(session, actor=actor, action="appointment_slot_save", at=self.context.clock.now(), detail={
                "slot": slot.id, "window": slot.window_code, "starts_at": f"{slot.starts_at:%H:%M}",
                "ends_at": f"{slot.ends_at:%H:%M}", "capacity": slot.capacity, "active": slot.active})
            return self._slot_lines(session, [slot])[0]

    # -- booking ----------------------------------------------------------------------------
    def free_places(self, item_code, day) -> list[FreePlace]:
        """The places left on ``day`` for ``item_code`` at every window serving it, slot by slot."""
        day = as_date(day, "date")
        with self.context.session() as session:
            item = get_item(session, item_code)
            self._check_day(day)
            return [FreePlace(place.slot.id, place.window.code, place.window.name, f"{place.slot.starts_at:%H:%M}",
                              f"{place.slot.ends_at:%H:%M}", place.slot.capacity, place.free)
                    for place in rows.places(session, item, day, self.context.clock.now())]

    def book_online(self, *, item_code, date, slot_id, applicant) -> AppointmentLine:
        """网上预约: the applicant books himself on the public page, without signing in."""
        return self._book(APPLICANT_ACTOR, "online", item_code, date, slot_id, applicant)

    def book_for(self, actor: Actor, *, item_code, date, slot_id, applicant, channel) -> AppointmentLine:
        """电话预约 or 当面预约: a clerk books for the applicant on the phone or at the window."""
        may_book_for_applicant(actor).check()
        if channel not in rows.STAFF_CHANNELS:
            raise InvalidInput(f"预约方式须为 {'、'.join(rows.STAFF_CHANNELS)} 之一 (channel must be one of "
                               f"{', '.join(rows.STAFF_CHANNELS)})", field="channel")
        return self._book(actor, channel, item_code, date, slot_id, applicant)

    def _book(self, actor: Actor, channel: str, item_code, day, slot_id, applicant) -> AppointmentLine:
        day, applicant = as_date(day, "date"), validate_applicant(applicant)
        now = self.context.clock.now()
        self._check_day(day)
        with self.context.transaction() as session:
            item = get_item(session, item_code)
            appointment = rows.book(session, slot_id=slot_id, day=day, item=item, applicant=applicant,
                                    channel=channel, booked_by_id=actor.id, now=now)
            audit.record(session, actor=actor, action="appointment_book", at=now, detail=_detail(appointment))
            step_events.record_appointment_event(session, self.notify, outbox.APPOINTMENT_BOOKED, appointment, now)
            return self._lines(session, actor, [appointment])[0]

    def _check_day(self, day: date) -> None:
        rows.check_day(self.context.calendar.get(), day, self.context.clock.today(), self.policy.days_ahead)

    def cancel(self, code, phone) -> AppointmentLine:
        """The applicant cancels with his booking code and the phone number he booked with."""
        now = self.context.clock.now()
        with self.context.transaction() as session:
            appointment = rows.find_by_code(session, code, phone, lock=True)
            rows.mark_cancelled(appointment, now)
            audit.record(session, actor=APPLICANT_ACTOR, action="appointment_cancel", at=now,
                         detail=_detail(appointment))
            step_events.record_appointment_event(session, self.notify, outbox.APPOINTMENT_CANCELLED, appointment,
                                                 now)
            return self._lines(session, APPLICANT_ACTOR, [appointment])[0]

    # -- the window's day ---------------------------------------------------------------------
    def day_list(self, actor: Actor, day, window_code=None) -> list[AppointmentLine]:
        may_read_appointments(actor).check()
        day = as_date(day, "date")
        with self.context.session() as session:
            if window_code not in (None, "") and session.get(ServiceWindow, str(window_code)[:16]) is None:
                raise InvalidInput(f"未找到窗口 '{window_code}' (no window '{window_code}')", field="window")
            return self._lines(session, actor, rows.of_day(session, day, window_code or None))

    def line(self, actor: Actor, appointment_id) -> AppointmentLine:
        may_read_appointments(actor).check()
        with self.context.session() as session:
            return self._lines(session, actor, [rows.find(session, appointment_id)])[0]

    def mark_arrived(self, actor: Actor, appointment_id) -> AppointmentLine:
        return self._handle(actor, appointment_id, rows.mark_arrived, "appointment_arrived")

    def record_no_show(self, actor: Actor, appointment_id) -> AppointmentLine:
        """未到场, once the slot has begun."""
        return self._handle(actor, appointment_id, rows.mark_no_show, "appointment_no_show")

    def _handle(self, actor: Actor, appointment_id, mark, action: str) -> AppointmentLine:
        may_handle_appointment(actor).check()
        now = self.context.clock.now()
        with self.context.transaction() as session:
            appointment = rows.find(session, appointment_id, lock=True)
            mark(appointment, actor.id, now)
            audit.record(session, actor=actor, action=action, at=now, detail=_detail(appointment))
            return self._lines(session, actor, [appointment])[0]

    # -- registering from an appointment ---------------------------------------------------------
    def for_intake(self, actor: Actor, appointment_id) -> tuple[str, dict]:
        """(item code, applicant) the window's intake form opens with, if the appointment may be registered now."""
        may_register(actor).check()
        with self.context.session() as session:
            appointment = rows.find(session, appointment_id)
            rows.check_registrable(appointment, self.context.clock.today())
            return appointment.item_code, rows.applicant_of(appointment)

    def register(self, actor: Actor, appointment_id, item_code, applicant, intake,
                 idempotency_key: str | None = None) -> Case:
        """The arriving applicant's case, linked to his appointment in the case's transaction (which checks
        the appointment under its lock; a retry with the same ``idempotency_key`` answers with the case)."""
        return self.actions.create_case(actor, item_code, applicant, intake, idempotency_key,
                                        source=lambda session, case: self.link(session, actor, appointment_id, case))

    def link(self, session: Session, actor: Actor, appointment_id, case: Case) -> None:
        """Runs inside ``create_case``'s transaction: a refusal here leaves no case behind."""
        now = self.context.clock.now()
        appointment = rows.find(session, appointment_id, lock=True)
        rows.check_registrable(appointment, self.context.clock.today())
        if case.item_code != appointment.item_code:
            raise Conflict(f"预约 {appointment.code} 办理的事项是 {appointment.item_code}，不是 {case.item_code} "
                           f"(appointment {appointment.code} is for item {appointment.item_code})", field="appointment")
        if case.applicant_id_number != appointment.id_number:
            raise Conflict(f"申请人证件号码与预约 {appointment.code} 不符 (the applicant's ID number differs from "
                           f"appointment {appointment.code})", field="applicant.id_number")
        rows.mark_registered(appointment, case.id, actor.id, now)
        session.flush()
        audit.record(session, actor=actor, action="appointment_register", at=now, case_id=case.id,
                     detail={**_detail(appointment), "case_number": case.number})

    # -- reading ------------------------------------------------------------------------------------
    def _slot_lines(self, session: Session, slots: list[AppointmentSlot]) -> list[SlotLine]:
        names = dict(session.execute(select(ServiceWindow.code, ServiceWindow.name)).all())
        return [SlotLine(slot, names[slot.window_code]) for slot in slots]

    def _lines(self, session: Session, actor: Actor, appointments: list[Appointment]) -> list[AppointmentLine]:
        items = dict(session.execute(select(ServiceItem.code, ServiceItem.name)).all())
        windows = dict(session.execute(select(ServiceWindow.code, ServiceWindow.name)).all())
        case_ids = [row.case_id for row in appointments if row.case_id is not None]
        numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all()) \
            if case_ids else {}
        now, today = self.context.clock.now(), self.context.clock.today()
        whole, handles = sees_full_numbers(actor), may_handle_appointment(actor).allowed
        registers = may_register(actor).allowed
        lines = []
        for row in appointments:
            begun = rows.slot_begins(row.day, row.starts_at) <= now
            lines.append(AppointmentLine(
                row, items.get(row.item_code, row.item_code), windows.get(row.window_code, row.window_code),
                row.id_number if whole else masking.id_number(row.id_number),
                row.phone if whole else masking.phone(row.phone), numbers.get(row.case_id),
                handles and row.state == rows.BOOKED and row.day == today,
                handles and row.state == rows.BOOKED and begun,
                registers and row.state in rows.OPEN_STATES and row.day == today))
        return lines


def _detail(appointment: Appointment) -> dict:
    return {"appointment": appointment.id, "code": appointment.code, "window": appointment.window_code,
            "day": appointment.day.isoformat(), "starts_at": f"{appointment.starts_at:%H:%M}",
            "item_code": appointment.item_code, "channel": appointment.channel, "state": appointment.state}
