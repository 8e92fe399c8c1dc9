"""Keeping deadline states of cases and their open tasks current, and charging overdue days.

The same evaluation serves a case step (ORM objects, inside the step's transaction) and
the sweep (plain rows, a batch per transaction). A case is looked at again only when its
``deadline_check_at`` passes: the sweep's cost follows the cases that change, never the
number of open cases.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases.models import Case
from engine.clock import CHINA_TZ, local_datetime
from engine.deadlines.states import NORMAL, RED, WarningPolicy, deadline
from engine.joint import service as joint
from engine.ledger import service as ledger
from engine.roles import CHIEF
from engine.staff.models import Staff
from engine.tasks.models import OPEN, HumanTask

log = logging.getLogger(__name__)

OVERDUE_TRIGGER = "case_overdue"
# A 即办件 is decided at the window the day it is accepted; one decided later (or not yet) was
# handled as a 承诺件 (seed 004 篇四 二(二)5: 该即办的按承诺办理).
IMMEDIATE, IMMEDIATE_AS_PROMISED_TRIGGER = "即办件", "immediate_as_promised"


@dataclass(frozen=True)
class Charge:
    """One violation other than overdue days, found while evaluating a case: charged once by its key."""

    trigger: str
    key: str
    day: date
    staff_id: int | None
    evidence: str


@dataclass
class TaskChange:
    task_id: str
    bpmn_id: str
    before: str
    state: str
    since: datetime


@dataclass
class Plan:
    """What time has done to one case: new states, the next look, the overdue days to charge."""

    case_id: int
    before: str
    state: str
    since: datetime
    check_at: datetime | None
    working_days_late: int
    commitment_before: str = NORMAL
    commitment_state: str = NORMAL
    charges: list = field(default_factory=list)  # (n-th working day late, day, responsible staff id)
    other_charges: list[Charge] = field(default_factory=list)
    tasks: list[TaskChange] = field(default_factory=list)

    @property
    def transitions(self) -> dict:
        detail = {"task_states": [{"task": t.bpmn_id, "from": t.before, "to": t.state} for t in self.tasks]}
        if self.state != self.before:
            detail["case_state"] = {"from": self.before, "to": self.state}
        if self.commitment_state != self.commitment_before:
            detail["commitment_state"] = {"from": self.commitment_before, "to": self.commitment_state}
        return detail

    @property
    def changed(self) -> bool:
        return self.state != self.before or bool(self.tasks) or self.commitment_state != self.commitment_before


def _instant(day: date, anchor: datetime) -> datetime:
    """Local midnight of ``day``, but never before the moment the case or task existed."""
    return max(local_datetime(day), anchor)


def _responsible(case, open_tasks, chiefs: dict) -> int | None:
    """谁办理、谁负责: who holds the late case now."""
    for task in open_tasks:
        if task.assignee_id is not None:
            return task.assignee_id
    for task in open_tasks:
        if task.department_code is not None:
            return chiefs.get(task.department_code)
    return case.created_by_id


def _immediate_as_promised(case, plan: Plan, calendar: WorkCalendar, today: date, chiefs: dict, holders) -> None:
    if case.case_type != IMMEDIATE or case.accepted_on is None:
        return
    decided_on = case.decided_at.astimezone(CHINA_TZ).date() if case.decided_at is not None else None
    if (decided_on or today) > case.accepted_on:
        plan.other_charges.append(Charge(
            IMMEDIATE_AS_PROMISED_TRIGGER, f"{IMMEDIATE_AS_PROMISED_TRIGGER}:{case.id}",
            calendar.next_working_day(case.accepted_on + timedelta(days=1)), _responsible(case, holders, chiefs),
            f"办件 {case.number} 为即办件，{case.accepted_on.isoformat()} 受理后未当日办结"))


def _record_other_charges(session: Session, charges: list[Charge], now: datetime, case_ids: dict) -> None:
    """``case_ids``: {violation key: case id} of the charges' cases."""
    for trigger in sorted({charge.trigger for charge in charges}):
        ledger.record_automatic_rows(session, trigger, [
            ledger.automatic_row(staff_id=charge.staff_id, violation_key=charge.key, occurred_on=charge.day,
                                 case_id=case_ids[charge.key], evidence=charge.evidence, now=now)
            for charge in charges if charge.trigger == trigger and charge.staff_id is not None])


