"""Human task rows: kept in step with the workflow, claimed and released, queued by role and department.

Who may act on a row is decided in engine.permissions."""

from datetime import date, datetime
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.cases.models import Case
from engine.catalogue.heading import remember_heading, with_item_heading
from engine.errors import Forbidden, NotFound, ProcessDefinitionError
from engine.roles import ACTING_ROLES, DIRECTOR
from engine.tasks.models import CANCELLED, COMPLETED, OPEN, HumanTask, party_list


def check_task_id(task_id) -> None:
    if not isinstance(task_id, str) or not task_id or len(task_id) > 36:
        raise NotFound(f"未找到待办事项 '{task_id}' (no task '{task_id}')", field="task_id")


def get_task_row(session: Session, task_id) -> HumanTask:
    check_task_id(task_id)
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"未找到待办事项 '{task_id}' (no task '{task_id}')", field="task_id")
    return row


def lock_case_of_task(session: Session, task_id: str) -> Case | None:
    """Take the row lock of the case a human task belongs to (None: no such task). The case's item
    heading comes in the same statement (a step's answer and its documents name the item), its
    rows unlocked."""
    owner = select(HumanTask.case_id).where(HumanTask.id == task_id).scalar_subquery()
    found = session.execute(
        with_item_heading(select(Case), Case.item_code).where(Case.id == owner)
        .with_for_update(of=Case).execution_options(populate_existing=True)
    ).first()
    if found is None:
        return None
    remember_heading(session, found)
    return found.Case


def rows_of_case(session: Session, case_id: int, task_id: str) -> list[HumanTask]:
    """The case's open task rows and the row ``task_id`` whatever its state."""
    return list(session.scalars(select(HumanTask).where(
        HumanTask.case_id == case_id, or_(HumanTask.state == OPEN, HumanTask.id == task_id))))


def claim(actor: Actor, row: HumanTask, now: datetime) -> None:
    """Give ``row`` to ``actor`` (the rule: engine.permissions.may_claim)."""
    row.assignee_id, row.claimed_at = actor.id, now


def unclaim(row: HumanTask) -> None:
    """Put ``row`` back in its queue (the rule: engine.permissions.may_unclaim)."""
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
            raise ProcessDefinitionError(f"人工环节 '{task.task_spec.name}' 没有表单信息 "
                                         f"(user task '{task.task_spec.name}' has no form metadata)")
        department = evaluate(task, meta.department) if meta.department else None
        if department is not None and not department_exists(session, department):
            raise ProcessDefinitionError(f"环节 '{meta.bpmn_id}' 指向未知的部门 '{department}' "
                                         f"(task '{meta.bpmn_id}' routes to unknown department '{department}')")
        due = evaluate(task, meta.due) if meta.due else None
        parties = request_parties(evaluate(task, meta.approves), meta) if meta.approves else None
        row = HumanTask(id=task_id, case_id=case_id, bpmn_id=meta.bpmn_id, name=meta.name, role=meta.role,
                        department_code=department, form=meta.form, claim_required=meta.claim_required,
                        milestone=meta.milestone, clock=meta.clock, request_parties=parties,
                        state=OPEN, created_at=now, due_date=as_date(due, meta))
        session.add(row)
        open_rows.append(row)
    return open_rows


def request_parties(request, meta) -> str:
    """Who is party to the request an approval step decides: the request (a message payload the
    engine sent) names who made it (``requested_by``) and who held the case then (``held_by``)."""
    if not isinstance(request, dict) or "requested_by" not in request:
        raise ProcessDefinitionError(f"环节 '{meta.bpmn_id}'：approves 须指向引擎发出的申请 "
                                     f"(task '{meta.bpmn_id}': approves must name a request the engine sent)")
    return party_list([request["requested_by"], *request.get("held_by", [])])


def as_date(value, meta) -> date | None:
    if value is None:
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ProcessDefinitionError(f"环节 '{meta.bpmn_id}' 的期限表达式得出 '{value}'，不是日期 "
                                     f"(task '{meta.bpmn_id}': due expression gave '{value}', not a date)") from None


def _queue_condition(role: str, department_code: str | None):
    """Open tasks a person of ``role`` may take: every task role that role acts on, in their
    department when they belong to one (the window's when not). None: the role has no queue."""
    task_roles = [task_role for task_role, staff_roles in ACTING_ROLES.items() if role in staff_roles]
    if not task_roles:
        return None
    if role == DIRECTOR:  # his own steps, and every approval a department's chief may be party to
        return or_(HumanTask.role.in_(task_roles), HumanTask.request_parties.is_not(None))
    if department_code is None:
        return HumanTask.role.in_(task_roles)
    return and_(HumanTask.role.in_(task_roles), HumanTask.department_code == department_code)


def queue_statement(actor: Actor, *, mine: bool = False, limit: int = 200) -> Select:
    """Open tasks the actor can see: their department's (or the window's), or only theirs; with
    those of the absent A posts they cover today (AB岗)."""
    statement = select(HumanTask).where(HumanTask.state == OPEN)
    if mine:
        statement = statement.where(HumanTask.assignee_id.in_([actor.id, *(c.staff_id for c in actor.covering)]))
    else:
        conditions = [condition for condition in [_queue_condition(role, actor.department_code) for role in actor.roles]
                      + [_queue_condition(cover.role, cover.department_code) for cover in actor.covering]
                      if condition is not None]
        if not conditions:
            raise Forbidden(f"您的岗位没有待办队列 (a {actor.role} has no task queue)", field="role")
        statement = statement.where(or_(*conditions))
    # Nobody is offered the approval of a request he made or a case he held (engine.permissions).
    statement = statement.where(or_(HumanTask.request_parties.is_(None),
                                    ~HumanTask.request_parties.contains(f",{actor.id},")))
    return statement.order_by(HumanTask.due_date.nulls_last(), HumanTask.created_at).limit(limit)


def queue(session: Session, actor: Actor, *, mine: bool = False, limit: int = 200) -> list[HumanTask]:
    """The rows of ``queue_statement``."""
    return list(session.scalars(queue_statement(actor, mine=mine, limit=limit)))
