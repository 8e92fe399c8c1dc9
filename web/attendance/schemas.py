"""JSON shapes of the attendance and leave API (marshmallow). Class names are unique across the API."""

from marshmallow import Schema, fields, validate

from engine.leave.service import HALVES, KINDS, MAX_DAYS


class AttendanceQuery(Schema):
    first = fields.Date(required=True, data_key="from", metadata={"label": "开始日期"})
    last = fields.Date(required=True, data_key="to", metadata={"label": "结束日期"})
    staff = fields.Str(load_default=None, validate=validate.Length(1, 50), metadata={
        "description": "a username (default: yourself; supervisors without it: everyone)", "label": "人员"})


class AttendanceFinding(Schema):
    kind = fields.Str(metadata={"description": "late, early or absent"})
    half = fields.Str(metadata={"description": "morning or afternoon"})
    minutes = fields.Int(allow_none=True)
    band = fields.Str(metadata={"description": "minor (≤10 min), late (11-30), major (>30) or absent (per half day)"})
    trigger = fields.Str(metadata={"description": "the ledger trigger it is charged under"})


class AttendanceDayRow(Schema):
    """One person's day (dumped from engine.attendance_book.DayLine)."""

    staff_id = fields.Int()
    name = fields.Str()
    username = fields.Str()
    department_code = fields.Str(allow_none=True)
    day = fields.Date()
    working_day = fields.Bool()
    signed_in = fields.Time(allow_none=True, metadata={"description": "Beijing time"})
    signed_out = fields.Time(allow_none=True, metadata={"description": "Beijing time"})
    source = fields.Method("_source", allow_none=True, metadata={"description": "app, import, or null: not signed"})
    leave_kind = fields.Str(allow_none=True, metadata={"description": "the approved leave that excuses the day"})
    leave_half = fields.Str(allow_none=True, metadata={
        "description": "morning or afternoon when the leave excuses only that half; null: the whole day"})
    findings = fields.List(fields.Nested(AttendanceFinding), metadata={
        "description": "what the rules find (empty for today, which is not over)"})

    def _source(self, line):
        return line.record.source if line.record else None


class AttendanceImported(Schema):
    imported = fields.Int(metadata={"description": "rows stored"})


class LeaveQuery(Schema):
    scope = fields.Str(load_default="mine", validate=validate.OneOf(("mine", "to_approve", "all")), metadata={
        "description": "mine; to_approve: those at a stage you approve; all: every leave (supervisors)"})


class NewLeave(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(tuple(KINDS)), metadata={"label": "请假类别",
                      "description": ", ".join(f"{code} ({name})" for code, name in KINDS.items())})
    starts_on = fields.Date(required=True, metadata={"label": "开始日期"})
    ends_on = fields.Date(required=True, metadata={"label": "结束日期", "description": f"the last day away; at most "
                                                                                       f"{MAX_DAYS} days"})
    reason = fields.Str(required=True, validate=validate.Length(1, 300), metadata={"label": "事由"})
    cover = fields.Str(load_default=None, allow_none=True, validate=validate.Length(0, 50), metadata={
        "label": "代岗人", "description": "username of who covers (a window's A post: its B post, checked at once "
                                           "by the AB rules); none is 请假未委托, charged when the leave is approved"})
    starts_half = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(HALVES), metadata={
        "label": "开始时段", "description": "am (default: the whole first day) or pm (from the afternoon)"})
    ends_half = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(HALVES), metadata={
        "label": "结束时段", "description": "pm (default: the whole last day) or am (until noon)"})


class LeaveRefusal(Schema):
    reason = fields.Str(required=True, validate=validate.Length(1, 300), metadata={"label": "不予批准理由"})


class LeaveRow(Schema):
    """A leave (dumped from engine.leave_book.LeaveLine)."""

    id = fields.Int(attribute="leave.id")
    staff_id = fields.Int(attribute="leave.staff_id")
    name = fields.Str()
    username = fields.Str()
    kind = fields.Str(attribute="leave.kind")
    kind_name = fields.Str()
    starts_on = fields.Date(attribute="leave.starts_on")
    ends_on = fields.Date(attribute="leave.ends_on")
    reason = fields.Str(attribute="leave.reason")
    cover = fields.Str(attribute="cover_username", allow_none=True)
    cover_name = fields.Str(allow_none=True)
    starts_half = fields.Str(attribute="leave.starts_half", metadata={"description": "am or pm (from the afternoon)"})
    ends_half = fields.Str(attribute="leave.ends_half", metadata={"description": "pm or am (until noon)"})
    state = fields.Str(attribute="leave.state", metadata={
        "description": "requested, department_approved, approved, returned, refused or withdrawn"})
    department_approver = fields.Str(allow_none=True)
    center_approver = fields.Str(allow_none=True)
    refused_by = fields.Str(allow_none=True)
    refused_stage = fields.Str(attribute="leave.refused_stage", allow_none=True, metadata={
        "description": "department or center: the stage that refused"})
    refusal_reason = fields.Str(attribute="leave.refusal_reason", allow_none=True)
    absence_id = fields.Int(attribute="leave.absence_id", allow_none=True, metadata={
        "description": "the AB absence it became"})
    returned_on = fields.Date(attribute="leave.returned_on", allow_none=True)
    overrun = fields.Bool(metadata={"description": "not back by the first working day after ends_on (超假)"})
