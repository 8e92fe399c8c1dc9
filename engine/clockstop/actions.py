"""The approver's clock actions on a case in back office: stop the clock, ask for an extension.

Both send a message the model catches in an event subprocess (暂停计时, 延期); ending a
suspension and answering an extension are the user tasks those subprocesses open.
"""

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import select

from engine.cases import service as cases
from engine.cases.models import Case
from engine.catalogue.models import ServiceItem
from engine.clockstop import service as clockstop
from engine.errors import Conflict, Forbidden
from engine.staff.models import APPROVER, CHIEF
from engine.staff.service import Actor
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.properties import RESUMED

SUSPEND_MESSAGE, EXTENSION_MESSAGE = "suspend_clock", "request_extension"


def _check_in_back_office(actor: Actor, case: Case, open_rows: list[HumanTask]) -> None:
    if actor.role not in (APPROVER, CHIEF):
        raise Forbidden("only back-office approvers and chief representatives act on the clock", field="role")
    back_office = [row for row in open_rows if row.role == "approver"]
    if not back_office:
        raise Conflict(f"case {case.number} is not in back office (now: {case.stage or case.status})",
                       field="case_number")
    if not any(row.department_code == actor.department_code for row in back_office):
        raise Forbidden(f"case {case.number} is not with department {actor.department_code}", field="case_number")


class ClockActions:
    """Mixed into CaseEngine: each action is one transaction under the case's row lock."""

    def _send(self, actor: Actor, case_number: str, action: str, message: str, prepare) -> Case:
        with self.transaction() as session:
            case = cases.find_case(session, case_number, lock=True)
            open_rows = list(session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                                     HumanTask.state == OPEN)))
            _check_in_back_office(actor, case, open_rows)
            payload, detail = prepare(session, case)
            definition, workflow, snapshot = self._open_workflow(session, case)
            before = case.status
            event = BpmnEvent(MessageEventDefinition(message), payload=payload)
            self._run(lambda: (workflow.send_event(event), workflow.do_engine_steps()))
            self._record_step(session, case, definition, workflow, snapshot, actor=actor, action=action,
                              before_status=before, task_id=None, detail=detail, open_rows=open_rows)
        self.workflows.put(case.id, case.version, workflow, snapshot)
        return case

    def suspend_clock(self, actor: Actor, case_number: str, kind, reason) -> Case:
        """Stop the clock (第45条: hearing, inspection, testing … and 现场勘察); the notice follows."""
        def prepare(session, case):
            checked_kind, checked_reason = clockstop.check_suspension_request(case, kind, reason)
            payload = {"kind": checked_kind, "reason": checked_reason, "department_code": actor.department_code}
            return payload, {"kind": checked_kind, "reason": checked_reason}
        return self._send(actor, case_number, "suspend", SUSPEND_MESSAGE, prepare)

    def request_extension(self, actor: Actor, case_number: str, reason) -> Case:
        """Ask the department's chief representative to extend the limit once (第42条)."""
        def prepare(session, case):
            days = session.get(ServiceItem, case.item_code).extension_days
            row = clockstop.request_extension(session, case, actor.department_code, days, reason, actor.id,
                                              self.clock.now())
            payload = {"department_code": actor.department_code, "reason": row.reason, "days": days}
            return payload, {"reason": row.reason, "days": days}
        return self._send(actor, case_number, "request_extension", EXTENSION_MESSAGE, prepare)

    def end_suspension(self, actor: Actor, case_number: str, note) -> Case:
        """Complete the open '恢复计时' task of the case: the suspended working days move the due date."""
        with self.session() as session:
            case = cases.find_case(session, case_number)
            resume = session.scalar(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == OPEN,
                                                            HumanTask.milestone == RESUMED))
        if resume is None:
            raise Conflict(f"case {case_number} is not suspended", field="case_number")
        return self.complete_task(actor, resume.id, {"resume_note": note})


