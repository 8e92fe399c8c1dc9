"""The engine's workflow classes (engine/workflow/case_workflow.py) answer SpiffWorkflow's task
queries from the flat task index exactly as SpiffWorkflow's walk does, and keep doing so where the
walk gives up: a case whose history is deeper than the walk's depth limit."""

from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine.workflow import case_workflow
from tests.helpers import full_materials, intake, item_code, only_task, person, pickup_form


def _walked(workflow, task_filter, bpmn, into_subprocesses):
    if bpmn:
        return list(BpmnTaskIterator(workflow.task_tree, task_filter=task_filter,
                                     skip_subprocesses=not into_subprocesses))
    return list(TaskIterator(workflow.task_tree, task_filter=task_filter))


def _compared_with_the_walk(monkeypatch):
    """Make every flat query also walk the tree, recording each answer that differs."""
    answers = {"asked": 0, "different": []}
    flat = case_workflow.find_tasks

    def both(workflow, task_filter, bpmn=True, into_subprocesses=True):
        found = flat(workflow, task_filter, bpmn, into_subprocesses)
        walked = _walked(workflow, task_filter, bpmn, into_subprocesses)
        answers["asked"] += 1
        if [task.id for task in found] != [task.id for task in walked]:
            answers["different"].append((TaskState.get_name(task_filter.state),
                                         [task.task_spec.name for task in found],
                                         [task.task_spec.name for task in walked]))
        return found

    monkeypatch.setattr(case_workflow, "find_tasks", both)
    return answers


def _countersign_all(engine, staff, number):
    for task in engine.open_tasks(number):
        approver = staff[f"{task.department_code.lower()}_approver1"]
        engine.claim_task(approver, task.id)
        engine.complete_task(approver, task.id, {"countersign_position": "agree", "countersign_opinion": "同意"})


def test_every_task_query_of_a_case_answers_as_the_walk(engine, staff, monkeypatch):
    """Correction loops, a joint review's parallel branches, the clock-stop subprocess, the
    decision, pickup and rating: each query of each step, in the same order as the walk."""
    answers = _compared_with_the_walk(monkeypatch)
    code = item_code(engine, case_type="联办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    partial = {"correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
               "material_defects": []}
    for form in ({}, partial, {}):
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, form)
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code), "material_defects": []})
    _countersign_all(engine, staff, case.number)
    lead = staff[f"{case.department_code.lower()}_approver1"]
    engine.suspend_clock(lead, case.number, "现场勘察", "需到现场勘察")
    engine.workflows.clear()  # the rest from a loaded workflow
    engine.end_suspension(lead, case.number, "勘察完毕")
    engine.claim_task(lead, only_task(engine, case.number).id)
    decided = engine.complete_task(lead, only_task(engine, case.number).id, {"decision": "approve", "opinion": "同意"})
    engine.complete_task(staff["clerk1"], only_task(engine, decided.number).id, pickup_form())
    finished = engine.complete_task(staff["clerk1"], only_task(engine, decided.number).id, {"rating": "满意"})
    assert finished.closed_at is not None
    assert answers["asked"] > 100
    assert answers["different"] == []


def test_a_case_deeper_than_the_walks_limit_still_finds_its_tasks(engine, staff):
    """About ten tree levels per correction loop: at 110 loops the open task lies below depth
    1000, where SpiffWorkflow's walk stops descending (and its ancestor check used to recurse
    past Python's limit at ~80 loops)."""
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    partial = {"correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
               "material_defects": []}
    for _ in range(110):
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, partial)
    entry = engine.workflows.take(case.id, engine.get_case(case.number).version)
    workflow = entry[0]
    (ready,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    depth, ancestor = 0, ready
    while ancestor.parent is not None:
        depth, ancestor = depth + 1, ancestor.parent
    assert depth > 1000
    assert list(TaskIterator(workflow.task_tree, state=TaskState.READY, manual=True)) == []  # the walk's limit
    engine.workflows.put(case.id, engine.get_case(case.number).version, *entry)
    engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    accepted = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code), "material_defects": []})
    assert accepted.status == "已受理" and only_task(engine, case.number).bpmn_id == "review"
