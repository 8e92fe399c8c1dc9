"""JSON shapes of the task API (marshmallow): queue rows, a task with its form and case, results.

Class names are unique across the API: OpenAPI names its schemas after them.
"""

from marshmallow import INCLUDE, Schema, fields


class TaskQueueQuery(Schema):
    mine = fields.Bool(load_default=False, metadata={"description": "only the tasks I hold"})


class TaskRow(Schema):
    """An inbox row (dumped from engine.taskfile.TaskListing)."""

    id = fields.Str(attribute="task.id")
    bpmn_id = fields.Str(attribute="task.bpmn_id")
    name = fields.Str(attribute="task.name")
    role = fields.Str(attribute="task.role")
    department_code = fields.Str(attribute="task.department_code", allow_none=True)
    form = fields.Str(attribute="task.form")
    state = fields.Str(attribute="task.state")
    claim_required = fields.Bool(attribute="task.claim_required")
    assignee_id = fields.Int(attribute="task.assignee_id", allow_none=True)
    assignee_name = fields.Str(allow_none=True)
    claimed_at = fields.DateTime(attribute="task.claimed_at", allow_none=True)
    created_at = fields.DateTime(attribute="task.created_at")
    due_date = fields.Date(attribute="task.due_date", allow_none=True)
    deadline_state = fields.Str(attribute="task.deadline_state")
    closed_at = fields.DateTime(attribute="task.closed_at", allow_none=True)
    case_number = fields.Str()
    case_status = fields.Str()
    item_code = fields.Str()
    item_name = fields.Str()
    applicant_name = fields.Str()


class TaskCaseApplicant(Schema):
    kind = fields.Str()
    name = fields.Str()
    id_type = fields.Str()
    id_number = fields.Str(metadata={"description": "masked: first 6 and last 4 characters"})
    phone = fields.Str(metadata={"description": "masked: first 3 and last 4 digits"})
    contact = fields.Str(allow_none=True)


class TaskCaseMaterial(Schema):
    code = fields.Str()
    name = fields.Str()
    mandatory = fields.Bool()
    form = fields.Str(allow_none=True)
    count = fields.Int(allow_none=True)
    received = fields.Bool()
    defect = fields.Str(allow_none=True)


class TaskCaseStep(Schema):
    at = fields.DateTime()
    action = fields.Str()
    actor = fields.Str()
    task_id = fields.Str(allow_none=True)
    task = fields.Str(allow_none=True, metadata={"description": "BPMN id of the step's task"})
    task_name = fields.Str(allow_none=True)
    form = fields.Dict(metadata={"description": "what was submitted"})


class TaskCaseSummary(Schema):
    number = fields.Str()
    status = fields.Str()
    stage = fields.Str()
    case_type = fields.Str()
    item_code = fields.Str()
    item_name = fields.Str()
    department_code = fields.Str()
    department_name = fields.Str()
    applicant = fields.Nested(TaskCaseApplicant)
    received_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    deadline_state = fields.Str()
    notice_count = fields.Int()
    delivery_method = fields.Str(allow_none=True)
    postal_address = fields.Dict(allow_none=True)
    correction_deadline = fields.Str(allow_none=True)
    materials = fields.List(fields.Nested(TaskCaseMaterial))
    missing_materials = fields.List(fields.Str())
    steps = fields.List(fields.Nested(TaskCaseStep))


class TaskPermissions(Schema):
    claim = fields.Bool()
    unclaim = fields.Bool()
    complete = fields.Bool()


class TaskDetail(Schema):
    task = fields.Nested(TaskRow)
    form = fields.Dict(metadata={"description": "the task's JSON Schema, x-options-from resolved to enum"})
    case = fields.Nested(TaskCaseSummary)
    may = fields.Nested(TaskPermissions, metadata={"description": "what the caller may do with the task now"})


class TaskFormFields(Schema):
    """The task's form fields as its JSON Schema (GET /tasks/<id> ``form``) describes them."""

    class Meta:
        unknown = INCLUDE


class TaskCompletion(Schema):
    case_number = fields.Str()
    case_status = fields.Str()
    task_name = fields.Str()
    next_task_id = fields.Str(allow_none=True, metadata={"description": "the case's next task, if it is yours"})


class TaskCaseDiagram(Schema):
    process_id = fields.Str()
    version = fields.Int()
    bpmn = fields.Str(metadata={"description": "BPMN 2.0 XML of the version the case runs on"})
    completed = fields.List(fields.Str(), metadata={"description": "BPMN ids of finished elements"})
    current = fields.List(fields.Str(), metadata={"description": "BPMN ids of the elements now active"})
