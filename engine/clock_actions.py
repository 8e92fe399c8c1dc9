"""The approver's clock actions on a case in back office: stop the clock, ask for an extension.

Both send a message the model catches in an event subprocess (暂停计时, 延期); ending a
suspension and answering an extension are the user tasks those subprocesses open.
"""

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import select

from engine import permissions
from engine.actions import CaseActions
from engine.actor import Actor
from engine.cases import service as cases
from engine.cases.models import Case
from engine.casework import CaseWork, StepContext
from engine.catalogue.models import ServiceItem
from engine.clockstop import service as clockstop
from engine.errors import Conflict
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.properties import RESUMED

SUSPEND_MESSAGE, EXTENSION_MESSAGE = "suspend_clock", "request_extension"


class ClockActions:
    """Each action is one transaction under the case's row lock; ending a suspension completes
    its task through ``CaseActions``."""

    def __init__(self, work: CaseWork, actions: CaseActions):
        self.work, self.context, self.actions = work, work.context, actions

    def _send(self, actor: Actor, case_number: str, action: str, message: str, prepare) -> Case:
        with self.context.transaction() as session:
            case = cases.find_case(session, case_number, lock=True)
            open_rows = list(session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                                     HumanTask.state == OPEN)))
            permissions.may_act_on_clock(actor, case, open_rows).check()
            payload, detail = prepare(session, case, open_rows)
            definition, workflow, snapshot = self.work.open_workflow(session, case)
            before = case.status
            event = BpmnEvent(MessageEventDefinition(message), payload=payload)
            self.work.run(lambda: (workflow.send_event(event), workflow.do_engine_steps()))
            self.work.record_step(session, StepContext(case, definition, workflow, snapshot, actor=actor,
                                                       action=action, before_status=before, detail=detail,
                                                       open_rows=open_rows))
        self.work.put_back(case, workflow, snapshot)
        return case

    def suspend_clock(self, actor: Actor, case_number: str, kind, reason) -> Case:
        """Stop the clock (第45条: hearing, inspection, testing … and 现场勘察); the notice follows."""
        def prepare(session, case, open_rows):
            checked_kind, checked_reason = clockstop.check_suspension_request(case, kind, reason)
            payload = {"kind": checked_kind, "reason": checked_reason, "department_code": actor.department_code}
            return payload, {"kind": checked_kind, "reason": checked_reason}
        return self._send(actor, case_number, "suspend", SUSPEND_MESSAGE, prepare)

    def request_extension(self, actor: Actor, case_number: str, reason) -> Case:
        """Ask the department's chief representative (a joint item: the director) to extend the limit
        once (第42条); the request names who made it and who holds the case, who may not approve it."""
        def prepare(session, case, open_rows):
            days = session.get(ServiceItem, case.item_code).extension_days
            row = clockstop.request_extension(session, case, actor.department_code, days, reason, actor.id,
                                              self.work.clock.now(), self.work.clock.today())
            held_by = sorted({other.assignee_id for other in open_rows if other.assignee_id is not None
                              and other.department_code == actor.department_code})
            payload = {"department_code": actor.department_code, "reason": row.reason, "days": days,
                       "requested_by": actor.id, "held_by": held_by}
            return payload, {"reason": row.reason, "days": days}
        return self._send(actor, case_number, "request_extension", EXTENSION_MESSAGE, prepare)

    def end_suspension(self, actor: Actor, case_number: str, note) -> Case:
        """Complete the open '恢复计时' task of the case: the suspended working days move the due date."""
        with self.context.session() as session:
            case = cases.find_case(session, case_number)
            resume = session.scalar(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == OPEN,
                                                            HumanTask.milestone == RESUMED))
        if resume is None:
            raise Conflict(f"办件 {case_number} 未在暂停计时 (case {case_number} is not suspended)", field="case_number")
        return self.actions.complete_task(actor, resume.id, {"resume_note": note})
