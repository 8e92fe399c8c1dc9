"""Human task rows: kept in step with the workflow, claimed, and guarded by role and department."""

from datetime import date, datetime
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, NotFound, ProcessDefinitionError
from engine.staff.models import APPROVER, CHIEF, CLERK
from engine.staff.service import Actor, Cover
from engine.tasks.models import CANCELLED, COMPLETED, OPEN, HumanTask

# Which staff roles may act on a task of each BPMN role.
ACTING_ROLES = {"clerk": (CLERK,), "approver": (APPROVER, CHIEF), "chief": (CHIEF,)}


def check_task_id(task_id) -> None:
    if not isinstance(task_id, str) or not task_id or len(task_id) > 36:
        raise NotFound(f"no task '{task_id}'", field="task_id")


def get_task_row(session: Session, task_id) -> HumanTask:
    check_task_id(task_id)
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"no task '{task_id}'", field="task_id")
    return row


def rows_of_case(session: Session, case_id: int, task_id: str) -> list[HumanTask]:
    """The case's open task rows and the row ``task_id`` whatever its state."""
    return list(session.scalars(select(HumanTask).where(
        HumanTask.case_id == case_id, or_(HumanTask.state == OPEN, HumanTask.id == task_id))))


def _may_act_as(role: str, department_code: str | None, row: HumanTask) -> bool:
    return role in ACTING_ROLES.get(row.role, ()) and row.department_code in (None, department_code)


def acting_for(actor: Actor, row: HumanTask) -> Cover | None:
    """The absent A post whose work ``row`` is, when the actor sees it only as their B post (AB岗)."""
    if row.assignee_id is not None and row.assignee_id != actor.id:
        return actor.cover_for(row.assignee_id)
    if _may_act_as(actor.role, actor.department_code, row):
        return None
    return next((cover for cover in actor.covering if _may_act_as(cover.role, cover.department_code, row)), None)


def check_may_act(actor: Actor, row: HumanTask) -> None:
    if any(_may_act_as(cover.role, cover.department_code, row) for cover in actor.covering):
        return  # a B post acts as the absent A would
    if actor.role not in ACTING_ROLES.get(row.role, ()):
        raise Forbidden(f"task '{row.name}' is for {row.role} staff, not a {actor.role}", field="task_id")
    if row.department_code is not None and actor.department_code != row.department_code:
        raise Forbidden(f"task '{row.name}' belongs to department {row.department_code}", field="task_id")


def check_open(row: HumanTask) -> None:
    if row.state != OPEN:
        raise Conflict(f"task '{row.name}' is already {row.state}", field="task_id")


def check_completable(actor: Actor, row: HumanTask) -> None:
    check_may_act(actor, row)
    check_open(row)
    if row.assignee_id is not None and row.assignee_id != actor.id and actor.cover_for(row.assignee_id) is None:
        raise Conflict(f"task '{row.name}' is claimed by someone else", field="task_id")
    if row.claim_required and row.assignee_id is None:
        raise Forbidden(f"task '{row.name}' must be claimed before it is completed", field="task_id")


def claim(actor: Actor, row: HumanTask, now: datetime) -> None:
    check_may_act(actor, row)
    check_open(row)
    if row.assignee_id == actor.id:
        raise Conflict(f"task '{row.name}' is already claimed by you", field="task_id")
    # A B post takes over a task its absent A holds; anyone else's is theirs.
    if row.assignee_id is not None and actor.cover_for(row.assignee_id) is None:
        raise Conflict(f"task '{row.name}' is already claimed by someone else", field="task_id")
    row.assignee_id, row.claimed_at = actor.id, now


def unclaim(actor: Actor, row: HumanTask) -> None:
    check_may_act(actor, row)
    check_open(row)
    if row.assignee_id is None:
        raise Conflict(f"task '{row.name}' is not claimed", field="task_id")
    # A chief representative may release a colleague's task to reassign it.
    if row.assignee_id != actor.id and actor.role != CHIEF and actor.cover_for(row.assignee_id) is None:
        raise Forbidden(f"only the assignee or the chief representative may release '{row.name}'", field="task_id")
    row.assignee_id, row.claimed_at = None, None


def sync_human_tasks(session: Session, case_id: int, workflow, definition, now: datetime, evaluate,
                     completed_by: int | None, department_exists, rows: list | None = None) -> list[HumanTask]:
    """Open a row for every READY user task, close rows whose task is no longer READY.

    ``evaluate(task, expression)`` evaluates a task property expression;
    ``department_exists(session, code)`` checks a routed department; ``rows`` are the
    case's open rows when the caller has them. Returns the open rows.
    """
    ready = {str(task.id): task for task in workflow.get_tasks(state=TaskState.READY, manual=True)}
    if rows is None:
        rows = list(session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == OPEN)))
    open_rows = []
    for row in rows:
        if row.id in ready:
            open_rows.append(row)
            continue
        task = workflow.get_task_from_id(UUID(row.id))
        done = task is not None and task.state == TaskState.COMPLETED
        row.state, row.closed_at = (COMPLETED if done else CANCELLED), now
        if done:
            row.completed_by_id = completed_by
    known = {row.id for row in rows}
    for task_id, task in ready.items():
        if task_id in known:
            continue
        meta = definition.user_tasks.get(task.task_spec.name)
        if meta is None:
            raise ProcessDefinitionError(f"user task '{task.task_spec.name}' has no form metadata")
        department = evaluate(task, meta.department) if meta.department else None
        if department is not None and not department_exists(session, department):
            raise ProcessDefinitionError(f"task '{meta.bpmn_id}' routes to unknown department '{department}'")
        due = evaluate(task, meta.due) if meta.due else None
        row = HumanTask(id=task_id, case_id=case_id, bpmn_id=meta.bpmn_id, name=meta.name, role=meta.role,
                        department_code=department, form=meta.form, claim_required=meta.claim_required,
                        milestone=meta.milestone, clock=meta.clock,
                        state=OPEN, created_at=now, due_date=as_date(due, meta))
        session.add(row)
        open_rows.append(row)
    return open_rows


def as_date(value, meta) -> date | None:
    if value is None:
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ProcessDefinitionError(f"task '{meta.bpmn_id}': due expression gave '{value}', not a date") from None


def _queue_condition(role: str, department_code: str | None):
    """Open tasks a person of ``role`` may take: every task role that role acts on, in their
    department when they belong to one (the window's when not). None: the role has no queue."""
    task_roles = [task_role for task_role, staff_roles in ACTING_ROLES.items() if role in staff_roles]
    if not task_roles:
        return None
    if department_code is None:
        return HumanTask.role.in_(task_roles)
    return and_(HumanTask.role.in_(task_roles), HumanTask.department_code == department_code)


def queue(session: Session, actor: Actor, *, mine: bool = False, limit: int = 200) -> list[HumanTask]:
    """Open tasks the actor can see: their department's (or the window's), or only theirs; with
    those of the absent A posts they cover today (AB岗)."""
    statement = select(HumanTask).where(HumanTask.state == OPEN)
    if mine:
        statement = statement.where(HumanTask.assignee_id.in_([actor.id, *(c.staff_id for c in actor.covering)]))
    else:
        conditions = [condition for condition in [_queue_condition(actor.role, actor.department_code)]
                      + [_queue_condition(cover.role, cover.department_code) for cover in actor.covering]
                      if condition is not None]
        if not conditions:
            raise Forbidden(f"a {actor.role} has no task queue", field="role")
        statement = statement.where(or_(*conditions))
    return list(session.scalars(statement.order_by(HumanTask.due_date.nulls_last(), HumanTask.created_at).limit(limit)))
