"""Saving and loading a case's workflow: one row per task, written only when it changes.

SpiffWorkflow's own serializer writes the whole workflow, spec included, at every step,
so a case with a long history pays for all of it on every click. Here the spec comes
from the spec cache, workflow-level attributes go to ``workflow_state``, and each task is
a row of ``workflow_task`` in SpiffWorkflow's task format. A step writes the tasks it
created, changed or removed; a finished task is written once (again only if a child of
it was added or removed). Unfinished tasks are compared with what was last written.
"""

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.db import per_dialect
from engine.workflow.case_workflow import SERIALIZER_CONFIG, CaseSubWorkflow, CaseWorkflow
from engine.workflow.models import WorkflowState, WorkflowTask
from engine.workflow.task_rows import FINISHED, TaskRows

# Plain Core statements, built once: this is the hot path of every step.
_TASKS = WorkflowTask.__table__
_STATES = WorkflowState.__table__
_UPSERT_TASKS = per_dialect(lambda insert: (statement := insert(_TASKS)).on_conflict_do_update(
    index_elements=[_TASKS.c.case_id, _TASKS.c.id],
    set_={"state": statement.excluded.state, "body": statement.excluded.body}))
_DELETE_TASKS = _TASKS.delete().where(_TASKS.c.case_id == bindparam("b_case_id"),
                                      _TASKS.c.id.in_(bindparam("ids", expanding=True)))
_UPDATE_HEADER = _STATES.update().where(_STATES.c.case_id == bindparam("b_case_id")).values(header=bindparam("header"))


@dataclass
class TaskRecord:
    state: int
    parent: UUID | None
    seq: int
    body: str | None  # what was last written, kept only while the task is unfinished


@dataclass
class Snapshot:
    """What the database holds for one workflow, as of the last load or save."""

    header: str = ""
    tasks: dict[UUID, TaskRecord] = field(default_factory=dict)
    next_seq: int = 0


@dataclass
class SaveResult:
    inserted: int
    updated: int
    deleted: int
    completed: list  # tasks that reached COMPLETED since the snapshot, in completion order


