"""JSON shapes of the cases API (marshmallow): the catalogue, a new application, cases,
their history and their notice.

Class names are unique across the API: OpenAPI names its schemas after them.
"""

from flask import url_for
from marshmallow import Schema, fields, validate

from engine.cases.schemas import ApplicantSchema
from engine.clock import CHINA_TZ
from engine.notices import DECISION_KINDS, INTAKE_NOTICES, KINDS
from web.api import Material


class ChinaDateTime(fields.DateTime):
    """An ISO 8601 moment in China time (+08:00), as the service hall reads it."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value.astimezone(CHINA_TZ) if value is not None else None, attr, obj, **kwargs)


class CatalogueItem(Schema):
    """A service item of the catalogue (办事指南)."""

    code = fields.Str()
    name = fields.Str()
    department_code = fields.Str()
    department_name = fields.Str(attribute="department.name")
    category = fields.Str()
    case_type = fields.Str(metadata={"description": "即办件, 承诺件, 联办件 or 上报件"})
    legal_limit_days = fields.Int(metadata={"description": "法定时限, working days"})
    promised_limit_days = fields.Int(metadata={"description": "承诺时限, working days (0: finished at the window)"})
    correction_window_days = fields.Int(metadata={"description": "working days the applicant has to correct"})
    fee = fields.Str()
    delivery_options = fields.List(fields.Str(), metadata={"description": "pickup and/or post"})
    result_name = fields.Str()
    legal_basis = fields.Str()


class CatalogueItemGuide(CatalogueItem):
    """A service item with everything the window checks an application against."""

    co_department_codes = fields.List(fields.Str(), metadata={"description": "co-reviewing departments (联办件)"})
    extension_days = fields.Int()
    materials = fields.List(fields.Nested(Material))


class CatalogueItemDetail(Schema):
    item = fields.Nested(CatalogueItemGuide)
    intake_form = fields.Dict(metadata={"description": "JSON Schema of `intake` in POST /cases, choices filled in"})


class NewCase(Schema):
    item_code = fields.Str(required=True, validate=validate.Length(1, 32))
    applicant = fields.Nested(ApplicantSchema, required=True)
    intake = fields.Dict(required=True, metadata={
        "description": "the intake form (`intake_form` of GET /cases/items/<code>): received_materials, "
                       "material_defects, acceptable, rejection_reasons, delivery_method, postal_address; "
                       "a refused field is named without a prefix, e.g. `rejection_reasons`"})


class CaseSummary(Schema):
    number = fields.Str()
    item_code = fields.Str()
    department_code = fields.Str()
    case_type = fields.Str()
    applicant_name = fields.Str()
    status = fields.Str()
    stage = fields.Str()
    received_at = ChinaDateTime()
    received_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    due_provisional = fields.Bool()
    deadline_state = fields.Str(metadata={"description": "normal, yellow or red"})
    closed_at = ChinaDateTime(allow_none=True)
    outcome = fields.Str(allow_none=True)


class CaseList(Schema):
    page = fields.Int()
    page_size = fields.Int(metadata={"description": "the same as per_page (kept for older clients)"})
    per_page = fields.Int()
    total = fields.Int()
    cases = fields.List(fields.Nested(CaseSummary))


class CaseApplicantView(Schema):
    kind = fields.Str()
    name = fields.Str()
    id_type = fields.Str()
    id_number = fields.Str(metadata={"description": "masked (first 6 and last 4) for everyone but the window"})
    phone = fields.Str(metadata={"description": "masked (first 3 and last 4) for everyone but the window"})
    address = fields.Str()
    contact_name = fields.Str()


class CaseMaterialLine(Schema):
    code = fields.Str()
    name = fields.Str()
    mandatory = fields.Bool()
    form = fields.Str()
    count = fields.Int()
    received = fields.Bool()
    missing = fields.Bool(metadata={"description": "a mandatory material the last check found missing"})
    defect = fields.Str(allow_none=True)


class CaseOpenTask(Schema):
    id = fields.Str()
    bpmn_id = fields.Str()
    name = fields.Str()
    role = fields.Str()
    department_code = fields.Str(allow_none=True)
    claim_required = fields.Bool()
    assignee_id = fields.Int(allow_none=True)
    due_date = fields.Date(allow_none=True)
    deadline_state = fields.Str()


def _print_url(given) -> str:
    return url_for("cases.notice_given", number=given.case_number, kind=given.kind, index=given.index)


class NoticeListed(Schema):
    """A notice or document the case was given (engine.notices.Given)."""

    kind = fields.Str(metadata={"description": f"{', '.join(KINDS + DECISION_KINDS)}"})
    title = fields.Str()
    number = fields.Str(allow_none=True, metadata={
        "description": "a decision document's number (文号), e.g. 市场监管许字〔2026〕第3号; its 送达回证 names the same; "
                       "null for a notice"})
    issued_at = fields.Date(attribute="issued_on", dump_only=True, metadata={
        "description": "the day (Beijing) the notice or document is dated; a 送达回证 the day it was served"})
    print_url = fields.Function(_print_url, metadata={"description": "the printable page, in Chinese"})


class CaseNoticeGiven(NoticeListed):
    index = fields.Int(metadata={"description": "which notice of its kind, from 1"})
    issued_on = fields.Date()


class CaseRecord(Schema):
    """A case as the case page shows it (dumped from web.window.service.CaseView)."""

    number = fields.Str(attribute="case.number")
    status = fields.Str(attribute="case.status")
    stage = fields.Str(attribute="case.stage")
    case_type = fields.Str(attribute="case.case_type")
    item_code = fields.Str(attribute="item.code")
    item_name = fields.Str(attribute="item.name")
    department_code = fields.Str(attribute="case.department_code")
    department_name = fields.Str()
    registered_by = fields.Str(allow_none=True)
    applicant = fields.Nested(CaseApplicantView)
    promised_limit_days = fields.Int(attribute="case.promised_limit_days")
    received_at = ChinaDateTime(attribute="case.received_at")
    received_on = fields.Date(attribute="case.received_on")
    notice_issued_at = ChinaDateTime(attribute="case.notice_issued_at", allow_none=True)
    accepted_on = fields.Date(attribute="case.accepted_on", allow_none=True)
    deemed_accepted = fields.Bool(attribute="case.deemed_accepted")
    due_date = fields.Date(attribute="case.due_date", allow_none=True)
    due_provisional = fields.Bool(attribute="case.due_provisional",
                                  metadata={"description": "the due date's year has no official holiday schedule yet"})
    deadline_state = fields.Str(attribute="case.deadline_state", metadata={"description": "normal, yellow or red"})
    decided_at = ChinaDateTime(attribute="case.decided_at", allow_none=True)
    decision = fields.Str(attribute="case.decision", allow_none=True)
    delivered_at = ChinaDateTime(attribute="case.delivered_at", allow_none=True)
    closed_at = ChinaDateTime(attribute="case.closed_at", allow_none=True)
    outcome = fields.Str(attribute="case.outcome", allow_none=True)
    materials = fields.List(fields.Nested(CaseMaterialLine))
    delivery_method = fields.Str(allow_none=True)
    postal_address = fields.Dict(allow_none=True)
    open_tasks = fields.List(fields.Nested(CaseOpenTask), metadata={"description": "act on them under /tasks/<id>"})
    notice = fields.Str(allow_none=True, metadata={"description": f"the notice now due: {', '.join(INTAKE_NOTICES)}"})
    notices = fields.List(fields.Nested(CaseNoticeGiven), attribute="given", metadata={
        "description": "every notice and document given, in the order issued; print one at its print_url"})


class CaseHistoryEntry(Schema):
    at = ChinaDateTime()
    actor = fields.Str(metadata={"description": "username (system for timers and the deadline sweep)"})
    actor_name = fields.Str()
    action = fields.Str(metadata={"description": "create, complete, claim, unclaim, timer, deadline, recompute_due"})
    task_id = fields.Str(allow_none=True)
    task = fields.Str(allow_none=True, metadata={"description": "BPMN id of the step acted on"})
    task_name = fields.Str(allow_none=True)
    before_status = fields.Str(allow_none=True)
    after_status = fields.Str(allow_none=True)
    detail = fields.Dict(metadata={"description": "what was submitted, or what changed"})


class CaseNoticeMaterial(Schema):
    code = fields.Str()
    name = fields.Str()
    form = fields.Str()
    count = fields.Int()
    problem = fields.Str(allow_none=True, metadata={"description": "the defect; null for a missing material"})


class CaseNotice(Schema):
    """The data of the written notice the case is owed (the printable page shows the same)."""

    kind = fields.Str(metadata={"description": f"{', '.join(KINDS)}"})
    index = fields.Int(metadata={"description": "which notice of its kind, from 1 (一次性告知书 #1, #2 …)"})
    title = fields.Str()
    center_name = fields.Str()
    case_number = fields.Str()
    issued_on = fields.Date()
    item_code = fields.Str()
    item_name = fields.Str()
    item_legal_basis = fields.Str()
    department_name = fields.Str()
    applicant_name = fields.Str()
    received_on = fields.Date()
    law = fields.Str(metadata={"description": "the article the notice rests on"})
    accepted_on = fields.Date(allow_none=True)
    deemed_accepted = fields.Bool()
    promised_limit_days = fields.Int(allow_none=True)
    due_date = fields.Date(allow_none=True)
    due_provisional = fields.Bool()
    result_name = fields.Str(allow_none=True)
    missing_materials = fields.List(fields.Nested(CaseNoticeMaterial))
    defective_materials = fields.List(fields.Nested(CaseNoticeMaterial))
    correction_deadline = fields.Date(allow_none=True)
    correction_deadline_final = fields.Bool(metadata={
        "description": "false while the notice is being issued: the window then runs from today"})
    correction_window_days = fields.Int(allow_none=True)
    notice_remarks = fields.Str(allow_none=True)
    rejection_reasons = fields.Str(allow_none=True)
    reconsideration_days = fields.Int(metadata={"description": "days to apply for administrative reconsideration"})
    litigation_months = fields.Int(metadata={"description": "months to bring an administrative lawsuit"})


class DecisionDocumentRecord(Schema):
    """The case's 行政许可决定书 as issued, with its 送达回证 facts (web.window.service.PrintedDocument)."""

    kind = fields.Str(attribute="document.kind", metadata={"description": "permit_granted or permit_refused"})
    title = fields.Str()
    number = fields.Str(attribute="document.number", metadata={"description": "e.g. 市场监管许字〔2026〕第3号"})
    authority = fields.Str(attribute="document.authority", metadata={"description": "the deciding department"})
    case_number = fields.Str(attribute="document.case_number")
    applicant_name = fields.Str(attribute="document.applicant_name")
    item_code = fields.Str(attribute="document.item_code")
    item_name = fields.Str(attribute="document.item_name")
    item_legal_basis = fields.Str(attribute="document.item_legal_basis")
    law = fields.Str(metadata={"description": "the article the decision rests on"})
    opinion = fields.Str(attribute="document.opinion")
    reasons = fields.Str(attribute="document.reasons", allow_none=True, metadata={
        "description": "a refusal's reasons and legal basis"})
    reconsideration_days = fields.Int(metadata={"description": "days to apply for administrative reconsideration"})
    litigation_months = fields.Int(metadata={"description": "months to bring an administrative lawsuit"})
    issued_on = fields.Date(attribute="document.issued_on", metadata={"description": "the decision's day (Beijing)"})
    issued_at = ChinaDateTime(attribute="document.issued_at")
    delivery_method = fields.Str(attribute="document.delivery_method", allow_none=True, metadata={
        "description": "pickup or post; null until served"})
    delivered_on = fields.Date(attribute="document.delivered_on", allow_none=True)
    recipient_name = fields.Str(attribute="document.recipient_name", allow_none=True)
    recipient_role = fields.Str(attribute="document.recipient_role", allow_none=True)
    delivery_note = fields.Str(attribute="document.delivery_note", allow_none=True, metadata={
        "description": "the carrier and waybill of a posted decision"})
    delivered_by = fields.Str(allow_none=True, metadata={"description": "the staff member who served it"})
