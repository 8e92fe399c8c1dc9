"""Postal delivery (政务专递) through CaseEngine: service level in working days, confirmation,
the late flag and one case one parcel (一事一寄), on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.clock import local_datetime
from engine.deadlines import board
from engine.delivery import service as delivery
from engine.delivery.models import PostalParcel
from engine.errors import Conflict, InvalidInput
from tests.helpers import approve_in_back_office, intake, only_task, person

ITEM = "SCJG-002"
FRIDAY = date(2026, 11, 27)


def decided_for_post(engine, staff, region: str = "same_city"):
    form = intake(engine, ITEM, delivery="post")
    form["postal_address"]["region"] = region
    case = engine.create_case(staff["clerk1"], ITEM, person(), form)
    return approve_in_back_office(engine, case.number, staff["scjg_approver1"])


def dispatch(engine, staff, number: str, waybill: str):
    task = only_task(engine, number)
    assert task.bpmn_id == "postal_dispatch"
    return engine.complete_task(staff["clerk2"], task.id, {"carrier": "EMS", "waybill_number": waybill,
                                                           "handed_to": "邮政揽收员赵六"})


def confirm(engine, staff, number: str, delivered_on: date | str):
    task = only_task(engine, number)
    assert task.bpmn_id == "confirm_delivery"
    return engine.complete_task(staff["clerk2"], task.id, {"delivered_on": str(delivered_on), "signed_by": "张三"})


def parcel(engine, number: str) -> PostalParcel:
    with engine.session() as session:
        return delivery.parcel_of(session, engine.get_case(number).id)


def parcel_count(engine) -> int:
    with engine.session() as session:
        return session.scalar(select(func.count()).select_from(PostalParcel))


@pytest.mark.parametrize(("region", "due"), [("same_city", date(2026, 11, 30)), ("in_province", date(2026, 11, 30)),
                                             ("out_of_province", date(2026, 12, 1))])
def test_a_parcel_dispatched_on_friday_is_due_monday_or_tuesday(engine, staff, clock, region, due):
    case = decided_for_post(engine, staff, region)
    clock.set(local_datetime(FRIDAY, 15))
    case = dispatch(engine, staff, case.number, "1190012345678")
    assert case.delivered_at is None
    sent = parcel(engine, case.number)
    assert (sent.scope, sent.dispatched_on, sent.due_on, sent.waybill_number, sent.handed_to, sent.carrier) == (
        region, FRIDAY, due, "1190012345678", "邮政揽收员赵六", "EMS")
    assert sent.handed_by_id == staff["clerk2"].id and sent.delivered_on is None
    assert only_task(engine, case.number).due_date == due
    clock.set(local_datetime(due, 18))
    case = confirm(engine, staff, case.number, due)
    delivered = parcel(engine, case.number)
    assert (delivered.delivered_on, delivered.signed_by, delivered.late) == (due, "张三", False)
    assert case.delivery_method == "post" and case.delivered_at is not None
    assert only_task(engine, case.number).bpmn_id == "rating"


def test_a_delivery_day_before_dispatch_or_in_the_future_is_refused(engine, staff, clock):
    case = decided_for_post(engine, staff)
    clock.set(local_datetime(FRIDAY, 15))
    dispatch(engine, staff, case.number, "1190012345678")
    clock.set(local_datetime(date(2026, 11, 30), 10))
    for wrong in (date(2026, 11, 26), date(2026, 12, 1)):
        with pytest.raises(InvalidInput) as error:
            confirm(engine, staff, case.number, wrong)
        assert error.value.field == "delivered_on"
        assert parcel(engine, case.number).delivered_on is None
        assert only_task(engine, case.number).bpmn_id == "confirm_delivery"
        assert engine.get_case(case.number).delivered_at is None
    with pytest.raises(InvalidInput) as error:  # not a calendar date at all
        confirm(engine, staff, case.number, "2026-11-31")
    assert error.value.field == "delivered_on"


def test_a_parcel_delivered_after_its_day_is_late_and_listed(engine, staff, clock):
    case = decided_for_post(engine, staff)
    clock.set(local_datetime(FRIDAY, 15))
    dispatch(engine, staff, case.number, "1190012345678")
    clock.set(local_datetime(date(2026, 12, 2), 10))
    with engine.session() as session:
        (waiting,) = board.late_deliveries(session, engine.calendar.get(), date(2026, 12, 2), FRIDAY)
        assert (waiting.delivered_on, waiting.number) == (None, case.number)  # overdue and still unconfirmed
    confirm(engine, staff, case.number, date(2026, 12, 1))
    late = parcel(engine, case.number)
    assert (late.due_on, late.delivered_on, late.late) == (date(2026, 11, 30), date(2026, 12, 1), True)
    with engine.session() as session:
        assert [(p.waybill_number, p.working_days_late) for p in board.late_deliveries(
            session, engine.calendar.get(), date(2026, 12, 2), FRIDAY)] == [("1190012345678", 1)]


def test_a_waybill_carries_one_case_only(engine, staff):
    first = decided_for_post(engine, staff)
    dispatch(engine, staff, first.number, "1190012345678")
    second = decided_for_post(engine, staff)
    history = len(engine.case_history(second.number))
    with pytest.raises(Conflict) as error:
        dispatch(engine, staff, second.number, "1190012345678")
    assert error.value.field == "waybill_number" and "一事一寄" in error.value.message
    assert parcel_count(engine) == 1 and parcel(engine, second.number) is None
    assert only_task(engine, second.number).bpmn_id == "postal_dispatch"
    assert len(engine.case_history(second.number)) == history
    dispatch(engine, staff, second.number, "1190012345679")
    assert parcel_count(engine) == 2
