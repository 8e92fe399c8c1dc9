"""Reading tasks for inboxes and task pages; nothing here changes a case.

An inbox row needs its case's number, item and applicant and the assignee's name: they
are read in one query per kind for the whole list, never one per row. A task page needs
the task's form with its ``x-options-from`` choices filled from the task's own data, and
the case's earlier steps (who did what, with the form they submitted).
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from engine import casefile, masking, permissions
from engine.actor import Actor
from engine.audit import service as audit
from engine.cases.models import Case
from engine.catalogue.heading import item_heading
from engine.catalogue.models import Department, ServiceItem
from engine.clockstop import service as clockstop
from engine.errors import Conflict
from engine.staff.service import staff_names
from engine.tasks import service as tasks
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.facts import case_facts
from engine.workflow.forms import resolve_options

# Audit actions that are steps of the case (the deadline sweep's state changes are not).
STEP_ACTIONS = ("create", "complete", "claim", "unclaim", "timer", "suspend", "request_extension")


@dataclass(frozen=True)
class TaskListing:
    """One inbox row: the task and what a person needs to recognise it."""

    task: HumanTask
    case_number: str
    case_status: str
    item_code: str
    item_name: str
    applicant_name: str
    assignee_name: str | None


@dataclass(frozen=True)
class CaseStep:
    """An audited step of the case; ``form`` is what was submitted, ``schema`` its form."""

    at: datetime
    action: str
    actor_username: str
    actor_name: str
    task_id: str | None
    task_bpmn_id: str | None
    task_name: str | None
    form: dict
    schema: dict | None


@dataclass(frozen=True)
class TaskDetail:
    """A task with its case, its form (options resolved) and the case's steps so far."""

    task: HumanTask
    case: Case
    item_name: str
    department_name: str  # the case's department (承办部门), whichever department this step is for
    assignee_name: str | None
    completed_by_name: str | None
    form: dict
    data: dict  # the task's own data, which its form is checked against
    facts: dict  # the case's facts, whichever (sub)process the task runs in
    steps: list[CaseStep]
    records: casefile.BackOfficeRecords
    held_by: HumanTask | None = None  # the open task this one must wait for (恢复计时, the chief's answer)
    weighs_opinions: bool = False  # the model's step that decides on the countersigned opinions


def listings(session, rows: list[HumanTask]) -> list[TaskListing]:
    """Inbox rows for task rows (e.g. a queue), in the same order."""
    case_ids = {row.case_id for row in rows}
    found = session.execute(select(Case.id, Case.number, Case.status, Case.item_code, Case.applicant_name,
                                   ServiceItem.name.label("item_name"))
                            .join(ServiceItem, ServiceItem.code == Case.item_code)
                            .where(Case.id.in_(case_ids))).all() if case_ids else []
    cases = {case.id: case for case in found}
    names = staff_names(session, (row.assignee_id for row in rows))
    return [_listing(row, cases[row.case_id], cases[row.case_id].item_name, names) for row in rows]


def queue_listings(session, actor: Actor, *, mine: bool = False) -> list[TaskListing]:
    """The inbox: the actor's queue (engine/tasks/service.py:queue_statement) with each task's case
    and item in the same statement."""
    found = session.execute(tasks.queue_statement(actor, mine=mine)
                            .join(Case, Case.id == HumanTask.case_id)
                            .join(ServiceItem, ServiceItem.code == Case.item_code)
                            .add_columns(Case.number, Case.status, Case.item_code, Case.applicant_name,
                                         ServiceItem.name.label("item_name"))).all()
    names = staff_names(session, (line.HumanTask.assignee_id for line in found))
    return [_listing(line.HumanTask, line, line.item_name, names) for line in found]


def _listing(row: HumanTask, case, item_name: str, names: dict[int, str]) -> TaskListing:
    """``case``: the Case, or a row with its number, status, item_code and applicant_name."""
    return TaskListing(task=row, case_number=case.number, case_status=case.status, item_code=case.item_code,
                       item_name=item_name, applicant_name=case.applicant_name, assignee_name=names.get(row.assignee_id))


