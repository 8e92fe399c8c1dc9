"""JSON shapes of the enquiries API (marshmallow). Class names are unique across the API."""

from marshmallow import Schema, fields, validate

from engine.enquiries.models import CHANNELS, STATES
from engine.enquiries.service import MAX_ANSWER, MAX_QUESTION, MAX_REFERRAL_DAYS


class EnquiryQuery(Schema):
    state = fields.Str(load_default=None, validate=validate.OneOf(STATES), metadata={"label": "状态",
                       "description": "open (the 首问 person holds it), referred, answered"})
    channel = fields.Str(load_default=None, validate=validate.OneOf(CHANNELS), metadata={"label": "咨询渠道"})
    department = fields.Str(load_default=None, validate=validate.Length(1, 16), metadata={
        "label": "部门", "description": "the department it is referred to"})
    overdue = fields.Bool(load_default=False, metadata={"label": "逾期", "description": "unanswered past its due day"})


class NewEnquiry(Schema):
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS), metadata={
        "label": "咨询渠道", "description": "window, phone or online (an online enquiry is due in 2 working days)"})
    asker_name = fields.Str(required=True, validate=validate.Length(1, 50), metadata={"label": "咨询人姓名"})
    asker_phone = fields.Str(load_default=None, allow_none=True, validate=validate.Length(0, 20), metadata={
        "label": "联系电话", "description": "required for an online enquiry"})
    item_code = fields.Str(load_default=None, allow_none=True, validate=validate.Length(0, 32), metadata={
        "label": "咨询事项", "description": "the catalogue's item the question is about"})
    question = fields.Str(required=True, validate=validate.Length(1, MAX_QUESTION), metadata={"label": "咨询内容"})


class PublicEnquiry(Schema):
    asker_name = fields.Str(required=True, validate=validate.Length(1, 50), metadata={"label": "咨询人姓名"})
    asker_phone = fields.Str(required=True, validate=validate.Length(1, 20), metadata={
        "label": "联系电话", "description": "with the number, the key to the answer"})
    department = fields.Str(load_default=None, allow_none=True, validate=validate.Length(0, 16), metadata={
        "label": "部门", "description": "the department asked (default: the item's)"})
    item_code = fields.Str(load_default=None, allow_none=True, validate=validate.Length(0, 32),
                           metadata={"label": "咨询事项"})
    question = fields.Str(required=True, validate=validate.Length(1, MAX_QUESTION), metadata={"label": "咨询内容"})


class EnquiryAnswerBody(Schema):
    answer = fields.Str(required=True, validate=validate.Length(1, MAX_ANSWER), metadata={"label": "答复内容"})


class EnquiryReferralBody(Schema):
    department = fields.Str(required=True, validate=validate.Length(1, 16), metadata={"label": "部门"})
    days = fields.Int(required=True, strict=True, validate=validate.Range(1, MAX_REFERRAL_DAYS), metadata={
        "label": "答复时限（工作日）", "description": "working days from today (the center's calendar)"})
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(0, 300), metadata={"label": "转办说明"})


class EnquiryReferralRow(Schema):
    department_code = fields.Str(attribute="referral.department_code")
    due_on = fields.Date(attribute="referral.due_on")
    due_provisional = fields.Bool(attribute="referral.due_provisional", metadata={
        "description": "the calendar lacks the year: weekends only"})
    note = fields.Str(attribute="referral.note", allow_none=True)
    referred_by = fields.Str()
    referred_at = fields.DateTime(attribute="referral.referred_at")


class EnquiryRow(Schema):
    """An enquiry (dumped from engine.enquiry_book.EnquiryLine)."""

    id = fields.Int(attribute="enquiry.id")
    number = fields.Str(attribute="enquiry.number", metadata={"description": "the receipt number, ZX…"})
    channel = fields.Str(attribute="enquiry.channel")
    asker_name = fields.Str(attribute="enquiry.asker_name")
    asker_phone = fields.Str(allow_none=True, metadata={
        "description": "masked for all but the window (engine/masking.py)"})
    item_code = fields.Str(attribute="enquiry.item_code", allow_none=True)
    item_name = fields.Str(allow_none=True)
    question = fields.Str(attribute="enquiry.question")
    received_at = fields.DateTime(attribute="enquiry.received_at")
    first_staff = fields.Str(allow_none=True, metadata={"description": "首问责任人 (none: asked online)"})
    department_code = fields.Str(attribute="enquiry.department_code", allow_none=True, metadata={
        "description": "the department it is referred to"})
    state = fields.Str(attribute="enquiry.state", metadata={"description": ", ".join(STATES)})
    reply_due_on = fields.Date(attribute="enquiry.reply_due_on", allow_none=True, metadata={
        "description": "online: 2 working days from receipt (XL-06)"})
    due_on = fields.Date(allow_none=True, metadata={"description": "the earliest day the answer is owed by"})
    overdue = fields.Bool()
    answer = fields.Str(attribute="enquiry.answer", allow_none=True)
    answered_by = fields.Str(allow_none=True)
    answered_at = fields.DateTime(attribute="enquiry.answered_at", allow_none=True)
    charged_staff = fields.Str(allow_none=True, metadata={"description": "whom XL-06 charged for a late reply"})
    referrals = fields.List(fields.Nested(EnquiryReferralRow))
    may_handle = fields.Bool(metadata={"description": "you may answer or refer it"})


class PublicEnquiryAnswer(Schema):
    """What the asker reads: his question and the answer, no staff names."""

    number = fields.Str()
    question = fields.Str()
    received_on = fields.Date()
    answered = fields.Bool()
    answer = fields.Str(allow_none=True)
    answered_on = fields.Date(allow_none=True)
    reply_due_on = fields.Date(allow_none=True, metadata={"description": "answered by this day (2 working days)"})


class PublicEnquiryLookup(Schema):
    number = fields.Str(required=True, validate=validate.Length(1, 32), metadata={"label": "咨询编号"})
    asker_phone = fields.Str(required=True, validate=validate.Length(1, 20), metadata={"label": "联系电话"})
