"""The baseline the engine is measured against: a minimal persistent system on raw SpiffWorkflow.

What any system that keeps cases in a database must do at each step, and nothing more: the
process spec parsed once and kept in memory; per case one row holding the workflow's state
only (SpiffWorkflow's own format without the spec, which a step never changes); a step locks
that row (``SELECT … FOR UPDATE``; on SQLite the write transaction's lock), restores the
workflow, runs the ready user task with its form, runs the engine steps, writes the state
back and commits. No case row, tasks, audit, ledger or outbox: those are what the engine adds.
"""

import json
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select, update

from engine.db import make_engine, make_session_factory, transaction
from engine.workflow.spiff_fixes import clock_in_effect

_METADATA = MetaData()
RAW_CASES = Table("bench_raw_case", _METADATA, Column("id", Integer, primary_key=True, autoincrement=True),
                  Column("state", Text, nullable=False))


class StateOnlyConverter(BpmnWorkflowConverter):
    """SpiffWorkflow's workflow format without the spec; restored onto the cached spec."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None, script_engine=None):
        workflow = self.target_class(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class RawSystem:
    """Cases of one process on raw SpiffWorkflow, persisted state-only, one locked row per step."""

    def __init__(self, url: str, spec, subprocess_specs: dict, script_engine, clock, initial_data: dict):
        self.db = make_engine(url)
        _METADATA.create_all(self.db)
        self.writes = make_session_factory(self.db, write=True)
        self.spec, self.subprocess_specs = spec, subprocess_specs
        self.script_engine, self.clock, self.initial_data = script_engine, clock, initial_data
        self.registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: StateOnlyConverter})
        self._encoder = create_encoder(self.registry)
        self.state_bytes = 0  # the size of the last state written

    def _dumps(self, workflow: BpmnWorkflow) -> str:
        state = json.dumps(self.registry.convert(workflow), cls=self._encoder, separators=(",", ":"))
        self.state_bytes = len(state.encode())
        return state

    def _loads(self, state: str) -> BpmnWorkflow:
        return self.registry.restore(json.loads(state), spec=self.spec, subprocess_specs=self.subprocess_specs,
                                     script_engine=self.script_engine)

    def start(self) -> int:
        with clock_in_effect(self.clock):
            workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
            workflow.task_tree.data = dict(self.initial_data)
            workflow.do_engine_steps()
            with transaction(self.writes) as session:
                return session.execute(insert(RAW_CASES).values(state=self._dumps(workflow))
                                       .returning(RAW_CASES.c.id)).scalar_one()

    def step(self, case_id: int, forms: dict, expected: str | None = None) -> str | None:
        """Run the case's ready user task with its form from ``forms`` (by the task's name); the
        name of the task run, or None when the case has none left."""
        with clock_in_effect(self.clock), transaction(self.writes) as session:
            state = session.execute(select(RAW_CASES.c.state).where(RAW_CASES.c.id == case_id)
                                    .with_for_update()).scalar_one()
            workflow = self._loads(state)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                return None
            task = ready[0]
            name = task.task_spec.name
            assert expected is None or name == expected, (name, expected)
            task.set_data(**forms[name])
            task.run()
            workflow.do_engine_steps()
            session.execute(update(RAW_CASES).where(RAW_CASES.c.id == case_id).values(state=self._dumps(workflow)))
            return name

    def completed(self, case_id: int) -> bool:
        with self.db.connect() as connection:
            state = connection.execute(select(RAW_CASES.c.state).where(RAW_CASES.c.id == case_id)).scalar_one()
        return self._loads(state).is_completed()

    def tasks(self, case_id: int) -> int:
        with self.db.connect() as connection:
            state = connection.execute(select(RAW_CASES.c.state).where(RAW_CASES.c.id == case_id)).scalar_one()
        return len(self._loads(state).tasks)

    def dispose(self) -> None:
        self.db.dispose()