def listing(session, task_id: str) -> TaskListing:
    return listings(session, [tasks.get_task_row(session, task_id)])[0]


def listing_of_case(session, case: Case, row: HumanTask) -> TaskListing:
    """The inbox line of ``row`` when its case is already read (a claim's answer, under the case's lock)."""
    return _listing(row, case, item_heading(session, case.item_code).name,
                    staff_names(session, [row.assignee_id]))


def case_steps(session, case: Case, definition, actor: Actor) -> list[CaseStep]:
    """The case's audited steps, with each completed form and the schema it was filled in, as
    ``actor`` may read them: a co-reviewing department does not see the forms other departments
    countersigned (engine.permissions.opinion_scope); ID and phone numbers masked (engine.masking).
    """
    scope = permissions.opinion_scope(actor)
    metas = {meta.bpmn_id: meta for meta in definition.user_tasks.values()}
    entries = [entry for entry in audit.case_history(session, case.id) if entry.action in STEP_ACTIONS]
    names = staff_names(session, (entry.actor_id for entry in entries))
    hidden = casefile.hidden_countersign_tasks(session, case, scope)
    steps = []
    for entry in entries:
        detail = entry.detail or {}
        meta = metas.get(detail.get("task"))
        shown = entry.action in ("create", "complete") and entry.task_id not in hidden
        form = detail.get("form") if shown else None
        steps.append(CaseStep(at=entry.at, action=entry.action, actor_username=entry.actor,
                              actor_name=names.get(entry.actor_id, entry.actor), task_id=entry.task_id,
                              task_bpmn_id=meta.bpmn_id if meta else None, task_name=meta.name if meta else None,
                              form=masking.form_values(actor, dict(form or {})), schema=definition.forms.get(meta.form) if meta and form else None))
    return steps


def _held_by(session, case: Case, row: HumanTask, definition, workflow) -> HumanTask | None:
    """The open task a decision must wait for, asked of the engine's own rule (engine.clockstop), so the
    page can say so before anyone submits."""
    if row.state != OPEN:
        return None
    meta = definition.user_tasks[workflow.get_task_from_id(UUID(row.id)).task_spec.name]
    for other in session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == OPEN,
                                                         HumanTask.id != row.id)):
        try:
            clockstop.check_may_proceed(case, row, meta, [other], definition, workflow)
        except Conflict:
            return other
    return None


def task_detail(engine, task_id: str, actor: Actor) -> TaskDetail:
    """Everything a task page shows to ``actor`` (who may see the task). ``engine`` is the CaseEngine."""
    with engine.session() as session:
        row = tasks.get_task_row(session, task_id)
        case = session.get(Case, row.case_id)
        item = session.get(ServiceItem, case.item_code)
        department = session.get(Department, case.department_code)  # 承办部门: the lead, also on a co-reviewer's step
        names = staff_names(session, (row.assignee_id, row.completed_by_id))
        with engine.reading_workflow(session, case) as (definition, workflow):
            steps = case_steps(session, case, definition, actor)
            records = casefile.back_office_records(session, case, permissions.opinion_scope(actor))
            task = workflow.get_task_from_id(UUID(row.id))
            # A task's own data is what its form is checked against; a task no longer in the
            # tree (cancelled by a timer) shows the case's latest data instead.
            if task is not None:
                data = dict(task.data)
            else:
                data = dict(workflow.data if workflow.is_completed() else workflow.last_task.data)
            form = resolve_options(definition.forms[row.form], data)
            weighs = any(meta.weighs_opinions for meta in definition.user_tasks.values()
                         if meta.bpmn_id == row.bpmn_id)
            facts = case_facts(workflow)
            held_by = _held_by(session, case, row, definition, workflow) if task is not None else None
    return TaskDetail(task=row, case=case, item_name=item.name, department_name=department.name,
                      assignee_name=names.get(row.assignee_id), completed_by_name=names.get(row.completed_by_id),
                      form=form, data=data, facts=facts, steps=steps, records=records,
                      held_by=held_by, weighs_opinions=weighs)
