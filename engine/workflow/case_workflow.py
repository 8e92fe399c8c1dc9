"""The workflow classes the engine runs: SpiffWorkflow's, finding tasks without walking the tree.

SpiffWorkflow 3.2 finds tasks by walking the task tree from its root (``TaskIterator``): after
every completed task (the waiting tasks), at every round of engine steps (the ready tasks), at
every parallel join (the join's own tasks). The tree keeps a case's whole history and each
correction loop hangs below the last one, so one step at 50 loops walked ~700 tasks some 25
times, and the walk stops descending at depth 1000 (about 95 loops), past which a case's open
tasks are not found at all. Here the same questions are answered from each workflow's flat task
dict: the matching tasks are picked first, then put in the order the walk gives them (parents
before children, a subprocess before the task's own children, children in their order), checking
that the walk would reach them. A query the flat index does not cover (a walk from a given task,
``end_at_spec``, a depth limit, breadth first) goes to SpiffWorkflow's iterator unchanged.
"""

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, BpmnWorkflowConverter
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskFilter, TaskState

# Keyword arguments that change only which tasks match, not how the walk goes.
_FILTER_ARGUMENTS = {"state", "updated_ts", "manual", "spec_name", "spec_class", "catches_event", "lane"}


def _lowest_state_walked(task_filter) -> int:
    """The walk descends only below tasks in at least this state (TaskIterator's rule)."""
    if task_filter.state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if task_filter.state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


class _Walk:
    """Where SpiffWorkflow's walk would meet given tasks of one workflow (and its subprocesses)."""

    def __init__(self, root_workflow, task_filter, bpmn: bool, into_subprocesses: bool):
        self.root_workflow = root_workflow
        self.subprocesses = root_workflow.top_workflow.subprocesses if bpmn else {}
        self.into_subprocesses = into_subprocesses and bpmn
        self.lowest_state = _lowest_state_walked(task_filter)

    def workflows(self):
        yield self.root_workflow
        for sub in self.subprocesses.values() if self.into_subprocesses else ():
            ancestor = sub.parent_workflow
            while ancestor is not None and ancestor is not self.root_workflow:
                ancestor = ancestor.parent_workflow
            if ancestor is not None:  # a subprocess below the walk's root
                yield sub

    def step_up(self, task):
        """The task the walk reaches ``task`` from and the branch it takes there (0 = that
        task's subprocess, n = its n-th child); None at the walk's root."""
        workflow = task.workflow
        if task._parent is not None:
            parent = workflow.tasks[task._parent]
            return parent, 1 + parent._children.index(task.id)
        if workflow is self.root_workflow:
            return None
        # A subprocess's root comes right after the task that runs it. (BpmnTaskIterator means to
        # skip finished subprocesses, but compares a state with a mask and never does.)
        return workflow.parent_workflow.tasks[workflow.parent_task_id], 0

    def reached(self, task) -> bool:
        """Whether the walk descends to ``task``: its parent is walked below (BpmnTaskIterator also
        descends below any task that runs a subprocess). Higher up the tree's own rule holds: a
        predicted task has only predicted children, so a walked parent has walked ancestors."""
        if task._parent is None:
            return True
        parent = task.workflow.tasks[task._parent]
        return parent.state >= self.lowest_state or parent.id in self.subprocesses

    def in_order(self, tasks: list) -> list:
        """``tasks`` in the walk's order: parents first, a subprocess before the children, children
        in their order. Each task climbs towards the root one step per round, all in lockstep,
        until it meets a path climbed already; the small tree of the paths is then walked."""
        if len(tasks) < 2:
            return tasks
        up = dict.fromkeys(task.id for task in tasks)  # task id -> (the task above on the path, branch)
        heads, climbing = list(tasks), len(tasks)
        while climbing > 1:
            moving = []
            for task in heads:
                step = self.step_up(task)
                if step is None:  # at the root: the others climb to it
                    continue
                parent, _ = step
                known = parent.id in up
                up[task.id] = step
                if not known:
                    up[parent.id] = None
                    moving.append(parent)
                else:
                    climbing -= 1
            if not moving and climbing > 1:
                raise RuntimeError("tasks of more than one tree")  # cannot happen: one workflow's tasks
            heads = moving
        below: dict = {}
        top = None
        for task_id, step in up.items():
            if step is None:
                top = task_id
            else:
                below.setdefault(step[0].id, []).append((step[1], task_id))
        wanted = {task.id: task for task in tasks}
        ordered, stack = [], [top]
        while stack:
            task_id = stack.pop()
            if task_id in wanted:
                ordered.append(wanted[task_id])
            stack.extend(child for _, child in sorted(below.get(task_id, ()), reverse=True))
        return ordered


def find_tasks(workflow, task_filter, bpmn: bool = True, into_subprocesses: bool = True) -> list:
    """The tasks of ``workflow`` matching ``task_filter``, in the order of SpiffWorkflow's walk
    (``BpmnTaskIterator``'s, or with ``bpmn`` false the plain ``TaskIterator``'s)."""
    walk = _Walk(workflow, task_filter, bpmn, into_subprocesses)
    wanted, matches = task_filter.state, task_filter.matches
    found = [task for each in walk.workflows() for task in each.tasks.values()
             if task._state & wanted and matches(task) and walk.reached(task)]
    return walk.in_order(found)


class _FlatQueries:
    """The task queries of SpiffWorkflow's Workflow, answered from the flat task dicts."""

    def get_tasks_iterator(self, first_task=None, **kwargs):
        if (first_task is None or first_task is self.task_tree) and _FILTER_ARGUMENTS.issuperset(
                kwargs.keys() - {"task_filter", "skip_subprocesses"}):
            task_filter = kwargs.pop("task_filter", None)
            skip = kwargs.pop("skip_subprocesses", False)
            return iter(find_tasks(self, task_filter or BpmnTaskFilter(**kwargs), into_subprocesses=not skip))
        return super().get_tasks_iterator(first_task, **kwargs)

    def _own_tasks(self, **kwargs) -> list:
        """What Workflow's plain TaskIterator gives: this workflow's tasks, no subprocess's."""
        return find_tasks(self, TaskFilter(**kwargs), bpmn=False)

    def is_completed(self) -> bool:
        if not self.completed and not any(task._state & TaskState.NOT_FINISHED_MASK for task in self.tasks.values()):
            self.completed = True
        return self.completed

    def manual_input_required(self) -> bool:
        return not self._own_tasks(state=TaskState.READY, manual=False)

    def update_waiting_tasks(self) -> None:
        # The walk is lazy: a task an earlier update took out of WAITING is passed over, and one
        # it put into WAITING is updated too.
        updated = set()
        while waiting := [task for task in self._own_tasks(state=TaskState.WAITING) if task.id not in updated]:
            for task in waiting:
                updated.add(task.id)
                if task._state == TaskState.WAITING:
                    task.task_spec._update(task)


class CaseSubWorkflow(_FlatQueries, BpmnSubWorkflow):
    """A subprocess of a case's workflow."""


class CaseWorkflow(_FlatQueries, BpmnWorkflow):
    """A case's workflow."""

    def create_subprocess(self, my_task, spec_name):
        subprocess = CaseSubWorkflow(self.subprocess_specs[spec_name], parent_task_id=my_task.id, top_workflow=self)
        self.subprocesses[my_task.id] = subprocess
        return subprocess


# SpiffWorkflow's serializer finds a converter by the exact class.
SERIALIZER_CONFIG = {**SPIFF_CONFIG, CaseWorkflow: BpmnWorkflowConverter, CaseSubWorkflow: BpmnSubWorkflowConverter}
