"""JSON shapes of the registers API (marshmallow): the 否决备案 register and its query.

Class names are unique across the API: OpenAPI names its schemas after them.
"""

from marshmallow import Schema, fields, validate

from engine.workflow.properties import REFUSALS
from web.window.schemas import ChinaDateTime


class RefusalQuery(Schema):
    first = fields.Date(data_key="from", metadata={"description": "first day (Beijing), default the 1st of this month"})
    last = fields.Date(data_key="to", metadata={"description": "last day, included; default today"})
    department = fields.Str(validate=validate.Length(1, 16), metadata={
        "description": "one department's code; a chief representative sees only his own"})
    item = fields.Str(validate=validate.Length(1, 32), metadata={"description": "one service item's code"})
    kind = fields.Str(validate=validate.OneOf(REFUSALS), metadata={
        "description": "not_accepted (不予受理) or not_permitted (不予许可)"})
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "xlsx")), metadata={
        "description": "xlsx: the filtered register as an Excel sheet"})


class RefusalRow(Schema):
    """One refusal filed (engine.decisions.service.RegisterLine)."""

    kind = fields.Str(attribute="record.kind", metadata={"description": ", ".join(REFUSALS)})
    title = fields.Str(metadata={"description": "不予受理 or 不予许可"})
    case_number = fields.Str(attribute="record.case_number")
    document_number = fields.Str(attribute="record.document_number", allow_none=True, metadata={
        "description": "the 不予行政许可决定书's number; null for 不予受理"})
    department_code = fields.Str(attribute="record.department_code")
    item_code = fields.Str(attribute="record.item_code")
    item_name = fields.Str(attribute="record.item_name")
    applicant_name = fields.Str(attribute="record.applicant_name")
    reasons = fields.Str(attribute="record.reasons")
    refused_by = fields.Str(allow_none=True, metadata={"description": "who refused (the staff member's name)"})
    refused_on = fields.Date(attribute="record.refused_on")
    refused_at = ChinaDateTime(attribute="record.refused_at", metadata={"description": "when, Beijing time"})
