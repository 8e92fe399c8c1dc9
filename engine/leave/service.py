"""Leave rows (请销假, docs/rules.md "Leave"): a request names its kind, days, reason and who covers;
the department approves it, then the center (双审批); the return (销假) closes it. A stage may refuse it
instead, and the requester may withdraw it until the center approves; both end it.
A leave may start in the afternoon or end at noon (half days, 上午/下午).

Who may approve which stage is decided in engine/permissions.py; the AB absence an approved
leave becomes is engine/posts' (the action group in engine/leave_book.py joins the two).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.errors import Conflict, InvalidInput, NotFound
from engine.leave.models import LeaveRequest
from engine.validation import as_date, is_id, text

# Kinds of leave and absence on duty (公出): none of them is 旷工 once approved.
KINDS = {"personal": "事假", "sick": "病假", "annual": "年休假", "marriage": "婚假", "maternity": "产假",
         "bereavement": "丧假", "business_trip": "出差", "meeting": "外出开会"}
REQUESTED, DEPARTMENT_APPROVED, APPROVED, RETURNED = "requested", "department_approved", "approved", "returned"
REFUSED, WITHDRAWN = "refused", "withdrawn"
STATES = (REQUESTED, DEPARTMENT_APPROVED, APPROVED, RETURNED, REFUSED, WITHDRAWN)
OPEN_STATES = (REQUESTED, DEPARTMENT_APPROVED, APPROVED)
# Waiting for an approval: the stages that may still refuse it, and while its requester may withdraw it.
PENDING_STATES = (REQUESTED, DEPARTMENT_APPROVED)
# Half days: a leave starts in the morning ("am") or the afternoon ("pm"), and ends at noon ("am") or
# at the day's end ("pm").
HALVES = ("am", "pm")
# One request covers at most this many calendar days (a longer absence is a matter for the staff file).
MAX_DAYS = 90




def _half(value, default: str, field: str) -> str:
    if value in (None, ""):
        return default
    if value not in HALVES:
        raise InvalidInput(f"{field} 须为 am（上午）或 pm（下午） ({field} must be am or pm)", field=field,
                           details={"rule": "enum", "limit": list(HALVES)})
    return value


def _half_days(first: date, starts_half: str, last: date, ends_half: str) -> tuple[int, int]:
    """The leave as a range of half days (both ends counted), so two leaves meeting at noon do not overlap."""
    return first.toordinal() * 2 + (starts_half == "pm"), last.toordinal() * 2 + (ends_half == "pm")


def request(session: Session, staff_id: int, *, kind, starts_on, ends_on, reason, cover_staff_id: int | None,
            today: date, now: datetime, starts_half=None, ends_half=None) -> LeaveRequest:
    if kind not in KINDS:
        raise InvalidInput(f"请假类别须为 {', '.join(KINDS)} 之一 (kind must be one of {', '.join(KINDS)})",
                           field="kind")
    first, last = as_date(starts_on, "starts_on"), as_date(ends_on, "ends_on")
    starts_half, ends_half = _half(starts_half, "am", "starts_half"), _half(ends_half, "pm", "ends_half")
    if first > last:
        raise InvalidInput(f"结束日期 {last} 早于开始日期 {first} (the leave ends before it starts)", field="ends_on")
    if first == last and (starts_half, ends_half) == ("pm", "am"):
        raise InvalidInput("同一天的请假不能下午开始、上午结束 (a one-day leave cannot start in the afternoon and end "
                           "at noon)", field="ends_half")
    if last < today:
        raise InvalidInput(f"请假已于 {last} 结束，不能补请 (the leave ended on {last}, in the past)", field="ends_on")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"一次请假不超过 {MAX_DAYS} 天 (one request covers at most {MAX_DAYS} days)",
                           field="ends_on", details={"rule": "maxDays", "limit": MAX_DAYS})
    low, high = _half_days(first, starts_half, last, ends_half)
    clash = next((other for other in session.scalars(select(LeaveRequest).where(
        LeaveRequest.staff_id == staff_id, LeaveRequest.state.in_(OPEN_STATES),
        LeaveRequest.starts_on <= last, LeaveRequest.ends_on >= first).order_by(LeaveRequest.id))
        if _overlap((low, high), _half_days(other.starts_on, other.starts_half, other.ends_on, other.ends_half))), None)
    if clash is not None:
        raise Conflict(f"与请假 #{clash.id}（{clash.starts_on} 至 {clash.ends_on}）重叠 (overlaps leave {clash.id})",
                       field="starts_on")
    leave = LeaveRequest(staff_id=staff_id, kind=kind, starts_on=first, ends_on=last, starts_half=starts_half,
                         ends_half=ends_half,
                         reason=text(reason, "reason", max_length=300), cover_staff_id=cover_staff_id,
                         state=REQUESTED, requested_at=now)
    session.add(leave)
    session.flush()
    return leave


def _overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]


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


def refuse_stage(leave: LeaveRequest, actor_id: int, reason, now: datetime) -> str:
    """Refuse the leave at the stage it is at (its permission checked by the caller); it ends there."""
    if leave.state not in PENDING_STATES:
        raise Conflict(f"请假 #{leave.id} 不在待审批状态，不能不予批准 (leave {leave.id} is {leave.state}: only a leave "
                       "waiting for approval is refused)", field="leave_id")
    stage = "department" if leave.state == REQUESTED else "center"
    leave.refusal_reason = text(reason, "reason", max_length=300)
    leave.state, leave.refused_by_id, leave.refused_at, leave.refused_stage = REFUSED, actor_id, now, stage
    return stage


def mark_withdrawn(leave: LeaveRequest, now: datetime) -> None:
    if leave.state not in PENDING_STATES:
        raise Conflict(f"请假 #{leave.id} 已{'批准' if leave.state in (APPROVED, RETURNED) else '结束'}，不能撤回 "
                       f"(leave {leave.id} is {leave.state}: only a leave not yet approved is withdrawn)",
                       field="leave_id")
    leave.state, leave.withdrawn_at = WITHDRAWN, now


def mark_returned(leave: LeaveRequest, today: date, now: datetime) -> None:
    if leave.state != APPROVED:
        raise Conflict(f"请假 #{leave.id} 尚未批准或已销假，不能销假 (leave {leave.id} is {leave.state}: only "
                       "approved leave is returned from)", field="leave_id")
    leave.state, leave.returned_on, leave.returned_at = RETURNED, today, now


def last_day_away(leave: LeaveRequest) -> date:
    """The last day the leave excuses: its end, or the day before the return if that came first (a
    leave ending at noon keeps its last morning when he is back that afternoon, as due)."""
    if leave.returned_on is not None:
        if leave.ends_half == "am" and leave.returned_on == leave.ends_on:
            return leave.ends_on
        return min(leave.ends_on, leave.returned_on - timedelta(days=1))
    return leave.ends_on


def due_back(leave: LeaveRequest, calendar: WorkCalendar) -> date:
    """The working day the person is due back: the first after the leave's last day (that day itself,
    in the afternoon, when the leave ends at noon)."""
    back = leave.ends_on if leave.ends_half == "am" else leave.ends_on + timedelta(days=1)
    return calendar.next_working_day(back)


def overrun(leave: LeaveRequest, calendar: WorkCalendar, today: date) -> bool:
    """Not back by the due working day (超假): still away after it, or returned later than it."""
    if leave.state == APPROVED:
        return today > due_back(leave, calendar)
    return leave.state == RETURNED and leave.returned_on > due_back(leave, calendar)


@dataclass(frozen=True)
class Excuse:
    """What approved leave excuses of one day: its kind, and the morning, the afternoon or both."""

    kind_name: str
    morning: bool = True
    afternoon: bool = True

    @property
    def whole_day(self) -> bool:
        return self.morning and self.afternoon


def excused(session: Session, first: date, last: date) -> dict[tuple[int, date], Excuse]:
    """{(staff id, day): what approved leave excuses of that day}, for ``first`` to ``last``. Refused and
    withdrawn leave excuses nothing; two half-day leaves of one day excuse it whole."""
    rows = session.scalars(select(LeaveRequest).where(
        LeaveRequest.state.in_((APPROVED, RETURNED)), LeaveRequest.starts_on <= last, LeaveRequest.ends_on >= first))
    days: dict[tuple[int, date], Excuse] = {}
    for leave in rows:
        day, end = max(first, leave.starts_on), min(last, last_day_away(leave))
        while day <= end:
            morning = not (day == leave.starts_on and leave.starts_half == "pm")
            afternoon = not (day == leave.ends_on and leave.ends_half == "am")
            known = days.get((leave.staff_id, day))
            if known is not None:
                morning, afternoon = morning or known.morning, afternoon or known.afternoon
            days[(leave.staff_id, day)] = Excuse(KINDS[leave.kind], morning, afternoon)
            day += timedelta(days=1)
    return days


def of_staff(session: Session, staff_id: int | None, states=STATES, limit: int = 200) -> list[LeaveRequest]:
    query = select(LeaveRequest).where(LeaveRequest.state.in_(states))
    if staff_id is not None:
        query = query.where(LeaveRequest.staff_id == staff_id)
    return list(session.scalars(query.order_by(LeaveRequest.starts_on.desc(), LeaveRequest.id.desc()).limit(limit)))
