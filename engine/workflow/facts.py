"""The case's facts (applicant, materials, delivery …) as the process holds them.

An event subprocess (暂停计时, 延期) runs with data of its own that holds none of the case's
facts, so they are read from the main process's open step, never from a subprocess task.
"""

from SpiffWorkflow.util.task import TaskState

OPEN_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def case_facts(workflow) -> dict:
    """A copy of the data the case's main path carries now (its data when it is completed)."""
    if workflow.is_completed():
        return dict(workflow.data)
    main = [task for task in workflow.get_tasks(state=OPEN_STATES) if task.workflow is workflow]
    ready = [task for task in main if task.state == TaskState.READY and task.task_spec.manual]
    current = (ready or main or [workflow.last_task])[0]
    return dict(current.data) if current is not None else {}
