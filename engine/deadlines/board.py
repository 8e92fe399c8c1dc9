"""The supervisor's overdue board (监督看板): counts and the list of yellow and red cases,
broken 容缺 commitments, stopped clocks and late postal deliveries.

Every case query may be narrowed to one department and to the cases in which one person
holds an open task (``assignee_id``): the supervisor's drill-down from a row to its cases.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.clockstop.models import ClockSuspension
from engine.deadlines.states import RED, STATES, YELLOW
from engine.delivery.models import PostalParcel
from engine.tasks.models import OPEN, HumanTask

# 政务专递: in province T+1 and across provinces T+2 for at least this share of parcels.
DELIVERY_TARGET = 0.95
# What a flag is about: the case's time limit (办理时限) or a 容缺 commitment's supply date.
DEADLINE, COMMITMENT = "deadline", "commitment"


def _cases_held_by(assignee_id: int):
    return select(HumanTask.case_id).where(HumanTask.state == OPEN, HumanTask.assignee_id == assignee_id)


def counts_by_department(session: Session, *, assignee_id: int | None = None) -> dict[str, dict[str, int]]:
    """Open cases per department and deadline state (one index-only scan when not narrowed)."""
    query = (select(Case.department_code, Case.deadline_state, func.count())
             .where(Case.closed_at.is_(None)).group_by(Case.department_code, Case.deadline_state))
    if assignee_id is not None:
        query = query.where(Case.id.in_(_cases_held_by(assignee_id)))
    board: dict[str, dict[str, int]] = {}
    for department, state, count in session.execute(query):
        board.setdefault(department, dict.fromkeys(STATES, 0))[state] = count
    return board


def counts_by_assignee(session: Session, *, assignee_id: int | None = None,
                       department_code: str | None = None) -> dict[int | None, dict[str, int]]:
    """Open tasks per person holding them (None: waiting in a queue) and deadline state.

    ``department_code``: only tasks of that department's cases (window tasks included).
    """
    query = (select(HumanTask.assignee_id, HumanTask.deadline_state, func.count())
             .where(HumanTask.state == OPEN).group_by(HumanTask.assignee_id, HumanTask.deadline_state))
    if assignee_id is not None:
        query = query.where(HumanTask.assignee_id == assignee_id)
    if department_code is not None:
        query = query.where(HumanTask.case_id.in_(select(Case.id).where(Case.department_code == department_code)))
    board: dict[int | None, dict[str, int]] = {}
    for assignee, state, count in session.execute(query):
        board.setdefault(assignee, dict.fromkeys(STATES, 0))[state] = count
    return board


@dataclass(frozen=True)
class FlaggedCase:
    number: str
    department_code: str
    state: str
    due_date: date
    working_days_late: int
    stage: str
    flag: str = DEADLINE


def working_days_late(calendar: WorkCalendar, dues, today: date) -> dict[date, int]:
    """Working days from each due date to ``today`` (0 when not past), in one walk back from today to the
    oldest: a list of 200 cases red for years would otherwise count the same days 200 times."""
    late, count, day = {}, 0, today
    for due in sorted(set(dues), reverse=True):
        while day > due:
            count += calendar.is_working_day(day)
            day -= timedelta(days=1)
        late[due] = count
    return late


def _flags(calendar: WorkCalendar, today: date, rows, flag: str) -> list[FlaggedCase]:
    rows = list(rows)
    late = working_days_late(calendar, [due for _number, _department, state, due, _stage in rows if state == RED],
                              today)
    return [FlaggedCase(number, department, state, due, late.get(due, 0) if state == RED else 0, stage, flag)
            for number, department, state, due, stage in rows]


def flagged_cases(session: Session, calendar: WorkCalendar, today: date, *, department_code: str | None = None,
                  state: str | None = None, assignee_id: int | None = None, limit: int = 200) -> list[FlaggedCase]:
    """Red cases first, most late first, then yellow ones by due date (``state``: only red or only yellow)."""
    flags = [flag for flag in (RED, YELLOW) if state in (None, flag)]
    query = (select(Case.number, Case.department_code, Case.deadline_state, Case.due_date, Case.stage)
             .where(Case.closed_at.is_(None), Case.deadline_state.in_(flags))
             .order_by(Case.deadline_state, Case.due_date).limit(limit))
    if department_code is not None:
        query = query.where(Case.department_code == department_code)
    if assignee_id is not None:
        query = query.where(Case.id.in_(_cases_held_by(assignee_id)))
    return _flags(calendar, today, session.execute(query), DEADLINE)


def _narrowed(query, department_code: str | None, assignee_id: int | None):
    if department_code is not None:
        query = query.where(Case.department_code == department_code)
    if assignee_id is not None:
        query = query.where(Case.id.in_(_cases_held_by(assignee_id)))
    return query


def commitment_counts_by_department(session: Session, *,
                                    assignee_id: int | None = None) -> dict[str, dict[str, int]]:
    """Open cases per department whose 容缺 commitment is due soon (yellow) or missed (red)."""
    query = (select(Case.department_code, Case.commitment_state, func.count())
             .where(Case.closed_at.is_(None), Case.commitment_state.in_((YELLOW, RED)))
             .group_by(Case.department_code, Case.commitment_state))
    board: dict[str, dict[str, int]] = {}
    for department, state, count in session.execute(_narrowed(query, None, assignee_id)):
        board.setdefault(department, {YELLOW: 0, RED: 0})[state] = count
    return board


def commitment_flags(session: Session, calendar: WorkCalendar, today: date, *, department_code: str | None = None,
                     state: str | None = None, assignee_id: int | None = None,
                     limit: int = 200) -> list[FlaggedCase]:
    """Cases whose applicant owes a committed material: red (date missed) first, then yellow; due date is the
    earliest supply date still owed."""
    flags = [flag for flag in (RED, YELLOW) if state in (None, flag)]
    query = (select(Case.number, Case.department_code, Case.commitment_state, Case.commitment_due, Case.stage)
             .where(Case.closed_at.is_(None), Case.commitment_state.in_(flags), Case.commitment_due.is_not(None))
             .order_by(Case.commitment_state, Case.commitment_due).limit(limit))
    return _flags(calendar, today, session.execute(_narrowed(query, department_code, assignee_id)), COMMITMENT)


@dataclass(frozen=True)
class StoppedClock:
    number: str
    department_code: str
    kind: str
    since: date
    working_days_stopped: int
    due_date: date | None
    stage: str


def stopped_clocks(session: Session, calendar: WorkCalendar, today: date, *, department_code: str | None = None,
                   assignee_id: int | None = None, limit: int = 200) -> list[StoppedClock]:
    """Open cases whose clock stands still (暂停), longest stopped first, with why (the open suspension's kind).

    ``working_days_stopped``: the working days so far that will not count (the start day excluded), by which
    the due date moves when the clock starts again.
    """
    query = (select(Case.number, Case.department_code, ClockSuspension.kind, Case.suspended_since, Case.due_date,
                    Case.stage)
             .join(ClockSuspension, and_(ClockSuspension.case_id == Case.id, ClockSuspension.ended_at.is_(None)))
             .where(Case.closed_at.is_(None), Case.suspended_since.is_not(None))
             .order_by(Case.suspended_since, Case.number).limit(limit))
    return [StoppedClock(number, department, kind, since, max(0, calendar.working_days_between(since, today)),
                         due, stage)
            for number, department, kind, since, due, stage
            in session.execute(_narrowed(query, department_code, assignee_id))]


@dataclass(frozen=True)
class LateParcel:
    number: str
    department_code: str
    carrier: str
    waybill_number: str
    scope: str
    dispatched_on: date
    due_on: date
    delivered_on: date | None
    working_days_late: int


def _late(today: date):
    """Delivered after its day, or not confirmed by the end of it (政务专递 service level)."""
    return or_(PostalParcel.late.is_(True), PostalParcel.delivered_on.is_(None) & (PostalParcel.due_on < today))


def late_deliveries(session: Session, calendar: WorkCalendar, today: date, first: date, *,
                    department_code: str | None = None, limit: int = 200) -> list[LateParcel]:
    """Late parcels due from ``first`` on, and every parcel still unconfirmed past its day whenever it was due
    (an open problem stays on the board until the delivery is confirmed); the oldest due first."""
    in_period = PostalParcel.due_on >= first
    still_out = PostalParcel.delivered_on.is_(None)
    query = (select(Case.number, Case.department_code, PostalParcel.carrier, PostalParcel.waybill_number,
                    PostalParcel.scope, PostalParcel.dispatched_on, PostalParcel.due_on, PostalParcel.delivered_on)
             .join(Case, Case.id == PostalParcel.case_id)
             .where(_late(today), or_(in_period, still_out))
             .order_by(PostalParcel.due_on, Case.number).limit(limit))
    if department_code is not None:
        query = query.where(Case.department_code == department_code)
    return [LateParcel(number, department, carrier, waybill, scope, dispatched, due, delivered,
                       max(0, calendar.working_days_between(due, delivered or today)))
            for number, department, carrier, waybill, scope, dispatched, due, delivered in session.execute(query)]


@dataclass(frozen=True)
class DeliveryTally:
    """Parcels due in a period: ``settled`` were delivered or are past their day; ``pending`` may still be on time."""

    settled: int
    on_time: int
    pending: int

    @property
    def late(self) -> int:
        return self.settled - self.on_time

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.settled if self.settled else None


def delivery_tally(session: Session, today: date, first: date, *,
                   department_code: str | None = None) -> DeliveryTally:
    """The service level of the parcels due from ``first`` to ``today``."""
    on_time = and_(PostalParcel.delivered_on.is_not(None), PostalParcel.delivered_on <= PostalParcel.due_on)
    pending = and_(PostalParcel.delivered_on.is_(None), PostalParcel.due_on >= today)
    query = (select(func.count(), func.count().filter(on_time), func.count().filter(pending))
             .select_from(PostalParcel).join(Case, Case.id == PostalParcel.case_id)
             .where(PostalParcel.due_on.between(first, today)))
    if department_code is not None:
        query = query.where(Case.department_code == department_code)
    due, delivered_on_time, waiting = session.execute(query).one()
    return DeliveryTally(settled=due - waiting, on_time=delivered_on_time, pending=waiting)


def period_start(today: date, days: int) -> date:
    """The first of the last ``days`` days, today included (as the charts count them)."""
    return today - timedelta(days=days - 1)
