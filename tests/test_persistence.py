"""The incremental workflow store: what is in the database is exactly the workflow.

After every action the workflow rebuilt from its rows must equal the one in memory
(compared in SpiffWorkflow's own full serialization), a step must write only the tasks
it touched, and a case keeps the process version it started with.
"""

import json
import shutil
from datetime import timedelta
from pathlib import Path

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from sqlalchemy import func, select

from engine.cases.models import Case
from engine.runtime import CaseEngine
from engine.workflow.bundles import PROCESS_DIR
from engine.workflow.case_workflow import SERIALIZER_CONFIG
from engine.workflow.models import ProcessVersion, WorkflowTask
from tests.helpers import full_materials, intake, item_code, only_task, person, pickup_form

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))


def _full(workflow) -> dict:
    """SpiffWorkflow's own serialization, minus the spec the store deliberately leaves out."""
    dct = json.loads(SERIALIZER.serialize_json(workflow))
    for key in ("spec", "subprocess_specs", "serializer_version"):
        dct.pop(key, None)
    for task in dct["tasks"].values():
        task.pop("last_state_change")  # a float timestamp; equal, but not worth float-comparing
    return dct


def _cold_load(engine, number):
    with engine.session() as session:
        case = session.scalar(select(Case).where(Case.number == number))
        definition = engine.specs.get(session, case.process_version_id)
        workflow, _ = engine.store.load(session, case.id, definition.spec, definition.subprocess_specs,
                                        engine.script_engine)
    return workflow


def _cached(engine, number):
    case = engine.get_case(number)
    entry = engine.workflows.take(case.id, case.version)
    assert entry is not None, "the engine should keep the workflow it just committed"
    engine.workflows.put(case.id, case.version, *entry)
    return entry[0]


def _assert_stored_equals_memory(engine, number):
    assert _full(_cold_load(engine, number)) == _full(_cached(engine, number))


def test_stored_workflow_equals_memory_after_every_step(engine, staff):
    code = item_code(engine, case_type="承诺件", post=True)
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1, delivery="post"))
    _assert_stored_equals_memory(engine, case.number)
    steps = [
        (staff["clerk1"], {}),
        (staff["clerk1"], {"correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
                           "material_defects": []}),
        (staff["clerk1"], {}),
        (staff["clerk1"], {"correction_action": "submit", "received_materials": full_materials(engine, code),
                           "material_defects": []}),
    ]
    for actor, form in steps:
        case = engine.complete_task(actor, only_task(engine, case.number).id, form)
        _assert_stored_equals_memory(engine, case.number)
    review = only_task(engine, case.number)
    approver = staff[f"{review.department_code.lower()}_approver1"]
    engine.claim_task(approver, review.id)
    for actor, form in [(approver, {"decision": "approve", "opinion": "同意"}),
                        (staff["clerk2"], {"carrier": "EMS", "waybill_number": "1190012345678", "handed_to": "揽收员"}),
                        (staff["clerk2"], {"delivered_on": "2026-11-23", "signed_by": "张三"}),
                        (staff["clerk2"], {"rating": "满意"})]:
        case = engine.complete_task(actor, only_task(engine, case.number).id, form)
        _assert_stored_equals_memory(engine, case.number)
    assert case.outcome == "completed"


def test_timer_path_is_stored_exactly(engine, staff, clock):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    clock.set(case.next_timer_at + timedelta(seconds=1))
    assert engine.fire_due_timers() == 1
    _assert_stored_equals_memory(engine, case.number)


def test_a_step_writes_only_what_it_touched_however_long_the_history(engine, staff):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    partial = {"correction_action": "submit", "received_materials": full_materials(engine, code)[:-1],
               "material_defects": []}
    writes = []
    original_save = engine.store.save

    def counting_save(*args, **kwargs):
        result = original_save(*args, **kwargs)
        writes.append(result.inserted + result.updated + result.deleted)
        return result

    engine.store.save = counting_save
    for _ in range(25):  # 25 correction loops: notice, then another incomplete correction
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
        engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, partial)
    with engine.session() as session:
        rows = session.scalar(select(func.count()).select_from(WorkflowTask).where(WorkflowTask.case_id == case.id))
    assert rows > 250
    # Writes per step stay flat: the last loop writes what the first loop wrote.
    assert writes[-2:] == writes[2:4]
    assert max(writes) < 40
    _assert_stored_equals_memory(engine, case.number)


def test_cold_load_and_cache_agree_and_stale_cache_is_not_used(engine, staff):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    stale_version = case.version
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {})
    assert engine.workflows.take(case.id, stale_version) is None
    engine.workflows.clear()
    # With an empty cache the next action loads from the database and still works.
    case = engine.complete_task(staff["clerk1"], only_task(engine, case.number).id, {
        "correction_action": "submit", "received_materials": full_materials(engine, code), "material_defects": []})
    assert case.status == "已受理"
    _assert_stored_equals_memory(engine, case.number)


