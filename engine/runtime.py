"""CaseEngine: the one entry point for changing cases, each action one database transaction.

Every action takes the case's row lock, checks permissions and state under the lock,
runs the workflow, and writes the workflow's changed tasks, the case row, the human task
rows and an audit entry in the same transaction. A failure leaves nothing behind: the
transaction rolls back and the in-memory workflow is thrown away.
"""

import logging
from datetime import date
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError

from engine.audit import service as audit
from engine.calendar.service import CalendarCache
from engine.cases import bookkeeping
from engine.cases import service as cases
from engine.cases.documents import check_recipient
from engine.cases.models import Case
from engine.catalogue.models import Department
from engine.clock import Clock, SystemClock, clock_in_effect
from engine.clockstop import service as clockstop
from engine.clockstop.actions import ClockActions
from engine.commitments import service as commitments
from engine.db import configure_engine, make_engine, make_session_factory, transaction
from engine.deadlines import service as deadline_service
from engine.deadlines.states import WarningPolicy
from engine.errors import (
    Conflict,
    Forbidden,
    NotFound,
    OneWindowError,
    ProcessDefinitionError,
    ProcessRuntimeError,
)
from engine.ledger import service as ledger
from engine.ledger.book import LedgerBook
from engine.ledger.scores import ScoringPolicy
from engine.queries import CaseQueries
from engine.setup import CenterSetup
from engine.staff.models import CLERK
from engine.staff.posts import Posts
from engine.staff.service import SYSTEM, Actor
from engine.supervision.service import Supervision
from engine.tasks import service as tasks
from engine.tasks.models import HumanTask
from engine.workflow import specs
from engine.workflow.expressions import SafeScriptEngine, UnsafeExpression
from engine.workflow.forms import validate_submission
from engine.workflow.store import Snapshot, WorkflowCache, WorkflowStore
from engine.workflow.timers import fire_due_timers, next_timer_due

log = logging.getLogger(__name__)


def _as_date(value) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise ValueError(f"not a date: {value!r}")


