"""What the task pages and the task API both do: read inboxes and tasks, act on them.

Every function takes the signed-in actor and refuses what the actor may not see or do;
the engine checks again under the case's lock when something changes.
"""

from dataclasses import dataclass
from uuid import UUID

from engine.cases import queries as case_queries
from engine.cases.models import Case
from engine.errors import Forbidden, InvalidInput, OneWindowError
from engine.staff.models import APPROVER, CHIEF
from engine.staff.service import Actor
from engine.tasks import queries
from engine.tasks import service as tasks
from engine.tasks.models import OPEN, HumanTask
from web.access import case_engine


@dataclass(frozen=True)
class Completion:
    case_number: str
    case_status: str
    task_name: str
    next_task_id: str | None


@dataclass(frozen=True)
class Permissions:
    claim: bool
    unclaim: bool
    complete: bool


def parse_task_id(task_id) -> str:
    """Task ids are UUIDs; anything else is refused before the database is asked."""
    try:
        return str(UUID(str(task_id)))
    except ValueError:
        raise InvalidInput(f"'{task_id}' is not a task id (a UUID)", field="task_id") from None


def inbox(actor: Actor, mine: bool) -> list[queries.TaskListing]:
    engine = case_engine()
    rows = engine.task_queue(actor, mine=mine)
    with engine.session() as session:
        return queries.listings(session, rows)


def listing(actor: Actor, task_id) -> queries.TaskListing:
    with case_engine().session() as session:
        found = queries.listing(session, parse_task_id(task_id))
    tasks.check_may_act(actor, found.task)
    return found


def task_detail(actor: Actor, task_id) -> queries.TaskDetail:
    listing(actor, task_id)  # the cheap row check first: no workflow is loaded for someone refused
    return queries.task_detail(case_engine(), parse_task_id(task_id), case_queries.opinion_scope(actor))


def listing_of(detail: queries.TaskDetail) -> queries.TaskListing:
    return queries.TaskListing(task=detail.task, case_number=detail.case.number, case_status=detail.case.status,
                               item_code=detail.case.item_code, item_name=detail.item_name,
                               applicant_name=detail.case.applicant_name, assignee_name=detail.assignee_name)


def permissions(actor: Actor, row: HumanTask) -> Permissions:
    if row.state != OPEN:
        return Permissions(False, False, False)
    held = row.assignee_id is not None
    covered = held and actor.cover_for(row.assignee_id) is not None  # held by an absent A this B post covers
    return Permissions(
        claim=not held or covered,
        unclaim=held and (row.assignee_id == actor.id or actor.role == CHIEF or covered),
        complete=row.assignee_id == actor.id or covered or (not held and not row.claim_required),
    )


def claim(actor: Actor, task_id) -> queries.TaskListing:
    row = case_engine().claim_task(actor, parse_task_id(task_id))
    return listing(actor, row.id)


def unclaim(actor: Actor, task_id) -> queries.TaskListing:
    row = case_engine().unclaim_task(actor, parse_task_id(task_id))
    return listing(actor, row.id)


def complete(actor: Actor, task_id, form) -> Completion:
    engine = case_engine()
    task_id = parse_task_id(task_id)
    done = listing(actor, task_id)
    case = engine.complete_task(actor, task_id, form)
    return Completion(case.number, case.status, done.task.name, next_task_for(actor, case.number))


def next_task_for(actor: Actor, number: str) -> str | None:
    """The case's next open task if it is this actor's to do (theirs, or unclaimed and theirs to take)."""
    for row in case_engine().open_tasks(number):
        try:
            tasks.check_may_act(actor, row)
        except OneWindowError:
            continue
        if row.assignee_id in (None, actor.id):
            return row.id
    return None


def check_may_view_case(actor: Actor, case: Case) -> None:
    """Back-office staff see their own department's cases only; the window and supervisors see all."""
    departments = {actor.department_code} | {cover.department_code for cover in actor.covering}
    if actor.role in (APPROVER, CHIEF) and case.department_code not in departments:
        raise Forbidden(f"case {case.number} belongs to department {case.department_code}", field="case_number")


def diagram(actor: Actor, number: str) -> dict:
    engine = case_engine()
    check_may_view_case(actor, engine.get_case(number))
    return engine.case_diagram(number)


def mask(value: str | None, head: int, tail: int) -> str:
    """An ID or phone number shown with its middle hidden (enough to compare, not to copy)."""
    if not value or len(value) <= head + tail:
        return value or ""
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


def materials(data: dict) -> list[dict]:
    """The item's materials with what the window received and what was wrong with them."""
    received = set(data.get("received_materials") or [])
    defects = {defect.get("code"): defect.get("problem") for defect in data.get("material_defects") or []
               if isinstance(defect, dict)}
    return [{"code": material["code"], "name": material["name"], "mandatory": material["mandatory"],
             "form": material.get("form"), "count": material.get("count"), "received": material["code"] in received,
             "defect": defects.get(material["code"])}
            for material in data.get("materials") or []]


def case_summary(detail: queries.TaskDetail) -> dict:
    """The case as the task page and the API show it (JSON-ready)."""
    case, data = detail.case, detail.data
    return {
        "number": case.number, "status": case.status, "stage": case.stage, "case_type": case.case_type,
        "item_code": case.item_code, "item_name": detail.item_name,
        "department_code": case.department_code, "department_name": detail.department_name,
        "applicant": {"kind": case.applicant_kind, "name": case.applicant_name, "id_type": case.applicant_id_type,
                      "id_number": mask(case.applicant_id_number, 6, 4), "phone": mask(case.applicant_phone, 3, 4),
                      "contact": case.applicant_contact},
        "received_on": case.received_on, "accepted_on": case.accepted_on, "due_date": case.due_date,
        "deadline_state": case.deadline_state, "notice_count": case.notice_count,
        "delivery_method": data.get("delivery_method"), "postal_address": data.get("postal_address"),
        "correction_deadline": data.get("correction_deadline"),
        "materials": materials(data), "missing_materials": list(data.get("missing_materials") or []),
        "steps": [{"at": step.at, "action": step.action, "actor": step.actor_name, "task_id": step.task_id,
                   "task": step.task_bpmn_id, "task_name": step.task_name, "form": step.form}
                  for step in detail.steps],
    }
