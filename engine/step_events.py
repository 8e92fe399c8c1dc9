"""The outbox events of a case step and of the deadline sweep, from the facts they already have.

``engine/casework.py:record_step`` and ``engine/actions.py:sweep_deadlines`` call these inside
their transaction; what each event says and to whom is engine/outbox/service.py's.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.appointments.models import Appointment
from engine.cases.models import Case
from engine.catalogue.heading import item_heading
from engine.clockstop.models import ClockSuspension
from engine.outbox import service as outbox
from engine.outbox.channels import NotifyPolicy
from engine.staff.models import ServiceWindow, Staff
from engine.tasks.models import HumanTask
from engine.workflow.properties import properties_of


def case_facts(session: Session, case: Case, before_status: str | None) -> dict:
    item = item_heading(session, case.item_code)
    facts = {"id": case.id, "number": case.number, "item_code": case.item_code, "item_name": item.name if item else "",
             "department_code": case.department_code, "applicant_name": case.applicant_name,
             "status": case.status, "status_before": before_status,
             "due_date": case.due_date.isoformat() if case.due_date else None}
    return _with_platform_id(facts, case.platform_application_id)


def _with_platform_id(facts: dict, platform_id: str | None) -> dict:
    """The case facts every event of a case starts from (a step's and the sweep's): a case registered
    from an online pre-application carries the platform's id, by which the platform matches them."""
    return facts if platform_id is None else {**facts, "platform_application_id": platform_id}


def _contacts(case: Case) -> dict:
    return {"phone": case.applicant_phone, "email": case.applicant_email or None}


def _task_facts(session: Session, row) -> tuple[dict, dict]:
    """The task's facts, and whom to tell: its holder (by SMS too, at his phone) or else its queue."""
    data = {"task_id": row.id, "task_name": row.name, "department_code": row.department_code,
            "role": row.role, "assignee_id": row.assignee_id}
    if row.assignee_id is None:
        return data, {"staff": f"{row.department_code or '窗口'}:{row.role}"}
    holder = session.get(Staff, row.assignee_id)
    return data, {"staff": f"staff:{row.assignee_id}", "phone": holder.phone if holder else None}


def _kind_data(session: Session, kind: str, case: Case) -> dict:
    if kind == "decided":
        return {"decision": outbox.decision_name(case.decision)}
    if kind == "clock_stopped":
        reason = session.scalar(select(ClockSuspension.kind).where(ClockSuspension.case_id == case.id)
                                .order_by(ClockSuspension.id.desc()).limit(1))
        return {"reason": reason or "法定程序"}
    return {}


def record_step_events(session: Session, policy: NotifyPolicy, case: Case, before_status: str | None,
                       completed: list, open_rows: list[HumanTask], task_changes: list, now: datetime) -> None:
    """``completed``: the workflow tasks the step finished; ``open_rows``: the case's open task rows after
    it (those created at ``now`` are new in the queue); ``task_changes``: the deadline plan's task state changes (engine/deadlines/service.py)."""
    facts = case_facts(session, case, before_status)
    opened = [row for row in open_rows if row.created_at == now]
    milestones = [properties_of(task.task_spec).get("milestone") for task in completed]
    for kind in outbox.step_kinds(milestones, [row.milestone for row in opened]):
        outbox.record(session, policy, kind, facts, _kind_data(session, kind, case), _contacts(case), now)
    by_id = {row.id: row for row in open_rows}
    for row in opened:
        outbox.record(session, policy, outbox.TASK_QUEUED, facts, *_task_facts(session, row), now)
    for change in task_changes:
        if change.state in outbox.TASK_STATE_EVENTS and change.task_id in by_id:
            outbox.record(session, policy, outbox.TASK_STATE_EVENTS[change.state], facts,
                          *_task_facts(session, by_id[change.task_id]), now)
    if case.status != before_status:
        outbox.record(session, policy, outbox.STATUS_CHANGED, facts, {}, {}, now)
    if case.closed_at == now:
        outbox.record(session, policy, outbox.CLOSED, facts, {"outcome": case.outcome}, {}, now)


def record_sweep_events(session: Session, policy: NotifyPolicy, changed: list, now: datetime) -> None:
    """``changed``: (case id, number, status, plan) of the cases the sweep moved on."""
    turned = {change.task_id: (case_id, number, status, change.state) for case_id, number, status, plan in changed
              for change in plan.tasks if change.state in outbox.TASK_STATE_EVENTS}
    if not turned:
        return
    rows = session.scalars(select(HumanTask).where(HumanTask.id.in_(list(turned))).order_by(HumanTask.id))
    platform_ids = dict(session.execute(select(Case.id, Case.platform_application_id).where(
        Case.id.in_({case_id for case_id, *_ in turned.values()}), Case.platform_application_id.is_not(None))).all())
    facts_of_case = {}
    for row in rows:
        case_id, number, status, state = turned[row.id]
        if case_id not in facts_of_case:
            facts_of_case[case_id] = _with_platform_id(
                {"id": case_id, "number": number, "status": status, "status_before": status}, platform_ids.get(case_id))
        outbox.record(session, policy, outbox.TASK_STATE_EVENTS[state], facts_of_case[case_id],
                      *_task_facts(session, row), now)


def record_appointment_event(session: Session, policy: NotifyPolicy, kind: str, appointment: Appointment,
                             now: datetime) -> None:
    """An appointment booked or cancelled, told to the applicant at the phone and e-mail he booked with."""
    item = item_heading(session, appointment.item_code)
    window = session.get(ServiceWindow, appointment.window_code)
    data = {"appointment_id": appointment.id, "booking_code": appointment.code, "item_code": appointment.item_code,
            "item_name": item.name, "window_code": window.code, "window_name": window.name,
            "appointment_time": f"{appointment.day.isoformat()} {appointment.starts_at:%H:%M}-"
                                f"{appointment.ends_at:%H:%M}", "channel": appointment.channel}
    outbox.record(session, policy, kind, {}, data, {"phone": appointment.phone, "email": appointment.email or None},
                  now)
