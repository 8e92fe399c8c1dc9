"""A workflow loaded from its rows is the workflow that was saved, however its tasks were rebuilt.

The store rebuilds finished tasks with their data composed only when read
(engine/workflow/task_rows.py). A loaded long case (correction loops, then a joint review
with parallel countersigns and the clock-stop subprocess) must match the live one task by
task, read in the order that folds the longest delta chains, and SpiffWorkflow's own
converter restoring the same rows; stepping the loaded and the live workflow the same way
must give the same rows.
"""

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import UUID

import SpiffWorkflow.task as spiff_task
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.cases.models import Case
from engine.workflow.models import WorkflowTask
from engine.workflow.task_rows import FinishedTask, TaskRows
from tests.helpers import full_materials, intake, item_code, only_task, person

LOOPS = 4
AGREE = {"countersign_position": "agree", "countersign_opinion": "同意"}


def _case_row(engine, number):
    with engine.session() as session:
        return session.scalar(select(Case).where(Case.number == number))


def _loaded(engine, number):
    case = _case_row(engine, number)
    with engine.session() as session:
        definition = engine.specs.get(session, case.process_version_id)
        workflow, _ = engine.store.load(session, case.id, definition.spec, definition.subprocess_specs,
                                        engine.script_engine)
    return workflow


def _live(engine, number):
    case = _case_row(engine, number)
    entry = engine.workflows.take(case.id, case.version)
    assert entry is not None, "the engine should keep the workflow it just committed"
    engine.workflows.put(case.id, case.version, *entry)
    return entry[0]


def _all_tasks(workflow) -> dict:
    tasks = dict(workflow.tasks)
    for sub in workflow.subprocesses.values():
        tasks.update(sub.tasks)
    return tasks


def _joint_case_in_review(engine, staff):
    """A joint case after LOOPS correction loops, with all but one countersign given."""
    code = item_code(engine, case_type="联办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    partial = {"correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
               "material_defects": []}
    for _ in range(LOOPS):
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, partial)
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code), "material_defects": []})
    parts = engine.open_tasks(case.number)
    assert len(parts) >= 2, "the joint review should run its countersigns in parallel"
    for task in parts[:-1]:
        approver = staff[f"{task.department_code.lower()}_approver1"]
        engine.claim_task(approver, task.id)
        engine.complete_task(approver, task.id, AGREE)
    return case, parts[-1]


def _assert_same_tasks(loaded, live):
    loaded_tasks, live_tasks = _all_tasks(loaded), _all_tasks(live)
    assert list(loaded_tasks) == list(live_tasks)
    assert any(type(task) is FinishedTask for task in loaded_tasks.values()), "nothing was restored lazily"
    # Deepest first: each read composes a finished task's data from the whole chain above it.
    for task_id in reversed(list(live_tasks)):
        ours, theirs = loaded_tasks[task_id], live_tasks[task_id]
        assert (ours.state, ours._parent, ours._children, ours.task_spec.name, ours.triggered) == \
               (theirs.state, theirs._parent, theirs._children, theirs.task_spec.name, theirs.triggered)
        assert ours.internal_data == theirs.internal_data
        assert ours.data == theirs.data, ours.task_spec.name
    assert loaded.data == live.data
    assert [task.id for task in loaded.get_tasks(state=TaskState.READY)] == \
           [task.id for task in live.get_tasks(state=TaskState.READY)]


def test_a_loaded_long_joint_case_is_the_live_one(engine, staff):
    case, _last_part = _joint_case_in_review(engine, staff)
    _assert_same_tasks(_loaded(engine, case.number), _live(engine, case.number))


def test_the_converter_restores_the_same_rows_to_the_same_tasks(engine, staff):
    """Rows with typed values (a datetime here) go through the registry like the converter's."""
    case, _last_part = _joint_case_in_review(engine, staff)
    with engine.session() as session:
        bodies = list(session.scalars(select(WorkflowTask.body).where(
            WorkflowTask.case_id == _case_row(engine, case.number).id, WorkflowTask.workflow_id == "")
            .order_by(WorkflowTask.seq)))
    rows = [json.loads(body) for body in bodies]
    stamped = rows[len(rows) // 2]
    stamped["delta"]["updates"]["seen_at"] = engine.store.registry.convert(datetime(2026, 12, 1, tzinfo=UTC))
    bodies = [json.dumps(row, ensure_ascii=False) for row in rows]
    live = _live(engine, case.number)
    ours, theirs = (BpmnWorkflow(live.spec, live.subprocess_specs, deserializing=True) for _ in range(2))
    task_rows = TaskRows(engine.store.registry)
    for body in bodies:
        dct = json.loads(body)
        task_rows.restore(dct, body.count('"typename"') > 1, ours)
        engine.store.registry.restore(json.loads(body), workflow=theirs)
    assert type(ours.tasks[task_rows.uuid(stamped["id"])]) is FinishedTask
    for task_id in reversed(list(theirs.tasks)):
        mine, converted = ours.tasks[task_id], theirs.tasks[task_id]
        assert (mine.state, mine._children, mine.internal_data, mine.last_state_change) == \
               (converted.state, converted._children, converted.internal_data, converted.last_state_change)
        assert mine.data == converted.data and list(mine.data) == list(converted.data)
        if converted.parent is not None:
            # A child's own copy of each container: changing it must not reach the parent.
            assert [value is mine.parent.data.get(key) for key, value in mine.data.items()] == \
                   [value is converted.parent.data.get(key) for key, value in converted.data.items()]
    assert ours.tasks[task_rows.uuid(stamped["id"])].data["seen_at"] == datetime(2026, 12, 1, tzinfo=UTC)


def _deterministic_ids_and_times(monkeypatch):
    counter = iter(range(1, 10**6))
    ids = iter(range(1, 10**6))
    monkeypatch.setattr(spiff_task, "time", SimpleNamespace(time=lambda: float(next(counter))))
    monkeypatch.setattr(spiff_task, "uuid4", lambda: UUID(int=next(ids)))


def _step(engine, workflow, task_id, form):
    task = workflow.get_task_from_id(task_id)
    task.set_data(**form)
    engine.work.run(lambda: (task.run(), workflow.do_engine_steps()))


def _rows(engine, workflow) -> tuple:
    """What the store would write for every task, parsed: a loaded unfinished task may list its
    delta's keys in another order than the live one (as with SpiffWorkflow's own converter)."""
    return json.loads(engine.store.header(workflow)), {
        task_id: json.loads(engine.store.task_body(task)) for task_id, task in _all_tasks(workflow).items()}


def test_stepping_a_loaded_workflow_writes_what_stepping_the_live_one_writes(engine, staff, monkeypatch):
    case, last_part = _joint_case_in_review(engine, staff)
    live, loaded = _live(engine, case.number), _loaded(engine, case.number)
    last_id = UUID(last_part.id)
    before = _rows(engine, live)
    assert _rows(engine, loaded) == before
    results = []
    for workflow in (live, loaded):
        with monkeypatch.context() as patch:
            _deterministic_ids_and_times(patch)
            # The last countersign closes the parallel review: its join reads every branch's data.
            _step(engine, workflow, last_id, AGREE)
            results.append(_rows(engine, workflow))
    assert results[0] != before, "the step should have changed something"
    assert results[1] == results[0]
