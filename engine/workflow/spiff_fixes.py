"""Every place the engine works around SpiffWorkflow 3.2, each with its reason.

Check each one again when SpiffWorkflow is upgraded; each has a test that fails without it
(tests/test_spiff_fixes.py, and for the first two tests/test_persistence.py with the
engine's own restarts).

1. ``fix_parsed_spec``: a multi-instance task merges its instances in any process, and a
   message-started event subprocess never rewires the shared spec at run time.
2. ``clock_in_effect``: timers read the engine's clock (SpiffWorkflow has no clock hook).
3. ``fire_due_timers``: a due timer's path runs in the same call that finds it due.
4. ``Task.is_descendant_of`` climbs the tree in a loop instead of recursing.

(The engine's own workflow classes, engine/workflow/case_workflow.py, answer SpiffWorkflow's task
queries from a flat index; that is a lever, not a fix.)
"""

import contextlib
import contextvars
from datetime import UTC, datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

from engine.clock import CHINA_TZ, Clock


def fix_parsed_spec(spec, subprocess_specs: dict) -> None:
    """Apply the spec fixes once, when a process version is parsed (the spec is then shared)."""
    for process_spec in [spec, *subprocess_specs.values()]:
        _connect_multi_instance_children(process_spec)
        _wire_event_subprocesses(process_spec)


def _connect_multi_instance_children(process_spec) -> None:
    """Make every multi-instance task merge its finished instances, in any process.

    SpiffWorkflow 3.2 subscribes an MI task to its instances' completion only when it
    creates them (or when its own serializer restores a spec); a workflow loaded from our
    store by another process (a restart, another web worker) would never merge them, and
    the MI would wait for ever. Subscribing once per parsed spec closes that gap.
    """
    for task_spec in process_spec.task_specs.values():
        if isinstance(task_spec, MultiInstanceTask):
            instance_spec = process_spec.task_specs[task_spec.task_spec]
            if not instance_spec.completed_event.is_connected(task_spec.merge_child):
                instance_spec.completed_event.connect(task_spec.merge_child)


def _wire_event_subprocesses(process_spec) -> None:
    """Give every message-started event subprocess its links once, when the spec is parsed.

    SpiffWorkflow 3.2 links such a subprocess to the process's start and end the first time
    one is triggered, in the shared spec: from then on every new workflow of that spec starts
    it at once and can never finish, while workflows of a freshly parsed spec behave as
    intended. Linked here from the end and, on its input side only, from the start (which
    does not make the start run it), the spec never changes at run time.
    """
    start = process_spec.start
    for name in getattr(start, "trigger_specs", ()):
        subprocess_task = process_spec.task_specs[name]
        if start not in subprocess_task.inputs:
            subprocess_task.inputs = [*subprocess_task.inputs, start]
            subprocess_task.connect(process_spec.end)


_active_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("onewindow_clock", default=None)


@contextlib.contextmanager
def clock_in_effect(clock: Clock):
    """Make SpiffWorkflow's timers read ``clock`` inside this block."""
    token = _active_clock.set(clock)
    try:
        yield clock
    finally:
        _active_clock.reset(token)


class _ClockedDatetime(datetime):
    """SpiffWorkflow's timer module calls ``datetime.now(timezone.utc)`` directly and has no
    hook: its module global ``datetime`` is replaced by this subclass, which asks the clock
    in effect (tests and the simulation run on a simulated one)."""

    @classmethod
    def now(cls, tz=None):
        clock = _active_clock.get()
        moment = clock.now() if clock is not None else datetime.now(UTC)
        return moment.astimezone(tz) if tz is not None else moment.astimezone(CHINA_TZ).replace(tzinfo=None)


spiff_timer.datetime = _ClockedDatetime


def fire_due_timers(workflow: BpmnWorkflow) -> None:
    """Move due timers to READY and run the paths they open.

    In 3.2 ``refresh_timers`` only marks a due timer READY, and ``do_engine_steps`` checks
    timers at its *end*: without the second call a fired timer's path (视为受理, 撤销申请)
    would wait for the next action on the case.
    """
    workflow.refresh_timers()
    workflow.do_engine_steps()


def _is_descendant_of(self, task) -> bool:
    """Whether ``task`` is an ancestor of this task.

    SpiffWorkflow 3.2 recurses once per level, and a case's tree deepens by about ten levels
    per correction loop: a parallel join asks this of its earlier loops' tasks, and past ~80
    loops the recursion limit turned a step into an error.
    """
    ancestor = self.parent
    while ancestor is not None:
        if ancestor == task:
            return True
        ancestor = ancestor.parent
    return False


Task.is_descendant_of = _is_descendant_of