def test_a_changed_model_is_a_new_version_and_running_cases_keep_theirs(engine, staff, tmp_path):
    code = item_code(engine, case_type="承诺件")
    old_case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    assert engine.deploy_processes() == []  # unchanged files: nothing new
    changed = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, changed)
    bpmn = changed / "one_window.bpmn"
    bpmn.write_text(bpmn.read_text(encoding="utf-8").replace('name="审查决定"', 'name="审查并决定"'), encoding="utf-8")
    (new_version,) = engine.deploy_processes(changed)
    assert (new_version.process_id, new_version.version) == ("one_window", 2)
    new_case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    assert only_task(engine, new_case.number).name == "审查并决定"
    assert only_task(engine, old_case.number).name == "审查决定"
    with engine.session() as session:
        versions = dict(session.execute(select(Case.number, Case.process_version_id)).all())
        numbers = {v.id: v.version for v in session.scalars(select(ProcessVersion))}
    assert numbers[versions[old_case.number]] == 1 and numbers[versions[new_case.number]] == 2
    engine.workflows.clear()  # the old case resumes from the database on its own version
    review = only_task(engine, old_case.number)
    approver = staff[f"{review.department_code.lower()}_approver1"]
    engine.claim_task(approver, review.id)
    case = engine.complete_task(approver, review.id, {"decision": "approve", "opinion": "同意"})
    assert only_task(engine, case.number).bpmn_id == "window_pickup"


def test_subprocesses_round_trip(engine, staff, tmp_path):
    """The store also handles embedded subprocesses (their tasks live in the same table)."""
    processes = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, processes)
    shutil.copy(Path(__file__).with_name("data") / "with_subprocess.bpmn", processes / "one_window.bpmn")
    engine.deploy_processes(processes)
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    task = only_task(engine, case.number)
    assert task.bpmn_id == "inner_review"
    _assert_stored_equals_memory(engine, case.number)
    engine.workflows.clear()
    engine.claim_task(staff[f"{task.department_code.lower()}_approver1"], task.id)
    case = engine.complete_task(staff[f"{task.department_code.lower()}_approver1"], task.id,
                                {"decision": "approve", "opinion": "同意"})
    _assert_stored_equals_memory(engine, case.number)
    assert case.outcome == "completed" and case.status == "正常办结"


def test_a_joint_review_finishes_when_its_countersigns_come_from_different_processes(db_url, clock, staff):
    """Each countersign through a freshly started engine (as after a restart or in another web worker)."""
    setup = CaseEngine(db_url, clock=clock)
    code = item_code(setup, case_type="联办件")
    case = setup.create_case(staff["clerk1"], code, person(), intake(setup, code))
    parts = setup.open_tasks(case.number)
    setup.db.dispose()
    for task in parts:
        fresh = CaseEngine(db_url, clock=clock)
        approver = staff[f"{task.department_code.lower()}_approver1"]
        fresh.claim_task(approver, task.id)
        fresh.complete_task(approver, task.id, {"countersign_position": "agree", "countersign_opinion": "同意"})
        fresh.db.dispose()
    last = CaseEngine(db_url, clock=clock)
    assert [task.bpmn_id for task in last.open_tasks(case.number)] == ["lead_decision"]
    last.db.dispose()


def test_stopping_one_case_clock_leaves_every_other_case_able_to_finish(engine, staff):
    """The suspension subprocess, once triggered, must not change how other cases run."""
    joint = item_code(engine, case_type="联办件")
    suspended = engine.create_case(staff["clerk1"], joint, person(), intake(engine, joint))
    for task in engine.open_tasks(suspended.number):
        approver = staff[f"{task.department_code.lower()}_approver1"]
        engine.claim_task(approver, task.id)
        engine.complete_task(approver, task.id, {"countersign_position": "agree", "countersign_opinion": "同意"})
    lead = staff[f"{suspended.department_code.lower()}_approver1"]
    engine.suspend_clock(lead, suspended.number, "现场勘察", "需到现场勘察")
    refused = engine.create_case(staff["clerk1"], item_code(engine, case_type="即办件"), person(),
                                 intake(engine, item_code(engine, case_type="即办件"), acceptable=False))
    assert refused.status == "不予受理" and refused.closed_at is not None
    engine.end_suspension(lead, suspended.number, "勘察完毕")
    engine.claim_task(lead, only_task(engine, suspended.number).id)
    decided = engine.complete_task(lead, only_task(engine, suspended.number).id,
                                   {"decision": "reject", "opinion": "不符合规划", "refusal_reasons": "经现场勘察，不符合规划条件"})
    pickup = only_task(engine, decided.number)
    engine.complete_task(staff["clerk1"], pickup.id, pickup_form())
    finished = engine.complete_task(staff["clerk1"], only_task(engine, decided.number).id, {"rating": "满意"})
    assert finished.closed_at is not None and finished.suspended_days == 0
