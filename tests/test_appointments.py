"""Appointments (预约, seed 004 篇一 第十五条) in the engine, on SQLite and PostgreSQL: the demo center's
slots, capacity (and the race for the last place), the calendar, cancelling, no-shows, and the case
registered from an appointment committing with its link or not at all."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.appointments import service as appointment_rows
from engine.appointments.models import Appointment
from engine.audit.models import AuditEntry
from engine.cases.models import Case
from engine.clock import local_datetime
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound, OneWindowError
from engine.outbox.models import OutboxDelivery, OutboxEvent
from tests.helpers import intake, person, resident_id
from tests.test_concurrency import race

TUESDAY = date(2026, 11, 24)
ITEM = "SCJG-002"


def _slot(engine, window: str, starts: str, day: date = TUESDAY, item: str = ITEM):
    return next(place for place in engine.appointments.free_places(item, day)
                if place.window_code == window and place.starts_at == starts)


def _book(engine, window="ZH-01", starts="10:00", day=TUESDAY, item=ITEM, applicant=None):
    return engine.appointments.book_online(item_code=item, date=day.isoformat(),
                                           slot_id=_slot(engine, window, starts, day, item).slot_id,
                                           applicant=applicant or person())


def _count(engine, model, *where) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _person(serial: int) -> dict:
    return person(f"申请人{serial}", id_number=resident_id(serial=f"{serial:03d}"))


def test_the_demo_windows_offer_slots_and_a_booking_takes_a_place_with_its_code_and_message(engine):
    places = engine.appointments.free_places(ITEM, TUESDAY)
    assert {place.window_code for place in places} == {"ZH-01", "ZH-02"}
    assert _slot(engine, "ZH-01", "10:00").free == 4
    line = _book(engine)
    booked = line.appointment
    assert booked.state == "booked" and booked.channel == "online" and len(booked.code) == 8
    assert (booked.day, f"{booked.starts_at:%H:%M}", booked.window_code) == (TUESDAY, "10:00", "ZH-01")
    assert _slot(engine, "ZH-01", "10:00").free == 3
    with engine.session() as session:
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "appointment_booked"))
        assert booked.code in event.deliveries[0].message and event.deliveries[0].recipient == "13800138000"
        assert session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "appointment_book")) == "applicant"
    assert engine.outbox.deliver_due() == 1  # the delivery job sends it like any applicant notification
    with engine.session() as session:
        assert session.scalar(select(OutboxDelivery.state)) == "sent"


def test_a_full_slot_refuses_the_next_booking_and_writes_nothing(engine):
    for serial in range(3):  # 11:00-12:00 offers 3 places
        _book(engine, starts="11:00", applicant=_person(serial))
    slot_id = _slot(engine, "ZH-01", "11:00").slot_id
    with pytest.raises(Conflict) as refused:
        engine.appointments.book_online(item_code=ITEM, date=TUESDAY.isoformat(), slot_id=slot_id,
                                        applicant=_person(7))
    assert refused.value.field == "slot_id" and "已约满" in refused.value.message
    assert _count(engine, Appointment) == 3 and _count(engine, OutboxEvent) == 3
    assert _slot(engine, "ZH-01", "11:00").free == 0


def test_one_person_holds_one_booking_per_item_and_day_until_he_cancels(engine):
    first = _book(engine)
    with pytest.raises(Conflict) as refused:
        _book(engine, window="ZH-02", starts="14:00")
    assert refused.value.field == "applicant.id_number"
    _book(engine, starts="14:00", item="SCJG-001")  # another item the same day
    _book(engine, day=TUESDAY + timedelta(days=1))  # the same item another day
    engine.appointments.cancel(first.appointment.code, "13800138000")
    assert _book(engine, window="ZH-02", starts="14:00").appointment.state == "booked"


def test_only_working_days_known_to_the_calendar_not_past_and_not_too_far(engine, clock):
    def refusal(day):
        with pytest.raises(InvalidInput) as refused:
            engine.appointments.free_places(ITEM, day)
        assert refused.value.field == "date"
        return refused.value.message

    assert "不是工作日" in refusal("2026-11-28")  # a Saturday
    assert "已过" in refusal("2026-11-20")
    assert "最多可预约 10 个工作日" in refusal("2026-12-08")
    assert engine.appointments.free_places(ITEM, "2026-12-07")  # the 10th working day after Monday
    assert "YYYY-MM-DD" in refusal("2026-13-01")
    clock.set(local_datetime(date(2026, 12, 28), 9, 0))
    assert "2027" in refusal("2027-01-04")  # a year the calendar does not know: no slots, no crash
    assert engine.appointments.free_places(ITEM, "2026-12-31")  # the known days before it still are
    # A slot of today that has begun is not offered; the later ones are.
    clock.set(local_datetime(TUESDAY, 10, 30))
    assert {place.starts_at for place in engine.appointments.free_places(ITEM, TUESDAY)} == {
        "11:00", "14:00", "15:00", "16:00"}


def test_the_applicant_cancels_with_code_and_phone_and_is_told(engine):
    booked = _book(engine).appointment
    with pytest.raises(NotFound) as refused:
        engine.appointments.cancel(booked.code, "13900139000")
    assert refused.value.field == "code"
    assert engine.appointments.cancel(booked.code.lower(), "13800138000").appointment.state == "cancelled"
    with pytest.raises(Conflict):
        engine.appointments.cancel(booked.code, "13800138000")
    assert _slot(engine, "ZH-01", "10:00").free == 4
    assert _count(engine, OutboxEvent, OutboxEvent.kind == "appointment_cancelled") == 1


def test_a_clerk_books_by_phone_an_approver_may_not(engine, staff):
    slot_id = _slot(engine, "ZH-02", "15:00").slot_id
    line = engine.appointments.book_for(staff["clerk2"], item_code=ITEM, date=TUESDAY, slot_id=slot_id,
                                        applicant=person(), channel="phone")
    assert (line.appointment.channel, line.appointment.booked_by_id) == ("phone", staff["clerk2"].id)
    with pytest.raises(Forbidden):
        engine.appointments.book_for(staff["scjg_approver1"], item_code=ITEM, date=TUESDAY, slot_id=slot_id,
                                     applicant=_person(5), channel="phone")
    with pytest.raises(InvalidInput) as refused:
        engine.appointments.book_for(staff["clerk2"], item_code=ITEM, date=TUESDAY, slot_id=slot_id,
                                     applicant=_person(5), channel="online")
    assert refused.value.field == "channel"


@pytest.mark.parametrize("fields, field", [
    ({"slot_id": "abc"}, "slot_id"), ({"slot_id": 2**40}, "slot_id"), ({"date": 20261124}, "date"),
    ({"applicant": "张三"}, "applicant"), ({"applicant": person(id_number="110101199001011230")}, "applicant.id_number"),
    ({"applicant": person(phone="12345")}, "applicant.phone"), ({"item_code": ["x"]}, "item_code"),
    ({"item_code": "NOPE-1"}, "item_code"),
])
def test_junk_is_refused_naming_its_field_and_changes_nothing(engine, fields, field):
    request = {"item_code": ITEM, "date": TUESDAY.isoformat(), "slot_id": _slot(engine, "ZH-01", "10:00").slot_id,
               "applicant": person(), **fields}
    with pytest.raises(OneWindowError) as refused:
        engine.appointments.book_online(**request)
    assert refused.value.field == field and 400 <= refused.value.http_status < 500
    assert _count(engine, Appointment) == 0


def test_a_slot_of_another_window_kind_or_item_is_refused(engine, staff):
    with pytest.raises(InvalidInput) as refused:
        engine.appointments.save_slot(staff["admin"], window="SCJG-01", starts_at="09:00", ends_at="10:00",
                                      capacity=2)
    assert refused.value.field == "window"
    for change, field in (({"ends_at": "09:30"}, "starts_at"), ({"capacity": 51}, "capacity"),
                          ({"starts_at": "9h"}, "starts_at"), ({"ends_at": "08:00"}, "ends_at")):
        with pytest.raises(OneWindowError) as refused:
            engine.appointments.save_slot(staff["admin"], **{"window": "ZH-02", "starts_at": "08:45",
                                                             "ends_at": "09:30", "capacity": 2, **change})
        assert refused.value.field == field
    with pytest.raises(Forbidden):
        engine.appointments.save_slot(staff["clerk1"], window="ZH-02", starts_at="16:00", ends_at="17:00", capacity=9)


def test_the_administrator_changes_a_slots_places(engine, staff):
    try:
        line = engine.appointments.save_slot(staff["admin"], window="ZH-02", starts_at="16:00", ends_at="17:00",
                                             capacity=6)
        assert line.slot.capacity == 6 and _slot(engine, "ZH-02", "16:00").free == 6
        assert _count(engine, AuditEntry, AuditEntry.action == "appointment_slot_save",
                      AuditEntry.actor == "admin") == 1
    finally:  # the demo center's slots are shared reference data on PostgreSQL
        engine.appointments.save_slot(staff["admin"], window="ZH-02", starts_at="16:00", ends_at="17:00", capacity=3)


def test_the_windows_list_of_the_day_arrivals_and_no_shows(engine, clock, staff):
    early, late = _book(engine, starts="10:00"), _book(engine, starts="14:00", applicant=_person(2))
    _book(engine, window="ZH-02", starts="10:00", applicant=_person(3))
    clerk = staff["clerk1"]
    assert [line.appointment.id for line in engine.appointments.day_list(clerk, TUESDAY, "ZH-01")] == [
        early.appointment.id, late.appointment.id]
    supervised = engine.appointments.day_list(staff["supervisor"], TUESDAY)
    assert len(supervised) == 3 and "*" in supervised[0].id_number and not supervised[0].may_record_no_show
    with pytest.raises(Forbidden):
        engine.appointments.day_list(staff["scjg_approver1"], TUESDAY)
    clock.set(local_datetime(TUESDAY, 10, 5))
    with pytest.raises(Conflict) as refused:
        engine.appointments.record_no_show(clerk, late.appointment.id)
    assert "尚未开始" in refused.value.message
    missed = engine.appointments.record_no_show(clerk, early.appointment.id)
    assert missed.appointment.state == "no_show" and missed.appointment.handled_by_id == clerk.id
    with pytest.raises(Conflict):
        engine.appointments.mark_arrived(clerk, early.appointment.id)
    assert engine.appointments.mark_arrived(clerk, late.appointment.id).appointment.state == "arrived"
    with pytest.raises(Forbidden):
        engine.appointments.record_no_show(staff["supervisor"], late.appointment.id)
    assert _count(engine, AuditEntry, AuditEntry.action.in_(("appointment_no_show", "appointment_arrived"))) == 2


def test_a_case_registered_from_an_appointment_is_linked_once(engine, clock, staff):
    booked = _book(engine).appointment
    clerk = staff["clerk1"]
    with pytest.raises(InvalidInput):  # not yet its day
        engine.appointments.register(clerk, booked.id, ITEM, person(), intake(engine, ITEM))
    clock.set(local_datetime(TUESDAY, 10, 2))
    item_code, applicant = engine.appointments.for_intake(clerk, booked.id)
    assert item_code == ITEM and applicant["id_number"] == booked.id_number
    with pytest.raises(Conflict) as refused:
        engine.appointments.register(clerk, booked.id, "SCJG-001", applicant, intake(engine, "SCJG-001"))
    assert refused.value.field == "appointment" and _count(engine, Case) == 0
    form = intake(engine, ITEM)
    case = engine.appointments.register(clerk, booked.id, ITEM, {**applicant, "address": "示范市人民路1号"},
                                        form, "k" * 32)
    retried = engine.appointments.register(clerk, booked.id, ITEM, {**applicant, "address": "示范市人民路1号"},
                                           form, "k" * 32)
    assert retried.number == case.number  # a resubmitted form answers with its case
    line = engine.appointments.line(clerk, booked.id)
    assert (line.appointment.state, line.appointment.case_id, line.case_number) == ("registered", case.id, case.number)
    with pytest.raises(Conflict):
        engine.appointments.register(clerk, booked.id, ITEM, applicant, intake(engine, ITEM))
    assert _count(engine, Case) == 1
    with pytest.raises(Forbidden):
        engine.appointments.register(staff["supervisor"], booked.id, ITEM, applicant, intake(engine, ITEM))


def test_when_the_link_fails_no_case_is_left(engine, clock, staff, monkeypatch):
    booked = _book(engine).appointment
    clock.set(local_datetime(TUESDAY, 10, 2))
    clerk = staff["clerk1"]
    with pytest.raises(Conflict) as refused:  # someone else's ID on the form
        engine.appointments.register(clerk, booked.id, ITEM, _person(9), intake(engine, ITEM))
    assert refused.value.field == "applicant.id_number"

    def failing(*_args):
        raise RuntimeError("the link's write failed")

    monkeypatch.setattr(appointment_rows, "mark_registered", failing)
    with pytest.raises(RuntimeError):
        engine.appointments.register(clerk, booked.id, ITEM, person(), intake(engine, ITEM))
    assert _count(engine, Case) == 0
    assert engine.appointments.line(clerk, booked.id).appointment.state == "booked"
    assert _count(engine, AuditEntry, AuditEntry.action == "create") == 0


@pytest.mark.postgres_only
def test_racing_for_the_last_place_exactly_one_wins(postgres_url, clock):
    from engine.runtime import CaseEngine

    engine = CaseEngine(postgres_url, clock=clock)
    try:
        for serial in range(2):  # 11:00-12:00 has 3 places: 2 taken, 1 left
            _book(engine, starts="11:00", applicant=_person(serial))
        slot_id = _slot(engine, "ZH-01", "11:00").slot_id
        results = race(postgres_url, clock, 6, lambda racer, index: racer.appointments.book_online(
            item_code=ITEM, date=TUESDAY.isoformat(), slot_id=slot_id, applicant=_person(10 + index)))
        won = [result for result in results if not isinstance(result, OneWindowError)]
        assert len(won) == 1, results
        assert all(isinstance(result, Conflict) for result in results if result not in won)
        assert _count(engine, Appointment, Appointment.slot_id == slot_id) == 3
        # One person racing himself into two slots of the same item and day: one booking.
        twice = race(postgres_url, clock, 2, lambda racer, index: racer.appointments.book_online(
            item_code=ITEM, date=TUESDAY.isoformat(), slot_id=_slot(racer, "ZH-02", ("14:00", "15:00")[index])
            .slot_id, applicant=_person(40)))
        assert sum(not isinstance(result, OneWindowError) for result in twice) == 1, twice
    finally:
        engine.db.dispose()


def test_the_booking_horizon_is_a_setting(db_url, clock):
    from engine.settings import EngineSettings, SettingsError

    with pytest.raises(SettingsError):
        EngineSettings.from_environment({"ONEWINDOW_APPOINTMENT_DAYS_AHEAD": "0"})
    settings = EngineSettings.from_environment({"ONEWINDOW_APPOINTMENT_DAYS_AHEAD": "3",
                                                "ONEWINDOW_DATABASE_URL": db_url})
    engine = settings.open_engine(clock=clock)
    try:
        assert engine.appointments.free_places(ITEM, "2026-11-26")  # the 3rd working day after Monday
        with pytest.raises(InvalidInput) as refused:
            engine.appointments.free_places(ITEM, "2026-11-27")
        assert "3 个工作日" in refused.value.message
    finally:
        engine.db.dispose()