class WorkflowStore:
    def __init__(self):
        self.registry = BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG)
        self._encoder = create_encoder(self.registry)

    def _dumps(self, value) -> str:
        return json.dumps(value, cls=self._encoder, ensure_ascii=False, separators=(",", ":"))

    def task_body(self, task) -> str:
        return self._dumps(self.registry.convert(task))

    def _workflow_header(self, workflow) -> dict:
        convert = self.registry.convert
        return {
            "data": convert(self.registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "root": str(workflow.task_tree.id),
        }

    def header(self, workflow: BpmnWorkflow) -> str:
        header = self._workflow_header(workflow)
        header["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        header["subprocesses"] = {
            str(task_id): {**self._workflow_header(sub), "spec": sub.spec.name}
            for task_id, sub in workflow.subprocesses.items()
        }
        return self._dumps(header)

    @staticmethod
    def _all_tasks(workflow: BpmnWorkflow):
        for task in workflow.tasks.values():
            yield task, ""
        for task_id, sub in workflow.subprocesses.items():
            for task in sub.tasks.values():
                yield task, str(task_id)

    # -- writing ---------------------------------------------------------------------
    def save(self, session: Session, case_id: int, workflow: BpmnWorkflow, snapshot: Snapshot,
             new: bool = False) -> SaveResult:
        """Write what changed since ``snapshot`` and bring ``snapshot`` up to date."""
        current = {task.id: (task, workflow_id) for task, workflow_id in self._all_tasks(workflow)}
        removed = [task_id for task_id in snapshot.tasks if task_id not in current]
        # A parent's children list is part of its row: rewrite parents that gained or lost one.
        touched_parents = {snapshot.tasks[task_id].parent for task_id in removed}
        touched_parents.update(task._parent for task_id, (task, _) in current.items() if task_id not in snapshot.tasks)
        writes, inserted, completed = [], 0, []
        for task_id, (task, workflow_id) in current.items():
            record = snapshot.tasks.get(task_id)
            if task.state == TaskState.COMPLETED and (record is None or record.state != TaskState.COMPLETED):
                completed.append(task)
            if record is not None and record.state == task.state and task.state & FINISHED \
                    and task_id not in touched_parents:
                continue
            body = self.task_body(task)
            if record is not None and record.body == body:
                continue
            state_name = TaskState.get_name(task.state)
            keep = None if task.state & FINISHED else body
            if record is None:
                seq = snapshot.next_seq
                snapshot.next_seq += 1
                inserted += 1
                record = snapshot.tasks[task_id] = TaskRecord(task.state, task._parent, seq, keep)
            else:
                record.state, record.body = task.state, keep
            # New and changed tasks go in one upsert: one statement, whatever the mix.
            writes.append({"case_id": case_id, "id": str(task_id), "seq": record.seq, "workflow_id": workflow_id,
                           "state": state_name, "body": body})
        connection = session.connection()
        if writes:
            connection.execute(_UPSERT_TASKS[connection.dialect.name], writes)
        if removed:
            connection.execute(_DELETE_TASKS, {"b_case_id": case_id, "ids": [str(i) for i in removed]})
            for task_id in removed:
                del snapshot.tasks[task_id]
        header = self.header(workflow)
        if new:
            connection.execute(_STATES.insert(), {"case_id": case_id, "serializer_version": SERIALIZER_VERSION,
                                                  "header": header})
        elif header != snapshot.header:
            connection.execute(_UPDATE_HEADER, {"b_case_id": case_id, "header": header})
        snapshot.header = header
        completed.sort(key=lambda task: task.last_state_change)
        return SaveResult(inserted, len(writes) - inserted, len(removed), completed)

    # -- reading ---------------------------------------------------------------------
    def load(self, session: Session, case_id: int, spec, subprocess_specs: dict,
             script_engine) -> tuple[BpmnWorkflow, Snapshot]:
        header_text = session.scalar(select(WorkflowState.header).where(WorkflowState.case_id == case_id))
        if header_text is None:
            raise LookupError(f"case {case_id} has no workflow state")
        rows = session.execute(
            select(WorkflowTask.workflow_id, WorkflowTask.seq, WorkflowTask.body)
            .where(WorkflowTask.case_id == case_id).order_by(WorkflowTask.seq)
        ).all()
        header = json.loads(header_text)
        by_workflow: dict[str, list] = {}
        for workflow_id, seq, body in rows:
            by_workflow.setdefault(workflow_id, []).append((seq, body))
        workflow = CaseWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        snapshot = Snapshot(header=header_text, next_seq=(rows[-1][1] + 1) if rows else 0)
        task_rows = TaskRows(self.registry)
        self._restore_tasks(task_rows, workflow, by_workflow.get("", []), snapshot)
        self._restore_attributes(workflow, header)
        workflow.bpmn_events = self.registry.restore(header.get("bpmn_events", []))
        sub_headers = {task_rows.uuid(task_id): sub_header for task_id, sub_header in header["subprocesses"].items()}
        self._restore_subprocesses(task_rows, workflow, workflow, sub_headers, by_workflow, snapshot)
        return workflow, snapshot

    @staticmethod
    def _restore_tasks(task_rows: TaskRows, workflow, rows, snapshot: Snapshot) -> None:
        # Tasks register themselves in workflow.tasks; rows come parents first (by seq).
        for seq, body in rows:
            dct = json.loads(body)
            # Any "typename" besides the task's own marks a value the registry must restore.
            task = task_rows.restore(dct, body.count('"typename"') > ("typename" in dct), workflow)
            unfinished = not task.state & FINISHED
            snapshot.tasks[task.id] = TaskRecord(task.state, task._parent, seq, body if unfinished else None)

    def _restore_attributes(self, workflow, header: dict) -> None:
        workflow.task_tree = workflow.tasks.get(UUID(header["root"]))
        workflow.success = header["success"]
        workflow.completed = header.get("completed", False)
        workflow.correlations = header.get("correlations", {})
        last_task = header.get("last_task")
        workflow.last_task = workflow.tasks.get(UUID(last_task)) if last_task else None
        workflow.data = self.registry.restore(header.get("data", {}))

    def _restore_subprocesses(self, task_rows: TaskRows, top, parent, headers: dict, by_workflow: dict,
                              snapshot: Snapshot) -> None:
        """``headers``: each subprocess's header by the id of the task that runs it."""
        if not headers:
            return
        for task in list(parent.tasks.values()):
            sub_header = headers.get(task.id)
            if sub_header is None:
                continue
            sub = CaseSubWorkflow(top.subprocess_specs[sub_header["spec"]], task.id, top, deserializing=True)
            self._restore_tasks(task_rows, sub, by_workflow.get(str(task.id), []), snapshot)
            self._restore_attributes(sub, sub_header)
            top.subprocesses[task.id] = sub
            sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            self._restore_subprocesses(task_rows, top, sub, headers, by_workflow, snapshot)


class WorkflowCache:
    """Workflows kept in memory between steps, keyed by case id and the case row's version.

    A workflow is taken out while an action runs on it and put back only after the
    action's transaction committed, so a failed action never leaves a half-changed
    workflow behind. Another process changing the case bumps the version: a stale entry
    is never used.
    """

    def __init__(self, capacity: int = 256):
        self.capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, tuple[int, BpmnWorkflow, Snapshot]] = OrderedDict()

    def take(self, case_id: int, version: int) -> tuple[BpmnWorkflow, Snapshot] | None:
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is None or entry[0] != version:
            return None
        return entry[1], entry[2]

    def put(self, case_id: int, version: int, workflow: BpmnWorkflow, snapshot: Snapshot) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._entries[case_id] = (version, workflow, snapshot)
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