def evaluate(case, open_tasks, calendar: WorkCalendar, policy: WarningPolicy, today: date, chiefs: dict,
             holders=None) -> Plan:
    """Works on ORM objects and on plain rows alike (it only reads attributes).

    ``holders``: the task rows whose people answer for late days (default: the open tasks).
    """
    plan = Plan(case.id, case.deadline_state, case.deadline_state, case.deadline_state_since, None, 0)
    plan.commitment_before = plan.commitment_state = case.commitment_state or NORMAL
    upcoming = []
    # While the clock is stopped (第45条) time does not run for the case or its tasks.
    if case.suspended_since is not None:
        today = min(today, case.suspended_since)
    if case.due_date is not None and case.accepted_on is not None:
        # The promised limit runs until the decision (办结); pickup and rating come after it.
        decided_on = case.decided_at.astimezone(CHINA_TZ).date() if case.decided_at is not None else None
        result = deadline(calendar, case.accepted_on, case.due_date, min(today, decided_on or today), policy)
        state, since = (result.state, result.since) if decided_on is None else (NORMAL, None)
        if state != case.deadline_state or case.deadline_state_since is None:
            plan.state = state
            plan.since = _instant(since, case.accepted_at) if since else case.decided_at
        if decided_on is None:
            upcoming.append(result.next_change)
        plan.working_days_late = result.working_days_late
        first_uncharged = (case.overdue_days_charged or 0) + 1
        if result.working_days_late >= first_uncharged:
            staff_id = _responsible(case, open_tasks if holders is None else holders, chiefs)
            for n in range(first_uncharged, result.working_days_late + 1):
                plan.charges.append((n, calendar.add_working_days(case.due_date, n).day, staff_id))
    for task in open_tasks:
        if task.due_date is None:
            continue
        created_on = task.created_at.astimezone(CHINA_TZ).date()
        result = deadline(calendar, min(created_on, task.due_date), task.due_date, today, policy)
        if result.state != RED:
            upcoming.append(result.next_change)
        if result.state != (task.deadline_state or NORMAL):
            plan.tasks.append(TaskChange(task.id, task.bpmn_id, task.deadline_state or NORMAL, result.state,
                                         _instant(result.since, task.created_at)))
        if joint.late_reply(case, task, today):
            plan.other_charges.append(Charge(
                joint.CO_REVIEW_LATE_TRIGGER, f"{joint.CO_REVIEW_LATE_TRIGGER}:{task.id}",
                task.due_date + timedelta(days=1), _responsible(case, [task], chiefs),
                f"办件 {case.number} 联审会签（{task.department_code}）回复期限 {task.due_date.isoformat()}，逾期未回复"))
    _immediate_as_promised(case, plan, calendar, today, chiefs, open_tasks if holders is None else holders)
    if case.commitment_due is not None and case.accepted_on is not None:
        result = deadline(calendar, min(case.accepted_on, case.commitment_due), case.commitment_due, today, policy)
        plan.commitment_state = result.state
        upcoming.append(result.next_change)
    if case.closed_at is None and case.suspended_since is None:
        days = [day for day in upcoming if day is not None]
        plan.check_at = local_datetime(min(days)) if days else None
    return plan


def _charge_rows(case, plan: Plan, now: datetime) -> list[dict]:
    return [ledger.automatic_row(staff_id=staff_id, violation_key=f"{OVERDUE_TRIGGER}:{case.id}:{n}",
                                 occurred_on=day, case_id=case.id, now=now,
                                 evidence=f"办件 {case.number} 承诺期限 {case.due_date.isoformat()}，"
                                          f"至 {day.isoformat()} 超期第 {n} 个工作日")
            for n, day, staff_id in plan.charges if staff_id is not None]


def department_chiefs(session: Session) -> dict[str, int]:
    rows = session.execute(select(Staff.department_code, Staff.id)
                           .where(Staff.role == CHIEF, Staff.active.is_(True)).order_by(Staff.id.desc()))
    return dict(rows.all())


def refresh_case(session: Session, case: Case, open_rows: list[HumanTask], holders: list[HumanTask],
                 calendar: WorkCalendar, policy: WarningPolicy, today: date, now: datetime) -> Plan:
    """Inside a case step: bring the case's and its open tasks' deadline states up to date.

    ``holders``: the tasks open before the step; their people answer for days late until now.
    """
    late_reply = any(joint.late_reply(case, row, today) for row in open_rows)
    immediate = case.case_type == IMMEDIATE
    chiefs = department_chiefs(session) if (case.due_date and today > case.due_date) or late_reply or immediate else {}
    plan = evaluate(case, open_rows, calendar, policy, today, chiefs, holders)
    case.deadline_state, case.deadline_state_since, case.deadline_check_at = plan.state, plan.since, plan.check_at
    case.commitment_state = plan.commitment_state
    if plan.charges:
        ledger.record_automatic_rows(session, OVERDUE_TRIGGER, _charge_rows(case, plan, now))
        case.overdue_days_charged = plan.working_days_late
    if plan.other_charges:
        _record_other_charges(session, plan.other_charges, now, {charge.key: case.id for charge in plan.other_charges})
    by_id = {row.id: row for row in open_rows}
    for change in plan.tasks:
        by_id[change.task_id].deadline_state = change.state
        by_id[change.task_id].deadline_state_since = change.since
    return plan


