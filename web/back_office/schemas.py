"""JSON shapes of the cases API's back-office calls (marshmallow): stopping the clock, asking for
an extension, and the records they leave (dumped from engine.casefile)."""

from marshmallow import Schema, fields, validate

from web.back_office.service import SUSPENSION_CHOICES
from web.window.schemas import ChinaDateTime

REASON = validate.Length(2, 2000)


class SuspensionRequest(Schema):
    kind = fields.Str(required=True, metadata={"description": f"why the clock stops: {', '.join(SUSPENSION_CHOICES)}"})
    reason = fields.Str(required=True, validate=REASON, metadata={"description": "told to the applicant"})


class SuspensionEnd(Schema):
    note = fields.Str(required=True, validate=REASON, metadata={"description": "why the clock may run again"})


class ExtensionRequest(Schema):
    reason = fields.Str(required=True, validate=REASON,
                        metadata={"description": "for the department's chief representative, who decides"})


class CaseSuspension(Schema):
    kind = fields.Str()
    reason = fields.Str()
    department_code = fields.Str()
    started_on = fields.Date()
    started_by = fields.Str(allow_none=True)
    ended_on = fields.Date(allow_none=True, metadata={"description": "null while the clock stands still"})
    ended_by = fields.Str(allow_none=True)
    end_note = fields.Str(allow_none=True)
    working_days = fields.Int(allow_none=True, metadata={"description": "working days not counted (start day excluded)"})
    due_before = fields.Date(allow_none=True)
    due_after = fields.Date(allow_none=True)


class CaseExtensionRecord(Schema):
    department_code = fields.Str()
    days = fields.Int(metadata={"description": "working days the limit grows by when approved"})
    reason = fields.Str()
    requested_at = ChinaDateTime()
    requested_by = fields.Str(allow_none=True)
    decision = fields.Str(allow_none=True, metadata={"description": "approved, refused, or null while waiting"})
    decision_reason = fields.Str(allow_none=True)
    decided_at = ChinaDateTime(allow_none=True)
    decided_by = fields.Str(allow_none=True)
    granted = fields.Bool()
    due_before = fields.Date(allow_none=True)
    due_after = fields.Date(allow_none=True)


class CaseClockRecord(Schema):
    """The due date and everything that moved it: due = accepted + promised + suspended + extended working days."""

    case_number = fields.Str()
    accepted_on = fields.Date(allow_none=True)
    promised_limit_days = fields.Int()
    due_date = fields.Date(allow_none=True)
    due_provisional = fields.Bool()
    suspended_since = fields.Date(allow_none=True, metadata={"description": "set while the clock stands still"})
    suspended_days = fields.Int()
    extended_days = fields.Int()
    suspensions = fields.List(fields.Nested(CaseSuspension))
    extensions = fields.List(fields.Nested(CaseExtensionRecord))


class CaseOpinion(Schema):
    department_code = fields.Str()
    department_name = fields.Str()
    part = fields.Str(metadata={"description": "lead or co"})
    position = fields.Str(metadata={"description": "agree or object"})
    opinion = fields.Str()
    signed_by = fields.Str(allow_none=True)
    signed_at = ChinaDateTime()


class CaseCommitment(Schema):
    material_code = fields.Str()
    material_name = fields.Str()
    due_on = fields.Date()
    state = fields.Str(metadata={"description": "open, supplied or released (released without it: broken)"})
    committed_at = ChinaDateTime()
    closed_on = fields.Date(allow_none=True)


class CaseParcel(Schema):
    carrier = fields.Str()
    waybill_number = fields.Str()
    scope = fields.Str(metadata={"description": "same_city, in_province or out_of_province"})
    handed_by = fields.Str(allow_none=True)
    handed_to = fields.Str()
    dispatched_on = fields.Date()
    due_on = fields.Date(metadata={"description": "T+1 same city and in province, T+2 out of province"})
    delivered_on = fields.Date(allow_none=True)
    signed_by = fields.Str(allow_none=True)
    confirmed_by = fields.Str(allow_none=True)
    late = fields.Bool(allow_none=True, metadata={"description": "null until delivery is confirmed"})
