"""The SpiffWorkflow 3.2 workarounds of engine/workflow/spiff_fixes.py, each failing without its fix.

The spec fixes are proven with the engine's own restarts in tests/test_persistence.py
(``test_a_joint_review_finishes_when_its_countersigns_come_from_different_processes``,
``test_stopping_one_case_clock_leaves_every_other_case_able_to_finish``).
"""

import sys
from datetime import UTC, date, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.clock import CHINA_TZ, SimulatedClock, local_datetime
from engine.workflow.spiff_fixes import clock_in_effect
from tests.helpers import intake, item_code, only_task, person


def test_spiffworkflow_timers_read_the_clock_in_effect():
    moment = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    with clock_in_effect(SimulatedClock(moment)):
        assert spiff_timer.datetime.now(UTC) == moment
        assert spiff_timer.datetime.now() == moment.astimezone(CHINA_TZ).replace(tzinfo=None)
    assert abs(spiff_timer.datetime.now(UTC) - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_due_timer_runs_its_path_in_the_sweep_that_fires_it(engine, staff, clock):
    code = item_code(engine, case_type="承诺件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code, missing=1))
    clock.set(local_datetime(date(2026, 12, 1), 0, 5))  # the 5-working-day notice timer is due
    assert engine.fire_due_timers() == 1
    case = engine.get_case(case.number)
    assert case.status == "已受理" and only_task(engine, case.number).bpmn_id == "review"


def test_the_ancestor_check_climbs_any_depth_without_recursing(engine, staff):
    """A chain of tasks deeper than Python's recursion limit (a case after ~80 correction loops)."""
    code = item_code(engine, case_type="即办件")
    case = engine.create_case(staff["clerk1"], code, person(), intake(engine, code))
    workflow = engine.workflows.take(case.id, case.version)[0]
    root = workflow.task_tree
    deepest = root
    for _ in range(3 * sys.getrecursionlimit()):
        deepest = Task(workflow, root.task_spec, parent=deepest, state=TaskState.COMPLETED)
    assert deepest.is_descendant_of(root)
    assert not root.is_descendant_of(deepest)
