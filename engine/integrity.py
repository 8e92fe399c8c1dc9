"""Is every case of a database consistent? What committed engine actions must leave behind.

Every action writes the workflow's changed tasks, the case row, the human task rows, its
ledger entries and its audit entry in one transaction, so a crash or a lost race can leave
all of that or none of it, never part. :func:`check_database` reads everything in one
snapshot and reports each place where the parts disagree; an empty list means consistent.
Only invariants the engine really keeps are checked: each check says why it holds.
:func:`check_caught_up` adds what the scheduler must have done by the engine clock's now.
"""

import contextlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.models import AuditEntry
from engine.cases.models import Case, CaseCounter
from engine.deadlines import service as deadline_service
from engine.ledger.models import LedgerEntry
from engine.staff.models import Staff
from engine.tasks.models import CANCELLED, COMPLETED, OPEN, HumanTask
from engine.workflow.models import WorkflowState, WorkflowTask
from engine.workflow.properties import properties_of

CHUNK = 500  # cases read per round, so memory stays flat however large the database
INITIAL_STATUS = "待接件"  # engine.cases.service.new_case
ASSIGNING_ACTIONS = ("claim", "unclaim")
_CASE_COLUMNS = (Case.id, Case.number, Case.process_version_id, Case.status, Case.stage, Case.received_on,
                 Case.closed_at, Case.outcome, Case.accepted_at, Case.notice_count, Case.decided_at,
                 Case.delivered_at, Case.rating, Case.next_timer_at, Case.deadline_check_at,
                 Case.overdue_days_charged, Case.suspended_since, Case.extended_days)
_TASK_COLUMNS = (WorkflowTask.case_id, WorkflowTask.id, WorkflowTask.workflow_id, WorkflowTask.seq,
                 WorkflowTask.state, WorkflowTask.body)
_HUMAN_COLUMNS = (HumanTask.case_id, HumanTask.id, HumanTask.name, HumanTask.state, HumanTask.assignee_id,
                  HumanTask.completed_by_id)
_AUDIT_COLUMNS = (AuditEntry.case_id, AuditEntry.id, AuditEntry.action, AuditEntry.task_id, AuditEntry.actor_id,
                  AuditEntry.after_status, AuditEntry.detail)


@dataclass(frozen=True)
class Finding:
    case_number: str | None
    problem: str

    def __str__(self) -> str:
        return f"{self.case_number}: {self.problem}" if self.case_number else self.problem


@dataclass
class _Task:
    id: str
    workflow_id: str  # '' for the top-level workflow
    seq: int
    state: int
    spec: object | None
    spec_name: str
    parent: str | None
    children: list
    changed_at: float
    event_value: object

    @property
    def props(self) -> dict:
        return properties_of(self.spec) if self.spec is not None else {}


@contextlib.contextmanager
def _snapshot(db):
    """One read-only transaction: a writer committing meanwhile cannot make sound data look broken."""
    with db.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def _grouped(connection, columns, case_ids: list[int]) -> dict[int, list]:
    groups = defaultdict(list)
    for row in connection.execute(select(*columns).where(columns[0].in_(case_ids))):
        groups[row[0]].append(row)
    return groups


def check_database(engine) -> list[Finding]:
    """Every case against its workflow, task rows, audit trail and ledger entries; [] when consistent."""
    findings: list[Finding] = []
    with _snapshot(engine.db) as connection, Session(bind=connection) as session:
        known_cases: dict[int, tuple[str, int]] = {}  # id -> (number, overdue days charged)
        ledger_tasks: dict[int, set[str]] = {}  # case id -> completed tasks that fire a ledger trigger
        highest_number: dict = {}  # received day -> highest case sequence number issued that day
        last_id = 0
        while cases := connection.execute(select(*_CASE_COLUMNS).where(Case.id > last_id)
                                          .order_by(Case.id).limit(CHUNK)).all():
            ids = [case.id for case in cases]
            headers = dict(connection.execute(select(WorkflowState.case_id, WorkflowState.header)
                                              .where(WorkflowState.case_id.in_(ids))).all())
            tasks = _grouped(connection, _TASK_COLUMNS, ids)
            humans = _grouped(connection, _HUMAN_COLUMNS, ids)
            audits = _grouped(connection, _AUDIT_COLUMNS, ids)
            for case in cases:
                definition = engine.specs.get(session, case.process_version_id)
                tree = _tree(headers.get(case.id), tasks.get(case.id, []), definition)
                problems = _check_case(case, tree, humans.get(case.id, []),
                                       sorted(audits.get(case.id, []), key=lambda entry: entry.id))
                findings += [Finding(case.number, problem) for problem in problems]
                known_cases[case.id] = (case.number, case.overdue_days_charged or 0)
                if tree is not None:
                    ledger_tasks[case.id] = {task.id for task in tree[1].values()
                                             if task.state == TaskState.COMPLETED and "ledger" in task.props}
                sequence = _sequence(case.number, case.received_on)
                if sequence is not None:
                    highest_number[case.received_on] = max(sequence, highest_number.get(case.received_on, 0))
            last_id = ids[-1]
        findings += _check_ledger(connection, known_cases, ledger_tasks)
        counters = dict(connection.execute(select(CaseCounter.day, CaseCounter.last)).all())
        for day, highest in sorted(highest_number.items()):
            # A number comes from the day's counter in the transaction that creates the case.
            if counters.get(day, 0) < highest:
                findings.append(Finding(None, f"case counter of {day} is {counters.get(day, 0)}, "
                                              f"but number {highest} of that day was issued"))
    return findings


