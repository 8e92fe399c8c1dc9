"""Leave rows (请销假, docs/rules.md "Leave"): a request names its kind, days, reason and who covers;
the department approves it, then the center (双审批); the return (销假) closes it.

Who may approve which stage is decided in engine/permissions.py; the AB absence an approved
leave becomes is engine/posts' (the action group in engine/leave_book.py joins the two).
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.errors import Conflict, InvalidInput, NotFound
from engine.leave.models import LeaveRequest
from engine.validation import is_id, text

# Kinds of leave and absence on duty (公出): none of them is 旷工 once approved.
KINDS = {"personal": "事假", "sick": "病假", "annual": "年休假", "marriage": "婚假", "maternity": "产假",
         "bereavement": "丧假", "business_trip": "出差", "meeting": "外出开会"}
REQUESTED, DEPARTMENT_APPROVED, APPROVED, RETURNED = "requested", "department_approved", "approved", "returned"
STATES = (REQUESTED, DEPARTMENT_APPROVED, APPROVED, RETURNED)
OPEN_STATES = (REQUESTED, DEPARTMENT_APPROVED, APPROVED)
# One request covers at most this many calendar days (a longer absence is a matter for the staff file).
MAX_DAYS = 90


def _day(value, field: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"{field} 须为日期 YYYY-MM-DD ({field} must be a date, YYYY-MM-DD)", field=field)


def request(session: Session, staff_id: int, *, kind, starts_on, ends_on, reason, cover_staff_id: int | None,
            today: date, now: datetime) -> LeaveRequest:
    if kind not in KINDS:
        raise InvalidInput(f"请假类别须为 {', '.join(KINDS)} 之一 (kind must be one of {', '.join(KINDS)})",
                           field="kind")
    first, last = _day(starts_on, "starts_on"), _day(ends_on, "ends_on")
    if first > last:
        raise InvalidInput(f"结束日期 {last} 早于开始日期 {first} (the leave ends before it starts)", field="ends_on")
    if last < today:
        raise InvalidInput(f"请假已于 {last} 结束，不能补请 (the leave ended on {last}, in the past)", field="ends_on")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"一次请假不超过 {MAX_DAYS} 天 (one request covers at most {MAX_DAYS} days)",
                           field="ends_on", details={"rule": "maxDays", "limit": MAX_DAYS})
    clash = session.scalar(select(LeaveRequest).where(
        LeaveRequest.staff_id == staff_id, LeaveRequest.state.in_(OPEN_STATES),
        LeaveRequest.starts_on <= last, LeaveRequest.ends_on >= first))
    if clash is not None:
        raise Conflict(f"与请假 #{clash.id}（{clash.starts_on} 至 {clash.ends_on}）重叠 (overlaps leave {clash.id})",
                       field="starts_on")
    leave = LeaveRequest(staff_id=staff_id, kind=kind, starts_on=first, ends_on=last,
                         reason=text(reason, "reason", max_length=300), cover_staff_id=cover_staff_id,
                         state=REQUESTED, requested_at=now)
    session.add(leave)
    session.flush()
    return leave


def find(session: Session, leave_id, *, lock: bool = False) -> LeaveRequest:
    leave = session.get(LeaveRequest, leave_id, with_for_update=lock) if is_id(leave_id) else None
    if leave is None:
        raise NotFound(f"没有请假 #{leave_id} (no leave {leave_id})", field="leave_id")
    return leave


def approve_stage(leave: LeaveRequest, actor_id: int, now: datetime) -> str:
    """Record the approval of the stage the leave is at (its permission checked by the caller)."""
    if leave.state == REQUESTED:
        leave.state, leave.department_approved_by_id, leave.department_approved_at = DEPARTMENT_APPROVED, actor_id, now
        return "department"
    if leave.state == DEPARTMENT_APPROVED:
        leave.state, leave.center_approved_by_id, leave.center_approved_at = APPROVED, actor_id, now
        return "center"
    raise Conflict(f"请假 #{leave.id} 已{'批准' if leave.state == APPROVED else '销假'}，无需再审批 "
                   f"(leave {leave.id} is {leave.state})", field="leave_id")


def mark_returned(leave: LeaveRequest, today: date, now: datetime) -> None:
    if leave.state != APPROVED:
        raise Conflict(f"请假 #{leave.id} 尚未批准或已销假，不能销假 (leave {leave.id} is {leave.state}: only "
                       "approved leave is returned from)", field="leave_id")
    leave.state, leave.returned_on, leave.returned_at = RETURNED, today, now


def last_day_away(leave: LeaveRequest) -> date:
    """The last day the leave excuses: its end, or the day before the return if that came first."""
    if leave.returned_on is not None:
        return min(leave.ends_on, leave.returned_on - timedelta(days=1))
    return leave.ends_on


def due_back(leave: LeaveRequest, calendar: WorkCalendar) -> date:
    """The working day the person is due back: the first after the leave's last day."""
    return calendar.next_working_day(leave.ends_on + timedelta(days=1))


def overrun(leave: LeaveRequest, calendar: WorkCalendar, today: date) -> bool:
    """Not back by the due working day (超假): still away after it, or returned later than it."""
    if leave.state == APPROVED:
        return today > due_back(leave, calendar)
    return leave.state == RETURNED and leave.returned_on > due_back(leave, calendar)


def excused(session: Session, first: date, last: date) -> dict[tuple[int, date], str]:
    """{(staff id, day): the kind of approved leave that excuses that day}, for ``first`` to ``last``."""
    rows = session.scalars(select(LeaveRequest).where(
        LeaveRequest.state.in_((APPROVED, RETURNED)), LeaveRequest.starts_on <= last, LeaveRequest.ends_on >= first))
    days: dict[tuple[int, date], str] = {}
    for leave in rows:
        day, end = max(first, leave.starts_on), min(last, last_day_away(leave))
        while day <= end:
            days[(leave.staff_id, day)] = KINDS[leave.kind]
            day += timedelta(days=1)
    return days


def of_staff(session: Session, staff_id: int | None, states=STATES, limit: int = 200) -> list[LeaveRequest]:
    query = select(LeaveRequest).where(LeaveRequest.state.in_(states))
    if staff_id is not None:
        query = query.where(LeaveRequest.staff_id == staff_id)
    return list(session.scalars(query.order_by(LeaveRequest.starts_on.desc(), LeaveRequest.id.desc()).limit(limit)))
