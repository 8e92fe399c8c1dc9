"""The contract between a BPMN model and the engine: the task properties it may set.

A model says *what* a step means through ``spiffworkflow:properties`` on its elements;
the engine does the bookkeeping. User tasks carry ``role``, ``form`` and optionally
``department`` (expression naming the department queue), ``due`` (expression giving the
task's due date), ``claim`` (``required``: the task must be claimed first), ``clock``
(``stoppable``: while this back-office step is open, the case's clock may be stopped or an
extension asked for; at no other step), ``opinions`` (``weighed``: the step decides on the
countersigned opinions, so its page points out the objections) and ``approves`` (expression
giving the request this step decides, the payload the engine sent with it: nobody decides a
request he is party to, ``engine.permissions``). A task of role ``director`` (中心主任) has no
department. Any task may carry ``case_status`` (the case's status once it completes) and
``milestone`` (what its completion records: the task that ends a suspension is the one marked
``resumed``, the answer to an extension request ``extension_decided``, a joint review's opinion
``countersigned``); end events carry ``outcome``. ``document`` names the decision document the
step issues (``permit_granted``: 准予行政许可决定书, ``permit_refused``: 不予行政许可决定书,
行政许可法 第38条), numbered in the step's own transaction; ``refusal`` files the step in the
否决备案 register (``not_accepted``: 不予受理, ``not_permitted``: 不予许可). ``ledger`` names a scoring-ledger
trigger: when the task completes, the clerk who registered the case is charged by the rule
the center binds to that trigger. Every value is checked when a model is deployed.
"""

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin

from engine.errors import ProcessDefinitionError

TASK_ROLES = ("clerk", "approver", "chief", "director")
BACK_OFFICE_ROLES = ("approver", "chief")
# The step that ends a suspension, the chief's answer to an extension request, a department's
# countersigned opinion of a joint review (another department may not read it), the one-time notice.
RESUMED, EXTENSION_DECIDED, COUNTERSIGNED, NOTIFIED = "resumed", "extension_decided", "countersigned", "notified"
MILESTONES = ("accepted", NOTIFIED, "decided", "delivered", "rated", COUNTERSIGNED, "suspended", RESUMED,
              EXTENSION_DECIDED, "extended", "commitment_closed", "dispatched")
OUTCOMES = ("completed", "not_accepted", "withdrawn")
CASE_STATUSES = ("已接件", "待补办", "已受理", "暂停", "正常办结", "不予受理", "不予许可", "撤销申请")
CLOCK_STOPPABLE = "stoppable"
CLOCK_KINDS = (CLOCK_STOPPABLE,)
OPINIONS_WEIGHED = "weighed"
# The decision documents a step may issue, and the refusals the 否决备案 register files.
PERMIT_GRANTED, PERMIT_REFUSED = "permit_granted", "permit_refused"
DOCUMENTS = (PERMIT_GRANTED, PERMIT_REFUSED)
NOT_ACCEPTED, NOT_PERMITTED = "not_accepted", "not_permitted"
REFUSALS = (NOT_ACCEPTED, NOT_PERMITTED)
# Ledger triggers a model may fire (engine.ledger.models.TRIGGERS lists every trigger).
LEDGER_TRIGGERS = ("deemed_acceptance",)
USER_TASK_PROPERTIES = {"role", "form", "department", "due", "claim", "clock", "opinions", "approves",
                        "case_status", "milestone", "ledger", "document", "refusal"}
OTHER_PROPERTIES = {"case_status", "milestone", "outcome", "ledger", "document", "refusal"}
EXPRESSION_PROPERTIES = ("department", "due", "approves")
_CHOICES = {"milestone": MILESTONES, "outcome": OUTCOMES, "ledger": LEDGER_TRIGGERS, "case_status": CASE_STATUSES,
            "clock": CLOCK_KINDS, "opinions": (OPINIONS_WEIGHED,), "document": DOCUMENTS, "refusal": REFUSALS}


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
    clock: str | None = None
    approves: str | None = None
    weighs_opinions: bool = False


def task_meta(task_spec, forms: dict) -> UserTaskMeta | None:
    """Check a task's properties against the contract; a user task's metadata, None for other tasks."""
    props = properties_of(task_spec)
    where = f"{task_spec.bpmn_id or task_spec.name}"
    is_user_task = isinstance(task_spec, UserTaskMixin)
    unknown = set(props) - (USER_TASK_PROPERTIES if is_user_task else OTHER_PROPERTIES)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ProcessDefinitionError(f"{where}：未知的属性 {names} ({where}: unknown properties {names})")
    for name, choices in _CHOICES.items():
        if name in props and props[name] not in choices:
            allowed = ", ".join(choices)
            raise ProcessDefinitionError(f"{where}：属性 {name} 须为 {allowed} 之一，不能是 '{props[name]}' "
                                         f"({where}: {name} must be one of {allowed}, not '{props[name]}')")
    if "document" in props and props.get("milestone") != "decided":
        # The document states the decision the step records: it is issued where the decision is.
        raise ProcessDefinitionError(f"{where}：出具决定书的步骤须设 milestone = decided "
                                     f"({where}: a step issuing a decision document must set milestone = decided)")
    if not is_user_task:
        return None
    role, form = props.get("role"), props.get("form")
    if role not in TASK_ROLES:
        roles = ", ".join(TASK_ROLES)
        raise ProcessDefinitionError(f"{where}：人工环节须设属性 role，取 {roles} 之一 "
                                     f"({where}: a user task needs property role = one of {roles})")
    if form not in forms:
        raise ProcessDefinitionError(f"{where}：人工环节须设属性 form，指向 forms/ 中的文件 "
                                     f"({where}: a user task needs property form naming a file in forms/)")
    if role in BACK_OFFICE_ROLES and not props.get("department"):
        raise ProcessDefinitionError(f"{where}：后台审批环节须设部门表达式 department "
                                     f"({where}: an approver task needs a department expression)")
    if props.get("claim") not in (None, "required"):
        raise ProcessDefinitionError(f"{where}：属性 claim 只能是 'required' ({where}: claim may only be 'required')")
    if "clock" in props and role not in BACK_OFFICE_ROLES:
        roles = ", ".join(BACK_OFFICE_ROLES)
        raise ProcessDefinitionError(f"{where}：只有后台环节（role 为 {roles}）可以设 clock "
                                     f"({where}: only a back-office step, role {roles}, may set clock)")
    if role == "director" and props.get("department"):
        raise ProcessDefinitionError(f"{where}：中心主任统管全中心，其环节不设部门 "
                                     f"({where}: the director heads the center, a task of his has no department)")
    return UserTaskMeta(task_spec.bpmn_id, task_spec.bpmn_name or task_spec.bpmn_id, role, form,
                        props.get("department"), props.get("due"), props.get("claim") == "required",
                        props.get("milestone"), props.get("clock"), props.get("approves"),
                        props.get("opinions") == OPINIONS_WEIGHED)
