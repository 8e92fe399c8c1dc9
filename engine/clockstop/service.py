"""Suspensions and extensions: their records, and what they do to the case's clock.

The due date is always the acceptance day plus the promised limit, the working days the
clock stood still and the days an extension added (``engine.cases.service.compute_due``), so a
suspension or an extension can only move it later.
"""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.clockstop.models import APPROVED, REFUSED, SUSPENSION_KINDS, CaseExtension, ClockSuspension
from engine.errors import Conflict, InvalidInput
from engine.validation import text


def check_reason(reason, field: str = "reason") -> str:
    """A written reason the applicant is told (two characters at least: a word, not a slip)."""
    return text(reason, field, min_length=2)


def check_suspension_request(case: Case, kind, reason) -> tuple[str, str]:
    if kind not in SUSPENSION_KINDS or kind == "上报":
        kinds = [k for k in SUSPENSION_KINDS if k != "上报"]
        raise InvalidInput(f"kind must be one of {', '.join(kinds)}", field="kind",
                           details={"rule": "enum", "limit": kinds})
    if case.suspended_since is not None:
        raise Conflict(f"办件 {case.number} 自 {case.suspended_since.isoformat()} 起已在暂停计时中 "
                       f"(case {case.number} is already suspended since {case.suspended_since.isoformat()})",
                       field="case_number")
    return kind, check_reason(reason)


def open_suspension(session: Session, case_id: int) -> ClockSuspension | None:
    return session.scalar(select(ClockSuspension).where(ClockSuspension.case_id == case_id,
                                                        ClockSuspension.ended_at.is_(None)))


def start_suspension(session: Session, case: Case, request: dict, actor_id: int | None, now: datetime,
                     today: date) -> ClockSuspension:
    if case.suspended_since is not None:
        raise Conflict(f"办件 {case.number} 已在暂停计时中 (case {case.number} is already suspended)",
                       field="case_number")
    row = ClockSuspension(case_id=case.id, kind=request["kind"], reason=request["reason"],
                          department_code=request["department_code"], started_on=today, started_at=now,
                          started_by_id=actor_id, due_before=case.due_date)
    session.add(row)
    case.suspended_since = today
    return row


def stopped_working_days(calendar: WorkCalendar, started_on: date, ended_on: date) -> int:
    """The start day is not counted (民法典 第201条 by analogy); every working day after it up to the end is."""
    return max(0, calendar.working_days_between(started_on, ended_on))


def end_suspension(session: Session, case: Case, note: str, actor_id: int | None, now: datetime, today: date,
                   calendar: WorkCalendar) -> ClockSuspension:
    row = open_suspension(session, case.id)
    if row is None or case.suspended_since is None:
        raise Conflict(f"办件 {case.number} 未在暂停计时 (case {case.number} is not suspended)", field="case_number")
    row.working_days = stopped_working_days(calendar, row.started_on, today)
    row.ended_on, row.ended_at, row.ended_by_id, row.end_note = today, now, actor_id, note
    case.suspended_days = (case.suspended_days or 0) + row.working_days
    case.suspended_since = None
    return row


def suspensions(session: Session, case_id: int) -> list[ClockSuspension]:
    return list(session.scalars(select(ClockSuspension).where(ClockSuspension.case_id == case_id)
                                .order_by(ClockSuspension.started_at, ClockSuspension.id)))


def extensions(session: Session, case_id: int) -> list[CaseExtension]:
    return list(session.scalars(select(CaseExtension).where(CaseExtension.case_id == case_id)
                                .order_by(CaseExtension.requested_at, CaseExtension.id)))


def limit_has_passed(case: Case, today: date) -> bool:
    """The case's limit ran out: its due date is behind the day its clock stands at (a stopped
    clock stands at the day it stopped: 第45条, the time does not run)."""
    stands_at = min(today, case.suspended_since or today)
    return case.due_date is not None and stands_at > case.due_date


def _check_within_limit(case: Case, today: date, what: str, what_en: str) -> None:
    """第42条: the extension is decided while the limit runs; once it has passed nothing is extended."""
    if limit_has_passed(case, today):
        due = case.due_date.isoformat()
        raise Conflict(f"行政许可法第四十二条：延期须在办理期限内决定，办件 {case.number} 的期限已于 {due} 届满，"
                       f"不能再{what} (Art. 42: an extension is decided within the limit; case {case.number}'s "
                       f"limit ended on {due}, {what_en})", field="case_number")