def _sequence(number: str, day) -> int | None:
    _prefix, found, tail = number.rpartition(f"{day:%Y%m%d}")
    return int(tail) if found and tail.isdigit() else None


# -- the workflow as stored ---------------------------------------------------------------
def _tree(header_text: str | None, rows: list, definition):
    """(header, tasks by id) parsed from the stored rows, or None when the workflow state is missing."""
    if header_text is None:
        return None
    header = json.loads(header_text)
    specs_by_workflow = {"": definition.spec.task_specs}
    for owner, sub in header.get("subprocesses", {}).items():
        process = definition.subprocess_specs.get(sub.get("spec"))
        specs_by_workflow[owner] = process.task_specs if process is not None else {}
    tasks = {}
    for row in rows:
        body = json.loads(row.body)
        specs = specs_by_workflow.get(row.workflow_id, {})
        tasks[row.id] = _Task(row.id, row.workflow_id, row.seq, TaskState.get_value(row.state),
                              specs.get(body["task_spec"]), body["task_spec"], body.get("parent"),
                              body.get("children", []), body.get("last_state_change") or 0.0,
                              body.get("internal_data", {}).get("event_value"))
    return header, tasks


def _check_case(case, tree, humans: list, audits: list) -> list[str]:
    problems = _check_audit(case, humans, audits)
    if tree is None:
        return ["has no workflow state (its workflow_state row is missing)", *problems]
    header, tasks = tree
    structure = _check_structure(header, tasks)
    if structure:
        return structure + problems  # a broken tree says nothing reliable about the rest
    return _check_row(case, header, tasks) + _check_task_rows(case, tasks, humans) + problems


def _check_structure(header: dict, tasks: dict[str, _Task]) -> list[str]:
    """Store.save writes a step's new, changed and removed tasks together: the tree is whole or not written."""
    problems = []
    if header.get("root") not in tasks:
        problems.append("its workflow's root task is missing")
    unknown = sorted({task.spec_name for task in tasks.values() if task.spec is None})
    if unknown:
        problems.append(f"workflow tasks of unknown steps: {', '.join(unknown)}")
    orphans = sum(1 for task in tasks.values() if task.parent is not None and task.parent not in tasks)
    lost = sum(1 for task in tasks.values() for child in task.children if child not in tasks)
    if orphans or lost:
        problems.append(f"workflow tree is broken: {orphans} tasks without their parent, {lost} children missing")
    return problems


def _check_row(case, header: dict, tasks: dict[str, _Task]) -> list[str]:
    """The case row's bookkeeping is what its completed steps' properties say (engine.steps)."""
    problems = []
    # BpmnWorkflow.is_completed: the flag, or no unfinished task left in the top-level workflow.
    finished = bool(header.get("completed")) or not any(
        task.state & TaskState.NOT_FINISHED_MASK for task in tasks.values() if task.workflow_id == "")
    if finished != (case.closed_at is not None):
        problems.append("its workflow has finished but the case is open" if finished
                        else "the case is closed but its workflow is still running")
    if case.closed_at is not None and case.outcome is None:
        problems.append("closed without an outcome")
    if case.closed_at is not None and case.deadline_check_at is not None:
        problems.append(f"closed but still due a deadline check at {case.deadline_check_at}")
    completed = sorted((task for task in tasks.values() if task.state == TaskState.COMPLETED),
                       key=lambda task: (task.changed_at, task.seq))
    statuses = [task.props["case_status"] for task in completed if "case_status" in task.props]
    expected = statuses[-1] if statuses else INITIAL_STATUS
    if case.status != expected:
        problems.append(f"status is '{case.status}' but its workflow's last status step says '{expected}'")
    milestones = Counter(task.props["milestone"] for task in completed if "milestone" in task.props)
    if (case.notice_count or 0) != milestones["notified"]:
        problems.append(f"notice count is {case.notice_count} but {milestones['notified']} notices were issued")
    for milestone, value in (("accepted", case.accepted_at), ("decided", case.decided_at),
                             ("delivered", case.delivered_at), ("rated", case.rating)):
        if (value is not None) != (milestones[milestone] > 0):
            problems.append(f"milestone '{milestone}' is {'recorded' if value is not None else 'missing'} "
                            f"on the case but {'absent' if value is not None else 'reached'} in its workflow")
    # The clock (第45条, 第42条): stopped while a suspension has started and not ended; extended once granted.
    stopped = milestones["suspended"] > milestones["resumed"]
    if stopped != (case.suspended_since is not None):
        problems.append(f"clock is {'stopped' if case.suspended_since else 'running'} on the case but "
                        f"{milestones['suspended']} suspensions started and {milestones['resumed']} ended")
    if (case.extended_days > 0) != (milestones["extended"] > 0):
        problems.append(f"extended by {case.extended_days} days but {milestones['extended']} extensions granted")
    problems += _check_timer(case, tasks)
    return problems


