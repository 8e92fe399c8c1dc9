"""Working on one case's workflow: open it, run it on the engine's clock, record the step.

``CaseWork`` is what every action group that moves a case is given (with the
``EngineContext`` inside it): the process versions, the expression sandbox, the workflow
store and cache, and ``record_step``, which writes everything one step changed.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm.exc import StaleDataError

from engine import step_events, steps
from engine.actor import Actor
from engine.audit import service as audit
from engine.cases import service as cases
from engine.cases.models import Case
from engine.catalogue.models import Department
from engine.context import EngineContext
from engine.deadlines import service as deadline_service
from engine.deadlines.states import WarningPolicy
from engine.errors import Conflict, NotFound, ProcessDefinitionError, ProcessRuntimeError, new_reference
from engine.ledger import service as ledger
from engine.outbox.channels import NotifyPolicy
from engine.tasks import service as tasks
from engine.workflow.case_workflow import CaseWorkflow
from engine.workflow.expressions import SafeScriptEngine, UnsafeExpression
from engine.workflow.spiff_fixes import clock_in_effect
from engine.workflow.store import Snapshot, WorkflowCache, WorkflowStore
from engine.workflow.timers import next_timer_due
from engine.workflow.versions import SpecCache

log = logging.getLogger(__name__)


@dataclass
class StepContext:
    """One step of a case to record: the workflow it ran and who did what.

    ``open_rows``: the case's open task rows if the caller already read them (None: read them).
    """

    case: Case
    definition: object
    workflow: BpmnWorkflow
    snapshot: Snapshot
    actor: Actor
    action: str
    before_status: str | None
    task_id: str | None = None
    detail: dict = field(default_factory=dict)
    new: bool = False
    open_rows: list | None = None


class CaseWork:
    def __init__(self, context: EngineContext, *, script_engine: SafeScriptEngine, process_specs: SpecCache,
                 store: WorkflowStore, workflows: WorkflowCache, warnings: WarningPolicy, notify: NotifyPolicy):
        self.context, self.clock = context, context.clock
        self.notify = notify
        self.script_engine, self.specs = script_engine, process_specs
        self.store, self.workflows, self.warnings = store, workflows, warnings
        self._known_departments: set[str] = set()

    @property
    def reserved_keys(self) -> set[str]:
        """Task data keys a form may not write: the engine's own, and the model's functions."""
        return self.specs.reserved_keys | self.script_engine.environment.function_names

    # -- the workflow ---------------------------------------------------------------------
    def open_workflow(self, session, case: Case):
        """(definition, workflow, snapshot) of ``case``: from the cache when it is current."""
        definition = self.specs.get(session, case.process_version_id)
        cached = self.workflows.take(case.id, case.version)
        if cached is not None:
            return definition, *cached
        workflow, snapshot = self.store.load(session, case.id, definition.spec, definition.subprocess_specs,
                                             self.script_engine)
        return definition, workflow, snapshot

    def put_back(self, case: Case, workflow, snapshot) -> None:
        """After the commit: the workflow as saved is the cache's copy of this case version."""
        self.workflows.put(case.id, case.version, workflow, snapshot)

    @contextmanager
    def reading_workflow(self, session, case: Case):
        """(definition, workflow) of ``case`` to read inside the block; it goes back to the
        cache only after the block, so no writer can take it while it is being read."""
        definition, workflow, snapshot = self.open_workflow(session, case)
        yield definition, workflow
        self.put_back(case, workflow, snapshot)

    def run(self, step) -> None:
        """Run workflow code on the engine's clock; model failures become ProcessRuntimeError."""
        try:
            with clock_in_effect(self.clock):
                step()
        except (SpiffWorkflowException, UnsafeExpression) as error:
            reference = new_reference()
            log.error("process error %s: %s", reference, error, exc_info=True)
            raise ProcessRuntimeError(f"流程无法继续，办件未作改动；请将错误编号 {reference} 告知技术支持 "
                                      f"(the process could not continue; reference {reference})",
                                      details={"reference": reference}) from None

    def first_step(self, definition, item, received_on: date):
        """A new workflow for ``item`` received on ``received_on``, run up to its first task, which must be the clerk's intake.

        Returns the (unsaved) workflow, that task and its metadata; the intake page shows its form.
        """
        workflow = CaseWorkflow(definition.spec, definition.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data = cases.initial_data(item, received_on)
        self.run(workflow.do_engine_steps)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        metas = [definition.user_tasks.get(task.task_spec.name) for task in ready]
        if len(ready) != 1 or metas[0] is None or metas[0].role != "clerk":
            raise ProcessDefinitionError(f"流程 '{definition.process_id}' 须以一个窗口受理环节开始 "
                                         f"(process '{definition.process_id}' must start with one clerk task)")
        return workflow, ready[0], metas[0]

    def lock_task(self, session, task_id):
        """Lock the task's case first, then read its task rows as they are under the lock.

        Returns the case, the task's row and the case's open rows (one query for both).
        """
        tasks.check_task_id(task_id)
        case = tasks.lock_case_of_task(session, task_id)
        if case is None:
            raise NotFound(f"未找到待办事项 '{task_id}' (no task '{task_id}')", field="task_id")
        rows = tasks.rows_of_case(session, case.id, task_id)
        row = next(row for row in rows if row.id == task_id)
        return case, row, [row for row in rows if row.state == "open"]

    # -- recording a step -----------------------------------------------------------------
    def record_step(self, session, step: StepContext) -> list:
        """Write everything one step changed, in the caller's transaction; returns the case's
        open task rows after the step (the answer needs no second read of them)."""
        case, workflow = step.case, step.workflow
        now, today = self.clock.now(), self.clock.today()
        # One flush at the end: the case row is written (and its version checked) once.
        with session.no_autoflush:
            saved = self.store.save(session, case.id, workflow, step.snapshot, new=step.new)
            calendar = self.context.calendar.get()
            due_before = case.due_date
            triggers = steps.apply_completed_tasks(
                steps.Step(session, case, now, today, calendar, step.actor.id), saved.completed)
            steps.close_if_finished(case, workflow.is_completed(), now)
            held_rows = list(step.open_rows or [])  # who held the case before this step answers for its late days
            open_rows = tasks.sync_human_tasks(session, case.id, workflow, step.definition, now,
                                               self.evaluate_property(case), step.actor.id, self._department_exists,
                                               step.open_rows)
            if case.due_date != due_before:  # a suspension ended or an extension was granted
                self.refresh_task_dues(case, step.definition, workflow, open_rows)
            plan = deadline_service.refresh_case(session, case, open_rows, held_rows or open_rows, calendar,
                                                 self.warnings, today, now)
            for trigger, task in triggers:
                ledger.record_automatic_rows(session, trigger, [ledger.automatic_row(
                    staff_id=case.created_by_id, violation_key=f"{trigger}:{case.id}:{task.id}",
                    occurred_on=today, case_id=case.id, now=now,
                    evidence=f"办件 {case.number}：{task.task_spec.bpmn_name or task.task_spec.name}")])
            case.stage = "、".join(row.name for row in open_rows) if open_rows else ("已结束" if case.closed_at else "")
            case.next_timer_at = next_timer_due(workflow, now)
            case.updated_at = now
            # The notifications and status events of the step commit with it (engine/outbox/).
            step_events.record_step_events(session, self.notify, case, step.before_status, saved.completed,
                                           open_rows, plan.tasks, now)
            audit.record(session, actor=step.actor, action=step.action, at=now, case_id=case.id,
                         task_id=step.task_id, before_status=step.before_status, after_status=case.status,
                         detail=step.detail)
        try:
            session.flush()
        except StaleDataError:
            raise Conflict(f"办件 {case.number} 已被他人修改，请刷新后重试 "
                           f"(case {case.number} was changed by someone else; reload and try again)") from None
        return open_rows

    def evaluate_property(self, case: Case):
        """``evaluate(task, expression)`` for a task property (due, department) of ``case``."""
        context = {"case_due_date": case.due_date.isoformat() if case.due_date else None}

        def evaluate(task, expression):
            result = None

            def step():
                nonlocal result
                result = self.script_engine.evaluate(task, expression, external_context=context)
            self.run(step)
            return result
        return evaluate

    def refresh_task_dues(self, case: Case, definition, workflow, rows: list) -> None:
        """Re-evaluate the due dates of a case's open tasks (they may depend on the case's)."""
        evaluate = self.evaluate_property(case)
        for row in rows:
            task = workflow.get_task_from_id(UUID(row.id))
            meta = definition.user_tasks[task.task_spec.name]
            if meta.due:
                row.due_date = tasks.as_date(evaluate(task, meta.due), meta)

    def _department_exists(self, session, code: str) -> bool:
        """Departments are reference data: a code once seen is not looked up again."""
        if code not in self._known_departments and session.get(Department, code) is not None:
            self._known_departments.add(code)
        return code in self._known_departments
