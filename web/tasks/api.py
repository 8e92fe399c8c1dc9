"""Task inboxes and the task form: claim, unclaim, complete (every role's steps)."""

from engine.permissions import task_actions
from engine.roles import TASK_HOLDERS
from web.access import current_actor, require
from web.api import api_blueprint
from web.tasks import schemas, service

blp = api_blueprint("tasks_api", __name__, "/tasks",
                    "Task inboxes (department queue, window queue, mine); claim, unclaim and complete a task; "
                    "the case's BPMN diagram with its done and current steps")


@blp.route("")
@require(*TASK_HOLDERS)
@blp.arguments(schemas.TaskQueueQuery, location="query")
@blp.response(200, schemas.TaskRow(many=True))
def queue(arguments):
    """Open tasks: the department's (approvers, chiefs) or the window's (clerks); ``mine=true``: only mine."""
    return service.inbox(current_actor(), arguments["mine"])


@blp.route("/<task_id>")
@require(*TASK_HOLDERS)
@blp.response(200, schemas.TaskDetail)
def task(task_id):
    """A task, its form (JSON Schema with the choices filled in) and its case."""
    actor = current_actor()
    detail = service.task_detail(actor, task_id)
    return {"task": service.listing_of(detail), "form": detail.form, "case": service.case_summary(actor, detail),
            "may": task_actions(actor, detail.task).flags()}


@blp.route("/<task_id>/claim", methods=["POST"])
@require(*TASK_HOLDERS)
@blp.response(200, schemas.TaskRow)
def claim(task_id):
    """Take the task from the queue: it is yours alone until you complete or release it."""
    return service.claim(current_actor(), task_id)


@blp.route("/<task_id>/unclaim", methods=["POST"])
@require(*TASK_HOLDERS)
@blp.response(200, schemas.TaskRow)
def unclaim(task_id):
    """Release the task to the queue (its holder, or the department's chief representative)."""
    return service.unclaim(current_actor(), task_id)


@blp.route("/<task_id>/complete", methods=["POST"])
@require(*TASK_HOLDERS)
@blp.arguments(schemas.TaskFormFields)
@blp.response(200, schemas.TaskCompletion)
def complete(form, task_id):
    """Complete the task with its form fields as the JSON body; a refused field is named in ``field``."""
    return service.complete(current_actor(), task_id, form)


@blp.route("/diagram/<case_number>")
@require()
@blp.response(200, schemas.TaskCaseDiagram)
def diagram(case_number):
    """The case's process diagram (BPMN XML) and the ids of its completed and current elements."""
    return service.diagram(current_actor(), case_number)