def _check_timer(case, tasks: dict[str, _Task]) -> list[str]:
    """next_timer_at is rewritten by every step from the workflow's waiting timers (engine.workflow.timers)."""
    waiting = [task for task in tasks.values() if task.state == TaskState.WAITING
               and isinstance(getattr(task.spec, "event_definition", None), TimerEventDefinition)]
    if not waiting:
        return [] if case.next_timer_at is None else [f"timer due at {case.next_timer_at} but none is waiting"]
    if case.next_timer_at is None:
        return [f"{len(waiting)} timers are waiting but none is scheduled on the case"]
    exact = [task for task in waiting if task.event_value is not None
             and not isinstance(task.spec.event_definition, CycleTimerEventDefinition)]
    if len(exact) < len(waiting):
        return []  # a timer not evaluated yet is scheduled "now" by its step: nothing to compare
    due = min(TimerEventDefinition.get_datetime(task.event_value) for task in exact).astimezone(UTC)
    if due != case.next_timer_at:
        return [f"next timer scheduled at {case.next_timer_at}, but its workflow's next timer is due {due}"]
    return []


def _check_task_rows(case, tasks: dict[str, _Task], humans: list) -> list[str]:
    """sync_human_tasks keeps one open row per READY user task, in the same transaction as the workflow."""
    problems = []
    ready = {task.id: task for task in tasks.values()
             if task.state == TaskState.READY and getattr(task.spec, "manual", False)}
    open_rows = {row.id: row for row in humans if row.state == OPEN}
    for task_id in ready.keys() - open_rows.keys():
        problems.append(f"READY user task '{ready[task_id].spec_name}' ({task_id}) has no open task row")
    for task_id in open_rows.keys() - ready.keys():
        problems.append(f"task row '{open_rows[task_id].name}' ({task_id}) is open but its workflow task is "
                        f"{_state_name(tasks, task_id)}")
    for row in humans:
        done = row.id in tasks and tasks[row.id].state == TaskState.COMPLETED
        if row.state == COMPLETED and not done or row.state == CANCELLED and done:
            problems.append(f"task row '{row.name}' ({row.id}) is {row.state} but its workflow task is "
                            f"{_state_name(tasks, row.id)}")
    names = sorted(row.name for row in open_rows.values())
    if names and sorted(case.stage.split("、")) != names:
        problems.append(f"stage '{case.stage}' does not name its open tasks {names}")
    if not names and case.stage != ("已结束" if case.closed_at is not None else ""):
        problems.append(f"stage '{case.stage}' with no open task")
    return problems


def _state_name(tasks: dict[str, _Task], task_id: str) -> str:
    return TaskState.get_name(tasks[task_id].state) if task_id in tasks else "gone"


def _check_audit(case, humans: list, audits: list) -> list[str]:
    """Each action appends its audit entry in its own transaction, after the case row is locked,
    so a case's entries in id order are its actions in the order they committed."""
    problems = []
    actions = Counter(entry.action for entry in audits)
    if actions["create"] != 1:
        problems.append(f"has {actions['create']} 'create' audit entries, not 1")
    completions = defaultdict(list)
    assignments = {}
    for entry in audits:
        if entry.action == "complete":
            completions[entry.task_id].append(entry)
        elif entry.action in ASSIGNING_ACTIONS:
            assignments[entry.task_id] = (entry.detail or {}).get("assignee_after")
    rows = {row.id: row for row in humans}
    for row in humans:
        entries = completions.get(row.id, [])
        if row.state == COMPLETED and (len(entries) != 1 or entries[0].actor_id != row.completed_by_id):
            problems.append(f"task '{row.name}' ({row.id}) is completed by staff {row.completed_by_id} but its "
                            f"audit has {len(entries)} completions by {[entry.actor_id for entry in entries]}")
        if row.assignee_id != assignments.get(row.id):
            problems.append(f"task '{row.name}' ({row.id}) is assigned to {row.assignee_id} but its last claim "
                            f"or release in the audit says {assignments.get(row.id)}")
    for task_id in completions.keys() - rows.keys():
        problems.append(f"audit records completing task {task_id}, which has no task row")
    for task_id in completions.keys() & rows.keys():
        if rows[task_id].state != COMPLETED:
            problems.append(f"audit records completing task '{rows[task_id].name}' ({task_id}), "
                            f"but its row is {rows[task_id].state}")
    statuses = [entry.after_status for entry in audits if entry.after_status is not None]
    if statuses and statuses[-1] != case.status:
        problems.append(f"status is '{case.status}' but its last audit entry left it '{statuses[-1]}'")
    return problems


