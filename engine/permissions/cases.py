"""Rules of cases and their tasks: who sees a case, acts on its clock, claims, releases and
completes a task, and which task one goes on with."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor, Cover
from engine.cases.models import Case
from engine.catalogue.models import ItemCoDepartment
from engine.errors import Conflict, Forbidden
from engine.permissions.decision import ALLOWED, STATE_WORDS, Decision, holds_role, refused
from engine.permissions.staff import in_back_office
from engine.roles import (
    ACTING_ROLES,
    CHIEF,
    DIRECTOR,
)
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.properties import CLOCK_STOPPABLE

# -- cases -----------------------------------------------------------------------------

def may_view_case(session: Session, actor: Actor, case: Case) -> Decision:
    """The window, supervisors and admins see every case; the back office sees its own
    department's cases and those of items it co-reviews (联办件); a B post also those of the
    absent A posts it covers today (AB岗)."""
    departments = {actor.department_code} | {cover.department_code for cover in actor.covering}
    if not in_back_office(actor) or case.department_code in departments:
        return ALLOWED
    co_reviewing = session.scalar(select(ItemCoDepartment.department_code).where(
        ItemCoDepartment.item_code == case.item_code, ItemCoDepartment.department_code.in_(departments - {None})))
    if co_reviewing is None:
        return refused(Forbidden(f"办件 {case.number} 属于 {case.department_code} 部门，您无权查看 "
                                 f"(case {case.number} belongs to department {case.department_code})",
                                 field="case_number"))
    return ALLOWED


def check_may_view_case(session: Session, actor: Actor, case: Case) -> None:
    may_view_case(session, actor, case).check()


def opinion_scope(actor: Actor) -> str | None:
    """Whose countersigned opinions ``actor`` reads: None (all) for the window, supervisors and
    admins; the back office its own department's (the lead department's reads all)."""
    return actor.department_code if in_back_office(actor) else None


def may_act_on_clock(actor: Actor, case: Case, open_rows: list[HumanTask]) -> Decision:
    """Stop the clock or ask for an extension: the back office of the department the case is with,
    on a step whose model declares ``clock: stoppable``."""
    if not in_back_office(actor):
        return refused(Forbidden("只有后台审批人员和首席代表可以暂停计时或申请延期 "
                                 "(only back-office approvers and chief representatives act on the clock)",
                                 field="role"))
    back_office = [row for row in open_rows if row.clock == CLOCK_STOPPABLE]
    if not back_office:
        return refused(Conflict(f"办件 {case.number} 当前环节（{case.stage or case.status}）不能暂停计时或申请延期 "
                                f"(case {case.number} is at no step whose clock may stop)",
                                field="case_number"))
    if not any(row.department_code == actor.department_code for row in back_office):
        return refused(Forbidden(f"办件 {case.number} 不在 {actor.department_code} 部门办理 "
                                 f"(case {case.number} is not with department {actor.department_code})",
                                 field="case_number"))
    return ALLOWED


# -- tasks -----------------------------------------------------------------------------

def _may_act_as(role: str, department_code: str | None, row: HumanTask) -> bool:
    if role == DIRECTOR and row.approves_request:
        return True  # the head of the center decides what a department's chief may not (party to it)
    return role in ACTING_ROLES.get(row.role, ()) and row.department_code in (None, department_code)


def acting_for(actor: Actor, row: HumanTask) -> Cover | None:
    """The absent A post whose work ``row`` is, when the actor sees it only as their B post (AB岗)."""
    if row.assignee_id is not None and row.assignee_id != actor.id:
        return actor.cover_for(row.assignee_id)
    if any(_may_act_as(role, actor.department_code, row) for role in actor.roles):
        return None
    return next((cover for cover in actor.covering if _may_act_as(cover.role, cover.department_code, row)), None)


def may_see_task(actor: Actor, row: HumanTask) -> Decision:
    """The task is for the actor's role and department (or for an A post they cover today)."""
    if any(_may_act_as(cover.role, cover.department_code, row) for cover in actor.covering):
        return ALLOWED  # a B post acts as the absent A would
    if any(_may_act_as(role, actor.department_code, row) for role in actor.roles):
        return ALLOWED
    if not holds_role(actor, ACTING_ROLES.get(row.role, ())):
        return refused(Forbidden(f"待办事项「{row.name}」不属于您的岗位 "
                                 f"(the task is for {row.role} staff, not a {actor.role})", field="task_id"))
    if row.department_code is not None and actor.department_code != row.department_code:
        return refused(Forbidden(f"待办事项「{row.name}」属于 {row.department_code} 部门 "
                                 f"(the task belongs to department {row.department_code})", field="task_id"))
    return ALLOWED