class CaseEngine(CenterSetup, CaseQueries, ClockActions):
    def __init__(self, database: str | Engine, *, clock: Clock | None = None, case_number_prefix: str = "ZW",
                 workflow_cache_size: int = 256, calendar_ttl: float = 60.0, warnings: WarningPolicy | None = None,
                 scoring: ScoringPolicy | None = None):
        self.db = make_engine(database) if isinstance(database, str) else database
        configure_engine(self.db)
        self.read_sessions = make_session_factory(self.db)
        self.write_sessions = make_session_factory(self.db, write=True)
        self.clock = clock or SystemClock()
        self.case_number_prefix = case_number_prefix
        self.calendar = CalendarCache(self.read_sessions, ttl=calendar_ttl)
        self.script_engine = SafeScriptEngine(self._expression_functions())
        self.specs = specs.SpecCache(self.script_engine.environment, cases.INITIAL_DATA_KEYS)
        self.store = WorkflowStore()
        self.workflows = WorkflowCache(workflow_cache_size)
        self._known_departments: set[str] = set()
        self.warnings = warnings or WarningPolicy()
        self.ledger = LedgerBook(self, scoring)
        self.supervision = Supervision(self)
        self.posts = Posts(self)

    def _expression_functions(self) -> dict:
        """Calendar functions models may call; dates travel as ISO strings in task data."""
        def today():
            return self.clock.today().isoformat()

        def add_working_days(day, days):
            return self.calendar.get().add_working_days(_as_date(day), int(days)).day.isoformat()

        def subtract_working_days(day, days):
            return self.calendar.get().subtract_working_days(_as_date(day), int(days)).day.isoformat()

        def working_days_between(first, last):
            return self.calendar.get().working_days_between(_as_date(first), _as_date(last))

        def end_of_day(day):
            return f"{_as_date(day).isoformat()}T23:59:59+08:00"

        return {"today": today, "add_working_days": add_working_days,
                "subtract_working_days": subtract_working_days,
                "working_days_between": working_days_between, "end_of_day": end_of_day}

    def transaction(self):
        # Re-read a calendar near its ttl now, while this thread holds no connection: a
        # re-read inside the step would need a second one, and threads each holding one
        # and waiting for another would exhaust the pool.
        self.calendar.get(max_age=self.calendar.ttl / 2)
        return transaction(self.write_sessions)

    def session(self):
        """A read-only session for queries."""
        return self.read_sessions()

    # -- the workflow under a lock ---------------------------------------------------
    def _open_workflow(self, session, case: Case):
        definition = self.specs.get(session, case.process_version_id)
        cached = self.workflows.take(case.id, case.version)
        if cached is not None:
            return definition, *cached
        workflow, snapshot = self.store.load(session, case.id, definition.spec, definition.subprocess_specs,
                                             self.script_engine)
        return definition, workflow, snapshot

    def _run(self, step) -> None:
        """Run workflow code on the engine's clock; model failures become ProcessRuntimeError."""
        try:
            with clock_in_effect(self.clock):
                step()
        except (SpiffWorkflowException, UnsafeExpression) as error:
            raise ProcessRuntimeError(f"the process could not continue: {error}") from None

    def _department_exists(self, session, code: str) -> bool:
        """Departments are reference data: a code once seen is not looked up again."""
        if code not in self._known_departments and session.get(Department, code) is not None:
            self._known_departments.add(code)
        return code in self._known_departments

    def _evaluate_property(self, case: Case):
        context = {"case_due_date": case.due_date.isoformat() if case.due_date else None}

        def evaluate(task, expression):
            result = None

            def step():
                nonlocal result
                result = self.script_engine.evaluate(task, expression, external_context=context)
            self._run(step)
            return result
        return evaluate

    def _record_step(self, session, case: Case, definition, workflow: BpmnWorkflow, snapshot, *, actor: Actor,
                     action: str, before_status: str | None, task_id: str | None, detail: dict,
                     new: bool = False, open_rows: list | None = None) -> None:
        """Write everything one step changed, in the caller's transaction.

        ``open_rows``: the case's open task rows if the caller already read them.
        """
        now = self.clock.now()
        # One flush at the end: the case row is written (and its version checked) once.
        with session.no_autoflush:
            saved = self.store.save(session, case.id, workflow, snapshot, new=new)
            calendar = self.calendar.get()
            due_before = case.due_date
            triggers = bookkeeping.apply_completed_tasks(
                bookkeeping.Step(session, case, now, self.clock.today(), calendar, actor.id), saved.completed)
            bookkeeping.close_if_finished(case, workflow.is_completed(), now)
            held_rows = list(open_rows or [])  # who held the case before this step answers for its late days
            open_rows = tasks.sync_human_tasks(session, case.id, workflow, definition, now,
                                               self._evaluate_property(case), actor.id, self._department_exists,
                                               open_rows)
            if case.due_date != due_before:  # a suspension ended or an extension was granted
                self._refresh_task_dues(case, definition, workflow, open_rows)
            deadline_service.refresh_case(session, case, open_rows, held_rows or open_rows, calendar, self.warnings,
                                          self.clock.today(), now)
            for trigger, task in triggers:
                ledger.record_automatic_rows(session, trigger, [ledger.automatic_row(
                    staff_id=case.created_by_id, violation_key=f"{trigger}:{case.id}:{task.id}",
                    occurred_on=self.clock.today(), case_id=case.id, now=now,
                    evidence=f"办件 {case.number}：{task.task_spec.bpmn_name or task.task_spec.name}")])
            case.stage = "、".join(row.name for row in open_rows) if open_rows else ("已结束" if case.closed_at else "")
            case.next_timer_at = next_timer_due(workflow, now)
            case.updated_at = now
            audit.record(session, actor=actor, action=action, at=now, case_id=case.id, task_id=task_id,
                         before_status=before_status, after_status=case.status, detail=detail)
        try:
            session.flush()
        except StaleDataError:
            raise Conflict(f"case {case.number} was changed by someone else; reload and try again") from None

    def _lock_task(self, session, task_id):
        """Lock the task's case first, then read its task rows as they are under the lock.

        Returns the case, the task's row and the case's open rows (one query for both).
        """
        tasks.check_task_id(task_id)
        case = cases.lock_case_of_task(session, task_id)
        if case is None:
            raise NotFound(f"no task '{task_id}'", field="task_id")
        rows = tasks.rows_of_case(session, case.id, task_id)
        row = next(row for row in rows if row.id == task_id)
        return case, row, [row for row in rows if row.state == "open"]

    def first_step(self, definition, item, today: date):
        """A new workflow for ``item`` run up to its first task, which must be the clerk's intake.

        Returns the (unsaved) workflow, that task and its metadata; the intake page shows its form.
        """
        workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.data = cases.initial_data(item, today)
        self._run(workflow.do_engine_steps)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        metas = [definition.user_tasks.get(task.task_spec.name) for task in ready]
        if len(ready) != 1 or metas[0] is None or metas[0].role != "clerk":
            raise ProcessDefinitionError(f"process '{definition.process_id}' must start with one clerk task")
        return workflow, ready[0], metas[0]

    # -- actions ---------------------------------------------------------------------
    def create_case(self, actor: Actor, item_code: str, applicant: dict, intake: dict) -> Case:
        """Register an application at the window and complete its intake in one transaction."""
        if actor.role != CLERK:
            raise Forbidden("only window clerks register applications", field="role")
        applicant = cases.validate_applicant(applicant)
        with self.transaction() as session:
            item = cases.get_item(session, item_code)
            version = specs.latest_version(session, item.process_id)
            definition = self.specs.get(session, version.id)
            now, today = self.clock.now(), self.clock.today()
            number = cases.next_case_number(session, today, self.case_number_prefix)
            case = cases.new_case(item, applicant, number, version.id, actor.id, now, today)
            session.add(case)
            session.flush()
            workflow, intake_task, meta = self.first_step(definition, item, today)
            data = validate_submission(definition.forms[meta.form], intake_task.data, intake,
                                       self.specs.reserved_keys | self.script_engine.environment.function_names)
            commitments.check(session, case, intake_task.data, data, self.calendar.get(), today)
            intake_task.set_data(**data)
            self._run(lambda: (intake_task.run(), workflow.do_engine_steps()))
            snapshot = Snapshot()
            self._record_step(session, case, definition, workflow, snapshot, actor=actor, action="create",
                              before_status=None, task_id=str(intake_task.id),
                              detail={"item_code": item.code, "task": meta.bpmn_id, "form": data}, new=True,
                              open_rows=[])
        self.workflows.put(case.id, case.version, workflow, snapshot)
        return case

    def complete_task(self, actor: Actor, task_id: str, form: dict) -> Case:
        with self.transaction() as session:
            case, row, open_rows = self._lock_task(session, task_id)
            tasks.check_completable(actor, row)
            definition, workflow, snapshot = self._open_workflow(session, case)
            task = workflow.get_task_from_id(UUID(task_id))
            if task is None or task.state != TaskState.READY or not task.task_spec.manual:
                raise Conflict(f"task '{row.name}' is not ready", field="task_id")
            meta = definition.user_tasks[task.task_spec.name]
            data = validate_submission(definition.forms[meta.form], task.data, form,
                                       self.specs.reserved_keys | self.script_engine.environment.function_names)
            clockstop.check_may_proceed(case, row, meta, open_rows, definition, workflow)
            commitments.check(session, case, task.data, data, self.calendar.get(), self.clock.today())
            check_recipient(definition.forms[meta.form], case, data)
            before, rated_before = case.status, case.rating
            task.set_data(**data)
            self._run(lambda: (task.run(), workflow.do_engine_steps()))
            self._record_step(session, case, definition, workflow, snapshot, actor=actor, action="complete",
                              before_status=before, task_id=task_id, detail={"task": meta.bpmn_id, "form": data},
                              open_rows=open_rows)
            if case.rating != rated_before:  # the rating step: a bad rating is verified (好差评)
                self.supervision.rating_recorded(session, case, actor, data)
        self.workflows.put(case.id, case.version, workflow, snapshot)
        return case

    def claim_task(self, actor: Actor, task_id: str) -> HumanTask:
        return self._assign(actor, task_id, "claim")

    def unclaim_task(self, actor: Actor, task_id: str) -> HumanTask:
        return self._assign(actor, task_id, "unclaim")

    def _assign(self, actor: Actor, task_id: str, action: str) -> HumanTask:
        with self.transaction() as session:
            case, row, _ = self._lock_task(session, task_id)
            previous = row.assignee_id
            if action == "claim":
                tasks.claim(actor, row, self.clock.now())
            else:
                tasks.unclaim(actor, row)
            audit.record(session, actor=actor, action=action, at=self.clock.now(), case_id=case.id, task_id=task_id,
                         before_status=case.status, after_status=case.status,
                         detail={"task": row.bpmn_id, "assignee_before": previous, "assignee_after": row.assignee_id})
        return row

    def fire_due_timers(self, limit: int = 200) -> int:
        """Fire the timers that are due now; each case in its own transaction. Returns cases advanced."""
        now = self.clock.now()
        with self.session() as session:
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
        with self.transaction() as session:
            case = cases.lock_case(session, case_id)
            if case.next_timer_at is None or case.next_timer_at > now:
                return 0  # another worker got there first
            definition, workflow, snapshot = self._open_workflow(session, case)
            before = case.status
            self._run(lambda: fire_due_timers(workflow))
            self._record_step(session, case, definition, workflow, snapshot, actor=SYSTEM, action="timer",
                              before_status=before, task_id=None, detail={"due": case.next_timer_at.isoformat()})
        self.workflows.put(case.id, case.version, workflow, snapshot)
        return 1

    def sweep_deadlines(self, limit: int = 1000) -> int:
        """Move deadline states on as time passes and charge overdue days; returns cases advanced."""
        now, today = self.clock.now(), self.clock.today()
        with self.transaction() as session:
            changed, advanced = deadline_service.sweep_batch(session, self.calendar.get(), self.warnings, today, now,
                                                              limit)
            audit.record_many(session, [audit.entry(actor=SYSTEM, action="deadline", at=now, case_id=case_id,
                                                    before_status=status, after_status=status,
                                                    detail=plan.transitions)
                                        for case_id, _number, status, plan in changed])
        return advanced

    def _refresh_task_dues(self, case: Case, definition, workflow, rows: list) -> None:
        """Re-evaluate the due dates of a case's open tasks (they may depend on the case's)."""
        evaluate = self._evaluate_property(case)
        for row in rows:
            task = workflow.get_task_from_id(UUID(row.id))
            meta = definition.user_tasks[task.task_spec.name]
            if meta.due:
                row.due_date = tasks.as_date(evaluate(task, meta.due), meta)
