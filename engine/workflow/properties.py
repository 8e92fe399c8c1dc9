"""The contract between a BPMN model and the engine: the task properties it may set.

A model says *what* a step means through ``spiffworkflow:properties`` on its elements;
the engine does the bookkeeping. User tasks carry ``role``, ``form`` and optionally
``department`` (expression naming the department queue), ``due`` (expression giving the
task's due date) and ``claim`` (``required``: the task must be claimed first). Any task may
carry ``case_status`` (the case's status once it completes) and ``milestone``; end events
carry ``outcome``. ``ledger`` names a scoring-ledger trigger: when the task completes, the
clerk who registered the case is charged by the rule the center binds to that trigger.
"""

from dataclasses import dataclass

TASK_ROLES = ("clerk", "approver", "chief")
MILESTONES = ("accepted", "notified", "decided", "delivered", "rated", "countersigned", "suspended", "resumed",
              "extension_decided", "extended", "commitment_closed", "dispatched")
OUTCOMES = ("completed", "not_accepted", "withdrawn")
CASE_STATUSES = ("已接件", "待补办", "已受理", "暂停", "正常办结", "不予受理", "不予许可", "撤销申请")
# Ledger triggers a model may fire (engine.ledger.models.TRIGGERS lists every trigger).
LEDGER_TRIGGERS = ("deemed_acceptance",)
USER_TASK_PROPERTIES = {"role", "form", "department", "due", "claim", "case_status", "milestone", "ledger"}
OTHER_PROPERTIES = {"case_status", "milestone", "outcome", "ledger"}
EXPRESSION_PROPERTIES = ("department", "due")


def properties_of(task_spec) -> dict[str, str]:
    return getattr(task_spec, "extensions", {}).get("properties", {})


@dataclass(frozen=True)
class UserTaskMeta:
    bpmn_id: str
    name: str
    role: str
    form: str
    department: str | None
    due: str | None
    claim_required: bool
    milestone: str | None = None
