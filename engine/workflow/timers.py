"""Finding when a workflow's next timer is due, so the scheduler never loads idle cases.

SpiffWorkflow fixes a timer's due time when its catch event starts waiting and keeps it
in ``internal_data['event_value']``. After every action the earliest of these goes to the
case row's indexed ``next_timer_at`` column; a sweep selects only cases that are due.
"""

from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def _due_of(task, now: datetime) -> datetime | None:
    definition = task.task_spec.event_definition
    if not isinstance(definition, TimerEventDefinition):
        return None
    value = task._get_internal_data("event_value")
    if value is None:
        # Not evaluated yet: let the next sweep evaluate it.
        return now
    if isinstance(definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or value.get("cycles") == 0:
            return None
        value = value["next"]
    return TimerEventDefinition.get_datetime(value)


def next_timer_due(workflow: BpmnWorkflow, now: datetime) -> datetime | None:
    dues = [
        due for task in workflow.event_manager.tasks.values()
        if task.state == TaskState.WAITING and (due := _due_of(task, now)) is not None
    ]
    return min(dues).astimezone(UTC) if dues else None
