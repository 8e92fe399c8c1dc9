"""JSON shapes of the supervision API (marshmallow): ratings and their verification, satisfaction,
rectifications, complaints.

Class names are unique across the API: OpenAPI names its schemas after them.
"""

from marshmallow import Schema, fields, validate

from engine.cases.schemas import PHONE
from engine.supervision.models import CHANNELS, NOT_REAL, NOT_REAL_KINDS, NOT_VERIFIED, REAL, VERIFIED
from engine.supervision.service import COMPLAINT_STATES, RATING_STATES, RECTIFICATION_STATES
from engine.validation import MAX_ID, MAX_TEXT

PERIOD = fields.Str(validate=validate.Length(4, 10), metadata={
    "description": "2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default this month"})
TEXT = validate.Length(1, MAX_TEXT)


class RatingQuery(Schema):
    state = fields.Str(load_default="pending", validate=validate.OneOf(RATING_STATES),
                       metadata={"description": "verification state of the bad ratings listed"})
    period = fields.Str(validate=validate.Length(4, 10), metadata={"description": "only ratings given in it"})


class RectificationState(Schema):
    opened_at = fields.DateTime()
    due_on = fields.Date(metadata={"description": "close with feedback by this day (working days from the verdict)"})
    state = fields.Str(metadata={"description": "open or closed"})
    feedback = fields.Str(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class RatingRow(Schema):
    """A case's rating and its verification (dumped from engine.supervision.service.RatingLine)."""

    case_number = fields.Str()
    rating = fields.Str(attribute="rating.rating", metadata={"description": "非常满意 … 非常不满意, 未评价"})
    comment = fields.Str(attribute="rating.comment")
    rated_at = fields.DateTime(attribute="rating.rated_at")
    department_code = fields.Str(attribute="rating.department_code")
    department_name = fields.Str()
    responsible_staff_id = fields.Int(attribute="rating.responsible_staff_id", allow_none=True,
                                      metadata={"description": "谁办理、谁负责: who decided the case"})
    responsible_name = fields.Str(allow_none=True)
    verification = fields.Str(attribute="rating.verification",
                              metadata={"description": "not_required (good), pending, real or not_real"})
    not_real_kind = fields.Str(attribute="rating.not_real_kind", allow_none=True,
                               metadata={"description": "mistaken or malicious"})
    verdict_reason = fields.Str(attribute="rating.verdict_reason", allow_none=True)
    verified_by = fields.Str(allow_none=True)
    verified_at = fields.DateTime(attribute="rating.verified_at", allow_none=True)
    rectification = fields.Nested(RectificationState, allow_none=True)


class RatingVerdict(Schema):
    verdict = fields.Str(required=True, validate=validate.OneOf((REAL, NOT_REAL)))
    reason = fields.Str(required=True, validate=TEXT, metadata={"description": "what the verification found"})
    not_real_kind = fields.Str(validate=validate.OneOf(NOT_REAL_KINDS),
                               metadata={"description": "required when not_real: mistaken or malicious"})
    responsible_staff_id = fields.Int(strict=True, validate=validate.Range(1, MAX_ID), metadata={
        "description": "when real: another handler of the case to charge (default: who decided it)"})


class SatisfactionQuery(Schema):
    period = PERIOD


class SatisfactionFigures(Schema):
    rated = fields.Int(metadata={"description": "ratings on the five-level scale (未评价 not counted)"})
    good = fields.Int(metadata={"description": "非常满意, 满意, 基本满意"})
    bad = fields.Int()
    excluded = fields.Int(metadata={"description": "bad ratings verified as mistaken or malicious"})
    pending = fields.Int(metadata={"description": "bad ratings not verified yet"})
    counted = fields.Int(metadata={"description": "rated less excluded"})
    rate = fields.Float(allow_none=True, metadata={"description": "good / counted in percent; null: none counted"})


class DepartmentSatisfaction(SatisfactionFigures):
    department_code = fields.Str()
    name = fields.Str()


class StaffSatisfaction(SatisfactionFigures):
    staff_id = fields.Int(allow_none=True)
    name = fields.Str()


class SatisfactionSheetOut(Schema):
    period = fields.Str()
    first = fields.Date()
    last = fields.Date()
    departments = fields.List(fields.Nested(DepartmentSatisfaction))
    staff = fields.List(fields.Nested(StaffSatisfaction))
    total = fields.Nested(SatisfactionFigures)


class RectificationQuery(Schema):
    state = fields.Str(load_default="open", validate=validate.OneOf(RECTIFICATION_STATES))


class RectificationRow(Schema):
    """A rectification (dumped from engine.supervision.service.RectificationLine)."""

    case_number = fields.Str()
    rating = fields.Str()
    department_code = fields.Str(attribute="rectification.department_code")
    department_name = fields.Str()
    opened_at = fields.DateTime(attribute="rectification.opened_at")
    due_on = fields.Date(attribute="rectification.due_on")
    state = fields.Str(attribute="rectification.state", metadata={"description": "open or closed"})
    overdue = fields.Bool(metadata={"description": "open past its due date"})
    working_days_late = fields.Int(metadata={"description": "working days past the due date (closed: when closed)"})
    feedback = fields.Str(attribute="rectification.feedback", allow_none=True)
    closed_by = fields.Str(allow_none=True)
    closed_at = fields.DateTime(attribute="rectification.closed_at", allow_none=True)


class RectificationClosing(Schema):
    feedback = fields.Str(required=True, validate=TEXT,
                          metadata={"description": "what was done, and the feedback given to the rater"})


class ComplaintQuery(Schema):
    state = fields.Str(load_default="open", validate=validate.OneOf(COMPLAINT_STATES), metadata={
        "description": "open: reply owed; overdue: reply owed past its due date; unverified; all"})


class NewComplaint(Schema):
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    complainant_name = fields.Str(required=True, validate=validate.Length(1, 50))
    complainant_phone = fields.Str(required=True, validate=validate.Regexp(
        PHONE, error="must be a mobile (11 digits) or landline number"))
    target_staff_id = fields.Int(strict=True, validate=validate.Range(1, MAX_ID),
                                 metadata={"description": "the window clerk, approver or chief complained about"})
    target_window = fields.Str(validate=validate.Length(1, 30), metadata={"description": "e.g. 3号窗口"})
    target_department_code = fields.Str(validate=validate.Length(1, 16),
                                        metadata={"description": "default: the staff member's department"})
    case_number = fields.Str(validate=validate.Length(1, 32), metadata={"description": "the case it is about"})
    content = fields.Str(required=True, validate=TEXT)
    complex = fields.Bool(load_default=False, metadata={"description": "情况复杂: reply due in 5 working days, not 3"})


class ComplaintRow(Schema):
    """A complaint (dumped from engine.supervision.service.ComplaintLine)."""

    number = fields.Str(attribute="complaint.number", metadata={"description": "TS + date + sequence"})
    channel = fields.Str(attribute="complaint.channel")
    complainant_name = fields.Str(attribute="complaint.complainant_name")
    complainant_phone = fields.Str(attribute="complaint.complainant_phone")
    target_staff_id = fields.Int(attribute="complaint.target_staff_id", allow_none=True)
    target_staff_name = fields.Str(allow_none=True)
    target_window = fields.Str(attribute="complaint.target_window", allow_none=True)
    target_department_code = fields.Str(attribute="complaint.target_department_code", allow_none=True)
    target_department_name = fields.Str(allow_none=True)
    case_number = fields.Str(allow_none=True)
    content = fields.Str(attribute="complaint.content")
    complex = fields.Bool(attribute="complaint.complex")
    registered_by = fields.Str()
    registered_at = fields.DateTime(attribute="complaint.registered_at")
    reply_due_on = fields.Date(attribute="complaint.reply_due_on")
    reply_overdue = fields.Bool(metadata={"description": "no reply yet and past its due date"})
    working_days_late = fields.Int(metadata={"description": "working days an owed reply is late"})
    reply = fields.Str(attribute="complaint.reply", allow_none=True)
    replied_by = fields.Str(allow_none=True)
    replied_at = fields.DateTime(attribute="complaint.replied_at", allow_none=True)
    verdict = fields.Str(attribute="complaint.verdict", allow_none=True, metadata={
        "description": f"{VERIFIED} (查证属实) or {NOT_VERIFIED}; null: not verified yet"})
    verdict_reason = fields.Str(attribute="complaint.verdict_reason", allow_none=True)
    verified_by = fields.Str(allow_none=True)
    verified_at = fields.DateTime(attribute="complaint.verified_at", allow_none=True)


class OverdueComplaints(Schema):
    count = fields.Int()
    complaints = fields.List(fields.Nested(ComplaintRow))


class ComplaintReply(Schema):
    reply = fields.Str(required=True, validate=TEXT, metadata={"description": "the answer given to the complainant"})


class ComplaintVerdict(Schema):
    verdict = fields.Str(required=True, validate=validate.OneOf((VERIFIED, NOT_VERIFIED)))
    reason = fields.Str(required=True, validate=TEXT)


class ContestFiling(Schema):
    """申诉复核: the rated department's chief representative says a bad rating is wrong or malicious."""

    kind = fields.Str(required=True, validate=validate.OneOf(NOT_REAL_KINDS),
                      metadata={"description": "mistaken (误评) or malicious (恶意差评)"})
    reasons = fields.Str(required=True, validate=TEXT, metadata={"description": "the department's reasons"})


class ContestVerdict(Schema):
    verdict = fields.Str(required=True, validate=validate.OneOf(("upheld", "rejected")), metadata={
        "description": "upheld: the rating is not real and leaves the rates; rejected: it is verified as before"})
    reason = fields.Str(required=True, validate=TEXT)


class ContestQuery(Schema):
    state = fields.Str(load_default="filed", validate=validate.OneOf(("filed", "upheld", "rejected", "all")))


class ContestRow(Schema):
    case_number = fields.Str()
    rating = fields.Str()
    department_code = fields.Str()
    kind = fields.Str()
    reasons = fields.Str()
    state = fields.Str(metadata={"description": "filed, upheld or rejected"})
    filed_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.Str(allow_none=True)
