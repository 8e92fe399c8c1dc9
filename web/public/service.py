"""The applicant's progress lookup: case number and the last 4 digits of the phone on file."""

import hmac
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from engine.catalogue.models import ServiceItem
from engine.clock import CHINA_TZ
from engine.clockstop import service as clockstop
from engine.delivery.service import parcel_of
from engine.errors import InvalidInput, NotFound
from web.access import case_engine

NUMBER = re.compile(r"^[A-Z]{1,6}\d{13}$")
# The page and the API count against one budget per client address,
LOOKUP_LIMIT, LOOKUP_SCOPE = "10 per minute", "progress_lookup"
# and against one per case number: a few wrong answers a day, then that number's lookup rests, so
# guessing a case's four digits from many addresses is no quicker than from one. Every number
# counts alike, so resting says nothing about whether the case exists.
CASE_LIMIT, CASE_SCOPE = "5 per day", "progress_case"
NOT_FOUND = "未查到该办件，请核对办件编号和手机号后四位 (no case matches this number and phone)"


@dataclass(frozen=True)
class ClockStopped:
    kind: str
    since: date


@dataclass(frozen=True)
class Extension:
    days: int
    granted_on: date


@dataclass(frozen=True)
class Parcel:
    carrier: str
    waybill_number: str
    dispatched_on: date
    expected_by: date
    delivered: bool
    delivered_on: date | None


@dataclass(frozen=True)
class Progress:
    number: str
    item_name: str
    status: str
    due_date: date | None
    result_ready: bool
    clock_stopped: ClockStopped | None
    suspended_days: int
    extension: Extension | None
    parcel: Parcel | None


def normalized_number(number) -> str:
    return number.strip().upper() if isinstance(number, str) else ""


def case_rests() -> str:
    return _("此办件今日查询错误次数过多，请明日再试或到窗口咨询")


def lookup(number, phone_tail) -> Progress:
    """Only what the applicant may see; a wrong number and a wrong phone give the same answer."""
    number = normalized_number(number)
    if not NUMBER.match(number):
        raise InvalidInput("办件编号格式不正确 (case number looks like ZW2026112300001)", field="number")
    if not isinstance(phone_tail, str) or not re.fullmatch(r"\d{4}", phone_tail.strip()):
        raise InvalidInput("请输入手机号后四位 (the last 4 digits of the phone)", field="phone_tail")
    engine = case_engine()
    try:
        case = engine.get_case(number)
    except NotFound:
        raise NotFound(NOT_FOUND, field="number") from None
    if not hmac.compare_digest(case.applicant_phone[-4:], phone_tail.strip()):
        raise NotFound(NOT_FOUND, field="number")
    return _progress(engine, case)


def progress_of(number: str) -> Progress:
    """The progress of a case this browser's session proved the phone of already (the page's
    post/redirect/get: the GET after the POST shows what the POST found)."""
    engine = case_engine()
    return _progress(engine, engine.get_case(number))


def _progress(engine, case) -> Progress:
    with engine.session() as session:
        item_name = session.get(ServiceItem, case.item_code).name
        stop = clockstop.open_suspension(session, case.id)
        granted = next((row for row in clockstop.extensions(session, case.id) if row.granted), None)
        parcel = parcel_of(session, case.id)
    return Progress(
        case.number, item_name, case.status, case.due_date, case.decided_at is not None and case.delivered_at is None,
        # Only kinds, days and dates: text staff wrote (reasons, notes, opinions) reaches the applicant in the
        # written notices (告知书), never through this lookup guarded by four phone digits.
        clock_stopped=ClockStopped(stop.kind, stop.started_on) if stop is not None else None,
        suspended_days=case.suspended_days or 0,
        extension=Extension(granted.days, granted.decided_at.astimezone(CHINA_TZ).date())
        if granted is not None else None,
        parcel=Parcel(parcel.carrier, parcel.waybill_number, parcel.dispatched_on, parcel.due_on,
                      parcel.delivered_on is not None, parcel.delivered_on) if parcel is not None else None)
