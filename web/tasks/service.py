"""What the task pages and the task API both do: read inboxes and tasks, act on them.

Every function takes the signed-in actor and asks the engine's rules (engine.permissions)
what the actor may see or do; the engine checks again under the case's lock when
something changes.
"""

from dataclasses import dataclass
from uuid import UUID

from engine import masking
from engine import permissions as permissions_rules
from engine import taskfile as queries
from engine.actor import Actor
from engine.errors import InvalidInput
from engine.staff.service import name_known
from web.access import case_engine


@dataclass(frozen=True)
class Completion:
    case_number: str
    case_status: str
    task_name: str
    next_task_id: str | None


def parse_task_id(task_id) -> str:
    """Task ids are UUIDs; anything else is refused before the database is asked."""
    try:
        return str(UUID(str(task_id)))
    except ValueError:
        raise InvalidInput(f"'{task_id}' 不是待办事项编号 ('{task_id}' is not a task id, a UUID)", field="task_id") from None


def inbox(actor: Actor, mine: bool) -> list[queries.TaskListing]:
    """The queue and its cases, items and holders read in one session (one connection)."""
    with case_engine().session() as session:
        name_known(session, actor)
        return queries.queue_listings(session, actor, mine=mine)


def listing(actor: Actor, task_id) -> queries.TaskListing:
    with case_engine().session() as session:
        found = queries.listing(session, parse_task_id(task_id))
    permissions_rules.may_see_task(actor, found.task).check()
    return found


def task_detail(actor: Actor, task_id) -> queries.TaskDetail:
    listing(actor, task_id)  # the cheap row check first: no workflow is loaded for someone refused
    return queries.task_detail(case_engine(), parse_task_id(task_id), actor)


def listing_of(detail: queries.TaskDetail) -> queries.TaskListing:
    return queries.TaskListing(task=detail.task, case_number=detail.case.number, case_status=detail.case.status,
                               item_code=detail.case.item_code, item_name=detail.item_name,
                               applicant_name=detail.case.applicant_name, assignee_name=detail.assignee_name)


def claim(actor: Actor, task_id) -> queries.TaskListing:
    return case_engine().claim_and_answer(actor, parse_task_id(task_id))


def unclaim(actor: Actor, task_id) -> queries.TaskListing:
    return case_engine().unclaim_and_answer(actor, parse_task_id(task_id))


def complete(actor: Actor, task_id, form) -> Completion:
    """The engine checks the actor under the case's lock and names the next task: nothing is read first."""
    done = case_engine().complete_and_answer(actor, parse_task_id(task_id), form)
    return Completion(done.case.number, done.case.status, done.task_name, done.next_task_id)


def diagram(actor: Actor, number: str) -> dict:
    engine = case_engine()
    case = engine.get_case(number)
    with engine.session() as session:
        permissions_rules.check_may_view_case(session, actor, case)
    return engine.case_diagram(number)


def materials(data: dict) -> list[dict]:
    """The item's materials with what the window received and what was wrong with them."""
    received = set(data.get("received_materials") or [])
    defects = {defect.get("code"): defect.get("problem") for defect in data.get("material_defects") or []
               if isinstance(defect, dict)}
    return [{"code": material["code"], "name": material["name"], "mandatory": material["mandatory"],
             "form": material.get("form"), "count": material.get("count"), "received": material["code"] in received,
             "defect": defects.get(material["code"])}
            for material in data.get("materials") or []]


def case_summary(actor: Actor, detail: queries.TaskDetail) -> dict:
    """The case as the task page and the API show it to ``actor`` (JSON-ready)."""
    case, data = detail.case, masking.form_values(actor, detail.facts)
    return {
        "number": case.number, "status": case.status, "stage": case.stage, "case_type": case.case_type,
        "item_code": case.item_code, "item_name": detail.item_name,
        "department_code": case.department_code, "department_name": detail.department_name,
        "applicant": {**{key: shown for key, shown in masking.applicant(actor, case).items()
                         if key in ("kind", "name", "id_type", "id_number", "phone")},
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