def _open(row: HumanTask) -> Decision:
    if row.state != OPEN:
        return refused(Conflict(f"待办事项「{row.name}」已{STATE_WORDS.get(row.state, row.state)}，不能再办理 "
                                f"(the task is already {row.state})", field="task_id"))
    return ALLOWED


def _held_by_covered(actor: Actor, row: HumanTask) -> bool:
    return row.assignee_id is not None and actor.cover_for(row.assignee_id) is not None


def _not_party(actor: Actor, row: HumanTask) -> Decision:
    """Nobody approves his own request: neither who made it nor who held the case when it was made."""
    if row.is_party(actor.id):
        return refused(Forbidden(f"申请人或承办人不能审批自己提出的申请：'{row.name}' 由本部门其他首席代表或中心主任审批 "
                                 "(nobody approves a request he made or a case he holds: the approval goes to "
                                 "another chief representative or the director)", field="task_id"))
    return ALLOWED


def may_claim(actor: Actor, row: HumanTask) -> Decision:
    first = _first_refusal(may_see_task(actor, row), _open(row), _not_party(actor, row))
    if not first:
        return first
    if row.assignee_id == actor.id:
        return refused(Conflict(f"您已认领待办事项「{row.name}」 (the task is already claimed by you)", field="task_id"))
    # A B post takes over a task its absent A holds; anyone else's is theirs.
    if row.assignee_id is not None and not _held_by_covered(actor, row):
        return refused(Conflict(f"该待办事项「{row.name}」已被他人认领 (the task is already claimed by someone else)",
                                field="task_id"))
    return ALLOWED


def may_unclaim(actor: Actor, row: HumanTask) -> Decision:
    first = _first_refusal(may_see_task(actor, row), _open(row))
    if not first:
        return first
    if row.assignee_id is None:
        return refused(Conflict(f"待办事项「{row.name}」尚未被认领 (the task is not claimed)", field="task_id"))
    # A chief representative may release a colleague's task to reassign it.
    if row.assignee_id != actor.id and not holds_role(actor, (CHIEF,)) and not _held_by_covered(actor, row):
        return refused(Forbidden(f"只有认领人或首席代表可以退回待办事项「{row.name}」 "
                                 "(only the assignee or the chief representative may release the task)",
                                 field="task_id"))
    return ALLOWED


def may_complete(actor: Actor, row: HumanTask) -> Decision:
    first = _first_refusal(may_see_task(actor, row), _open(row), _not_party(actor, row))
    if not first:
        return first
    if row.assignee_id is not None and row.assignee_id != actor.id and not _held_by_covered(actor, row):
        return refused(Conflict(f"该待办事项「{row.name}」已被他人认领 (the task is claimed by someone else)", field="task_id"))
    if row.claim_required and row.assignee_id is None:
        return refused(Forbidden(f"请先认领待办事项「{row.name}」再办理 (the task must be claimed before it is completed)",
                                 field="task_id"))
    return ALLOWED


def _first_refusal(*decisions: Decision) -> Decision:
    return next((decision for decision in decisions if not decision), ALLOWED)


@dataclass(frozen=True)
class TaskActions:
    """What the actor may do with one task now, each with its refusal."""

    claim: Decision
    unclaim: Decision
    complete: Decision

    def flags(self) -> dict[str, bool]:
        return {"claim": self.claim.allowed, "unclaim": self.unclaim.allowed, "complete": self.complete.allowed}


def task_actions(actor: Actor, row: HumanTask) -> TaskActions:
    return TaskActions(claim=may_claim(actor, row), unclaim=may_unclaim(actor, row),
                       complete=may_complete(actor, row))


def next_task_of(actor: Actor, open_rows: list[HumanTask]) -> HumanTask | None:
    """The open task the actor goes on with after a step: one they may see that is theirs or unclaimed."""
    return next((row for row in open_rows if may_see_task(actor, row) and row.assignee_id in (None, actor.id)),
                None)