def request_extension(session: Session, case: Case, department_code: str, days: int, reason, actor_id: int | None,
                      now: datetime, today: date) -> CaseExtension:
    """A request is refused while one waits for an answer, once one was granted (第42条: once) and
    after the limit has passed."""
    reason = check_reason(reason)
    _check_within_limit(case, today, "申请延期", "an extension can no longer be requested")
    for earlier in extensions(session, case.id):
        if earlier.decision is None:
            raise Conflict(f"办件 {case.number} 已有待首席代表审批的延期申请 (case {case.number} already has an "
                           "extension request waiting for the chief representative)", field="case_number")
        if earlier.decision == APPROVED:
            raise Conflict(f"办件 {case.number} 已延期过一次，依法只能延期一次 "
                           f"(case {case.number} was already extended once; the law allows one extension)",
                           field="case_number")
    if days <= 0:
        raise Conflict(f"办理事项 {case.item_code} 不允许延期 (item {case.item_code} allows no extension)",
                       field="case_number")
    row = CaseExtension(case_id=case.id, department_code=department_code, days=days, reason=reason,
                        requested_at=now, requested_by_id=actor_id)
    session.add(row)
    return row


def _pending_extension(session: Session, case: Case) -> CaseExtension:
    row = session.scalar(select(CaseExtension).where(CaseExtension.case_id == case.id,
                                                     CaseExtension.decision.is_(None)))
    if row is None:
        raise Conflict(f"办件 {case.number} 没有待审批的延期申请 (case {case.number} has no extension request waiting)",
                       field="case_number")
    return row


def decide_extension(session: Session, case: Case, decision: str, reason: str, actor_id: int | None,
                     now: datetime, today: date) -> CaseExtension:
    """Record the answer; an approval after the limit has passed is refused (a refusal still stands)."""
    row = _pending_extension(session, case)
    if decision == "approve":
        _check_within_limit(case, today, "批准延期", "an extension can no longer be approved")
    row.decision = APPROVED if decision == "approve" else REFUSED
    row.decision_reason, row.decided_at, row.decided_by_id = reason, now, actor_id
    return row


def grant_extension(session: Session, case: Case, days: int) -> CaseExtension:
    # Filtered here, not in SQL: the approval was made earlier in this same step, not yet flushed.
    row = next((row for row in extensions(session, case.id) if row.decision == APPROVED and not row.granted), None)
    if row is None:
        raise Conflict(f"办件 {case.number} 没有已批准的延期 (case {case.number} has no approved extension to grant)",
                       field="case_number")
    row.granted, row.days, row.due_before = True, days, case.due_date
    case.extended_days = (case.extended_days or 0) + days
    return row


def check_may_proceed(case: Case, row, meta, open_rows: list, definition, workflow) -> None:
    """The back office waits while its clock is stopped, and a department waits for its chief's
    (a joint item: every department for the director's) answer to its extension request: a decision
    must not overtake either.

    Only the tasks that end them (恢复计时, the chief's answer) go on meanwhile.
    """
    if meta.role != "approver" or meta.milestone == "resumed":
        return
    for other in open_rows:
        other_meta = definition.user_tasks[workflow.get_task_from_id(UUID(other.id)).task_spec.name]
        if other_meta.milestone == "resumed" and case.suspended_since is not None:
            raise Conflict(f"办件 {case.number} 自 {case.suspended_since.isoformat()} 起暂停计时中：请先办理「{other.name}」恢复计时 "
                           f"(case {case.number} is suspended since {case.suspended_since.isoformat()}: "
                           "end the suspension first)", field="task_id")
        # An answer of the director (no department: a joint item's whole limit) holds every department.
        if other_meta.milestone == "extension_decided" and other.department_code in (None, row.department_code):
            raise Conflict(f"办件 {case.number} 有待审批的延期申请「{other.name}」，须先审批 "
                           f"(case {case.number} has an extension request waiting for the chief representative: "
                           "it is answered first)", field="task_id")
