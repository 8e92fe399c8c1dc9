"""The parcel of a posted result: dispatch with its handover, confirmation, service level.

The service level (same city T+1, in province T+1, across provinces T+2, T in working
days) is computed by the model's ``set_postal_due`` step; here it is recorded.
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.models import Case
from engine.delivery.models import PostalParcel
from engine.errors import Conflict, InvalidInput


def dispatch(session: Session, case: Case, data: dict, actor_id: int | None, now: datetime, today: date) -> None:
    waybill = data["waybill_number"]
    if session.scalar(select(PostalParcel.id).where(PostalParcel.waybill_number == waybill)) is not None:
        raise Conflict(f"运单号 {waybill} 已用于另一件邮件，一事一寄 (waybill {waybill} is already used by another "
                       "parcel: one parcel per case)", field="waybill_number")
    if session.scalar(select(PostalParcel.id).where(PostalParcel.case_id == case.id)) is not None:
        raise Conflict(f"办件 {case.number} 已有邮件，一事一寄 (case {case.number} already has its parcel: one parcel per case)",
                       field="waybill_number")
    session.add(PostalParcel(case_id=case.id, carrier=data["carrier"], waybill_number=waybill,
                             scope=data["postal_address"]["region"], handed_by_id=actor_id,
                             handed_to=data["handed_to"], dispatched_at=now, dispatched_on=today,
                             due_on=date.fromisoformat(data["postal_due_on"])))


def confirm(session: Session, case: Case, data: dict, actor_id: int | None, now: datetime,
            today: date) -> PostalParcel:
    parcel = parcel_of(session, case.id)
    if parcel is None:
        raise Conflict(f"办件 {case.number} 没有待确认妥投的邮件 (case {case.number} has no parcel to confirm)",
                       field="delivered_on")
    try:
        delivered_on = date.fromisoformat(data["delivered_on"])
    except ValueError:
        raise InvalidInput("delivered_on: not a date", field="delivered_on", details={"rule": "date"}) from None
    if delivered_on < parcel.dispatched_on or delivered_on > today:
        raise InvalidInput(f"妥投日期须在寄出日 {parcel.dispatched_on.isoformat()} 至今天 {today.isoformat()} 之间 "
                           f"(delivered_on must be between the dispatch day {parcel.dispatched_on.isoformat()} "
                           f"and today {today.isoformat()})", field="delivered_on")
    parcel.delivered_on, parcel.signed_by = delivered_on, data["signed_by"]
    parcel.confirmed_at, parcel.confirmed_by_id = now, actor_id
    parcel.late = delivered_on > parcel.due_on
    return parcel


def parcel_of(session: Session, case_id: int) -> PostalParcel | None:
    return session.scalar(select(PostalParcel).where(PostalParcel.case_id == case_id))
