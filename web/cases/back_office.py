"""What the case page, the task pages and the cases API do with the back office's records of a
case: countersigned opinions (scoped to the reader's department), clock suspensions,
extensions, 容缺 commitments and the postal parcel; stopping the clock and asking for more time.

Every function first checks that the actor may see the case (the same rule as the case page),
so another department is refused with 403 before the engine is asked to change anything.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app

from engine import casefile, permissions
from engine.actor import Actor
from engine.cases.models import Case
from engine.catalogue.models import ServiceItem
from engine.clock import CHINA_TZ
from engine.clockstop.models import APPROVED, SUSPENSION_KINDS
from engine.errors import NotFound
from web.access import case_engine
from web.cases.service import viewable_case

# 上报 is not chosen by hand: the model stops the clock itself when a case goes to a higher authority.
SUSPENSION_CHOICES = tuple(kind for kind in SUSPENSION_KINDS if kind != "上报")
SUSPENSION_NOTICE, EXTENSION_NOTICE = "suspension", "extension"


@dataclass(frozen=True)
class CaseClock:
    """The case's clock: its due date and everything that moved it."""

    case_number: str
    accepted_on: date | None
    promised_limit_days: int
    due_date: date | None
    due_provisional: bool
    suspended_since: date | None
    suspended_days: int
    extended_days: int
    suspensions: list[casefile.Suspension]
    extensions: list[casefile.Extension]


@dataclass(frozen=True)
class ClockNotice:
    """A printable 暂停计时告知书 (one per suspension) or 延期告知书 (a decided extension)."""

    kind: str
    center_name: str
    case_number: str
    item_name: str
    department_name: str
    applicant_name: str
    accepted_on: date | None
    issued_on: date
    suspension: casefile.Suspension | None = None
    extension: casefile.Extension | None = None


def records(actor: Actor, number: str) -> casefile.BackOfficeRecords:
    """The case's back-office records as ``actor`` may read them."""
    case = viewable_case(actor, number)
    with case_engine().session() as session:
        return casefile.back_office_records(session, case, permissions.opinion_scope(actor))


def clock_of(case: Case, found: casefile.BackOfficeRecords) -> CaseClock:
    return CaseClock(case_number=case.number, accepted_on=case.accepted_on,
                     promised_limit_days=case.promised_limit_days, due_date=case.due_date,
                     due_provisional=case.due_provisional, suspended_since=case.suspended_since,
                     suspended_days=case.suspended_days or 0, extended_days=case.extended_days or 0,
                     suspensions=found.suspensions, extensions=found.extensions)


def clock(actor: Actor, number: str) -> CaseClock:
    found = records(actor, number)
    return clock_of(case_engine().get_case(number), found)


def opinions(actor: Actor, number: str) -> list[casefile.Opinion]:
    return records(actor, number).opinions


def commitments(actor: Actor, number: str) -> list[casefile.CommitmentLine]:
    return records(actor, number).commitments


def parcel(actor: Actor, number: str) -> casefile.Parcel:
    found = records(actor, number).parcel
    if found is None:
        raise NotFound(f"case {number} has no postal parcel", field="case_number")
    return found


def suspend(actor: Actor, number: str, kind, reason) -> CaseClock:
    viewable_case(actor, number)
    case_engine().suspend_clock(actor, number, kind, reason)
    return clock(actor, number)


def end_suspension(actor: Actor, number: str, note) -> CaseClock:
    viewable_case(actor, number)
    case_engine().end_suspension(actor, number, note)
    return clock(actor, number)


def request_extension(actor: Actor, number: str, reason) -> CaseClock:
    viewable_case(actor, number)
    case_engine().request_extension(actor, number, reason)
    return clock(actor, number)


def clock_notice(actor: Actor, number: str, kind: str, index: int) -> ClockNotice:
    """The ``index``-th (from 1) suspension's notice, or the ``index``-th extension's once decided."""
    case = viewable_case(actor, number)
    with case_engine().session() as session:
        found = casefile.back_office_records(session, case, permissions.opinion_scope(actor))
        item = session.get(ServiceItem, case.item_code)
        department_name = item.department.name
    common = {"kind": kind, "center_name": current_app.config["CENTER_NAME"], "case_number": case.number,
              "item_name": item.name, "department_name": department_name, "applicant_name": case.applicant_name,
              "accepted_on": case.accepted_on}
    if kind == SUSPENSION_NOTICE and 1 <= index <= len(found.suspensions):
        suspension = found.suspensions[index - 1]
        return ClockNotice(**common, issued_on=suspension.started_on, suspension=suspension)
    if kind == EXTENSION_NOTICE and 1 <= index <= len(found.extensions):
        extension = found.extensions[index - 1]
        if extension.decided_at is not None:
            return ClockNotice(**common, issued_on=extension.decided_at.astimezone(CHINA_TZ).date(),
                               extension=extension)
    raise NotFound(f"case {number} has no {kind} notice number {index}", field="index")


def may_extend(found: casefile.BackOfficeRecords) -> bool:
    """Once granted, or while a request waits, no new request (第42条: one extension)."""
    return all(row.decision not in (None, APPROVED) for row in found.extensions)
