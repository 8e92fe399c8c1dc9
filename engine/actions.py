"""The actions that move a case: register it, complete, claim and release its tasks, fire its
timers, sweep the deadlines. Each is one transaction under the case's row lock: the rule is
checked (engine.permissions), the workflow runs, and ``CaseWork.record_step`` writes the step.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import permissions, step_events, taskfile
from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.cases import idempotency
from engine.cases import service as cases
from engine.cases.documents import check_recipient
from engine.cases.models import Case
from engine.casework import CaseWork, StepContext
from engine.clockstop import service as clockstop
from engine.commitments import service as commitments
from engine.deadlines import service as deadline_service
from engine.errors import Conflict, OneWindowError
from engine.staff.service import name_known
from engine.supervision.service import Supervision
from engine.tasks import service as tasks
from engine.tasks.models import HumanTask
from engine.workflow.forms import validate_submission
from engine.workflow.spiff_fixes import fire_due_timers
from engine.workflow.store import Snapshot
from engine.workflow.versions import latest_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completed:
    """A completed task as its answer shows it: the case after the step, the task's name and the
    case's next task for the same actor (read from the rows the step wrote, under the lock)."""

    case: Case
    task_name: str
    next_task_id: str | None


class CaseActions:
    def __init__(self, work: CaseWork, supervision: Supervision, case_number_prefix: str):
        self.work, self.context, self.clock = work, work.context, work.clock
        self.supervision = supervision
        self.case_number_prefix = case_number_prefix

    def create_case(self, actor: Actor, item_code: str, applicant: dict, intake: dict,
                    idempotency_key: str | None = None, *,
                    source: Callable[[Session, Case], None] | None = None,
                    received_at: datetime | None = None) -> Case:
        """Register an application at the window and complete its intake in one transaction.

        With ``idempotency_key``, a retry of the same request returns the case the first made
        (engine/cases/idempotency.py); the key is stored in the case's transaction. ``source``
        records where the application came from (an appointment, an online pre-application)
        in that same transaction, once the case row exists and before its first step is recorded
        (so the step's status events can name it). ``received_at``: when the application was
        received, if before now (an online application's platform receipt); the case's receipt
        day and the 5 working days of the one-time notice count from it."""
        permissions.may_register(actor).check()
        if idempotency_key is not None:
            idempotency_key = idempotency.check_key(idempotency_key)
            request = idempotency.fingerprint(item_code, applicant, intake)
        applicant = cases.validate_applicant(applicant)
        with self.context.transaction() as session:
            if idempotency_key is not None:
                earlier = idempotency.claim(session, actor.id, idempotency_key, request, self.clock.now())
                if earlier is not None:
                    return earlier
            item = cases.get_item(session, item_code)
            version = latest_version(session, item.process_id)
            definition = self.work.specs.get(session, version.id)
            now, today = self.clock.now(), self.clock.today()
            received_at = cases.check_received_at(received_at, now)
            # The form is checked and the intake's workflow run before the day's counter is taken:
            # the counter stays locked until this transaction commits (numbers are gap-free,
            # docs/rules.md), so a refused form never makes another registration wait, and the
            # wait of the next one is only this registration's writes.
            received_on = cases.received_day(received_at, now, today)
            workflow, intake_task, meta = self.work.first_step(definition, item, received_on)
            data = validate_submission(definition.forms[meta.form], intake_task.data, intake, self.work.reserved_keys)
            case = cases.new_case(item, applicant, None, version.id, actor.id, now, today, received_at=received_at)
            commitments.check(session, case, intake_task.data, data, self.context.calendar.get(), today)
            intake_task.set_data(**data)
            self.work.run(lambda: (intake_task.run(), workflow.do_engine_steps()))
            case.number = cases.next_case_number(session, today, self.case_number_prefix)
            session.add(case)
            session.flush()
            if idempotency_key is not None:
                idempotency.bind(session, actor.id, idempotency_key, case.id)
            if source is not None:
                source(session, case)
            snapshot = Snapshot()
            self.work.record_step(session, StepContext(
                case, definition, workflow, snapshot, actor=actor, action="create", before_status=None,
                task_id=str(intake_task.id), detail={"item_code": item.code, "task": meta.bpmn_id, "form": data},
                new=True, open_rows=[]))
        self.work.put_back(case, workflow, snapshot)
        return case

    def complete_task(self, actor: Actor, task_id: str, form: dict) -> Case:
        return self.complete_and_answer(actor, task_id, form).case

    def complete_and_answer(self, actor: Actor, task_id: str, form: dict) -> Completed:
        with self.context.transaction() as session:
            case, row, open_rows = self.work.lock_task(session, task_id)
            permissions.may_complete(actor, row).check()
            definition, workflow, snapshot = self.work.open_workflow(session, case)
            task = workflow.get_task_from_id(UUID(task_id))
            if task is None or task.state != TaskState.READY or not task.task_spec.manual:
                raise Conflict(f"待办事项「{row.name}」尚不能办理 (the task is not ready)", field="task_id")
            meta = definition.user_tasks[task.task_spec.name]
            data = validate_submission(definition.forms[meta.form], task.data, form, self.work.reserved_keys)
            clockstop.check_may_proceed(case, row, meta, open_rows, definition, workflow)
            commitments.check(session, case, task.data, data, self.context.calendar.get(), self.clock.today())
            check_recipient(definition.forms[meta.form], case, data)
            before, rated_before = case.status, case.rating
            task.set_data(**data)
            self.work.run(lambda: (task.run(), workflow.do_engine_steps()))
            now_open = self.work.record_step(session, StepContext(
                case, definition, workflow, snapshot, actor=actor, action="complete", before_status=before,
                task_id=task_id, detail={"task": meta.bpmn_id, "form": data}, open_rows=open_rows))
            if case.rating != rated_before:  # the rating step: a bad rating is verified (好差评)
                self.supervision.rating_recorded(session, case, actor, data)
        self.work.put_back(case, workflow, snapshot)
        following = permissions.next_task_of(actor, now_open)
        return Completed(case, row.name, following.id if following is not None else None)

    def claim_task(self, actor: Actor, task_id: str) -> HumanTask:
        return self._assign(actor, task_id, "claim")

    def unclaim_task(self, actor: Actor, task_id: str) -> HumanTask:
        return self._assign(actor, task_id, "unclaim")

    def claim_and_answer(self, actor: Actor, task_id: str) -> taskfile.TaskListing:
        """Claim, and the task's inbox line read in the same transaction (no second connection)."""
        return self._assign(actor, task_id, "claim", answer=taskfile.listing_of_case)

    def unclaim_and_answer(self, actor: Actor, task_id: str) -> taskfile.TaskListing:
        return self._assign(actor, task_id, "unclaim", answer=taskfile.listing_of_case)

    def _assign(self, actor: Actor, task_id: str, action: str, answer: Callable | None = None):
        with self.context.transaction() as session:
            case, row, _ = self.work.lock_task(session, task_id)
            name_known(session, actor)
            previous = row.assignee_id
            if action == "claim":
                permissions.may_claim(actor, row).check()
                tasks.claim(actor, row, self.clock.now())
            else:
                permissions.may_unclaim(actor, row).check()
                tasks.unclaim(row)
            audit.record(session, actor=actor, action=action, at=self.clock.now(), case_id=case.id, task_id=task_id,
                         before_status=case.status, after_status=case.status,
                         detail={"task": row.bpmn_id, "assignee_before": previous, "assignee_after": row.assignee_id})
            if answer is not None:
                return answer(session, case, row)
        return row

    def fire_due_timers(self, limit: int = 200) -> int:
        """Fire the timers that are due now; each case in its own transaction. Returns cases advanced."""
        now = self.clock.now()
        with self.context.session() as session:
            due = list(session.scalars(select(Case.id).where(Case.next_timer_at <= now)
                                       .order_by(Case.next_timer_at).limit(limit)))
        fired = 0
        for case_id in due:
            try:
                fired += self._fire_case(case_id, now)
            except OneWindowError as error:
                log.error("timer of case %s failed: %s", case_id, error.message)
            except Exception:
                # One broken case must not stop the others; it is retried on the next sweep.
                log.exception("timer of case %s failed", case_id)
        return fired

    def _fire_case(self, case_id: int, now) -> int:
        with self.context.transaction() as session:
            case = cases.lock_case(session, case_id)
            if case.next_timer_at is None or case.next_timer_at > now:
                return 0  # another worker got there first
            definition, workflow, snapshot = self.work.open_workflow(session, case)
            before = case.status
            self.work.run(lambda: fire_due_timers(workflow))
            self.work.record_step(session, StepContext(
                case, definition, workflow, snapshot, actor=SYSTEM, action="timer", before_status=before,
                detail={"due": case.next_timer_at.isoformat()}))
        self.work.put_back(case, workflow, snapshot)
        return 1

    def sweep_deadlines(self, limit: int = 1000) -> int:
        """Move deadline states on as time passes and charge overdue days; returns cases advanced."""
        now, today = self.clock.now(), self.clock.today()
        with self.context.transaction() as session:
            changed, advanced = deadline_service.sweep_batch(session, self.context.calendar.get(), self.work.warnings,
                                                              today, now, limit)
            audit.record_many(session, [audit.entry(actor=SYSTEM, action="deadline", at=now, case_id=case_id,
                                                    before_status=status, after_status=status,
                                                    detail=plan.transitions)
                                        for case_id, _number, status, plan in changed])
            step_events.record_sweep_events(session, self.work.notify, changed, now)
        return advanced
