"""Rebuilding a workflow's tasks from their rows: SpiffWorkflow's ``TaskConverter.from_dict``
with the cost of a long history taken out.

A row is a task in SpiffWorkflow's format, its data a delta against its parent. The
converter parses every id string again wherever it appears, sends every value through the
registry's generic restore and copies each task's data from its parent's: with hundreds of
finished tasks that was most of a cold step. Here, per load, each id string is parsed once;
a row without typed values (no nested ``typename``) is used as parsed, which is what the
restore returns for plain JSON; and a finished task's data is composed only when read.
The tasks are the converter's: same ids, states, children, internal data, and data that
compares, copies and shares nested values as the converter's would.
"""

from copy import copy
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.specs import StartTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# Finished tasks never change state again and their data is never rewritten.
FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
_MUTABLE = (dict, list, set)  # what DeepMerge.merge copies when a child inherits its parent's data


def _inherit(parent_data: dict) -> dict:
    """``DeepMerge.merge({}, parent_data)``: top-level containers copied, nested values shared."""
    return {key: copy(value) if isinstance(value, _MUTABLE) else value for key, value in parent_data.items()}


def _apply(data: dict, updates: dict, deletions: list) -> None:
    data.update(updates)
    for key in deletions:
        data.pop(key, None)


class FinishedTask(Task):
    """A finished task restored from its row; its data is composed from the deltas up its
    parent chain on first read, then kept like any task's.

    Finished tasks never change and their data is rarely read (joins, notices), so most of
    a long history never pays for a copy of its data.
    """

    @property
    def __class__(self):
        # Serializers find a task's converter by ``obj.__class__``, and Task keeps its
        # thread-id pool on ``self.__class__``: both must see a plain Task.
        return Task

    @property
    def data(self) -> dict:
        if self._composed is None:
            self._composed = _compose(self)
        return self._composed

    @data.setter
    def data(self, value: dict) -> None:
        self._composed = value


def _compose(task: FinishedTask) -> dict:
    """What the converter would have given ``task``: each task's data is its parent's,
    inherited, then its own delta. Folds the deltas from the nearest task with data down,
    copying only once, for ``task`` itself."""
    links = []
    while type(task) is FinishedTask and task._composed is None:
        links.append(task)
        task = task._origin
    merged = dict(task.data)
    for link in reversed(links[1:]):
        _apply(merged, link._updates, link._deletions)
    data = _inherit(merged)
    _apply(data, links[0]._updates, links[0]._deletions)
    return data


class TaskRows:
    """Restores the rows of one load; ``restore`` must see a task's parent before the task."""

    def __init__(self, registry):
        self.registry = registry
        self._ids: dict[str, UUID] = {}

    def uuid(self, text: str) -> UUID:
        uuid = self._ids.get(text)
        if uuid is None:
            uuid = self._ids[text] = UUID(text)
        return uuid

    def restore(self, dct: dict, typed: bool, workflow) -> Task:
        """The task of a parsed row; ``typed``: the row holds values the registry must restore."""
        restore = self.registry.restore if typed else _as_parsed
        workflow_tasks = workflow.tasks
        parent_id = self.uuid(dct["parent"]) if dct["parent"] is not None else None
        parent = workflow_tasks.get(parent_id)
        delta, state = dct.get("delta"), dct["state"]
        lazy = bool(delta) and parent is not None and state & FINISHED and parent.state & FINISHED
        task = object.__new__(FinishedTask if lazy else Task)
        task.id = self.uuid(dct["id"])
        workflow_tasks[task.id] = task
        task.workflow = workflow
        task._parent = parent_id
        task._children = [self.uuid(child) for child in dct["children"]]
        task._state = state
        task.triggered = dct["triggered"]
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task.task_spec = task_spec if task_spec else StartTask(workflow.spec)
        task.thread_id = Task.thread_id_pool
        # Attributes in Task.__init__'s order, so the instances keep sharing one key table.
        if lazy:
            task._origin, task._composed = parent, None
            task._updates, task._deletions = restore(delta.get("updates", {})), delta.get("deletions", [])
        elif delta and parent is not None:
            task.data = _inherit(parent.data)
            _apply(task.data, restore(delta.get("updates", {})), delta.get("deletions", []))
        else:
            task.data = restore(dct["data"])
        task.internal_data = restore(dct["internal_data"]) if dct["internal_data"] else {}
        task.last_state_change = dct["last_state_change"]
        if isinstance(task_spec, CatchingEvent) and state & TaskState.WAITING:
            workflow.top_workflow.event_manager.add_task(task)
        return task


def _as_parsed(value):
    return value
