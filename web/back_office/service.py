"""What the case page, the task pages and the cases API do with the back office's records of a
case: countersigned opinions (scoped to the reader's department), clock suspensions,
extensions, 容缺 commitments and the postal parcel; stopping the clock and asking for more time.

Every function first checks that the actor may see the case (the same rule as the case page),
so another department is refused with 403 before the engine is asked to change anything.
"""

from dataclasses import dataclass
from datetime import date

from engine import casefile, permissions
from engine.actor import Actor
from engine.cases.models import Case
from engine.clockstop.models import APPROVED, SUSPENSION_KINDS
from engine.errors import NotFound
from engine.notices import EXTENSION, SUSPENSION, Notice
from web.access import case_engine
from web.window import service as window
from web.window.service import viewable_case

# 上报 is not chosen by hand: the model stops the clock itself when a case goes to a higher authority.
SUSPENSION_CHOICES = tuple(kind for kind in SUSPENSION_KINDS if kind != "上报")


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
        raise NotFound(f"办件 {number} 没有邮寄的邮件 (case {number} has no postal parcel)", field="case_number")
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


def clock_notice(actor: Actor, number: str, kind: str, index: int) -> Notice:
    """The ``index``-th (from 1) suspension's notice, or the ``index``-th extension's once decided."""
    if kind not in (SUSPENSION, EXTENSION):
        raise NotFound(f"办件 {number} 没有这种告知书 (case {number} has no {kind} notice)", field="kind")
    return window.printed_notice(actor, number, kind, index)


def may_extend(found: casefile.BackOfficeRecords) -> bool:
    """Once granted, or while a request waits, no new request (第42条: one extension)."""
    return all(row.decision not in (None, APPROVED) for row in found.extensions)