_CASE_COLUMNS = (Case.id, Case.number, Case.case_type, Case.department_code, Case.status, Case.accepted_on, Case.accepted_at, Case.due_date,
                 Case.decided_at, Case.closed_at, Case.created_by_id, Case.deadline_state, Case.deadline_state_since,
                 Case.overdue_days_charged, Case.suspended_since, Case.commitment_due, Case.commitment_state)
_TASK_COLUMNS = (HumanTask.id, HumanTask.case_id, HumanTask.bpmn_id, HumanTask.created_at, HumanTask.due_date,
                 HumanTask.assignee_id, HumanTask.department_code, HumanTask.deadline_state, HumanTask.milestone)
_CASES = Case.__table__
_TASKS = HumanTask.__table__
_UPDATE_CASE = _CASES.update().where(_CASES.c.id == bindparam("b_id")).values(
    deadline_state=bindparam("new_state"), deadline_state_since=bindparam("new_since"),
    deadline_check_at=bindparam("new_check_at"), overdue_days_charged=bindparam("new_charged"),
    commitment_state=bindparam("new_commitment_state"))
_UPDATE_TASK = _TASKS.update().where(_TASKS.c.id == bindparam("b_id")).values(
    deadline_state=bindparam("new_state"), deadline_state_since=bindparam("new_since"))


def sweep_batch(session: Session, calendar: WorkCalendar, policy: WarningPolicy, today: date, now: datetime,
                limit: int) -> tuple[list[tuple], int]:
    """Advance up to ``limit`` due cases in the caller's transaction.

    Returns (case id, number, status, plan) of the cases whose states changed (for the
    audit), and how many cases were advanced.
    Due cases are locked (``SKIP LOCKED`` on PostgreSQL: a case in a step is left for the
    next tick, and two sweepers never take the same case).
    """
    query = (select(*_CASE_COLUMNS).where(Case.deadline_check_at <= now).order_by(Case.deadline_check_at)
             .limit(limit).with_for_update(skip_locked=True))
    cases = session.execute(query).all()
    if not cases:
        return [], 0
    tasks_by_case: dict[int, list] = {}
    for task in session.execute(select(*_TASK_COLUMNS).where(
            HumanTask.case_id.in_([case.id for case in cases]), HumanTask.state == OPEN)):
        tasks_by_case.setdefault(task.case_id, []).append(task)
    chiefs = department_chiefs(session)
    case_updates, task_updates, charges, others, changed = [], [], [], [], []
    other_cases = {}
    for case in cases:
        try:
            plan = evaluate(case, tasks_by_case.get(case.id, []), calendar, policy, today, chiefs)
        except Exception:
            # One broken case must not stop the sweep: it keeps its check time and is retried.
            log.exception("deadline sweep of case %s failed", case.number)
            continue
        charges.extend(_charge_rows(case, plan, now))
        others.extend(plan.other_charges)
        other_cases.update({charge.key: case.id for charge in plan.other_charges})
        charged = plan.working_days_late if plan.charges else case.overdue_days_charged
        case_updates.append({"b_id": case.id, "new_state": plan.state, "new_since": plan.since,
                             "new_check_at": plan.check_at, "new_charged": charged,
                             "new_commitment_state": plan.commitment_state})
        task_updates.extend({"b_id": t.task_id, "new_state": t.state, "new_since": t.since} for t in plan.tasks)
        if plan.changed:
            changed.append((case.id, case.number, case.status, plan))
    connection = session.connection()
    if case_updates:
        connection.execute(_UPDATE_CASE, case_updates)
    if task_updates:
        connection.execute(_UPDATE_TASK, task_updates)
    if charges:
        ledger.record_automatic_rows(session, OVERDUE_TRIGGER, charges)
    if others:
        _record_other_charges(session, others, now, other_cases)
    return changed, len(case_updates)