# -- the ledger ----------------------------------------------------------------------------
def _check_ledger(connection, known_cases: dict[int, tuple[str, int]], ledger_tasks: dict[int, set[str]]):
    """Automatic entries are written with the step or sweep that found them, under a unique key."""
    findings = []
    staff = set(connection.scalars(select(Staff.id)))
    keys = Counter()
    for entry in connection.execute(select(LedgerEntry.id, LedgerEntry.staff_id, LedgerEntry.case_id,
                                           LedgerEntry.violation_key)):
        number = known_cases.get(entry.case_id, (None, 0))[0]
        if entry.staff_id not in staff:
            findings.append(Finding(number, f"ledger entry {entry.id} is about staff {entry.staff_id}, who does "
                                            f"not exist"))
        if entry.case_id is not None and entry.case_id not in known_cases:
            findings.append(Finding(None, f"ledger entry {entry.id} refers to case {entry.case_id}, which does "
                                          f"not exist"))
        if entry.violation_key is None:
            continue
        keys[entry.violation_key] += 1
        problem = _key_problem(entry, known_cases, ledger_tasks)
        if problem:
            findings.append(Finding(number, f"ledger entry {entry.id} ({entry.violation_key}): {problem}"))
    findings += [Finding(None, f"violation key {key} is recorded {count} times")
                 for key, count in keys.items() if count > 1]
    return findings


def _key_problem(entry, known_cases: dict, ledger_tasks: dict) -> str | None:
    trigger, _, rest = entry.violation_key.partition(":")
    case_part, _, detail = rest.partition(":")
    if trigger not in (deadline_service.OVERDUE_TRIGGER, "deemed_acceptance"):
        return None  # keys of other triggers are not the engine's to check
    if not case_part.isdigit() or int(case_part) != entry.case_id:
        return "its key names another case than the entry"
    if entry.case_id not in known_cases:
        return None  # reported above
    if trigger == deadline_service.OVERDUE_TRIGGER:
        charged = known_cases[entry.case_id][1]
        # The n-th late day is charged with the counter moved to at least n, in one transaction.
        if not detail.isdigit() or not 1 <= int(detail) <= charged:
            return f"the case has {charged} overdue days charged"
    elif detail not in ledger_tasks.get(entry.case_id, set()):
        return "no completed step of the case fires this trigger"
    return None


# -- the scheduler's work ------------------------------------------------------------------
def check_caught_up(engine) -> list[Finding]:
    """What the scheduler must have done by the engine clock's now: no timer or deadline check
    overdue, and every open case's deadline state and charged days as time has made them."""
    now, today = engine.clock.now(), engine.clock.today()
    calendar = engine.calendar.get()
    findings = []
    with _snapshot(engine.db) as connection, Session(bind=connection) as session:
        chiefs = deadline_service.department_chiefs(session)
        for case in session.scalars(select(Case).where(Case.closed_at.is_(None)).order_by(Case.id)):
            if case.next_timer_at is not None and case.next_timer_at <= now:
                findings.append(Finding(case.number, f"timer due at {case.next_timer_at} has not fired"))
            if case.deadline_check_at is not None and case.deadline_check_at <= now:
                findings.append(Finding(case.number, f"deadline check due at {case.deadline_check_at} not done"))
            open_rows = list(session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                                     HumanTask.state == OPEN)))
            plan = deadline_service.evaluate(case, open_rows, calendar, engine.warnings, today, chiefs)
            if plan.state != case.deadline_state:
                findings.append(Finding(case.number, f"deadline state is {case.deadline_state}, should be "
                                                     f"{plan.state}"))
            if plan.charges:  # days late beyond the counter: never below it (a day once charged stays)
                findings.append(Finding(case.number, f"{case.overdue_days_charged} overdue days charged, "
                                                     f"{plan.working_days_late} are due"))
            findings += [Finding(case.number, f"task {change.bpmn_id} is {change.before}, should be {change.state}")
                         for change in plan.tasks]
    return findings
